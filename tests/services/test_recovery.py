"""Runs left for dead (services/recovery.py) against the session's Prefect server: the two automations made
once and left alone, the sweep that marks a silent Running run Crashed, the daily bound on automatic
continuations. The whole path (a worker killed with its run, continued by nobody) is the fault suite's."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from builders import add_evaluation


def _set_status(evaluation_ids, status: str) -> None:
    from builders import session_scope

    from pinggu.models.tables import Evaluation, now_beijing

    with session_scope() as session:
        for evaluation_id in evaluation_ids:
            evaluation = session.get(Evaluation, evaluation_id)
            evaluation.status = status
            if status == "completed":  # as the flow sets them: together (the annual plan relies on it)
                evaluation.completed_at = now_beijing()
            session.add(evaluation)


def _bound_evaluation(run_id) -> int:
    from builders import session_scope

    with session_scope() as session:
        evaluation_id = add_evaluation(session, prefix="R", flow_run_id=str(run_id)).id
    _set_status([evaluation_id], "running")
    return evaluation_id


def _run_of_no_deployment(client, state):
    """A flow run no runner or worker will pick up, in `state`."""
    from prefect import flow

    @flow(name="recovery-test-nothing")
    def nothing() -> None:
        """Never runs: only its runs' states are set."""

    return client.create_flow_run(nothing, state=state)


def test_the_automations_are_made_once_and_changed_only_when_the_limit_changes(prefect_server):
    from prefect import get_client

    from pinggu.services.recovery import CONTINUE_AUTOMATION, ZOMBIE_AUTOMATION, ensure_recovery_automations

    # The serving process (or start_workers) makes them as it starts, with the default limit: a test run early
    # in the session waits for it, rather than racing it to create them (which would make two of each).
    deadline = time.monotonic() + 90
    with get_client(sync_client=True) as client:
        while not all(client.read_automations_by_name(name) for name in (ZOMBIE_AUTOMATION, CONTINUE_AUTOMATION)):
            assert time.monotonic() < deadline, "the serving process or the workers made no automations"
            time.sleep(0.5)
    try:
        assert ensure_recovery_automations() == {ZOMBIE_AUTOMATION: "无变化", CONTINUE_AUTOMATION: "无变化"}
        assert ensure_recovery_automations(2) == {ZOMBIE_AUTOMATION: "已更新", CONTINUE_AUTOMATION: "无变化"}
        with get_client(sync_client=True) as client:
            [zombie] = client.read_automations_by_name(ZOMBIE_AUTOMATION)
            [continuation] = client.read_automations_by_name(CONTINUE_AUTOMATION)
            recovery_deployment = client.read_deployment_by_name("recovery/on-crash")
        trigger = zombie.trigger
        assert (trigger.posture, trigger.within, trigger.after) == (
            "Proactive",
            timedelta(minutes=2),
            {"prefect.flow-run.heartbeat"},
        )
        # a run waiting at a gate has no process and sends no heartbeat: it is not dead
        assert {"prefect.flow-run.Suspended", "prefect.flow-run.Completed"} <= trigger.expect
        assert [action.type for action in zombie.actions] == ["change-flow-run-state"]
        assert zombie.actions[0].state == "CRASHED" and zombie.actions[0].force is False  # never a finished run
        assert continuation.trigger.expect == {"prefect.flow-run.Crashed"}
        assert continuation.actions[0].deployment_id == recovery_deployment.id
    finally:
        ensure_recovery_automations()
    assert ensure_recovery_automations() == {ZOMBIE_AUTOMATION: "无变化", CONTINUE_AUTOMATION: "无变化"}


def test_a_running_run_silent_past_the_limit_is_marked_crashed_and_one_that_beats_is_not(prefect_server):
    from prefect import get_client
    from prefect.events import emit_event
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
    from prefect.states import Running

    from pinggu.services.recovery import crash_silent_runs

    now = datetime.now(UTC)
    with get_client(sync_client=True) as client:
        silent, beating = (_run_of_no_deployment(client, Running()) for _ in range(2))
        evaluations = [_bound_evaluation(silent.id), _bound_evaluation(beating.id)]
        # The sweep is asked as of two minutes from now with a 1.5-minute limit: both runs have been Running
        # since before the window, and only `beating` sent a heartbeat inside it.
        emit_event(
            event="prefect.flow-run.heartbeat",
            resource={"prefect.resource.id": f"prefect.flow-run.{beating.id}"},
            occurred=now + timedelta(minutes=1),
        )
        heartbeats = EventFilter(
            event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
            resource=EventResourceFilter(id=[f"prefect.flow-run.{beating.id}"]),
        )
        heartbeats.occurred.until = now + timedelta(minutes=5)
        deadline = time.monotonic() + 60
        while not client.read_events(filter=heartbeats, limit=50).events:  # the server stores events asynchronously
            assert time.monotonic() < deadline, "the heartbeat event never reached the server"
            time.sleep(0.5)
        try:
            found = crash_silent_runs(limit_minutes=1.5, now=now + timedelta(minutes=2))
            assert [(item.run, item.silent_minutes >= 2) for item in found] == [(str(silent.id), True)]
            assert client.read_flow_run(silent.id).state.is_crashed()
            assert "1.5 分钟未收到心跳" in client.read_flow_run(silent.id).state.message
            assert client.read_flow_run(beating.id).state.is_running()
            # as of now, nothing has been Running that long
            assert crash_silent_runs(limit_minutes=1.5) == []
        finally:
            _set_status(evaluations, "completed")


def test_an_evaluation_continued_three_times_today_is_left_to_the_watch_and_the_operator(prefect_server):
    from functools import partial

    from prefect import get_client
    from prefect.states import Crashed, Pending

    from pinggu.models import audit
    from pinggu.models.db import transaction
    from pinggu.services.recovery import AUTOMATIC_CONTINUATIONS_PER_DAY, continue_crashed

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("post-evaluation/simplified")
        # Pending: no runner picks it up; Crashed only once bound and counted, so that the continuation
        # automation's own run (started by the Crashed event) finds it already at the bound.
        run = client.create_flow_run_from_deployment(deployment.id, parameters={"decision": "R-无"}, state=Pending())
        evaluation_id = _bound_evaluation(run.id)

        def continued(times: int, session) -> None:
            for _ in range(times):
                audit.record(session=session, action="run_continued", evaluation_id=evaluation_id)

        transaction(partial(continued, AUTOMATIC_CONTINUATIONS_PER_DAY))
        client.set_flow_run_state(run.id, Crashed(message="测试：进程终止"), force=True)
        try:
            recovered = continue_crashed(max_per_day=AUTOMATIC_CONTINUATIONS_PER_DAY)
            code = _code_of(evaluation_id)
            assert code in recovered.left and code not in [item.evaluation for item in recovered.continued]
        finally:
            _set_status([evaluation_id], "completed")


def _code_of(evaluation_id: int) -> str:
    from pinggu.models.db import read_session
    from pinggu.models.tables import Evaluation

    with read_session() as session:
        evaluation = session.get(Evaluation, evaluation_id)
        assert evaluation is not None
        return evaluation.code
