"""Team composition and conflicts (TEAM-MEMBERS: bazhou 9(1); TEAM-CONFLICT: ningxia 8, minhang 7, changli 64)."""

from __future__ import annotations

import pytest

from pinggu.core.errors import RuleViolation
from pinggu.rules.profiles import load_profile, load_profiles
from pinggu.rules.team import TEAM_ROLES, Member, check_experts, check_team

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


# --- the messages an operator reads, in full ----------------------------------------------------


@pytest.mark.rule("TEAM-MEMBERS")
def test_team_refusals_without_a_basis_cite_nothing():
    cases = [
        ([], "评估小组至少需要一名成员，请填写评估小组成员", {}),
        ([STAFF, Member(" ", "公众代表")], "评估小组成员姓名不能为空", {}),
        (
            [STAFF, Member("某人", "顾问")],
            "评估小组成员 某人 的角色“顾问”无效，可选：单位工作人员、人大代表",
            {"member": "某人"},
        ),
        (
            [Member("李华", "人大代表")],
            "评估小组须由承担评估具体工作的单位相关人员组成，请至少加入一名“单位工作人员”",
            {},
        ),
    ]
    for members, message, context in cases:
        with pytest.raises(RuleViolation) as refused:
            check_team(members, assessors=[], roles=("单位工作人员", "人大代表"))
        assert refused.value.message == message
        assert refused.value.context == {"rule": "TEAM-MEMBERS", **context}


@pytest.mark.rule("TEAM-MEMBERS")
def test_team_refusals_cite_the_profiles_article():
    # bazhou 9(1): 小组由承担评估具体工作的单位相关人员组成.
    team_roles = load_profile("bazhou").team_roles
    cited = f"（{team_roles.basis}）"
    with pytest.raises(RuleViolation) as no_staff:
        check_team([Member("李华", "法律专家")], assessors=[], roles=team_roles.roles, basis=team_roles.basis)
    assert no_staff.value.message == (
        f"评估小组须由承担评估具体工作的单位相关人员组成，请至少加入一名“单位工作人员”{cited}"
    )
    with pytest.raises(RuleViolation) as role:
        check_team([STAFF, Member("某人", "公众代表")], assessors=[], roles=team_roles.roles, basis=team_roles.basis)
    assert role.value.message == (
        f"评估小组成员 某人 的角色“公众代表”无效，可选：单位工作人员、人大代表、政协委员、法律专家、行业专家{cited}"
    )


@pytest.mark.rule("TEAM-CONFLICT")
def test_conflict_refusals_read_in_full():
    # minhang 7: 决策前承担主要论证工作的 … 不得参与评估.
    with pytest.raises(RuleViolation) as member:
        check_team([STAFF, Member("李华", "法律专家")], assessors=["李 华"], roles=TEAM_ROLES)
    assert member.value.message == "李华 曾承担该决策的决策前论证或评估工作，不得参加本次后评估，请更换成员"
    assert member.value.context == {"rule": "TEAM-CONFLICT", "member": "李华"}
    with pytest.raises(RuleViolation) as cited:
        check_team([STAFF, Member("李华", "法律专家")], ["李华"], roles=TEAM_ROLES, conflict_basis="某细则第七条")
    assert cited.value.message.endswith("请更换成员（某细则第七条）")
    with pytest.raises(RuleViolation) as expert:
        check_experts(["吴晓"], assessors=["吴晓"])
    assert expert.value.message == "专家 吴晓 曾参与该决策的决策前论证，不得参与本次评估报告论证，请更换专家"


@pytest.mark.rule("TEAM-MEMBERS", "TEAM-CONFLICT")
def test_the_profile_checks_its_team_and_experts_under_its_own_articles():
    bazhou = load_profile("bazhou")
    bazhou.check_team([STAFF, Member("陈静", "人大代表")], assessors=["周某"])
    with pytest.raises(RuleViolation) as role:
        bazhou.check_team([STAFF, Member("某人", "公众代表")], assessors=[])
    # bazhou 9(1): 小组由承担评估具体工作的单位相关人员组成，可以邀请人大代表、政协委员、有关法律专家、行业管理专家等参加.
    assert role.value.message == (
        "评估小组成员 某人 的角色“公众代表”无效，可选：单位工作人员、人大代表、政协委员、法律专家、行业专家"
        "（《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第九条（一）："
        "小组由承担评估具体工作的单位相关人员组成，可以邀请人大代表、政协委员、有关法律专家、行业管理专家等参加）"
    )
    minhang = load_profile("minhang")
    # minhang 7(2): 决策前承担主要论证工作的 … 不得参与评估.
    with pytest.raises(RuleViolation) as member:
        minhang.check_team([STAFF, Member("李华", "法律专家")], assessors=["李华"])
    assert member.value.message == (
        "李华 曾承担该决策的决策前论证或评估工作，不得参加本次后评估，请更换成员"
        "（《闵行区人民政府重大行政决策后评估程序实施细则》第七条第二款）"
    )
    minhang.check_experts(["周立平"], assessors=["李华"])
    with pytest.raises(RuleViolation) as expert:
        minhang.check_experts(["周立平", "李华"], assessors=["李华"])
    assert expert.value.message == (
        "专家 李华 曾参与该决策的决策前论证，不得参与本次评估报告论证，请更换专家"
        "（《闵行区人民政府重大行政决策后评估程序实施细则》第七条第二款）"
    )
    assert expert.value.context == {"rule": "TEAM-CONFLICT", "member": "李华"}


@pytest.mark.rule("S-CONCL")
def test_a_member_of_the_team_that_wrote_the_report_may_not_argue_it():
    # bazhou 11(2): 组织有关专家对…报告进行论证 — the report the team drafted (11(1)); its authors are not the experts.
    check_experts(["周立平", "吴晓"], assessors=[], members=["王明", "李华"], outside_basis="")
    with pytest.raises(RuleViolation) as refused:
        check_experts(["吴晓", "李 华"], assessors=[], members=["王明", "李华"], outside_basis="某规定第十一条（二）")
    assert refused.value.message == (
        "李 华 是本次评估小组成员，参与起草了评估报告，不能作为论证专家论证本报告，"
        "请由评估小组以外的有关专家论证（某规定第十一条（二））"
    )
    assert refused.value.context == {"rule": "S-CONCL", "member": "李 华"}
    # Where a profile does not apply the reading (outside_basis None), the team's experts are accepted.
    check_experts(["李华"], assessors=[], members=["王明", "李华"], outside_basis=None)


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize(
    ("profile", "cited"),
    [
        ("bazhou", "《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第十一条（二）"),
        ("changli", "《昌黎县人民政府重大行政决策程序规定（试行）》第五十八条（三）2"),
        ("ningxia_commerce", "《宁夏回族自治区商务厅重大行政决策实施情况跟踪反馈与后评估办法（试行）》第十条（四）"),
        (
            "ordos",
            "《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》未作规定，按本系统默认规则：办法没有报告论证环节",
        ),
        ("minhang", "《闵行区人民政府重大行政决策后评估程序实施细则》未作规定，按本系统默认规则：细则没有报告论证环节"),
    ],
)
def test_every_profile_has_the_report_argued_by_experts_outside_the_team(profile, cited):
    rules = load_profile(profile)
    assert rules.safeguards.reviewers_outside_team.applies
    rules.check_experts(["周立平", "吴晓"], assessors=[], members=["王明", "李华"])
    with pytest.raises(RuleViolation) as refused:
        rules.check_experts(["王明", "李华"], assessors=[], members=["王明", "李华"])
    assert refused.value.message.startswith("王明 是本次评估小组成员")
    assert f"（{cited}" in refused.value.message
    assert "default" not in refused.value.message and "seed silent" not in refused.value.message
