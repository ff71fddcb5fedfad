"""What `pinggu status` makes of a scheduled deployment's last run (services/schedules.py), without a server;
tests/flows/test_schedules_e2e.py does the same against the real one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule

from pinggu.core.settings import Settings
from pinggu.services.schedules import Problem, ScheduleProblem, judge, last_due

BEIJING = ZoneInfo("Asia/Shanghai")
EIGHT = datetime(2026, 12, 7, 8, 0, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("runs", "problem", "state"),
    [
        ([], Problem.missed, None),
        ([("SCHEDULED", "Late")], Problem.not_started, "Late"),
        ([("PENDING", "Pending")], Problem.not_started, "Pending"),
        ([("CRASHED", "Crashed")], Problem.failed, "Crashed"),
        ([("FAILED", "Failed"), ("SCHEDULED", "Scheduled")], Problem.failed, "Failed"),
        ([("COMPLETED", "Completed")], None, None),
        ([("RUNNING", "Running")], None, None),
        ([("FAILED", "Failed"), ("COMPLETED", "Completed")], None, None),  # run again by hand, and done
    ],
)
def test_a_schedules_last_run_is_judged_by_the_runs_found_around_its_time(runs, problem, state):
    found = judge("deadline-watch/daily", "期限巡查", EIGHT, runs)
    if problem is None:
        assert found is None
    else:
        assert found == ScheduleProblem("deadline-watch/daily", "期限巡查", problem, EIGHT, state)


def test_each_problem_says_in_chinese_what_happened_and_what_to_do():
    def message(problem: Problem, state: str | None = None) -> str:
        return ScheduleProblem("deadline-watch/daily", "期限巡查", problem, EIGHT, state).message

    assert message(Problem.missed) == (
        "期限巡查（deadline-watch/daily）应于 2026-12-07 08:00 运行，但没有创建该次运行：Prefect 服务的定时调度可能未工作，"
        "请查看 Prefect 服务日志中 scheduler 的错误，并手动运行一次  【未按时运行】"
    )
    assert message(Problem.not_started, "Late") == (
        "期限巡查（deadline-watch/daily）应于 2026-12-07 08:00 运行，该次运行已创建但未开始（Late）："
        "部署服务进程或工作进程可能未在运行（pinggu up）  【未按时运行】"
    )
    assert message(Problem.failed, "Crashed") == (
        "期限巡查（deadline-watch/daily）于 2026-12-07 08:00 的定时运行未成功（Crashed），请在 Prefect 界面查看该次运行的日志  【运行失败】"
    )
    assert ScheduleProblem("annual-plan/yearly", "年度计划", Problem.paused).message == (
        "年度计划（annual-plan/yearly）的定时运行已暂停，只在手动运行时执行  【已暂停】"
    )


def test_the_last_time_a_schedule_gave_is_found_for_yearly_daily_and_frequent_schedules():
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
    long_ago = now - timedelta(days=400)
    yearly = CronSchedule(cron="0 9 5 1 *", timezone="Asia/Shanghai")
    assert last_due(yearly, long_ago, now) == datetime(2026, 1, 5, 9, 0, tzinfo=BEIJING)
    monthly = CronSchedule(cron="0 9 1 * *", timezone="Asia/Shanghai")
    assert last_due(monthly, long_ago, now) == datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING)
    every_minute = CronSchedule(cron="* * * * *", timezone="Asia/Shanghai")
    assert last_due(every_minute, long_ago, now) == now
    hourly = IntervalSchedule(interval=timedelta(hours=5), anchor_date=datetime(2026, 1, 1, tzinfo=UTC))
    assert last_due(hourly, long_ago, now) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def test_nothing_is_expected_before_the_schedule_was_set_up():
    daily = CronSchedule(cron="0 8 * * *", timezone="Asia/Shanghai")
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert last_due(daily, since=datetime(2026, 12, 7, 1, 0, tzinfo=UTC), until=now) is None
    assert last_due(daily, since=now + timedelta(minutes=1), until=now) is None


def test_the_scheduled_deployments_are_paused_only_when_schedules_are_off(monkeypatch):
    from pinggu.deployments import serve

    for schedules in (True, False):
        monkeypatch.setattr(serve, "get_settings", lambda schedules=schedules: Settings(schedules=schedules))
        scheduled = {f"{d.flow_name}/{d.name}": d for d in serve.deployments() if d.schedules}
        assert set(scheduled) == {"annual-plan/yearly", "deadline-watch/daily", "tracking/monthly"}
        assert {name: d.paused for name, d in scheduled.items()} == dict.fromkeys(scheduled, not schedules)
