"""The year's evaluation work summed up for the annual law-based-administration assessment
(R-ANNUAL: bazhou 22, ningxia 18, minhang 16): done, on time, conclusions, by unit; the follow-ups those
conclusions opened (C-FOLLOWUP: open, closed, overdue); tracking and supervision."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.tables import BEIJING, Decision, Evaluation, PlanEntry, now_beijing
from pinggu.rules.profiles import load_profiles
from pinggu.rules.tracking import MilestoneState, missed
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, Conclusion, EvaluationStatus


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


def _decision_deadline_figures(session: Session, year: int, decisions: set[str]) -> dict[str, int]:
    """The decisions' own statutory deadlines (pinggu.models.tables.DecisionDeadline, e.g. MH-A10: the archive filed within
    10 working days of issue) due in the year: how many, met by their last day, and late (met after it, or not met
    and already past) — R-ANNUAL counts them beside the evaluations, which they do not belong to."""
    from pinggu.models.tables import DecisionDeadline

    as_of = min(now_beijing().date(), date(year, 12, 31))
    due = [
        d for d in session.exec(select(DecisionDeadline)) if d.decision_code in decisions and d.due_date.year == year
    ]
    return {
        "due": len(due),
        "on_time": sum(d.met_on is not None and d.met_on <= d.due_date for d in due),
        "late": sum((d.met_on or as_of) > d.due_date for d in due if d.met_on or d.due_date < as_of),
    }


def _tracking_figures(session: Session, year: int, decisions: set[str]) -> dict[str, int]:
    """R-ANNUAL counts tracking and supervision too (minhang 督查 6, changli 50: 纳入年度考核): reports due in the
    year, handed in, late; milestones due in the year and missed; supervision rounds, rectification items."""
    from pinggu.models.tables import Rectification, SupervisionRound, TrackingMilestone, TrackingReport

    as_of = min(now_beijing().date(), date(year, 12, 31))
    reports = [
        r for r in session.exec(select(TrackingReport)) if r.decision_code in decisions and r.due_date.year == year
    ]
    milestones = [
        m for m in session.exec(select(TrackingMilestone)) if m.decision_code in decisions and m.due_date.year == year
    ]
    rounds = [
        r for r in session.exec(select(SupervisionRound)) if r.decision_code in decisions and r.held_on.year == year
    ]
    round_ids = {r.id for r in rounds}
    items = [i for i in session.exec(select(Rectification)) if i.round_id in round_ids]
    return {
        "reports_due": len(reports),
        "reports_in": sum(r.submitted_on is not None for r in reports),
        "reports_late": sum(
            (r.submitted_on or as_of) > r.due_date for r in reports if r.submitted_on or r.due_date < as_of
        ),
        "milestones": len(milestones),
        "milestones_missed": sum(
            missed(MilestoneState(m.seq, m.target, m.due_date, m.unit, m.done_on), as_of) for m in milestones
        ),
        "rounds": len(rounds),
        "items": len(items),
        "items_closed": sum(i.closed_on is not None for i in items),
        "items_late": sum((i.reported_on or as_of) > i.due_date for i in items if i.reported_on or i.due_date < as_of),
    }


def _follow_up_figures(session: Session, year: int, decisions: set[str]) -> dict[str, int]:
    """C-FOLLOWUP in the year: the follow-ups due in it (withdrawn ones left out), reported back and closed (late
    among them), and still open (overdue among them, as of the year's end or today)."""
    from pinggu.models.tables import FollowUp
    from pinggu.rules.vocabulary import FollowUpStatus

    as_of = min(now_beijing().date(), date(year, 12, 31))
    items = [
        f
        for f in session.exec(select(FollowUp))
        if f.decision_code in decisions and f.due_date.year == year and f.status != FollowUpStatus.withdrawn
    ]
    closed = [f for f in items if f.status == FollowUpStatus.done]
    still_open = [f for f in items if f.status == FollowUpStatus.open]
    return {
        "due": len(items),
        "closed": len(closed),
        "closed_late": sum(
            f.closed_at is not None and f.closed_at.astimezone(BEIJING).date() > f.due_date for f in closed
        ),
        "open": len(still_open),
        "overdue": sum(f.due_date < as_of for f in still_open),
    }


def annual_summary(year: int, profile: str | None = None) -> dict[str, Any]:
    """The summary's figures: totals, by unit, conclusions, the plan's items and their starts."""
    names = {pid: p.name for pid, p in load_profiles().items()}
    with read_session() as session:
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
        tracking = _tracking_figures(session, year, set(decisions))
        decision_deadlines = _decision_deadline_figures(session, year, set(decisions))
        follow_ups = _follow_up_figures(session, year, set(decisions))
    conclusions = Counter(e.conclusion for e in done if e.conclusion)
    return {
        "tracking": tracking,
        "decision_deadlines": decision_deadlines,
        "follow_ups": follow_ups,
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
