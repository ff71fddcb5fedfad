"""`pinggu archive export|verify` and `pinggu audit verify --evaluation`, on the test home's database."""

from __future__ import annotations

import hashlib
import zipfile

import builders
import pytest
from builders import session_scope
from typer.testing import CliRunner

from pinggu.models import evaluations as store
from pinggu.cli import app

runner = CliRunner()


def _evaluation(tmp_path) -> str:
    """A minhang evaluation with an evaluation plan only; returns its code."""
    plan = tmp_path / "评估方案-第1稿.pdf"
    plan.write_bytes(b"%PDF plan")
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "minhang", methods=("问卷调查",))
        store.add_document(
            session=session,
            evaluation_id=evaluation.id,
            kind="plan",
            title="评估方案（第1稿）",
            path=str(plan),
            sha256=hashlib.sha256(b"%PDF plan").hexdigest(),
        )
        return evaluation.code


@pytest.mark.rule("MH-A5", "MH-A11")
def test_export_lists_missing_materials_and_verify_says_intact(tmp_path):
    code = _evaluation(tmp_path)
    package = tmp_path / "档案包.zip"

    exported = runner.invoke(app, ["archive", "export", code, "-o", str(package)])
    assert exported.exit_code == 0, exported.output
    assert f"已导出：{package}" in exported.output
    assert "档案缺少以下材料：" in exported.output
    for material in ("评估小组组成记录", "评估方案审定记录", "问卷调查数据", "评估报告送审稿", "正式评估报告"):
        assert f"  - {material}" in exported.output
    assert "  - 评估方案\n" not in exported.output

    verified = runner.invoke(app, ["archive", "verify", str(package)])
    assert verified.exit_code == 0, verified.output
    assert "完整" in verified.output and "不完整" not in verified.output


@pytest.mark.rule("MH-A11")
def test_verify_exits_1_naming_a_changed_file(tmp_path):
    code = _evaluation(tmp_path)
    package = tmp_path / "档案包.zip"
    assert runner.invoke(app, ["archive", "export", code, "-o", str(package)]).exit_code == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(tampered, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, b"%PDF PLAN" if name.startswith("documents/") else data)

    result = runner.invoke(app, ["archive", "verify", str(tampered)])
    assert result.exit_code == 1
    assert "文件被修改：documents/" in result.output
    assert "评估方案（第1稿）.pdf" in result.output
    assert "不完整：发现 1 处问题" in result.output


@pytest.mark.rule("MH-A11")
def test_a_file_changed_and_the_manifest_rewritten_to_match_is_caught_only_against_the_database(tmp_path):
    import json

    code = _evaluation(tmp_path)
    package = tmp_path / "档案包.zip"
    assert runner.invoke(app, ["archive", "export", code, "-o", str(package)]).exit_code == 0
    assert runner.invoke(app, ["archive", "verify", str(package), "--against-db"]).exit_code == 0
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(forged, "w") as new:
        manifest = json.loads(old.read("manifest.json"))
        for name in old.namelist():
            if name.startswith("documents/"):
                new.writestr(name, b"%PDF PLAN")
                entry = next(f for f in manifest["files"] if f["path"] == name)
                entry["sha256"] = hashlib.sha256(b"%PDF PLAN").hexdigest()
            elif name != "manifest.json":
                new.writestr(name, old.read(name))
        new.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))

    assert runner.invoke(app, ["archive", "verify", str(forged)]).exit_code == 0  # the zip agrees with itself
    sealed = runner.invoke(app, ["archive", "verify", str(forged), "--against-db"])
    assert sealed.exit_code == 1
    assert "不在审计日志记录的 1 次导出之中：清单在导出后被改写过（或该包不是本系统导出的）" in sealed.output
    assert "不完整：发现 1 处问题" in sealed.output


def test_verify_of_a_file_that_is_not_a_zip_fails_in_chinese(tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["archive", "verify", str(bogus)])
    assert result.exit_code == 1
    assert "不是有效的 zip 文件" in result.output


def test_export_of_an_unknown_evaluation_fails_in_chinese(tmp_path):
    result = runner.invoke(app, ["archive", "export", "PG-1999-9999", "-o", str(tmp_path / "x.zip")])
    assert result.exit_code == 1
    assert "错误：" in result.output
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.rule("MH-A11")
def test_audit_verify_of_one_evaluation_on_the_session_database(tmp_path):
    code = _evaluation(tmp_path)
    result = runner.invoke(app, ["audit", "verify", "--evaluation", code])
    assert result.exit_code == 0, result.output
    assert f"审计链完整（评估 {code} 所在链段）" in result.output


def test_the_exporter_is_the_person_of_a_login_or_the_system(tmp_path, people_listed):
    from pinggu.models import audit

    code = _evaluation(tmp_path)
    package = tmp_path / "档案包.zip"
    unknown = runner.invoke(app, ["archive", "export", code, "-o", str(package), "--actor", "档案员"])
    assert unknown.exit_code == 1 and "人员名单中没有登录名为“档案员”的人员" in unknown.output
    assert not package.exists()
    assert runner.invoke(app, ["archive", "export", code, "-o", str(package)]).exit_code == 0
    assert runner.invoke(app, ["archive", "export", code, "-o", str(package), "--actor", "sunli"]).exit_code == 0
    with session_scope() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        events = audit.events_for(session=session, evaluation_id=evaluation.id, action="archive_exported")
        assert [e.actor for e in events] == ["系统", "孙丽（区人民政府办公室）"]
