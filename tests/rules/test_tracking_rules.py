"""rules/tracking.py to the letter: the boundaries of its periods and windows, the report's due date on the official
calendar, and every refusal of a tracking plan (file or form) read in full (issue 30 item 11: the survivors of
``scripts/mutation.sh rules/tracking.py``).

The tracking plan is ordos 6 (OR-6: 责任机构和责任人员、时间节点、方法步骤) and minhang 督查 6 / changli 50
(MH-S6: 明确目标节点、责任单位和落实时限).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pinggu.core.errors import InputFileError, Problem
from pinggu.rules.calendar import OfficialCalendar
from pinggu.rules.periods import Period, PeriodUnit
from pinggu.rules.tracking import (
    MilestoneSpec,
    MilestoneState,
    RectificationStatus,
    ReviewVerdict,
    TrackingPeriod,
    TrackingPlanSpec,
    ended_periods,
    milestone_text,
    missed,
    next_status,
    plan_from_form,
    read_tracking_plans,
    report_due,
    window_start,
)

MONTH = Period(1, PeriodUnit.months)
TODAY = date(2026, 11, 28)
HEADER = "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
ROW = "D-1,区住建委,张三,月报,开工建设,2026-06-30,区住建委\n"


# --- periods, windows, due dates ------------------------------------------------------------------


@pytest.mark.rule("MH-S6")
def test_the_period_that_begins_on_the_decision_s_last_day_is_still_asked_for():
    # The decision ends on 1 March: March contains its last day, so March's report is owed; April's is not.
    periods = ended_periods(date(2026, 1, 15), date(2026, 3, 1), date(2026, 12, 1), MONTH)
    assert [p.key for p in periods] == ["2026-01", "2026-02", "2026-03"]
    assert [p.key for p in ended_periods(date(2026, 1, 15), date(2026, 2, 28), date(2026, 12, 1), MONTH)] == [
        "2026-01",
        "2026-02",
    ]


@pytest.mark.rule("OR-8")
def test_the_report_due_date_moves_off_a_holiday_of_the_calendar_it_is_given(tmp_path):
    # An operator's calendar file makes Tuesday 3 March 2026 a holiday: February's report, due 3 days after the
    # month (28 February + 3), is due on the next working day under that calendar, and on the 3rd without it.
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nsource: 测试用虚构安排\nholidays: ['2026-03-03']\n", encoding="utf-8"
    )
    february = TrackingPeriod(date(2026, 2, 1), date(2026, 2, 28))
    within = Period(3, PeriodUnit.days)
    assert report_due(february, within, OfficialCalendar(tmp_path)).due == date(2026, 3, 4)
    assert report_due(february, within).due == date(2026, 3, 3)


@pytest.mark.rule("E-PUBLIC")
def test_an_opinion_window_in_working_days_is_refused_in_full():
    assert window_start(date(2026, 3, 31), Period(1, PeriodUnit.months)) == date(2026, 3, 1)
    with pytest.raises(ValueError) as refused:
        window_start(date(2026, 3, 15), Period(5, PeriodUnit.working_days))
    assert str(refused.value) == "意见统计期间只能以月或日计，收到 5个工作日"


@pytest.mark.rule("OR-6")
def test_a_milestone_done_is_judged_by_its_own_date_whatever_today_is():
    late = MilestoneState(1, "开工建设", date(2026, 6, 30), "区住建委", done_on=date(2026, 7, 1))
    on_time = MilestoneState(2, "完成选址", date(2026, 6, 30), "区住建委", done_on=date(2026, 6, 30))
    for today in (date(2026, 6, 1), date(2026, 7, 1), date(2027, 1, 1)):
        assert missed(late, today) and not missed(on_time, today)
        assert milestone_text(late, today) == "逾期完成（2026-07-01）"
        assert milestone_text(on_time, today) == "已完成（2026-06-30）"
    open_ = MilestoneState(3, "竣工验收", date(2026, 6, 30), "区住建委")
    assert not missed(open_, date(2026, 6, 30)) and missed(open_, date(2026, 7, 1))


@pytest.mark.rule("OR-10")
def test_a_checked_item_closes_and_an_item_not_reported_cannot_be_reviewed():
    assert next_status(RectificationStatus.spot_check, ReviewVerdict.checked) is RectificationStatus.closed
    for status in (RectificationStatus.pending, RectificationStatus.open, RectificationStatus.closed):
        with pytest.raises(ValueError) as refused:
            next_status(status, ReviewVerdict.send_back)
        assert str(refused.value).startswith("尚未收到整改报告，不能审核（当前：")
    with pytest.raises(ValueError) as refused:
        next_status(RectificationStatus.pending, ReviewVerdict.accept)
    assert str(refused.value) == "尚未收到整改报告，不能审核（当前：督查专报待审定，尚未下达）"


# --- the tracking plan file -------------------------------------------------------------------------


def _file(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "方案.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def _refused(path: Path, ends: dict[str, date | None]) -> InputFileError:
    with pytest.raises(InputFileError) as refused:
        read_tracking_plans(path, ends, TODAY)
    return refused.value


@pytest.mark.rule("OR-6")
def test_every_problem_of_a_plan_file_is_named_in_full_with_its_row_and_column(tmp_path):
    path = _file(
        tmp_path,
        "D-1,区住建委,张三,月报,开工建设,2026-06-30,区住建委\n"  # 2
        "D-1,区民政局,,,完成选址,2026-02-30,区规划局\n"  # 3: another body; no such day
        "D-9,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n"  # 4: not in the catalog
        "D-2,,,,完成摸底,2026-04-30,\n"  # 5: the plan's first row without the plan; no unit
        "D-1,,,,开工建设,2026/6/30,区住建委\n"  # 6: row 2's milestone again, the date written otherwise
        "D-3,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n"  # 7: ended on 27 November
        ",,,,,,\n"  # a blank row: skipped, not a problem
        ",区民政局,王五,月报,,,\n",  # 9: nothing but the plan's columns
    )
    refused = _refused(path, {"D-1": None, "D-2": date(2027, 12, 31), "D-3": date(2026, 11, 27)})
    assert refused.message == "跟踪反馈工作方案“方案.csv”有 13 处问题，未导入任何方案："
    assert refused.context == {"path": str(path)}
    assert refused.problems == [
        Problem("日期“2026-02-30”无效，应为 YYYY-MM-DD（如 2026-06-30）", 3, "完成时限"),
        Problem("与第 2 行不一致（同一决策的方案只能有一个），可留空", 3, "责任机构"),
        Problem("决策目录中没有编号为 D-9 的决策，请先导入目录", 4, "决策编号"),
        Problem("不能为空", 5, "责任单位"),
        Problem("每项决策的第一行须填写", 5, "责任机构"),
        Problem("每项决策的第一行须填写", 5, "责任人员"),
        Problem("每项决策的第一行须填写", 5, "方法步骤"),
        Problem("与第 2 行重复（同一决策、节点目标和时限）", 6, "节点目标"),
        Problem("决策 D-3 已于 2026-11-27 实施终止，不再跟踪反馈", 7, "决策编号"),
        Problem("不能为空", 9, "决策编号"),
        Problem("不能为空", 9, "节点目标"),
        Problem("不能为空", 9, "完成时限"),
        Problem("不能为空", 9, "责任单位"),
    ]


@pytest.mark.rule("OR-6")
def test_a_decision_ending_today_is_still_tracked(tmp_path):
    (plan,) = read_tracking_plans(_file(tmp_path, ROW), {"D-1": TODAY}, TODAY)
    assert plan.decision_code == "D-1"


@pytest.mark.rule("OR-6")
def test_rows_without_a_decision_are_not_duplicates_of_each_other(tmp_path):
    path = _file(tmp_path, ",区住建委,张三,月报,开工建设,2026-06-30,区住建委\n" * 2)
    assert _refused(path, {"D-1": None}).problems == [
        Problem("不能为空", 2, "决策编号"),
        Problem("不能为空", 3, "决策编号"),
    ]


@pytest.mark.rule("OR-6")
def test_a_short_row_reads_its_missing_cells_as_blank(tmp_path):
    # A CSV row may stop early (its last cells empty): the missing ones are blank, not an error of the reader.
    path = _file(tmp_path, "D-1,区住建委,张三,月报,开工建设,2026-06-30\nD-1\n")
    assert _refused(path, {"D-1": None}).problems == [
        Problem("不能为空", 2, "责任单位"),
        Problem("不能为空", 3, "节点目标"),
        Problem("不能为空", 3, "完成时限"),
        Problem("不能为空", 3, "责任单位"),
    ]


@pytest.mark.rule("OR-6")
def test_a_plan_file_without_rows_or_with_a_wrong_header_is_refused_naming_the_plan(tmp_path):
    empty = _file(tmp_path, "")
    refused = _refused(empty, {"D-1": None})
    assert (refused.message, refused.context, refused.problems) == (
        "跟踪反馈工作方案“方案.csv”没有数据行",
        {"path": str(empty)},
        [],
    )
    wrong = _file(tmp_path, ROW, header="决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限\n")
    refused = _refused(wrong, {"D-1": None})
    assert refused.message == (
        "跟踪反馈工作方案“方案.csv”的表头有误（文件中的表头：决策编号、责任机构、责任人员、方法步骤、节点目标、完成时限）；"
        "第 1 行应为 决策编号、责任机构、责任人员、方法步骤、节点目标、完成时限、责任单位："
    )
    assert refused.problems == [Problem("缺少“责任单位”列", 1, "责任单位")]
    blank = _file(tmp_path, "", header="\n")
    assert _refused(blank, {}).message == "跟踪反馈工作方案“方案.csv”的第 1 行（表头）是空的；第 1 行应为列名"


@pytest.mark.rule("OR-6", "MH-S6")
@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("2026/3/31", date(2026, 3, 31)),
        ("2026.3.31", date(2026, 3, 31)),
        ("2026年3月31日", date(2026, 3, 31)),
        ("2026 年 3 月 31 日", date(2026, 3, 31)),
        ("2026年3月31", date(2026, 3, 31)),
    ],
)
def test_a_milestone_date_is_read_as_offices_write_it(tmp_path, written, day):
    path = _file(tmp_path, f"D-1,区住建委,张三,月报,开工建设,{written},区住建委\n")
    (plan,) = read_tracking_plans(path, {"D-1": None}, TODAY)
    assert plan.milestones == (MilestoneSpec("开工建设", day, "区住建委"),)


# --- the tracking plan typed in a form ---------------------------------------------------------------


@pytest.mark.rule("OR-6", "MH-S6")
def test_a_plan_typed_in_the_form_gives_its_milestones_in_date_order():
    spec = plan_from_form(
        "D-1",
        " 区住建委决策跟踪小组 ",
        " 张三、李四 ",
        " 每月调度 ",
        "开工建设，2026-06-30，区住建委\n\n 完成选址, 2026年3月31日 ,区规划局 \n",
    )
    assert spec == TrackingPlanSpec(
        decision_code="D-1",
        responsible_body="区住建委决策跟踪小组",
        responsible_people="张三、李四",
        methods="每月调度",
        milestones=(
            MilestoneSpec("完成选址", date(2026, 3, 31), "区规划局"),
            MilestoneSpec("开工建设", date(2026, 6, 30), "区住建委"),
        ),
    )


@pytest.mark.rule("OR-6")
def test_every_problem_of_a_typed_plan_is_named_and_nothing_is_saved():
    with pytest.raises(InputFileError) as refused:
        plan_from_form(
            "D-1",
            " ",
            "",
            "\n",
            "开工建设，2026-06-30\n"  # 1: no unit
            "\n"  # 2: blank, skipped (the numbers stay those of the lines typed)
            "开工建设，明年，区住建委\n"  # 3: not a date
            "，2026-06-30，区住建委\n"  # 4: no target
            "开工建设，2026-06-30，\n"  # 5: no unit
            "开工建设，2026-06-30，区住建委，另加\n"  # 6: four parts
            "完成选址，2026-03-31，区规划局\n",  # 7: fine
        )
    assert refused.value.message == "跟踪反馈工作方案有误，未保存："
    assert refused.value.context == {}
    assert refused.value.problems == [
        Problem("请填写责任机构"),
        Problem("请填写责任人员"),
        Problem("请填写方法步骤"),
        Problem("第 1 行“开工建设，2026-06-30”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位"),
        Problem("第 3 行“开工建设，明年，区住建委”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位"),
        Problem("第 4 行“，2026-06-30，区住建委”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位"),
        Problem("第 5 行“开工建设，2026-06-30，”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位"),
        Problem("第 6 行“开工建设，2026-06-30，区住建委，另加”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位"),
    ]


@pytest.mark.rule("OR-6")
def test_a_typed_plan_needs_at_least_one_milestone():
    for milestones in ("", "\n \n"):
        with pytest.raises(InputFileError) as refused:
            plan_from_form("D-1", "区住建委", "张三", "月报", milestones)
        assert (refused.value.message, refused.value.problems) == (
            "跟踪反馈工作方案有误，未保存：",
            [Problem("请至少填写一个时间节点")],
        )
    # A bad line is reported as what it is, not as a plan without milestones.
    with pytest.raises(InputFileError) as refused:
        plan_from_form("D-1", "区住建委", "张三", "月报", "开工建设")
    assert refused.value.problems == [Problem("第 1 行“开工建设”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位")]
