"""A gate's web page from its form (pinggu/web/fields.py): every field but the signer's, the right input."""

from __future__ import annotations

import pytest

from pinggu.core.errors import StateConflict
from pinggu.forms.gates import DataFileForm, ReportApprovalForm, TeamForm
from pinggu.web.fields import form_values, page_fields, team_members


def test_the_report_approval_page_asks_every_field_but_the_name_which_comes_from_the_code():
    fields = {f.name: f for f in page_fields(ReportApprovalForm)}
    assert list(fields) == ["choice", "conclusion", "departure_reason", "rework", "comment"]
    assert fields["choice"].widget == "select" and fields["choice"].required
    assert fields["choice"].choices == ("通过", "退回修改")
    assert fields["conclusion"].choices == ("", "继续执行", "调整", "中止执行", "终止执行")  # may stay blank
    assert fields["rework"].default == "修改评估报告" and fields["comment"].widget == "textarea"


def test_a_data_submission_page_is_one_upload_and_the_optional_direction_of_numeric_codes():
    assert [(f.name, f.widget, f.required) for f in page_fields(DataFileForm)] == [
        ("file", "file", True),
        ("scale", "select", False),  # E-SCALE: only for a survey whose numeric codes the file leaves open
    ]


def test_posted_values_leave_an_unchosen_choice_to_the_form():
    fields = page_fields(ReportApprovalForm)
    posted = {"choice": "通过", "conclusion": "", "rework": "", "comment": "同意", "departure_reason": ""}
    assert form_values(fields, posted) == {"choice": "通过", "comment": "同意"}  # a blank text: the form's default


def test_a_team_is_typed_one_member_per_line():
    assert team_members("王明，单位工作人员，区司法局\n\n李华,法律专家,,是") == [
        {"name": "王明", "role": "单位工作人员", "unit": "区司法局", "did_pre_decision_argumentation": False},
        {"name": "李华", "role": "法律专家", "unit": None, "did_pre_decision_argumentation": True},
    ]
    assert [f.widget for f in page_fields(TeamForm)] == ["team"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("王明", "评估小组第 1 行“王明”应写作：每行一人：姓名，角色"),
        ("王明，单位工作人员，区司法局，也许", "评估小组第 1 行：是否参与过决策前论证应填“是”或“否”，收到：也许"),
    ],
)
def test_a_bad_team_line_is_named(text, message):
    with pytest.raises(StateConflict, match=message):
        team_members(text)


def test_a_list_of_records_starts_empty_and_is_read_one_record_per_line():
    from pinggu.forms.decision_procedure import FORMS
    from pinggu.rules.decision_procedure import ANSWERS, ProcedureStep

    fields = {f.name: f for f in page_fields(ANSWERS[ProcedureStep.experts])}
    assert (fields["experts"].widget, fields["oral_opinions"].widget, fields["oral_opinions"].default) == (
        "rows",
        "rows",
        "",
    )
    assert fields["experts"].help == "每行一项：姓名，单位，来自县专家库（是/否），与决策事项有直接利害关系（是/否）"
    assert (fields["materials_sent_on"].widget, fields["wide_or_complex"].widget) == ("date", "check")
    posted = {
        "experts": "王建国，燕山大学，是，否\n\n刘芳，河北科技师范学院",
        "oral_opinions": "",
        "wide_or_complex": "",
    }
    values = form_values(list(fields.values()), posted, {}, ANSWERS[ProcedureStep.experts])
    assert values["experts"] == [
        {"name": "王建国", "unit": "燕山大学", "from_pool": True, "interested": False},
        {"name": "刘芳", "unit": "河北科技师范学院"},
    ]
    assert values["oral_opinions"] == [] and values["wide_or_complex"] is False
    assert "experts" in FORMS[ProcedureStep.experts].model_fields
