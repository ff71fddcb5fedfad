"""跟踪反馈与督查 as plain rules: reporting periods, report due dates, milestones, public opinions,
rectification items, and the tracking plan file (OR-6, OR-8, OR-9, OR-10, MH-S6, E-PUBLIC).

ordos 6–10 (the lead unit's tracking plan, report, immediate report; supervision and rectification),
minhang 督查细则 5, 6, 9–11 (monthly follow-up of targets, supervision, written rectification report,
spot checks), changli 49–53 (the same at county level). Pure Python: no Prefect, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from core.errors import InputFileError, Problem
from core.spreadsheet import locate_columns, read_grid
from rules.calendar import OfficialCalendar
from rules.periods import DueDate, Period, PeriodUnit, add_period, corresponding_day


class SupervisionMethod(StrEnum):
    """How a supervision round is held (ordos 10, minhang 督查 9, changli 52)."""

    written = "书面督查"
    hearing = "听取汇报"
    on_site = "实地督查"
    online = "网上信息核查"


class OpinionChannel(StrEnum):
    """How the public sends an opinion (E-PUBLIC: ordos 7 ¶2, minhang 9 ¶2)."""

    letter = "信函"
    phone = "电话"
    fax = "传真"
    email = "电子邮件"
    website = "网站"
    media = "媒体"


class SeriousReport(StrEnum):
    """What a lead unit reports at once (OR-9: ordos 9, minhang 督查 5 ¶2)."""

    none = "无"
    problem = "决策存在问题"
    major_change = "客观情况发生重大变化"
    force_majeure = "发生不可抗力"


class ReviewVerdict(StrEnum):
    """The office's review of a rectification report (ordos 10 ¶2 审核, minhang 督查 11 抽查, changli 53 检查)."""

    accept = "通过"
    spot_check = "通过，另行抽查"
    send_back = "退回，限期重新整改"


class RectificationStatus(StrEnum):
    """Where a rectification item stands."""

    open = "open"  # waiting for the unit's written report
    reported = "reported"  # reported, waiting for the office's review
    spot_check = "spot_check"  # accepted subject to a spot check not yet recorded
    closed = "closed"


RECTIFICATION_STATUS_NAMES = {
    RectificationStatus.open: "待整改报告",
    RectificationStatus.reported: "待审核",
    RectificationStatus.spot_check: "待抽查",
    RectificationStatus.closed: "已办结",
}


@dataclass(frozen=True)
class TrackingPeriod:
    """One reporting period of a decision under tracking: first and last day, inclusive."""

    start: date
    end: date

    @property
    def key(self) -> str:
        """Stable identity within a decision, e.g. 2026-03 (a month) or 2026-01-01..2026-03-31."""
        if self.start.day == 1 and self.end == corresponding_day(self.start, 1) - timedelta(days=1):
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """What an office reads: 2026年3月, or 2026年1月1日至3月31日."""
        if self.start.day == 1 and self.end == corresponding_day(self.start, 1) - timedelta(days=1):
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{self.start.month}月{self.start.day}日至{self.end.year}年{self.end.month}月{self.end.day}日"


def _period_starting(start: date, period: Period) -> TrackingPeriod:
    if period.unit is PeriodUnit.months:
        following = corresponding_day(start, period.amount)
    elif period.unit is PeriodUnit.days:
        following = start + timedelta(days=period.amount)
    else:
        raise ValueError(f"跟踪周期只能以月或日计，收到 {period}")
    return TrackingPeriod(start, following - timedelta(days=1))


def first_period_start(tracking_from: date, period: Period) -> date:
    """Where the first period begins: a calendar month's first day for monthly periods (MH-S6: “每月”),
    else the day tracking began."""
    return tracking_from.replace(day=1) if period.unit is PeriodUnit.months else tracking_from


def ended_periods(tracking_from: date, until: date | None, as_of: date, period: Period) -> list[TrackingPeriod]:
    """Every reporting period that has ended by `as_of` (its last day before it), from the period that
    contains `tracking_from` to the one containing `until` (the decision's end), if given."""
    found: list[TrackingPeriod] = []
    start = first_period_start(tracking_from, period)
    while True:
        current = _period_starting(start, period)
        if current.end >= as_of or (until is not None and current.start > until):
            return found
        found.append(current)
        start = current.end + timedelta(days=1)


def report_due(period: TrackingPeriod, within: Period, calendar: OfficialCalendar | None = None) -> DueDate:
    """The last day to hand in the period's tracking report: `within` counted from the period's last day."""
    return add_period(period.end, within, calendar)


@dataclass(frozen=True)
class MilestoneState:
    """A milestone (时间节点) of a tracking plan and when it was reported done, if it was."""

    seq: int
    target: str
    due: date
    unit: str
    done_on: date | None = None


def missed(milestone: MilestoneState, as_of: date) -> bool:
    """Missed: not done by its date (as of today), or reported done only after its date."""
    if milestone.done_on is None:
        return milestone.due < as_of
    return milestone.done_on > milestone.due


def milestone_text(milestone: MilestoneState, as_of: date) -> str:
    """A milestone's state as the report and status show it."""
    if milestone.done_on is not None:
        return f"{'逾期完成' if missed(milestone, as_of) else '已完成'}（{milestone.done_on}）"
    return "逾期未完成" if missed(milestone, as_of) else "未到期"


def missed_milestones(milestones: Iterable[MilestoneState], as_of: date) -> list[MilestoneState]:
    """The milestones missed as of a day, in plan order."""
    return sorted((m for m in milestones if missed(m, as_of)), key=lambda m: m.seq)


def window_start(as_of: date, within: Period) -> date:
    """The first day of the window of `within` that ends on `as_of` (inclusive)."""
    if within.unit is PeriodUnit.months:
        return corresponding_day(as_of, -within.amount) + timedelta(days=1)
    if within.unit is PeriodUnit.days:
        return as_of - timedelta(days=within.amount - 1)
    raise ValueError(f"意见统计期间只能以月或日计，收到 {within}")


def many_opinions(received_on: Sequence[date], as_of: date, count: int, within: Period) -> bool:
    """Whether the opinions received in the window ending on `as_of` reach `count` (E-PUBLIC →
    the many_opinions trigger: ordos 11(3), minhang 6(3), changli 57(3), bazhou 7(3), ningxia 4(3))."""
    first = window_start(as_of, within)
    return sum(first <= day <= as_of for day in received_on) >= count


def next_status(status: RectificationStatus, verdict: ReviewVerdict) -> RectificationStatus:
    """Where a reported (or spot-check) item goes after the office's review; other states cannot be reviewed."""
    if status not in (RectificationStatus.reported, RectificationStatus.spot_check):
        raise ValueError(f"尚未收到整改报告，不能审核（当前：{RECTIFICATION_STATUS_NAMES[status]}）")
    if verdict is ReviewVerdict.send_back:
        return RectificationStatus.open
    if verdict is ReviewVerdict.spot_check and status is RectificationStatus.reported:
        return RectificationStatus.spot_check
    return RectificationStatus.closed


# --- the tracking plan file (OR-6, MH-S6) ---------------------------------------------------------

PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "决策编号": ("决策编号", "编号"),
    "责任机构": ("责任机构", "负责跟踪反馈的责任机构"),
    "责任人员": ("责任人员", "责任人"),
    "方法步骤": ("方法步骤", "跟踪方法和步骤"),
    "节点目标": ("节点目标", "目标", "时间节点"),
    "完成时限": ("完成时限", "落实时限", "节点日期"),
    "责任单位": ("责任单位",),
}
_PLAN_FIELDS = ("责任机构", "责任人员", "方法步骤")


@dataclass(frozen=True)
class MilestoneSpec:
    """One milestone row of the tracking plan file, checked."""

    target: str
    due: date
    unit: str


@dataclass(frozen=True)
class TrackingPlanSpec:
    """A decision's tracking plan (OR-6): responsible body and people, methods and steps, milestones."""

    decision_code: str
    responsible_body: str
    responsible_people: str
    methods: str
    milestones: tuple[MilestoneSpec, ...]


_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _day(text: str) -> date | None:
    """2026-03-31, 2026/3/31, 2026.3.31 or 2026年3月31日 (as offices write them); None when it is none of these."""
    match = _DAY.fullmatch(text.strip())
    try:
        return date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        return None


def read_tracking_plans(path: Path, ends: Mapping[str, date | None], today: date) -> list[TrackingPlanSpec]:
    """Every decision's plan in the file (one row per milestone; the plan's own columns on the decision's
    first row, blank or the same on the others), or InputFileError naming every bad row and column.

    `ends` gives each catalog decision's last day of execution (None: open-ended); a decision that
    ended before today is not tracked any more."""
    what = "跟踪反馈工作方案"
    header, rows = read_grid(path, what)
    where = locate_columns(path, header, PLAN_COLUMNS, what=what, expected="、".join(PLAN_COLUMNS))
    problems: list[Problem] = []
    plans: dict[str, dict[str, str]] = {}
    milestones: dict[str, list[MilestoneSpec]] = {}
    first_row: dict[str, int] = {}
    seen: dict[tuple[str, str, date], int] = {}
    for number, cells in rows:

        def cell(column: str, cells: list[str] = cells) -> str:
            position = where[column]
            return cells[position].strip() if position < len(cells) else ""

        code = cell("决策编号")
        row_problems = [
            Problem("不能为空", number, c) for c in ("决策编号", "节点目标", "完成时限", "责任单位") if not cell(c)
        ]
        if code and code not in ends:
            row_problems.append(Problem(f"决策目录中没有编号为 {code} 的决策，请先导入目录", number, "决策编号"))
        elif code and (ended := ends[code]) is not None and ended < today:
            row_problems.append(Problem(f"决策 {code} 已于 {ended} 实施终止，不再跟踪反馈", number, "决策编号"))
        due = _day(cell("完成时限")) if cell("完成时限") else None
        if cell("完成时限") and due is None:
            row_problems.append(
                Problem(f"日期“{cell('完成时限')}”无效，应为 YYYY-MM-DD（如 2026-06-30）", number, "完成时限")
            )
        if code and code not in first_row:
            first_row[code] = number
            plans[code] = {c: cell(c) for c in _PLAN_FIELDS}
            row_problems += [Problem("每项决策的第一行须填写", number, c) for c in _PLAN_FIELDS if not cell(c)]
        elif code:
            for c in _PLAN_FIELDS:
                if cell(c) and cell(c) != plans[code][c]:
                    row_problems.append(
                        Problem(f"与第 {first_row[code]} 行不一致（同一决策的方案只能有一个），可留空", number, c)
                    )
        if due is not None and code:
            key = (code, cell("节点目标"), due)
            if key in seen:
                row_problems.append(Problem(f"与第 {seen[key]} 行重复（同一决策、节点目标和时限）", number, "节点目标"))
            seen.setdefault(key, number)
        if row_problems:
            problems += row_problems
            continue
        assert due is not None
        milestones.setdefault(code, []).append(MilestoneSpec(cell("节点目标"), due, cell("责任单位")))
    if problems:
        raise InputFileError(
            f"{what}“{path.name}”有 {len(problems)} 处问题，未导入任何方案：", problems=problems, path=str(path)
        )
    if not plans:
        raise InputFileError(f"{what}“{path.name}”没有数据行", path=str(path))
    return [
        TrackingPlanSpec(
            decision_code=code,
            responsible_body=fields["责任机构"],
            responsible_people=fields["责任人员"],
            methods=fields["方法步骤"],
            milestones=tuple(sorted(milestones[code], key=lambda m: m.due)),
        )
        for code, fields in plans.items()
    ]


def plan_from_form(decision_code: str, body: str, people: str, methods: str, milestones: str) -> TrackingPlanSpec:
    """A decision's plan typed in a form: the milestones one per line (节点目标，完成时限，责任单位); InputFileError
    names every bad line (nothing is half-read)."""
    problems = [
        Problem(f"请填写{title}")
        for title, value in (("责任机构", body), ("责任人员", people), ("方法步骤", methods))
        if not value.strip()
    ]
    specs: list[MilestoneSpec] = []
    for number, line in enumerate(milestones.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace(",", "，").split("，")]
        due = _day(parts[1]) if len(parts) == 3 else None
        if len(parts) != 3 or not parts[0] or not parts[2] or due is None:
            problems.append(
                Problem(f"第 {number} 行“{line.strip()}”应写作：节点目标，完成时限（YYYY-MM-DD），责任单位")
            )
            continue
        specs.append(MilestoneSpec(parts[0], due, parts[2]))
    if not specs and not problems:
        problems.append(Problem("请至少填写一个时间节点"))
    if problems:
        raise InputFileError("跟踪反馈工作方案有误，未保存：", problems=problems)
    return TrackingPlanSpec(
        decision_code=decision_code,
        responsible_body=body.strip(),
        responsible_people=people.strip(),
        methods=methods.strip(),
        milestones=tuple(sorted(specs, key=lambda m: m.due)),
    )
