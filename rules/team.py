"""Who may sit on an evaluation team or review its report (TEAM-MEMBERS, TEAM-CONFLICT; S-CONCL: not its authors)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pinggu.core.errors import RuleViolation

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


def check_experts(
    names: list[str],
    assessors: Iterable[str],
    *,
    conflict_basis: str | None = "",
    members: Iterable[str] = (),
    outside_basis: str | None = None,
) -> None:
    """Refuse a report reviewer who did the pre-decision argumentation (TEAM-CONFLICT, where the profile applies
    it: conflict_basis not None) or who is a member of the evaluation team that wrote the report (where the
    profile has the report argued by experts outside the team: outside_basis not None)."""
    assessors = list(assessors)
    authors = {_normalise(member) for member in members}
    for name in names:
        if conflict_basis is not None and conflicted(name, False, assessors):
            raise RuleViolation(
                f"专家 {name} 曾参与该决策的决策前论证，不得参与本次评估报告论证，请更换专家"
                + (f"（{conflict_basis}）" if conflict_basis else ""),
                rule="TEAM-CONFLICT",
                member=name,
            )
        # bazhou 11(2), changli 58(3)2, ningxia 10(4): 有关专家 argue the report the team wrote; its authors
        # arguing their own report is no expert review.
        if outside_basis is not None and _normalise(name) in authors:
            raise RuleViolation(
                f"{name} 是本次评估小组成员，参与起草了评估报告，不能作为论证专家论证本报告，"
                "请由评估小组以外的有关专家论证" + (f"（{outside_basis}）" if outside_basis else ""),
                rule="S-CONCL",
                member=name,
            )
