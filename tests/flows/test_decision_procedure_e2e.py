"""A decision made from proposal to publication on the real Prefect server (deployment
decision-procedure/changli), every step answered through the API as the Prefect UI sends it — a few answers
refused and asked again, a medium risk re-assessed, a meeting's revise-and-resubmit — and the published
decision then in the annual plan of its evaluation year (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest
from driving import pdf_text
from sqlmodel import select

from models.db import read_session
from models.tables import Decision, DecisionEvaluationPlan, DecisionProcedure

pytestmark = pytest.mark.e2e

BY = {"answered_by": "县城管局 李明"}
EXPERTS = [
    {"name": name, "unit": unit, "from_pool": True, "interested": False}
    for name, unit in (
        ("王建国", "燕山大学"),
        ("刘芳", "河北科技师范学院"),
        ("赵磊", "县规划设计院"),
        ("孙伟", "市交通研究所"),
        ("周敏", "律师事务所"),
    )
]
# Each step's answers in the order given; a refused one is followed by the corrected one.
ANSWERS = [
    ("launch", {**BY, "proposer": "县城管局", "proposed_on": "2026-03-10", "category": "重大公共建设项目",
                "reasons": "城区停车位缺口约 3000 个；拟建 4 处立体停车场。"}, None),
    ("catalog", {**BY, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25", "published_on": "2026-03-28",
                 "planned_on": "2026-08-31"}, "只能作为目录调整"),
    ("catalog", {**BY, "adjustment": True, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25",
                 "published_on": "2026-03-28", "planned_on": "2026-08-31"}, None),
    ("participation", {**BY, "means": ["向社会公开征求意见", "听证会", "座谈会"], "comment_from": "2026-04-01",
                       "comment_until": "2026-04-20", "hearing_on": "2026-05-20",
                       "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10",
                       "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次",
                       "not_adopted": 2, "feedback": "书面函告：收费标准由价格主管部门核定"}, "一般不少于30日"),
    ("participation", {**BY, "means": ["向社会公开征求意见", "听证会", "座谈会"], "comment_from": "2026-04-01",
                       "comment_until": "2026-05-01", "hearing_on": "2026-05-20",
                       "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10",
                       "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次",
                       "not_adopted": 2, "feedback": "书面函告：收费标准由价格主管部门核定"}, None),
    ("experts", {**BY, "experts": [*EXPERTS[:4], {**EXPERTS[4], "interested": True}], "materials_sent_on": "2026-06-01",
                 "opinions_due_on": "2026-06-08"}, "应当回避"),
    ("experts", {**BY, "experts": EXPERTS, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08",
                 "oral_opinions": [{"expert": "赵磊", "oral_at": "2026-06-05T10:00:00+08:00",
                                    "written_at": "2026-06-06T09:00:00+08:00"}]}, None),
    ("risk", {**BY, "kinds": ["社会稳定风险", "经济风险"], "report_contents": [
        "评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级", "评估结论和对策建议",
        "风险防范和化解措施", "应急处置预案"], "situation": "部分群众持有强烈分歧意见",
        "measures": "调整 1 处选址，避开学校周边"}, None),  # medium: accepted, assessed again after measures
    ("risk", {**BY, "kinds": ["社会稳定风险", "经济风险"], "report_contents": [
        "评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级", "评估结论和对策建议",
        "风险防范和化解措施", "应急处置预案"], "situation": "绝大多数群众理解支持、个别人员持有分歧意见",
        "measures": "建设期错峰施工，设临时停车点"}, None),
    ("legality", {**BY, "unit_review": "合法", "unit_review_on": "2026-06-25", "materials": [
        "决策草案及其说明（涉及市场主体经济活动的，含公平竞争审查情况）", "有关法律、法规、规章和政策依据以及其他地方经验做法",
        "公众参与全程资料", "专家论证意见、意见处理情况和理由的说明", "风险评估情况及有关材料",
        "征求部门（乡镇）意见及反馈采纳情况", "承办单位法制机构的合法性初审意见", "领导班子集体讨论记录"],
        "joint_review_from": "2026-07-01", "joint_review_until": "2026-07-10", "opinions_on": "2026-07-09",
        "justice_task_on": "2026-07-01", "justice_review": "合法", "justice_review_on": "2026-07-06"}, None),
    ("meeting", {**BY, "kind": "县政府常务会议", "meeting_on": "2026-08-05", "materials_delivered_on": "2026-08-04",
                 "dissent": "无不同意见", "outcome": "作重大修改后再次审议", "presided_by": "县长"}, None),
    ("meeting", {**BY, "kind": "县政府常务会议", "meeting_on": "2026-08-20", "materials_delivered_on": "2026-08-18",
                 "dissent": "一位副县长建议分期建设，已记录", "outcome": "通过", "presided_by": "县长"}, None),
    ("publication", {**BY, "published_on": "2026-08-25", "channels": ["政府网站", "昌黎日报"], "widely_concerned": True,
                     "interpretation": "召开新闻发布会解读", "adoption_published": True, "starts_on": "2026-09-01",
                     "evaluation_year": 2027, "evaluation_type": "一般程序（执行评估）", "archived_on": "2026-08-28"},
     None),
]  # fmt: skip


@pytest.mark.rule("CL-9", "CL-15", "CL-31", "CL-36", "CL-37", "CL-45", "CL-47")
def test_a_decision_goes_from_proposal_to_publication_and_into_the_plan(prefect_server):
    from prefect.deployments import run_deployment

    from services.orchestration import answer_gate, paused_at, wait_for
    from services.planning import build_plan

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
        answer_gate(run_id, paused_at(run), answer)
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

    record = pdf_text(procedure.record_path)
    for shown in (
        "重大行政决策过程记录",
        "纳入决策事项目录",
        "只能作为目录调整",
        "中风险",
        "一位副县长建议分期建设",
        "已作出决定并向社会公布",
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
