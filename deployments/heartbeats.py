"""A flow run's heartbeat thread that stops when it is told to, not up to a second later (pinggu.deployments.warm applies it
in the warm processes every flow run is forked from).

Prefect's engine (`prefect.flow_engine._send_heartbeats`, 3.9.1) sends the run's heartbeats from a thread that sleeps
`time.sleep(1)` at a time between checks of its stop event, and joins that thread when the run ends. Every flow-run
process therefore lingered 0–1 s (0.47 s on average, py-spy on bench/bench_overhead.py, 2026-12-08) after its run had
suspended or finished: a slot of the serving process held for nothing, and a run answered in that time could not
start again before the old process was gone (the runner skips a run it still watches).

The stand-ins below change only that wait: `prefect.flow_engine` sees a `threading` whose `Thread` wakes its own
sleep when it is joined, and a `time` whose `sleep`, inside such a thread, is that wakeable wait. Prefect joins the
heartbeat thread right after setting its stop event, so the thread wakes, sees the event and ends; no heartbeat is
sent after the run stopped (one after a suspension would make the zombie automation expect more). Every other
sleep and thread of the module is the standard library's.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class WakeableThread(threading.Thread):
    """A thread whose sleeps (through `WakeableTime.sleep`) end as soon as someone joins it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.joining = threading.Event()

    def join(self, timeout: float | None = None) -> None:
        """Wake the thread's sleep, then wait for it as `Thread.join` does."""
        self.joining.set()
        super().join(timeout)


class WakeableThreading:
    """`threading` as prefect.flow_engine sees it: its threads are `WakeableThread`s."""

    Thread = WakeableThread

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


class WakeableTime:
    """`time` as prefect.flow_engine sees it: a sleep inside a `WakeableThread` ends when the thread is joined."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or less if this is a `WakeableThread` being joined."""
        thread = threading.current_thread()
        if isinstance(thread, WakeableThread):
            thread.joining.wait(seconds)
        else:
            time.sleep(seconds)


def stop_heartbeats_at_once() -> None:
    """Make every flow run of this process (and of every process forked from it) stop its heartbeat thread at once."""
    import prefect.flow_engine

    # Stand-ins for the modules, on purpose (as deployments/serve.py does for multiprocessing).
    prefect.flow_engine.threading = WakeableThreading()  # type: ignore[assignment]
    prefect.flow_engine.time = WakeableTime()  # type: ignore[assignment]
