"""What an answer may name as its file (issue 27 item 4b): an upload or a document of the store, nothing else.
Through the Prefect resume form a person with a valid code could name any file on the server; the refusal then
quoted its cells. Every gate's preparer (pinggu.services.evaluation.submissions, called by pinggu.services.evaluation.gates.judge_answer for every face)
now refuses such a path without opening it, in Chinese, quoting nothing of it; and a stored file is checked
by its content (pinggu.core.file_types) and named 您上传的文件, never by its hash."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from pinggu.core.document_store import document_store, in_store, keep
from pinggu.core.errors import InputFileError
from pinggu.forms.gates import DataFileForm, ExpertMarksForm, RecordsForm
from pinggu.rules.gates import GateId
from pinggu.services.evaluation.submissions import (
    NOT_FROM_STORE,
    prepare_expert_marks,
    prepare_opinions,
    prepare_survey,
    records_preparer,
)

pytestmark = pytest.mark.rule("E-PRIVACY")

SECRET = "指标,专家,分数\nDB_PASSWORD=hunter2,周立平,85\n"


def _evaluation(tmp_path):
    return SimpleNamespace(code=f"PG-T-{tmp_path.name[-6:]}")


def _decision():
    return SimpleNamespace(profile="minhang")


def _answers(location: str) -> dict:
    return {
        GateId.survey: (prepare_survey, DataFileForm(file=location)),
        GateId.opinions: (prepare_opinions, DataFileForm(file=location)),
        GateId.minutes: (records_preparer(GateId.minutes), RecordsForm(file=location, summary="座谈会情况")),
        GateId.expert_marks: (prepare_expert_marks, ExpertMarksForm(file=location)),
    }


@pytest.mark.parametrize("gate", [GateId.survey, GateId.opinions, GateId.minutes, GateId.expert_marks])
def test_a_server_path_is_refused_without_quoting_the_file(settings, tmp_path, gate):
    secret = tmp_path / "secret_server_file.csv"
    secret.write_text(SECRET, encoding="utf-8")
    for given in (str(secret), f"file://{secret}", "/etc/passwd", "secret_server_file.csv", "../uploads/x.csv"):
        prepare, form = _answers(given)[gate]
        with pytest.raises(InputFileError) as refused:
            prepare(_evaluation(tmp_path), _decision(), 1, form)
        said = str(refused.value)
        assert said == NOT_FROM_STORE
        assert "hunter2" not in said and "secret_server_file" not in said and "/etc" not in said


def test_a_path_that_leads_out_of_the_store_is_not_the_store(settings, tmp_path):
    secret = tmp_path / "secret_server_file.csv"
    secret.write_text(SECRET, encoding="utf-8")
    kept = keep(secret, "uploads").location
    root = document_store().root
    assert in_store(kept)
    hashed = kept.rsplit("/", 1)[-1]
    assert not in_store(f"{root}/uploads/../../../{secret}")
    assert not in_store(f"{root}/uploads/{hashed[:2]}/../../{secret.name}")
    assert not in_store(str(secret))
    # A link planted in the store that points elsewhere is followed, and found to lead out.
    planted = Path(document_store().location_of("ab" + "c" * 62, ".csv", "uploads"))
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.unlink(missing_ok=True)
    planted.symlink_to(secret)
    assert not in_store(str(planted))


def test_an_upload_of_the_store_is_read_and_named_as_uploaded(settings, tmp_path):
    bad = tmp_path / "专家打分表-张三-13800138000.csv"
    bad.write_text("指标,专家,分数\n没有这个指标,周立平,85\n", encoding="utf-8")
    location = keep(bad, "uploads").location
    with pytest.raises(InputFileError) as refused:
        prepare_expert_marks(_evaluation(tmp_path), _decision(), 1, ExpertMarksForm(file=location))
    said = str(refused.value)
    assert "您上传的文件" in said and not re.search(r"[0-9a-f]{64}", said)
    assert "张三" not in said and "13800138000" not in said  # the file's own name is never known to the run


def test_an_executable_kept_as_minutes_pdf_is_refused_by_its_content(settings, tmp_path):
    renamed = tmp_path / "会议纪要.pdf"
    renamed.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)
    location = keep(renamed, "uploads").location
    form = RecordsForm(file=location, summary="座谈会情况")
    with pytest.raises(InputFileError) as refused:
        records_preparer(GateId.minutes)(_evaluation(tmp_path), _decision(), 1, form)
    assert (
        str(refused.value)
        == "您上传的文件不是有效的PDF 文件：文件开头没有 PDF 标识（%PDF-），未受理；请确认文件内容后重新提交"
    )


def test_an_upload_that_was_cleaned_away_asks_for_it_again(settings, tmp_path):
    location = document_store().location_of("ef" + "0" * 62, ".csv", "uploads")
    with pytest.raises(InputFileError, match="找不到您上传的文件"):
        prepare_survey(_evaluation(tmp_path), _decision(), 1, DataFileForm(file=location))


def test_a_valid_upload_is_accepted(settings, tmp_path):
    minutes = tmp_path / "纪要.txt"
    minutes.write_text("座谈会纪要\n王秀英（13800138000）：同意\n", encoding="utf-8")
    form = RecordsForm(file=keep(minutes, "uploads").location, summary="座谈会，刘建华主持")
    stored = records_preparer(GateId.minutes)(_evaluation(tmp_path), _decision(), 1, form)
    assert stored.details.summary == "座谈会，[已隐去]主持"
