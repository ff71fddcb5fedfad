"""Personal accounts (issue 28): passwords, the administrator role, signing in and out, lockout, single
sign-on, and the signed-in person as the access policy sees them (pinggu.rules.access.Viewer).

The people file says who exists; an account is what lets one of them sign in as themselves. Passwords are
kept as argon2id hashes (pwdlib); no password, hash or token is ever written to the audit log, only who
did what. Every login, failed login, lockout, logout and password set is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from pwdlib import PasswordHash
from sqlmodel import Session, select

from pinggu.core.errors import LoginRefused, NotFound, StateConflict
from pinggu.core.settings import get_settings
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Account, Person, now_beijing
from pinggu.rules.access import Viewer, password_problems


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id with the library's current parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when the login name is unknown, so that a wrong name takes as long as a wrong password.
    return _hasher().hash("pinggu-no-such-account")


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: who, and the session epoch their cookie must carry."""

    viewer: Viewer
    login: str
    epoch: int


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _who(person: Person) -> str:
    return f"{person.name}（{person.login}）"


def printable(text: str) -> str:
    """What was typed, without control characters (a NUL cannot be stored in PostgreSQL text, nor is it part
    of any login name), trimmed and at most 64 characters."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:64]


def find_person(session: Session, name_or_login: str, unit: str = "") -> Person:
    """The one active person with this 姓名 (and 单位, when given) or 登录名; NotFound or StateConflict in Chinese."""
    wanted = name_or_login.strip()
    found = [
        p
        for p in session.exec(select(Person))
        if p.active and (p.login == wanted.lower() or p.name == wanted) and (not unit or p.unit == unit)
    ]
    if not found:
        raise NotFound(f"人员名单中没有在册的 {wanted}" + (f"（{unit}）" if unit else ""))
    if len(found) > 1:
        units = "、".join(p.unit for p in found)
        raise StateConflict(f"人员名单中有 {len(found)} 位 {wanted}（{units}），请用 --unit 指明单位或改用登录名")
    return found[0]


def viewer_by_login(login: str) -> Viewer:
    """The active person with this 登录名 as the access policy sees them (roles, units, administrator), for an
    act done from the command line in their name; NotFound in Chinese when unknown or no longer active."""
    wanted = printable(login).lower()
    if not wanted:
        raise NotFound("请用 --by 给出办理人的登录名（人员名单中的登录名，见 pinggu people list）")
    with read_session() as session:
        person = session.exec(select(Person).where(Person.login == wanted)).first()
        if person is None:
            raise NotFound(f"人员名单中没有登录名为“{wanted}”的人员（见 pinggu people list）")
        if not person.active:
            raise NotFound(f"登录名为“{wanted}”的人员（{person.name}，{person.unit}）已停用，不能以其名义办理")
        return viewer_of(person, session.get(Account, person.id))


def actor_by_login(login: str) -> str:
    """The actor an act is recorded as, 姓名（单位）, of the active person with this 登录名; NotFound in Chinese."""
    person = viewer_by_login(login)
    return f"{person.name}（{person.unit}）"


def _account(session: Session, person: Person) -> Account:
    assert person.id is not None  # a stored person
    return session.get(Account, person.id) or Account(person_id=person.id)


def set_password(name_or_login: str, password: str, *, unit: str = "", by: str = "管理员") -> str:
    """Set a person's local password after checking the policy (LoginRefused listing every problem);
    their earlier sessions end. Returns their login name. Audited without the password."""
    with read_session() as session:
        person = find_person(session, name_or_login, unit)
    problems = password_problems(password, person.login or "")
    if problems:
        raise LoginRefused("密码不符合要求：" + "；".join(problems))
    hashed = _hasher().hash(password)  # slow on purpose: outside the transaction

    def record(session: Session) -> str:
        current = session.get(Person, person.id)
        assert current is not None  # found above
        account = _account(session, current)
        account.password_hash, account.password_set_at = hashed, now_beijing()
        account.failed_logins, account.locked_until, account.lock_noted = 0, None, False
        account.session_epoch += 1
        session.add(account)
        audit.record(session=session, action="password_set", actor=by, person=_who(current))
        return current.login or ""

    return transaction(record)


def set_admin(name_or_login: str, *, unit: str = "", grant: bool = True, by: str = "管理员") -> str:
    """Grant (or withdraw) the administrator role: people-file maintenance, overrides, every jurisdiction's
    items. Returns the person's login name. Audited."""

    def record(session: Session) -> str:
        person = find_person(session, name_or_login, unit)
        account = _account(session, person)
        account.admin = grant
        account.session_epoch += 1  # the role shows on the next sign-in
        session.add(account)
        audit.record(
            session=session, action="admin_granted" if grant else "admin_withdrawn", actor=by, person=_who(person)
        )
        return person.login or ""

    return transaction(record)


def viewer_of(person: Person, account: Account | None) -> Viewer:
    """The person as the access policy sees them."""
    assert person.id is not None  # a stored person
    return Viewer(
        person_id=person.id,
        name=person.name,
        unit=person.unit,
        roles=tuple(person.roles),
        profiles=tuple(person.profiles),
        admin=bool(account and account.admin),
    )


def sign_in(login: str, password: str, *, address: str) -> SignedIn:
    """Check a login name and password; LoginRefused in Chinese when wrong, locked or removed. The
    `login_max_failures`-th wrong password in a row locks the account for `login_lock_minutes`."""
    settings = get_settings()
    wanted = printable(login).lower()
    with read_session() as session:
        person = session.exec(select(Person).where(Person.login == wanted)).first()
        account = session.get(Account, person.id) if person is not None else None
    stored = account.password_hash if account and person and person.active else None
    matches = _hasher().verify(password, stored or _dummy_hash())  # slow: outside any transaction

    def record(session: Session) -> SignedIn | LoginRefused:
        now = now_beijing()
        if person is None or not person.active:
            audit.record(
                session=session, action="login_failed", actor=wanted or "（空）", reason="无此账户", address=address
            )
            return LoginRefused("登录名或密码不正确")
        current = session.get(Account, person.id)
        if current is not None and current.locked_until is not None and _utc(current.locked_until) > now:
            if not current.lock_noted:  # one audit event per lock, however many tries
                current.lock_noted = True
                session.add(current)
                audit.record(session=session, action="login_refused_locked", actor=_who(person), address=address)
            return LoginRefused(f"账户已锁定：连续输错密码，请于 {_until(current.locked_until)} 后再试，或联系管理员")
        if current is None or current.password_hash is None:
            audit.record(
                session=session, action="login_failed", actor=_who(person), reason="未设置密码", address=address
            )
            return LoginRefused("此账户尚未设置密码：请联系管理员设置，或使用统一身份认证登录")
        if not matches:
            current.failed_logins += 1
            audit.record(
                session=session, action="login_failed", actor=_who(person), reason="密码不正确", address=address
            )
            if current.failed_logins >= settings.login_max_failures:
                current.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
                current.failed_logins, current.lock_noted = 0, False
                audit.record(
                    session=session,
                    action="account_locked",
                    actor=_who(person),
                    until=current.locked_until.isoformat(),
                    address=address,
                )
                session.add(current)
                return LoginRefused(
                    f"账户已锁定：连续 {settings.login_max_failures} 次输错密码，请于 "
                    f"{_until(current.locked_until)} 后再试，或联系管理员"
                )
            session.add(current)
            left = settings.login_max_failures - current.failed_logins
            return LoginRefused(f"登录名或密码不正确（再错 {left} 次账户将被锁定）")
        current.failed_logins, current.locked_until, current.lock_noted = 0, None, False
        current.last_login_at = now
        session.add(current)
        audit.record(session=session, action="login", actor=_who(person), via="密码", address=address)
        return SignedIn(viewer=viewer_of(person, current), login=wanted, epoch=current.session_epoch)

    outcome = transaction(record)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


def sign_in_sso(login: str, subject: str, *, address: str, provider: str) -> SignedIn:
    """Sign in a person whose identity the OpenID provider vouched for; the login claim must name an
    active person of the people file (LoginRefused otherwise). Their account is opened if new."""
    wanted = printable(login).lower()
    subject = printable(subject)

    def record(session: Session) -> SignedIn | LoginRefused:
        person = session.exec(select(Person).where(Person.login == wanted)).first()
        if person is None or not person.active:
            audit.record(
                session=session,
                action="login_failed",
                actor=wanted or "（空）",
                reason="人员名单中无此登录名",
                via=provider,
            )
            return LoginRefused(f"统一身份认证的账户 {wanted or '（空）'} 不在本系统的人员名单中，请联系评估办公室")
        account = _account(session, person)
        if account.sso_subject not in (None, subject):
            audit.record(
                session=session, action="login_failed", actor=_who(person), reason="身份标识不一致", via=provider
            )
            return LoginRefused("统一身份认证返回的身份与此前登录时不一致，已拒绝；请联系管理员核实")
        account.sso_subject, account.last_login_at = subject, now_beijing()
        session.add(account)
        audit.record(session=session, action="login", actor=_who(person), via=provider, address=address)
        return SignedIn(viewer=viewer_of(person, account), login=wanted, epoch=account.session_epoch)

    outcome = transaction(record)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


def current_viewer(person_id: int, epoch: int) -> Viewer | None:
    """The person a session cookie names, or None when they were removed from the people file, their
    password was changed or they logged out since (the cookie's epoch is old)."""
    with read_session() as session:
        person = session.get(Person, person_id)
        account = session.get(Account, person_id)
    if person is None or not person.active or account is None or account.session_epoch != epoch:
        return None
    return viewer_of(person, account)


def sign_out(viewer: Viewer, *, address: str, reason: str = "退出登录") -> None:
    """End every session of the person (their cookies' epoch no longer matches). Audited."""

    def record(session: Session) -> None:
        person = session.get(Person, viewer.person_id)
        account = session.get(Account, viewer.person_id)
        if person is None or account is None:
            return
        account.session_epoch += 1
        session.add(account)
        audit.record(session=session, action="logout", actor=_who(person), reason=reason, address=address)

    transaction(record)


def _until(moment: datetime) -> str:
    from pinggu.models.tables import beijing_minute

    return beijing_minute(_utc(moment))
