"""Accepting or refusing the answer given at a human gate (services/evaluation/acceptors.py HANDLERS), without Prefect.

The acceptors are plain functions of (session, evaluation, answer): they run here on a throwaway
SQLite database of this module. `open_evaluation` (pinggu.services.evaluation.lifecycle) runs on the test
home's database with the sample catalog; its decisions (S-2024-033, S-2025-036) are evaluated by
no other test.

TEAM-CONFLICT: ningxia 8, minhang 7, changli 64. S-CONCL: expert review (bazhou 11; optional where
the profile says so). C-NOPRESET: bazhou 5, ningxia 9, changli 55. C-CONCLUSION, G-APPROVE,
MH-14 (minhang 10, 14). OR-14: ordos 14(3). TP-CREDIT: bazhou 21, ningxia 17, changli 66.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import builders
import pytest
from builders import session_scope
from pydantic import ValidationError
from sqlmodel import select

from pinggu.core.errors import InputFileError, RuleViolation
from pinggu.forms.gates import GATE_FORMS
from pinggu.models import agencies
from pinggu.models import evaluations as store
from pinggu.models.audit import events_for
from pinggu.models.db import build_engine
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import AuditEvent, Decision, Evaluation, StepRecord, TeamMember
from pinggu.rules.gates import GateId
from pinggu.rules.profiles import load_profile
from pinggu.rules.third_party import CREDIT_BAD, CREDIT_GOOD, FALSE_REPORT, Agreement
from pinggu.services.evaluation.acceptors import HANDLERS, Verdict
from pinggu.services.evaluation.lifecycle import NotOpened, open_evaluation
from pinggu.services.evaluation.submissions import parse_data_values

ASSESSOR = "周立平"  # did the decision's main pre-decision argumentation


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('gates')}/gates.db")
    yield engine
    engine.dispose()


def make_evaluation(session, profile: str, *, type: str = "ordinary", assessors=(ASSESSOR,)) -> Evaluation:
    """A decision of the profile (with its pre-decision assessors) and a new evaluation of it."""
    decision = Decision(
        code=unique("D-"),
        title="某区老旧小区加装电梯补贴政策",
        profile=profile,
        decision_body="区政府",
        lead_unit="区住房保障局",
        category="重大公共政策",
        starts_on=date(2024, 1, 1),
        pre_decision_assessors=list(assessors),
    )
    session.add(decision)
    session.flush()
    return store.create_evaluation(
        session=session,
        decision=decision,
        type=type,
        scope="whole",
        scope_parts=[],
        methods=["问卷调查"],
        stage_targets={},
        flow_run_id=None,
    )


def done_step(session, evaluation: Evaluation, step: str, result: dict | None = None, status: str = "done") -> None:
    stage = "implementation" if step in ("analysis", "scoring", "preliminary") else "conclusion"
    session.add(StepRecord(evaluation_id=evaluation.id, stage=stage, step=step, status=status, result=result or {}))
    session.flush()


def accept(session, evaluation: Evaluation, gate: str, answer: dict) -> Verdict:
    """The acceptor's verdict, its details as stored in Approval.details: the JSON shape kept rows have always had."""
    verdict = HANDLERS[gate].accept(session, evaluation, GATE_FORMS[gate].model_validate(answer))
    return replace(verdict, details=verdict.details.stored_json())


def refused(session, evaluation: Evaluation, gate: str, answer: dict, rule: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        accept(session, evaluation, gate, answer)
    assert caught.value.rule == rule, caught.value
    return caught.value


# --- expert review ------------------------------------------------------------------------------


@pytest.mark.rule("TEAM-CONFLICT")
@pytest.mark.parametrize(
    "experts",
    [
        f"{ASSESSOR}、吴晓",
        f"吴晓，{ASSESSOR}",
        f"吴晓；{ASSESSOR}",
        f"吴晓 {ASSESSOR}",
        f"吴晓、{ASSESSOR[0]} {ASSESSOR[1:]}",
    ],
)
@pytest.mark.parametrize("profile", ["bazhou", "minhang"])
def test_an_expert_who_argued_the_decision_beforehand_may_not_review_the_report(engine, profile, experts):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, profile)
        refusal = refused(session, evaluation, "expert_review", builders.expert_review(experts), "TEAM-CONFLICT")
        assert refusal.context["member"] == ASSESSOR
        assert "曾参与该决策的决策前论证" in str(refusal) and "请更换专家" in str(refusal)


@pytest.mark.rule("TEAM-CONFLICT", "S-CONCL")
def test_an_expert_review_by_other_experts_is_recorded_with_each_name(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "bazhou")
        approval = accept(session, evaluation, "expert_review", builders.expert_review("吴晓、 陈静,李强；王芳"))
        assert (approval.gate, approval.choice, approval.approver) == ("expert_review", "提交", "王明")
        assert approval.details["experts"] == ["吴晓", "陈静", "李强", "王芳"]
        assert approval.comment == "评估方法规范，数据可信" and approval.details["handling"] == "已采纳"


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize("experts", ["王明、李华", "吴晓、李华", "吴晓，王 明"])
@pytest.mark.parametrize(
    ("profile", "type"),
    [
        ("bazhou", "ordinary"),
        ("changli", "ordinary"),
        ("ningxia_commerce", "ningxia_90day"),
        ("ordos", "ordinary"),
        ("minhang", "ordinary"),
    ],
)
def test_the_teams_own_members_may_not_argue_the_report_they_wrote(engine, profile, type, experts):
    # bazhou 11(2), changli 58(3)2, ningxia 10(4): 有关专家 argue the report the team drafted; ordos and minhang have
    # no such step, and the program's optional review is read the same way (profiles: reviewers_outside_team).
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, profile, type=type)
        for member in builders.team():
            session.add(TeamMember(evaluation_id=evaluation.id, name=member["name"], role=member["role"]))
        session.flush()
        refusal = refused(session, evaluation, "expert_review", builders.expert_review(experts), "S-CONCL")
        member = refusal.context["member"]
        assert member in ("王明", "李华")
        assert str(refusal).startswith(
            f"{member} 是本次评估小组成员，参与起草了评估报告，不能作为论证专家论证本报告，请由评估小组以外的有关专家论证（"
        )
        rules = load_profile(profile)
        assert rules.cite(rules.safeguards.reviewers_outside_team) in str(refusal)
        assert "default" not in str(refusal) and "seed silent" not in str(refusal)
        # Experts from outside the team argue it.
        approval = accept(session, evaluation, "expert_review", builders.expert_review("吴晓、陈静"))
        assert approval.details["experts"] == ["吴晓", "陈静"]


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize(
    ("field", "title"), [("experts", "论证专家"), ("opinion", "论证意见"), ("handling", "意见采纳及处理情况")]
)
def test_an_organised_review_names_experts_opinion_and_handling(engine, field, title):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "ordos")
        answer = {**builders.expert_review(), field: "  "}
        assert f"“{title}”" in str(refused(session, evaluation, "expert_review", answer, "S-CONCL"))


def _skip(reason: str = "本决策事项已经市政府常务会议专题论证，不再组织专家论证") -> dict:
    return {**builders.expert_review(experts=""), "organised": "不组织专家论证", "opinion": "", "handling": reason}


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize("profile", ["bazhou", "changli"])
def test_expert_review_cannot_be_skipped_where_the_profile_requires_it(engine, profile):
    assert load_profile(profile).gates_for("ordinary")[2].id == "expert_review"
    assert load_profile(profile).gates_for("ordinary")[2].required
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, profile)
        refusal = refused(session, evaluation, "expert_review", _skip(), "S-CONCL")
        assert "须组织专家论证" in str(refusal) and "不能跳过" in str(refusal)


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize(
    ("profile", "type"), [("ordos", "ordinary"), ("minhang", "ordinary"), ("ningxia_commerce", "ningxia_90day")]
)
def test_expert_review_may_be_skipped_with_a_reason_where_the_profile_allows(engine, profile, type):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, profile, type=type)
        assert not procedure_of(session, evaluation).expert_review.required
        approval = accept(session, evaluation, "expert_review", _skip(" 已经专题论证 "))
        assert (approval.choice, approval.comment) == ("不组织", "已经专题论证")
        assert approval.details == {"skipped": True, "reason": "已经专题论证"}
        # …but not without saying why.
        refusal = refused(session, evaluation, "expert_review", _skip(reason="  "), "S-CONCL")
        assert "写明理由" in str(refusal)


# --- the decision body's approval ---------------------------------------------------------------


@pytest.mark.rule("C-NOPRESET")
@pytest.mark.parametrize("analysis", [None, "running", "failed", "superseded"])
def test_no_conclusion_before_the_analysis_is_done(engine, analysis):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "bazhou")
        if analysis:
            done_step(session, evaluation, "analysis", status=analysis)
        refusal = refused(session, evaluation, "approval", builders.report_approval(), "C-NOPRESET")
        assert "评估分析尚未完成" in str(refusal)
        assert evaluation.conclusion is None


@pytest.mark.rule("C-CONCLUSION")
def test_passing_the_report_needs_a_conclusion(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "bazhou")
        done_step(session, evaluation, "analysis")
        answer = builders.report_approval(conclusion=None)
        refusal = refused(session, evaluation, "approval", answer, "C-CONCLUSION")
        assert "继续执行、调整、中止执行或终止执行" in str(refusal)


@pytest.mark.rule("C-CONCLUSION")
@pytest.mark.parametrize("conclusion", ["", "基本满意", "继续"])
def test_the_approval_form_offers_only_the_four_conclusions(conclusion):
    with pytest.raises(ValidationError, match="继续执行"):
        GATE_FORMS[GateId.approval].model_validate(builders.report_approval(conclusion=conclusion))


@pytest.mark.rule("G-APPROVE", "C-CONCLUSION")
def test_passing_the_report_sets_the_evaluations_conclusion(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "bazhou")
        done_step(session, evaluation, "analysis")
        approval = accept(session, evaluation, "approval", builders.report_approval(conclusion="调整"))
        assert (approval.gate, approval.choice, approval.conclusion) == ("approval", "通过", "调整")
        assert (approval.approver, approval.approver_role) == ("刘志强", "区长")
        assert approval.details == {"rework": None}  # unscored: no recommendation to depart from
        assert evaluation.conclusion == "调整"


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_departing_from_the_scores_recommendation_needs_a_written_reason(engine, reason):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "minhang")
        done_step(session, evaluation, "analysis")
        done_step(session, evaluation, "scoring", {"total": 92.5, "grade": "优", "recommended": "继续执行"})
        answer = builders.report_approval(conclusion="调整")
        if reason is not None:
            answer["departure_reason"] = reason
        refusal = refused(session, evaluation, "approval", answer, "MH-14")
        assert "“调整”与按得分推荐的结论“继续执行”不同" in str(refusal)
        assert evaluation.conclusion is None


@pytest.mark.rule("MH-14")
def test_departing_with_a_reason_is_accepted_and_the_reason_kept(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "minhang")
        done_step(session, evaluation, "analysis")
        done_step(session, evaluation, "scoring", {"total": 92.5, "grade": "优", "recommended": "继续执行"})
        answer = builders.report_approval(conclusion="调整", departure_reason=" 上位法已修改，须相应调整 ")
        approval = accept(session, evaluation, "approval", answer)
        assert approval.conclusion == "调整" and evaluation.conclusion == "调整"
        assert approval.details == {
            "rework": None,
            "recommended": "继续执行",
            "departure_reason": "上位法已修改，须相应调整",
        }


@pytest.mark.rule("MH-14")
def test_following_the_recommendation_needs_no_reason(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "minhang")
        done_step(session, evaluation, "analysis")
        done_step(session, evaluation, "scoring", {"recommended": "继续执行"})
        approval = accept(session, evaluation, "approval", builders.report_approval(conclusion="继续执行"))
        assert approval.details == {"rework": None, "recommended": "继续执行", "departure_reason": None}


@pytest.mark.rule("MH-14")
def test_a_score_set_aside_by_rework_is_no_recommendation(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "minhang")
        done_step(session, evaluation, "analysis")
        done_step(session, evaluation, "scoring", {"recommended": "继续执行"}, status="superseded")
        approval = accept(session, evaluation, "approval", builders.report_approval(conclusion="终止执行"))
        assert approval.conclusion == "终止执行" and "recommended" not in approval.details


@pytest.mark.rule("G-APPROVE")
@pytest.mark.parametrize(
    ("rework", "target"), [(None, "report"), ("修改评估报告", "report"), ("补充评估材料", "evidence")]
)
def test_sending_the_report_back_says_what_to_redo(engine, rework, target):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "bazhou")
        done_step(session, evaluation, "analysis")
        answer = builders.report_approval(choice="退回修改", conclusion=None, comment="问卷样本量不足")
        if rework:
            answer["rework"] = rework
        approval = accept(session, evaluation, "approval", answer)
        assert (approval.choice, approval.conclusion, approval.details) == ("退回修改", None, {"rework": target})
        assert evaluation.conclusion is None
        # …and only with the changes it wants written down.
        blank = builders.report_approval(choice="退回修改", conclusion=None, comment=" ")
        assert "需要修改的内容" in str(refused(session, evaluation, "approval", blank, "G-APPROVE"))


@pytest.mark.rule("NX-12")
def test_the_decision_bodys_answer_does_not_decide_whether_the_unit_submitted_in_time(engine):
    # The unit's duty is met when it submits (pinggu.tasks.conclusion.submit_report, tests/tasks/test_submission.py).
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, "ningxia_commerce", type="ningxia_90day")
        done_step(session, evaluation, "analysis")
        store.start_deadline(
            session=session,
            evaluation_id=evaluation.id,
            rule="NX-12",
            label="提请审议",
            basis="第十二条",
            counted_from="evaluation_completed",
            from_date=date(2026, 11, 2),
            until="report_submitted",
            due_date=date(2026, 11, 17),
        )
        accept(session, evaluation, "approval", builders.report_approval())
        (deadline,) = store.deadlines(session=session, evaluation_id=evaluation.id)
        assert deadline.met_at is None
        assert events_for(session=session, evaluation_id=evaluation.id, action="deadline_met") == []


# --- acceptance of a third party's report (OR-14) and a false report (TP-CREDIT) ------------------


def _entrusted(session, agency_name: str) -> Evaluation:
    """An ordos evaluation entrusted to a newly registered agency under the profile's agreement terms."""
    ordos = load_profile("ordos")
    evaluation = make_evaluation(session, "ordos", assessors=())
    agencies.register_agency(session=session, name=agency_name, kind="咨询机构")
    agencies.entrust(
        session=session,
        evaluation_id=evaluation.id,
        agency_name=agency_name,
        agreement=Agreement(
            matter="决策实施情况后评估", deadline=date(2027, 3, 31), liability="按合同约定承担违约责任"
        ),
        required_fields=ordos.third_party.agreement_fields,
        allowed=ordos.third_party.allowed,
        basis=ordos.citation(ordos.third_party.basis),
    )
    assert procedure_of(session, evaluation).third_party_acceptance is not None
    return evaluation


@pytest.mark.rule("OR-14")
def test_accepting_a_third_partys_report_asks_for_nothing_more(engine):
    with session_scope(engine) as session:
        evaluation = _entrusted(session, unique("某咨询公司"))
        approval = accept(session, evaluation, "third_party_acceptance", builders.acceptance())
        assert (approval.gate, approval.choice, approval.details) == (
            "third_party_acceptance",
            "验收通过",
            {"rework": None},
        )
        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id) is not None


@pytest.mark.rule("OR-14")
@pytest.mark.parametrize("choice", ["退回修改", "认定虚假报告"])
def test_sending_back_or_rejecting_a_third_partys_report_needs_the_facts(engine, choice):
    name = unique("某咨询公司")
    with session_scope(engine) as session:
        evaluation = _entrusted(session, name)
        refusal = refused(session, evaluation, "third_party_acceptance", builders.acceptance(choice, "  "), "OR-14")
        assert f"{choice}时须在“说明”中写明具体情况" in str(refusal)
        assert agencies.get_agency(session=session, name=name).credit_status == CREDIT_GOOD
        assert agencies.credit_records(session=session, name=name) == []
        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id) is not None


@pytest.mark.rule("OR-14")
def test_sending_a_third_partys_report_back_reworks_the_report(engine):
    with session_scope(engine) as session:
        evaluation = _entrusted(session, unique("某咨询公司"))
        approval = accept(
            session, evaluation, "third_party_acceptance", builders.acceptance("退回修改", "数据来源未注明")
        )
        assert (approval.choice, approval.comment, approval.details) == (
            "退回修改",
            "数据来源未注明",
            {"rework": "report"},
        )
        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id) is not None


@pytest.mark.rule("TP-CREDIT", "OR-14")
def test_a_false_report_goes_into_the_credit_record_and_ends_the_entrustment(engine):
    name = unique("某咨询公司")
    with session_scope(engine) as session:
        evaluation = _entrusted(session, name)
        answer = builders.acceptance("认定虚假报告", " 编造入户调查数据 ")
        approval = accept(session, evaluation, "third_party_acceptance", answer)
        assert (approval.choice, approval.details) == ("认定虚假报告", {"rework": "report", "agency": name})

        (entry,) = agencies.credit_records(session=session, name=name)
        assert (entry.kind, entry.detail, entry.evaluation_code) == (FALSE_REPORT, "编造入户调查数据", evaluation.code)
        assert entry.recorded_by == "高峰（承办单位负责人）"
        assert agencies.get_agency(session=session, name=name).credit_status == CREDIT_BAD

        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id) is None
        ended = agencies.latest_entrustment(session=session, evaluation_id=evaluation.id)
        assert ended.status == agencies.ENDED and "编造入户调查数据" in ended.end_reason
        # The unit writes the report itself now: no third party's report left to accept.
        assert "third_party_acceptance" not in procedure_of(session, evaluation).gates

        actions = [e.action for e in events_for(session=session, evaluation_id=evaluation.id)]
        assert "agency_false_report" in actions and "third_party_entrustment_ended" in actions
        # A bad record stays bad.
        with pytest.raises(RuleViolation) as bad:
            agencies.register_agency(session=session, name=name, kind="咨询机构", credit_status=CREDIT_GOOD)
        assert bad.value.rule == "TP-CREDIT"


# --- opening an evaluation entrusted to an agency that may not evaluate --------------------------


def _open(decision_code: str, third_party: dict | None, flow_run_id: str | None = None) -> int | NotOpened:
    return open_evaluation(
        decision_code=decision_code,
        evaluation_code=None,
        flow_run_id=flow_run_id or str(uuid.uuid4()),
        evaluation_type="ordinary",
        scope="whole",
        scope_parts=[],
        methods=["问卷调查"],
        third_party=third_party,
    )


def _evaluations_of(decision_code: str) -> list[Evaluation]:
    with session_scope() as session:
        return list(session.exec(select(Evaluation).where(Evaluation.decision_code == decision_code)))


@pytest.mark.rule("TP-CREDIT", "TP-QUALIFY")
@pytest.mark.parametrize(
    ("facts", "rule", "message"),
    [
        ({"credit_status": CREDIT_BAD}, "TP-CREDIT", "信用记录不良，不得受委托"),
        ({"has_equipment": False}, "TP-QUALIFY", "不具备开展评估工作的必要设备、设施"),
        ({"qualified_staff": False}, "TP-QUALIFY", "不具备熟悉相关法律及政策"),
    ],
    ids=["bad-credit", "no-equipment", "no-qualified-staff"],
)
def test_opening_an_evaluation_with_an_unqualified_agency_leaves_nothing_behind(sample_catalog, facts, rule, message):
    decision = "S-2024-033"  # ordos, 2024-09-26 … 2027-09-25
    name = unique("某失信咨询公司")
    flow_run_id = str(uuid.uuid4())
    with session_scope() as session:
        agencies.register_agency(session=session, name=name, kind="咨询机构", **facts)
        events_before = session.exec(select(AuditEvent.id)).all()
    # The run ends with the reason as its state message (pinggu.flows.stages.refuse), not a traceback.
    refused_ = _open(decision, builders.agreement(name), flow_run_id)
    assert isinstance(refused_, NotOpened)
    assert refused_.rule == rule and message in refused_.reason and name in refused_.reason
    assert _evaluations_of(decision) == []
    with session_scope() as session:
        assert store.find_by_flow_run(session=session, flow_run_id=flow_run_id) is None
        assert session.exec(select(AuditEvent.id)).all() == events_before  # no evaluation_opened either


def test_opening_with_a_qualified_agency_writes_the_evaluation_and_its_entrustment(sample_catalog):
    decision = "S-2025-036"  # ordos, from 2025-01-23, open-ended
    name = unique("某大学公共管理学院")
    flow_run_id = str(uuid.uuid4())
    with session_scope() as session:
        agencies.register_agency(session=session, name=name, kind="高等学校")
    evaluation_id = _open(decision, builders.agreement(name), flow_run_id)
    assert _open(decision, builders.agreement(name), flow_run_id) == evaluation_id  # the same run resumes it
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        entrustment = agencies.current_entrustment(session=session, evaluation_id=evaluation_id)
        agency = agencies.get_agency(session=session, name=name)
        assert (evaluation.decision_code, evaluation.status, evaluation.methods) == (decision, "running", ["问卷调查"])
        assert entrustment.agency_id == agency.id and entrustment.deadline == date(2027, 3, 31)
        assert "third_party_acceptance" in procedure_of(session, evaluation).gates
    # A second evaluation of the same type while this one is unfinished is refused.
    second = _open(decision, None)
    assert isinstance(second, NotOpened) and "已有未完成的一般程序评估" in second.reason
    assert [e.id for e in _evaluations_of(decision)] == [evaluation_id]


# --- statistics typed into the expert-marks form -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("", {}),
        ("\n  \n", {}),
        ("目标任务完成率（%）：92", {"目标任务完成率（%）": 92.0}),
        ("目标任务完成率（%）: 92.5%\n\n 覆盖率 ：88 ", {"目标任务完成率（%）": 92.5, "覆盖率": 88.0}),
        ("增长率：-1.5", {"增长率": -1.5}),
    ],
)
def test_statistics_are_read_one_per_line(text, values):
    assert parse_data_values(text) == values


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("92", "第 1 行“92”"),
        ("目标任务完成率：很高", "第 1 行“目标任务完成率：很高”"),
        ("目标任务完成率：", "第 1 行"),
        ("：92", "第 1 行“：92”"),
        ("覆盖率：88\n\n目标任务完成率 92", "第 3 行“目标任务完成率 92”"),  # blank lines count
    ],
)
def test_a_statistic_not_written_as_name_colon_number_is_refused_in_chinese(text, line):
    with pytest.raises(InputFileError) as refused_:
        parse_data_values(text)
    assert f"统计数据{line}" in str(refused_.value) and "应写作“名称：数值”" in str(refused_.value)


@pytest.mark.parametrize("text", ["目标任务完成率（%）：inf", "目标任务完成率（%）：nan"])
def test_a_statistic_that_is_not_a_finite_number_is_refused(text):
    with pytest.raises(InputFileError):
        parse_data_values(text)
