"""Who may answer a gate: the people file (姓名、单位、职务、角色、辖区、联系方式) and role matching.

A profile names each gate's actor as its regulation words it, e.g. 厅决策机关（厅党组会议、厅务会议或
厅专题会议）; a person listed with the role 厅决策机关 may act there: a role matches an actor that is the
same text, or the same text followed by a parenthetical. Gates a profile does not declare are answered
by the 评估单位 (pinggu.services.signoff.waits_for). Pure: reading the file and checking its rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pinggu.core.errors import InputFileError, Problem
from pinggu.core.spreadsheet import locate_columns, read_grid

LOCAL_OUTBOX = "本机发件箱"
"""The contact of a person whose messages are written as files in the product home's outbox (demo, tests)."""

PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "姓名": ("姓名",),
    "单位": ("单位", "工作单位"),
    "职务": ("职务",),
    "角色": ("角色", "可办理环节的角色"),
    "辖区": ("辖区", "规则"),
    "联系方式": ("联系方式",),
    "登录名": ("登录名", "账号"),
}
_OPTIONAL = ("辖区", "登录名")
_SEPARATORS = re.compile(r"[;；,，、\n]+")


@dataclass(frozen=True)
class PersonSpec:
    """One row of the people file, checked."""

    name: str
    unit: str
    title: str
    roles: tuple[str, ...]
    profiles: tuple[str, ...]  # empty: every jurisdiction
    contact: str
    login: str = ""  # empty: derived at import (pinggu.rules.access.derive_login)


def may_act(roles: Iterable[str], actor: str) -> bool:
    """Whether someone with these roles may act where the profile names `actor`."""
    actor = actor.strip()
    return any(actor == role or actor.startswith(role + "（") for role in (r.strip() for r in roles) if role)


def split_list(text: str) -> tuple[str, ...]:
    """Entries of a cell listing several values (separated by ；，、 or new lines)."""
    return tuple(part.strip() for part in _SEPARATORS.split(text) if part.strip())


def read_people(path: Path, profile_names: dict[str, str]) -> list[PersonSpec]:
    """Every row of the people file, or InputFileError naming each bad row and column (nothing half-read).

    `profile_names` maps each known profile id to its Chinese name; the 辖区 column accepts either.
    """
    header, rows = read_grid(path, "人员名单")
    expected = "、".join(PEOPLE_COLUMNS)
    where = locate_columns(path, header, PEOPLE_COLUMNS, what="人员名单", expected=expected, optional=_OPTIONAL)
    profile_of = {**{pid: pid for pid in profile_names}, **{name: pid for pid, name in profile_names.items()}}
    people: list[PersonSpec] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    logins: dict[str, int] = {}
    for number, cells in rows:

        def cell(column: str, cells: list[str] = cells) -> str:
            position = where.get(column)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        row_problems = [
            Problem("不能为空", number, column) for column in ("姓名", "单位", "职务", "角色") if not cell(column)
        ]
        profiles = split_list(cell("辖区"))
        unknown = [p for p in profiles if p not in profile_of]
        if unknown:
            known = "、".join(f"{pid}（{name}）" for pid, name in profile_names.items())
            row_problems.append(Problem(f"未知的辖区 {'、'.join(unknown)}，可填：{known}，留空为全部", number, "辖区"))
        contact = cell("联系方式")
        if contact != LOCAL_OUTBOX and "://" not in contact:
            row_problems.append(
                Problem(
                    f"联系方式应为“{LOCAL_OUTBOX}”或一个通知地址（如 dingtalk://、wecombot://、mailtos://），"
                    f"收到：{contact or '（空）'}",
                    number,
                    "联系方式",
                )
            )
        login = cell("登录名").lower()
        if login:
            from pinggu.rules.access import login_problem

            problem = login_problem(login)
            if problem:
                row_problems.append(Problem(problem, number, "登录名"))
            elif login in logins:
                row_problems.append(Problem(f"登录名 {login} 与第 {logins[login]} 行重复", number, "登录名"))
            logins.setdefault(login, number)
        key = (cell("姓名"), cell("单位"))
        if key in seen and all(key):
            row_problems.append(Problem(f"与第 {seen[key]} 行重复（同一单位的同一姓名）", number, "姓名"))
        seen.setdefault(key, number)
        if row_problems:
            problems += row_problems
            continue
        people.append(
            PersonSpec(
                name=cell("姓名"),
                unit=cell("单位"),
                title=cell("职务"),
                roles=split_list(cell("角色")),
                profiles=tuple(profile_of[p] for p in profiles),
                contact=contact,
                login=login,
            )
        )
    if problems:
        raise InputFileError(
            f"人员名单 {path.name} 有 {len({p.row for p in problems})} 行错误，未导入任何人员（修正后重新导入）：",
            problems=problems,
            path=str(path),
        )
    if not people:
        raise InputFileError(f"人员名单 {path.name} 没有任何人员", path=str(path))
    return people
