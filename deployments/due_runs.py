"""Start a run the moment the Prefect server says it is due, not at the serving process's next poll.

Prefect's runner asks the server for due runs every `query_seconds` (PINGGU_POLL_SECONDS, 1 s ± 30 %): a person's
answer resumed a run, and the run waited for that poll before it started again, 0.1–1.6 s of what they waited for
the next form (bench/bench_overhead.py). Polling faster is no cure: every poll is also a write to the server's
database, and at 0.2–0.5 s some resume calls stalled for seconds.

The server already announces each such run on its events stream (`/api/events/out`, what Prefect's own runner
watches for cancellations): a resumed run's state becomes Scheduled named "Resuming", a new run's Scheduled.
`start_runs_when_they_become_due` listens for those two events and has the announced runs started at once: the serving
process reads them in one call and hands those it serves to its runner (deployments/serve.py `start_announced_runs`),
a read, not a poll of the deployments, which the server records as a write (measured with 100 evaluations on SQLite:
polling the deployments at every event locked the server's database, and resumes were answered 503). Two moments
later matter too, and `DueRuns` asks again at each while an announced run has not been taken up:

* the run's previous process is still ending (sending its last logs and events) when the answer comes: the runner
  does not start a run whose previous process it still watches, so the start that counts is the one after that
  process has ended;
* a process of the runner ends while an announced run waits for a slot.

That is for a quiet runner, where one person's answer is what the runner has to do: while BUSY_PROCESSES or more of
its processes are under way, announcements are ignored and its own poll, every second, starts the runs (reading every
announced run then only added to the server's load).

The runner's own poll goes on unchanged underneath, so a lost stream costs only the wait it cost before, and the
runner never starts a run twice (it skips a run it is already submitting, and the server lets only one process move
a run from Scheduled to Pending).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from uuid import UUID

import anyio

# A suspended run resumed by an answer (the server's Scheduled state named "Resuming"), and a run started from a
# deployment (Scheduled): the two ways a run becomes due for a runner.
DUE_EVENTS = ["prefect.flow-run.Resuming", "prefect.flow-run.Scheduled"]
# The server announces a state change inside the transaction that makes it (~10 ms before its commit, measured); a
# read sent the same instant can find the run as it was. Reads after these pauses find it.
SETTLE_SECONDS = (0.05, 0.1, 0.2)
# How long to wait before listening again after the events stream failed (the server restarting, say).
RETRY_SECONDS = 5.0
# From this many flow-run processes under way, the runner is busy: it polls every second anyway, a new run waits for
# a slot, and reading each announced run only adds to the Prefect server's load (20 evaluations at once on SQLite:
# 3.6 min with every announcement read, 2.6 min without; the server's database locked under the extra requests).
# Announcements are for the quiet runner, where one person's answer is the only work.
BUSY_PROCESSES = 2
# An announced run no process of this runner has taken up by then is left to the runner's own poll (one another
# runner or worker took, say).
FORGET_SECONDS = 60.0

logger = logging.getLogger(__name__)


class DueRuns:
    """The runs the server announced as due that this runner has not taken up yet, and the starts they ask for.

    Asks that come while a start is under way are served by one more start, not one each.
    """

    def __init__(self) -> None:
        self._asked = anyio.Event()
        self._waiting: dict[UUID, float] = {}
        self._in_flight = 0

    @property
    def busy(self) -> bool:
        """BUSY_PROCESSES or more of the runner's processes are under way: announcements are left to its poll."""
        return self._in_flight >= BUSY_PROCESSES

    def announced(self, run_id: UUID | None) -> None:
        """The server announced this run as due: start it now, unless the runner is busy."""
        if run_id is not None and not self.busy:
            self._waiting[run_id] = time.monotonic()
            self._asked.set()

    def waiting(self) -> list[UUID]:
        """The announced runs not taken up yet."""
        return list(self._waiting)

    def forget(self, run_ids: list[UUID]) -> None:
        """These runs are not this runner's to start now (another deployment's, or due later): stop asking for them."""
        for run_id in run_ids:
            self._waiting.pop(run_id, None)

    def taken(self, run_id: UUID) -> None:
        """This runner is starting a process for the run."""
        self._waiting.pop(run_id, None)
        self._in_flight += 1

    def process_ended(self) -> None:
        """A run's process ended: its slot is free, and the same run may be due again; ask if any run waits."""
        self._in_flight = max(0, self._in_flight - 1)
        forget_before = time.monotonic() - FORGET_SECONDS
        self._waiting = {run_id: since for run_id, since in self._waiting.items() if since > forget_before}
        if self._waiting and not self.busy:
            self._asked.set()

    async def wait(self) -> None:
        """Wait for an ask, and take every ask made until now."""
        await self._asked.wait()
        self._asked = anyio.Event()


def _run_id(event: object) -> UUID | None:
    """The flow run an event is about (its resource is prefect.flow-run.<id>), None if it names none."""
    try:
        return UUID(str(event.resource.id).removeprefix("prefect.flow-run."))  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return None


async def _listen(due: DueRuns, subscriber_factory: Callable[[], object]) -> None:
    """Note every due event; listen again after the stream fails, saying so once per outage."""
    quiet = False
    while True:
        try:
            async with subscriber_factory() as subscriber:  # type: ignore[attr-defined]
                async for event in subscriber:
                    quiet = False
                    due.announced(_run_id(event))
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as error:  # the stream's outage is the runner's own poll's business, not a failure
            if not quiet:
                logger.warning(
                    "无法订阅 Prefect 服务器的事件流（%s）：续办的运行改为按轮询间隔启动，%s 秒后重试",
                    error,
                    RETRY_SECONDS,
                )
                quiet = True
        await anyio.sleep(RETRY_SECONDS)


async def _start_on_demand(due: DueRuns, start: Callable[[list[UUID]], Awaitable[None]]) -> None:
    """Start the waiting runs at each ask, and again after each of SETTLE_SECONDS (or at the next ask, if sooner) while
    one waits, for a run read before its commit."""

    async def started() -> None:
        waiting = due.waiting()
        if not waiting:
            return
        try:
            await start(waiting)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as error:  # the runner's own poll retries this on its interval
            logger.debug("starting announced runs failed: %s", error)

    while True:
        await due.wait()
        await started()
        for pause in SETTLE_SECONDS:
            if not due.waiting():
                break
            with anyio.move_on_after(pause):
                await due.wait()
            await started()


def _subscriber() -> object:
    """The events stream, filtered to the due events (reconnecting on its own a few times before giving up)."""
    from prefect.events.clients import get_events_subscriber
    from prefect.events.filters import EventFilter, EventNameFilter

    return get_events_subscriber(filter=EventFilter(event=EventNameFilter(name=DUE_EVENTS)))


async def start_runs_when_they_become_due(
    start: Callable[[list[UUID]], Awaitable[None]],
    *,
    due: DueRuns | None = None,
    subscriber_factory: Callable[[], object] = _subscriber,
) -> None:
    """Call `start` with the announced runs not taken up yet as soon as the server reports a run resumed or
    scheduled, and as `due` asks, until cancelled."""
    due = due or DueRuns()
    async with anyio.create_task_group() as group:
        group.start_soon(_listen, due, subscriber_factory)
        group.start_soon(_start_on_demand, due, start)
