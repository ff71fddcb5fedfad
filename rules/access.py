"""Who may see what, as one policy (issue 28): a table-driven test (tests/rules/test_access.py) checks it.

Every page and document of the web app asks `may_see(viewer, resource)`. What a person may see follows
from the people file: the people a procedure names for its steps (their roles match a step's actor, as
`pinggu.rules.people.may_act` says), the evaluation team, the lead unit for its own decisions, and the office
(评估办公室 / 督查) and administrators for everything in their jurisdictions. Also here, pure: the password
policy and how a login name is derived when the people file gives none.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from pinggu.rules.people import may_act

OFFICE_ROLES = ("评估办公室", "督查")
"""Roles that see every item of their jurisdictions: the office that runs the programme and the supervisors."""

MIN_PASSWORD_LENGTH = 10
MIN_CHARACTER_CLASSES = 3
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


class ResourceKind(StrEnum):
    """What a page or a document belongs to."""

    evaluation = "评估"
    tracking = "跟踪反馈与督查"
    procedure = "决策程序"
    office = "办公室事务"  # plans, registers and anything that belongs to no single item


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the policy sees them."""

    person_id: int
    name: str
    unit: str
    roles: tuple[str, ...]
    profiles: tuple[str, ...]  # empty: every jurisdiction
    admin: bool = False

    @property
    def office(self) -> bool:
        """Whether this person works for the office (评估办公室 / 督查) or administers the system."""
        return self.admin or any(role in OFFICE_ROLES for role in self.roles)

    def covers(self, profile: str) -> bool:
        """Whether the item's jurisdiction is one of this person's."""
        return not self.profiles or profile in self.profiles

    def may_act(self, actor: str) -> bool:
        """Whether this person may act where a profile names `actor`."""
        return may_act(self.roles, actor)


@dataclass(frozen=True)
class Resource:
    """A page or document: whose item it is, in which jurisdiction, and who takes part in it."""

    kind: ResourceKind
    profile: str
    actors: tuple[str, ...] = ()  # the actors the profile names for the item's steps
    team: tuple[str, ...] = ()  # names of the evaluation team's members
    units: tuple[str, ...] = ()  # the lead unit, the units asked to report or rectify


def may_see(viewer: Viewer, resource: Resource) -> bool:
    """Whether the viewer may open the page or document."""
    if not viewer.covers(resource.profile):
        return False
    if viewer.office:
        return True
    if resource.kind == ResourceKind.office:
        return False
    if any(viewer.may_act(actor) for actor in resource.actors):
        return True
    return viewer.name in resource.team or viewer.unit in resource.units


def password_problems(password: str, login: str) -> list[str]:
    """Why a password may not be used (empty when it may), in Chinese: length, kinds of characters, the login."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位（收到 {len(password)} 位）")
    classes = [
        any(ch in string.ascii_uppercase for ch in password),
        any(ch in string.ascii_lowercase for ch in password),
        any(ch in string.digits for ch in password),
        any(not ch.isascii() or (not ch.isalnum() and not ch.isspace()) for ch in password),
    ]
    if sum(classes) < MIN_CHARACTER_CLASSES:
        problems.append(
            f"密码须包含大写字母、小写字母、数字、符号中的至少 {MIN_CHARACTER_CLASSES} 种（收到 {sum(classes)} 种）"
        )
    if login and login.lower() in password.lower():
        problems.append("密码不能包含登录名")
    if any(ch.isspace() for ch in password):
        problems.append("密码不能包含空格或换行")
    return problems


def login_problem(login: str) -> str | None:
    """Why a login name from the people file cannot be used, or None."""
    if LOGIN_PATTERN.match(login):
        return None
    return f"登录名“{login}”应以小写字母开头，由 2–32 位小写字母、数字、点、下划线或连字符组成"


def derive_login(name: str, taken: Collection[str]) -> str:
    """A login name for a person the people file gives none: the name's pinyin without tones (张建国 →
    zhangjianguo), then 2, 3 … when that is taken."""
    from pypinyin import lazy_pinyin

    base = "".join(part for part in lazy_pinyin(name) if part.isascii()).lower()
    base = re.sub(r"[^a-z0-9]", "", base)
    if not base or not base[0].isalpha():
        base = f"user{base}"
    base = base[:30]
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate
