"""Third-party entrustment rules (SPEC §10): TP-QUALIFY bazhou 18 / changli 65 / minhang 7,
TP-AGREEMENT minhang 8, TP-NOSUB bazhou 17 / ningxia 4 / minhang 8 / changli 64, TP-CREDIT bazhou 21 /
ningxia 17 / changli 66, TEAM-CONFLICT ningxia 8 / minhang 7 / changli 64."""

from __future__ import annotations

import re
from datetime import date

import pytest

from pinggu.core.errors import RuleViolation, StateConflict
from pinggu.rules.profiles import load_profile
from pinggu.rules.third_party import (
    AGENCY_KINDS,
    AgencyFacts,
    Agreement,
    Citations,
    check_agreement,
    check_entrustment,
    check_entrustment_allowed,
    check_not_conflicted,
    check_qualified,
    check_subcontract,
    citations_of,
    normalise_name,
)

GOOD = AgencyFacts("某大学公共管理学院", "高等学校")
FULL = Agreement(
    matter="某政策执行情况后评估",
    quality="符合闵行区后评估指标体系",
    deadline=date(2026, 9, 30),
    fee="人民币8万元",
    ownership="评估成果归委托单位所有",
    confidentiality="不得泄露评估中知悉的秘密和个人信息",
    liability="逾期或弄虚作假的，退还经费并赔偿损失",
)
ALL_FIELDS = ("matter", "quality", "deadline", "fee", "ownership", "confidentiality", "liability")


@pytest.mark.rule("TP-QUALIFY")
@pytest.mark.parametrize("kind", AGENCY_KINDS)
def test_every_kind_the_seeds_name_qualifies(kind):
    # bazhou 17, changli 64: 高等学校、科研机构、律师事务所、社会组织、咨询机构
    check_qualified(AgencyFacts("某机构", kind))


@pytest.mark.rule("TP-QUALIFY", "TP-CREDIT")
@pytest.mark.parametrize(
    ("agency", "profile_id", "rule", "words"),
    [
        # bazhou 18 (信用记录良好) and 21 (不良信用记录), cited from the decision's own regulation.
        (
            AgencyFacts("甲", "高等学校", credit_status="不良"),
            "bazhou",
            "TP-CREDIT",
            ["信用记录不良", "规定（征求意见稿）》第十八条、第二十一条"],
        ),
        (
            AgencyFacts("乙", "咨询机构", has_equipment=False),
            "changli",
            "TP-QUALIFY",
            ["必要设备、设施", "规定（试行）》第六十五条"],
        ),
        (
            AgencyFacts("丙", "社会组织", qualified_staff=False),
            "minhang",
            "TP-QUALIFY",
            ["专业素质", "实施细则》第七条第一款"],
        ),
        (
            AgencyFacts("丁", "科研机构", has_equipment=False, qualified_staff=False),
            "ordos",
            "TP-QUALIFY",
            ["必要设备、设施", "专业素质", "未作规定，按本系统默认规则"],  # both named; ordos is silent
        ),
        (AgencyFacts("戊", "个人工作室"), "bazhou", "TP-QUALIFY", ["类别“个人工作室”无效", "高等学校"]),
    ],
    ids=["bad-credit", "no-equipment", "no-staff", "both", "unknown-kind"],
)
def test_an_unqualified_agency_is_refused_citing_the_decisions_own_articles(agency, profile_id, rule, words):
    with pytest.raises(RuleViolation) as refused:
        check_qualified(agency, citations_of(load_profile(profile_id)))
    assert refused.value.rule == rule
    assert agency.name in str(refused.value)
    for word in words:
        assert word in str(refused.value)
    others = {"bazhou": "霸州", "changli": "昌黎", "minhang": "闵行", "ordos": "鄂尔多斯"}
    assert not [name for pid, name in others.items() if pid != profile_id and name in str(refused.value)]


def test_an_unknown_credit_status_is_an_input_mistake():
    with pytest.raises(StateConflict, match="应为“良好”或“不良”"):
        check_qualified(AgencyFacts("甲", "高等学校", credit_status="一般"))


@pytest.mark.rule("TP-AGREEMENT")
@pytest.mark.parametrize(
    ("agreement", "required", "missing"),
    [
        (FULL, ALL_FIELDS, None),
        (Agreement(matter="某事项", liability="违约责任条款"), ("matter", "liability"), None),  # bazhou / changli
        (Agreement(), (), None),  # ordos: seed silent on the agreement's contents
        (Agreement(matter="某事项"), ALL_FIELDS, "质量要求、完成期限、评估经费、评估成果归属、保密条款、违约责任"),
        (Agreement(matter="  ", liability="有"), ("matter", "liability"), "评估事项"),  # blank is not written
        (Agreement(fee="8万元"), ("liability", "matter"), "违约责任、评估事项"),  # in the profile's order
    ],
    ids=["minhang-complete", "bazhou-complete", "nothing-required", "six-missing", "blank", "order"],
)
def test_the_written_agreement_settles_every_required_field(agreement, required, missing):
    if missing is None:
        check_agreement(agreement, required)
        return
    minhang = load_profile("minhang")
    with pytest.raises(RuleViolation) as refused:
        check_agreement(agreement, required, minhang.citation(minhang.third_party.basis))
    assert refused.value.rule == "TP-AGREEMENT"
    assert f"书面委托协议未写明：{missing}。" in str(refused.value)
    assert "《闵行区人民政府重大行政决策后评估程序实施细则》第七条、第八条" in str(refused.value)


@pytest.mark.rule("TP-AGREEMENT")
@pytest.mark.parametrize("profile", ["bazhou", "changli", "minhang", "ningxia_commerce", "ordos"])
def test_every_profile_requirement_is_met_by_a_complete_agreement(profile):
    third_party = load_profile(profile).third_party
    check_entrustment_allowed(third_party.allowed)
    check_agreement(FULL, third_party.agreement_fields, third_party.basis)
    if third_party.agreement_fields:
        with pytest.raises(RuleViolation, match=re.escape(third_party.basis)):
            check_agreement(Agreement(), third_party.agreement_fields, third_party.basis)


def test_a_field_no_profile_knows_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown agreement field"):
        check_agreement(FULL, ["price"])


@pytest.mark.rule("TP-NOSUB")
@pytest.mark.parametrize(
    ("profile_id", "article"),
    [
        ("bazhou", "第十七条第二款"),  # 不得擅自将委托事项变相转包
        ("ningxia_commerce", "第四条第一款"),  # 不得擅自将委托事项变相转包给其他单位
        ("minhang", "第八条第二款"),  # 未经委托人同意，不得将评估事项转委托
        ("changli", "第六十四条第二款"),  # 不得擅自将委托事项转包或变相转包
    ],
)
def test_subcontracting_needs_the_consent_recorded_in_the_agreement(profile_id, article):
    profile = load_profile(profile_id)
    citations = citations_of(profile)
    with pytest.raises(RuleViolation) as refused:
        check_subcontract(FULL, citations)
    assert refused.value.rule == "TP-NOSUB"
    assert f"《{profile.title}》{article}" in str(refused.value)
    check_subcontract(Agreement(subcontracting_consent=True), citations)


@pytest.mark.rule("TEAM-CONFLICT")
@pytest.mark.parametrize(
    ("name", "assessors", "declared", "refused"),
    [
        ("某咨询公司", ["某 咨询公司"], False, True),  # recorded pre-decision assessor, spacing ignored
        ("某咨询公司", [], True, True),  # declared by the operator for this decision
        ("某咨询公司", ["另一家机构"], False, False),
    ],
)
def test_the_agency_that_argued_the_decision_beforehand_is_excluded(name, assessors, declared, refused):
    changli = citations_of(load_profile("changli"))
    if not refused:
        check_not_conflicted(name, assessors, declared, changli)
        return
    with pytest.raises(RuleViolation) as error:
        check_not_conflicted(name, assessors, declared, changli)
    # changli 64(1): 决策作出前承担主要论证评估工作的单位除外.
    assert error.value.rule == "TEAM-CONFLICT" and "（试行）》第六十四条第一款" in str(error.value)


@pytest.mark.rule("TEAM-CONFLICT")
def test_a_silent_regulation_says_so_and_names_the_default():
    with pytest.raises(RuleViolation) as error:
        check_not_conflicted("某咨询公司", ["某咨询公司"], False, citations_of(load_profile("ordos")))
    assert "《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》未作规定，按本系统默认规则" in str(error.value)


@pytest.mark.rule("TP-QUALIFY")
def test_a_profile_that_forbids_entrustment_refuses_it():
    with pytest.raises(RuleViolation, match="不允许委托第三方机构") as refused:
        check_entrustment_allowed(False, "某办法第五条")
    assert "某办法第五条" in str(refused.value)


@pytest.mark.rule("TP-QUALIFY", "TP-AGREEMENT", "TEAM-CONFLICT")
def test_the_combined_check_refuses_in_the_order_an_operator_fixes_things():
    conflicted = AgencyFacts("乙", "咨询机构", did_pre_decision_argumentation=True)
    cases = [
        (dict(agency=GOOD, allowed=False), "TP-QUALIFY"),
        (dict(agency=AgencyFacts("甲", "高等学校", has_equipment=False), allowed=True), "TP-QUALIFY"),
        (dict(agency=conflicted, allowed=True), "TEAM-CONFLICT"),
        (dict(agency=GOOD, allowed=True), "TP-AGREEMENT"),
    ]
    for case, rule in cases:
        with pytest.raises(RuleViolation) as refused:
            check_entrustment(
                case["agency"], Agreement(), assessors=[], required_fields=ALL_FIELDS, allowed=case["allowed"]
            )
        assert refused.value.rule == rule
    check_entrustment(GOOD, FULL, assessors=["别人"], required_fields=ALL_FIELDS, allowed=True)


def test_agreement_as_plain_values():
    assert FULL.to_dict()["deadline"] == "2026-09-30"
    assert FULL.to_dict()["subcontracting_consent"] is False


# --- exact values: the defaults, and the messages an operator reads in full --------------------


@pytest.mark.rule("TEAM-CONFLICT")
def test_an_agency_is_not_conflicted_unless_recorded_or_declared():
    # ningxia 8, minhang 7, changli 64(1): only the pre-decision assessor is excluded; nothing declared by default.
    check_not_conflicted("某大学公共管理学院", ["某咨询公司"])
    check_not_conflicted("某大学公共管理学院", [])
    with pytest.raises(RuleViolation) as refused:
        check_not_conflicted("某咨询公司", [" 某咨询公司 "])
    # Without a profile's citations the rule applies and cites nothing.
    assert refused.value.message == (
        "评估机构 某咨询公司 曾承担该决策作出前的主要论证评估工作，不得受委托开展本次后评估，请另选机构"
    )
    assert refused.value.context == {"rule": "TEAM-CONFLICT", "agency": "某咨询公司"}


@pytest.mark.rule("TEAM-CONFLICT")
def test_the_conflict_refusal_cites_the_decisions_article_in_full():
    with pytest.raises(RuleViolation) as refused:
        check_not_conflicted("某咨询公司", [], True, citations_of(load_profile("changli")))
    assert refused.value.message == (
        "评估机构 某咨询公司 曾承担该决策作出前的主要论证评估工作，不得受委托开展本次后评估，请另选机构"
        "（《昌黎县人民政府重大行政决策程序规定（试行）》第六十四条第一款）"
    )


@pytest.mark.rule("TP-QUALIFY", "TP-CREDIT", "TP-NOSUB", "TEAM-CONFLICT")
def test_a_rule_the_profile_does_not_apply_refuses_nothing():
    silent = Citations(qualify=None, credit=None, nosub=None, conflict=None)
    check_qualified(AgencyFacts("甲", "高等学校", credit_status="不良", has_equipment=False), silent)
    check_subcontract(Agreement(), silent)
    check_not_conflicted("甲", ["甲"], True, silent)
    # Each rule on its own: the others stay silent.
    with pytest.raises(RuleViolation) as refused:
        check_qualified(
            AgencyFacts("甲", "高等学校", credit_status="不良", has_equipment=False), Citations(credit=None)
        )
    assert refused.value.rule == "TP-QUALIFY"


@pytest.mark.rule("TP-QUALIFY")
def test_the_qualification_refusal_reads_in_full():
    # minhang 7(1): 具备开展评估工作的必要设备、设施; 参与评估的工作人员具备相应专业素质.
    agency = AgencyFacts("丁", "科研机构", has_equipment=False, qualified_staff=False)
    with pytest.raises(RuleViolation) as refused:
        check_qualified(agency, citations_of(load_profile("minhang")))
    lacking = [
        "不具备开展评估工作的必要设备、设施",
        "指定参与评估的工作人员不具备熟悉相关法律及政策、行政事务和掌握评估方法技术的专业素质",
    ]
    assert refused.value.message == (
        f"评估机构 丁 不符合受委托条件：{'；'.join(lacking)}。请另选机构或补足条件后重新登记"
        "（《闵行区人民政府重大行政决策后评估程序实施细则》第七条第一款）"
    )
    assert refused.value.context == {"rule": "TP-QUALIFY", "agency": "丁", "lacking": lacking}
    with pytest.raises(RuleViolation) as staff_only:
        check_qualified(AgencyFacts("丙", "社会组织", qualified_staff=False))
    assert staff_only.value.context["lacking"] == lacking[1:]
    assert staff_only.value.message.endswith("。请另选机构或补足条件后重新登记")


@pytest.mark.rule("TP-CREDIT")
def test_the_credit_refusal_reads_in_full():
    # changli 65 (信用记录良好), 66 (不良信用记录).
    with pytest.raises(RuleViolation) as refused:
        check_qualified(AgencyFacts("甲", "高等学校", credit_status="不良"), citations_of(load_profile("changli")))
    assert refused.value.message == (
        "评估机构 甲 信用记录不良，不得受委托开展评估，请另选信用记录良好的机构"
        "（《昌黎县人民政府重大行政决策程序规定（试行）》第六十五条、第六十六条）"
    )
    assert refused.value.context == {"rule": "TP-CREDIT", "agency": "甲"}


@pytest.mark.rule("TP-QUALIFY")
def test_facts_refusals_read_in_full():
    with pytest.raises(RuleViolation) as kind:
        check_qualified(AgencyFacts("戊", "个人工作室"))
    assert (
        kind.value.message
        == "评估机构 戊 的类别“个人工作室”无效，可选：高等学校、科研机构、律师事务所、社会组织、咨询机构"
    )
    assert kind.value.context == {"rule": "TP-QUALIFY", "agency": "戊"}
    with pytest.raises(StateConflict) as credit:
        check_qualified(AgencyFacts("甲", "高等学校", credit_status="一般"))
    assert credit.value.message == "评估机构 甲 的信用记录“一般”无效，应为“良好”或“不良”"
    assert credit.value.context == {"agency": "甲"}
    for blank in ("", "   "):
        with pytest.raises(StateConflict) as name:
            check_qualified(AgencyFacts(blank, "高等学校"))
        assert name.value.message == "评估机构名称不能为空，请填写机构全称"


@pytest.mark.rule("TP-QUALIFY")
def test_the_refusal_to_entrust_reads_in_full():
    with pytest.raises(RuleViolation) as refused:
        check_entrustment_allowed(False)
    assert refused.value.message == "该决策适用的规定不允许委托第三方机构开展评估，请由评估单位自行评估"
    assert refused.value.rule == "TP-QUALIFY"
    check_entrustment_allowed(True)


@pytest.mark.rule("TP-NOSUB")
def test_the_subcontracting_refusal_reads_in_full():
    # minhang 8(2): 未经委托人同意，不得将评估事项转委托; hiring outside experts is not subcontracting.
    with pytest.raises(RuleViolation) as refused:
        check_subcontract(Agreement())
    assert refused.value.message == (
        "未经委托单位同意，受委托评估机构不得将评估事项转包或转委托给其他单位或者个人；可以外聘专家参与评估"
    )
    assert refused.value.context == {"rule": "TP-NOSUB"}


@pytest.mark.rule("TP-AGREEMENT")
def test_the_agreement_refusal_carries_the_missing_keys():
    with pytest.raises(RuleViolation) as refused:
        check_agreement(Agreement(matter="某事项", fee=" "), ("matter", "fee", "deadline"))
    assert refused.value.message == "书面委托协议未写明：评估经费、完成期限。请在委托协议中补充后重试"
    assert refused.value.context == {"rule": "TP-AGREEMENT", "missing": ["fee", "deadline"]}


@pytest.mark.rule("TEAM-CONFLICT", "TP-AGREEMENT")
def test_the_combined_check_passes_the_declared_conflict_and_the_basis_on():
    declared = AgencyFacts("乙", "咨询机构", did_pre_decision_argumentation=True)
    with pytest.raises(RuleViolation) as refused:
        check_entrustment(declared, FULL, assessors=[], required_fields=ALL_FIELDS, allowed=True)
    assert refused.value.rule == "TEAM-CONFLICT" and refused.value.context["agency"] == "乙"
    with pytest.raises(RuleViolation) as agreement:
        check_entrustment(
            GOOD, Agreement(), assessors=[], required_fields=("matter",), allowed=True, basis="某办法第八条"
        )
    assert agreement.value.message == "书面委托协议未写明：评估事项。请在委托协议中补充后重试（某办法第八条）"


def test_agreement_as_plain_values_in_full():
    assert FULL.to_dict() == {
        "matter": "某政策执行情况后评估",
        "quality": "符合闵行区后评估指标体系",
        "deadline": "2026-09-30",
        "fee": "人民币8万元",
        "ownership": "评估成果归委托单位所有",
        "confidentiality": "不得泄露评估中知悉的秘密和个人信息",
        "liability": "逾期或弄虚作假的，退还经费并赔偿损失",
        "subcontracting_consent": False,
    }
    assert normalise_name("  某 大学\t公共管理学院 ") == "某 大学 公共管理学院"


@pytest.mark.rule("TP-QUALIFY", "TP-CREDIT", "TEAM-CONFLICT", "TP-AGREEMENT")
def test_the_combined_check_passes_the_profiles_citations_and_basis_to_each_check():
    changli = citations_of(load_profile("changli"))
    cases = [
        (
            AgencyFacts("甲", "高等学校", credit_status="不良"),
            FULL,
            "（《昌黎县人民政府重大行政决策程序规定（试行）》第六十五条、第六十六条）",
        ),
        (AgencyFacts("乙", "咨询机构", did_pre_decision_argumentation=True), FULL, "第六十四条第一款）"),
        (GOOD, Agreement(), "评估事项。请在委托协议中补充后重试（第六十四条第一款）"),
    ]
    for agency, agreement, ending in cases:
        with pytest.raises(RuleViolation) as refused:
            check_entrustment(
                agency,
                agreement,
                assessors=[],
                required_fields=("matter",),
                allowed=True,
                basis="第六十四条第一款",
                citations=changli,
            )
        assert refused.value.message.endswith(ending)
    with pytest.raises(RuleViolation) as not_allowed:
        check_entrustment(GOOD, FULL, assessors=[], required_fields=(), allowed=False, basis="某办法第五条")
    assert not_allowed.value.message.endswith("请由评估单位自行评估（某办法第五条）")
    # Without a basis nothing is cited; where the profile does not apply a rule, it refuses nothing.
    with pytest.raises(RuleViolation) as uncited:
        check_entrustment(GOOD, Agreement(), assessors=[], required_fields=("matter",), allowed=True)
    assert uncited.value.message == "书面委托协议未写明：评估事项。请在委托协议中补充后重试"
    silent = Citations(qualify=None, credit=None, nosub=None, conflict=None)
    bad = AgencyFacts("甲", "高等学校", credit_status="不良", did_pre_decision_argumentation=True)
    check_entrustment(bad, FULL, assessors=["甲"], required_fields=ALL_FIELDS, allowed=True, citations=silent)


def test_an_unknown_agreement_field_names_the_known_ones():
    with pytest.raises(ValueError) as error:
        FULL.missing(["price"])
    assert str(error.value) == (
        "unknown agreement field 'price'; known: matter, quality, deadline, fee, ownership, confidentiality, liability"
    )
