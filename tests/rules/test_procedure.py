"""The route of an evaluation through its stages and gates (SPEC §4; rules/procedure.py, pure).

S-SIMPLE: bazhou 13, changli 60 — one method, then the report. E-METHODS: the profile's methods.
OR-14: a third party's report is accepted by the lead unit (only when entrusted). NX-10: Ningxia's
decision body decides whether to evaluate at all. G-APPROVE: the decision body approves last.
S-SCOPE, S-MID, S-FINAL: bazhou 8 and 15.
"""

from __future__ import annotations

from datetime import date

import pytest

from pinggu.core.errors import RuleViolation
from pinggu.rules.gates import GATES, METHOD_SUBMISSIONS, SUBMISSION_OF_METHOD
from pinggu.rules.procedure import (
    ReworkScope,
    check_scope,
    check_type_fits,
    procedure_for,
    rework_for,
)
from pinggu.rules.profiles import load_profile
from pinggu.rules.vocabulary import METHODS

PROFILE_IDS = ("bazhou", "ordos", "ningxia_commerce", "changli", "minhang")
SIMPLIFIED_PROFILES = ("bazhou", "changli")  # the seeds that offer the simplified procedure
LONG_TERM_PROFILES = ("bazhou", "ordos", "changli")  # the seeds with mid-term and final evaluations


def _every_route():
    """(profile, type, entrusted) for every type each profile offers."""
    for profile_id in PROFILE_IDS:
        for evaluation_type in load_profile(profile_id).evaluation_types:
            for entrusted in (False, True):
                yield pytest.param(
                    profile_id,
                    evaluation_type,
                    entrusted,
                    id=f"{profile_id}-{evaluation_type}-{'entrusted' if entrusted else 'self'}",
                )


# --- the simplified procedure (S-SIMPLE) -------------------------------------------------------


@pytest.mark.rule("S-SIMPLE")
@pytest.mark.parametrize("profile_id", SIMPLIFIED_PROFILES)
def test_simplified_has_no_plan_gate_no_expert_marks_and_no_expert_review(profile_id):
    procedure = procedure_for(load_profile(profile_id), "simplified", ["座谈会"], entrusted=False)
    assert procedure.methods == ("座谈会",)
    assert procedure.plan_gate is None and procedure.start_gate is None
    assert procedure.expert_review is None and not procedure.scored
    assert procedure.gates == ("minutes", "approval")
    assert "plan_approval" not in procedure.gates and "expert_marks" not in procedure.gates
    assert "expert_review" not in procedure.gates


@pytest.mark.rule("S-SIMPLE")
@pytest.mark.parametrize("profile_id", SIMPLIFIED_PROFILES)
def test_simplified_offers_each_of_the_profiles_methods_alone(profile_id):
    profile = load_profile(profile_id)
    for method in profile.simplified_methods:
        procedure = procedure_for(profile, "simplified", [method], entrusted=False)
        assert procedure.methods == (method,)
        assert procedure.submissions == (SUBMISSION_OF_METHOD[method],)
        assert procedure.gates == (SUBMISSION_OF_METHOD[method], "approval")


@pytest.mark.rule("S-SIMPLE")
def test_simplified_without_a_method_takes_the_questionnaire():
    procedure = procedure_for(load_profile("bazhou"), "simplified", [], entrusted=False)
    assert procedure.methods == ("问卷调查",) and procedure.gates == ("survey", "approval")
    # Blank entries are no choice at all.
    assert procedure_for(load_profile("bazhou"), "simplified", ["  ", ""], entrusted=False).methods == ("问卷调查",)


@pytest.mark.rule("S-SIMPLE")
def test_simplified_takes_its_methods_from_the_simplified_list_not_the_general_one():
    bazhou = load_profile("bazhou")
    # bazhou 13 names 意见征询 for the simplified procedure although bazhou 10(2) does not list it.
    assert "意见征询" in bazhou.simplified_methods and "意见征询" not in bazhou.methods
    assert procedure_for(bazhou, "simplified", ["意见征询"], entrusted=False).submissions == ("opinions",)


@pytest.mark.rule("S-SIMPLE")
@pytest.mark.parametrize("profile_id", SIMPLIFIED_PROFILES)
@pytest.mark.parametrize(
    "methods",
    [["座谈会", "问卷调查"], ["实地调研"], ["舆情跟踪"]],
    ids=["two-methods", "field-research-not-offered", "public-opinion-not-offered"],
)
def test_simplified_refuses_more_than_one_method_or_one_not_offered(profile_id, methods):
    profile = load_profile(profile_id)
    with pytest.raises(RuleViolation) as refused:
        procedure_for(profile, "simplified", methods, entrusted=False)
    assert refused.value.rule == "S-SIMPLE"
    assert refused.value.context["methods"] == methods
    assert "简易程序只能从" in str(refused.value) and "、".join(profile.simplified_methods) in str(refused.value)


@pytest.mark.rule("S-SIMPLE")
def test_the_same_method_twice_is_one_method():
    procedure = procedure_for(load_profile("bazhou"), "simplified", ["座谈会", " 座谈会 "], entrusted=False)
    assert procedure.methods == ("座谈会",)


# --- methods and the submissions they open (E-METHODS) -----------------------------------------


@pytest.mark.rule("E-METHODS")
def test_every_method_opens_a_known_submission():
    assert set(SUBMISSION_OF_METHOD) == set(METHODS)
    assert set(SUBMISSION_OF_METHOD.values()) == set(METHOD_SUBMISSIONS)
    assert METHOD_SUBMISSIONS == ("survey", "minutes", "field", "opinions")
    assert all(kind in GATES for kind in METHOD_SUBMISSIONS)


@pytest.mark.rule("E-METHODS")
@pytest.mark.parametrize(
    ("profile_id", "method"),
    [("bazhou", "舆情跟踪"), ("minhang", "论证会"), ("ningxia_commerce", "意见征询"), ("changli", "个别访谈")],
)
def test_a_method_the_profile_does_not_name_is_refused(profile_id, method):
    evaluation_type = load_profile(profile_id).evaluation_types[0]
    with pytest.raises(RuleViolation) as refused:
        procedure_for(load_profile(profile_id), evaluation_type, ["问卷调查", method], entrusted=False)
    assert refused.value.rule == "E-METHODS"
    assert refused.value.context["methods"] == [method]
    assert f"“{method}”" in str(refused.value)


@pytest.mark.rule("E-METHODS")
@pytest.mark.parametrize("method", load_profile("ordos").methods)
def test_each_ordos_method_opens_its_own_submission(method):
    procedure = procedure_for(load_profile("ordos"), "ordinary", [method], entrusted=False)
    assert procedure.methods == (method,)
    assert procedure.submissions == (SUBMISSION_OF_METHOD[method],)
    assert procedure.gate(SUBMISSION_OF_METHOD[method]) is procedure.submission_gate


@pytest.mark.rule("E-METHODS")
def test_submissions_follow_the_methods_once_each_in_procedure_order():
    methods = ["专家咨询", "实地调研", "座谈会", "意见征询", "问卷调查", "舆情跟踪"]
    procedure = procedure_for(load_profile("ordos"), "ordinary", methods, entrusted=False)
    assert procedure.methods == tuple(methods)  # as chosen
    assert procedure.submissions == ("survey", "minutes", "field", "opinions")  # each once, in order
    assert procedure.gates == (
        "plan_approval",
        "survey",
        "minutes",
        "field",
        "opinions",
        "expert_marks",
        "expert_review",
        "approval",
    )
    assert procedure.gate("expert_marks") is procedure.submission_gate
    assert procedure.gate("no_such_gate") is None


@pytest.mark.rule("E-METHODS")
def test_an_ordinary_evaluation_without_a_method_uses_the_questionnaire():
    procedure = procedure_for(load_profile("minhang"), "ordinary", [], entrusted=False)
    assert procedure.methods == ("问卷调查",) and procedure.submissions == ("survey",)


# --- gates per type and profile ----------------------------------------------------------------


@pytest.mark.rule("S-PREP", "S-CONCL")
@pytest.mark.parametrize("profile_id", ("bazhou", "changli", "ordos", "minhang"))
def test_ordinary_route_plan_submission_marks_review_approval(profile_id):
    procedure = procedure_for(load_profile(profile_id), "ordinary", ["问卷调查"], entrusted=False)
    assert procedure.gates == ("plan_approval", "survey", "expert_marks", "expert_review", "approval")
    assert procedure.scored and procedure.start_gate is None and procedure.third_party_acceptance is None
    assert procedure.report_parts == ()


@pytest.mark.rule("OR-14")
def test_ordos_asks_for_acceptance_of_a_third_partys_report_only_when_entrusted():
    ordos = load_profile("ordos")
    for evaluation_type in ordos.evaluation_types:
        own = procedure_for(ordos, evaluation_type, ["问卷调查"], entrusted=False)
        entrusted = procedure_for(ordos, evaluation_type, ["问卷调查"], entrusted=True)
        assert own.third_party_acceptance is None and "third_party_acceptance" not in own.gates
        assert entrusted.third_party_acceptance is not None
        assert entrusted.gates[-3:] == ("expert_review", "third_party_acceptance", "approval")
        assert (
            entrusted.third_party_acceptance.basis
            and entrusted.gate("third_party_acceptance") is entrusted.third_party_acceptance
        )


@pytest.mark.rule("OR-14")
@pytest.mark.parametrize("profile_id", ("bazhou", "changli", "minhang", "ningxia_commerce"))
def test_other_profiles_have_no_acceptance_gate_even_when_entrusted(profile_id):
    profile = load_profile(profile_id)
    procedure = procedure_for(profile, profile.evaluation_types[0], ["问卷调查"], entrusted=True)
    assert procedure.third_party_acceptance is None and "third_party_acceptance" not in procedure.gates


@pytest.mark.rule("NX-10")
@pytest.mark.parametrize("entrusted", (False, True))
def test_ningxia_decides_whether_to_start_and_has_no_plan_approval(entrusted):
    procedure = procedure_for(load_profile("ningxia_commerce"), "ningxia_90day", ["问卷调查"], entrusted=entrusted)
    assert procedure.start_gate is not None and procedure.plan_gate is None
    assert procedure.gates == ("start_approval", "survey", "expert_marks", "expert_review", "approval")
    assert procedure.gate("start_approval") is procedure.start_gate
    assert procedure.gate("plan_approval") is None


@pytest.mark.rule("G-APPROVE")
@pytest.mark.parametrize(("profile_id", "evaluation_type", "entrusted"), list(_every_route()))
def test_the_decision_body_approves_last_on_every_route(profile_id, evaluation_type, entrusted):
    procedure = procedure_for(load_profile(profile_id), evaluation_type, [], entrusted=entrusted)
    assert procedure.gates[-1] == "approval" and procedure.gates.count("approval") == 1
    assert procedure.approval.id == "approval" and procedure.approval.required
    assert procedure.gate("approval") is procedure.approval
    assert len(set(procedure.gates)) == len(procedure.gates)


@pytest.mark.rule("S-MID", "S-FINAL")
@pytest.mark.parametrize("profile_id", LONG_TERM_PROFILES)
def test_midterm_and_final_reports_add_the_profiles_parts(profile_id):
    profile = load_profile(profile_id)
    midterm = procedure_for(profile, "midterm", ["问卷调查"], entrusted=False)
    final = procedure_for(profile, "final", ["问卷调查"], entrusted=False)
    assert midterm.report_parts == profile.midterm_parts and midterm.report_parts
    assert final.report_parts == profile.final_parts and final.report_parts
    assert "修正执行不当情况" in midterm.report_parts  # bazhou 15 第四款
    assert "成功的经验" in final.report_parts  # bazhou 15 第五款
    # Mid-term and final evaluations are full evaluations: planned, scored, reviewed.
    assert midterm.plan_gate is not None and midterm.scored and midterm.expert_review is not None


# --- scope (S-SCOPE) ---------------------------------------------------------------------------


@pytest.mark.rule("S-SCOPE")
@pytest.mark.parametrize(
    ("scope", "parts"),
    [("whole", []), ("whole", ["  "]), ("partial", ["补贴发放"]), ("partial", ["补贴发放", "监督管理"])],
)
def test_scope_that_fits_is_accepted(scope, parts):
    check_scope(scope, parts)


@pytest.mark.rule("S-SCOPE")
@pytest.mark.parametrize(
    ("scope", "parts", "message"),
    [
        ("partial", [], "部分评估须逐项写明"),
        ("partial", ["", "  "], "部分评估须逐项写明"),
        ("whole", ["补贴发放"], "整体评估不需填写"),
    ],
)
def test_scope_that_does_not_fit_is_refused(scope, parts, message):
    with pytest.raises(RuleViolation) as refused:
        check_scope(scope, parts)
    assert refused.value.rule == "S-SCOPE" and message in str(refused.value)


# --- mid-term and final only for long-term decisions (S-MID, S-FINAL) ---------------------------

TODAY = date(2026, 11, 22)


@pytest.mark.rule("S-MID", "S-FINAL")
@pytest.mark.parametrize("evaluation_type", ("ordinary", "simplified", "ningxia_90day"))
def test_other_types_fit_any_decision(evaluation_type):
    check_type_fits(evaluation_type, date(2026, 1, 1), None, TODAY)
    check_type_fits(evaluation_type, date(2026, 1, 1), date(2026, 6, 30), TODAY)


@pytest.mark.rule("S-MID")
@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2022, 7, 6), date(2027, 7, 5)),  # exactly five years (the sample's S-2022-021)
        (date(2020, 1, 1), date(2024, 12, 31)),  # exactly five calendar years
        (date(2020, 7, 2), date(2030, 7, 1)),  # ten years
    ],
)
def test_midterm_fits_a_decision_of_five_years_or_more(starts_on, ends_on):
    check_type_fits("midterm", starts_on, ends_on, TODAY)


@pytest.mark.rule("S-MID", "S-FINAL")
@pytest.mark.parametrize("evaluation_type", ("midterm", "final"))
@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2020, 1, 1), date(2024, 12, 30)),  # one day short of five years
        (date(2023, 1, 13), date(2025, 1, 12)),  # two years (the sample's S-2023-030)
        (date(2021, 1, 28), None),  # open-ended: no five-year term to speak of
    ],
)
def test_midterm_and_final_refuse_a_decision_under_five_years(evaluation_type, starts_on, ends_on):
    with pytest.raises(RuleViolation) as refused:
        check_type_fits(evaluation_type, starts_on, ends_on, TODAY)
    assert refused.value.rule == ("S-MID" if evaluation_type == "midterm" else "S-FINAL")
    assert "执行期限五年以上" in str(refused.value) and str(starts_on) in str(refused.value)


@pytest.mark.rule("S-FINAL")
def test_final_fits_only_after_the_decision_ended():
    check_type_fits("final", date(2020, 6, 18), date(2026, 6, 17), TODAY)  # ended (S-2020-040)
    check_type_fits("final", date(2020, 11, 22), date(2026, 11, 21), TODAY)  # ended yesterday
    for ends_on in (TODAY, date(2030, 7, 1)):  # ends today, or later
        with pytest.raises(RuleViolation) as refused:
            check_type_fits("final", date(2020, 7, 2), ends_on, TODAY)
        assert refused.value.rule == "S-FINAL" and f"终止日为 {ends_on}" in str(refused.value)


@pytest.mark.rule("S-MID")
def test_midterm_does_not_need_the_decision_to_have_ended():
    check_type_fits("midterm", date(2024, 4, 11), date(2030, 4, 10), TODAY)


# --- rework after a gate sends the evaluation back ---------------------------------------------


def test_rework_of_the_plan_redoes_the_plan_and_asks_its_gate_again():
    procedure = procedure_for(load_profile("bazhou"), "ordinary", ["问卷调查"], entrusted=False)
    assert rework_for(procedure, "plan") == ReworkScope(
        steps=("plan",), gates=("plan_approval",), stages=("preparation",)
    )


@pytest.mark.rule("G-APPROVE")
def test_rework_of_the_report_asks_review_acceptance_and_approval_again():
    bazhou = procedure_for(load_profile("bazhou"), "ordinary", ["问卷调查"], entrusted=False)
    assert rework_for(bazhou, "report") == ReworkScope(
        steps=("draft_report", "reviewed_draft", "work_completed", "report_submitted"),
        gates=("expert_review", "approval"),
        stages=("conclusion",),
    )
    ordos = procedure_for(load_profile("ordos"), "ordinary", ["问卷调查"], entrusted=True)
    assert rework_for(ordos, "report").gates == ("expert_review", "third_party_acceptance", "approval")
    simplified = procedure_for(load_profile("bazhou"), "simplified", ["座谈会"], entrusted=False)
    assert rework_for(simplified, "report").gates == ("approval",)
    # No expert review: no draft formed again after one.
    assert rework_for(simplified, "report").steps == ("draft_report", "work_completed", "report_submitted")


@pytest.mark.rule("G-APPROVE")
def test_rework_of_the_evidence_collects_scores_and_reports_again():
    procedure = procedure_for(load_profile("ordos"), "ordinary", ["问卷调查", "座谈会"], entrusted=True)
    assert rework_for(procedure, "evidence") == ReworkScope(
        steps=(
            "analysis",
            "scoring",
            "preliminary",
            "draft_report",
            "reviewed_draft",
            "work_completed",
            "report_submitted",
        ),
        gates=("survey", "minutes", "expert_marks", "expert_review", "third_party_acceptance", "approval"),
        stages=("implementation", "conclusion"),
    )
    # An unscored simplified evaluation has no expert marks to ask for again.
    simplified = procedure_for(load_profile("changli"), "simplified", ["意见征询"], entrusted=False)
    assert rework_for(simplified, "evidence").gates == ("opinions", "approval")


@pytest.mark.parametrize("target", ["", "team", "Report", "证据"])
def test_an_unknown_rework_target_is_a_programming_error(target):
    procedure = procedure_for(load_profile("bazhou"), "ordinary", ["问卷调查"], entrusted=False)
    with pytest.raises(ValueError, match="is not a valid Rework"):
        rework_for(procedure, target)


# --- exact values: the default method, the messages, a term starting on 29 February ------------


def _with_simplified_methods(methods: list[str]):
    """bazhou with another simplified-procedure list (validated like a profile file would be)."""
    raw = load_profile("bazhou").model_dump()
    raw["simplified_methods"] = methods
    return type(load_profile("bazhou")).model_validate(raw)


@pytest.mark.rule("S-SIMPLE")
def test_simplified_without_a_method_takes_the_first_offered_when_the_questionnaire_is_not_offered():
    # bazhou 13 / changli 60 offer the (online) questionnaire; a profile that does not gets its first method.
    profile = _with_simplified_methods(["座谈会", "意见征询"])
    procedure = procedure_for(profile, "simplified", [], entrusted=False)
    assert procedure.methods == ("座谈会",) and procedure.gates == ("minutes", "approval")
    with pytest.raises(RuleViolation) as refused:
        procedure_for(profile, "simplified", ["问卷调查"], entrusted=False)
    assert refused.value.message == "简易程序只能从座谈会、意见征询中选择一种方法，实际选择：问卷调查"
    assert refused.value.context == {"rule": "S-SIMPLE", "methods": ["问卷调查"]}


@pytest.mark.rule("S-SIMPLE")
def test_simplified_refusal_reads_in_full():
    with pytest.raises(RuleViolation) as refused:
        procedure_for(load_profile("bazhou"), "simplified", ["座谈会", "问卷调查"], entrusted=False)
    assert (
        refused.value.message
        == "简易程序只能从座谈会、问卷调查、意见征询、论证会中选择一种方法，实际选择：座谈会、问卷调查"
    )


@pytest.mark.rule("E-METHODS")
def test_unnamed_methods_refusal_reads_in_full():
    # bazhou 10(2): 问卷调查、实地调研、座谈会、论证会.
    with pytest.raises(RuleViolation) as refused:
        procedure_for(load_profile("bazhou"), "ordinary", ["舆情跟踪", "问卷调查", "专家咨询"], entrusted=False)
    assert refused.value.message == (
        "《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》未规定“舆情跟踪、专家咨询”这种评估方法；"
        "可用：问卷调查、实地调研、座谈会、论证会"
    )
    assert refused.value.context == {"rule": "E-METHODS", "methods": ["舆情跟踪", "专家咨询"]}


@pytest.mark.rule("S-SCOPE")
def test_scope_refusals_read_in_full():
    # bazhou 8: 整体评估或者部分评估; a partial evaluation names what it covers.
    with pytest.raises(RuleViolation) as partial:
        check_scope("partial", [])
    assert partial.value.message == "部分评估须逐项写明评估涉及的内容（评估范围）"
    with pytest.raises(RuleViolation) as whole:
        check_scope("whole", ["补贴发放"])
    assert whole.value.message == "整体评估不需填写“部分评估涉及的内容”；如只评估部分内容，请选择部分评估"


@pytest.mark.rule("S-MID", "S-FINAL")
def test_long_term_refusals_read_in_full():
    # bazhou 15 第四款、第五款: 执行期限五年以上的规划、政策、改革事项.
    with pytest.raises(RuleViolation) as short:
        check_type_fits("midterm", date(2023, 1, 13), date(2025, 1, 12), TODAY)
    assert short.value.message == (
        "中期评估适用于执行期限五年以上的规划、政策、改革事项，该决策实施期间为 2023-01-13 至 2025-01-12"
    )
    with pytest.raises(RuleViolation) as open_ended:
        check_type_fits("final", date(2021, 1, 28), None, TODAY)
    assert open_ended.value.message == (
        "终期评估适用于执行期限五年以上的规划、政策、改革事项，该决策实施期间为 自 2021-01-28 起，未定终止日"
    )
    with pytest.raises(RuleViolation) as running:
        check_type_fits("final", date(2020, 7, 2), date(2030, 7, 1), TODAY)
    assert running.value.message == "终期评估在决策执行结束后开展，该决策实施终止日为 2030-07-01"
    assert running.value.rule == "S-FINAL"


@pytest.mark.rule("S-MID", "S-FINAL")
@pytest.mark.parametrize("evaluation_type", ("midterm", "final"))
def test_a_five_year_term_starting_on_29_february(evaluation_type):
    # bazhou 15: five years or more. A term from 2024-02-29 to 2029-02-28 is five years: counted from the
    # day before its first day (2024-02-28, 《民法典》第二百零一条), it ends on the corresponding day 2029-02-28
    # (第二百零二条); one ending 2029-02-27 is a day short (it was accepted before: 2029-02-28 minus one day).
    check_type_fits(evaluation_type, date(2024, 2, 29), date(2029, 2, 28), date(2029, 3, 1))
    check_type_fits(evaluation_type, date(2024, 2, 29), date(2034, 2, 28), date(2034, 3, 1))
    for ends_on in (date(2029, 2, 27), date(2029, 2, 26), date(2028, 2, 28), date(2024, 3, 1)):
        with pytest.raises(RuleViolation) as refused:
            check_type_fits(evaluation_type, date(2024, 2, 29), ends_on, date(2029, 3, 1))
        assert f"该决策实施期间为 2024-02-29 至 {ends_on}" in refused.value.message


@pytest.mark.rule("S-PREP", "E-METHODS")
def test_the_procedure_records_its_type_and_the_gate_materials_are_submitted_at():
    procedure = procedure_for(load_profile("minhang"), "ordinary", ["问卷调查"], entrusted=False)
    assert procedure.evaluation_type == "ordinary"
    # minhang 11, 12(3): the survey data are submitted at the profile's 调查数据提交 gate.
    assert procedure.submission_gate is not None and procedure.submission_gate.id == "survey"
    assert procedure.submission_gate.name == "调查数据提交"
    assert procedure_for(load_profile("bazhou"), "simplified", [], entrusted=False).evaluation_type == "simplified"


@pytest.mark.rule("E-METHODS")
def test_a_profile_without_a_submission_gate_asks_for_no_submissions():
    raw = load_profile("minhang").model_dump()
    raw["gates"] = [gate for gate in raw["gates"] if gate["id"] != "survey"]
    profile = type(load_profile("minhang")).model_validate(raw)
    procedure = procedure_for(profile, "ordinary", ["问卷调查", "座谈会"], entrusted=False)
    assert procedure.submission_gate is None and procedure.submissions == ()
    assert procedure.gates == ("plan_approval", "expert_marks", "expert_review", "approval")
