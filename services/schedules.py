"""Whether each scheduled deployment ran when its schedule said (the yearly plan, the daily deadline
watch, monthly tracking), for `pinggu status`.

The Prefect server's scheduler creates a deployment's scheduled runs ahead of time; the serving process
or a worker starts each one when it is due. When the scheduler fails (Prefect 3.8.8's did, every
minute, with SQLAlchemy 2.1.9: `Can't evaluate bulk DML statement`) no run is created and nothing else
tells the operator; when nothing serves the deployment, the run is created but never starts. So for
the last time each active schedule said its deployment should run (at least `GRACE` ago, and after the
schedule was set up), this looks for a run of that deployment within `AROUND` of that time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pinggu.core.errors import OrchestrationError
from pinggu.services.orchestration import prefect_client

GRACE = timedelta(minutes=10)  # a run this long past its time should have started
AROUND = timedelta(minutes=30)  # a run this close to the scheduled time (a manual one too) is that time's run
SETTLE = timedelta(minutes=1)  # the scheduler creates a new schedule's runs within its loop, not before
DEFAULT_TIMEZONE = "Asia/Shanghai"

# Windows searched backwards from `until` for a schedule's last time: short first, so a frequent schedule's
# last time is among the first dates `get_dates` gives (it checks at most 1,000 candidates), up to a year.
_WINDOWS = (timedelta(hours=1), timedelta(days=2), timedelta(days=33), timedelta(days=367))


class Problem(StrEnum):
    """What went wrong with a schedule's last run."""

    missed = "missed"  # no run was created around the time
    not_started = "not_started"  # created, still Scheduled (Late) or Pending
    failed = "failed"  # it ran and ended Failed or Crashed
    paused = "paused"  # the deployment or every schedule of it is paused


PROBLEM_MARKS = {
    Problem.missed: "【未按时运行】",
    Problem.not_started: "【未按时运行】",
    Problem.failed: "【运行失败】",
    Problem.paused: "【已暂停】",
}


@dataclass(frozen=True)
class ScheduleProblem:
    """A scheduled deployment that did not run when it should have (or cannot, being paused)."""

    deployment: str  # flow/deployment, e.g. deadline-watch/daily
    title: str  # what operators call it: the deployment's first tag (期限巡查), else its name
    problem: Problem
    expected: datetime | None = None  # the time the schedule gave, in its own timezone
    state: str | None = None  # the state of the run found around that time

    @property
    def message(self) -> str:
        """The problem in one Chinese sentence, with what to do."""
        name = f"{self.title}（{self.deployment}）"
        when = f"{self.expected:%Y-%m-%d %H:%M}" if self.expected else ""
        mark = PROBLEM_MARKS[self.problem]
        if self.problem is Problem.missed:
            return (
                f"{name}应于 {when} 运行，但没有创建该次运行：Prefect 服务的定时调度可能未工作，"
                f"请查看 Prefect 服务日志中 scheduler 的错误，并手动运行一次  {mark}"
            )
        if self.problem is Problem.not_started:
            return (
                f"{name}应于 {when} 运行，该次运行已创建但未开始（{self.state}）："
                f"部署服务进程或工作进程可能未在运行（pinggu up）  {mark}"
            )
        if self.problem is Problem.failed:
            return f"{name}于 {when} 的定时运行未成功（{self.state}），请在 Prefect 界面查看该次运行的日志  {mark}"
        return f"{name}的定时运行已暂停，只在手动运行时执行  {mark}"


def last_due(schedule: Any, since: datetime, until: datetime) -> datetime | None:
    """The last time `schedule` (a Prefect Cron, Interval or RRule schedule) gives in [since, until], if any."""
    from prefect.server.schemas import schedules as server_schedules
    from prefect.utilities.asyncutils import run_coro_as_sync

    # The client's schedule objects only describe; the server's (same fields) also compute dates.
    model = getattr(server_schedules, type(schedule).__name__).model_validate(schedule.model_dump())
    for window in _WINDOWS:
        start = max(since, until - window)
        dates = run_coro_as_sync(model.get_dates(start=start, end=until)) or []
        if dates:
            return max(dates)
        if start == since:
            return None
    return None


def judge(deployment: str, title: str, expected: datetime, runs: Iterable[tuple[str, str]]) -> ScheduleProblem | None:
    """What is wrong with the run(s) found around a schedule's `expected` time, given as (state type, state
    name): none found (missed), none started yet (not started), the one that ran failed; None if it ran."""
    runs = list(runs)
    if not runs:
        return ScheduleProblem(deployment, title, Problem.missed, expected)
    waiting = [name for state_type, name in runs if state_type in ("SCHEDULED", "PENDING")]
    if len(waiting) == len(runs):
        return ScheduleProblem(deployment, title, Problem.not_started, expected, waiting[0])
    ended_badly = [name for state_type, name in runs if state_type in ("FAILED", "CRASHED")]
    if len(ended_badly) + len(waiting) == len(runs):
        return ScheduleProblem(deployment, title, Problem.failed, expected, ended_badly[-1])
    return None


def schedule_problems(now: datetime | None = None) -> list[ScheduleProblem]:
    """Every scheduled deployment on the Prefect server that did not run when its schedule said, as of `now`.

    Raises OrchestrationError when the server cannot be reached."""
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterExpectedStartTime,
    )

    now = now or datetime.now(UTC)
    found: list[ScheduleProblem] = []
    with prefect_client() as client:
        unreachable = client.api_healthcheck()
        if unreachable is not None:
            raise OrchestrationError(f"无法连接 Prefect 服务 {client.api_url}（{unreachable}）")
        flow_names = {}
        for deployment in client.read_deployments():
            if not deployment.schedules:
                continue
            if deployment.flow_id not in flow_names:
                flow_names[deployment.flow_id] = client.read_flow(deployment.flow_id).name
            name = f"{flow_names[deployment.flow_id]}/{deployment.name}"
            title = deployment.tags[0] if deployment.tags else name
            active = [s for s in deployment.schedules if s.active]
            if deployment.paused or not active:
                found.append(ScheduleProblem(name, title, Problem.paused))
                continue
            for entry in active:
                set_up = max((t for t in (deployment.created, entry.created) if t is not None), default=now) + SETTLE
                expected = last_due(entry.schedule, since=set_up, until=now - GRACE)
                if expected is None:
                    continue
                runs = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(
                        deployment_id=FlowRunFilterDeploymentId(any_=[deployment.id]),
                        expected_start_time=FlowRunFilterExpectedStartTime(
                            after_=expected - AROUND, before_=expected + AROUND
                        ),
                    )
                )
                zone = ZoneInfo(getattr(entry.schedule, "timezone", None) or DEFAULT_TIMEZONE)
                problem = judge(
                    name,
                    title,
                    expected.astimezone(zone),
                    [(run.state.type.value, run.state.name) for run in runs if run.state is not None],
                )
                if problem is not None:
                    found.append(problem)
    return sorted(found, key=lambda problem: problem.deployment)
