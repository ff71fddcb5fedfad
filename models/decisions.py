"""Persistence of catalog decisions (决策事项目录)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, select

from models import audit
from models.tables import Decision, now_beijing


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
