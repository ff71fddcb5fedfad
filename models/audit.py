"""The append-only, hash-chained audit log (minhang 档案 5–11: every step recorded, tamper-evident)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlmodel import Session, col, select

from pinggu.models.db import hold_lock
from pinggu.models.tables import AuditEvent, now_beijing

GENESIS = "0" * 64

# PostgreSQL advisory-lock key that serialises appends to the chain ("pinggu" in ASCII). Held until
# the appending transaction ends, so the next appender reads the hash this one wrote.
CHAIN_LOCK_KEY = 0x70696E676775


def digest_of(prev_hash: str, entry: dict[str, Any]) -> str:
    """The chain hash of an exported entry (as `exported` writes it) after `prev_hash`; pure, no database."""
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": entry["at"],
            "evaluation_id": entry["evaluation_id"],
            "decision_code": entry["decision_code"],
            "actor": entry["actor"],
            "action": entry["action"],
            "detail": entry["detail"],
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def exported(event: AuditEvent) -> dict[str, Any]:
    """An audit event as plain JSON with its hashes as stored: enough to recompute its hash elsewhere."""
    return {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(),
        "evaluation_id": event.evaluation_id,
        "decision_code": event.decision_code,
        "actor": event.actor,
        "action": event.action,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return digest_of(prev_hash, exported(event))


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
    hold_lock(session, CHAIN_LOCK_KEY)
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


@dataclass(frozen=True)
class ChainProblem:
    """One broken place in the audit chain: the entry where it shows, what kind, and a Chinese message."""

    event_id: int
    kind: str  # edited / deleted / reordered
    message: str


def link_problem(event_id: int, prev_hash: str, previous_id: int | None, where: dict[str, int]) -> ChainProblem:
    """Why `event_id` does not follow `previous_id`: reordered if its prev_hash is another entry's hash, else deleted."""
    after = f"第 {previous_id} 条" if previous_id is not None else "链首"
    if prev_hash in where and where[prev_hash] != previous_id:
        return ChainProblem(
            event_id,
            "reordered",
            f"审计记录第 {event_id} 条顺序被调换：它应接在第 {where[prev_hash]} 条之后，现位于{after}之后",
        )
    if prev_hash == GENESIS:
        return ChainProblem(event_id, "reordered", f"审计记录第 {event_id} 条顺序被调换：它本是链首，现位于{after}之后")
    return ChainProblem(
        event_id,
        "deleted",
        f"审计链在第 {event_id} 条之前断开：与{after}之间的记录被删除（或前一条被改写并重算了哈希）",
    )


def edit_problem(event_id: int, action: str) -> ChainProblem:
    """Entry `event_id` no longer hashes to its stored hash: its content was edited."""
    return ChainProblem(event_id, "edited", f"审计记录第 {event_id} 条（{action}）内容被修改：与其哈希不符")


def chain_problems(
    *, session: Session, evaluation_id: int | None = None, event_ids: Collection[int] | None = None
) -> list[ChainProblem]:
    """Every broken place in the whole chain: edited, deleted and reordered entries, in chain order.

    With `evaluation_id` (or `event_ids`, the entries of a decision's archive): only the problems from the first
    of those entries to the entry after the last (the stretch of the chain that vouches for those records).
    """
    problems: list[ChainProblem] = []
    links: list[tuple[int, str, int | None]] = []  # (id, prev_hash, previous id) of each broken link
    previous_id: int | None = None
    previous_hash = GENESIS
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        assert event.id is not None  # a stored event
        if event.prev_hash != previous_hash:
            links.append((event.id, event.prev_hash, previous_id))
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(edit_problem(event.id, event.action))
        previous_id, previous_hash = event.id, event.hash
    if links:
        where = {h: i for h, i in session.exec(select(AuditEvent.hash, AuditEvent.id)) if i is not None}
        problems += [link_problem(event_id, prev, before, where) for event_id, prev, before in links]
    problems.sort(key=lambda problem: (problem.event_id, problem.kind == "edited"))
    if evaluation_id is not None:
        event_ids = [
            i for i in session.exec(select(AuditEvent.id).where(AuditEvent.evaluation_id == evaluation_id)) if i
        ]
    if event_ids is not None:
        if not event_ids:
            return []
        after_last = session.exec(
            select(AuditEvent.id).where(col(AuditEvent.id) > max(event_ids)).order_by(col(AuditEvent.id)).limit(1)
        ).first()
        end = after_last if after_last is not None else max(event_ids)
        problems = [problem for problem in problems if min(event_ids) <= problem.event_id <= end]
    return problems


def verify_chain(*, session: Session) -> int | None:
    """Return the id of the first event whose hash does not match the chain, or None if intact."""
    problems = chain_problems(session=session)
    return problems[0].event_id if problems else None


def events_for(*, session: Session, evaluation_id: int, action: str | None = None) -> list[AuditEvent]:
    """Audit events of one evaluation, oldest first, optionally of one action."""
    query = select(AuditEvent).where(AuditEvent.evaluation_id == evaluation_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query.order_by(col(AuditEvent.id))))


def events_about(*, session: Session, name: str, login: str, limit: int = 200) -> list[AuditEvent]:
    """The latest `limit` events done by or about a person (their name or login name as actor or in the
    detail), oldest first."""
    wanted = [text for text in (name, login) if text]
    found = []
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())):
        words = [event.actor, *(str(v) for v in event.detail.values())]
        if any(text in word for word in words for text in wanted):
            found.append(event)
            if len(found) >= limit:
                break
    return list(reversed(found))
