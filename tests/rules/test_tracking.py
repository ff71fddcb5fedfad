"""跟踪反馈与督查 as plain rules (rules/tracking.py) and each profile's tracking section, against the seeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import InputFileError
from rules.periods import Period, PeriodUnit
from rules.profiles import load_profiles
from rules.tracking import (
    MilestoneState,
    RectificationStatus,
    ReviewVerdict,
    TrackingPeriod,
    ended_periods,
    many_opinions,
    milestone_text,
    missed_milestones,
    next_status,
    read_tracking_plans,
    report_due,
    window_start,
)

MONTH = Period(1, PeriodUnit.months)
TODAY = date(2026, 11, 28)
HEADER = "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"


@pytest.mark.rule("MH-S6")
def test_monthly_periods_are_calendar_months_from_the_month_tracking_began():
    # minhang 督查 6, changli 50: 每月进行跟踪督办 — one report per calendar month, asked for once it ended.
    periods = ended_periods(date(2026, 1, 15), None, date(2026, 4, 1), MONTH)
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert [p.key for p in periods] == ["2026-01", "2026-02", "2026-03"]
    assert periods[1].label == "2026年2月"
    # March has not ended on its last day; the decision's end stops the asking.
    assert len(ended_periods(date(2026, 1, 15), None, date(2026, 3, 31), MONTH)) == 2
    assert len(ended_periods(date(2026, 1, 15), date(2026, 2, 10), date(2026, 12, 1), MONTH)) == 2


@pytest.mark.rule("MH-S6")
def test_a_quarterly_or_day_counted_period_is_labelled_with_its_dates():
    quarter = ended_periods(date(2026, 1, 1), None, date(2026, 7, 1), Period(3, PeriodUnit.months))
    assert [(p.start, p.end) for p in quarter] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
    ]
    assert quarter[0].key == "2026-01-01..2026-03-31" and quarter[0].label == "2026年1月1日至2026年3月31日"
    days = ended_periods(date(2026, 1, 10), None, date(2026, 2, 20), Period(30, PeriodUnit.days))
    assert [(p.start, p.end) for p in days] == [(date(2026, 1, 10), date(2026, 2, 8))]
    with pytest.raises(ValueError, match="跟踪周期只能以月或日计"):
        ended_periods(date(2026, 1, 1), None, date(2026, 6, 1), Period(5, PeriodUnit.working_days))


@pytest.mark.rule("OR-8")
def test_the_report_is_due_the_profile_s_period_after_its_month_ends_moved_off_rest_days():
    january = TrackingPeriod(date(2026, 1, 1), date(2026, 1, 31))
    assert report_due(january, Period(10, PeriodUnit.days)).due == date(2026, 2, 10)  # a Tuesday
    april = TrackingPeriod(date(2026, 4, 1), date(2026, 4, 30))
    assert report_due(april, Period(10, PeriodUnit.days)).due == date(2026, 5, 11)  # 10 May is a Sunday


@pytest.mark.rule("OR-6")
def test_a_milestone_is_missed_when_not_done_by_its_date_or_done_after_it():
    on_time = MilestoneState(1, "完成选址", date(2026, 3, 31), "区住建委", done_on=date(2026, 3, 31))
    late = MilestoneState(2, "开工建设", date(2026, 6, 30), "区住建委", done_on=date(2026, 7, 1))
    open_ = MilestoneState(3, "竣工验收", date(2026, 10, 31), "区住建委")
    assert missed_milestones([open_, late, on_time], date(2026, 10, 31)) == [late]
    assert missed_milestones([open_, late, on_time], date(2026, 11, 1)) == [late, open_]
    assert milestone_text(on_time, date(2026, 12, 1)) == "已完成（2026-03-31）"
    assert milestone_text(late, date(2026, 12, 1)) == "逾期完成（2026-07-01）"
    assert milestone_text(open_, date(2026, 10, 31)) == "未到期"
    assert milestone_text(open_, date(2026, 11, 1)) == "逾期未完成"


@pytest.mark.rule("E-PUBLIC")
def test_many_opinions_counts_those_received_within_the_window_ending_today():
    within = Period(1, PeriodUnit.months)
    assert window_start(date(2026, 3, 15), within) == date(2026, 2, 16)
    assert window_start(date(2026, 3, 15), Period(7, PeriodUnit.days)) == date(2026, 3, 9)
    nine = [date(2026, 2, 16)] + [date(2026, 3, d) for d in range(1, 9)]
    assert not many_opinions(nine, date(2026, 3, 15), 10, within)
    assert many_opinions([*nine, date(2026, 3, 15)], date(2026, 3, 15), 10, within)
    # One day earlier the window starts on 15 February: the opinion of the 15th of March is not yet in.
    assert not many_opinions([*nine, date(2026, 3, 15)], date(2026, 3, 14), 10, within)
    assert not many_opinions([date(2026, 2, 15), *nine[1:], date(2026, 3, 15)], date(2026, 3, 15), 10, within)


@pytest.mark.rule("OR-10")
def test_a_rectification_is_reviewed_only_after_its_report_and_closes_or_goes_back():
    reported, check = RectificationStatus.reported, RectificationStatus.spot_check
    assert next_status(reported, ReviewVerdict.accept) is RectificationStatus.closed
    assert next_status(reported, ReviewVerdict.spot_check) is check
    assert next_status(check, ReviewVerdict.accept) is RectificationStatus.closed
    assert next_status(reported, ReviewVerdict.send_back) is RectificationStatus.open
    assert next_status(check, ReviewVerdict.send_back) is RectificationStatus.open
    for status in (RectificationStatus.open, RectificationStatus.closed):
        with pytest.raises(ValueError, match="尚未收到整改报告"):
            next_status(status, ReviewVerdict.accept)


def _plan_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "方案.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.rule("OR-6", "MH-S6")
def test_a_tracking_plan_file_gives_body_people_methods_and_dated_milestones(tmp_path):
    path = _plan_file(
        tmp_path,
        "D-1,区住建委决策跟踪小组,张三、李四,每月调度；季度实地查看,开工建设,2026-06-30,区住建委\n"
        "D-1,,,,完成选址,2026/3/31,区规划局\n"
        "D-2,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n",
    )
    plans = {plan.decision_code: plan for plan in read_tracking_plans(path, {"D-1": None, "D-2": None}, TODAY)}
    one = plans["D-1"]
    assert (one.responsible_body, one.responsible_people, one.methods) == (
        "区住建委决策跟踪小组",
        "张三、李四",
        "每月调度；季度实地查看",
    )
    assert [(m.target, m.due, m.unit) for m in one.milestones] == [
        ("完成选址", date(2026, 3, 31), "区规划局"),
        ("开工建设", date(2026, 6, 30), "区住建委"),
    ]
    assert len(plans["D-2"].milestones) == 1


@pytest.mark.rule("OR-6")
def test_every_bad_row_of_a_plan_file_is_named_and_nothing_is_read(tmp_path):
    path = _plan_file(
        tmp_path,
        "D-1,区住建委,张三,月报,开工建设,2026-06-30,区住建委\n"
        "D-1,区民政局,,,完成选址,明年三月,区规划局\n"  # another body for the same plan; a bad date
        "D-9,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n"  # not in the catalog
        "D-2,,,,完成摸底,2026-04-30,\n"  # first row of D-2 without the plan; no unit
        "D-1,,,,开工建设,2026-06-30,区住建委\n"  # the same milestone twice
        "D-3,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n",  # ended last year: not tracked
    )
    with pytest.raises(InputFileError) as refused:
        read_tracking_plans(path, {"D-1": None, "D-2": date(2027, 12, 31), "D-3": date(2025, 12, 31)}, TODAY)
    problems = {(p.row, p.column) for p in refused.value.problems}
    assert problems == {
        (3, "责任机构"),
        (3, "完成时限"),
        (4, "决策编号"),
        (5, "责任单位"),
        (5, "责任机构"),
        (5, "责任人员"),
        (5, "方法步骤"),
        (6, "节点目标"),
        (7, "决策编号"),
    }
    assert "决策 D-3 已于 2025-12-31 实施终止，不再跟踪反馈" in "".join(str(p) for p in refused.value.problems)
    assert "未导入任何方案" in str(refused.value)


def test_a_plan_file_without_its_columns_is_refused_with_the_expected_header(tmp_path):
    path = tmp_path / "方案.csv"
    path.write_text("决策编号,节点\nD-1,开工\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="第 1 行应为 决策编号、责任机构、责任人员"):
        read_tracking_plans(path, {"D-1": None}, TODAY)


# --- each profile's tracking section, against its seed ----------------------------------------------

PROFILES = load_profiles()


@pytest.mark.rule("OR-10")
@pytest.mark.parametrize(
    ("profile", "methods", "spot_check"),
    [
        (
            "ordos",
            ("书面督查", "听取汇报", "实地督查"),
            False,
        ),  # ordos 10: 书面督查、听取汇报、实地督查; 报市人民政府审核
        ("minhang", ("书面督查", "实地督查", "网上信息核查"), True),  # 督查 9; 督查 11 ¶2 可以视情抽查
        ("changli", ("书面督查", "实地督查"), True),  # changli 52; 53 县政府办公室对整改情况进行检查
    ],
)
def test_supervision_methods_and_spot_checks_are_the_seed_s(profile, methods, spot_check):
    rules = PROFILES[profile].tracking
    assert tuple(m.value for m in rules.supervision_methods) == methods
    assert rules.spot_check is spot_check


@pytest.mark.rule("OR-9")
@pytest.mark.parametrize(
    ("profile", "event", "prompt"),
    [
        ("ordos", "serious_problem_reported", False),  # ordos 9 报告; 11 市人民政府办公室“可组织”
        ("minhang", "basis_changed", True),  # 督查 5 ¶2; 后评估 6(1) “应当及时开展”
        ("ningxia_commerce", "basis_changed", True),  # ningxia 4 ¶2(1) “应当及时组织”
        ("bazhou", "controversy_risk", True),  # bazhou 15 ¶2 “应当及时启动”
        ("changli", "controversy_risk", True),  # changli 62 ¶2 “应当及时启动”
    ],
)
def test_an_immediate_report_becomes_the_trigger_the_seed_names(profile, event, prompt):
    reported = PROFILES[profile].tracking.reported_problem
    assert (reported.event, reported.prompt) == (event, prompt)
    assert (event in PROFILES[profile].plan_policy().prompt_events) is prompt


@pytest.mark.rule("MH-S6")
@pytest.mark.parametrize("profile", ["minhang", "changli"])
def test_where_the_seed_says_monthly_the_period_is_one_month(profile):
    assert PROFILES[profile].tracking.period == Period(1, PeriodUnit.months)


def _profile_text(profile: str) -> str:
    from rules.profiles import PROFILES_DIR

    return (PROFILES_DIR / f"{profile}.yaml").read_text(encoding="utf-8")


def test_a_profile_whose_reported_problem_is_not_one_of_its_events_is_refused(tmp_path):
    from rules.profiles import read_profile_file

    text = _profile_text("changli").replace("    event: controversy_risk", "    event: serious_problem_reported")
    (tmp_path / "changli.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_profile_file(tmp_path / "changli.yaml")
    assert "“serious_problem_reported”不在 triggers.events 中" in "".join(str(p) for p in refused.value.problems)


def test_a_tracking_period_in_working_days_is_refused(tmp_path):
    from rules.profiles import read_profile_file

    text = _profile_text("minhang").replace(
        "  period: {amount: 1, unit: months}", "  period: {amount: 20, unit: working_days}"
    )
    (tmp_path / "minhang.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_profile_file(tmp_path / "minhang.yaml")
    assert "跟踪周期只能以月（months）或日（days）计" in "".join(str(p) for p in refused.value.problems)


def test_the_sample_plan_covers_three_catalog_decisions():
    import csv

    from core.settings import SAMPLES_DIR

    with (SAMPLES_DIR / "catalog.csv").open(encoding="utf-8") as handle:
        ends = {
            row["编号"]: date.fromisoformat(row["实施终止日"]) if row["实施终止日"] else None
            for row in csv.DictReader(handle)
        }
    plans = read_tracking_plans(SAMPLES_DIR / "tracking_plan.csv", ends, TODAY)
    assert [(p.decision_code, len(p.milestones)) for p in plans] == [
        ("S-2024-001", 3),
        ("S-2025-017", 2),
        ("S-2021-006", 2),
    ]
