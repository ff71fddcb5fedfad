"""A decision made from proposal to publication on the real Prefect server (deployment
decision-procedure/changli), every step signed for the person the profile names and answered through the API as the web app sends it — a few answers
refused and asked again, a medium risk re-assessed, a meeting's revise-and-resubmit — and the published
decision then in the annual plan of its evaluation year (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest
from changli_answers import ANSWERS, EXPERTS
from driving import confirm_panel, countersign_run, pdf_text, sign_procedure_step
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import Decision, DecisionEvaluationPlan, DecisionProcedure

pytestmark = pytest.mark.e2e


@pytest.mark.rule(
    "CL-9",
    "CL-15",
    "CL-31",
    "CL-36",
    "CL-37",
    "CL-45",
    "CL-47",
    "CL-16-HEARING",
    "CL-19",
    "CL-32-PANEL",
    "CL-34",
    "CL-41-44",
    "CL-46",
    "CL-12",
)
def test_a_decision_goes_from_proposal_to_publication_and_into_the_plan(prefect_server):
    from prefect.deployments import run_deployment

    from pinggu.services.orchestration import answer_gate, paused_at, wait_for
    from pinggu.services.planning import build_plan

    run = run_deployment(
        "decision-procedure/changli",
        parameters={"matter": "昌黎县城区立体停车场建设", "lead_unit": "县城管局", "catalog_year": 2026},
        timeout=0,
    )
    run_id = str(run.id)
    asked: list[str] = []
    for step, answer, refusal in ANSWERS:
        run = wait_for(
            run_id,
            lambda run: paused_at(run) is not None and run.state.state_details.pause_key not in asked,
            timeout=120,
            what=step,
        )
        key = run.state.state_details.pause_key
        assert f"-{step}-" in key, (step, key)
        asked.append(key)
        if step == "experts" and len([k for k in asked if "-experts-" in k]) == 1:  # the centre confirms the panel
            confirm_panel(_procedure().id, EXPERTS)
        answer_gate(run_id, paused_at(run), sign_procedure_step(key, step, answer))
        if step == "experts" and refusal is None:  # each expert of the panel signs their own opinion (会签)
            countersign_run(run_id, _procedure().id, answer["experts"])
        if refusal:
            with_refusal = wait_for(
                run_id,
                lambda run: paused_at(run) is not None and run.state.state_details.pause_key not in asked,
                timeout=120,
                what=f"{step} 再次填报",
            )
            procedure = _procedure()
            assert refusal in procedure.answers[-1]["refused"], procedure.answers[-1]
            assert with_refusal.state.state_details.pause_key.endswith("-2")
    done = wait_for(run_id, lambda run: run.state.is_completed(), timeout=180, what="完成")
    assert done.name == "决策程序·昌黎县城区立体停车场建设"

    procedure = _procedure()
    assert procedure.status == "published" and procedure.decision_code
    notes = [a["note"] for a in procedure.answers if a["step"] == "risk"]
    assert notes[0].startswith("中风险：采取防范化解措施降低风险等级后重新评估") and notes[1].startswith("低风险")
    with read_session() as session:
        decision = session.get(Decision, procedure.decision_code)
    assert decision is not None
    assert (decision.profile, decision.category, decision.lead_unit) == ("changli", "重大公共建设项目", "县城管局")
    assert (decision.decided_on.isoformat(), decision.starts_on.isoformat()) == ("2026-08-20", "2026-09-01")
    with read_session() as session:
        planned = session.get(DecisionEvaluationPlan, decision.code)
    assert planned is not None and (planned.year, planned.type) == (2027, "ordinary")
    # TEAM-CONFLICT: who argued the decision may not evaluate it.
    assert set(decision.pre_decision_assessors) == {e["name"] for e in EXPERTS}

    assert {a["answered_by"] for a in procedure.answers} == {
        "李明（县城管局）",
        "陈静（县决策咨询服务中心）",
        "王芳（县政府办公室）",
        "论证专家会签",
    }
    record = pdf_text(procedure.record_path)
    for shown in (
        "重大行政决策过程记录",
        "纳入决策事项目录",
        "只能作为目录调整",
        "中风险",
        "一位副县长建议分期建设",
        "已作出决定并向社会公布",
        # issue 30 item 8: the new facts are in the record
        "支持建设6人；反对占用绿地5人",  # whitespace is dropped from the PDF text
        "专家组确定（县决策咨询服务中心）",  # CL-32-PANEL: the centre's own signed confirmation
        "2026-05-28确定：王建国、刘芳、赵磊、孙伟、周敏",
        "公共安全风险；环境风险",
        "决策实施后评估计划",
        "审定：是否将决策草案提交审议",
        "县长最后发表意见",
        "会议纪要签发人",
        "陈静（县决策咨询服务中心）",
        "位论证专家已签署书面论证意见",
        "王建国（燕山大学）",  # each expert's own signed opinion
        "方案总体可行，建议分期实施",
    ):
        assert shown in record, shown

    plan = build_plan(2027, date(2027, 1, 5), profile="changli")
    (item,) = [i for i in plan.items if i.decision == decision.code]
    assert (item.reason, item.type, item.trigger_date.isoformat()) == ("decision_plan", "ordinary", "2027-01-01")
    assert decision.code not in {i.decision for i in build_plan(2026, date(2026, 11, 1), profile="changli").items}


def _procedure() -> DecisionProcedure:
    with read_session() as session:
        return session.exec(
            select(DecisionProcedure)
            .where(DecisionProcedure.matter == "昌黎县城区立体停车场建设")
            .order_by(DecisionProcedure.id.desc())
        ).first()
