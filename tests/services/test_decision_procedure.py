"""The decision procedure's bookkeeping without a Prefect server (services/decision_procedure.py): a
procedure opened once per key, answers recorded once per pause key, what an accepted answer writes into
the catalog, the poll's sample checked for representativeness, an excluded matter ended."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from core.errors import StateConflict
from core.settings import SAMPLES_DIR
from models.db import read_session
from models.tables import Decision, DecisionProcedure
from rules.decision_procedure import Outcome, ProcedureStep
from services.decision_procedure import StepDone, answer_step, open_procedure, step_status

TODAY = date(2026, 11, 28)
BY = {"answered_by": "县城管局 李明"}


def _open(matter: str = "昌黎县城区公共自行车系统建设") -> int:
    return open_procedure(f"test-{uuid.uuid4().hex}", "changli", matter, "县城管局", 2026)


def _answer(procedure: int, step: ProcedureStep, values: dict) -> str | None:
    waiting = step_status(procedure, step)
    assert not isinstance(waiting, StepDone)
    return answer_step(procedure, step, waiting.key, {**BY, **values}, TODAY)


def _procedure(procedure: int) -> DecisionProcedure:
    with read_session() as session:
        found = session.get(DecisionProcedure, procedure)
    assert found is not None
    return found


def test_a_procedure_is_opened_once_per_key_and_only_where_the_regulation_has_one(settings):
    key = f"test-{uuid.uuid4().hex}"
    assert open_procedure(key, "changli", "某事项", "县城管局", 2026) == open_procedure(
        key, "changli", "某事项", "县城管局", 2026
    )
    with pytest.raises(StateConflict, match="鄂尔多斯市的规定没有重大行政决策作出程序（可用：changli）"):
        open_procedure(f"test-{uuid.uuid4().hex}", "ordos", "某事项", "市住建局", 2026)


@pytest.mark.rule("CL-3")
def test_an_excluded_matter_ends_as_not_a_major_decision(settings):
    procedure = _open("汛期防汛抢险物资调拨")
    assert (
        _answer(
            procedure,
            ProcedureStep.launch,
            {"proposer": "县应急局", "proposed_on": "2026-07-01", "exclusion": "突发事件应急处置决策"},
        )
        is None
    )
    status = step_status(procedure, ProcedureStep.launch)
    assert isinstance(status, StepDone) and status.outcome is Outcome.not_major
    ended = _procedure(procedure)
    assert ended.status == "not_major" and ended.closed_at is not None and ended.decision_code is None


@pytest.mark.rule("CL-9", "CL-31")
def test_the_catalog_answer_creates_the_decision_and_the_experts_become_its_assessors(settings):
    procedure = _open()
    launch = {"proposer": "县城管局", "proposed_on": "2026-01-20", "category": "重大公共建设项目", "reasons": "……"}
    assert _answer(procedure, ProcedureStep.launch, launch) is None
    catalog = {
        "approved_on": "2026-03-10",
        "party_consent_on": "2026-03-20",
        "published_on": "2026-03-30",
        "planned_on": "2026-09-01",
    }
    waiting = step_status(procedure, ProcedureStep.catalog)
    assert answer_step(procedure, ProcedureStep.catalog, waiting.key, {**BY, **catalog}, TODAY) is None
    # The same key again (a retried task after a lost answer): found, nothing recorded twice.
    assert answer_step(procedure, ProcedureStep.catalog, waiting.key, {**BY, **catalog}, TODAY) is None
    recorded = _procedure(procedure)
    assert [a["step"] for a in recorded.answers] == ["launch", "catalog"]
    code = recorded.decision_code
    assert code == f"JC-2026-{procedure:04d}"
    experts = [{"name": f"专家{i}", "unit": "某大学"} for i in range(5)]
    assert (
        _answer(
            procedure,
            ProcedureStep.experts,
            {"experts": experts, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08"},
        )
        is None
    )
    with read_session() as session:
        decision = session.get(Decision, code)
    assert decision is not None
    assert (decision.profile, decision.title, decision.decision_body, decision.category) == (
        "changli", "昌黎县城区公共自行车系统建设", "昌黎县人民政府", "重大公共建设项目",
    )  # fmt: skip
    assert decision.pre_decision_assessors == [f"专家{i}" for i in range(5)]
    from pinggu.status import decision_status, render_decision_text

    assert "决策程序：办理中（记录 3 次填报）" in render_decision_text(decision_status(code))


@pytest.mark.rule("CL-14", "E-SAMPLE")
def test_a_poll_is_accepted_only_when_its_sample_is_representative(settings, tmp_path):
    procedure = _open()
    skewed = tmp_path / "总体比例-偏.csv"
    skewed.write_text("分组字段,类别,占比\n性别,男,20%\n性别,女,80%\n", encoding="utf-8")
    fair = tmp_path / "总体比例.csv"
    fair.write_text("分组字段,类别,占比\n性别,男,50%\n性别,女,50%\n", encoding="utf-8")
    poll = {"means": ["问卷调查"], "survey_file": str(SAMPLES_DIR / "survey.csv")}
    assert "请提交总体比例表" in _answer(procedure, ProcedureStep.participation, poll)
    refused = _answer(procedure, ProcedureStep.participation, {**poll, "population_file": str(skewed)})
    assert refused == "问卷样本不具有代表性（性别）：请补充抽样后重新提交（第二十一条（二））"
    assert _answer(procedure, ProcedureStep.participation, {**poll, "population_file": str(fair)}) is None
    answers = _procedure(procedure).answers
    assert [a["refused"] is None for a in answers] == [False, False, True]
    assert [a["key"].rsplit("-", 1)[1] for a in answers] == ["1", "2", "3"]


@pytest.mark.rule("E-SCALE")
def test_a_poll_of_numeric_codes_is_read_only_in_the_direction_stated(settings, tmp_path):
    procedure = _open()
    survey = tmp_path / "问卷-按选项序号.csv"
    survey.write_text("序号,性别,Q2 您对窗口服务满意吗\n1,男,1\n2,女,1\n3,男,2\n4,女,5\n", encoding="utf-8")
    fair = tmp_path / "总体比例.csv"
    fair.write_text("分组字段,类别,占比\n性别,男,50%\n性别,女,50%\n", encoding="utf-8")
    poll = {"means": ["问卷调查"], "survey_file": str(survey), "population_file": str(fair)}
    refused = _answer(procedure, ProcedureStep.participation, poll)
    assert refused is not None and refused.startswith(
        "问卷文件有 1 道满意度题以数字记录答案，但没有说明数字的方向，不作推测：\n"
        "  - “Q2 您对窗口服务满意吗”列：答案是数字 1–5，但文件没有说明数字的方向"
    )
    assert _answer(procedure, ProcedureStep.participation, {**poll, "survey_scale": "1=很满意"}) is None


HIGH_RISK = {
    "kinds": ["社会稳定风险"],
    "report_contents": [
        "评估事项和评估过程",
        "各方意见及其采纳情况",
        "决策可能引发的风险",
        "风险等级",
        "评估结论和对策建议",
        "风险防范和化解措施",
        "应急处置预案",
    ],
    "situation": "大部分群众有意见、反映特别强烈，可能引发重大风险隐患、大规模集体上访、群体事件或者重大舆情事件",
    "high_risk_choice": "建议不实施（提请县政府作出决策）",
}
COUNTY = {"answered_by": "县政府办公室 王芳", "decided_on": "2026-07-10", "decided_by": "县政府常务会议"}


@pytest.mark.rule("CL-37")
def test_a_high_risk_ends_the_procedure_only_when_the_county_government_decides_not_to_implement(settings):
    # changli 37 “应当区别情况作出不实施的决策”: the lead unit's assessment only proposes it; the county
    # government decides — not to implement (the end), or to decide again after the draft is adjusted.
    procedure = _open("城区老旧市场拆除重建")
    assert _answer(procedure, ProcedureStep.risk, HIGH_RISK) is None
    proposed = step_status(procedure, ProcedureStep.risk)
    assert proposed == StepDone(
        Outcome.referred, "高风险：承办单位建议不实施，提请县政府作出决策（第三十四条至第三十七条）"
    )
    assert _procedure(procedure).status == "under_way"  # not ended by the lead unit's answer
    waiting = step_status(procedure, ProcedureStep.risk_decision)
    assert not isinstance(waiting, StepDone) and waiting.key == f"procedure-{procedure}-risk-decision-1"
    assert "风险评估：高风险：承办单位建议不实施，提请县政府作出决策" in waiting.description

    # The county government sends it back: the draft is adjusted and the risk assessed again.
    adjust = {**COUNTY, "decision": "调整决策方案、降低风险等级后再行决策"}
    assert answer_step(procedure, ProcedureStep.risk_decision, waiting.key, adjust, TODAY) is None
    assert step_status(procedure, ProcedureStep.risk_decision).outcome is Outcome.again
    again = step_status(procedure, ProcedureStep.risk)
    assert not isinstance(again, StepDone) and again.key == f"procedure-{procedure}-risk-2"
    assert "高风险事项的决策（县政府）：高风险：县政府常务会议决定调整决策方案" in again.description

    # Assessed high again and referred again: the county government is asked anew, and ends it.
    assert answer_step(procedure, ProcedureStep.risk, again.key, {**BY, **HIGH_RISK}, TODAY) is None
    waiting = step_status(procedure, ProcedureStep.risk_decision)
    assert not isinstance(waiting, StepDone) and waiting.key == f"procedure-{procedure}-risk-decision-2"
    ended = {**COUNTY, "decision": "作出不实施的决策"}
    assert answer_step(procedure, ProcedureStep.risk_decision, waiting.key, ended, TODAY) is None
    assert step_status(procedure, ProcedureStep.risk_decision) == StepDone(
        Outcome.not_implemented, "高风险：县政府常务会议作出不实施的决策（2026-07-10，第三十四条至第三十七条）"
    )
    assert step_status(procedure, ProcedureStep.risk).outcome is Outcome.referred  # the risk step stands
    found = _procedure(procedure)
    assert found.status == "not_implemented" and found.closed_at is not None
