"""The year's evaluation work summed up for the annual law-based-administration assessment
(R-ANNUAL: bazhou 22, ningxia 18, minhang 16): done, on time, conclusions, by unit."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import evaluations as store
from models.db import session_scope
from models.tables import BEIJING, Decision, Evaluation, PlanEntry
from rules.profiles import load_profiles
from rules.vocabulary import EVALUATION_TYPE_NAMES, Conclusion, EvaluationStatus


def _completed_on(evaluation: Evaluation) -> date:
    """The day (Beijing time) a completed evaluation was completed."""
    assert evaluation.completed_at is not None  # set together with the status "completed"
    return evaluation.completed_at.astimezone(BEIJING).date()


def _on_time(session: Session, evaluation: Evaluation) -> bool:
    """Completed by its last stage's target date, and every statutory deadline met in time."""
    assert evaluation.id is not None  # a stored evaluation
    completed_on = _completed_on(evaluation)
    stages = store.stages(session=session, evaluation_id=evaluation.id)
    last_target = max((s.target_date for s in stages if s.target_date), default=None)
    deadlines = store.deadlines(session=session, evaluation_id=evaluation.id)
    statutory = all(d.met_at is not None and d.met_at.astimezone(BEIJING).date() <= d.due_date for d in deadlines)
    return (last_target is None or completed_on <= last_target) and statutory


def annual_summary(year: int, profile: str | None = None) -> dict[str, Any]:
    """The summary's figures: totals, by unit, conclusions, the plan's items and their starts."""
    names = {pid: p.name for pid, p in load_profiles().items()}
    with session_scope() as session:
        decisions = {d.code: d for d in session.exec(select(Decision)) if profile is None or d.profile == profile}
        evaluations = [
            e
            for e in session.exec(select(Evaluation).order_by(col(Evaluation.id)))
            if e.decision_code in decisions
            and (
                (e.completed_at and e.completed_at.astimezone(BEIJING).year == year)
                or (e.created_at.astimezone(BEIJING).year == year)
            )
        ]
        done = [
            e
            for e in evaluations
            if e.status == EvaluationStatus.completed
            and e.completed_at
            and e.completed_at.astimezone(BEIJING).year == year
        ]
        on_time = {e.id: _on_time(session, e) for e in done}
        planned = [
            p for p in session.exec(select(PlanEntry).where(PlanEntry.year == year)) if p.decision_code in decisions
        ]
        rows: dict[str, dict[str, int]] = defaultdict(
            lambda: {"done": 0, "on_time": 0, "under_way": 0, "not_started": 0, **{c.value: 0 for c in Conclusion}}
        )
        for e in evaluations:
            row = rows[decisions[e.decision_code].lead_unit]
            if e in done:
                row["done"] += 1
                row["on_time"] += on_time[e.id]
                if e.conclusion:
                    row[e.conclusion] += 1
            elif e.status == EvaluationStatus.not_started:
                row["not_started"] += 1
            elif e.status != EvaluationStatus.completed:
                row["under_way"] += 1
        details = [
            {
                "code": e.code,
                "decision": e.decision_code,
                "title": decisions[e.decision_code].title,
                "unit": decisions[e.decision_code].lead_unit,
                "profile": names.get(decisions[e.decision_code].profile),
                "type": EVALUATION_TYPE_NAMES[e.type],
                "completed_on": _completed_on(e),
                "on_time": on_time[e.id],
                "conclusion": e.conclusion,
            }
            for e in done
        ]
    conclusions = Counter(e.conclusion for e in done if e.conclusion)
    return {
        "year": year,
        "profile": names.get(profile) if profile else None,
        "planned": len(planned),
        "planned_started": sum(1 for p in planned if p.flow_run_id or p.evaluation_code),
        "done": len(done),
        "on_time": sum(on_time.values()),
        "under_way": sum(r["under_way"] for r in rows.values()),
        "not_started": sum(r["not_started"] for r in rows.values()),
        "conclusions": {c.value: conclusions.get(c.value, 0) for c in Conclusion},
        "units": [{"unit": unit, **row} for unit, row in sorted(rows.items())],
        "details": details,
    }
