"""跟踪反馈与督查 as plain rules: reporting periods, report due dates, milestones, public opinions,
rectification items and their review, the supervision round's human steps, and the tracking plan file
(OR-6, OR-8, OR-9, OR-10, MH-S6, MH-S9, MH-S2, CL-50, CL-53, E-PUBLIC).

ordos 6–10 (the lead unit's tracking plan, report, immediate report; supervision and rectification),
minhang 督查细则 2, 5, 6, 9–11 (no repeated supervision, monthly follow-up of targets, supervision with an
optional self-inspection, the report fed back, written rectification report, spot checks), changli 49–53 (the
same at county level: the implementing units urged, a mandatory self-inspection under written supervision, the
report approved by the county leaders and sent out, the rectification checked). Pure Python: no Prefect, no
database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from pinggu.core.errors import InputFileError, Problem
from pinggu.core.spreadsheet import locate_columns, read_grid
from pinggu.rules.calendar import OfficialCalendar
from pinggu.rules.periods import DueDate, Period, PeriodUnit, add_period, corresponding_day


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


class Duty(StrEnum):
    """How a regulation words a duty: 应当 (required), 可以 or 原则上 (optional), or not at all (none)."""

    required = "required"
    optional = "optional"
    none = "none"


class ReviewVerdict(StrEnum):
    """The office's review of a rectification report (ordos 10 ¶2 审核, minhang 督查 11 抽查, changli 53 检查)."""

    accept = "通过"
    checked = "经检查整改到位，通过"
    spot_check = "通过，另行抽查"
    send_back = "退回，限期重新整改"


class RectificationStatus(StrEnum):
    """Where a rectification item stands."""

    pending = "pending"  # in a report not yet approved by the leaders (CL-53): not yet assigned
    open = "open"  # waiting for the unit's written report
    reported = "reported"  # reported, waiting for the office's review
    spot_check = "spot_check"  # accepted subject to a spot check not yet recorded
    closed = "closed"


RECTIFICATION_STATUS_NAMES = {
    RectificationStatus.pending: "督查专报待审定，尚未下达",
    RectificationStatus.open: "待整改报告",
    RectificationStatus.reported: "待审核",
    RectificationStatus.spot_check: "待抽查",
    RectificationStatus.closed: "已办结",
}


class SupervisionStep(StrEnum):
    """The human steps of a supervision round, in the order the supervision flow suspends at them."""

    report_approval = "report_approval"  # the leaders approve the report before it goes out (CL-53)
    rectification_review = "rectification_review"  # the office reviews each item reported back (OR-10)


SUPERVISION_STEP_NAMES = {
    SupervisionStep.report_approval: "督查专报审定",
    SupervisionStep.rectification_review: "督查整改审核",
}


class Recipient(StrEnum):
    """Who the supervision report goes to, by role (CL-53: changli 53; minhang 督查 11 ¶1); a profile may also
    name a body outright (县决策咨询服务中心)."""

    supervised = "被督查单位"
    lead_unit = "决策承办单位"
    implementing_units = "决策实施单位"


class ReportsFrom(StrEnum):
    """Whom the periodic tracking report is asked of (CL-50: changli 50 督促决策实施单位; ordos 6, 8 and minhang
    督查 5, 6: the lead unit)."""

    lead_unit = "决策承办单位"
    implementing_units = "决策实施单位"


def units_of(milestone_units: Sequence[str], lead_unit: str) -> list[str]:
    """The decision's implementing units (决策实施单位): the responsible units of its tracking plan's milestones
    (changli 50: 明确目标节点、责任单位 … 督促决策实施单位), each once in plan order; the lead unit when the plan
    names none."""
    found = list(dict.fromkeys(unit.strip() for unit in milestone_units if unit.strip()))
    return found or [lead_unit]


def review_refusal(
    check: Duty, status: RectificationStatus, verdict: ReviewVerdict, comment: str, basis: str
) -> str | None:
    """Why the review's verdict does not fit how the regulation has the office look at the rectification (``basis``
    cited): it must check every item (CL-53: changli 53 应当检查), may spot-check (minhang 督查 11 ¶2 可以抽查), or
    only reviews (ordos 10 ¶2 审核); None when the verdict fits."""
    if verdict is ReviewVerdict.spot_check and check is Duty.none:
        return f"本规定没有抽查整改情况的规定（{basis}）：请选择通过或退回"
    if verdict is ReviewVerdict.spot_check and check is Duty.required:
        return f"整改情况应当逐项检查，不是抽查（{basis}）：检查后选择“{ReviewVerdict.checked}”或退回"
    if verdict is ReviewVerdict.spot_check and status is RectificationStatus.spot_check:
        return "抽查已安排：请在抽查后选择“通过”或“退回”"
    if verdict is ReviewVerdict.accept and check is Duty.required:
        return f"县政府办公室应当对整改情况进行检查（{basis}）：检查后选择“{ReviewVerdict.checked}”，并在“说明”中写明检查情况"
    if verdict is ReviewVerdict.checked and not comment.strip():
        return "请在“说明”中写明检查的方式和结果"
    return None


def self_inspection_problem(
    duty: Duty, methods: Iterable[SupervisionMethod], due: date | None, basis: str
) -> str | None:
    """MH-S9: written supervision asks the supervised unit for a full self-inspection reported in writing by a
    deadline — changli 52 ¶2 应当 (the deadline must be given), minhang 督查 9 ¶2 可以; None when it is met."""
    if duty is Duty.required and SupervisionMethod.written in methods and due is None:
        return f"组织书面督查的，应当要求被督查单位全面自查，并限期书面报告情况（{basis}）：请填写书面自查报告的期限"
    return None


def repeat_problem(duty: Duty, already_supervised: str | None, reason: str | None, basis: str) -> str | None:
    """MH-S2: a matter already supervised under other rules is not supervised again, the results are shared —
    changli 52 ¶2 不再进行 (required), minhang 督查 2 ¶4 原则上不进行 (optional: only with a stated reason)."""
    if not (already_supervised or "").strip():
        return None
    if duty is Duty.required:
        return (
            f"按照相关规定已对有关事项进行督查的，应当做好结果共享，不再进行重复督查（{basis}）："
            f"请共享已有督查结果（{already_supervised}），不另行督查"
        )
    if duty is Duty.optional and not (reason or "").strip():
        return f"按照相关规定已对有关事项进行督查的，原则上不进行重复督查（{basis}）：确须督查的，请写明理由"
    return None


class ReportApproval(BaseModel):
    """The leaders' approval of a supervision report (CL-53: changli 53 经县政府领导审定) and their instructions (批示意见),
    which go out with it."""

    model_config = {"extra": "forbid"}

    approver: str = Field(title="审定领导（姓名、职务）")
    approved_on: date | None = Field(default=None, title="审定日期（留空为今天）")
    instructions: str = Field(default="", title="批示意见（随专报一并反馈）")

    @field_validator("approver")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请填写审定领导")
        return value.strip()


def approval_problem(answer: ReportApproval, held_on: date, today: date) -> str | None:
    """Why an approval cannot be recorded as given (dated before the supervision or after today); None if it can."""
    on = answer.approved_on or today
    if on > today:
        return f"审定日期 {on} 晚于今天（{today}）：审定后再记录"
    if on < held_on:
        return f"审定日期 {on} 早于督查日期 {held_on}"
    return None


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
