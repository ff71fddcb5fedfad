"""The copies of submitted data files kept in the evaluation's archive (services/evaluation/submissions.py): an office
opens them in Excel or WPS, so no cell may run as a formula there (issue 13 item 8, OWASP CSV injection)."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pytest

from pinggu.core.document_store import local_file
from pinggu.core.settings import SAMPLES_DIR
from pinggu.core.spreadsheet import excel_safe
from pinggu.forms.gates import DataFileForm
from pinggu.services.evaluation.submissions import prepare_opinions, prepare_survey

PAYLOADS = ["=cmd|'/C calc'!A0", '+HYPERLINK("http://x")', "-2+3", "@SUM(A1:A9)", "\t=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_excel_would_run_gets_an_apostrophe(payload):
    assert excel_safe(payload) == "'" + payload


@pytest.mark.parametrize("value", ["建议提高补贴标准", "", 3, 4.5, None, "2026-03-31", "（空）"])
def test_other_cells_are_left_as_they_are(value):
    assert excel_safe(value) == value


def _form(path) -> DataFileForm:
    from pinggu.core.document_store import keep

    # An answer names an upload of the store, as the web page and `pinggu submit` make it (pinggu.services.evaluation.submissions).
    return DataFileForm(file=keep(path, "uploads").location, submitter="赵敏", submitter_role="科员")


def _cells(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_the_stored_opinions_register_neutralises_formulas(tmp_path, settings):
    rows = (SAMPLES_DIR / "opinions.csv").read_text(encoding="utf-8").splitlines()[:3]
    rows.append("Y9001,电子邮件,其他,2026-04-01,\"=cmd|'/C calc'!A0\",已回复")
    rows.append("Y9002,电子邮件,其他,2026-04-02,@SUM(A1:A9),已回复")
    source = tmp_path / "意见登记.csv"
    source.write_text("\n".join(rows), encoding="utf-8")
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")

    stored = local_file(prepare_opinions(evaluation, None, 1, _form(source)).kept.location)  # type: ignore[arg-type]

    cells = _cells(stored)
    assert "'=cmd|'/C calc'!A0" in cells and "'@SUM(A1:A9)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert "建议提高补贴标准" in cells  # ordinary text unchanged


def test_the_stored_survey_neutralises_formulas(tmp_path, settings):
    lines = (SAMPLES_DIR / "survey.csv").read_text(encoding="utf-8").splitlines()[:4]
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("Q10 意见建议")] = '=HYPERLINK("http://x";"点击")'.replace(",", "，")
    source = tmp_path / "问卷导出.csv"
    source.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]), encoding="utf-8")
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")

    stored = local_file(prepare_survey(evaluation, None, 1, _form(source)).kept.location)  # type: ignore[arg-type]

    cells = _cells(stored)
    assert '\'=HYPERLINK("http://x";"点击")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_a_row_of_the_stored_survey_is_named_by_its_line_in_the_original_blank_lines_included(tmp_path, settings):
    # The analysis reads the stored copy, not the upload: a problem it finds there (an answer on no scale) is
    # reported as 第 N 行, which must be the line the person sees in their own file, blank lines counted.
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    source = tmp_path / "问卷导出.csv"
    source.write_text(
        "问卷编号,性别,Q1 您对窗口服务满意吗,Q2 您对办事环境满意吗\n"
        "1,男,满意,满意\n"
        "\n"
        "2,女,满意,满意\n"
        "\n"
        "\n"
        "3,男,很好,满意\n"  # line 7 of the file
        "4,女,很满意,一般\n",
        encoding="utf-8",
    )
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")

    stored = local_file(prepare_survey(evaluation, None, 1, _form(source)).kept.location)  # type: ignore[arg-type]

    again = read_survey(stored)
    assert again.index.tolist() == [2, 4, 7, 8]
    (unanalysed,) = summarise_survey(again).to_dict()["unanalysed"]
    assert unanalysed["question"] == "Q1 您对窗口服务满意吗"
    assert unanalysed["reason"].startswith("含无法识别的答案“很好”（第 7 行），共 1 份，整题未统计")


def test_a_row_of_the_stored_opinions_register_keeps_its_line_in_the_original(tmp_path, settings):
    from pinggu.analysis.opinions import read_opinions

    header, first, second = (SAMPLES_DIR / "opinions.csv").read_text(encoding="utf-8").splitlines()[:3]
    source = tmp_path / "意见登记.csv"
    source.write_text("\n".join([header, "", first, "", "", second]) + "\n", encoding="utf-8")
    evaluation = SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")

    stored = local_file(prepare_opinions(evaluation, None, 1, _form(source)).kept.location)  # type: ignore[arg-type]

    assert read_opinions(stored).index.tolist() == read_opinions(source).index.tolist() == [3, 6]
