"""Who may sit on an evaluation team or review its report (TEAM-MEMBERS, TEAM-CONFLICT)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import RuleViolation

# Every role a team member may have under some profile; each profile lists the ones its regulation
# provides (profiles/*.yaml team_roles, e.g. bazhou 9(1), minhang 9 and 12(1), ordos 16).
TEAM_ROLES = (
    "单位工作人员",
    "人大代表",
    "政协委员",
    "法律专家",
    "行业专家",
    "第三方机构",
    "公众代表",
    "人民团体代表",
    "基层组织代表",
    "社会组织代表",
    "决策涉及单位代表",
)
UNIT_STAFF = "单位工作人员"


@dataclass(frozen=True)
class Member:
    """A proposed team member as the operator declared them."""

    name: str
    role: str
    unit: str | None = None
    did_pre_decision_argumentation: bool = False


def _normalise(name: str) -> str:
    return "".join(name.split())


def conflicted(name: str, declared: bool, assessors: Iterable[str]) -> bool:
    """True if this person or agency did the main pre-decision argumentation of the decision."""
    return declared or _normalise(name) in {_normalise(a) for a in assessors}


def check_team(
    members: list[Member],
    assessors: Iterable[str],
    *,
    roles: Sequence[str],
    basis: str = "",
    conflict_basis: str | None = "",
) -> None:
    """Refuse an empty team, roles the profile does not provide, a team without unit staff, and conflicted
    members (unless the profile does not apply TEAM-CONFLICT: conflict_basis None)."""
    assessors = list(assessors)
    if not members:
        raise RuleViolation("评估小组至少需要一名成员，请填写评估小组成员", rule="TEAM-MEMBERS")
    for member in members:
        if not member.name.strip():
            raise RuleViolation("评估小组成员姓名不能为空", rule="TEAM-MEMBERS")
        if member.role not in roles:
            raise RuleViolation(
                f"评估小组成员 {member.name} 的角色“{member.role}”无效，可选：{'、'.join(roles)}"
                + (f"（{basis}）" if basis else ""),
                rule="TEAM-MEMBERS",
                member=member.name,
            )
        # Whoever argued the decision beforehand may not evaluate it, where the profile says so.
        if conflict_basis is not None and conflicted(member.name, member.did_pre_decision_argumentation, assessors):
            raise RuleViolation(
                f"{member.name} 曾承担该决策的决策前论证或评估工作，不得参加本次后评估，请更换成员"
                + (f"（{conflict_basis}）" if conflict_basis else ""),
                rule="TEAM-CONFLICT",
                member=member.name,
            )
    # The team is formed from the evaluating unit's own staff, others may join (team_roles).
    if not any(member.role == UNIT_STAFF for member in members):
        raise RuleViolation(
            "评估小组须由承担评估具体工作的单位相关人员组成，请至少加入一名“单位工作人员”"
            + (f"（{basis}）" if basis else ""),
            rule="TEAM-MEMBERS",
        )


def check_experts(names: list[str], assessors: Iterable[str], *, conflict_basis: str | None = "") -> None:
    """Refuse a report reviewer who did the pre-decision argumentation (TEAM-CONFLICT, where the profile applies it)."""
    if conflict_basis is None:
        return
    assessors = list(assessors)
    for name in names:
        if conflicted(name, False, assessors):
            raise RuleViolation(
                f"专家 {name} 曾参与该决策的决策前论证，不得参与本次评估报告论证，请更换专家"
                + (f"（{conflict_basis}）" if conflict_basis else ""),
                rule="TEAM-CONFLICT",
                member=name,
            )
