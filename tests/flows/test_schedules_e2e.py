"""Schedules work on the session's real Prefect server (SQLite, or PostgreSQL in the second pass), and
`pinggu status` says when a scheduled deployment has not run when it should have.

Prefect 3.8.8's scheduler failed on every pass with SQLAlchemy 2.1.9 (`Can't evaluate bulk DML statement`),
so annual-plan/yearly, deadline-watch/daily and tracking/monthly never ran and nothing said so. The session's
server runs its scheduler services as `pinggu up` does; the product's own scheduled deployments are paused
in the session (PINGGU_SCHEDULES=false, tests/conftest.py), so these tests use a deployment of their own
with the daily watch's schedule. Its runs are never started: no process serves it and no work pool has it.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

BEIJING = ZoneInfo("Asia/Shanghai")
# The server schedules a new or changed deployment within its recent-deployments loop (5 s); the rest of
# the minute is for a loaded machine.
SCHEDULER_SECONDS = 45
FLOW = "pinggu-schedule-check"


def _scheduled_runs(deployment_id, minimum: int = 1) -> tuple[list, float]:
    """Wait until the server has created at least `minimum` runs of the deployment; (runs, seconds waited)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    from pinggu.services.orchestration import prefect_client

    started = time.monotonic()
    while True:
        with prefect_client() as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]))
            )
        waited = time.monotonic() - started
        if len(runs) >= minimum or waited > SCHEDULER_SECONDS:
            return sorted(runs, key=lambda run: run.expected_start_time), waited
        time.sleep(0.5)


@pytest.fixture
def daily_at_eight(prefect_server):
    """A deployment with the deadline watch's schedule (every day 08:00, Beijing time), deleted afterwards."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.exceptions import ObjectNotFound

    from pinggu.services.orchestration import prefect_client

    with prefect_client() as client:
        flow_id = client.create_flow_from_name(FLOW)
        deployment_id = client.create_deployment(
            flow_id=flow_id,
            name=f"daily-{uuid4().hex[:8]}",
            schedules=[DeploymentScheduleCreate(schedule=CronSchedule(cron="0 8 * * *", timezone="Asia/Shanghai"))],
            tags=["定时检查"],
        )
        deployment = client.read_deployment(deployment_id)
    yield deployment
    runs, _ = _scheduled_runs(deployment_id, minimum=0)
    with prefect_client() as client:
        client.delete_deployment(deployment_id)  # and its runs still scheduled
        for run in runs:
            with contextlib.suppress(ObjectNotFound):
                client.delete_flow_run(run.id)


def _next_eight(after: datetime) -> datetime:
    day = after.astimezone(BEIJING).replace(hour=8, minute=0, second=0, microsecond=0)
    return day if day > after else day + timedelta(days=1)


@pytest.fixture
def server_log(settings):
    """What the session's Prefect server logs during the test (earlier tests restart it and its database)."""
    path = settings.home / "logs" / "prefect-server.log"
    start = path.stat().st_size

    def written() -> list[str]:
        with path.open("rb") as log:
            log.seek(start)
            return log.read().decode(errors="replace").splitlines()

    return written


def test_the_server_creates_a_scheduled_deployments_runs_within_its_scheduler_loop(daily_at_eight, server_log):
    runs, waited = _scheduled_runs(daily_at_eight.id)
    assert runs, f"{SCHEDULER_SECONDS} 秒内 Prefect 服务没有为定时部署创建运行：定时调度未工作"
    assert all(run.auto_scheduled and run.state and run.state.is_scheduled() for run in runs)
    first = _next_eight(daily_at_eight.created)
    assert [run.expected_start_time for run in runs[:2]] == [first, first + timedelta(days=1)], f"{waited:.1f} s"
    failures = [
        line
        for line in server_log()
        if "schedul" in line.lower() and any(level in line for level in ("ERROR", "CRITICAL", "Traceback"))
    ]
    assert failures == []


def test_status_says_when_a_scheduled_deployment_has_not_run_when_it_should_have(daily_at_eight):
    from prefect.states import Completed, Failed

    from pinggu.status import evaluations_overview, render_text
    from pinggu.services.orchestration import prefect_client
    from pinggu.services.schedules import SETTLE

    runs, _ = _scheduled_runs(daily_at_eight.id, minimum=2)
    due = next(run for run in runs if run.expected_start_time > daily_at_eight.created + SETTLE)
    name = f"{FLOW}/{daily_at_eight.name}"

    def ours(now: datetime) -> list[dict]:
        overview = evaluations_overview(now)
        assert overview["schedules"]["checked"], overview["schedules"]
        return [p for p in overview["schedules"]["problems"] if p["deployment"] == name]

    hour_later = due.expected_start_time + timedelta(hours=1)
    assert ours(due.expected_start_time - timedelta(hours=1)) == []  # nothing was due yet
    (late,) = ours(hour_later)  # created, never started: nothing serves it
    assert (late["problem"], late["state"], late["expected"]) == ("not_started", "Scheduled", due.expected_start_time)

    with prefect_client() as client:
        client.set_flow_run_state(due.id, Failed(message="检查"), force=True)
    assert [p["problem"] for p in ours(hour_later)] == ["failed"]
    with prefect_client() as client:
        client.set_flow_run_state(due.id, Completed(), force=True)
    assert ours(hour_later) == []

    # The day after the last run the scheduler created: nothing was created for it, as when it fails.
    runs, _ = _scheduled_runs(daily_at_eight.id)
    missing = max(run.expected_start_time for run in runs) + timedelta(days=1)
    overview = evaluations_overview(missing + timedelta(hours=1))
    (missed,) = [p for p in overview["schedules"]["problems"] if p["deployment"] == name]
    assert missed["problem"] == "missed"
    text = render_text(overview)
    assert (
        f"定时任务：定时检查（{name}）应于 {missing.astimezone(BEIJING):%Y-%m-%d} 08:00 运行，但没有创建该次运行："
        "Prefect 服务的定时调度可能未工作，请查看 Prefect 服务日志中 scheduler 的错误，并手动运行一次  【未按时运行】"
    ) in text.splitlines()
    # The session pauses the product's own schedules (tests/conftest.py), and status says so.
    assert (
        "定时任务：期限巡查（deadline-watch/daily）的定时运行已暂停，只在手动运行时执行  【已暂停】"
        in text.splitlines()
    )


def test_status_says_when_it_could_not_check_the_schedules(monkeypatch):
    from pinggu.status import render_schedules, schedules_status
    from pinggu.services import schedules

    monkeypatch.setattr(schedules, "prefect_client", _unreachable_client)
    checked = schedules_status(datetime.now(UTC))
    assert not checked["checked"]
    assert render_schedules(checked) == [
        "定时任务：无法连接 Prefect 服务 http://127.0.0.1:1/api/（[Errno 111] Connection refused），"
        "未能检查年度计划、期限巡查和跟踪反馈是否按时运行（服务未运行时它们不会运行；pinggu up 启动）"
    ]


def _unreachable_client():
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:1/api"}):
        return get_client(sync_client=True)
