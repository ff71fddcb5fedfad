"""催办 to the person (issue 29): the deadline watch reminds the people who hold a waiting item — a gate's entitled
people (its holder alone after a 转办), the unit that owes a report, a rectification or a follow-up — once within
PINGGU_REMIND_WORKING_DAYS working days of its target and again once it is overdue, on their own contact
(pinggu.services.signoff.notify_person). Each reminder is an escalation of its own level (pinggu.rules.watch.PERSONAL_DUE /
PERSONAL_OVERDUE), recorded before anything is sent, and each person's delivery is recorded under a channel naming
them, so a reminder reaches each person once and a failed one is tried again by the next watch. The group channels keep their summary (pinggu.tasks.watch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from pinggu.core.settings import get_settings
from pinggu.models import evaluations as store
from pinggu.models import watch
from pinggu.models.db import read_session, transaction
from pinggu.models.people import entitled
from pinggu.models.tables import Escalation, Notification, Person
from pinggu.rules.calendar import default_calendar
from pinggu.rules.vocabulary import DeliveryStatus
from pinggu.rules.watch import Watched, personal_alerts
from pinggu.services import handover


@dataclass(frozen=True)
class Reminded:
    """What one watch run sent to people: reminders recorded, deliveries sent and failed."""

    new: int
    sent: int
    failed: int


def person_channel(person: Person) -> str:
    """The delivery record's channel for a reminder to one person (no contact detail in it)."""
    return f"本人：{person.name}（{person.unit}）#{person.id}"


def holders(session: Session, escalation: Escalation, item: Watched) -> list[Person]:
    """The people who hold the reminded item: a gate's holder after a 转办, else its entitled people; else the people
    of the unit that owes it."""
    if escalation.kind == "gate" and escalation.evaluation_code:
        evaluation = store.get_evaluation(session=session, code=escalation.evaluation_code)
        gate = escalation.ref.rsplit("/", 1)[-1]
        held = handover.holder(session, handover.gate_ref(evaluation.code, gate))
        if held is not None:
            return [held]
        profile = store.get_decision(session=session, code=evaluation.decision_code).profile
        return entitled(session=session, profile=profile, actor=store.gate_actor(session, evaluation, gate))
    if not item.owner:
        return []
    return list(session.exec(select(Person).where(Person.unit == item.owner, col(Person.active).is_(True))))


def remind_holders(today: date) -> Reminded:
    """Record the reminders due today and send each, not yet sent, to every person holding its item (an item no
    longer waiting is reminded to nobody)."""
    from pinggu.services.signoff import notify_person

    calendar = default_calendar()

    def record(session: Session) -> tuple[int, dict[str, Watched]]:
        items = watch.watched_items(session=session)
        due = personal_alerts(items, today, get_settings().remind_working_days, calendar.is_workday)
        return len(watch.record_escalations(session=session, alerts=due)), {item.ref: item for item in items}

    new, waiting = transaction(record)
    with read_session() as session:
        sent_before = {
            (n.escalation_id, n.channel)
            for n in session.exec(select(Notification).where(Notification.status == DeliveryStatus.sent))
        }
        pending = [
            (escalation, person)
            for escalation in session.exec(
                select(Escalation).where(col(Escalation.level).startswith(watch.PERSONAL_PREFIX))
            )
            if escalation.ref in waiting
            for person in holders(session, escalation, waiting[escalation.ref])
            if (escalation.id, person_channel(person)) not in sent_before
        ]
    sent = failed = 0
    for escalation, person in pending:
        assert escalation.id is not None  # a stored escalation
        missed = notify_person(
            person,
            f"【催办】{escalation.text}",
            {
                "level": escalation.level,
                "due": escalation.due_date.isoformat(),
                "ref": escalation.ref,
                "to": person.name,
            },
        )
        error = missed.reason if missed is not None else None
        transaction(
            functools.partial(_record, escalation_id=escalation.id, channel=person_channel(person), error=error)
        )
        sent, failed = (sent, failed + 1) if error else (sent + 1, failed)
    return Reminded(new=new, sent=sent, failed=failed)


def _record(session: Session, *, escalation_id: int, channel: str, error: str | None) -> None:
    watch.record_delivery(session=session, escalation_id=escalation_id, channel=channel, error=error)
