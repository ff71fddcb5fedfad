"""The archive package (models/archive.py): export → verify round-trips; a changed, removed or added file,
an edited audit entry and a broken chain link are each named; missing materials are listed in Chinese."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import builders
import pytest
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.archive import AUDIT, MANIFEST, export_package, verify_package
from pinggu.models.tables import Approval

# Minhang, ordinary, questionnaire: team, plan approval, survey, expert marks, expert review, approval.
ANSWERED = ("team", "plan_approval", "survey", "expert_marks", "expert_review", "approval")


def _store(session, evaluation_id: int, kind: str, title: str, path: Path, content: bytes) -> None:
    path.write_bytes(content)
    store.add_document(
        session=session,
        evaluation_id=evaluation_id,
        kind=kind,
        title=title,
        path=str(path),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _evaluation(tmp_path: Path, *, gates: tuple[str, ...] = ANSWERED, final_report: bool = True) -> str:
    """A minhang evaluation with two plan versions, its materials, reports and gate answers; returns its code."""
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "minhang", methods=("问卷调查",))
        eid = evaluation.id
        _store(session, eid, "plan", "评估方案（第1稿）", tmp_path / "评估方案-第1稿.pdf", b"%PDF plan v1")
        _store(session, eid, "plan", "评估方案（第2稿）", tmp_path / "评估方案-第2稿.pdf", b"%PDF plan v2")
        _store(session, eid, "survey", "问卷数据", tmp_path / "survey.csv", b"id,Q1\n1,5\n")
        _store(session, eid, "expert_marks", "专家打分表", tmp_path / "marks.csv", b"indicator,expert,mark\n")
        _store(session, eid, "draft_report", "评估报告送审稿", tmp_path / "送审稿.pdf", b"%PDF draft")
        if final_report:
            _store(session, eid, "final_report", "后评估报告（正式）", tmp_path / "报告.pdf", b"%PDF final")
        for number, gate in enumerate(gates, start=1):
            session.add(
                Approval(
                    evaluation_id=eid,
                    gate=gate,
                    attempt=1,
                    pause_key=f"{gate}-{number}",
                    approver="王明",
                    approver_role="评估小组组长",
                    choice="同意",
                )
            )
        return evaluation.code


def _rewrite(source: Path, target: Path, *, change: dict[str, bytes | None] | None = None, add=None) -> Path:
    """A copy of the zip with entries replaced (bytes) or left out (None), and entries added."""
    change = change or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in change:
                if change[name] is not None:
                    new.writestr(name, change[name])
                continue
            new.writestr(name, old.read(name))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def _manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read(MANIFEST))


@pytest.mark.rule("MH-A5", "MH-A11")
def test_export_then_verify_round_trips_with_every_version_approvals_and_audit(tmp_path):
    code = _evaluation(tmp_path)
    result = export_package(code=code, target=tmp_path / "out" / "档案包.zip")

    assert result.missing_materials == []
    manifest = _manifest(result.path)
    plans = [d for d in manifest["documents"] if d["kind"] == "plan"]
    assert [(d["title"], d["superseded"], d["file_status"]) for d in plans] == [
        ("评估方案（第1稿）", True, "完好"),
        ("评估方案（第2稿）", False, "完好"),
    ]
    with zipfile.ZipFile(result.path) as archive:
        names = set(archive.namelist())
        for entry in manifest["files"]:
            data = archive.read(entry["path"])
            assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["size"])
        assert archive.read(plans[0]["file"]) == b"%PDF plan v1"
        approvals = json.loads(archive.read("approvals.json"))["approvals"]
        stretch = json.loads(archive.read(AUDIT))
    assert names == {entry["path"] for entry in manifest["files"]} | {MANIFEST}
    assert sorted(a["gate"] for a in approvals) == sorted(ANSWERED)
    assert [e["action"] for e in stretch["events"]].count("document_stored") == 6
    # Other entries of the chain appear by id and hashes only (档案 11: nothing leaks).
    assert all(set(link) == {"id", "prev_hash", "hash"} for link in stretch["chain"])
    assert {e["evaluation_id"] for e in stretch["events"]} == {stretch["events"][0]["evaluation_id"]}

    verification = verify_package(result.path)
    assert verification.intact, verification.problems
    assert verification.files == len(manifest["files"])
    assert verification.manifest_sha256 == result.manifest_sha256


@pytest.mark.rule("MH-A5")
def test_missing_materials_are_named_in_chinese_and_export_still_succeeds(tmp_path):
    code = _evaluation(tmp_path, gates=("team", "plan_approval", "survey", "expert_marks"), final_report=False)
    result = export_package(code=code, target=tmp_path / "档案包.zip")

    assert result.missing_materials == ["专家论证记录", "决策机关审定记录", "正式评估报告"]
    assert _manifest(result.path)["missing_materials"] == result.missing_materials
    assert verify_package(result.path).intact


@pytest.mark.rule("MH-A5")
def test_a_registered_document_whose_file_is_gone_counts_as_missing(tmp_path):
    code = _evaluation(tmp_path)
    (tmp_path / "报告.pdf").unlink()
    result = export_package(code=code, target=tmp_path / "档案包.zip")

    assert result.missing_materials == ["正式评估报告"]
    final = next(d for d in _manifest(result.path)["documents"] if d["kind"] == "final_report")
    assert (final["file"], final["file_status"]) == (None, "文件缺失")
    assert verify_package(result.path).intact


@pytest.mark.rule("MH-A11")
def test_a_changed_byte_a_removed_file_and_an_added_file_are_each_named(tmp_path):
    package = export_package(code=_evaluation(tmp_path), target=tmp_path / "档案包.zip").path
    draft = next(d["file"] for d in _manifest(package)["documents"] if d["kind"] == "draft_report")
    survey = next(d["file"] for d in _manifest(package)["documents"] if d["kind"] == "survey")

    changed = _rewrite(package, tmp_path / "changed.zip", change={draft: b"%PDF drafT"})
    assert verify_package(changed).problems == [f"文件被修改：{draft}（SHA-256 或大小与清单不符）"]

    removed = _rewrite(package, tmp_path / "removed.zip", change={survey: None})
    assert verify_package(removed).problems == [f"文件缺失：{survey}"]

    added = _rewrite(package, tmp_path / "added.zip", add={"documents/补充材料.pdf": b"%PDF extra"})
    assert verify_package(added).problems == ["多出文件（清单中没有）：documents/补充材料.pdf"]

    all_three = _rewrite(
        package, tmp_path / "all.zip", change={draft: b"x", survey: None}, add={"documents/补充材料.pdf": b"y"}
    )
    assert len(verify_package(all_three).problems) == 3


@pytest.mark.rule("MH-A11")
def test_an_edited_audit_entry_and_a_removed_chain_link_in_the_package_are_named(tmp_path):
    package = export_package(code=_evaluation(tmp_path), target=tmp_path / "档案包.zip").path
    with zipfile.ZipFile(package) as archive:
        stretch = json.loads(archive.read(AUDIT))

    edited = json.loads(json.dumps(stretch))
    target = edited["events"][1]
    target["actor"] = "篡改者"
    problems = verify_package(
        _rewrite(package, tmp_path / "edited.zip", change={AUDIT: json.dumps(edited).encode()})
    ).problems
    assert f"审计记录第 {target['id']} 条（{target['action']}）内容被修改：与其哈希不符" in problems
    assert any(p.startswith(f"文件被修改：{AUDIT}") for p in problems)

    cut = json.loads(json.dumps(stretch))
    gone = cut["chain"].pop(2)
    cut["events"] = [e for e in cut["events"] if e["id"] != gone["id"]]
    problems = verify_package(
        _rewrite(package, tmp_path / "cut.zip", change={AUDIT: json.dumps(cut).encode()})
    ).problems
    after = cut["chain"][2]["id"]
    assert any(p.startswith(f"审计链在第 {after} 条之前断开") for p in problems), problems


def test_a_file_that_is_not_a_zip_is_refused_in_chinese(tmp_path):
    from pinggu.core.errors import InputFileError

    bogus = tmp_path / "not.zip"
    bogus.write_text("hello", encoding="utf-8")
    with pytest.raises(InputFileError, match="不是有效的 zip 文件"):
        verify_package(bogus)
