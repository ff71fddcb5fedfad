"""The survey gate states the direction of numeric satisfaction codes (E-SCALE, issue 30 item 10): the form's
optional field reaches the reader, the stored copy holds the answers as text (so the analysis re-reads it
without a direction), and a file of unknown direction is refused at the gate, naming the column."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pytest

from pinggu.analysis.survey_figures import summarise_survey
from pinggu.analysis.survey_reading import read_survey
from pinggu.core.document_store import keep, local_file
from pinggu.core.errors import InputFileError
from pinggu.forms.gates import DataFileForm
from pinggu.rules.vocabulary import SatisfactionScale
from pinggu.services.evaluation.submissions import prepare_survey
from pinggu.web.fields import page_fields


def _export(tmp_path):
    source = tmp_path / "问卷导出.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["序号", "Q2 您对窗口服务满意吗"], *[[str(i), c] for i, c in enumerate("11125", 1)]]
        )
    return keep(source, "uploads").location  # an upload, as the web page and `pinggu submit` make it


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(("scale", "rate", "mean"), [("1=很满意", 0.8, 4.0), ("5=很满意", 0.2, 2.0)])
def test_the_form_s_direction_reaches_the_reader_and_the_stored_copy(tmp_path, settings, scale, rate, mean):
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")
    form = DataFileForm(file=_export(tmp_path), scale=scale, submitter="赵敏", submitter_role="科员")
    stored = prepare_survey(evaluation, None, 1, form)  # type: ignore[arg-type]
    assert stored.details.stored_json() == {"file": "第1次提交的 CSV 文件", "respondents": 5, "scale": scale}
    # The analysis (pinggu.tasks.implementation.analyse_evidence) re-reads the stored copy with no direction.
    (item,) = summarise_survey(read_survey(local_file(stored.kept.location))).items
    assert (item.n, item.rate, item.mean) == (5, rate, mean)


@pytest.mark.rule("E-SCALE")
def test_a_survey_of_unknown_direction_is_refused_at_the_gate(tmp_path, settings):
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")
    form = DataFileForm(file=_export(tmp_path), submitter="赵敏", submitter_role="科员")
    with pytest.raises(InputFileError) as refused:
        prepare_survey(evaluation, None, 1, form)  # type: ignore[arg-type]
    assert [p.column for p in refused.value.problems] == ["Q2 您对窗口服务满意吗"]
    assert "没有说明数字的方向" in str(refused.value)


def test_the_direction_is_an_optional_choice_of_the_data_form():
    field = DataFileForm.model_fields["scale"]
    assert (field.title, field.is_required(), field.default) == ("满意度数字编码的方向", False, None)
    assert field.description is not None and field.description.startswith("仅问卷数据：")
    assert DataFileForm.model_json_schema()["properties"]["scale"]["anyOf"][0] == {
        "type": "string",
        "enum": ["1=很满意", "5=很满意"],
    }
    assert DataFileForm(file="x.csv", scale="1=很满意").scale is SatisfactionScale.first_is_best
    scale = next(f for f in page_fields(DataFileForm) if f.name == "scale")
    assert (scale.widget, scale.required, scale.choices) == ("select", False, ("", "1=很满意", "5=很满意"))
