"""Where every evaluation and tracked decision stands, summed up for the portfolio artifact and the wall-screen
dashboard (read-only); the rows themselves are pinggu.services.ledger's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import Decision, now_beijing
from pinggu.rules.vocabulary import EvaluationStatus
from pinggu.services.ledger import EVALUATIONS_UNDER_WAY, EvaluationRow, late


def portfolio(rows: Sequence[EvaluationRow]) -> list[dict]:
    """The evaluations (pinggu.services.ledger.evaluation_rows) summed by profile and unit: evaluations by status,
    the next date, how many items are overdue."""
    groups: dict[tuple[str, str], list[EvaluationRow]] = defaultdict(list)
    for row in rows:
        groups[(row.profile_name, row.unit)].append(row)
    summary = []
    for (profile_name, unit), members in sorted(groups.items()):
        dates = [r.next_date for r in members if r.next_date]
        summary.append(
            {
                "规则": profile_name,
                "单位": unit,
                "评估数": len(members),
                "进行中": sum(r.status in EVALUATIONS_UNDER_WAY for r in members),
                "已完成": sum(r.status == EvaluationStatus.completed for r in members),
                "下一期限": min(dates).isoformat() if dates else "—",
                "逾期事项": sum(r.overdue_items for r in members),
            }
        )
    return summary


def tracking_history(decision_code: str, today: date | None = None) -> dict | None:
    """A decision's tracking and supervision (OR-6/8/9/10, MH-S6, E-PUBLIC) as status and the dashboard show
    it; None when it has no tracking plan, no opinion and no supervision round."""
    from pinggu.models import tracking as kept
    from pinggu.models.tables import TrackingPlan
    from pinggu.rules.tracking import RECTIFICATION_STATUS_NAMES, RectificationStatus, TrackingPeriod, milestone_text, missed
    from pinggu.rules.vocabulary import TRACKING_REPORT_STATUS_NAMES, TrackingReportStatus

    today = today or now_beijing().date()
    with read_session() as session:
        plan = session.get(TrackingPlan, decision_code)
        reports = kept.reports_of(session=session, decision_code=decision_code)
        milestones = kept.milestone_states(session=session, decision_code=decision_code)
        opinions = kept.opinions_of(session=session, decision_code=decision_code)
        rounds = [
            (r, kept.items_of(session=session, round_id=r.id))
            for r in kept.rounds_of(session=session, decision_code=decision_code)
            if r.id is not None
        ]
        if plan is None and not opinions and not rounds:
            return None
        report_rows = []
        for r in reports:
            report_rows.append(
                {
                    "period": TrackingPeriod(r.period_start, r.period_end).label,
                    "due": r.due_date,
                    "status": TRACKING_REPORT_STATUS_NAMES[TrackingReportStatus(r.status)],
                    "submitted_on": r.submitted_on,
                    "late": late(r.due_date, r.submitted_on, today),
                    "serious": (r.content or {}).get("serious", "无"),
                    "pdf": r.pdf_path,
                }
            )
        return {
            "plan": None
            if plan is None
            else {
                "responsible_body": plan.responsible_body,
                "responsible_people": plan.responsible_people,
                "methods": plan.methods,
                "tracking_from": plan.tracking_from,
            },
            "milestones": [
                {
                    "seq": m.seq,
                    "target": m.target,
                    "due": m.due,
                    "unit": m.unit,
                    "state": milestone_text(m, today),
                    "missed": missed(m, today),
                }
                for m in milestones
            ],
            "reports": report_rows,
            "opinions": [{"on": o.received_on, "channel": o.channel, "summary": o.summary} for o in opinions],
            "supervision": [
                {
                    "held_on": r.held_on,
                    "supervisor": r.supervisor,
                    "methods": r.methods,
                    "pdf": r.pdf_path,
                    "items": [
                        {
                            "id": i.id,
                            "seq": i.seq,
                            "item": i.item,
                            "unit": i.unit,
                            "due": i.due_date,
                            "status": RECTIFICATION_STATUS_NAMES[RectificationStatus(i.status)],
                            "overdue": i.status == RectificationStatus.open and i.due_date < today,
                        }
                        for i in items
                    ],
                }
                for r, items in rounds
            ],
        }


def tracking_board(today: date | None = None) -> list[dict]:
    """One row per decision under tracking or supervision: reports handed in and overdue, milestones missed,
    rectification items open and overdue (the tracking artifact and the dashboard)."""
    from pinggu.models.tables import PublicOpinion, SupervisionRound, TrackingPlan

    today = today or now_beijing().date()
    with read_session() as session:
        codes = sorted(
            set(session.exec(select(TrackingPlan.decision_code)))
            | set(session.exec(select(SupervisionRound.decision_code)))
            | set(session.exec(select(PublicOpinion.decision_code)))
        )
        decisions = {d.code: d for d in session.exec(select(Decision))}
    rows = []
    for code in codes:
        history = tracking_history(code, today)
        assert history is not None
        reports, milestones = history["reports"], history["milestones"]
        items = [i for r in history["supervision"] for i in r["items"]]
        rows.append(
            {
                "决策编号": code,
                "决策名称": decisions[code].title,
                "承办单位": decisions[code].lead_unit,
                "跟踪报告": f"应报 {len(reports)}，已报 {sum(r['submitted_on'] is not None for r in reports)}，"
                f"逾期 {sum(r['late'] for r in reports)}",
                "时间节点": f"共 {len(milestones)}，完成 {sum(m['state'].startswith(('已完成', '逾期完成')) for m in milestones)}，"
                f"未按期 {sum(m['missed'] for m in milestones)}",
                "未按期的节点": "；".join(f"{m['seq']}. {m['target']}（{m['due']}）" for m in milestones if m["missed"])
                or "无",
                "整改事项": f"共 {len(items)}，办结 {sum(i['status'] == '已办结' for i in items)}，逾期 {sum(i['overdue'] for i in items)}",
                "公众意见": len(history["opinions"]),
            }
        )
    return rows
