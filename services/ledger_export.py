"""The 台账 as an Excel workbook (issue 33, item 2): one sheet per kind of item (pinggu.services.ledger's rows), with
Chinese headers, real dates, 逾期 rows filled, the header frozen and filterable. `pinggu export 台账` writes it;
the web app's download serves `ledger_workbook_bytes`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pinggu.models.tables import now_beijing
from pinggu.reporting.workbook import Column, Sheet, Value, workbook_bytes
from pinggu.rules.steps import STAGE_NAMES, STAGE_ORDER
from pinggu.services.ledger import (
    KIND_NAMES,
    EvaluationRow,
    LedgerFilter,
    LedgerKind,
    LedgerRow,
    ledger_rows,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Field:
    """A column of a ledger sheet: its header, width, and how a row gives its value."""

    header: str
    width: float
    value: Callable[[Any], Value]


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


# What every sheet ends with: 逾期 and by how many days.
OVERDUE_FIELDS = (
    Field("逾期", 6, lambda r: _yes(r.overdue)),
    Field("逾期天数", 9, lambda r: r.overdue_days or None),
)


def _stage_value(position: int, what: str) -> Callable[[EvaluationRow], Value]:
    """A stage's date (target, started or finished) from an evaluation row; None for a stage it lacks."""

    def value(row: EvaluationRow) -> Value:
        return getattr(row.stages[position], what) if position < len(row.stages) else None

    return value


def _stage_fields() -> tuple[Field, ...]:
    """Each stage's target date, start and finish, in procedure order."""
    return tuple(
        Field(f"{STAGE_NAMES[stage]}{label}", width, _stage_value(position, what))
        for position, stage in enumerate(STAGE_ORDER)
        for label, width, what in (("目标完成日", 13, "target"), ("开始", 12, "started"), ("完成", 12, "finished"))
    )


FIELDS: dict[LedgerKind, tuple[Field, ...]] = {
    LedgerKind.evaluations: (
        Field("评估编号", 15, lambda r: r.evaluation),
        Field("决策编号", 14, lambda r: r.decision),
        Field("决策名称", 36, lambda r: r.title),
        Field("评估类型", 10, lambda r: r.type_name),
        Field("规则（辖区）", 16, lambda r: r.profile_name),
        Field("承办单位", 20, lambda r: r.unit),
        Field("状态", 12, lambda r: r.status_name),
        Field("当前阶段", 12, lambda r: r.current_stage),
        Field("等待办理", 30, lambda r: r.waiting_for),
        Field("开启日期", 12, lambda r: r.started_on),
        Field("评估时限", 12, lambda r: r.due_on),
        *_stage_fields(),
        Field("下一期限", 12, lambda r: r.next_date),
        Field("下一期限事项", 20, lambda r: r.next_what),
        Field("逾期事项数", 10, lambda r: r.overdue_items or None),
        *OVERDUE_FIELDS,
        Field("评估结论", 10, lambda r: r.conclusion),
        Field("报告日期", 12, lambda r: r.report_on),
        Field("完成日期", 12, lambda r: r.completed_on),
    ),
    LedgerKind.plan: (
        Field("年度", 7, lambda r: r.year),
        Field("计划范围", 16, lambda r: r.scope),
        Field("决策编号", 14, lambda r: r.decision),
        Field("决策名称", 36, lambda r: r.title),
        Field("规则（辖区）", 16, lambda r: r.profile_name),
        Field("承办单位", 20, lambda r: r.unit),
        Field("评估类型", 10, lambda r: r.type_name),
        Field("评估原因", 30, lambda r: r.reason),
        Field("触发日", 12, lambda r: r.trigger_date),
        Field("完成期限", 12, lambda r: r.due_date),
        Field("期限调整理由", 20, lambda r: r.due_date_reason),
        Field("评估单位", 24, lambda r: r.evaluating_unit),
        Field("状态", 16, lambda r: r.status_name),
        Field("不列入计划理由", 20, lambda r: r.dropped_reason),
        Field("启动日期", 12, lambda r: r.started_on),
        Field("评估编号", 15, lambda r: r.evaluation),
        Field("评估状态", 12, lambda r: r.evaluation_status),
        Field("评估完成日期", 13, lambda r: r.completed_on),
        *OVERDUE_FIELDS,
    ),
    LedgerKind.tracking: (
        Field("决策编号", 14, lambda r: r.decision),
        Field("决策名称", 36, lambda r: r.title),
        Field("规则（辖区）", 16, lambda r: r.profile_name),
        Field("类别", 14, lambda r: r.type_name),
        Field("事项", 36, lambda r: r.item),
        Field("报告期间", 14, lambda r: r.period),
        Field("责任单位", 20, lambda r: r.unit),
        Field("责任机构", 24, lambda r: r.responsible_body),
        Field("期限", 12, lambda r: r.due_date),
        Field("报送或完成日期", 14, lambda r: r.done_on),
        Field("状态", 18, lambda r: r.status_name),
        Field("报告人", 16, lambda r: r.reporter),
        Field("及时报告情况", 20, lambda r: r.serious),
        *OVERDUE_FIELDS,
    ),
    LedgerKind.rectification: (
        Field("决策编号", 14, lambda r: r.decision),
        Field("决策名称", 36, lambda r: r.title),
        Field("规则（辖区）", 16, lambda r: r.profile_name),
        Field("督查轮次", 9, lambda r: r.round),
        Field("督查日期", 12, lambda r: r.held_on),
        Field("督查单位", 20, lambda r: r.supervisor),
        Field("序号", 6, lambda r: r.seq),
        Field("整改事项", 40, lambda r: r.item),
        Field("责任单位", 20, lambda r: r.unit),
        Field("整改期限", 12, lambda r: r.due_date),
        Field("状态", 12, lambda r: r.status_name),
        Field("整改报告日期", 13, lambda r: r.reported_on),
        Field("审核日期", 12, lambda r: r.reviewed_on),
        Field("办结日期", 12, lambda r: r.closed_on),
        *OVERDUE_FIELDS,
        Field("事项编号", 9, lambda r: r.item_id),
    ),
    LedgerKind.decisions: (
        Field("决策编号", 14, lambda r: r.decision),
        Field("决策名称", 36, lambda r: r.title),
        Field("规则（辖区）", 16, lambda r: r.profile_name),
        Field("承办单位", 20, lambda r: r.unit),
        Field("类别", 14, lambda r: r.type_name),
        Field("事项", 36, lambda r: r.item),
        Field("依据", 30, lambda r: r.basis),
        Field("起算日", 12, lambda r: r.from_date),
        Field("期限", 12, lambda r: r.due_date),
        Field("完成日期", 12, lambda r: r.done_on),
        Field("状态", 22, lambda r: r.status_name),
        *OVERDUE_FIELDS,
    ),
}


def ledger_sheet(kind: LedgerKind, rows: Sequence[LedgerRow]) -> Sheet:
    """One kind's rows as a sheet: its Chinese columns, each row's values, its 逾期 rows marked."""
    fields = FIELDS[kind]
    return Sheet(
        title=KIND_NAMES[kind],
        columns=[Column(f.header, f.width) for f in fields],
        rows=[[f.value(row) for f in fields] for row in rows],
        highlighted=[row.overdue for row in rows],
    )


@dataclass(frozen=True)
class LedgerCount:
    """How many rows a sheet has, and how many of them are 逾期."""

    kind: LedgerKind
    rows: int
    overdue: int


def _build(
    filters: LedgerFilter, kinds: Sequence[LedgerKind] | None, today: date | None
) -> tuple[bytes, list[LedgerCount]]:
    today = today or now_beijing().date()
    sheets, counts = [], []
    for kind in kinds or tuple(LedgerKind):
        rows = ledger_rows(kind, filters, today)
        sheets.append(ledger_sheet(kind, rows))
        counts.append(LedgerCount(kind, len(rows), sum(row.overdue for row in rows)))
    subject = f"{filters.describe()} · 截至 {today}（逾期按此日判断）"
    return workbook_bytes(sheets, title=ledger_title(filters), subject=subject), counts


def ledger_title(filters: LedgerFilter) -> str:
    """The ledger's title, e.g. 2026年度重大行政决策工作台账."""
    return f"{filters.year}年度重大行政决策工作台账" if filters.year is not None else "重大行政决策工作台账"


def ledger_filename(filters: LedgerFilter, kinds: Sequence[LedgerKind] | None = None) -> str:
    """The file's name an office sees, e.g. 2026年度台账.xlsx or 2026年度台账-督查整改.xlsx."""
    year = f"{filters.year}年度" if filters.year is not None else ""
    only = f"-{KIND_NAMES[kinds[0]]}" if kinds and len(kinds) == 1 else ""
    return f"{year}台账{only}.xlsx"


def ledger_workbook_bytes(
    filters: LedgerFilter, kinds: Sequence[LedgerKind] | None = None, today: date | None = None
) -> bytes:
    """The 台账 workbook's bytes (every kind, or those asked for), for the web app's download."""
    return _build(filters, kinds, today)[0]


def write_ledger(
    target: Path, filters: LedgerFilter, kinds: Sequence[LedgerKind] | None = None, today: date | None = None
) -> list[LedgerCount]:
    """Write the 台账 workbook to `target` (replacing it whole); how many rows each sheet has."""
    content, counts = _build(filters, kinds, today)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(content)
    partial.replace(target)
    return counts
