"""Team composition and conflicts (TEAM-MEMBERS: bazhou 9(1); TEAM-CONFLICT: ningxia 8, minhang 7, changli 64)."""

from __future__ import annotations

import pytest

from core.errors import RuleViolation
from rules.profiles import load_profile, load_profiles
from rules.team import TEAM_ROLES, Member, check_experts, check_team

STAFF = Member("王明", "单位工作人员", "区司法局")


@pytest.mark.rule("TEAM-MEMBERS")
def test_a_team_of_unit_staff_with_invited_members_is_accepted():
    check_team([STAFF, Member("陈静", "人大代表"), Member("李华", "法律专家")], assessors=["周某"], roles=TEAM_ROLES)


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
        check_team(members, assessors=[], roles=TEAM_ROLES)
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
    # ningxia 8: 重大行政决策作出前承担主要论证工作的专家、专业机构和社会组织等，原则上不得参与评估工作.
    ningxia = load_profile("ningxia_commerce")
    conflict = ningxia.applied(ningxia.safeguards.team_conflict)
    with pytest.raises(RuleViolation) as refused:
        check_team([STAFF, member], assessors=assessors, roles=TEAM_ROLES, conflict_basis=conflict)
    assert refused.value.rule == "TEAM-CONFLICT"
    assert member.name in str(refused.value) and f"《{ningxia.title}》第八条" in str(refused.value)


@pytest.mark.rule("TEAM-CONFLICT")
def test_where_the_profile_does_not_apply_the_conflict_rule_the_member_is_accepted():
    check_team([STAFF, Member("李华", "法律专家")], assessors=["李华"], roles=TEAM_ROLES, conflict_basis=None)
    check_experts(["李华"], assessors=["李华"], conflict_basis=None)


@pytest.mark.rule("TEAM-CONFLICT")
def test_a_conflicted_expert_may_not_review_the_report():
    # ningxia 8, minhang 7, changli 64: whoever did the main pre-decision argumentation may not evaluate.
    check_experts(["周立平", "吴晓"], assessors=["钱某"])
    with pytest.raises(RuleViolation, match="专家 吴晓") as refused:
        check_experts(["周立平", "吴晓"], assessors=["吴晓"])
    assert (refused.value.rule, refused.value.context["member"]) == ("TEAM-CONFLICT", "吴晓")
    with pytest.raises(RuleViolation) as cited:
        check_experts(["吴晓"], assessors=["吴晓"], conflict_basis="宁夏商务厅办法第八条")
    assert cited.value.message.endswith("请更换专家（宁夏商务厅办法第八条）")


# --- roles per profile: each regulation says who may sit on the team ------------------------------


@pytest.mark.rule("TEAM-MEMBERS")
@pytest.mark.parametrize(
    ("profile_id", "role"),
    [
        ("minhang", "决策涉及单位代表"),  # minhang 12(1): 决策事项涉及单位代表
        ("minhang", "社会组织代表"),  # minhang 9: 人民团体、基层组织、社会组织等参与评估
        ("ordos", "人民团体代表"),  # ordos 16: 吸收人大代表、政协委员、人民团体、基层组织、社会组织参与评估
        ("ordos", "基层组织代表"),
    ],
)
def test_a_role_the_regulation_provides_is_accepted(profile_id, role):
    team_roles = load_profile(profile_id).team_roles
    check_team([STAFF, Member("某人", role)], assessors=[], roles=team_roles.roles, basis=team_roles.basis)


@pytest.mark.rule("TEAM-MEMBERS")
def test_bazhou_teams_are_unit_staff_with_deputies_members_and_experts():
    # bazhou 9(1): 小组由承担评估具体工作的单位相关人员组成，可以邀请人大代表、政协委员、有关法律专家、行业管理专家等参加.
    team_roles = load_profile("bazhou").team_roles
    assert team_roles.roles == ("单位工作人员", "人大代表", "政协委员", "法律专家", "行业专家")
    with pytest.raises(RuleViolation) as refused:
        check_team(
            [STAFF, Member("某人", "社会组织代表")], assessors=[], roles=team_roles.roles, basis=team_roles.basis
        )
    assert "第九条（一）" in str(refused.value) and refused.value.rule == "TEAM-MEMBERS"


def test_every_profile_lets_unit_staff_in_and_lists_only_known_roles():
    for profile in load_profiles().values():
        assert "单位工作人员" in profile.team_roles.roles
        assert set(profile.team_roles.roles) <= set(TEAM_ROLES)
