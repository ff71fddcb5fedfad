"""A gate's details (Approval.details) and a submitted file's record (Document.meta) as databases hold them: each
parses as the model the gate registry names and is written back unchanged; a row that fits no model is
StoredAnswerInvalid in Chinese, never a KeyError."""

from __future__ import annotations

import pytest

from pinggu.core.errors import StoredAnswerInvalid
from pinggu.rules.gate_details import (
    ExpertReviewDetails,
    RecordsMeta,
    ReportApprovalDetails,
    Rework,
    TeamDetails,
)
from pinggu.rules.gates import (
    GATES,
    GateAnswer,
    GateId,
    GateKind,
    Submitted,
    details_as,
    file_meta_as,
    gate_details,
    rework_of,
)

SHOWN = "第1次提交的 CSV 文件"

# One realistic stored details per gate (several where the gate writes more than one shape), as the acceptors
# and preparers have written them since the tables exist.
STORED_DETAILS: list[tuple[GateId, dict]] = [
    (
        GateId.team,
        {
            "members": [
                {"name": "王明", "role": "单位工作人员", "unit": "区司法局", "did_pre_decision_argumentation": False},
                {"name": "李华", "role": "专家", "unit": None, "did_pre_decision_argumentation": False},
            ]
        },
    ),
    (GateId.plan_approval, {"rework": None}),
    (GateId.plan_approval, {"rework": "plan"}),
    (GateId.start_approval, {}),
    (GateId.survey, {"file": SHOWN, "respondents": 200}),
    (GateId.survey, {"file": SHOWN, "respondents": 5, "scale": "5=很满意"}),
    (GateId.minutes, {"file": "第1次提交的 DOCX 文件", "summary": "座谈会，[已隐去]主持"}),
    (GateId.field, {"file": "第2次提交的 PDF 文件", "summary": "走访三个街道"}),
    (GateId.opinions, {"file": SHOWN, "opinions": 12}),
    (
        GateId.expert_marks,
        {"file": "第1次提交的 XLSX 文件", "marks": {"minhang.legality": 8.5}, "data": {"目标任务完成率（%）": 92.0}},
    ),
    (GateId.expert_review, {"experts": ["吴晓", "陈静"], "opinion": "评估方法规范", "handling": "已采纳"}),
    (GateId.expert_review, {"skipped": True, "reason": "已经专题论证"}),
    (GateId.third_party_acceptance, {"rework": None}),
    (GateId.third_party_acceptance, {"rework": "report", "agency": "某咨询公司"}),
    (GateId.approval, {"rework": None}),
    (GateId.approval, {"rework": None, "recommended": "继续执行", "departure_reason": "补贴对象覆盖不足，须调整"}),
    (GateId.approval, {"rework": "evidence"}),
]

STORED_META: list[tuple[GateId, dict]] = [
    (GateId.survey, {"source_name": SHOWN, "respondents": 200}),
    (GateId.survey, {"source_name": SHOWN, "respondents": 5, "scale": "1=很满意"}),
    (GateId.opinions, {"source_name": SHOWN, "opinions": 12}),
    (GateId.minutes, {"source_name": "第1次提交的 TXT 文件", "summary": "座谈会"}),
    (GateId.field, {"source_name": "第1次提交的 PDF 文件", "summary": "走访"}),
    (GateId.expert_marks, {"source_name": "第1次提交的 XLSX 文件"}),
]


def test_every_gate_names_its_details_and_every_submission_its_file_record():
    for gate, spec in GATES.items():
        assert spec.details is not None, gate
        assert (spec.meta is not None) is (spec.kind is GateKind.submission), gate
    assert {gate for gate, _ in STORED_DETAILS} == set(GATES)
    assert {kind for kind, _ in STORED_META} == {g for g, spec in GATES.items() if spec.kind is GateKind.submission}


@pytest.mark.parametrize(("gate", "stored"), STORED_DETAILS)
def test_stored_details_parse_and_are_written_back_unchanged(gate, stored):
    details = gate_details(gate, stored)
    assert isinstance(details, GATES[gate].details)
    assert details.stored_json() == stored


@pytest.mark.parametrize(("kind", "stored"), STORED_META)
def test_a_stored_file_record_parses_and_is_written_back_unchanged(kind, stored):
    meta = file_meta_as(kind, stored, GATES[kind].meta)
    assert meta.stored_json() == stored


def test_the_readers_get_typed_fields():
    approved = details_as(GateId.approval, STORED_DETAILS[-2][1], ReportApprovalDetails)
    assert (approved.recommended, approved.departure_reason) == ("继续执行", "补贴对象覆盖不足，须调整")
    assert rework_of(gate_details(GateId.approval, {"rework": "evidence"})) is Rework.evidence
    assert rework_of(gate_details(GateId.survey, STORED_DETAILS[4][1])) is None
    skipped = details_as(GateId.expert_review, {"skipped": True, "reason": "已经专题论证"}, ExpertReviewDetails)
    assert skipped.skipped and skipped.experts == ()
    team = details_as(GateId.team, STORED_DETAILS[0][1], TeamDetails)
    answer = GateAnswer(gate=GateId.team, choice=Submitted.submitted, approver="王明", details=team)
    assert [m.name for m in answer.details_as(TeamDetails).members] == ["王明", "李华"]
    # A records file kept before summaries were recorded reads with an empty one.
    assert file_meta_as(GateId.minutes, {"source_name": SHOWN}, RecordsMeta).summary == ""


def test_an_older_row_reads_without_the_keys_no_version_writes_any_more():
    # tests/realistic_database.py keeps a plan approval of an early version: no rework, a free-text 意见.
    assert gate_details(GateId.plan_approval, {"意见": "同意"}).stored_json() == {}
    assert gate_details(GateId.approval, {}).stored_json() == {}


@pytest.mark.parametrize(
    ("gate", "stored", "where"),
    [
        (GateId.team, {}, "members"),
        (GateId.survey, {"file": SHOWN, "respondents": "很多"}, "respondents"),
        (GateId.approval, {"rework": "everything"}, "rework"),
        (GateId.expert_marks, {"file": SHOWN, "marks": {"legality": "高"}, "data": {}}, "marks.legality"),
    ],
)
def test_a_malformed_row_is_refused_in_chinese_never_a_key_error(gate, stored, where):
    with pytest.raises(StoredAnswerInvalid) as caught:
        gate_details(gate, stored)
    message = caught.value.message
    assert GATES[gate].name in message and "无法读取" in message and where in message


def test_a_malformed_file_record_is_refused_in_chinese():
    with pytest.raises(StoredAnswerInvalid, match="调查数据提交”的材料记录无法读取"):
        file_meta_as(GateId.survey, {"respondents": 3}, GATES[GateId.survey].meta)


def test_a_reader_naming_another_model_is_a_programming_error():
    with pytest.raises(TypeError):
        details_as(GateId.survey, STORED_DETAILS[4][1], TeamDetails)
    with pytest.raises(TypeError):
        file_meta_as(GateId.survey, STORED_META[0][1], RecordsMeta)
