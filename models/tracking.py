"""What tracking and supervision keep (OR-6/8/9/10, MH-S6, E-PUBLIC): plans, milestones, reports,
opinions, supervision rounds and rectification items; and the dates among them the watch keeps an eye on."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from pinggu.models import audit
from pinggu.models.tables import (
    Decision,
    PublicOpinion,
    Rectification,
    SupervisionRound,
    TrackingMilestone,
    TrackingPlan,
    TrackingReport,
)
from pinggu.rules.tracking import (
    MilestoneSpec,
    MilestoneState,
    RectificationStatus,
    TrackingPeriod,
    TrackingPlanSpec,
    units_of,
)
from pinggu.rules.vocabulary import TrackingReportStatus
from pinggu.rules.watch import Watched


def milestones_of(*, session: Session, decision_code: str) -> list[TrackingMilestone]:
    """A decision's milestones in plan order."""
    query = select(TrackingMilestone).where(TrackingMilestone.decision_code == decision_code)
    return list(session.exec(query.order_by(col(TrackingMilestone.seq))))


def milestone_states(*, session: Session, decision_code: str) -> list[MilestoneState]:
    """The milestones as the pure rules see them."""
    return [
        MilestoneState(seq=m.seq, target=m.target, due=m.due_date, unit=m.unit, done_on=m.done_on)
        for m in milestones_of(session=session, decision_code=decision_code)
    ]


def store_plan(
    *, session: Session, spec: TrackingPlanSpec, source: str, recorded_by: str, tracking_from: date
) -> tuple[bool, int]:
    """Create or replace a decision's plan; milestones already reported done are kept as they were.
    Return (new plan?, number of milestones)."""
    plan = session.get(TrackingPlan, spec.decision_code)
    created = plan is None
    if plan is None:
        plan = TrackingPlan(
            decision_code=spec.decision_code,
            responsible_body=spec.responsible_body,
            responsible_people=spec.responsible_people,
            methods=spec.methods,
            tracking_from=tracking_from,
            source=source,
            recorded_by=recorded_by,
        )
    plan.responsible_body, plan.responsible_people, plan.methods = (
        spec.responsible_body,
        spec.responsible_people,
        spec.methods,
    )
    plan.source, plan.recorded_by = source, recorded_by
    session.add(plan)
    wanted: dict[tuple[str, date], MilestoneSpec] = {(m.target, m.due): m for m in spec.milestones}
    kept: list[TrackingMilestone] = []
    for existing in milestones_of(session=session, decision_code=spec.decision_code):
        match = wanted.pop((existing.target, existing.due_date), None)
        if match is not None:
            existing.unit = match.unit
            kept.append(existing)
        elif existing.done_on is not None:
            kept.append(existing)  # reported done: part of the record, whatever the new plan says
        else:
            session.delete(existing)
    for index, row in enumerate(kept):
        row.seq = -1 - index  # out of the way of the new numbers (unique per decision)
        session.add(row)
    session.flush()
    rows = kept + [
        TrackingMilestone(decision_code=spec.decision_code, seq=0, target=m.target, due_date=m.due, unit=m.unit)
        for m in wanted.values()
    ]
    rows.sort(key=lambda m: (m.due_date, m.target))
    for seq, row in enumerate(rows, start=1):
        row.seq = seq
        session.add(row)
    session.flush()
    audit.record(
        session=session,
        action="tracking_plan_set",
        actor=recorded_by,
        decision_code=spec.decision_code,
        source=source,
        responsible_body=spec.responsible_body,
        milestones=len(rows),
    )
    return created, len(rows)


def reports_of(*, session: Session, decision_code: str) -> list[TrackingReport]:
    """A decision's tracking reports, oldest period first."""
    query = select(TrackingReport).where(TrackingReport.decision_code == decision_code)
    return list(session.exec(query.order_by(col(TrackingReport.period_start))))


def implementing_units(*, session: Session, decision: Decision) -> list[str]:
    """The decision's implementing units (决策实施单位, CL-50): its tracking plan's milestone units in plan order,
    or its lead unit when it has no plan."""
    return units_of([m.unit for m in milestones_of(session=session, decision_code=decision.code)], decision.lead_unit)


def request_report(
    *,
    session: Session,
    decision: Decision,
    period: TrackingPeriod,
    due: date,
    provisional: bool,
    unit: str | None = None,
) -> TrackingReport | None:
    """Ask ``unit`` (default: the lead unit) for the period's report unless it was asked for before; the new
    request, or None."""
    exists = session.exec(
        select(TrackingReport.id).where(
            TrackingReport.decision_code == decision.code, TrackingReport.period_key == period.key
        )
    ).first()
    if exists is not None:
        return None
    report = TrackingReport(
        decision_code=decision.code,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        due_date=due,
        provisional=provisional,
        unit=unit or decision.lead_unit,
    )
    session.add(report)
    session.flush()
    audit.record(
        session=session,
        action="tracking_report_requested",
        decision_code=decision.code,
        period=period.key,
        due=due,
        unit=report.unit,
    )
    return report


def opinions_of(*, session: Session, decision_code: str) -> list[PublicOpinion]:
    """A decision's public opinions, oldest first (never with the sender's contact)."""
    query = select(PublicOpinion).where(PublicOpinion.decision_code == decision_code)
    return list(session.exec(query.order_by(col(PublicOpinion.received_on), col(PublicOpinion.id))))


def rounds_of(*, session: Session, decision_code: str) -> list[SupervisionRound]:
    """A decision's supervision rounds, oldest first."""
    query = select(SupervisionRound).where(SupervisionRound.decision_code == decision_code)
    return list(session.exec(query.order_by(col(SupervisionRound.held_on), col(SupervisionRound.id))))


def items_of(*, session: Session, round_id: int) -> list[Rectification]:
    """A round's rectification items in the order the report lists them."""
    query = select(Rectification).where(Rectification.round_id == round_id)
    return list(session.exec(query.order_by(col(Rectification.seq))))


def watched_tracking(*, session: Session) -> list[Watched]:
    """Dates of tracking and supervision the watch escalates: reports not handed in, milestones not done,
    rectification items not reported back (SPEC §6 levels: due soon, overdue)."""
    titles = {d.code: d.title for d in session.exec(select(Decision))}
    items: list[Watched] = []
    for report in session.exec(select(TrackingReport).where(TrackingReport.status == TrackingReportStatus.requested)):
        period = TrackingPeriod(report.period_start, report.period_end)
        items.append(
            Watched(
                kind="tracking_report",
                ref=f"{report.decision_code}/tracking/{report.period_key}",
                label=f"决策 {report.decision_code}《{titles[report.decision_code]}》{period.label}跟踪反馈报告",
                due=report.due_date,
                owner=report.unit,
            )
        )
    for milestone in session.exec(select(TrackingMilestone).where(col(TrackingMilestone.done_on).is_(None))):
        items.append(
            Watched(
                kind="milestone",
                ref=f"{milestone.decision_code}/milestone/{milestone.seq}",
                label=f"决策 {milestone.decision_code}《{titles[milestone.decision_code]}》时间节点 {milestone.seq}：{milestone.target}",
                due=milestone.due_date,
                owner=milestone.unit,
            )
        )
    for item in session.exec(select(Rectification).where(Rectification.status == RectificationStatus.open)):
        items.append(
            Watched(
                kind="rectification",
                ref=f"{item.decision_code}/rectification/{item.id}",
                label=f"决策 {item.decision_code}《{titles[item.decision_code]}》督查整改事项：{item.item}（须书面报告整改情况）",
                due=item.due_date,
                owner=item.unit,
            )
        )
    return items
