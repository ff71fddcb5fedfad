"""转办 (issue 29): the holder of a waiting step (a decision procedure's step, an evaluation's gate) hands it to
another person, who then holds it — only they answer it, until they hand it on. Until the first handover anyone
entitled by role holds it (或签). The new holder is sent a notice; the step's page shows every handover; an
administrator may reassign any step.

Who may receive it: a person entitled to the step by role, or — where the profile says `handover_to_colleague`
— a colleague of the same unit as the one handing it over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from pinggu.core.errors import SignoffRefused, StateConflict
from pinggu.models import audit
from pinggu.models.db import transaction
from pinggu.models.tables import Handover, Person
from pinggu.rules.profiles import load_profile

HANDED_OVER = "handed_over"


@dataclass(frozen=True)
class Handed:
    """One handover as a step's page lists it."""

    from_name: str
    to_name: str
    by_name: str
    reason: str
    at: datetime


def procedure_ref(procedure_id: int, step: str) -> str:
    """The name of a decision procedure's step, under which its handovers are kept (every ask of the step)."""
    return f"procedure:{procedure_id}:{step}"


def gate_ref(evaluation_code: str, gate: str) -> str:
    """The name of an evaluation's gate, under which its handovers are kept (every ask of the gate)."""
    return f"gate:{evaluation_code}:{gate}"


def gate_holders(session: Session, evaluation_code: str) -> list[Person]:
    """Everyone who has held a gate of the evaluation after a handover (they may open its pages)."""
    rows = session.exec(select(Handover).where(col(Handover.ref).startswith(gate_ref(evaluation_code, ""))))
    found = {row.to_person_id: session.get(Person, row.to_person_id) for row in rows}
    return [person for person in found.values() if person is not None]


def holder(session: Session, ref: str) -> Person | None:
    """The person holding the step after its latest handover, or None (anyone entitled by role)."""
    latest = session.exec(select(Handover).where(Handover.ref == ref).order_by(col(Handover.id).desc())).first()
    return session.get(Person, latest.to_person_id) if latest is not None else None


def history(session: Session, ref: str) -> list[Handed]:
    """Every handover of the step, oldest first, naming the people as the office knows them."""

    def name(person_id: int | None) -> str:
        person = session.get(Person, person_id) if person_id is not None else None
        return f"{person.name}（{person.unit}）" if person is not None else "—"

    rows = session.exec(select(Handover).where(Handover.ref == ref).order_by(col(Handover.id)))
    return [
        Handed(name(row.from_person_id), name(row.to_person_id), name(row.by_person_id), row.reason, row.at)
        for row in rows
    ]


def may_hold(session: Session, ref: str, person: Person, entitled: Callable[[Person], bool]) -> bool:
    """Whether the person may answer the step now: its holder after a handover, else anyone entitled by role."""
    held = holder(session, ref)
    return held.id == person.id if held is not None else entitled(person)


def hand_over(
    *,
    ref: str,
    profile: str,
    what: str,
    link: str,
    by_person_id: int,
    by_admin: bool,
    to_person_id: int,
    reason: str,
    entitled: Callable[[Person], bool],
    also: Callable[[Session, Person], None] | None = None,
) -> Handed:
    """Hand the step to another person (or reassign it, as an administrator), recorded and audited (with `also`,
    in the same transaction), then send them a notice; SignoffRefused or StateConflict, in Chinese, when it may
    not be handed so."""
    if not reason.strip():
        raise StateConflict("请写明转办理由")

    def write(session: Session) -> tuple[Handed, Person]:
        giver, taker = session.get(Person, by_person_id), session.get(Person, to_person_id)
        if giver is None or taker is None or not taker.active:
            raise StateConflict("转办对象不在人员名单中，请从列表中选择")
        held = holder(session, ref)
        holds = held.id == giver.id if held is not None else entitled(giver)
        if not holds and not by_admin:
            now = f"现由 {held.name}（{held.unit}）办理" if held is not None else "您不在可办理此环节的人员之列"
            raise SignoffRefused(f"{giver.name} 不能转办“{what}”：{now}")
        if taker.id == (held.id if held is not None else giver.id):
            raise StateConflict(f"{taker.name} 已是此环节的办理人")
        if taker.profiles and profile not in taker.profiles:
            raise StateConflict(f"{taker.name} 不负责该辖区的事项")
        colleague = load_profile(profile).handover_to_colleague and taker.unit == (held or giver).unit
        if not entitled(taker) and not colleague:
            allowed = "可办理此环节的人员" + ("或本单位同事" if load_profile(profile).handover_to_colleague else "")
            raise StateConflict(f"{taker.name}（{taker.unit}）不是{allowed}，不能转办给他/她")
        row = Handover(
            ref=ref,
            profile=profile,
            from_person_id=held.id if held is not None else giver.id,
            to_person_id=to_person_id,
            by_person_id=by_person_id,
            reason=reason.strip(),
        )
        session.add(row)
        audit.record(
            session=session,
            action=HANDED_OVER,
            actor=f"{giver.name}（{giver.unit}）",
            ref=ref,
            what=what,
            to=f"{taker.name}（{taker.unit}）",
            reason=reason.strip(),
            reassigned=bool(by_admin and not holds),
        )
        session.flush()
        if also is not None:
            also(session, taker)
        return history(session, ref)[-1], taker

    handed, taker = transaction(write)
    from pinggu.services.signoff import notify_person

    notify_person(
        taker,
        f"【转办】“{what}”由 {handed.by_name} 转交您办理（理由：{handed.reason}）。\n请用您本人的账户登录网页办理：{link}",
        {"ref": ref, "to": taker.name, "unit": taker.unit},
        outbox_only={"link": link},
    )
    return handed


def candidates(session: Session, profile: str, giver: Person, entitled: Callable[[Person], bool]) -> list[Person]:
    """Who the step may be handed to: the active people entitled by role, and colleagues where the profile allows."""
    colleagues = load_profile(profile).handover_to_colleague
    found = []
    for person in session.exec(select(Person).where(col(Person.active).is_(True)).order_by(col(Person.unit))):
        if person.id == giver.id or (person.profiles and profile not in person.profiles):
            continue
        if entitled(person) or (colleagues and person.unit == giver.unit):
            found.append(person)
    return found
