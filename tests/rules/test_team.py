"""Team composition and conflicts (TEAM-MEMBERS: bazhou 9(1); TEAM-CONFLICT: ningxia 8, minhang 7, changli 64)."""

from __future__ import annotations

import pytest

from core.errors import RuleViolation
from rules.team import Member, check_experts, check_team

STAFF = Member("王明", "单位工作人员", "区司法局")


@pytest.mark.rule("TEAM-MEMBERS")
def test_a_team_of_unit_staff_with_invited_members_is_accepted():
    check_team([STAFF, Member("陈静", "人大代表"), Member("李华", "法律专家")], assessors=["周某"])


@pytest.mark.rule("TEAM-MEMBERS")
@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([], "至少需要一名成员"),
        ([Member("李华", "法律专家")], "单位工作人员"),  # bazhou 9(1): formed from the unit's staff
        ([STAFF, Member("某人", "顾问")], "角色“顾问”无效"),
        ([STAFF, Member("  ", "公众代表")], "姓名不能为空"),
    ],
)
def test_bad_teams_are_refused_with_a_message(members, message):
    with pytest.raises(RuleViolation) as refused:
        check_team(members, assessors=[])
    assert message in str(refused.value) and refused.value.rule == "TEAM-MEMBERS"


@pytest.mark.rule("TEAM-CONFLICT")
@pytest.mark.parametrize(
    ("member", "assessors"),
    [
        (Member("李 华", "法律专家"), ["李华"]),  # recorded as a pre-decision assessor (spacing ignored)
        (Member("某咨询公司", "第三方机构", did_pre_decision_argumentation=True), []),  # declared by the operator
    ],
)
def test_whoever_argued_the_decision_beforehand_may_not_evaluate_it(member, assessors):
    with pytest.raises(RuleViolation) as refused:
        check_team([STAFF, member], assessors=assessors)
    assert refused.value.rule == "TEAM-CONFLICT"
    assert member.name in str(refused.value) and "第八条" in str(refused.value)


@pytest.mark.rule("TEAM-CONFLICT")
def test_a_conflicted_expert_may_not_review_the_report():
    check_experts(["周立平", "吴晓"], assessors=["钱某"])
    with pytest.raises(RuleViolation, match="专家 吴晓"):
        check_experts(["周立平", "吴晓"], assessors=["吴晓"])
