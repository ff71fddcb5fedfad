"""The answers kept as JSON on their row (models/kept_answers.py): a stored record of every decision-procedure step,
of every shape a version has written, reads as its record and its step's model and is written back unchanged (rows
in databases read without a migration); a record that fits no shape is a Chinese StoredAnswerInvalid, never a
KeyError."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from pinggu.core.errors import StoredAnswerInvalid
from pinggu.models.kept_answers import (
    ApprovalAnswer,
    CountersignDone,
    ReviewAnswer,
    item_reviews,
    procedure_answers,
    round_answers,
)
from pinggu.models.tables import DecisionProcedure
from pinggu.rules.decision_procedure import ANSWERS, MeetingAnswer, Outcome, ProcedureStep
from pinggu.rules.tracking import ReviewVerdict
from pinggu.services.decision_procedure import UNDER_WAY, next_step
from pinggu.services.ledger import procedure_dates


def _kept(n: int, step: str, answer: dict, **envelope: object) -> dict:
    """A record as answer_step writes it (signed in person), with `envelope` over the defaults."""
    return {
        "key": f"procedure-7-{step.replace('_', '-')}-{n}",
        "step": step,
        "answer": answer,
        "outcome": "proceed",
        "note": "",
        "refused": None,
        "on": "2026-11-28",
        "answered_by": "李明（县城管局）",
        "person_id": 12,
    } | envelope


EXPERTS = [
    {"name": name, "unit": unit, "from_pool": True, "interested": False}
    for name, unit in (("王建国", "燕山大学"), ("刘芳", "河北科技师范学院"), ("赵磊", "县规划设计院"))
]

# One accepted record of every step, as the changli walk (tests/changli_answers.py) leaves them on the row.
STORED = [
    _kept(1, "launch", {"proposer": "县城管局", "proposed_on": "2026-03-10", "category": "重大公共建设项目", "exclusion": "无", "reasons": "城区停车位缺口约 3000 个；拟建 4 处立体停车场。"}),
    _kept(1, "catalog", {"adjustment": False, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25", "published_on": "2026-03-28", "planned_on": "2026-08-31"}, refused="只能作为目录调整"),
    _kept(2, "catalog", {"adjustment": True, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25", "published_on": "2026-03-28", "planned_on": "2026-08-31"}),
    _kept(1, "participation", {"means": ["向社会公开征求意见", "听证会", "座谈会"], "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次", "affects_enterprises": False, "enterprises_heard": "", "comment_from": "2026-04-01", "comment_until": "2026-05-01", "shortened_reason": "", "hearing_on": "2026-05-20", "hearing_organiser": "决策承办单位", "hearing_organiser_unit": "", "hearing_closed": False, "hearing_closed_basis": "", "draft_published_on": "2026-05-06", "hearing_sides": [{"view": "支持建设", "count": 6}, {"view": "反对占用绿地", "count": 5}], "participants_selected": False, "selection_method_published_on": None, "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10", "symposium_on": "2026-04-15", "symposium_stakeholders": "沿街商户代表 3 名、周边小区业主代表 4 名", "symposium_materials_sent_on": "2026-04-10", "survey_file": "uploads/2026/a1b2-问卷.xlsx", "survey_scale": "1=很满意", "population_file": "uploads/2026/c3d4-总体.csv", "not_adopted": 2, "feedback": "书面函告：收费标准由价格主管部门核定"}),
    _kept(1, "experts", {"experts": EXPERTS, "wide_or_complex": False, "panel_proposed_on": "2026-05-25", "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08", "oral_opinions": [{"expert": "赵磊", "oral_at": "2026-06-05T10:00:00+08:00", "written_at": "2026-06-06T09:00:00+08:00"}]},
          panel={"by": "陈静（县决策咨询服务中心）", "as": "县决策咨询服务中心", "on": "2026-05-28", "experts": ["王建国", "刘芳", "赵磊"]}),
    _kept(1, "expert_opinions", {"signed": "王建国、刘芳、赵磊", "panel_at": 4}, note="3 位论证专家已签署书面论证意见（王建国、刘芳、赵磊）（第三十二条（三））", answered_by="论证专家会签", person_id=None),
    _kept(1, "risk", {"kinds": ["社会稳定风险", "经济风险"], "no_adverse_effect": ["公共安全风险", "环境风险"], "no_adverse_effect_reason": "立体停车场在既有停车场原址建设，不新增用地", "assessed_elsewhere": [], "report_contents": ["评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级", "评估结论和对策建议", "风险防范和化解措施", "应急处置预案"], "situation": "大部分群众有意见、反映特别强烈，可能引发重大风险隐患、大规模集体上访、群体事件或者重大舆情事件", "measures": "调整 1 处选址，避开学校周边", "high_risk_choice": "调整决策方案后重新评估"}, outcome="referred", note="高风险"),
    _kept(1, "risk_decision", {"decision": "调整决策方案、降低风险等级后再行决策", "decided_on": "2026-06-20", "decided_by": "县政府常务会议", "reasons": "调整选址后重新评估"}, outcome="again"),
    _kept(2, "risk", {"kinds": ["社会稳定风险", "经济风险"], "no_adverse_effect": [], "no_adverse_effect_reason": "", "assessed_elsewhere": [{"kind": "环境风险", "rules": "环境影响评价法", "document": "昌环评〔2026〕3号", "assessed_on": "2026-05-01"}], "report_contents": ["评估事项和评估过程", "风险等级"], "situation": "绝大多数群众理解支持、个别人员持有分歧意见", "measures": "建设期错峰施工，设临时停车点", "high_risk_choice": None}),
    _kept(1, "legality", {"unit_review": "合法", "unit_review_on": "2026-06-25", "materials": ["公众参与全程资料", "风险评估情况及有关材料"], "returned_on": None, "supplemented_on": None, "joint_review_from": "2026-07-01", "joint_review_until": "2026-07-10", "opinions_on": "2026-07-09", "complex_reason": "", "justice_task_on": "2026-07-01", "justice_review": "合法", "justice_review_on": "2026-07-06", "legal_risk": "", "draft_contents": ["决策目标", "工作任务"], "draft_evaluation_year": 2027, "draft_evaluation_type": "一般程序（执行评估）", "vice_head": "张华", "vice_head_approved_on": "2026-06-29", "head_approved_on": "2026-06-30", "head_decision": "提交县政府审议", "head_decided_on": "2026-07-15"}),
    _kept(1, "meeting", {"kind": "县政府常务会议", "meeting_on": "2026-08-20", "materials_delivered_on": "2026-08-18", "dissent": "一位副县长建议分期建设，已记录", "outcome": "通过", "presided_by": "县长", "head_spoke_last": True, "minutes_signed_by": "县长", "minutes_signed_on": "2026-08-21", "revised_on": None, "issued_by": "县长", "issuer_authorised": False, "issued_on": "2026-08-22"}),
    _kept(1, "publication", {"published_on": "2026-08-25", "channels": ["政府网站", "昌黎日报"], "widely_concerned": True, "interpretation": "召开新闻发布会解读", "adoption_published": True, "starts_on": "2026-09-01", "ends_on": None, "evaluation_year": 2027, "evaluation_type": "一般程序（执行评估）", "archived_on": "2026-08-28"}),
]  # fmt: skip

# Shapes older versions wrote: before answers were signed in person (no answered_by or person_id on the record, a
# typed 记录人 and the panel's typed confirmer in the answer), and a refused answer kept as it was typed.
OLDER = [
    {"key": "procedure-3-launch-1", "step": "launch", "answer": {"proposer": "县交通局", "proposed_on": "2025-02-01", "category": "重要规划", "exclusion": "无", "reasons": "", "answered_by": "张三"}, "outcome": "proceed", "note": "", "refused": None, "on": "2025-02-03"},
    {"key": "procedure-3-experts-1", "step": "experts", "answer": {"experts": EXPERTS, "materials_sent_on": "2025-03-01", "opinions_due_on": "2025-03-08", "panel_confirmed_by": "县决策咨询服务中心", "panel_confirmer": "陈静", "panel_confirmed_on": "2025-02-27", "answered_by": "张三"}, "outcome": "proceed", "note": "", "refused": None, "on": "2025-03-09"},
    {"key": "procedure-3-catalog-1", "step": "catalog", "answer": {"approved_on": "三月", "answered_by": "张三"}, "outcome": "proceed", "note": "", "refused": "approved_on：应为日期", "on": "2025-03-10"},
]  # fmt: skip


@pytest.mark.parametrize("stored", STORED + OLDER, ids=lambda r: r["key"])
def test_a_stored_answer_reads_as_its_steps_model_and_is_written_back_unchanged(stored):
    kept = copy.deepcopy(stored)
    (record,) = procedure_answers([kept])
    assert kept == stored  # reading changes nothing on the row
    written = record.stored_json()
    assert written == stored
    if record.accepted:
        model = CountersignDone if record.step is ProcedureStep.expert_opinions else ANSWERS[record.step]
        assert type(record.values()) is model


def test_the_records_carry_who_when_and_the_panel_typed():
    records = procedure_answers(STORED + OLDER)
    assert {r.step for r in records} == set(ProcedureStep)
    experts = next(r for r in records if r.key == "procedure-7-experts-1")
    assert experts.panel is not None and experts.panel.confirmed_as == "县决策咨询服务中心"
    assert experts.panel.on == date(2026, 5, 28) and experts.panel.experts == ("王建国", "刘芳", "赵磊")
    assert records[0].by == "李明（县城管局）" and records[0].on == date(2026, 11, 28)
    older = next(r for r in records if r.key == "procedure-3-launch-1")
    assert older.by == "张三" and older.person_id is None  # the typed 记录人 of before sign-in
    meeting = next(r for r in records if r.step is ProcedureStep.meeting).values_as(MeetingAnswer)
    assert meeting.issued_on == date(2026, 8, 22)
    with pytest.raises(TypeError):
        records[0].values_as(MeetingAnswer)


def test_the_services_walk_the_stored_records():
    """The procedure's state and dates, read from the records alone (no database)."""
    procedure = DecisionProcedure(
        id=7, key="k", profile="changli", matter="立体停车场", lead_unit="县城管局", catalog_year=2026
    )
    procedure.status, procedure.answers = UNDER_WAY, copy.deepcopy(STORED)
    assert next_step(procedure) is None  # every step stands
    procedure.answers = copy.deepcopy(STORED[:7])  # the risk referred: the county government decides
    assert next_step(procedure) is ProcedureStep.risk_decision
    procedure.answers = copy.deepcopy(STORED[:8])  # it sent the risk back: assessed again
    assert next_step(procedure) is ProcedureStep.risk
    procedure.answers = copy.deepcopy(STORED)
    dates = {d.label: d for d in procedure_dates(procedure)}
    assert dates["公开征求意见"].start == date(2026, 4, 1) and dates["公开征求意见"].day == date(2026, 5, 1)
    assert dates["拟提请审议（目录时间计划）"].met_on == date(2026, 8, 20)


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        ({k: v for k, v in STORED[0].items() if k != "step"}, "step：缺少此项"),
        (STORED[0] | {"step": "vote"}, "step：不是可用的取值"),
        (STORED[0] | {"on": "去年"}, "on：应为日期"),
        (STORED[0] | {"answer": "通过"}, "answer：应为一组字段"),
        (STORED[0] | {"reviewer": "张三"}, "reviewer：不应有此项"),
    ],
)
def test_a_malformed_stored_record_is_a_chinese_error(stored, why):
    with pytest.raises(StoredAnswerInvalid) as raised:
        procedure_answers([STORED[1], stored])
    assert str(raised.value).startswith("决策程序的第 2 条办理记录无法读取（数据库中的记录与格式不符）：")
    assert why in str(raised.value)


def test_an_accepted_answer_its_model_cannot_read_is_a_chinese_error():
    (record,) = procedure_answers([_kept(1, "meeting", {"kind": "县政府常务会议", "meeting_on": "八月"})])
    with pytest.raises(
        StoredAnswerInvalid, match="决策程序的办理记录（procedure-7-meeting-1）的答复无法读取.*meeting_on：应为日期"
    ):
        record.values()


ROUND = [
    # A review recorded before the round's steps were named: no step.
    {"key": "rectification-review-5-1", "item": 1, "verdict": "通过", "reviewer": "督查室王芳", "comment": "", "on": "2026-03-02", "refused": None},
    {"key": "supervision-approval-5-1", "step": "report_approval", "approver": "副县长张华", "approved_on": "2026-02-20", "instructions": "请各单位按期整改", "on": "2026-02-21", "refused": None},
    {"key": "rectification-review-5-2", "step": "rectification_review", "item": 2, "verdict": "退回，限期重新整改", "reviewer": "督查室王芳", "comment": "整改报告未附佐证材料", "on": "2026-03-05", "refused": "退回时须在“说明”中写明理由，并给出晚于今天的新整改期限"},
]  # fmt: skip


def test_a_rounds_stored_answers_read_typed_and_are_written_back_unchanged():
    records = round_answers(copy.deepcopy(ROUND))
    assert [type(r) for r in records] == [ReviewAnswer, ApprovalAnswer, ReviewAnswer]
    assert [r.stored_json() for r in records] == ROUND
    review, approval, sent_back = records
    assert isinstance(review, ReviewAnswer) and review.verdict is ReviewVerdict.accept and review.item == 1
    assert isinstance(approval, ApprovalAnswer) and approval.approved_on == date(2026, 2, 20)
    assert sent_back.refused is not None


def test_a_malformed_round_answer_is_a_chinese_error():
    with pytest.raises(StoredAnswerInvalid, match="督查记录的第 1 条审定或审核记录无法读取.*approver：缺少此项"):
        round_answers([{k: v for k, v in ROUND[1].items() if k != "approver"}])
    with pytest.raises(StoredAnswerInvalid, match="item：应为整数"):
        round_answers([ROUND[0] | {"item": "第一项"}])


def test_an_items_stored_reviews_read_typed_and_a_malformed_one_is_a_chinese_error():
    reviews = [ROUND[0], ROUND[2]]  # an item keeps its own reviews, as the round does
    records = item_reviews(copy.deepcopy(reviews))
    assert [r.on for r in records] == [date(2026, 3, 2), date(2026, 3, 5)]
    assert [r.stored_json() for r in records] == reviews
    with pytest.raises(StoredAnswerInvalid, match="整改事项的第 1 条审核记录无法读取.*on："):
        item_reviews([{k: v for k, v in ROUND[0].items() if k != "on"}])


def test_outcomes_keep_their_enum():
    assert procedure_answers([STORED[7]])[0].outcome is Outcome.again
