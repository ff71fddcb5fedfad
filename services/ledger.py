"""台账 (issue 33): one typed row per item of a year's work — evaluations, the annual plan's items, tracking
reports and milestones, rectification items, the decision procedures and the decisions' own statutory
deadlines (MH-A10) — read from the product database only (never the Prefect server), for a year and
optional filters (jurisdiction, unit, type, status). The 台账 export (pinggu.services.ledger_export), the wall-screen
dashboard (pinggu.dashboard) and the portfolio artifact read these rows. (Not the step ledger of
tasks/ledger.py, which records each attempt at each step of one evaluation.)

An item belongs to year Y's ledger when one of its dates falls in Y (opened, due, done), or when it is
still open and began before Y: what an earlier year left unfinished is carried into the next. 逾期 is
judged as of `today`: an item open past its date, or done after it; an evaluation is 逾期 while one of its
open items (a stage, a statutory deadline, a follow-up measure) is past its date, as the dashboard shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from pinggu.core.errors import StateConflict, StoredAnswerInvalid
from pinggu.models.db import read_session
from pinggu.models.kept_answers import ProcedureAnswer, item_reviews, procedure_answers
from pinggu.models.tables import (
    BEIJING,
    DeadlineRecord,
    Decision,
    DecisionDeadline,
    DecisionProcedure,
    Document,
    Evaluation,
    FollowUp,
    PlanDecision,
    PlanEntry,
    Rectification,
    StageRecord,
    SupervisionRound,
    TrackingMilestone,
    TrackingPlan,
    TrackingReport,
    now_beijing,
)
from pinggu.rules.annual_plan import REASON_NAMES
from pinggu.rules.decision_procedure import ENDINGS, STEP_NAMES, ProcedureStep
from pinggu.rules.gates import PlanVerdict, gate_stage
from pinggu.rules.profiles import load_profiles
from pinggu.rules.steps import STAGE_NAMES, StepId
from pinggu.rules.tracking import (
    RECTIFICATION_STATUS_NAMES,
    MilestoneState,
    RectificationStatus,
    TrackingPeriod,
    missed,
)
from pinggu.rules.vocabulary import (
    EVALUATION_TYPE_NAMES,
    STATUS_NAMES,
    TRACKING_REPORT_STATUS_NAMES,
    EvaluationStatus,
    FollowUpStatus,
    StageStatus,
    TrackingReportStatus,
)
from pinggu.services.decision_procedure import PUBLISHED, UNDER_WAY, next_step, state_name
from pinggu.services.planning import scope_name


class LedgerKind(StrEnum):
    """The kinds of item a ledger lists, one sheet each."""

    evaluations = "evaluations"
    plan = "plan"
    tracking = "tracking"
    rectification = "rectification"
    decisions = "decisions"


KIND_NAMES = {
    LedgerKind.evaluations: "评估",
    LedgerKind.plan: "年度计划",
    LedgerKind.tracking: "跟踪反馈",
    LedgerKind.rectification: "督查整改",
    LedgerKind.decisions: "决策程序与法定期限",
}

EVALUATIONS_UNDER_WAY = (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)
OVERDUE_WORDS = ("逾期", "overdue")  # a status filter of these keeps the overdue rows of every kind

# The types and statuses of the rows that are not evaluations (code → what an office reads).
TRACKING_TYPES = {"report": "跟踪反馈报告", "milestone": "时间节点"}
MILESTONE_STATUS_NAMES = {"pending": "未到期", "done": "已完成", "done_late": "逾期完成", "missed": "逾期未完成"}
RECTIFICATION_TYPE = ("rectification", "督查整改事项")
# pinggu.rules.tracking.RectificationStatus.pending: an item of a report the leaders have not approved (CL-53), not yet
# assigned to its unit, so not yet late.
NOT_ASSIGNED = "pending"
DECISION_TYPES = {"procedure": "决策作出程序", "deadline": "决策法定期限"}
DEADLINE_STATUS_NAMES = {"open": "未完成", "met": "已完成"}
PROCEDURE_STATUS_NAMES = {
    UNDER_WAY: state_name(UNDER_WAY),
    PUBLISHED: state_name(PUBLISHED),
    **{outcome.value: state_name(outcome.value) for outcome in ENDINGS},
}
PLAN_STATUS_NAMES = {
    "drafted": "待审定",
    "approved": "已审定，待启动",
    "scheduled": "已排期，触发日启动",
    "started": "已启动",
    "completed": "评估已完成",
    "not_started": "决定不开展",
    "dropped": "不列入计划",
}


# ── the rows ────────────────────────────────────────────────────────────────────────────────────────


class LedgerRow(BaseModel):
    """What every ledger row has: the decision, its jurisdiction and unit, its type and status (code and
    Chinese name), and whether it is 逾期 and by how many days."""

    model_config = ConfigDict(frozen=True)

    decision: str | None
    title: str
    profile: str
    profile_name: str
    unit: str
    type: str
    type_name: str
    status: str
    status_name: str
    overdue: bool = False
    overdue_days: int = 0


class StageRow(BaseModel):
    """One stage of an evaluation: target date, recorded start and finish (Beijing dates), whether overdue."""

    model_config = ConfigDict(frozen=True)

    stage: str
    name: str
    status: str
    target: date | None
    target_provisional: bool = False
    started: date | None
    finished: date | None
    overdue: bool


class EvaluationRow(LedgerRow):
    """An evaluation: its stages, the gate it waits at, what falls due next, how many open items are overdue
    (stages, statutory deadlines, follow-up measures), its conclusion and the formal report's date."""

    decision: str
    evaluation: str
    waiting_for: str | None
    waiting_gate: str | None
    # The Chinese name of the stage whose gate it waits at: the flow marks a stage running when it enters it,
    # but one that began waiting before it did so may still have it recorded as not started.
    waiting_stage: str | None
    current_stage: str | None  # the Chinese name of the stage under way
    started_on: date
    due_on: date | None
    completed_on: date | None
    conclusion: str | None
    report: str | None
    report_on: date | None
    stages: list[StageRow]
    next_date: date | None
    next_what: str | None
    overdue_items: int


class PlanRow(LedgerRow):
    """An item of an annual plan (MH-4): why, by when, by whom, and where its evaluation stands."""

    decision: str
    year: int
    scope: str  # as an office reads it (pinggu.services.planning.scope_name)
    reason: str
    trigger_date: date
    due_date: date
    due_date_reason: str | None
    evaluating_unit: str
    dropped_reason: str | None
    started_on: date | None
    evaluation: str | None
    evaluation_status: str | None
    completed_on: date | None


class TrackingRow(LedgerRow):
    """A tracking report asked for (OR-8) or a milestone of a tracking plan (OR-6): due, handed in or done."""

    decision: str
    item: str
    responsible_body: str | None
    period: str | None
    due_date: date
    done_on: date | None  # the report handed in, or the milestone reported done
    reporter: str | None
    serious: str | None  # what the report said at once (OR-9), if anything
    tracking_from: date | None = None  # the plan's tracking began (the dashboard's outline starts there)


class RectificationRow(LedgerRow):
    """A rectification item of a supervision round (OR-10): its unit, deadline, report back and review."""

    decision: str
    item_id: int
    round_id: int  # the stored round (the web app's /supervision/<round_id>)
    round: int  # the decision's round: 1, 2, …
    held_on: date
    supervisor: str
    seq: int
    item: str
    due_date: date
    reported_on: date | None
    reviewed_on: date | None
    closed_on: date | None


class ProcedureDate(BaseModel):
    """A date a decision procedure's records hold: a period (公开征求意见 from … until …), a day that happened
    (集体讨论), or a day to be met (`target`: the catalog's planned date for deliberation) with when it was."""

    model_config = ConfigDict(frozen=True)

    label: str
    start: date | None  # a period's first day; None for a single day
    day: date
    target: bool = False
    met_on: date | None = None


class DecisionRow(LedgerRow):
    """A decision procedure (changli chapters 2–7) or a decision's own statutory deadline (MH-A10). A procedure's
    due date is its catalog's planned date for deliberation (目录时间计划), met by the meeting that deliberates it."""

    item: str
    basis: str | None
    from_date: date
    due_date: date | None
    done_on: date | None
    procedure: int | None = None  # the stored procedure (the web app's /procedures/<id>)
    step: str | None = None  # the step a procedure under way asks now, as an office reads it
    dates: tuple[ProcedureDate, ...] = ()


# ── the filter ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LedgerFilter:
    """Which rows a ledger shows: a year (None: every year), a jurisdiction (profile id), a unit (part of
    its name), a type and a status (code or Chinese name; 逾期 keeps the overdue rows)."""

    year: int | None = None
    profile: str | None = None
    unit: str | None = None
    type: str | None = None
    status: str | None = None

    def admits(self, row: LedgerRow) -> bool:
        """Whether the row passes every filter but the year (the readers apply the year)."""
        if self.profile is not None and row.profile != self.profile:
            return False
        if self.unit is not None and self.unit not in row.unit:
            return False
        if self.type is not None and self.type not in (row.type, row.type_name):
            return False
        if self.status is None:
            return True
        return self.status in (row.status, row.status_name) or (self.status in OVERDUE_WORDS and row.overdue)

    def describe(self) -> str:
        """The filter as an office reads it, e.g. 2026 年度 · 规则 闵行区 · 单位含“住房”."""
        names = {pid: p.name for pid, p in load_profiles().items()}
        parts = [f"{self.year} 年度" if self.year is not None else "全部年度"]
        if self.profile:
            parts.append(f"规则 {names.get(self.profile, self.profile)}")
        if self.unit:
            parts.append(f"单位含“{self.unit}”")
        if self.type:
            parts.append(f"类型 {self.type}")
        if self.status:
            parts.append(f"状态 {self.status}")
        return " · ".join(parts)


def _choices(*vocabularies: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Every code and every Chinese name of these vocabularies (a code may mean different things in two)."""
    codes = [str(code) for vocabulary in vocabularies for code in vocabulary]
    names = [name for vocabulary in vocabularies for name in vocabulary.values()]
    return list(dict.fromkeys(codes)), list(dict.fromkeys(names))


TYPE_CHOICES = _choices(EVALUATION_TYPE_NAMES, TRACKING_TYPES, dict([RECTIFICATION_TYPE]), DECISION_TYPES)
STATUS_CHOICES = _choices(
    {status: STATUS_NAMES[status] for status in EvaluationStatus},
    PLAN_STATUS_NAMES,
    {str(status): name for status, name in TRACKING_REPORT_STATUS_NAMES.items()},
    MILESTONE_STATUS_NAMES,
    {str(status): name for status, name in RECTIFICATION_STATUS_NAMES.items()},
    DEADLINE_STATUS_NAMES,
    PROCEDURE_STATUS_NAMES,
)


def parse_year(text: str | int | None, today: date | None = None) -> int:
    """A year typed by an office (None or empty: this year in Beijing), or a Chinese refusal."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return (today or now_beijing().date()).year
    value = str(text).strip().removesuffix("年度").removesuffix("年")
    if not value.isascii() or not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise StateConflict(f"年度应为 2000 至 2100 之间的四位数字年份，例如 2026；收到：{text}")
    return int(value)


def parse_kinds(text: str | None) -> tuple[LedgerKind, ...]:
    """The kinds asked for (None or empty: every kind), by code or Chinese name, or a Chinese refusal."""
    if text is None or not text.strip():
        return tuple(LedgerKind)
    wanted = text.strip()
    for kind, name in KIND_NAMES.items():
        if wanted in (kind.value, name):
            return (kind,)
    choices = "、".join(f"{kind.value}（{name}）" for kind, name in KIND_NAMES.items())
    raise StateConflict(f"台账类别应为 {choices} 之一；收到：{wanted}")


def ledger_filter(
    year: str | int | None = None,
    profile: str | None = None,
    unit: str | None = None,
    type: str | None = None,
    status: str | None = None,
    *,
    today: date | None = None,
) -> LedgerFilter:
    """A filter from what an office typed (the CLI's options, the web app's query), or a Chinese refusal."""
    profiles = load_profiles()
    chosen = (profile or "").strip() or None
    if chosen is not None:
        by_name = {p.name: pid for pid, p in profiles.items()}
        if chosen not in profiles and chosen not in by_name:
            choices = "、".join(f"{pid}（{p.name}）" for pid, p in profiles.items())
            raise StateConflict(f"未知的规则 {chosen}，可选：{choices}")
        chosen = by_name.get(chosen, chosen)
    kind = (type or "").strip() or None
    if kind is not None and kind not in (*TYPE_CHOICES[0], *TYPE_CHOICES[1]):
        raise StateConflict(f"未知的类型 {kind}，可选：{'、'.join(TYPE_CHOICES[1])}")
    state = (status or "").strip() or None
    if state is not None and state not in (*STATUS_CHOICES[0], *STATUS_CHOICES[1], *OVERDUE_WORDS):
        raise StateConflict(f"未知的状态 {state}，可选：{'、'.join([*STATUS_CHOICES[1], OVERDUE_WORDS[0]])}")
    return LedgerFilter(
        year=None if year is None else parse_year(year, today),
        profile=chosen,
        unit=(unit or "").strip() or None,
        type=kind,
        status=state,
    )


# ── shared judgements ───────────────────────────────────────────────────────────────────────────────


def late(due: date, done: date | None, today: date) -> bool:
    """逾期: done after its due date, or not done and its due date passed (as of `today`)."""
    return done > due if done is not None else due < today


def days_late(due: date, done: date | None, today: date) -> int:
    """By how many days it is (or was) late; 0 when it is not."""
    return ((done or today) - due).days if late(due, done, today) else 0


def _day(moment: datetime | None) -> date | None:
    """A stored timestamp's day in Beijing."""
    return moment.astimezone(BEIJING).date() if moment else None


def _in_year(year: int | None, dates: Iterable[date | None], still_open: bool) -> bool:
    """In year Y's ledger: one of its dates falls in Y, or it is still open and began before Y."""
    if year is None:
        return True
    known = [day for day in dates if day is not None]
    return any(day.year == year for day in known) or (still_open and bool(known) and min(known).year < year)


def _profile_names() -> dict[str, str]:
    return {pid: p.name for pid, p in load_profiles().items()}


Keyed = TypeVar("Keyed")


def _grouped(rows: Iterable[Keyed], key: Callable[[Keyed], Any]) -> dict[Any, list[Keyed]]:
    groups: dict[Any, list[Keyed]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


# ── evaluations ─────────────────────────────────────────────────────────────────────────────────────


def evaluation_rows(filters: LedgerFilter | None = None, today: date | None = None) -> list[EvaluationRow]:
    """One row per evaluation of the year (the dashboard's, the portfolio's and the ledger's): stages with
    target and actual dates, the gate it waits at, open statutory deadlines and follow-ups, the next date,
    how many open items are overdue."""
    filters, today = filters or LedgerFilter(), today or now_beijing().date()
    names = _profile_names()
    with read_session() as session:
        evaluations = [
            e
            for e in session.exec(select(Evaluation).order_by(col(Evaluation.id)))
            if _in_year(filters.year, (_day(e.created_at), _day(e.completed_at)), e.status in EVALUATIONS_UNDER_WAY)
        ]
        decisions = {d.code: d for d in session.exec(select(Decision))}
        # The same records as pinggu.models.evaluations.stages / deadlines / follow_ups, read at once for all.
        stages = _grouped(
            session.exec(select(StageRecord).order_by(col(StageRecord.position))), lambda s: s.evaluation_id
        )
        deadlines = _grouped(
            session.exec(
                select(DeadlineRecord).where(col(DeadlineRecord.superseded).is_(False)).order_by(col(DeadlineRecord.id))
            ),
            lambda d: d.evaluation_id,
        )
        follow_ups = _grouped(session.exec(select(FollowUp).order_by(col(FollowUp.id))), lambda f: f.evaluation_id)
        reports = {
            d.evaluation_id: d
            for d in session.exec(
                select(Document)
                .where(Document.kind == StepId.final_report, col(Document.superseded).is_(False))
                .order_by(col(Document.id))
            )
        }
    rows = []
    for evaluation in evaluations:
        assert evaluation.id is not None  # a stored evaluation
        decision = decisions[evaluation.decision_code]
        under_way = evaluation.status in EVALUATIONS_UNDER_WAY
        own_stages = stages.get(evaluation.id, [])
        open_dates = [
            *[
                (s.target_date, STAGE_NAMES[s.stage])
                for s in own_stages
                if under_way and s.status != StageStatus.done and s.target_date
            ],
            *[(d.due_date, d.label) for d in deadlines.get(evaluation.id, []) if d.met_at is None],
            *[(f.due_date, "后续措施") for f in follow_ups.get(evaluation.id, []) if f.status == FollowUpStatus.open],
        ]
        upcoming = min(open_dates, default=None)
        overdue = [due for due, _ in open_dates if due < today]
        waited = gate_stage(evaluation.waiting_gate) if evaluation.status == EvaluationStatus.waiting else None
        running = next((s.stage for s in own_stages if s.status == StageStatus.running), None)
        pending = next((s.stage for s in own_stages if s.status == StageStatus.pending), None)
        current = waited or running or (pending if under_way else None)
        report = reports.get(evaluation.id)
        row = EvaluationRow(
            evaluation=evaluation.code,
            decision=decision.code,
            title=decision.title,
            profile=decision.profile,
            profile_name=names.get(decision.profile, decision.profile),
            unit=decision.lead_unit,
            type=evaluation.type,
            type_name=EVALUATION_TYPE_NAMES[evaluation.type],
            status=evaluation.status,
            status_name=STATUS_NAMES[evaluation.status],
            waiting_for=evaluation.waiting_for,
            waiting_gate=evaluation.waiting_gate,
            waiting_stage=STAGE_NAMES[waited] if waited else None,
            current_stage=STAGE_NAMES[current] if current else None,
            started_on=evaluation.starts_on,
            due_on=evaluation.due_on,
            completed_on=_day(evaluation.completed_at),
            conclusion=evaluation.conclusion,
            report=evaluation.report_path,
            report_on=_day(report.created_at) if report else None,
            stages=[
                StageRow(
                    stage=s.stage,
                    name=STAGE_NAMES[s.stage],
                    status=s.status,
                    target=s.target_date,
                    target_provisional=s.target_provisional,
                    started=_day(s.started_at),
                    finished=_day(s.finished_at),
                    overdue=s.status != StageStatus.done
                    and under_way
                    and s.target_date is not None
                    and s.target_date < today,
                )
                for s in own_stages
            ],
            next_date=upcoming[0] if upcoming else None,
            next_what=upcoming[1] if upcoming else None,
            overdue_items=len(overdue),
            overdue=bool(overdue),
            overdue_days=(today - min(overdue)).days if overdue else 0,
        )
        if filters.admits(row):
            rows.append(row)
    return rows


# ── the annual plan ─────────────────────────────────────────────────────────────────────────────────


def _plan_status(entry: PlanEntry, evaluation: Evaluation | None, approved: bool, today: date) -> str:
    if entry.dropped_reason:
        return "dropped"
    if evaluation is not None:
        if evaluation.status == EvaluationStatus.completed:
            return "completed"
        return "not_started" if evaluation.status == EvaluationStatus.not_started else "started"
    if entry.flow_run_id:
        return "scheduled" if entry.trigger_date > today else "started"
    return "approved" if approved else "drafted"


def plan_rows(filters: LedgerFilter | None = None, today: date | None = None) -> list[PlanRow]:
    """One row per item of the year's annual plans (every scope: all, a jurisdiction's, a prompt plan),
    with the evaluation it started and whether it is past its time limit."""
    filters, today = filters or LedgerFilter(), today or now_beijing().date()
    names = _profile_names()
    with read_session() as session:
        query = select(PlanEntry).order_by(col(PlanEntry.year), col(PlanEntry.scope), col(PlanEntry.id))
        if filters.year is not None:
            query = query.where(PlanEntry.year == filters.year)
        entries = list(session.exec(query))
        decisions = {d.code: d for d in session.exec(select(Decision))}
        evaluations = list(session.exec(select(Evaluation).order_by(col(Evaluation.id))))
        approved = {
            (d.year, d.scope)
            for d in session.exec(
                select(PlanDecision).where(
                    PlanDecision.choice == PlanVerdict.agree,
                    col(PlanDecision.refused).is_(None),
                    col(PlanDecision.superseded).is_(False),
                )
            )
        }
    by_code = {e.code: e for e in evaluations}
    by_run = {e.flow_run_id: e for e in evaluations if e.flow_run_id}
    by_item = _grouped(evaluations, lambda e: (e.decision_code, e.type))
    rows = []
    for entry in entries:
        decision = decisions[entry.decision_code]
        evaluation = by_code.get(entry.evaluation_code or "") or by_run.get(entry.flow_run_id or "")
        if evaluation is None and entry.flow_run_id and entry.started_at is not None:
            # Run again since (a redo, a crashed run continued): the first of the item's evaluations after its start.
            evaluation = next(
                (e for e in by_item.get((entry.decision_code, entry.type), []) if e.created_at >= entry.started_at),
                None,
            )
        status = _plan_status(entry, evaluation, (entry.year, entry.scope) in approved, today)
        completed_on = _day(evaluation.completed_at) if evaluation is not None else None
        counts = status not in ("dropped", "not_started")
        row = PlanRow(
            decision=decision.code,
            title=decision.title,
            profile=decision.profile,
            profile_name=names.get(decision.profile, decision.profile),
            unit=decision.lead_unit,
            type=entry.type,
            type_name=EVALUATION_TYPE_NAMES[entry.type],
            status=status,
            status_name=PLAN_STATUS_NAMES[status],
            year=entry.year,
            scope=scope_name(entry.scope),
            reason=REASON_NAMES.get(entry.reason, entry.reason),
            trigger_date=entry.trigger_date,
            due_date=entry.due_date,
            due_date_reason=entry.due_date_reason,
            evaluating_unit=entry.evaluating_unit,
            dropped_reason=entry.dropped_reason,
            started_on=_day(entry.started_at),
            evaluation=evaluation.code if evaluation is not None else None,
            evaluation_status=STATUS_NAMES[evaluation.status] if evaluation is not None else None,
            completed_on=completed_on,
            overdue=counts and late(entry.due_date, completed_on, today),
            overdue_days=days_late(entry.due_date, completed_on, today) if counts else 0,
        )
        if filters.admits(row):
            rows.append(row)
    return rows


# ── tracking ────────────────────────────────────────────────────────────────────────────────────────


def tracking_rows(filters: LedgerFilter | None = None, today: date | None = None) -> list[TrackingRow]:
    """One row per tracking report asked for (OR-8) and per milestone of a tracking plan (OR-6, MH-S6):
    due, handed in or reported done, late or overdue."""
    filters, today = filters or LedgerFilter(), today or now_beijing().date()
    names = _profile_names()
    with read_session() as session:
        decisions = {d.code: d for d in session.exec(select(Decision))}
        plans = {p.decision_code: p for p in session.exec(select(TrackingPlan))}
        reports = list(session.exec(select(TrackingReport)))
        milestones = list(session.exec(select(TrackingMilestone)))
    rows = []
    for report in reports:
        if not _in_year(filters.year, (report.due_date, report.submitted_on), report.submitted_on is None):
            continue
        decision, plan = decisions[report.decision_code], plans.get(report.decision_code)
        period = TrackingPeriod(report.period_start, report.period_end).label
        serious = (report.content or {}).get("serious")
        rows.append(
            TrackingRow(
                decision=decision.code,
                title=decision.title,
                profile=decision.profile,
                profile_name=names.get(decision.profile, decision.profile),
                unit=report.unit,
                type="report",
                type_name=TRACKING_TYPES["report"],
                status=report.status,
                status_name=TRACKING_REPORT_STATUS_NAMES[TrackingReportStatus(report.status)],
                item=f"{period}跟踪反馈报告",
                responsible_body=plan.responsible_body if plan else None,
                period=period,
                due_date=report.due_date,
                done_on=report.submitted_on,
                reporter=report.reporter,
                serious=serious if serious and serious != "无" else None,
                tracking_from=plan.tracking_from if plan else None,
                overdue=late(report.due_date, report.submitted_on, today),
                overdue_days=days_late(report.due_date, report.submitted_on, today),
            )
        )
    for milestone in milestones:
        if not _in_year(filters.year, (milestone.due_date, milestone.done_on), milestone.done_on is None):
            continue
        decision, plan = decisions[milestone.decision_code], plans.get(milestone.decision_code)
        state = MilestoneState(milestone.seq, milestone.target, milestone.due_date, milestone.unit, milestone.done_on)
        was_missed = missed(state, today)
        status = (
            ("done_late" if was_missed else "done") if milestone.done_on else ("missed" if was_missed else "pending")
        )
        rows.append(
            TrackingRow(
                decision=decision.code,
                title=decision.title,
                profile=decision.profile,
                profile_name=names.get(decision.profile, decision.profile),
                unit=milestone.unit,
                type="milestone",
                type_name=TRACKING_TYPES["milestone"],
                status=status,
                status_name=MILESTONE_STATUS_NAMES[status],
                item=f"时间节点 {milestone.seq}：{milestone.target}",
                responsible_body=plan.responsible_body if plan else None,
                period=None,
                due_date=milestone.due_date,
                done_on=milestone.done_on,
                reporter=None,
                serious=None,
                tracking_from=plan.tracking_from if plan else None,
                overdue=was_missed,
                overdue_days=days_late(milestone.due_date, milestone.done_on, today),
            )
        )
    rows = [row for row in rows if filters.admits(row)]
    rows.sort(key=lambda r: (r.decision, r.due_date, r.type != "report", r.item))
    return rows


# ── rectification ───────────────────────────────────────────────────────────────────────────────────


def rectification_rows(filters: LedgerFilter | None = None, today: date | None = None) -> list[RectificationRow]:
    """One row per rectification item of a supervision round (OR-10, MH-S6): its unit and deadline, when it
    was reported back, reviewed and closed, and whether the report came (or is) late."""
    filters, today = filters or LedgerFilter(), today or now_beijing().date()
    names = _profile_names()
    with read_session() as session:
        decisions = {d.code: d for d in session.exec(select(Decision))}
        rounds = list(
            session.exec(
                select(SupervisionRound).order_by(
                    col(SupervisionRound.decision_code), col(SupervisionRound.held_on), col(SupervisionRound.id)
                )
            )
        )
        items = _grouped(session.exec(select(Rectification).order_by(col(Rectification.seq))), lambda i: i.round_id)
    numbers = {
        r.id: number
        for group in _grouped(rounds, lambda r: r.decision_code).values()
        for number, r in enumerate(group, start=1)
    }
    rows = []
    for round_ in rounds:
        decision = decisions[round_.decision_code]
        for item in items.get(round_.id, []):
            still_open = item.status != RectificationStatus.closed
            dates = (round_.held_on, item.due_date, item.reported_on, item.closed_on)
            if not _in_year(filters.year, dates, still_open):
                continue
            reviewed = [review.on for review in item_reviews(item.reviews)]
            assigned = item.status != NOT_ASSIGNED
            assert item.id is not None  # a stored item
            row = RectificationRow(
                decision=decision.code,
                title=decision.title,
                profile=decision.profile,
                profile_name=names.get(decision.profile, decision.profile),
                unit=item.unit,
                type=RECTIFICATION_TYPE[0],
                type_name=RECTIFICATION_TYPE[1],
                status=item.status,
                status_name=RECTIFICATION_STATUS_NAMES[RectificationStatus(item.status)],
                item_id=item.id,
                round_id=round_.id,
                round=numbers[round_.id],
                held_on=round_.held_on,
                supervisor=round_.supervisor,
                seq=item.seq,
                item=item.item,
                due_date=item.due_date,
                reported_on=item.reported_on,
                reviewed_on=reviewed[-1] if reviewed else None,
                closed_on=item.closed_on,
                overdue=assigned and late(item.due_date, item.reported_on, today),
                overdue_days=days_late(item.due_date, item.reported_on, today) if assigned else 0,
            )
            if filters.admits(row):
                rows.append(row)
    return rows


# ── decisions ───────────────────────────────────────────────────────────────────────────────────────

PLANNED_BASIS = "决策事项目录的时间计划（拟提请审议的日期）"

# What a procedure's accepted answers record, per step: (label, first day's field or None, day's field, target).
PROCEDURE_DATES: tuple[tuple[ProcedureStep, str, str | None, str, bool], ...] = (
    (ProcedureStep.catalog, "拟提请审议（目录时间计划）", None, "planned_on", True),
    (ProcedureStep.participation, "公开征求意见", "comment_from", "comment_until", False),
    (ProcedureStep.participation, "听证会", None, "hearing_on", False),
    (ProcedureStep.participation, "座谈会", None, "symposium_on", False),
    (ProcedureStep.experts, "专家论证", "materials_sent_on", "opinions_due_on", False),
    (ProcedureStep.legality, "综合会审", "joint_review_from", "joint_review_until", False),
    (ProcedureStep.meeting, "集体讨论决定", None, "meeting_on", False),
    (ProcedureStep.publication, "决策公布", None, "published_on", False),
)


def procedure_dates(procedure: DecisionProcedure) -> tuple[ProcedureDate, ...]:
    """The dates a procedure's accepted answers hold (each step's latest answer): its periods, the days that
    happened, and the catalog's planned date for deliberation, met on the day of the meeting that deliberated it."""
    latest: dict[ProcedureStep, ProcedureAnswer] = {}
    for record in procedure_answers(procedure.answers):
        if record.accepted:
            latest[record.step] = record

    def day(step: ProcedureStep, name: str | None) -> date | None:
        # PROCEDURE_DATES names the date fields of the step's own answer model (pinggu.rules.decision_procedure)
        value = getattr(latest[step].values(), name) if name and step in latest else None
        return value if isinstance(value, date) else None

    met_on = day(ProcedureStep.meeting, "meeting_on")
    found = []
    for step, label, first, last, target in PROCEDURE_DATES:
        end = day(step, last)
        if end is not None:
            start = day(step, first)
            found.append(
                ProcedureDate(
                    label=label,
                    start=start if start is not None and start <= end else None,
                    day=end,
                    target=target,
                    met_on=met_on if target else None,
                )
            )
    return tuple(found)


def decision_rows(filters: LedgerFilter | None = None, today: date | None = None) -> list[DecisionRow]:
    """One row per decision procedure (changli chapters 2–7: where it stands, the step it asks next) and per
    statutory deadline of a decision itself (MH-A10: the archive filed within 10 working days of issue)."""
    filters, today = filters or LedgerFilter(), today or now_beijing().date()
    names = _profile_names()
    with read_session() as session:
        decisions = {d.code: d for d in session.exec(select(Decision))}
        procedures = list(session.exec(select(DecisionProcedure).order_by(col(DecisionProcedure.id))))
        deadlines = list(
            session.exec(
                select(DecisionDeadline).order_by(col(DecisionDeadline.decision_code), col(DecisionDeadline.rule))
            )
        )
    rows = []
    for procedure in procedures:
        opened, closed = _day(procedure.opened_at), _day(procedure.closed_at)
        if not _in_year(filters.year, (opened, closed), procedure.status == UNDER_WAY):
            continue
        assert opened is not None  # set when the procedure is opened
        made = decisions.get(procedure.decision_code or "")
        try:
            step, dates, unreadable = next_step(procedure), procedure_dates(procedure), None
        except StoredAnswerInvalid as error:
            # One row that does not read must not take the whole dashboard and 台账 with it: it is listed, named.
            step, dates, unreadable = None, (), f"办理记录无法读取，请联系系统管理员：{error}"
        planned = next((d for d in dates if d.target), None)
        # Judged like a plan item: late when deliberated after the planned date, or still under way past it; a
        # procedure that ended before deliberation (not a major decision, not implemented) is not late.
        counts = planned is not None and (planned.met_on is not None or procedure.status == UNDER_WAY)
        rows.append(
            DecisionRow(
                decision=procedure.decision_code,
                title=made.title if made else procedure.matter,
                profile=procedure.profile,
                profile_name=names.get(procedure.profile, procedure.profile),
                unit=procedure.lead_unit,
                type="procedure",
                type_name=DECISION_TYPES["procedure"],
                status=procedure.status,
                status_name=state_name(procedure.status),
                item=unreadable
                or (f"下一步：{STEP_NAMES[step]}" if step else f"{procedure.catalog_year} 年度目录事项"),
                basis=PLANNED_BASIS if planned else None,
                from_date=opened,
                due_date=planned.day if planned else None,
                done_on=closed,
                procedure=procedure.id,
                step=STEP_NAMES[step] if step else None,
                dates=dates,
                overdue=counts and planned is not None and late(planned.day, planned.met_on, today),
                overdue_days=days_late(planned.day, planned.met_on, today) if counts and planned else 0,
            )
        )
    for deadline in deadlines:
        if not _in_year(
            filters.year, (deadline.from_date, deadline.due_date, deadline.met_on), deadline.met_on is None
        ):
            continue
        decision = decisions[deadline.decision_code]
        status = "met" if deadline.met_on else "open"
        rows.append(
            DecisionRow(
                decision=decision.code,
                title=decision.title,
                profile=decision.profile,
                profile_name=names.get(decision.profile, decision.profile),
                unit=decision.lead_unit,
                type="deadline",
                type_name=DECISION_TYPES["deadline"],
                status=status,
                status_name=DEADLINE_STATUS_NAMES[status],
                item=deadline.label + ("（期限暂定）" if deadline.provisional else ""),
                basis=deadline.basis,
                from_date=deadline.from_date,
                due_date=deadline.due_date,
                done_on=deadline.met_on,
                overdue=late(deadline.due_date, deadline.met_on, today),
                overdue_days=days_late(deadline.due_date, deadline.met_on, today),
            )
        )
    return [row for row in rows if filters.admits(row)]


# ── open or done, across kinds ──────────────────────────────────────────────────────────────────────

PLAN_STILL_OPEN = ("drafted", "approved", "scheduled", "started")


def still_open(row: LedgerRow) -> bool:
    """Whether the item still waits for something: an evaluation or a plan item under way, a report or a
    milestone not yet in, a rectification item not closed, a procedure or a statutory deadline not ended."""
    if isinstance(row, EvaluationRow):
        return row.status in EVALUATIONS_UNDER_WAY
    if isinstance(row, PlanRow):
        return row.status in PLAN_STILL_OPEN
    if isinstance(row, RectificationRow):
        return row.status != RectificationStatus.closed
    if isinstance(row, TrackingRow | DecisionRow):
        return row.done_on is None
    return False


def standing(row: LedgerRow) -> str:
    """Where an item stands at a glance: `overdue` (open and past a date), `open` or `done`. An item done late is
    `done` here (the 台账 still marks it 逾期); an evaluation is `overdue` while an open item of it is late, even
    once it is completed (a follow-up measure past its deadline)."""
    if row.overdue and (still_open(row) or isinstance(row, EvaluationRow)):
        return "overdue"
    return "open" if still_open(row) else "done"


def decisions_in_scope(filters: LedgerFilter, profiles: Sequence[str] = ()) -> set[str]:
    """The codes of the decisions the filter's jurisdiction and unit (its lead unit) admit, within `profiles`
    when given (a person's jurisdictions): what the dashboard's tracking table may list."""
    with read_session() as session:
        decisions = list(session.exec(select(Decision)))
    return {
        d.code
        for d in decisions
        if (filters.profile is None or d.profile == filters.profile)
        and (not profiles or d.profile in profiles)
        and (filters.unit is None or filters.unit in d.lead_unit)
    }


READERS: dict[LedgerKind, Callable[[LedgerFilter | None, date | None], Sequence[LedgerRow]]] = {
    LedgerKind.evaluations: evaluation_rows,
    LedgerKind.plan: plan_rows,
    LedgerKind.tracking: tracking_rows,
    LedgerKind.rectification: rectification_rows,
    LedgerKind.decisions: decision_rows,
}


def ledger_rows(
    kind: LedgerKind, filters: LedgerFilter | None = None, today: date | None = None
) -> Sequence[LedgerRow]:
    """The rows of one kind (the dashboard and the web app read these)."""
    return READERS[kind](filters, today)
