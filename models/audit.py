"""The append-only, hash-chained audit log (minhang 档案 5–11: every step recorded, tamper-evident)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from models.tables import AuditEvent, now_beijing

GENESIS = "0" * 64

# PostgreSQL advisory-lock key that serialises appends to the chain ("pinggu" in ASCII). Held until
# the appending transaction ends, so the next appender reads the hash this one wrote.
CHAIN_LOCK_KEY = 0x70696E676775


def _lock_chain(session: Session) -> None:
    # On SQLite the write transaction already holds the database's one write lock (models.db).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": event.at.astimezone(UTC).isoformat(),
            "evaluation_id": event.evaluation_id,
            "decision_code": event.decision_code,
            "actor": event.actor,
            "action": event.action,
            "detail": event.detail,
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    *,
    session: Session,
    action: str,
    actor: str = "系统",
    evaluation_id: int | None = None,
    decision_code: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit event chained to the previous one."""
    _lock_chain(session)
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    prev_hash = last or GENESIS
    event = AuditEvent(
        at=now_beijing(),
        evaluation_id=evaluation_id,
        decision_code=decision_code,
        actor=actor,
        action=action,
        detail=json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _digest(prev_hash, event)
    session.add(event)
    session.flush()
    return event


def verify_chain(*, session: Session) -> int | None:
    """Return the id of the first event whose hash does not match the chain, or None if intact."""
    prev_hash = GENESIS
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if event.prev_hash != prev_hash or _digest(prev_hash, event) != event.hash:
            return event.id
        prev_hash = event.hash
    return None


def events_for(*, session: Session, evaluation_id: int, action: str | None = None) -> list[AuditEvent]:
    """Audit events of one evaluation, oldest first, optionally of one action."""
    query = select(AuditEvent).where(AuditEvent.evaluation_id == evaluation_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query.order_by(col(AuditEvent.id))))
