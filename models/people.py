"""The people file in the database, and the one-time sign-off codes of gates (issue 14).

When a gate opens, each person entitled to answer it gets a code of their own (pinggu.rules.people.may_act on
the gate's actor); only a hash of it is stored, bound to the evaluation and gate, valid for
`signoff_code_days`, used once. An answer names its code; `signer_of` says whose it is or refuses it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from pinggu.core.errors import SignoffRefused
from pinggu.models import audit
from pinggu.models.tables import Account, Evaluation, Person, SignoffCode, now_beijing
from pinggu.rules.people import PersonSpec, may_act

# No 0/O, 1/I/L: a code read from a phone screen and typed again is not misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
ADMINISTRATOR = "管理员代办"


@dataclass(frozen=True)
class Signer:
    """Who answered: the person of the code (name and 单位职务), or an administrator's override."""

    name: str
    role: str
    person_id: int | None
    code_id: int
    override: bool = False
    signed_in: bool = False  # answered in the web app as the signed-in person (a session code)
    second_factor: bool = False  # … who also gave the code sent to them


def import_people(
    *, session: Session, people: Iterable[PersonSpec], source: str, actor: str = "系统"
) -> tuple[int, int, int]:
    """Replace the people list with the file's (by 姓名+单位); people no longer listed are deactivated,
    never deleted (their past answers keep naming them). Returns (created, updated, deactivated)."""
    existing = {(p.name, p.unit): p for p in session.exec(select(Person))}
    listed: set[tuple[str, str]] = set()
    created = updated = 0
    for spec in people:
        key = (spec.name, spec.unit)
        listed.add(key)
        values: dict[str, Any] = {
            "title": spec.title,
            "roles": list(spec.roles),
            "profiles": list(spec.profiles),
            "contact": spec.contact,
            "active": True,
        }
        person = existing.get(key)
        if person is None:
            session.add(Person(name=spec.name, unit=spec.unit, updated_at=now_beijing(), **values))
            created += 1
        elif any(getattr(person, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(person, field, value)
            person.updated_at = now_beijing()
            session.add(person)
            updated += 1
    deactivated = 0
    for key, person in existing.items():
        if key not in listed and person.active:
            person.active, person.updated_at = False, now_beijing()
            session.add(person)
            deactivated += 1
    session.flush()
    _assign_logins(session, {(spec.name, spec.unit): spec.login for spec in people})
    audit.record(
        session=session,
        action="people_imported",
        actor=actor,
        source=source,
        created=created,
        updated=updated,
        deactivated=deactivated,
    )
    return created, updated, deactivated


def _assign_logins(session: Session, given: dict[tuple[str, str], str]) -> None:
    """Each listed person's login name: the file's 登录名 where it gives one (taken from whoever held it
    before), else the one derived at an earlier import, else a new one derived from the name."""
    from pinggu.rules.access import derive_login

    everyone = list(session.exec(select(Person)))
    claimed = {login for login in given.values() if login}
    for person in everyone:
        wanted = given.get((person.name, person.unit))
        if person.login and person.login in claimed and person.login != wanted:
            person.login = None  # the file gives this login name to someone else now
            session.add(person)
    session.flush()
    for person in everyone:
        wanted = given.get((person.name, person.unit))
        if wanted and person.login != wanted:
            person.login = wanted
            session.add(person)
    session.flush()
    taken = {person.login for person in everyone if person.login}
    for person in sorted(everyone, key=lambda p: p.id or 0):
        if person.login is None and (person.name, person.unit) in given:
            person.login = derive_login(person.name, taken)
            taken.add(person.login)
            session.add(person)
    session.flush()


def people(*, session: Session) -> list[Person]:
    """Everyone listed, active first, by unit and name."""
    return sorted(session.exec(select(Person)), key=lambda p: (not p.active, p.unit, p.name))


def is_entitled(person: Person, *, profile: str, actor: str) -> bool:
    """Whether the person is active, of the profile's jurisdiction, and may act where it names `actor`."""
    return person.active and (not person.profiles or profile in person.profiles) and may_act(person.roles, actor)


def entitled(*, session: Session, profile: str, actor: str) -> list[Person]:
    """The active people who may act where the profile names `actor`."""
    return [person for person in people(session=session) if is_entitled(person, profile=profile, actor=actor)]


def code_hash(evaluation_code: str, gate: str, code: str) -> str:
    """The stored form of a code: bound to the evaluation and gate, so it is worth nothing elsewhere."""
    return hashlib.sha256(f"{evaluation_code}/{gate}/{normalised(code)}".encode()).hexdigest()


def normalised(code: str) -> str:
    """A code as typed, without blanks or dashes, in capitals."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _add_code(session: Session, evaluation: Evaluation, gate: str, lifetime: timedelta, **fields: Any) -> str:
    """Store a new code's hash for the evaluation's gate, valid for `lifetime`; the plain code, never stored."""
    assert evaluation.id is not None  # a stored evaluation
    plain, now = _new_code(), now_beijing()
    session.add(
        SignoffCode(
            evaluation_id=evaluation.id,
            gate=gate,
            code_hash=code_hash(evaluation.code, gate, plain),
            issued_at=now,
            expires_at=now + lifetime,
            **fields,
        )
    )
    return plain


def _utc(moment: datetime) -> datetime:
    # SQLite hands stored timestamps back without their zone; they were stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _live(code: SignoffCode, now: datetime) -> bool:
    return code.used_at is None and not code.closed and _utc(code.expires_at) > now


def has_account(*, session: Session, person_id: int | None) -> bool:
    """Whether the person signs in as themselves (a password set, or single sign-on used): such a person
    answers in the web app, and a code sent to them is only ever a second factor."""
    if person_id is None:
        return False
    account = session.get(Account, person_id)
    return account is not None and bool(account.password_hash or account.sso_subject)


def issue_codes(
    *,
    session: Session,
    evaluation: Evaluation,
    gate: str,
    profile: str,
    actor: str,
    lifetime_days: int,
    second_factor: bool = False,
    holder: Person | None = None,
) -> list[tuple[Person, str]]:
    """A new code for each entitled person (only the `holder`, after a 转办) who holds no live one for this
    gate; (person, plain code) pairs, the plain code never stored. A person with an account gets no code (they
    sign in), only the notice (code ""), unless the gate asks them for a second factor. Idempotent: a run that
    asks the gate again issues nothing new."""
    assert evaluation.id is not None  # a stored evaluation
    now = now_beijing()
    held = {
        code.person_id
        for code in session.exec(
            select(SignoffCode).where(SignoffCode.evaluation_id == evaluation.id, SignoffCode.gate == gate)
        )
        if _live(code, now) and code.kind != "session"  # a code the web app made for an answer is no notice
    }
    issued: list[tuple[Person, str]] = []
    for person in [holder] if holder is not None else entitled(session=session, profile=profile, actor=actor):
        if person.id in held:
            continue
        notice = has_account(session=session, person_id=person.id) and not second_factor
        plain = _add_code(
            session,
            evaluation,
            gate,
            timedelta(days=lifetime_days),
            person_id=person.id,
            kind="notice" if notice else "code",
        )
        if notice:  # told to sign in: nothing that could be forwarded is sent
            audit.record(
                session=session,
                action="signin_notice_sent",
                evaluation_id=evaluation.id,
                gate=gate,
                person=f"{person.name}（{person.unit}）",
            )
            issued.append((person, ""))
            continue
        audit.record(
            session=session,
            action="signoff_code_issued",
            evaluation_id=evaluation.id,
            gate=gate,
            person=f"{person.name}（{person.unit}）",
            expires=(now + timedelta(days=lifetime_days)).isoformat(),
        )
        issued.append((person, plain))
    return issued


def withdraw_codes(
    *, session: Session, evaluation: Evaluation, gate: str, person_name: str, person_id: int | None = None
) -> int:
    """Close the live codes a person holds for a gate (lost, or sent to an old contact), so that the next
    sending issues a new one; how many were closed. Audited. `person_id` picks one of namesakes."""
    assert evaluation.id is not None  # a stored evaluation
    holders = [p for p in people(session=session) if p.name == person_name and (person_id is None or p.id == person_id)]
    if not holders:
        raise SignoffRefused(f"人员名单中没有 {person_name}")
    closed = _close_codes(session, evaluation, gate, lambda whose: whose in {p.id for p in holders})
    audit.record(
        session=session, action="signoff_code_withdrawn", evaluation_id=evaluation.id, gate=gate, person=person_name
    )
    return closed


def withdraw_others(*, session: Session, evaluation: Evaluation, gate: str, holder_id: int) -> int:
    """Close the live codes of a gate that people other than its holder hold (a 转办, pinggu.services.handover);
    how many were closed. Audited."""
    assert evaluation.id is not None  # a stored evaluation
    closed = _close_codes(session, evaluation, gate, lambda whose: whose is not None and whose != holder_id)
    audit.record(
        session=session, action="signoff_code_withdrawn", evaluation_id=evaluation.id, gate=gate, holder=holder_id
    )
    return closed


def _close_codes(session: Session, evaluation: Evaluation, gate: str, whose: Callable[[int | None], bool]) -> int:
    """Close the gate's live codes held by the people `whose` picks; how many were closed."""
    now, closed = now_beijing(), 0
    for code in session.exec(
        select(SignoffCode).where(SignoffCode.evaluation_id == evaluation.id, SignoffCode.gate == gate)
    ):
        if whose(code.person_id) and _live(code, now):
            code.closed = True
            session.add(code)
            closed += 1
    return closed


def override_code(*, session: Session, evaluation: Evaluation, gate: str, by: str, reason: str) -> str:
    """An administrator's one-time code for a gate nobody entitled can answer (CLI only); audited with its reason."""
    assert evaluation.id is not None  # a stored evaluation
    if not by.strip() or not reason.strip():
        raise SignoffRefused("管理员代办须写明代办人姓名（--approver）和书面理由（--override-reason）")
    plain = _add_code(
        session, evaluation, gate, timedelta(hours=1), override_by=by.strip(), override_reason=reason.strip()
    )
    audit.record(
        session=session,
        action="signoff_override",
        evaluation_id=evaluation.id,
        gate=gate,
        actor=by.strip(),
        reason=reason.strip(),
    )
    return plain


def session_code(
    *,
    session: Session,
    evaluation: Evaluation,
    gate: str,
    person: Person,
    profile: str,
    actor: str,
    second_factor: bool,
    holder: Person | None = None,
) -> str:
    """A one-time code the web app makes for the signed-in person answering a gate (never shown to anyone):
    the run is resumed with it, and the flow's own judge records the answer as this person's. Refused with
    SignoffRefused when the person may not act at the gate: after a 转办 only its `holder` may, whatever
    their role."""
    assert evaluation.id is not None and person.id is not None  # stored rows
    if holder is not None and holder.id != person.id:
        raise SignoffRefused(f"本环节已转办给 {holder.name}（{holder.unit}），由其本人办理")
    if holder is None and not is_entitled(person, profile=profile, actor=actor):
        raise SignoffRefused(f"{person.name} 不在可办理“{actor}”环节的人员之列")
    return _add_code(
        session, evaluation, gate, timedelta(hours=1), person_id=person.id, kind="session", second_factor=second_factor
    )


def signer_of(
    *,
    session: Session,
    evaluation: Evaluation,
    gate: str,
    code: str,
    typed_name: str = "",
    for_person: int | None = None,
) -> Signer:
    """Whose answer this is, or SignoffRefused saying why not (missing, wrong, used, expired, not entitled,
    not the name typed, sent to someone who signs in). `for_person`: the signed-in person giving their own
    code as a second factor. Checks only; `use_code` spends the code when the answer is recorded."""
    if not normalised(code):
        raise SignoffRefused("缺少签署码：请填写办理通知中发给您本人的一次性签署码")
    row = session.exec(
        select(SignoffCode).where(
            SignoffCode.evaluation_id == evaluation.id,
            SignoffCode.gate == gate,
            SignoffCode.code_hash == code_hash(evaluation.code, gate, code),
        )
    ).first()
    if row is None or row.kind == "notice":
        raise SignoffRefused("签署码不正确：它不是本评估本环节发出的签署码")
    assert row.id is not None  # a stored code
    if row.used_at is not None:
        raise SignoffRefused("签署码已使用过：每个签署码只能使用一次")
    if row.closed:
        raise SignoffRefused("签署码已失效：本环节已办理，或此签署码已被作废重发")
    if _utc(row.expires_at) <= now_beijing():
        raise SignoffRefused("签署码已过期：请联系评估办公室重新发送")
    if for_person is not None and row.person_id != for_person:
        raise SignoffRefused("签署码不属于当前登录的人员：请填写发给您本人的签署码")
    if (
        row.kind == "code"
        and for_person is None
        and row.person_id is not None
        and has_account(session=session, person_id=row.person_id)
    ):
        raise SignoffRefused("此签署码的持有人已开通个人账户，请本人登录网页办理（签署码仅供没有账户的人员使用）")
    if row.person_id is None:
        return Signer(
            name=row.override_by or ADMINISTRATOR, role=ADMINISTRATOR, person_id=None, code_id=row.id, override=True
        )
    person = session.get(Person, row.person_id)
    assert person is not None  # a foreign key
    if not person.active:
        raise SignoffRefused(f"{person.name} 已不在人员名单中，不能办理")
    if typed_name.strip() and typed_name.strip() != person.name:
        raise SignoffRefused(f"签署码属于 {person.name}，与填写的姓名 {typed_name.strip()} 不一致")
    return Signer(
        name=person.name,
        role=f"{person.unit}{person.title}",
        person_id=person.id,
        code_id=row.id,
        signed_in=row.kind == "session",
        second_factor=row.second_factor,
    )


def use_code(*, session: Session, signer: Signer, evaluation_id: int, gate: str) -> None:
    """Spend the signer's code and close every other live code of the gate (it has been answered)."""
    now = now_beijing()
    for code in session.exec(
        select(SignoffCode).where(
            SignoffCode.evaluation_id == evaluation_id, SignoffCode.gate == gate, col(SignoffCode.used_at).is_(None)
        )
    ):
        if code.id == signer.code_id:
            code.used_at = now
        else:
            code.closed = True
        session.add(code)


def refused_attempt(
    *, session: Session, evaluation_id: int, gate: str, reason: str, channel: str, signature: bool
) -> None:
    """Record an answer refused before it reached the run (the web app's immediate check): for its
    signature (signoff_refused) or for its content (answer_refused); the run keeps waiting."""
    action = "signoff_refused" if signature else "answer_refused"
    audit.record(session=session, action=action, evaluation_id=evaluation_id, gate=gate, reason=reason, via=channel)
