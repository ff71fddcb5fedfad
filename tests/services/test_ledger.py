"""The 台账 (issue 33): items of every kind built through tests/builders.py and the services (no Prefect server),
then each kind's workbook opened with openpyxl — its Chinese headers, a date cell's type and format, the 逾期
row's fill, the frozen and filterable header — and the filters and the year's carry-over checked on the rows."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta

import builders
import openpyxl
import pytest
from builders import session_scope
from sqlmodel import col, select

from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.decisions import start_decision_deadlines
from pinggu.models.tables import Rectification, now_beijing
from pinggu.reporting.other_documents import SupervisionInput, TrackingInput
from pinggu.reporting.workbook import DATE_FORMAT
from pinggu.rules.tracking import ReviewVerdict
from pinggu.services import decision_procedure, supervision, tracking
from pinggu.services.ledger import KIND_NAMES, LedgerFilter, LedgerKind, ledger_filter, ledger_rows
from pinggu.services.ledger_export import FIELDS, ledger_filename, ledger_workbook_bytes
from pinggu.services.planning import add_trigger, build_plan, keep_plan_items, plan_scope

# Plan, tracking and supervision take every date as a parameter: their 台账 is read as of DAY of 2026. Evaluations
# and decision procedures are opened at the clock's time: theirs is read as of today, in this year's 台账.
DAY = date(2026, 6, 1)
TODAY = now_beijing().date()
FILL = "FFFFC7CE"


@pytest.fixture(scope="module")
def unit(settings) -> str:
    """Items of every kind whose units are a unit of their own (so the filter shows only these); its name."""
    unit = f"台账测试局{uuid.uuid4().int % 10**6:06d}"
    with session_scope() as session:
        # Evaluations: one past its 准备阶段 target by 10 days, one completed.
        late = builders.add_evaluation(
            session,
            "minhang",
            prefix="LDG",
            lead_unit=unit,
            stage_targets={
                "preparation": (TODAY - timedelta(days=10), False),
                "implementation": (TODAY + timedelta(days=30), False),
                "conclusion": (TODAY + timedelta(days=60), False),
            },
        )
        store.mark_stage(session=session, evaluation_id=late.id, stage="preparation", status="running")
        done = builders.add_evaluation(session, "minhang", prefix="LDG", lead_unit=unit, title="已完成评估的决策")
        for stage in ("preparation", "implementation", "conclusion"):
            store.close_stage(session=session, evaluation_id=done.id, stage=stage)
        done.status, done.conclusion, done.completed_at = "completed", "继续执行", now_beijing()
        session.add(done)
        # Plan: a final evaluation due 30 June 2026, and a controversy's due 6 May 2026.
        ended = builders.add_decision(
            session, "bazhou", prefix="LDG", lead_unit=unit, starts_on=date(2020, 1, 1), ends_on=date(2026, 3, 31)
        ).code
        disputed = builders.add_decision(
            session, "bazhou", prefix="LDG", lead_unit=unit, title="争议较大的决策", starts_on=date(2025, 2, 1)
        ).code
        # Tracking and supervision under minhang; the decision's own deadline (MH-A10) from an issue 40 days ago.
        tracked = builders.add_decision(session, "minhang", prefix="LDG", lead_unit=unit, title="跟踪反馈的决策").code
        supervised = builders.add_decision(session, "minhang", prefix="LDG", lead_unit=unit, title="督查的决策").code
        issued = builders.add_decision(
            session,
            "minhang",
            prefix="LDG",
            lead_unit=unit,
            title="新出台的决策",
            decided_on=TODAY - timedelta(days=40),
        )
        start_decision_deadlines(session=session, decision=issued)

    add_trigger(disputed, "controversy_risk", date(2026, 2, 1), "争议较大", "区政府办公室 赵敏", today=date(2026, 3, 1))
    for code in (ended, disputed):
        keep_plan_items(build_plan(2026, date(2026, 1, 10), decision=code), plan_scope(None, code))

    plan = settings.home / f"跟踪反馈工作方案-{unit}.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{tracked},决策跟踪小组,科长 周敏,每月调度,完成意愿摸底,2026-03-31,{unit}\n"
        f"{tracked},,,,首批开工,2026-09-30,{unit}\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "区政府办公室 赵敏", date(2026, 1, 5))
    tracking.open_requests(date(2026, 4, 1), tracked)  # January, February and March
    report = TrackingInput(
        reporter="陈立", progress="推进中。", effect="良好。", problems="无。", proposals="无。", next_steps="继续。"
    )
    tracking.submit_report(tracked, "2026-01", report, date(2026, 2, 5))  # on time
    tracking.submit_report(tracked, "2026-02", report, date(2026, 4, 20))  # late; March's never handed in

    findings = SupervisionInput(
        methods=["实地督查"],
        held_on=date(2026, 3, 1),
        execution="按计划推进。",
        effect="初见成效。",
        problems="进度不均。",
        proposals="加强调度。",
        rectifications=[
            {"item": "补齐台账资料", "unit": unit, "deadline": date(2026, 4, 30)},
            {"item": "完成滞后地块的土地流转", "unit": unit, "deadline": date(2026, 5, 15)},
        ],
    )
    round_id = supervision.record_round(f"ledger-{unit}", supervised, findings, "区政府督查室", date(2026, 3, 1))
    with read_session() as session:
        first = session.exec(
            select(Rectification).where(Rectification.round_id == round_id).order_by(col(Rectification.seq))
        ).first()
    assert first is not None and first.id is not None
    supervision.report_back(first.id, "已补齐。", date(2026, 4, 20), "王强", today=date(2026, 4, 20))
    assert supervision.review(round_id, f"r-{unit}", 1, ReviewVerdict.accept, "李审", "", date(2026, 4, 25)) is None

    decision_procedure.open_procedure(f"ledger-{unit}", "changli", "某县城区停车设施规划", unit, TODAY.year)
    return unit


# kind → (year, today, the row that is 逾期 and by how many days, a row that is not, a date cell of the 逾期 row)
CASES = {
    LedgerKind.evaluations: (TODAY.year, TODAY, ("状态", "进行中"), 10, ("状态", "已完成"), "准备阶段目标完成日"),
    LedgerKind.plan: (2026, DAY, ("决策名称", "争议较大的决策"), 26, ("评估类型", "终期评估"), "完成期限"),
    LedgerKind.tracking: (
        2026,
        DAY,
        ("事项", "时间节点 1：完成意愿摸底"),
        62,
        ("事项", "2026年1月跟踪反馈报告"),
        "期限",
    ),
    LedgerKind.rectification: (2026, DAY, ("序号", 2), 17, ("序号", 1), "整改期限"),
    LedgerKind.decisions: (TODAY.year, TODAY, ("类别", "决策法定期限"), None, ("类别", "决策作出程序"), "期限"),
}
EXPECTED_DATES = {
    LedgerKind.evaluations: TODAY - timedelta(days=10),
    LedgerKind.plan: date(2026, 5, 6),
    LedgerKind.tracking: date(2026, 3, 31),
    LedgerKind.rectification: date(2026, 5, 15),
    LedgerKind.decisions: None,  # ten working days after the issue: checked for type and format only
}


def _find(rows: list[dict], column: str, value) -> dict:
    (found,) = [row for row in rows if row[column] == value]
    return found


@pytest.mark.parametrize("kind", list(LedgerKind))
def test_each_kind_opens_in_excel_with_headers_dates_overdue_fill_and_a_frozen_filtered_header(unit, kind):
    year, today, (late_column, late_value), late_days, (fine_column, fine_value), date_column = CASES[kind]
    content = ledger_workbook_bytes(LedgerFilter(year=year, unit=unit), [kind], today)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == [KIND_NAMES[kind]]
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert headers == [field.header for field in FIELDS[kind]]
    assert {"决策编号", "逾期", "逾期天数"} <= set(headers) and all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{sheet.max_row}"
    assert sheet.column_dimensions["A"].width > 5 and sheet.column_dimensions["B"].width > 5

    cells = {row[0].row: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    rows = [{name: cell.value for name, cell in row.items()} for row in cells.values()]
    late = _find(rows, late_column, late_value)
    fine = _find(rows, fine_column, fine_value)
    late_cells = next(row for row in cells.values() if row[late_column].value == late_value)
    fine_cells = next(row for row in cells.values() if row[fine_column].value == fine_value)
    assert late["逾期"] == "是" and fine["逾期"] == "否"
    if late_days is not None:
        assert late["逾期天数"] == late_days
    else:
        assert late["逾期天数"] >= 1
    assert all(cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == FILL for cell in late_cells.values())
    assert all(cell.fill.fill_type is None for cell in fine_cells.values())

    when = late_cells[date_column]
    assert when.is_date and isinstance(when.value, datetime) and when.number_format == DATE_FORMAT
    if EXPECTED_DATES[kind] is not None:
        assert when.value.date() == EXPECTED_DATES[kind]


def test_what_the_rows_say_kind_by_kind(unit):
    """The typed rows behind the sheets: the stage waited at, the plan's item states, the reports' lateness,
    the rectification's report and review dates, the procedure's next step."""
    (late, done) = ledger_rows(LedgerKind.evaluations, LedgerFilter(year=TODAY.year, unit=unit), TODAY)
    assert (late.current_stage, late.overdue_items, late.stages[0].overdue) == ("准备阶段", 1, True)
    assert (done.conclusion, done.overdue, done.current_stage, done.completed_on) == ("继续执行", False, None, TODAY)

    plan = {row.type_name: row for row in ledger_rows(LedgerKind.plan, LedgerFilter(year=2026, unit=unit), DAY)}
    assert plan["一般程序"].status_name == "待审定" and plan["一般程序"].scope.startswith("专项评估计划（")
    assert (plan["终期评估"].due_date, plan["终期评估"].overdue) == (date(2026, 6, 30), False)

    reports = [
        r for r in ledger_rows(LedgerKind.tracking, LedgerFilter(year=2026, unit=unit), DAY) if r.type == "report"
    ]
    assert [(r.period, r.done_on, r.overdue) for r in reports] == [
        ("2026年1月", date(2026, 2, 5), False),
        ("2026年2月", date(2026, 4, 20), True),  # handed in late: still 逾期 in the ledger
        ("2026年3月", None, True),
    ]

    first, second = ledger_rows(LedgerKind.rectification, LedgerFilter(year=2026, unit=unit), DAY)
    assert (first.status_name, first.reported_on, first.reviewed_on, first.closed_on) == (
        "已办结", date(2026, 4, 20), date(2026, 4, 25), date(2026, 4, 25),
    )  # fmt: skip
    assert (second.status_name, second.round, second.supervisor) == (
        "待整改报告",
        1,
        "区政府办公室",
    )  # minhang 督查 9: the supervisor its rules name

    procedure, deadline = ledger_rows(LedgerKind.decisions, LedgerFilter(year=TODAY.year, unit=unit), TODAY)
    assert (procedure.status_name, procedure.item, procedure.decision) == (
        "办理中",
        "下一步：决策启动（是否属于重大行政决策）",
        None,
    )
    assert deadline.item.startswith("决策档案资料扫描电子档") and deadline.overdue and deadline.status_name == "未完成"


def test_filters_and_the_year_carry_open_items_over(unit):
    overdue = ledger_filter(2026, unit=unit, status="逾期")
    assert [r.item for r in ledger_rows(LedgerKind.tracking, overdue, DAY)] == [
        "2026年2月跟踪反馈报告",
        "时间节点 1：完成意愿摸底",
        "2026年3月跟踪反馈报告",
    ]
    assert ledger_rows(LedgerKind.plan, ledger_filter(2026, "minhang", unit), DAY) == []  # the plan's are bazhou's
    assert len(ledger_rows(LedgerKind.plan, ledger_filter(2026, "霸州市", unit, "终期评估"), DAY)) == 1
    # In 2027 what 2026 left open is carried over; what was done in 2026 is not.
    next_year = [
        r.item for r in ledger_rows(LedgerKind.tracking, LedgerFilter(year=2027, unit=unit), date(2027, 1, 10))
    ]
    assert next_year == ["时间节点 1：完成意愿摸底", "2026年3月跟踪反馈报告", "时间节点 2：首批开工"]
    assert [
        r.seq for r in ledger_rows(LedgerKind.rectification, LedgerFilter(year=2027, unit=unit), date(2027, 1, 10))
    ] == [2]
    assert ledger_rows(LedgerKind.plan, LedgerFilter(year=2027, unit=unit), date(2027, 1, 10)) == []


def test_a_workbook_of_every_kind_and_its_name(unit):
    filters = LedgerFilter(year=2026, unit=unit)
    book = openpyxl.load_workbook(io.BytesIO(ledger_workbook_bytes(filters, today=DAY)))
    assert book.sheetnames == list(KIND_NAMES.values())
    assert book.properties.title == "2026年度重大行政决策工作台账"
    assert ledger_filename(filters) == "2026年度台账.xlsx"
    assert ledger_filename(filters, [LedgerKind.rectification]) == "2026年度台账-督查整改.xlsx"
