"""E-PRIVACY end to end (issue 15 item 3): an evaluation run on inputs full of personal data leaks none of
it into any output.

Names, mobile numbers, ID-card numbers, addresses, e-mail and IP addresses sit in every survey column
(free text included), in the opinion register, in the meeting minutes, in the expert sheet and in the
file names; a respondent's comment names another person by a two-character name that only the
office's name list (PINGGU_NAME_LIST) knows. The run goes through the served deployment; then every
output is scanned: the documents (PDF, DOCX, CSV, JSON, text), every artifact and the flow run's logs
read back through the Prefect API, the archive package, the notices sent (local outbox) and every
table of the product database. The uploads area of the document store (files as received) is the
raw-import quarantine and is not scanned.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from builders import SAMPLES, expert_marks_submission, plan_approval, report_approval
from driving import answer, completed, evaluation_of, pdf_text

from pinggu.core.document_store import local_file

pytestmark = [pytest.mark.e2e, pytest.mark.rule("E-PRIVACY")]

DECISION = "S-2023-008"  # minhang: survey, opinions and a discussion meeting
TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "某大学"},
]
# Respondents with compound surnames (a hit can only come from the input), and their data.
RESPONDENTS = [
    ("欧阳明华", "13812345678", "110101199003071234", "幸福路88号2单元301室", "ouyang.mh@example.com", "10.23.45.67"),
    ("司马春燕", "13998765432", "32010219851212567X", "长江街道明珠小区5栋", "sima.cy@example.org", "192.168.31.7"),
    ("上官婉清", "15011112222", "440301197701013456", "城关镇南大街17号", "sgwq@example.net", "172.16.9.201"),
]
OTHER_PERSON = "钱坤"  # a two-character name of someone else, known only from the office's name list
SENDER = ("诸葛红梅", "18622223333", "西山乡杏花村三组", "zhuge@example.com")
PARTICIPANT = ("慕容雪芳", "17733334444", "210102200102034567", "192.0.2.44")


def _needles() -> list[str]:
    values = [OTHER_PERSON, *SENDER, *PARTICIPANT]
    for respondent in RESPONDENTS:
        values += respondent
    with (SAMPLES / "survey.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):  # the sample's own respondents: every phone and ID, longer names
            values += [row["手机号"], row["身份证号"]] + ([row["姓名"]] if len(row["姓名"]) >= 3 else [])
    return sorted(set(values))


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _written(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _survey(folder: Path) -> Path:
    """The sample survey with more personal columns, and free text full of personal data."""
    rows = _rows(SAMPLES / "survey.csv")
    header = [*rows[0], "住址", "邮箱", "IP地址"]
    out = [header]
    for number, row in enumerate(rows[1:]):
        name, phone, id_number, address, email, ip = RESPONDENTS[number % len(RESPONDENTS)]
        row = list(row)
        if number < len(RESPONDENTS):
            row[1], row[2], row[3] = name, phone, id_number
            row[-1] = (
                f"我是{name}，电话{phone}，身份证{id_number}，住{address}，邮箱{email}，"
                f"从{ip}提交；{OTHER_PERSON}说补贴太少"
            )
        out.append([*row, address, email, ip])
    return _written(folder / f"问卷数据_{RESPONDENTS[0][0]}_{RESPONDENTS[0][1]}.csv", out)


def _bad_survey(folder: Path) -> Path:
    """The same survey with a personal answer where a satisfaction grade belongs: refused, the reason logged."""
    rows = _rows(_survey(folder))
    rows[4][rows[0].index("Q3 满意度")] = f"{OTHER_PERSON}{RESPONDENTS[1][1]}"
    return _written(folder / f"问卷数据_{RESPONDENTS[1][0]}.csv", rows)


def _opinions(folder: Path) -> Path:
    name, phone, address, email = SENDER
    rows = _rows(SAMPLES / "opinions.csv")
    out = [[*rows[0], "来信人", "联系电话", "地址"]]
    for number, row in enumerate(rows[1:]):
        if number == 0:
            row[4] = f"{name}（{phone}，{email}）反映：{OTHER_PERSON}家门口的充电桩坏了，住{address}"
        out.append([*row, name, phone, address])
    return _written(folder / f"意见登记_{name}.csv", out)


def _minutes(folder: Path) -> Path:
    from docx import Document

    name, phone, id_number, ip = PARTICIPANT
    document = Document()
    document.add_paragraph("座谈会纪要")
    document.add_paragraph(f"参会群众代表：{name}，联系电话 {phone}，身份证号 {id_number}")
    document.add_paragraph(f"{name}说：{OTHER_PERSON}的意见已通过 {ip} 网上提交，希望提高补贴")
    path = folder / f"座谈会纪要_{name}_{phone}.docx"
    document.save(path)
    return path


@pytest.fixture(scope="module")
def privacy_run(prefect_server, sample_catalog, settings, tmp_path_factory):
    """The whole evaluation on personal data, driven through the API; (evaluation, flow run id)."""
    from pinggu.services.orchestration import start_evaluation

    folder = tmp_path_factory.mktemp("privacy")
    assert OTHER_PERSON in settings.name_list.read_text(encoding="utf-8")  # the session's list (conftest)
    run_id = start_evaluation(
        "ordinary",
        {"decision": DECISION, "team": TEAM, "methods": ["问卷调查", "意见征询", "座谈会"], "budget_yuan": 60000},
    )
    answer(run_id, "plan_approval", plan_approval())
    answer(run_id, "survey", {"file": str(_bad_survey(folder)), "submitter": "赵敏"})  # refused, and logged
    answer(run_id, "survey", {"file": str(_survey(folder)), "submitter": "赵敏"})
    minutes_summary = f"3月5日座谈，群众代表{PARTICIPANT[0]}（{PARTICIPANT[1]}）认为补贴偏低"
    answer(run_id, "minutes", {"file": str(_minutes(folder)), "summary": minutes_summary, "submitter": "赵敏"})
    answer(run_id, "opinions", {"file": str(_opinions(folder)), "submitter": "赵敏"})
    marks = expert_marks_submission("minhang", folder / f"专家打分表_{SENDER[1]}.csv")
    answer(run_id, "expert_marks", marks)
    answer(
        run_id,
        "expert_review",
        {"experts": "周立平、吴晓", "opinion": "同意", "handling": "已采纳", "submitter": "王明"},
    )
    from driving import reach

    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.rules.steps import StepId

    reach(run_id, "approval")
    with read_session() as session:
        scored = store.latest_step(session=session, evaluation_id=evaluation_of(run_id).id, step=StepId.scoring)
    answer(run_id, "approval", report_approval("通过", scored.result["recommended"]))
    completed(run_id, timeout=240)
    return evaluation_of(run_id), run_id


def _hits(text: str) -> list[str]:
    return [needle for needle in _needles() if needle in text]


def _file_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_stored_document_holds_personal_data(privacy_run):
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    evaluation, _ = privacy_run
    with read_session() as session:
        documents = store.documents(session=session, evaluation_id=evaluation.id)
    assert {d.kind for d in documents} >= {"plan", "survey", "opinions", "minutes", "draft_report", "final_report"}
    leaks = {d.title: _hits(_file_text(local_file(d.path))) for d in documents}
    assert {title: hits for title, hits in leaks.items() if hits} == {}


def test_no_artifact_and_no_log_line_holds_personal_data(privacy_run):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId

    _, run_id = privacy_run
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])), limit=200)
    assert len(artifacts) >= 5
    assert any("未被受理" in log.message for log in logs)  # the refused survey's reason, quoting its bad answer
    leaks = {a.key or a.type: _hits(json.dumps([a.data, a.description], ensure_ascii=False)) for a in artifacts}
    assert {key: hits for key, hits in leaks.items() if hits} == {}
    assert [(log.message, _hits(log.message)) for log in logs if _hits(log.message)] == []


def test_the_archive_package_holds_no_personal_data(privacy_run, tmp_path):
    from pinggu.models.archive import export_package

    evaluation, _ = privacy_run
    package = export_package(code=evaluation.code, target=tmp_path / "档案包.zip").path
    leaks = {}
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            suffix = Path(name).suffix.lower()
            if suffix in (".pdf", ".docx"):
                extracted = tmp_path / f"entry{suffix}"
                extracted.write_bytes(data)
                text = _file_text(extracted)
            else:
                text = data.decode("utf-8", errors="replace")
            leaks[name] = _hits(name + text)
    assert {name: hits for name, hits in leaks.items() if hits} == {}


def test_no_notice_sent_holds_personal_data(privacy_run):
    from pinggu.services.signoff import outbox_messages

    evaluation, _ = privacy_run
    sent = outbox_messages(evaluation.code)
    assert len(sent) >= 7  # a code for each gate's people
    assert [m["text"] for m in sent if _hits(json.dumps(m, ensure_ascii=False))] == []


def test_no_database_table_holds_personal_data(privacy_run):
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from pinggu.models.db import read_session

    leaks = {}
    with read_session() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = session.execute(select(table)).all()
            text = io.StringIO()
            for row in rows:
                text.write(json.dumps([str(value) for value in row], ensure_ascii=False))
            leaks[table.name] = _hits(text.getvalue())
    assert {table: hits for table, hits in leaks.items() if hits} == {}
