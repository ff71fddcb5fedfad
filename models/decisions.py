"""Persistence of catalog decisions (决策事项目录)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Decision, DecisionOutcome, Evaluation, TriggerEvent, now_beijing
from rules.vocabulary import EvaluationStatus


def upsert_decisions(*, session: Session, rows: Iterable[Any], source: str) -> tuple[int, int]:
    """Insert or update decisions by 编号 from validated catalog rows; return (created, updated)."""
    rows = list(rows)
    existing = {d.code: d for d in session.exec(select(Decision).where(col(Decision.code).in_([r.code for r in rows])))}
    created = updated = 0
    for row in rows:
        values = row.model_dump()
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
    audit.record(session=session, action="catalog_imported", source=source, created=created, updated=updated)
    return created, updated


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

    MH-2 (minhang 2): refused unless the decision's evaluation is complete — none may be under way,
    and the latest one must have reached an approved report.
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
    if not evaluations or unfinished:
        state = f"评估 {'、'.join(unfinished)} 尚未完成" if unfinished else "尚无已完成的后评估"
        raise RuleViolation(
            f"决策 {decision_code}《{decision.title}》{state}，不能作出继续执行、调整、中止执行或终止执行的决定；"
            "请先完成评估并经审定",
            rule="MH-2",
            decision=decision_code,
        )
    basis = evaluations[-1]
    entry = DecisionOutcome(
        decision_code=decision_code,
        outcome=outcome,
        evaluation_code=basis.code,
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
        evaluation=basis.code,
        evaluation_conclusion=basis.conclusion,
        rule="MH-2",
    )
    return entry
