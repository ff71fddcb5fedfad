"""转办 of an evaluation's gate (issue 29, services/handover.py under `gate_ref`): who may answer the gate now —
its holder after a handover, else anyone entitled by role — as the flow's judge (pinggu.services.evaluation.gates.judge_answer), the
web app and the reminders ask it; and handing it over, which withdraws the codes others hold for it
(pinggu.models.people.withdraw_others) and sends the new holder their own code when they answer with one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session

from pinggu.core.errors import SignoffRefused, StateConflict
from pinggu.core.links import gate_url
from pinggu.models import evaluations as store
from pinggu.models import people
from pinggu.models.db import read_session
from pinggu.models.tables import Evaluation, Person
from pinggu.rules.profiles import load_profile
from pinggu.services import handover
from pinggu.services.signoff import second_factor, send_codes, waits_for


@dataclass(frozen=True)
class GateHold:
    """An evaluation's gate as a handover sees it: its name, who the profile names for it, and its holder."""

    ref: str
    profile: str
    name: str
    actor: str
    holder: Person | None  # after a 转办: theirs alone
    entitled: Callable[[Person], bool]  # by role, before any handover


def entitled(profile: str, actor: str) -> Callable[[Person], bool]:
    """Whether a person may answer where the profile names `actor`, by role (pinggu.models.people.is_entitled)."""
    return partial(people.is_entitled, profile=profile, actor=actor)


def hold_of(session: Session, evaluation: Evaluation, gate: str) -> GateHold:
    """The gate's name, actor and holder."""
    profile = store.get_decision(session=session, code=evaluation.decision_code).profile
    actor = waits_for(store.procedure_of(session, evaluation), gate)
    ref = handover.gate_ref(evaluation.code, gate)
    name = load_profile(profile).gate_title(gate)
    return GateHold(ref, profile, name, actor, handover.holder(session, ref), entitled(profile, actor))


def may_answer(session: Session, evaluation: Evaluation, gate: str, person: Person) -> bool:
    """Whether the person may answer the gate now: its holder after a 转办, else anyone entitled by role."""
    hold = hold_of(session, evaluation, gate)
    return handover.may_hold(session, hold.ref, person, hold.entitled)


def refusal(session: Session, evaluation: Evaluation, gate: str, person: Person) -> str | None:
    """Why the person may not answer the gate now, in Chinese, or None when they may."""
    if may_answer(session, evaluation, gate, person):
        return None
    hold = hold_of(session, evaluation, gate)
    if hold.holder is not None:
        return f"“{hold.name}”已转办给 {hold.holder.name}（{hold.holder.unit}），由其本人办理"
    return f"{person.name} 不在可办理“{hold.actor}”环节的人员之列"


def check_signer(session: Session, evaluation: Evaluation, gate: str, signer: people.Signer) -> None:
    """Refuse (SignoffRefused) the code's person unless they may answer the gate now; an administrator's override
    passes."""
    if signer.person_id is None:
        return
    person = session.get(Person, signer.person_id)
    assert person is not None  # a foreign key
    refused = refusal(session, evaluation, gate, person)
    if refused:
        raise SignoffRefused(refused)


def hand_over_gate(
    evaluation_code: str, gate: str, *, by_person_id: int, by_admin: bool, to_person_id: int, reason: str
) -> handover.Handed:
    """转办 the evaluation's waiting gate (pinggu.services.handover.hand_over): the codes others hold are withdrawn in the
    same transaction; a new holder who answers with a code (no account, or a second factor) is sent their own."""
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=evaluation_code)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        procedure = store.procedure_of(session, evaluation)
        hold = hold_of(session, evaluation, gate)
    if evaluation.waiting_gate != gate:
        raise StateConflict(f"评估 {evaluation_code} 当前不在“{hold.name}”环节，无需转办")

    def withdraw(session: Session, taker: Person) -> None:
        assert taker.id is not None  # a stored person
        people.withdraw_others(session=session, evaluation=evaluation, gate=gate, holder_id=taker.id)

    handed = handover.hand_over(
        ref=hold.ref,
        profile=hold.profile,
        what=f"{hold.name}（评估 {evaluation_code}《{decision.title}》）",
        link=gate_url(evaluation_code, gate),
        by_person_id=by_person_id,
        by_admin=by_admin,
        to_person_id=to_person_id,
        reason=reason,
        entitled=hold.entitled,
        also=withdraw,
    )
    two_factors = second_factor(procedure, gate)
    with read_session() as session:
        signs_in = people.has_account(session=session, person_id=to_person_id)
    if two_factors or not signs_in:  # an account holder was told to sign in by the handover's notice
        send_codes(evaluation, decision, gate, hold.name, hold.actor, two_factors)
    return handed


def receivers(session: Session, evaluation: Evaluation, gate: str, giver: Person) -> list[Person]:
    """Who the gate may be handed to by this person (pinggu.services.handover.candidates)."""
    hold = hold_of(session, evaluation, gate)
    return handover.candidates(session, hold.profile, giver, hold.entitled)
