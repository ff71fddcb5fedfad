"""Persistence of catalog decisions (决策事项目录)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import (
    Decision,
    DecisionDeadline,
    DecisionOutcome,
    Evaluation,
    SuperiorAssistance,
    TriggerEvent,
    now_beijing,
)
from rules.deadlines import started_by
from rules.profiles import load_profile
from rules.vocabulary import EvaluationStatus


def upsert_decisions(*, session: Session, rows: Iterable[Any], source: str) -> tuple[int, int]:
    """Insert or update decisions by 编号 from validated catalog rows; return (created, updated)."""
    rows = list(rows)
    existing = {d.code: d for d in session.exec(select(Decision).where(col(Decision.code).in_([r.code for r in rows])))}
    created = updated = 0
    assisted = {a.decision_code: a for a in session.exec(select(SuperiorAssistance))}
    for row in rows:
        values = row.model_dump()
        assists = values.pop("assists_superior", False)
        _set_assistance(session, row.code, assists, assisted.get(row.code), source)
        decision = existing.get(row.code)
        if decision is None:
            session.add(Decision(**values, updated_at=now_beijing()))
            created += 1
        else:
            for field, value in values.items():
                setattr(decision, field, value)
            decision.updated_at = now_beijing()
            session.add(decision)
            updated += 1
    session.flush()
    for decision in list(session.exec(select(Decision).where(col(Decision.code).in_([r.code for r in rows])))):
        start_decision_deadlines(session=session, decision=decision)
    audit.record(session=session, action="catalog_imported", source=source, created=created, updated=updated)
    return created, updated


def _set_assistance(
    session: Session, code: str, assists: bool, recorded: SuperiorAssistance | None, source: str
) -> None:
    """Keep the catalog's 协助上级评估 as a row of superiorassistance (present = 是)."""
    if assists and recorded is None:
        session.add(SuperiorAssistance(decision_code=code, source=source))
    elif not assists and recorded is not None:
        session.delete(recorded)


def assisted_decisions(*, session: Session) -> set[str]:
    """Codes of the decisions whose superior evaluation this body assists (bazhou 16(2), changli 63(2))."""
    return {a.decision_code for a in session.exec(select(SuperiorAssistance))}


def start_decision_deadlines(*, session: Session, decision: Decision) -> list[DecisionDeadline]:
    """Start the deadlines the decision's issue starts (MH-A10) once; a corrected issue date moves one not yet met."""
    if decision.decided_on is None:
        return []
    existing = {
        d.rule: d for d in session.exec(select(DecisionDeadline).where(DecisionDeadline.decision_code == decision.code))
    }
    started = []
    for due in started_by(load_profile(decision.profile), "decision_issued", decision.decided_on):
        record = existing.get(due.rule)
        if record is not None and (record.met_on is not None or record.from_date == due.from_date):
            continue
        record = record or DecisionDeadline(
            decision_code=decision.code, rule=due.rule, label="", basis="", counted_from="", until="",
            from_date=due.from_date, due_date=due.due.due,
        )  # fmt: skip
        record.label, record.basis, record.counted_from, record.until = (
            due.label,
            due.basis,
            due.counted_from,
            due.until,
        )
        record.from_date, record.due_date, record.provisional = (
            due.from_date,
            due.due.due,
            not due.due.calendar_complete,
        )
        session.add(record)
        started.append(record)
        audit.record(
            session=session,
            action="decision_deadline_started",
            decision_code=decision.code,
            rule=due.rule,
            from_date=due.from_date,
            due_date=due.due.due,
        )
    return started


def decision_deadlines(*, session: Session, decision_code: str) -> list[DecisionDeadline]:
    """The decision's own statutory deadlines (MH-A10), by rule."""
    query = select(DecisionDeadline).where(DecisionDeadline.decision_code == decision_code)
    return list(session.exec(query.order_by(col(DecisionDeadline.rule))))


def record_archive_filed(*, session: Session, decision_code: str, on: date, by: str) -> list[DecisionDeadline]:
    """The lead unit filed the decision's archive on `on` (MH-A10): meets the deadlines that wait for it."""
    from core.errors import NotFound, StateConflict

    decision = session.get(Decision, decision_code)
    if decision is None:
        raise NotFound(
            f"决策事项 {decision_code} 不存在，请先导入决策目录（pinggu catalog import 文件）", code=decision_code
        )
    if not by.strip():
        raise StateConflict("请填写报备人姓名及职务（--by）")
    if on > now_beijing().date() or (decision.decided_on and on < decision.decided_on):
        raise StateConflict(f"报备日期 {on} 应在决策出台之日（{decision.decided_on}）与今天之间")
    waiting = [
        d for d in decision_deadlines(session=session, decision_code=decision_code) if d.until == "archive_filed"
    ]
    if not waiting:
        raise StateConflict(
            f"决策 {decision_code}《{decision.title}》没有须报备档案的法定期限（所属规则未规定，或目录未填决策日期）"
        )
    for deadline in waiting:
        if deadline.met_on is None:
            deadline.met_on, deadline.recorded_by = on, by.strip()
            session.add(deadline)
            audit.record(
                session=session, action="decision_deadline_met", actor=by.strip(), decision_code=decision_code,
                rule=deadline.rule, met_on=on, due_date=deadline.due_date,
            )  # fmt: skip
    return waiting


def list_decisions(*, session: Session) -> list[Decision]:
    """All decisions, by 编号."""
    return list(session.exec(select(Decision).order_by(col(Decision.code))))


def record_trigger(
    *,
    session: Session,
    decision_code: str,
    kind: str,
    occurred_on: date,
    note: str,
    recorded_by: str,
    approved_on: date | None = None,
) -> TriggerEvent:
    """Record an event trigger against a decision, with an audit entry."""
    event = TriggerEvent(
        decision_code=decision_code,
        kind=kind,
        occurred_on=occurred_on,
        note=note,
        recorded_by=recorded_by,
        approved_on=approved_on,
    )
    session.add(event)
    session.flush()
    audit.record(
        session=session,
        action="trigger_recorded",
        actor=recorded_by or "系统",
        decision_code=decision_code,
        kind=kind,
        occurred_on=occurred_on,
        approved_on=approved_on,
        note=note,
    )
    return event


def list_triggers(*, session: Session) -> list[TriggerEvent]:
    """Every recorded event trigger, oldest first."""
    return list(session.exec(select(TriggerEvent).order_by(col(TriggerEvent.id))))


def record_outcome(
    *,
    session: Session,
    decision_code: str,
    outcome: str,
    decided_by: str,
    decided_by_role: str,
    decided_on: date,
    note: str = "",
) -> DecisionOutcome:
    """Record the decision body's decision to continue, adjust, suspend or terminate a decision.

    MH-2, where the profile applies it (safeguards.outcome_needs_evaluation; minhang 2(3)): refused
    unless the decision's evaluation is complete — none may be under way, and the latest one must
    have reached an approved report. Elsewhere the latest completed evaluation, if any, is recorded.
    """
    from core.errors import NotFound, RuleViolation, StateConflict
    from rules.vocabulary import Conclusion

    decision = session.get(Decision, decision_code)
    if decision is None:
        raise NotFound(
            f"决策事项 {decision_code} 不存在，请先导入决策目录（pinggu catalog import 文件）", code=decision_code
        )
    allowed = [c.value for c in Conclusion]
    if outcome not in allowed:
        raise StateConflict(f"决定应为 {'、'.join(allowed)} 之一，收到：{outcome}")
    if not decided_by.strip() or not decided_by_role.strip():
        raise StateConflict("请填写作出决定的人员姓名（--by）和职务（--role）")
    evaluations = list(
        session.exec(
            select(Evaluation)
            .where(Evaluation.decision_code == decision_code, Evaluation.status != EvaluationStatus.not_started)
            .order_by(col(Evaluation.id))
        )
    )
    unfinished = [e.code for e in evaluations if e.status != EvaluationStatus.completed]
    profile = load_profile(decision.profile)
    required = profile.applied(profile.safeguards.outcome_needs_evaluation)
    if required is not None and (not evaluations or unfinished):
        state = f"评估 {'、'.join(unfinished)} 尚未完成" if unfinished else "尚无已完成的后评估"
        raise RuleViolation(
            f"决策 {decision_code}《{decision.title}》{state}，不能作出继续执行、调整、中止执行或终止执行的决定；"
            f"请先完成评估并经审定（{required}）",
            rule="MH-2",
            decision=decision_code,
        )
    completed = [e for e in evaluations if e.status == EvaluationStatus.completed]
    basis = completed[-1] if completed else None
    entry = DecisionOutcome(
        decision_code=decision_code,
        outcome=outcome,
        evaluation_code=basis.code if basis else None,
        decided_by=decided_by.strip(),
        decided_by_role=decided_by_role.strip(),
        decided_on=decided_on,
        note=note.strip(),
    )
    session.add(entry)
    audit.record(
        session=session,
        action="decision_outcome_recorded",
        actor=f"{entry.decided_by}（{entry.decided_by_role}）",
        decision_code=decision_code,
        outcome=outcome,
        evaluation=basis.code if basis else None,
        evaluation_conclusion=basis.conclusion if basis else None,
        rule="MH-2" if required is not None else None,
    )
    return entry
