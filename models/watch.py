"""What the deadline watch reads (dates to meet) and writes (escalations and their deliveries).

An escalation is committed before any notification is attempted, so an endpoint that is down never
loses the record of what was due; a delivery that failed stays pending for the next watch run.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from pinggu.core.links import follow_up_url
from pinggu.models import audit
from pinggu.models.tables import (
    BEIJING,
    DeadlineRecord,
    Decision,
    DecisionDeadline,
    Escalation,
    Evaluation,
    FollowUp,
    Notification,
    StageRecord,
    now_beijing,
)
from pinggu.models.tracking import watched_tracking
from pinggu.rules.gates import gate_stage
from pinggu.rules.steps import STAGE_NAMES
from pinggu.rules.vocabulary import DeliveryStatus, EvaluationStatus, FollowUpStatus, StageStatus
from pinggu.rules.watch import Alert, Watched

UNDER_WAY = (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)


def watched_items(*, session: Session) -> list[Watched]:
    """Every open date: unfinished stages, waiting gates, unmet statutory deadlines, open follow-ups, and
    tracking reports, milestones and rectification items not yet done."""
    items: list[Watched] = []
    evaluations = {e.id: e for e in session.exec(select(Evaluation).where(col(Evaluation.status).in_(UNDER_WAY)))}
    titles = {d.code: d.title for d in session.exec(select(Decision))}
    stages = session.exec(select(StageRecord).where(col(StageRecord.evaluation_id).in_(list(evaluations))))
    targets: dict[tuple[int, str], StageRecord] = {}
    for stage in stages:
        targets[(stage.evaluation_id, stage.stage)] = stage
        evaluation = evaluations[stage.evaluation_id]
        if stage.status != StageStatus.done and stage.target_date:
            items.append(
                Watched(
                    kind="stage",
                    ref=f"{evaluation.code}/stage/{stage.stage}",
                    evaluation=evaluation.code,
                    label=f"{evaluation.code}《{titles[evaluation.decision_code]}》{STAGE_NAMES[stage.stage]}",
                    due=stage.target_date,
                    owner="评估小组",
                )
            )
    for evaluation in evaluations.values():
        assert evaluation.id is not None  # a stored evaluation
        stage_of_gate = gate_stage(evaluation.waiting_gate)
        waiting_stage = targets.get((evaluation.id, stage_of_gate)) if stage_of_gate else None
        if evaluation.waiting_gate and waiting_stage and waiting_stage.target_date:
            items.append(
                Watched(
                    kind="gate",
                    ref=f"{evaluation.code}/gate/{evaluation.waiting_gate}",
                    evaluation=evaluation.code,
                    label=f"{evaluation.code}《{titles[evaluation.decision_code]}》等待：{evaluation.waiting_for}",
                    due=waiting_stage.target_date,
                )
            )
    code_of = {e.id: e.code for e in session.exec(select(Evaluation))}
    for deadline in session.exec(
        select(DeadlineRecord).where(col(DeadlineRecord.met_at).is_(None), col(DeadlineRecord.superseded).is_(False))
    ):
        code = code_of[deadline.evaluation_id]
        items.append(
            Watched(
                kind="deadline",
                ref=f"{code}/deadline/{deadline.rule}",
                evaluation=code,
                label=f"{code} 法定期限 {deadline.rule} {deadline.label}（{deadline.basis}）",
                due=deadline.due_date,
            )
        )
    for own in session.exec(select(DecisionDeadline).where(col(DecisionDeadline.met_on).is_(None))):
        if own.due_date < own.created_at.astimezone(BEIJING).date():
            # Already past when the catalog brought the decision in: the filing may well have happened
            # before this system; `pinggu status` asks for it to be recorded, the watch does not escalate.
            continue
        items.append(
            Watched(
                kind="deadline",
                ref=f"{own.decision_code}/deadline/{own.rule}",
                label=f"决策 {own.decision_code}《{titles.get(own.decision_code, '')}》法定期限 {own.rule} {own.label}（{own.basis}）",
                due=own.due_date,
            )
        )
    for item in session.exec(select(FollowUp).where(FollowUp.status == FollowUpStatus.open)):
        code = code_of[item.evaluation_id]
        assert item.id is not None  # a stored follow-up
        items.append(
            Watched(
                kind="follow_up",
                ref=f"{code}/follow-up/{item.id}",
                evaluation=code,
                # C-FOLLOWUP: open until the unit reports back (pinggu.services.followups), on the page it is sent to.
                label=f"{code} 后续措施 #{item.id}：{item.action}；落实后请报告：{follow_up_url(item.id)}",
                due=item.due_date,
                owner=item.unit,
            )
        )
    return items + watched_tracking(session=session)


def record_escalations(*, session: Session, alerts: list[Alert]) -> list[Escalation]:
    """Record the alerts not escalated before (one per item, due date and level); return the new ones."""
    known = set(session.exec(select(Escalation.key).where(col(Escalation.key).in_([a.key for a in alerts]))))
    new = []
    for alert in alerts:
        if alert.key in known:
            continue
        escalation = Escalation(
            key=alert.key,
            evaluation_code=alert.item.evaluation,
            kind=alert.item.kind,
            ref=alert.item.ref,
            level=alert.level,
            due_date=alert.item.due,
            text=alert.text(),
        )
        session.add(escalation)
        new.append(escalation)
        audit.record(
            session=session, action="deadline_escalated", key=alert.key, level=alert.level, text=escalation.text
        )
    session.flush()
    return new


# A notice older than this is not sent any more: to a channel added later (which would otherwise get the
# whole history at once), or to one that kept failing. Its failed delivery stays on record.
NOTICE_LIFETIME_DAYS = 30
PERSONAL_PREFIX = "person-"  # pinggu.rules.watch.PERSONAL_DUE / PERSONAL_OVERDUE


def undelivered(*, session: Session, channels: list[str]) -> list[tuple[Escalation, str]]:
    """(escalation, channel) pairs not yet sent, oldest first, among escalations of the last NOTICE_LIFETIME_DAYS."""
    sent = {
        (n.escalation_id, n.channel)
        for n in session.exec(select(Notification).where(Notification.status == DeliveryStatus.sent))
    }
    since = now_beijing() - timedelta(days=NOTICE_LIFETIME_DAYS)
    escalations = session.exec(select(Escalation).where(Escalation.recorded_at >= since).order_by(col(Escalation.id)))
    return [
        (e, channel)
        for e in escalations
        if not e.level.startswith(PERSONAL_PREFIX)  # a reminder to the person goes to them alone (pinggu.services.reminders)
        for channel in channels
        if (e.id, channel) not in sent
    ]


def record_delivery(*, session: Session, escalation_id: int, channel: str, error: str | None) -> Notification:
    """Record one delivery attempt: sent, or failed with why (tried again by the next run)."""
    notification = session.exec(
        select(Notification).where(Notification.escalation_id == escalation_id, Notification.channel == channel)
    ).first() or Notification(escalation_id=escalation_id, channel=channel)
    notification.attempts += 1
    notification.status, notification.last_error = (
        (DeliveryStatus.failed, error) if error else (DeliveryStatus.sent, None)
    )
    notification.sent_at = None if error else now_beijing()
    session.add(notification)
    return notification
