"""Each step's result model (rules/step_results.py, named by pinggu.rules.steps.STEPS) reads the JSON the steps have
always stored, and writes it back unchanged: rows already in databases parse with no migration."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from builders import SAMPLES

from pinggu.core.errors import StepResultInvalid
from pinggu.rules.step_results import AnalysisResult, ScoringResult, StepResult
from pinggu.rules.steps import STEPS, StepId, parse_stored, read_result, validate_as, validate_result


def _stored() -> dict[StepId, dict]:
    """A realistic stored result of every step, as tasks/ wrote them before the results were typed: the plan,
    figures and score card straight from the modules that compute them (samples/), through JSON as stored."""
    from pinggu.analysis.opinions import read_opinions, summarise_opinions
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey
    from pinggu.rules.plan import draft_plan
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed, score

    profile = load_profile("bazhou")
    survey = summarise_survey(read_survey(SAMPLES / "survey.csv")).to_dict()
    survey.update(source_title="问卷数据（survey.csv，600 份）", source_sha256="ab" * 32)
    needed = inputs_needed(profile)
    card = score(
        profile,
        survey=survey,
        expert_marks={key: [80, 90.5] for key, _ in needed["expert_marks"]},
        data={measure: 88 for measure, _ in needed["data"]},
    ).to_dict()
    plan = draft_plan(
        profile=profile,
        decision_title="关于高标准农田建设的实施方案",
        lead_unit="发展和改革委员会",
        evaluation_type="ordinary",
        scope="partial",
        scope_parts=["补贴发放"],
        methods=["问卷调查", "座谈会", "意见征询"],
        targets={"preparation": date(2026, 12, 12), "implementation": None, "conclusion": date(2027, 3, 1)},
        budget_yuan=50000.0,
        agency="某某咨询有限公司",
    )
    record = {
        "kind": "minutes",
        "title": "会议纪要（座谈会.pdf）",
        "summary": "12家单位参加座谈。",
        "sha256": "cd" * 32,
    }
    report = {"path": "s3://pinggu/reports/ab12.pdf", "sha256": "ab" * 32, "docx": "s3://pinggu/reports/cd34.docx"}
    # What the database holds: JSON (tuples become lists).
    return json.loads(
        json.dumps(
            {
                StepId.team: {
                    "members": [
                        {"name": "王明", "role": "评估小组组长", "unit": "区发展和改革委员会"},
                        {"name": "李华", "role": "成员", "unit": None},
                    ]
                },
                StepId.plan: plan,
                StepId.analysis: {
                    "survey": survey,
                    "opinions": summarise_opinions(read_opinions(SAMPLES / "opinions.csv")),
                    "records": [record],
                    "methods": ["问卷调查", "座谈会", "意见征询"],
                },
                StepId.scoring: card,
                StepId.preliminary: {"text": "共回收有效问卷 600 份。评估结论由决策机关审定时确定。"},
                StepId.draft_report: report,
                StepId.reviewed_draft: report,
                StepId.work_completed: {"completed_at": "2026-11-20T10:15:30.123456+08:00", "met": ["NX-11"]},
                StepId.report_submitted: {"submitted_at": "2026-11-21T09:00:00+08:00", "met": []},
                StepId.follow_up: {"opened": 7, "unit": "区住房保障局", "due_date": "2026-12-21"},
                StepId.final_report: report,
                StepId.archive: {"manifest": "/data/documents/PG-2026-0001/ab12.json", "documents": 14},
            },
            ensure_ascii=False,
        )
    )


def test_every_step_names_a_frozen_result_model():
    for spec in STEPS.values():
        assert issubclass(spec.result, StepResult), spec.id
        assert spec.result.model_config.get("frozen"), spec.id


@pytest.mark.parametrize("step", list(StepId))
def test_a_stored_result_of_every_step_parses_and_is_stored_again_unchanged(step):
    stored = _stored()[step]
    result = parse_stored(step, copy.deepcopy(stored))
    assert isinstance(result, STEPS[step].result)
    assert result.stored_json() == stored
    assert validate_result(step, result).stored_json() == stored


@pytest.mark.parametrize(
    "stored",
    [
        {"total": None, "missing": [], "note": "简易程序不计分"},  # the simplified procedure scores nothing
        {"total": None, "missing": ["满意度（问卷调查）"]},  # a profile that does not require a score
    ],
)
def test_a_score_left_out_is_stored_as_it_always_was(stored):
    assert read_result(StepId.scoring, stored, ScoringResult).stored_json() == stored


def test_no_follow_up_is_stored_as_it_always_was():
    assert parse_stored(StepId.follow_up, {"opened": None}).stored_json() == {"opened": None}


def test_a_row_from_before_a_field_was_added_or_after_one_was_dropped_still_reads():
    analysis = _stored()[StepId.analysis]
    del analysis["methods"], analysis["survey"]["unanalysed"]
    analysis["records"][0]["retired_key"] = "no longer written"
    result = read_result(StepId.analysis, analysis, AnalysisResult)
    assert result.methods == () and result.survey is not None and result.survey.unanalysed == ()
    assert "retired_key" not in result.stored_json()["records"][0]


def test_a_result_that_does_not_fit_is_refused_in_chinese():
    plan = _stored()[StepId.plan]
    del plan["budget"]
    with pytest.raises(StepResultInvalid) as refused:
        validate_result(StepId.plan, {**plan, "surprise": 1})
    assert str(refused.value).startswith("步骤“制定评估方案”的结果不符合其格式，未予记录：")
    assert "budget：缺少此项" in str(refused.value) and "surprise：不应有此项" in str(refused.value)


def test_a_stored_row_that_cannot_be_read_is_named_as_such():
    with pytest.raises(StepResultInvalid, match="已记录的结果无法读取.*text：缺少此项"):
        parse_stored(StepId.preliminary, {})


def test_a_result_of_another_steps_model_is_refused():
    with pytest.raises(StepResultInvalid, match="应为 PreliminaryResult，实为 ScoringResult"):
        validate_result(StepId.preliminary, ScoringResult(total=None, missing=()))
    with pytest.raises(TypeError):
        validate_as(StepId.preliminary, {"text": "初步结论"}, ScoringResult)
