"""Persistence of catalog decisions (决策事项目录)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import delete, insert, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from pinggu.models import audit
from pinggu.models.tables import (
    Decision,
    DecisionDeadline,
    DecisionOutcome,
    Evaluation,
    SuperiorAssistance,
    TriggerEvent,
    now_beijing,
)
from pinggu.rules.deadlines import DueDeadline, started_by
from pinggu.rules.profiles import load_profile
from pinggu.rules.vocabulary import EvaluationStatus

# A bulk INSERT writes None as NULL, so rows with different blank cells still go in one executemany
# (by default SQLAlchemy leaves out None values and groups rows by the columns they fill).
_ALL_COLUMNS = {"render_nulls": True}
# Codes per `IN (…)` query: well under every backend's limit on bound parameters (SQLite's was 999).
_CODES_PER_QUERY = 500


class _IssuedDecision(Protocol):
    """What starting a decision's deadlines reads: a catalog row or a stored Decision."""

    @property
    def code(self) -> str: ...

    @property
    def profile(self) -> str: ...

    @property
    def decided_on(self) -> date | None: ...


def upsert_decisions(*, session: Session, rows: Iterable[Any], source: str) -> tuple[int, int]:
    """Insert or update decisions by 编号 from validated catalog rows; return (created, updated).

    Written in bulk (a few statements whatever the number of rows; Decision objects already loaded in
    `session` are not refreshed), with one audit entry for the whole import that names every deadline it
    started or moved (MH-A10); importing the same catalog again starts nothing twice.
    """
    rows = list(rows)
    known = _stored(session, Decision.code, [row.code for row in rows])
    now = now_beijing()
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for row in rows:
        values = row.model_dump(exclude={"assists_superior"}) | {"updated_at": now}
        if row.code in known:
            updated.append(values)
        else:
            created.append(values | {"pre_decision_assessors": []})
    # Decisions first: superiorassistance and decisiondeadline rows refer to them.
    if created:
        session.exec(insert(Decision), params=created, execution_options=_ALL_COLUMNS)
    if updated:
        session.exec(update(Decision), params=updated)
    _set_assistance(session, rows, source, now)
    started = _start_deadlines(session, rows)
    audit.record(
        session=session,
        action="catalog_imported",
        source=source,
        created=len(created),
        updated=len(updated),
        deadlines_started=started,
    )
    return len(created), len(updated)


def _chunks(codes: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(codes), _CODES_PER_QUERY):
        yield codes[start : start + _CODES_PER_QUERY]


def _stored(session: Session, column: Any, codes: Sequence[str]) -> set[str]:
    """Which of `codes` `column` (a decision code column) already holds."""
    found: set[str] = set()
    for chunk in _chunks(codes):
        found.update(session.exec(select(column).where(col(column).in_(chunk))))
    return found


def _set_assistance(session: Session, rows: Sequence[Any], source: str, now: datetime) -> None:
    """Keep the catalog's 协助上级评估 as a row of superiorassistance (present = 是)."""
    recorded = _stored(session, SuperiorAssistance.decision_code, [row.code for row in rows])
    added = [
        {"decision_code": row.code, "source": source, "recorded_at": now}
        for row in rows
        if row.assists_superior and row.code not in recorded
    ]
    removed = [row.code for row in rows if not row.assists_superior and row.code in recorded]
    if added:
        session.exec(insert(SuperiorAssistance), params=added, execution_options=_ALL_COLUMNS)
    for chunk in _chunks(removed):
        session.exec(delete(SuperiorAssistance).where(col(SuperiorAssistance.decision_code).in_(chunk)))


def assisted_decisions(*, session: Session) -> set[str]:
    """Codes of the decisions whose superior evaluation this body assists (bazhou 16(2), changli 63(2))."""
    return {a.decision_code for a in session.exec(select(SuperiorAssistance))}


def start_decision_deadlines(*, session: Session, decision: Decision) -> list[DecisionDeadline]:
    """Start the deadlines the decision's issue starts (MH-A10) once, an audit entry each; a corrected issue date
    moves one not yet met."""
    started = _start_deadlines(session, [decision])
    for entry in started:
        audit.record(session=session, action="decision_deadline_started", **entry)
    rules = {entry["rule"] for entry in started}
    return [d for d in decision_deadlines(session=session, decision_code=decision.code) if d.rule in rules]


def _start_deadlines(session: Session, decisions: Sequence[_IssuedDecision]) -> list[dict[str, Any]]:
    """Start, in bulk, the deadlines the decisions' issue starts that are not running yet, and move those not
    yet met whose issue date was corrected; return each started or moved one (decision, rule, from, due)."""
    issued = [d for d in decisions if d.decided_on is not None]
    if not issued:
        return []
    running: dict[tuple[str, str], tuple[date, date | None]] = {}  # (decision, rule) → (from, met)
    for chunk in _chunks([d.code for d in issued]):
        query = select(
            DecisionDeadline.decision_code,
            DecisionDeadline.rule,
            col(DecisionDeadline.from_date),
            col(DecisionDeadline.met_on),
        ).where(col(DecisionDeadline.decision_code).in_(chunk))
        for code, rule, from_date, met_on in session.exec(query):
            running[code, rule] = (from_date, met_on)
    # Many decisions share a profile and an issue date: each pair is counted once.
    due_of: dict[tuple[str, date], list[DueDeadline]] = {}
    now = now_beijing()
    new: list[dict[str, Any]] = []
    started: list[dict[str, Any]] = []
    for decision in issued:
        assert decision.decided_on is not None  # filtered above
        key = (decision.profile, decision.decided_on)
        if key not in due_of:
            due_of[key] = started_by(load_profile(decision.profile), "decision_issued", decision.decided_on)
        for due in due_of[key]:
            record = running.get((decision.code, due.rule))
            if record is not None and (record[1] is not None or record[0] == due.from_date):
                continue
            values = {
                "label": due.label,
                "basis": due.basis,
                "counted_from": due.counted_from,
                "until": due.until,
                "from_date": due.from_date,
                "due_date": due.due.due,
                "provisional": not due.due.calendar_complete,
            }
            if record is None:
                new.append({"decision_code": decision.code, "rule": due.rule, "created_at": now} | values)
            else:  # a corrected issue date (rare): through the session, so a loaded record sees it
                moved = session.exec(
                    select(DecisionDeadline).where(
                        DecisionDeadline.decision_code == decision.code, DecisionDeadline.rule == due.rule
                    )
                ).one()
                for field, value in values.items():
                    setattr(moved, field, value)
                session.add(moved)
            started.append(
                {
                    "decision_code": decision.code,
                    "rule": due.rule,
                    "from_date": due.from_date,
                    "due_date": due.due.due,
                }
            )
    if new:
        session.exec(insert(DecisionDeadline), params=new, execution_options=_ALL_COLUMNS)
    return started


def decision_deadlines(*, session: Session, decision_code: str) -> list[DecisionDeadline]:
    """The decision's own statutory deadlines (MH-A10), by rule."""
    query = select(DecisionDeadline).where(DecisionDeadline.decision_code == decision_code)
    return list(session.exec(query.order_by(col(DecisionDeadline.rule))))


def record_archive_filed(*, session: Session, decision_code: str, on: date, by: str) -> list[DecisionDeadline]:
    """The lead unit filed the decision's archive on `on` (MH-A10): meets the deadlines that wait for it."""
    from pinggu.core.errors import NotFound, StateConflict

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


def decision_columns(
    *, session: Session, names: Sequence[str], profile: str | None = None, code: str | None = None
) -> list[dict[str, Any]]:
    """The named catalog columns of every decision (or of one profile's, or of one), by 编号, as plain dicts:
    the annual plan's read of a large catalog, without building a Decision per row."""
    query = sql_select(*(col(getattr(Decision, name)) for name in names)).order_by(col(Decision.code))
    if profile is not None:
        query = query.where(col(Decision.profile) == profile)
    if code is not None:
        query = query.where(col(Decision.code) == code)
    return [row._asdict() for row in session.execute(query)]


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
    from pinggu.core.errors import NotFound, RuleViolation, StateConflict
    from pinggu.rules.vocabulary import Conclusion

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
