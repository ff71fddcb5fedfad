"""A decision's archive package (CL-48: changli 48, minhang 档案 8; services/decision_archive.py, models/archive.py).

A decision is made through the changli procedure as the flow makes it — every step signed by the person the
profile names and judged by pinggu.services.decision_procedure, with the answers of the procedure's end-to-end test
(tests/flows/test_decision_procedure_e2e.py, refusals included), a poll added — its whole-process record
rendered, a few materials filed; its package then verifies alone and against the database, names exactly what
it lacks by 档案 8's list, keeps no personal data of the poll, and fails verification once tampered with.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from pathlib import Path

import changli_answers
import pytest
from driving import confirm_panel, sign_panel, sign_procedure_step
from typer.testing import CliRunner

from pinggu.core.document_store import keep
from pinggu.core.errors import NotFound, StateConflict
from pinggu.core.settings import SAMPLES_DIR
from pinggu.models.archive import ANSWERS, AUDIT, MANIFEST, SIGNED, file_decision_material, seal_problems, verify_package
from pinggu.models.db import read_session
from pinggu.models.tables import DecisionProcedure, now_beijing
from pinggu.cli import app
from pinggu.rules.archive import DecisionMaterial
from pinggu.rules.decision_procedure import ProcedureStep
from pinggu.services.decision_archive import export_decision
from pinggu.services.decision_procedure import StepDone, answer_step, open_procedure, step_status, write_record
from pinggu.services.signatures import STEP_SIGNED

runner = CliRunner()
FILER = "李明（县城管局科员）"
# What the package lacks once the draft, its basis, the legality review and the minutes are filed: the record
# and the poll's survey data are the procedure's own; the rest of 档案 8's list, in its order.
LACKING = [
    "征求意见的材料以及意见采纳情况说明（第八条（三））",
    "履行专家论证程序的相关资料（第八条（四））",
    "履行风险评估程序的相关资料（第八条（四））",
    "正式印发公布的文本和相关解读材料（第八条（七））",
]


def _poll(tmp_path: Path) -> dict:
    """A questionnaire beside the e2e answers' means: the sample's survey data (with names, phones and ID numbers)
    and a population table the sample fits, both uploaded as the procedure's page uploads them."""
    population = tmp_path / "总体比例.csv"
    population.write_text("分组字段,类别,占比\n性别,男,50%\n性别,女,50%\n", encoding="utf-8")
    return {
        "survey_file": keep(SAMPLES_DIR / "survey.csv", "uploads").location,
        "population_file": keep(population, "uploads").location,
    }


def _make_decision(tmp_path: Path) -> tuple[str, int]:
    """A published changli decision made step by step as the flow makes it; its catalog number and procedure id."""
    today = now_beijing().date()
    procedure = open_procedure(f"test-{uuid.uuid4().hex}", "changli", "昌黎县城区立体停车场建设", "县城管局", 2026)
    poll = _poll(tmp_path)
    for step, values, refusal in changli_answers.ANSWERS:
        if step == "participation" and refusal is None:
            values = {**values, "means": [*values["means"], "问卷调查"], **poll}
        waiting = step_status(procedure, ProcedureStep(step))
        assert not isinstance(waiting, StepDone), step
        if step == "experts" and refusal is not None:  # first asked: the centre confirms the proposed panel
            confirm_panel(procedure, changli_answers.EXPERTS)
        signed = sign_procedure_step(waiting.key, step, values)
        refused = answer_step(procedure, ProcedureStep(step), waiting.key, signed, today)
        assert (refused is None) if refusal is None else (refused is not None and refusal in refused), (step, refused)
        if step == "experts" and refusal is None:  # each expert signs their own written opinion (会签)
            assert sign_panel(procedure, values["experts"], today).count(True) == 1
    write_record(procedure, today)
    with read_session() as session:
        made = session.get(DecisionProcedure, procedure)
    assert made is not None and made.status == "published" and made.decision_code
    return made.decision_code, procedure


def _file(code: str, material: DecisionMaterial, path: Path, content: bytes, title: str) -> None:
    path.write_bytes(content)
    file_decision_material(code=code, material=material, source=path, by=FILER, title=title)


@pytest.fixture(scope="module")
def decision(settings, tmp_path_factory) -> tuple[str, int]:
    """One decision made through the procedure, with four materials filed, for every test here (a PDF each)."""
    folder = tmp_path_factory.mktemp("decision-archive")
    code, procedure = _make_decision(folder)
    _file(code, DecisionMaterial.draft, folder / "草案.pdf", b"%PDF-1.4 draft", "立体停车场建设方案（草案）及起草说明")
    _file(code, DecisionMaterial.basis, folder / "依据.txt", "《城市道路管理条例》第二十七条".encode(), "法律依据汇编")
    _file(code, DecisionMaterial.legality, folder / "审查.pdf", b"%PDF-1.4 legal", "县司法局合法性审查意见书")
    _file(code, DecisionMaterial.meeting, folder / "纪要.txt", "县政府常务会议纪要".encode(), "第12次常务会议纪要")
    return code, procedure


def _manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read(MANIFEST))


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change.get(name, old.read(name)))
    return target


@pytest.mark.rule("CL-48", "MH-A5", "MH-A11")
def test_a_decision_made_through_the_procedure_exports_a_package_that_verifies(decision, tmp_path):
    code, procedure = decision
    result = export_decision(code, tmp_path / "决策档案包.zip", actor="王芳（县政府办公室）")

    assert result.missing_materials == LACKING
    assert result.materials_basis == "《闵行区人民政府重大行政决策全过程记录和档案管理工作实施细则》第八条"
    manifest = _manifest(result.path)
    assert manifest["missing_materials"] == LACKING
    assert (manifest["decision"]["code"], manifest["procedure"]["id"]) == (code, procedure)
    assert manifest["procedure"]["status"] == "published"
    kinds = [(d["kind"], d["file_status"]) for d in manifest["documents"]]
    assert kinds == [
        ("record", "完好"),
        ("record", "完好"),  # the record's Word copy
        ("participation", "完好"),
        ("participation", "完好"),
        ("draft", "完好"),
        ("basis", "完好"),
        ("legality", "完好"),
        ("meeting", "完好"),
    ]
    with zipfile.ZipFile(result.path) as archive:
        record = next(d for d in manifest["documents"] if d["kind"] == "record")
        assert archive.read(record["file"]).startswith(b"%PDF")
        answers = json.loads(archive.read(ANSWERS))
        stretch = json.loads(archive.read(AUDIT))
        survey = archive.read(next(d["file"] for d in manifest["documents"] if "问卷" in d["title"])).decode()
    # Every answer, refusals included, each with the person who signed it.
    assert [a["step"] for a in answers["answers"]][:3] == ["launch", "catalog", "catalog"]
    assert sum(a["refused"] is not None for a in answers["answers"]) == 3
    assert {a["answered_by"] for a in answers["answers"]} >= {"李明（县城管局）", "王芳（县政府办公室）"}
    actions = [e["action"] for e in stretch["events"]]
    assert actions.count("decision_material_filed") == 4 and actions.count(SIGNED) == sum(
        a["person_id"] is not None for a in answers["answers"]
    )  # each answer a person gave is signed; the 会签's completion is the experts' own signatures
    assert {"catalog_entry_added", "decision_published", "decision_record_written"} <= set(actions)
    # The poll's data as archived: no personal column, no phone or ID number of the raw export (E-PRIVACY).
    header = next(csv.reader(io.StringIO(survey)))
    assert "姓名" not in header and "手机号" not in header and "身份证号" not in header and "性别" in header
    assert "15667952275" not in survey and "刘伟" not in survey

    verification = verify_package(result.path)
    assert verification.intact, verification.problems
    assert (verification.decision_code, verification.evaluation_code) == (code, "")
    assert verification.missing_materials == LACKING
    assert seal_problems(verification) == []


@pytest.mark.rule("CL-48", "MH-A11")
def test_a_tampered_decision_package_fails_verification(decision, tmp_path):
    code, _ = decision
    package = export_decision(code, tmp_path / "决策档案包.zip").path
    manifest = _manifest(package)
    draft = next(d["file"] for d in manifest["documents"] if d["kind"] == "draft")

    changed = _rewrite(package, tmp_path / "改了草案.zip", {draft: b"%PDF-1.4 drafT"})
    assert verify_package(changed).problems == [f"文件被修改：{draft}（SHA-256 或大小与清单不符）"]

    with zipfile.ZipFile(package) as archive:
        stretch = json.loads(archive.read(AUDIT))
    edited = stretch["events"][0]
    edited["actor"] = "篡改者"
    problems = verify_package(
        _rewrite(package, tmp_path / "改了审计.zip", {AUDIT: json.dumps(stretch).encode()})
    ).problems
    assert f"审计记录第 {edited['id']} 条（{edited['action']}）内容被修改：与其哈希不符" in problems

    # The draft changed and the manifest rewritten to match: the zip agrees with itself, the database does not.
    entry = next(f for f in manifest["files"] if f["path"] == draft)
    entry["sha256"] = hashlib.sha256(b"%PDF-1.4 drafT").hexdigest()
    forged_manifest = json.dumps(manifest, ensure_ascii=False).encode()
    forged = _rewrite(package, tmp_path / "伪造.zip", {draft: b"%PDF-1.4 drafT", MANIFEST: forged_manifest})
    verification = verify_package(forged)
    assert verification.intact
    (problem,) = seal_problems(verification)
    assert problem.endswith("次导出之中：清单在导出后被改写过（或该包不是本系统导出的）")


@pytest.mark.rule("CL-48")
def test_the_commands_file_a_material_export_and_verify_in_chinese(decision, tmp_path, people_listed):
    code, _ = decision
    notice = tmp_path / "公布.pdf"
    notice.write_bytes(b"%PDF-1.4 notice")
    filed = runner.invoke(
        app,
        [
            "archive",
            "add",
            str(notice),
            "--decision",
            code,
            "--material",
            "公布文本",
            "--by",
            "zhaomin",
            "--title",
            "公告",
        ],
    )
    assert filed.exit_code == 0, filed.output
    assert f"已归入决策 {code} 的档案：公告（正式印发公布的文本和相关解读材料）" in filed.output

    package = tmp_path / "档案包.zip"
    exported = runner.invoke(app, ["archive", "export", "--decision", code, "-o", str(package)])
    assert exported.exit_code == 0, exported.output
    assert (
        "档案缺少以下材料（《闵行区人民政府重大行政决策全过程记录和档案管理工作实施细则》第八条）：" in exported.output
    )
    listed = [line.removeprefix("  - ") for line in exported.output.splitlines() if line.startswith("  - ")]
    assert listed == [m for m in LACKING if "公布的文本" not in m]

    verified = runner.invoke(app, ["archive", "verify", str(package), "--against-db"])
    assert verified.exit_code == 0, verified.output
    assert "完整：" in verified.output and "不完整" not in verified.output

    both = runner.invoke(app, ["archive", "export", "PG-2026-0001", "--decision", code])
    wrong = runner.invoke(
        app, ["archive", "add", str(notice), "--decision", code, "--material", "草稿", "--by", "zhaomin"]
    )
    assert (both.exit_code, wrong.exit_code) == (1, 1)
    assert "请给出评估编号，或用 --decision 给出决策编号（二者选一）" in both.output
    assert "没有名为“草稿”的归档材料，可选：决策草案、决策依据、征求意见" in wrong.output


def test_a_material_is_filed_only_for_a_known_decision_by_a_named_person_and_as_what_it_says(decision, tmp_path):
    code, _ = decision
    fake = tmp_path / "纪要.pdf"
    fake.write_bytes(b"MZ not a pdf")
    with pytest.raises(StateConflict, match="请写明归档人"):
        file_decision_material(code=code, material=DecisionMaterial.meeting, source=fake, by=" ")
    with pytest.raises(Exception, match="不是有效的PDF 文件"):
        file_decision_material(code=code, material=DecisionMaterial.meeting, source=fake, by=FILER)
    fake.write_bytes(b"%PDF-1.4 minutes")
    with pytest.raises(NotFound):
        file_decision_material(code="JC-1999-9999", material=DecisionMaterial.meeting, source=fake, by=FILER)


def test_the_archive_reads_the_signatures_under_their_action():
    assert SIGNED == STEP_SIGNED
