"""The decision procedure's bookkeeping without a Prefect server (services/decision_procedure.py): a
procedure opened once per key, answers recorded once per pause key, what an accepted answer writes into
the catalog, the poll's sample checked for representativeness, an excluded matter ended."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from changli_answers import EXPERTS, PANEL, accepted
from driving import confirm_panel, sign_procedure_step
from sqlmodel import select

from pinggu.core.errors import StateConflict
from pinggu.core.settings import SAMPLES_DIR
from pinggu.models.db import read_session
from pinggu.models.tables import Decision, DecisionProcedure
from pinggu.rules.decision_procedure import Outcome, ProcedureStep
from pinggu.services.decision_procedure import StepDone, answer_step, open_procedure, step_status

TODAY = date(2026, 11, 28)
BY: dict = {}  # who answers is the person who signed (driving.sign_procedure_step)


def _signed(procedure: int, step: ProcedureStep, key: str, values: dict, today: date = TODAY) -> str | None:
    """Answer as the web app does: signed first by the person the profile names for the step."""
    sign_procedure_step(key, step.value, values, as_form=False)
    return answer_step(procedure, step, key, values, today)


def _uploaded(path) -> str:
    """A file as the procedure's page receives it: kept in the document store's uploads."""
    from pinggu.core.document_store import keep

    return keep(path, "uploads").location


def _open(matter: str = "昌黎县城区公共自行车系统建设") -> int:
    return open_procedure(f"test-{uuid.uuid4().hex}", "changli", matter, "县城管局", 2026)


def _answer(procedure: int, step: ProcedureStep, values: dict) -> str | None:
    waiting = step_status(procedure, step)
    assert not isinstance(waiting, StepDone)
    return _signed(procedure, step, waiting.key, {**BY, **values}, TODAY)


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
    assert _signed(procedure, ProcedureStep.catalog, waiting.key, {**BY, **catalog}, TODAY) is None
    # The same key again (a retried task after a lost answer): found, nothing recorded twice.
    assert _signed(procedure, ProcedureStep.catalog, waiting.key, {**BY, **catalog}, TODAY) is None
    recorded = _procedure(procedure)
    assert [a["step"] for a in recorded.answers] == ["launch", "catalog"]
    code = recorded.decision_code
    assert code == f"JC-2026-{procedure:04d}"
    experts = [{"name": f"专家{i}", "unit": "某大学"} for i in range(5)]
    confirm_panel(procedure, experts)
    assert (
        _answer(
            procedure,
            ProcedureStep.experts,
            {"experts": experts, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08", **PANEL},
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
    poll = {"means": ["问卷调查"], "survey_file": _uploaded(SAMPLES_DIR / "survey.csv")}
    assert "请提交总体比例表" in _answer(procedure, ProcedureStep.participation, poll)
    refused = _answer(procedure, ProcedureStep.participation, {**poll, "population_file": _uploaded(skewed)})
    assert refused == "问卷样本不具有代表性（性别）：请补充抽样后重新提交（第二十一条（二））"
    # A path on the server is never opened: the files come through the page's upload (kept in the store).
    on_server = _answer(procedure, ProcedureStep.participation, {**poll, "population_file": str(fair)})
    assert on_server == "问卷数据文件和总体比例表只能在决策程序页面上传；不受理服务器上的其他路径"
    assert _answer(procedure, ProcedureStep.participation, {**poll, "population_file": _uploaded(fair)}) is None
    answers = _procedure(procedure).answers
    assert [a["refused"] is None for a in answers] == [False, False, False, True]
    assert [a["key"].rsplit("-", 1)[1] for a in answers] == ["1", "2", "3", "4"]


@pytest.mark.rule("E-SCALE")
def test_a_poll_of_numeric_codes_is_read_only_in_the_direction_stated(settings, tmp_path):
    procedure = _open()
    survey = tmp_path / "问卷-按选项序号.csv"
    survey.write_text("序号,性别,Q2 您对窗口服务满意吗\n1,男,1\n2,女,1\n3,男,2\n4,女,5\n", encoding="utf-8")
    fair = tmp_path / "总体比例.csv"
    fair.write_text("分组字段,类别,占比\n性别,男,50%\n性别,女,50%\n", encoding="utf-8")
    poll = {"means": ["问卷调查"], "survey_file": _uploaded(survey), "population_file": _uploaded(fair)}
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
    # CL-34: the other kinds stated not to arise (the stall owners' opposition is the risk here).
    "no_adverse_effect": ["公共安全风险", "环境风险", "经济风险"],
    "no_adverse_effect_reason": "原址重建，不新增用地和财政投入",
}
COUNTY = {"decided_on": "2026-07-10", "decided_by": "县政府常务会议"}


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
    assert _signed(procedure, ProcedureStep.risk_decision, waiting.key, adjust, TODAY) is None
    assert step_status(procedure, ProcedureStep.risk_decision).outcome is Outcome.again
    again = step_status(procedure, ProcedureStep.risk)
    assert not isinstance(again, StepDone) and again.key == f"procedure-{procedure}-risk-2"
    assert "高风险事项的决策（县政府）：高风险：县政府常务会议决定调整决策方案" in again.description

    # Assessed high again and referred again: the county government is asked anew, and ends it.
    assert _signed(procedure, ProcedureStep.risk, again.key, {**BY, **HIGH_RISK}, TODAY) is None
    waiting = step_status(procedure, ProcedureStep.risk_decision)
    assert not isinstance(waiting, StepDone) and waiting.key == f"procedure-{procedure}-risk-decision-2"
    ended = {**COUNTY, "decision": "作出不实施的决策"}
    assert _signed(procedure, ProcedureStep.risk_decision, waiting.key, ended, TODAY) is None
    assert step_status(procedure, ProcedureStep.risk_decision) == StepDone(
        Outcome.not_implemented, "高风险：县政府常务会议作出不实施的决策（2026-07-10，第三十四条至第三十七条）"
    )
    assert step_status(procedure, ProcedureStep.risk).outcome is Outcome.referred  # the risk step stands
    found = _procedure(procedure)
    assert found.status == "not_implemented" and found.closed_at is not None


def test_an_answer_counts_only_as_the_signed_act_of_the_person_the_profile_names(settings):
    """Issue 29: an answer typed into Prefect's form carries no signature, and a signer outside the step's actor is
    refused; both are recorded as refused, and the step is asked again."""
    procedure = _open("昌黎县城区公园提升改造")
    launch = {"proposer": "县城管局", "proposed_on": "2026-01-20", "category": "重大公共建设项目", "reasons": "……"}
    waiting = step_status(procedure, ProcedureStep.launch)
    unsigned = answer_step(procedure, ProcedureStep.launch, waiting.key, launch, TODAY)
    assert unsigned is not None and unsigned.startswith("未经本人登录签署：请由县城管局（决策承办单位）的人员登录")
    assert f"/procedures/{procedure}" in unsigned
    again = step_status(procedure, ProcedureStep.launch)
    sign_procedure_step(again.key, "launch", launch, as_form=False, actor="县政府办公室")  # not of the lead unit
    outsider = answer_step(procedure, ProcedureStep.launch, again.key, launch, TODAY)
    assert (
        outsider == "王芳（县政府办公室）不是县城管局（决策承办单位）的人员，不能办理决策启动（是否属于重大行政决策）"
    )
    third = step_status(procedure, ProcedureStep.launch)
    assert _signed(procedure, ProcedureStep.launch, third.key, launch) is None
    answers = _procedure(procedure).answers
    assert [a["answered_by"] for a in answers] == ["未经本人签署", "王芳（县政府办公室）", "李明（县城管局）"]
    assert [a["refused"] is None for a in answers] == [False, False, True]


# Issue 30 item 8: what the later steps are judged against comes from the answers recorded before them.
EXEMPT = {
    "no_adverse_effect": ["社会稳定风险", "公共安全风险", "经济风险"],
    "no_adverse_effect_reason": "仅调整收费时段",
    "assessed_elsewhere": [
        {
            "kind": "环境风险",
            "rules": "《环境影响评价法》",
            "document": "昌环评〔2026〕12号",
            "assessed_on": "2026-05-10",
        }
    ],
}
SUBMISSION = accepted("legality")  # the draft submitted with its evaluation plan, approved before the review
MEETING = {
    "kind": "县政府常务会议",
    "meeting_on": "2026-08-20",
    "materials_delivered_on": "2026-08-18",
    "dissent": "无不同意见",
    "outcome": "通过",
    "presided_by": "县长",
    "head_spoke_last": True,
    "minutes_signed_by": "县长",
    "minutes_signed_on": "2026-08-21",
    "issued_by": "县长",
    "issued_on": "2026-08-24",
}
PUBLICATION = {
    "published_on": "2026-08-23",
    "channels": ["政府网站"],
    "starts_on": "2026-09-01",
    "evaluation_year": 2027,
    "evaluation_type": "一般程序（执行评估）",
    "archived_on": "2026-08-28",
}


@pytest.mark.rule("CL-34", "CL-41-44", "CL-46")
def test_only_a_draft_done_with_its_risk_and_submitted_by_the_head_is_deliberated_and_published_once_signed(settings):
    procedure = _open("昌黎县城区路内停车收费时段调整")
    no_risk = "未经风险评估的，不得提请县政府审议：风险评估环节尚未办结（第三十四条第一款）"
    assert _answer(procedure, ProcedureStep.legality, SUBMISSION) == no_risk
    assert _answer(procedure, ProcedureStep.meeting, MEETING) == (
        f"{no_risk}；决策草案经县长（县决咨委主任）审定提交审议后，方可提请会议审议（第四十四条）"
    )
    # CL-34: no risk arises or it was assessed under other rules: the step is done without an assessment.
    assert _answer(procedure, ProcedureStep.risk, EXEMPT) is None
    assert step_status(procedure, ProcedureStep.risk) == StepDone(
        Outcome.proceed,
        "无须另行风险评估：社会稳定风险、公共安全风险、经济风险：实施不会造成不利影响（仅调整收费时段）；"
        "环境风险：已依照《环境影响评价法》评估（昌环评〔2026〕12号，2026-05-10），不作重复评估（第三十四条）",
    )
    assert _answer(procedure, ProcedureStep.legality, SUBMISSION) is None
    early = {**MEETING, "meeting_on": "2026-07-14", "materials_delivered_on": "2026-07-13",
             "minutes_signed_on": "2026-07-14", "issued_on": "2026-07-14"}  # fmt: skip
    assert _answer(procedure, ProcedureStep.meeting, early) == (
        "会议日期 2026-07-14 早于县长审定提交审议的日期 2026-07-15（第四十四条）"
    )
    assert _answer(procedure, ProcedureStep.meeting, MEETING) is None
    assert _answer(procedure, ProcedureStep.publication, PUBLICATION) == (
        "公布日期 2026-08-23 早于决策签发日期 2026-08-24（第四十六条第四款）"
    )
    assert _answer(procedure, ProcedureStep.publication, {**PUBLICATION, "published_on": "2026-08-24"}) is None


def test_the_record_shows_the_sides_of_a_hearing_and_the_risks_assessed_under_other_rules():
    from pinggu.services.decision_procedure import _shown

    shown = dict(_shown(ProcedureStep.risk, EXEMPT))
    assert shown["依照有关规定已作评价、评估的风险（不作重复评估，第三十四条第七款）"] == (
        "环境风险：依照《环境影响评价法》评估（昌环评〔2026〕12号，2026-05-10）"
    )
    sides = {"means": ["听证会"], "hearing_sides": [{"view": "支持", "count": 5}, {"view": "反对", "count": 4}]}
    assert (
        dict(_shown(ProcedureStep.participation, sides))["听证参加人：持不同观点的各方及人数"] == "支持 5 人；反对 4 人"
    )


SIX_EXPERTS = [*EXPERTS, {"name": "吴迪", "unit": "县交通运输局", "from_pool": True, "interested": False}]


@pytest.mark.rule("CL-31", "CL-32")
def test_the_panel_signs_one_by_one_and_the_last_needed_signature_completes_the_step_once(settings):
    """会签 (issue 29): each expert signs their own written opinion; at the seed's minimum (5 of a panel of 6) the
    step stands, recorded once, and of two experts signing at the same moment exactly one completes it."""
    from concurrent.futures import ThreadPoolExecutor

    from driving import expert_person, sign_panel

    from pinggu.core.errors import SignoffRefused
    from pinggu.services.decision_procedure import countersign_state, next_step, sign_expert_opinion

    procedure = _open("昌黎县城区道路改造（会签）")
    launch = {"proposer": "县城管局", "proposed_on": "2026-01-20", "category": "重大公共建设项目", "reasons": "……"}
    catalog = {
        "approved_on": "2026-03-10",
        "party_consent_on": "2026-03-20",
        "published_on": "2026-03-30",
        "planned_on": "2026-09-01",
    }
    experts = {"experts": SIX_EXPERTS, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08", **PANEL}
    for step, values in (("launch", launch), ("catalog", catalog), ("participation", {"means": ["实地走访"]})):
        assert _answer(procedure, ProcedureStep(step), values) is None, step
    confirm_panel(procedure, SIX_EXPERTS)
    assert _answer(procedure, ProcedureStep.experts, experts) is None
    assert next_step(_procedure(procedure)) is ProcedureStep.expert_opinions

    assert sign_panel(procedure, SIX_EXPERTS[:3]) == [False, False, False]
    with pytest.raises(StateConflict, match="请填写书面论证意见（不少于 10 个字"):
        sign_expert_opinion(procedure, expert_person(SIX_EXPERTS[3]), "同意", TODAY)
    with pytest.raises(SignoffRefused, match="王建国（燕山大学）不在待签署的论证专家之列"):
        sign_panel(procedure, SIX_EXPERTS[:1])  # signed already
    stranger = {"name": "钱进", "unit": "县财政局"}
    with pytest.raises(SignoffRefused, match="钱进（县财政局）不在待签署的论证专家之列"):
        sign_panel(procedure, [stranger])
    state = countersign_state(_procedure(procedure))
    assert (len(state.signed), state.minimum, [m.name for m in state.awaited]) == (3, 5, ["孙伟", "周敏", "吴迪"])

    assert sign_panel(procedure, SIX_EXPERTS[3:4]) == [False]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the fifth and sixth sign at once
        racing = list(pool.map(lambda expert: _sign_or_refused(procedure, expert), SIX_EXPERTS[4:6]))
    assert sorted(racing, key=str) == sorted([True, "已完成"], key=str), racing
    done = _procedure(procedure)
    completions = [a for a in done.answers if a["step"] == "expert_opinions"]
    assert len(completions) == 1 and completions[0]["note"].startswith(
        "5 位论证专家已签署书面论证意见（王建国、刘芳、赵磊、孙伟、"
    )
    assert completions[0]["key"] == f"procedure-{procedure}-expert-opinions-1"
    assert next_step(done) is ProcedureStep.risk


def _sign_or_refused(procedure: int, expert: dict):
    from driving import sign_panel

    try:
        return sign_panel(procedure, [expert])[0]
    except StateConflict as refused:
        assert "会签已完成" in str(refused)
        return "已完成"


@pytest.mark.rule("CL-32-PANEL")
def test_the_panel_is_confirmed_by_the_centres_own_person_before_the_lead_unit_answers(settings):
    """The 县决策咨询服务中心's confirmation is its person's own signed act (audited, in the record), never a name
    typed by the lead unit: refused before it, refused from anyone else, and closed once 专家论证 stands."""
    from driving import add_person, procedure_person

    from pinggu.core.errors import SignoffRefused
    from pinggu.models.tables import AuditEvent
    from pinggu.services.decision_procedure import confirm_panel as confirm
    from pinggu.services.decision_procedure import may_confirm_panel, panel_confirmation

    procedure = _open("昌黎县城区公园改造（专家组确定）")
    launch = {"proposer": "县城管局", "proposed_on": "2026-01-20", "category": "重大公共建设项目", "reasons": "……"}
    catalog = {"approved_on": "2026-03-10", "party_consent_on": "2026-03-20", "published_on": "2026-03-30",
               "planned_on": "2026-09-01"}  # fmt: skip
    for step, values in (("launch", launch), ("catalog", catalog), ("participation", {"means": ["实地走访"]})):
        assert _answer(procedure, ProcedureStep(step), values) is None, step
    five = {"experts": EXPERTS, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08", **PANEL}
    assert "请县决策咨询服务中心的人员登录本决策程序页面确定专家组" in (
        _answer(procedure, ProcedureStep.experts, five) or ""
    )

    lead = procedure_person("决策承办单位")
    with pytest.raises(SignoffRefused, match="不是县决策咨询服务中心的人员，不能确定专家组"):
        confirm(procedure, lead, "王建国", date(2026, 5, 28), TODAY)
    with pytest.raises(StateConflict, match="晚于今天"):
        confirm(procedure, procedure_person("县决策咨询服务中心"), "王建国", date(2026, 11, 29), TODAY)
    with pytest.raises(StateConflict, match="专家组名单有重复"):
        confirm(procedure, procedure_person("县决策咨询服务中心"), "王建国\n王建国", date(2026, 5, 28), TODAY)
    confirm_panel(procedure, EXPERTS[:4])  # four of the five the lead unit names
    assert "周敏不在县决策咨询服务中心确定的专家组中" in (_answer(procedure, ProcedureStep.experts, five) or "")
    confirm_panel(procedure, EXPERTS)  # confirmed again, with all five: the latest counts
    assert _answer(procedure, ProcedureStep.experts, five) is None

    recorded = _procedure(procedure)
    accepted_experts = [a for a in recorded.answers if a["step"] == "experts" and a["refused"] is None][-1]
    assert accepted_experts["panel"] == {
        "by": "陈静（县决策咨询服务中心）",
        "as": "县决策咨询服务中心",
        "on": "2026-05-28",
        "experts": [e["name"] for e in EXPERTS],
    }
    centre = add_person("陈静", "县决策咨询服务中心", "县决策咨询服务中心")
    with read_session() as session:
        from pinggu.models.tables import Person

        person = session.get(Person, centre)
        assert person is not None
        assert not may_confirm_panel(person, recorded)  # 专家论证 stands: the panel is closed
        found = panel_confirmation(session, recorded)
        events = [e for e in session.exec(select(AuditEvent).where(AuditEvent.action == "panel_confirmed"))]
    assert found is not None and found.experts == tuple(e["name"] for e in EXPERTS)
    assert [e.actor for e in events if e.detail["procedure"] == procedure] == ["陈静（县决策咨询服务中心）"] * 2
    with pytest.raises(StateConflict, match="专家组不能再确定或更改"):
        confirm(procedure, centre, "王建国", date(2026, 5, 28), TODAY)
