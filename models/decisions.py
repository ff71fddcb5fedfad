"""Persistence of catalog decisions (决策事项目录)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from models import audit
from models.tables import Decision, TriggerEvent, now_beijing


def upsert_decisions(*, session: Session, rows: Iterable[Any], source: str) -> tuple[int, int]:
    """Insert or update decisions by 编号 from validated catalog rows; return (created, updated)."""
    rows = list(rows)
    existing = {d.code: d for d in session.exec(select(Decision).where(Decision.code.in_([r.code for r in rows])))}
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
    return list(session.exec(select(Decision).order_by(Decision.code)))


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
    return list(session.exec(select(TriggerEvent).order_by(TriggerEvent.id)))
