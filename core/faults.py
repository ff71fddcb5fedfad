"""Fault injection for the fault suite (tests/faults), armed only in a process started with
PINGGU_FAULT_INJECTION=1: a test arms a point by writing a file PINGGU_HOME/faults/<point>, and the
next process to pass that point fails, waits or pauses as the file says. Off, a point costs one
environment lookup.

    fail:N        the next N passes raise OSError (a renderer or disk failing N times)
    until:T       every pass raises OSError until Unix time T (a store read-only for a while)
    pause:S       the next pass writes its pid to <point>.reached and sleeps S seconds (a window to kill it)
"""

from __future__ import annotations

import os
import time

from pinggu.core.settings import get_settings

ENABLED = "PINGGU_FAULT_INJECTION"


def fault_point(point: str) -> None:
    """Fail, wait or pause here if the fault suite armed `point`; nothing otherwise."""
    if os.environ.get(ENABLED) != "1":
        return
    armed = get_settings().home / "faults" / point
    try:
        kind, _, value = armed.read_text().partition(":")
    except FileNotFoundError:
        return
    if kind == "fail" and int(value) > 0:
        armed.write_text(f"fail:{int(value) - 1}")
        raise OSError(f"注入的故障：{point}")
    if kind == "until" and time.time() < float(value):
        raise OSError(f"注入的故障：{point}（至 {time.strftime('%H:%M:%S', time.localtime(float(value)))}）")
    if kind == "pause":
        armed.unlink(missing_ok=True)  # once
        armed.with_name(f"{point}.reached").write_text(str(os.getpid()))
        time.sleep(float(value))


def arm(point: str, how: str) -> None:
    """Arm `point` (see the module's docstring) for every process of this home."""
    folder = get_settings().home / "faults"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{point}.reached").unlink(missing_ok=True)
    (folder / point).write_text(how)


def disarm(point: str) -> None:
    folder = get_settings().home / "faults"
    (folder / point).unlink(missing_ok=True)
    (folder / f"{point}.reached").unlink(missing_ok=True)
