"""A run starts as soon as the server says it is due (pinggu.deployments.due_runs): the listener asks for a start at
each due event, asks that arrive together give one start and its follow-up, a failing stream is listened to again
without stopping the starts, a run announced while its previous process ends is started when that process has
ended, and the real server's events stream does announce a new run and a resumed one; the serving process starts
only the announced runs it serves that are due now (deployments/serve.py start_announced_runs)."""

from __future__ import annotations

import asyncio
import logging
import time
from types import SimpleNamespace
from uuid import uuid4

import anyio
import pytest

from pinggu.deployments import due_runs


def _event(run_id):
    """An event about a flow run, as Prefect's subscriber yields it (only its resource is read)."""
    return SimpleNamespace(resource=SimpleNamespace(id=f"prefect.flow-run.{run_id}"))


class _Stream:
    """An events stream that yields `count` events (one every `gap` seconds), then fails or stays open."""

    def __init__(self, count: int, gap: float = 0.0, then_fail: bool = False, fail_first: int = 0) -> None:
        self.count, self.gap, self.then_fail, self.opened = count, gap, then_fail, 0
        self.fail_first = fail_first

    def __call__(self) -> _Stream:
        self.opened += 1
        return self

    async def __aenter__(self) -> _Stream:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def _events(self):
        if self.opened <= self.fail_first:
            raise ConnectionError("server restarting")
        for _ in range(self.count):
            await anyio.sleep(self.gap)
            yield _event(uuid4())
        if self.then_fail:
            raise ConnectionError("stream closed")
        await anyio.sleep(3600)

    def __aiter__(self):
        return self._events()


async def _polls_within(seconds: float, stream: _Stream, poll_takes: float = 0.0) -> list[float]:
    times: list[float] = []
    started = time.monotonic()

    async def poll(run_ids) -> None:
        assert run_ids
        times.append(time.monotonic() - started)
        await anyio.sleep(poll_takes)

    with anyio.move_on_after(seconds):
        await due_runs.start_runs_when_they_become_due(poll, subscriber_factory=stream)
    return times


def test_each_due_event_polls_at_once_and_again_after_the_settling_time():
    times = asyncio.run(_polls_within(1.0, _Stream(1)))  # the run is never taken up here: every retry reads
    assert len(times) == 1 + len(due_runs.SETTLE_SECONDS)
    assert times[0] < 0.05
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps == pytest.approx(list(due_runs.SETTLE_SECONDS), abs=0.04)


def test_a_process_ending_during_the_settling_time_polls_at_once(monkeypatch):
    """The run's previous process ends just after the first poll skipped the run: the next poll is then, not later."""
    monkeypatch.setattr(due_runs, "SETTLE_SECONDS", (5.0,))

    async def scenario() -> list[float]:
        due = due_runs.DueRuns()
        times: list[float] = []
        started = time.monotonic()

        async def poll(run_ids) -> None:
            times.append(time.monotonic() - started)

        async with anyio.create_task_group() as group:
            group.start_soon(
                lambda: due_runs.start_runs_when_they_become_due(poll, due=due, subscriber_factory=_Stream(1))
            )
            await anyio.sleep(0.3)
            due.process_ended()  # the announced run still waits
            await anyio.sleep(0.3)
            group.cancel_scope.cancel()
        return times

    times = asyncio.run(scenario())
    assert len(times) == 2 and times[0] < 0.1 and 0.25 < times[1] < 0.45


def test_events_that_arrive_during_a_poll_give_one_more_poll_not_one_each():
    # Ten events 0.01 s apart while each start takes 0.2 s: the asks that come during one start are served by the
    # next; never one start per event (the run is never taken up here, so each start is followed by its retries).
    times = asyncio.run(_polls_within(2.0, _Stream(10, gap=0.01), poll_takes=0.2))
    assert 1 + len(due_runs.SETTLE_SECONDS) <= len(times) <= 2 * (1 + len(due_runs.SETTLE_SECONDS))


def test_a_failing_stream_is_listened_to_again_and_said_once(monkeypatch, caplog):
    monkeypatch.setattr(due_runs, "RETRY_SECONDS", 0.05)
    stream = _Stream(1, fail_first=3)
    with caplog.at_level(logging.WARNING, logger=due_runs.__name__):
        times = asyncio.run(_polls_within(1.0, stream))
    assert stream.opened == 4  # listened to again after each failure, and then it stays open
    assert len(times) == 1 + len(due_runs.SETTLE_SECONDS)  # the event of the stream that opened starts its run
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and "无法订阅 Prefect 服务器的事件流" in warnings[0]


def _asks_recorder(due, asked: list[str]):
    """`await asks(label)`: note `label` if `due` asks for a start within 0.2 s."""

    async def asks(label: str) -> None:
        with anyio.move_on_after(0.2):
            await due.wait()
            asked.append(label)

    return asks


def test_a_run_announced_while_its_previous_process_ends_asks_again_when_it_has_ended(monkeypatch):
    """The runner skips a run whose previous process is still ending: the poll that counts is the one after it."""
    run, other = uuid4(), uuid4()

    async def scenario() -> list[str]:
        due = due_runs.DueRuns()
        asked: list[str] = []
        asks = _asks_recorder(due, asked)

        due.announced(run)
        await asks("announced")
        due.process_ended()  # the previous process of the run ended: the run still waits
        await asks("ended while it waits")
        due.taken(run)
        due.process_ended()  # its new process ended: nothing waits
        await asks("ended, nothing waits")
        due.announced(other)
        await asks("other announced")
        due.forget([other])  # not this runner's to start now
        due.process_ended()
        await asks("ended, the other forgotten")
        due.announced(other)
        await asks("other announced again")
        monkeypatch.setattr(due_runs, "FORGET_SECONDS", -1.0)  # as if a minute had passed
        due.process_ended()  # a run nobody took for a minute is left to the runner's own poll
        await asks("forgotten")
        return asked

    assert asyncio.run(scenario()) == ["announced", "ended while it waits", "other announced", "other announced again"]


def test_the_run_is_read_from_the_events_resource():
    class Event:
        class resource:  # noqa: N801  (as Prefect's event: .resource.id)
            id = "prefect.flow-run.6a1a3c52-5a3e-4c1e-9f2e-0d1b7c3a9e11"

    assert str(due_runs._run_id(Event())) == "6a1a3c52-5a3e-4c1e-9f2e-0d1b7c3a9e11"
    assert due_runs.DueRuns().announced(None) is None  # an event naming no run asks for nothing
    assert due_runs._run_id(object()) is None


def test_a_failing_poll_does_not_stop_the_next_ones():
    calls = []

    async def poll(run_ids) -> None:
        calls.append(1)
        raise RuntimeError("server busy")

    async def run() -> None:
        with anyio.move_on_after(1.0):
            await due_runs.start_runs_when_they_become_due(poll, subscriber_factory=_Stream(3, gap=0.3))

    asyncio.run(run())
    assert len(calls) >= 4


def test_the_servers_events_stream_announces_a_new_run_and_a_resumed_one(prefect_server):
    """The real server: a run created from a flow (Scheduled) and one resumed from Suspended (Scheduled, named
    "Resuming") each reach the listener within seconds."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled, Suspended

    @flow(name="due-runs-check")
    def nothing() -> None:
        """Never run: only its runs' states are set."""

    seen: list[str] = []

    def subscriber():
        from prefect.events.clients import get_events_subscriber
        from prefect.events.filters import EventFilter, EventNameFilter

        class _Recording:
            async def __aenter__(self):
                self.inner = await get_events_subscriber(
                    filter=EventFilter(event=EventNameFilter(name=due_runs.DUE_EVENTS))
                ).__aenter__()
                return self

            async def __aexit__(self, *args):
                await self.inner.__aexit__(*args)

            def __aiter__(self):
                return self

            async def __anext__(self):
                event = await self.inner.__anext__()
                seen.append(event.event)
                return event

        return _Recording()

    async def scenario() -> list[str]:
        async def poll(run_ids) -> None:
            return None

        async with get_client() as client, anyio.create_task_group() as group:
            group.start_soon(lambda: due_runs.start_runs_when_they_become_due(poll, subscriber_factory=subscriber))
            await anyio.sleep(1.0)  # the subscription is open
            # A deployment no runner serves (the server reschedules a suspended run only for a deployment).
            flow_id = await client.create_flow(nothing)
            deployment_id = await client.create_deployment(flow_id=flow_id, name=f"due-{uuid4().hex[:6]}")
            run = await client.create_flow_run_from_deployment(deployment_id, state=Scheduled())
            await client.set_flow_run_state(run.id, Suspended(pause_key="k"), force=True)
            resumed = await client.resume_flow_run(run.id)
            assert resumed.status.value == "ACCEPT", resumed.details
            with anyio.move_on_after(20):
                while not {"prefect.flow-run.Scheduled", "prefect.flow-run.Resuming"} <= set(seen):
                    await anyio.sleep(0.05)
            group.cancel_scope.cancel()
            await client.delete_flow_run(run.id)
            await client.delete_deployment(deployment_id)
        return seen

    assert {"prefect.flow-run.Scheduled", "prefect.flow-run.Resuming"} <= set(asyncio.run(scenario()))


def test_the_serving_process_waits_for_the_server_and_says_in_chinese_when_it_never_answers():
    """`pinggu up` starts the serving process beside the Prefect server (pinggu.deployments.serve.wait_for_the_server)."""
    from pinggu.deployments.serve import wait_for_the_server

    started = time.monotonic()
    with pytest.raises(SystemExit, match="Prefect 服务 http://127.0.0.1:9/api 在 1 秒内未应答，部署服务进程退出"):
        wait_for_the_server("http://127.0.0.1:9/api", seconds=1)
    assert time.monotonic() - started < 5


def test_the_serving_process_goes_on_as_soon_as_the_server_answers(prefect_server):
    from pinggu.deployments.serve import wait_for_the_server

    started = time.monotonic()
    wait_for_the_server(prefect_server, seconds=5)
    assert time.monotonic() - started < 3


def test_the_serving_process_starts_only_the_announced_runs_it_serves_that_are_due_now(prefect_server):
    """deployments/serve.py start_announced_runs, against the real server: of the announced runs, the one of a served
    deployment scheduled now is handed to the runner; one due tomorrow and one of a deployment served elsewhere are
    given back to be forgotten; a suspended one (its resume not yet committed) is neither."""
    from datetime import UTC, datetime, timedelta

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled, Suspended

    from pinggu.deployments.serve import start_announced_runs

    @flow(name="due-runs-start-check")
    def nothing() -> None:
        """Never run: only its runs' states are set."""

    async def scenario():
        async with get_client() as client:
            flow_id = await client.create_flow(nothing)
            served = await client.create_deployment(flow_id=flow_id, name=f"served-{uuid4().hex[:6]}")
            elsewhere = await client.create_deployment(flow_id=flow_id, name=f"elsewhere-{uuid4().hex[:6]}")
            tomorrow = datetime.now(UTC) + timedelta(days=1)
            runs = {
                "now": await client.create_flow_run_from_deployment(served, state=Scheduled()),
                "tomorrow": await client.create_flow_run_from_deployment(
                    served, state=Scheduled(scheduled_time=tomorrow)
                ),
                "elsewhere": await client.create_flow_run_from_deployment(elsewhere, state=Scheduled()),
                "suspended": await client.create_flow_run_from_deployment(served, state=Suspended(pause_key="k")),
            }
            handed: list = []

            async def submit(flow_run_response, task_group):
                handed.extend(run.id for run in flow_run_response)

            poller = SimpleNamespace(
                stopping=False,
                _client=client,
                _prefetch_seconds=10,
                _runs_task_group=None,
                _submit_scheduled_flow_runs=submit,
            )
            runner = SimpleNamespace(
                _scheduled_run_poller=poller,
                _deployment_registry=SimpleNamespace(get_deployment_ids=lambda: [served]),
            )
            forget = await start_announced_runs(runner, [run.id for run in runs.values()])
            for run in runs.values():
                await client.delete_flow_run(run.id)
            for deployment in (served, elsewhere):
                await client.delete_deployment(deployment)
            named = {run.id: name for name, run in runs.items()}
            return [named[run_id] for run_id in handed], sorted(named[run_id] for run_id in forget)

    assert asyncio.run(scenario()) == (["now"], ["elsewhere", "tomorrow"])


def test_a_busy_runner_leaves_announced_runs_to_its_own_poll():
    """From BUSY_PROCESSES processes under way the runner polls every second anyway and has no slot to give: reading
    each announced run would only add to the server's load (20 evaluations at once: 3.6 min against 2.6 min)."""

    async def scenario() -> list[str]:
        due = due_runs.DueRuns()
        asked: list[str] = []
        asks = _asks_recorder(due, asked)

        for _ in range(due_runs.BUSY_PROCESSES):
            due.taken(uuid4())
        due.announced(uuid4())
        await asks("announced while busy")
        assert due.waiting() == []
        due.process_ended()
        due.announced(run := uuid4())
        await asks("announced once quiet")
        assert due.waiting() == [run]
        return asked

    assert asyncio.run(scenario()) == ["announced once quiet"]
