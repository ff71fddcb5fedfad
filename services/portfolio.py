"""Where every evaluation stands, for the portfolio artifact and the wall-screen dashboard (read-only)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import col, select

from models import evaluations as store
from models.db import read_session
from models.tables import BEIJING, Decision, Evaluation, now_beijing
from rules.profiles import load_profiles
from rules.steps import STAGE_NAMES
from rules.vocabulary import EVALUATION_TYPE_NAMES, STATUS_NAMES, EvaluationStatus, FollowUpStatus, StageStatus


def evaluations_board(year: int | None = None, today: date | None = None) -> list[dict]:
    """One row per evaluation opened in `year` (default: all): stages with target and actual dates,
    open statutory deadlines and follow-ups, the next date, how many are overdue."""
    today = today or now_beijing().date()
    profiles = {pid: p.name for pid, p in load_profiles().items()}
    rows = []
    with read_session() as session:
        query = select(Evaluation).order_by(col(Evaluation.id))
        evaluations = [e for e in session.exec(query) if year is None or e.created_at.astimezone(BEIJING).year == year]
        decisions = {d.code: d for d in session.exec(select(Decision))}
        for evaluation in evaluations:
            decision = decisions[evaluation.decision_code]
            assert evaluation.id is not None  # a stored evaluation
            stages = store.stages(session=session, evaluation_id=evaluation.id)
            deadlines = store.deadlines(session=session, evaluation_id=evaluation.id)
            follow_ups = store.follow_ups(session=session, evaluation_id=evaluation.id)
            under_way = evaluation.status in (
                EvaluationStatus.running,
                EvaluationStatus.waiting,
                EvaluationStatus.reopened,
            )
            open_dates = [
                *[
                    (s.target_date, STAGE_NAMES[s.stage])
                    for s in stages
                    if under_way and s.status != StageStatus.done and s.target_date
                ],
                *[(d.due_date, f"{d.rule} {d.label}") for d in deadlines if d.met_at is None],
                *[(f.due_date, "后续措施") for f in follow_ups if f.status == FollowUpStatus.open],
            ]
            upcoming = min(open_dates, default=None)
            rows.append(
                {
                    "evaluation": evaluation.code,
                    "decision": decision.code,
                    "title": decision.title,
                    "profile": decision.profile,
                    "profile_name": profiles.get(decision.profile, decision.profile),
                    "unit": decision.lead_unit,
                    "type_name": EVALUATION_TYPE_NAMES[evaluation.type],
                    "status": evaluation.status,
                    "status_name": STATUS_NAMES[evaluation.status],
                    "waiting_for": evaluation.waiting_for,
                    "conclusion": evaluation.conclusion,
                    "report": evaluation.report_path,
                    "started_on": evaluation.starts_on,
                    "stages": [
                        {
                            "name": STAGE_NAMES[s.stage],
                            "status": s.status,
                            "target": s.target_date,
                            "started": s.started_at.astimezone(BEIJING).date() if s.started_at else None,
                            "finished": s.finished_at.astimezone(BEIJING).date() if s.finished_at else None,
                            "overdue": s.status != StageStatus.done
                            and under_way
                            and s.target_date is not None
                            and s.target_date < today,
                        }
                        for s in stages
                    ],
                    "next_date": upcoming[0] if upcoming else None,
                    "next_what": upcoming[1] if upcoming else None,
                    "overdue": sum(1 for due, _ in open_dates if due < today),
                }
            )
    return rows


def portfolio(rows: list[dict]) -> list[dict]:
    """The board summed by profile and unit: evaluations by status, the next date, how many items are overdue."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["profile_name"], row["unit"])].append(row)
    summary = []
    for (profile_name, unit), members in sorted(groups.items()):
        dates = [r["next_date"] for r in members if r["next_date"]]
        summary.append(
            {
                "规则": profile_name,
                "单位": unit,
                "评估数": len(members),
                "进行中": sum(
                    r["status"] in (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)
                    for r in members
                ),
                "已完成": sum(r["status"] == EvaluationStatus.completed for r in members),
                "下一期限": min(dates).isoformat() if dates else "—",
                "逾期事项": sum(r["overdue"] for r in members),
            }
        )
    return summary
