"""An evaluation's archive package (minhang 档案 5–8, 11): exported to one zip, verified without the database.

The zip holds every document file of the evaluation in all its versions, the gate answers, the step
records, the evaluation's audit entries with the stretch of the hash chain that links them, and
``manifest.json``: every file with its SHA-256 and size, and the materials check (which required
material the archive lacks). Entries of other evaluations appear in the chain stretch by id and hashes
only, never by content (档案 11: no leaks). ``verify_package`` needs nothing but the zip.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.document_store import local_file, shown_name
from core.errors import InputFileError, NotFound
from models import audit
from models import evaluations as store
from models.agencies import current_entrustment, latest_entrustment
from models.db import read_session, session_scope
from models.tables import AuditEvent, Document, Evaluation, now_beijing
from rules.gates import GATES, GateId, GateKind, gate_name
from rules.procedure import procedure_for
from rules.profiles import load_profile
from rules.steps import StepId, step_name
from rules.vocabulary import EVALUATION_TYPE_NAMES

FORMAT = "pinggu-archive/1"
MANIFEST = "manifest.json"
AUDIT = "audit.json"
APPROVALS = "approvals.json"
STEPS = "steps.json"
ENTRUSTMENT = "entrustment.json"
DOCUMENTS_DIR = "documents/"
_CHUNK = 1 << 20

# The materials a submission gate hands in, as the archive's list names them.
SUBMISSION_MATERIALS: dict[str, str] = {
    GateId.survey: "问卷调查数据",
    GateId.minutes: "座谈会、论证会等会议纪要",
    GateId.field: "实地调研记录",
    GateId.opinions: "意见征集材料",
    GateId.expert_marks: "专家评分表",
}
DOCUMENT_MATERIALS: dict[str, str] = {
    StepId.plan: "评估方案",
    StepId.draft_report: "评估报告送审稿",
    StepId.final_report: "正式评估报告",
}


@dataclass(frozen=True)
class ExportResult:
    """What `export_package` wrote: the zip, how many files it holds, what the archive lacks."""

    path: Path
    files: int
    documents: int
    missing_materials: list[str]
    manifest_sha256: str


@dataclass
class Verification:
    """What `verify_package` found: every problem in Chinese (none: the package is intact)."""

    files: int = 0
    audit_entries: int = 0
    manifest_sha256: str = ""
    evaluation_code: str = ""
    missing_materials: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when nothing was changed, removed or added and the audit chain holds."""
        return not self.problems


# ── export ───────────────────────────────────────────────────────────────────


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _document_entry(document: Document) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "superseded": document.superseded,
        "version": "已被替代的旧版本" if document.superseded else "现行版本",
        "created_at": document.created_at.astimezone(UTC).isoformat(),
        "recorded_sha256": document.sha256,
        "original_path": document.path,
        "file": f"{DOCUMENTS_DIR}{document.id:06d}-{shown_name(document.title, document.path)}",
        "meta": document.meta,
    }
    return entry


def _chain_stretch(session: Session, evaluation_id: int) -> dict[str, Any]:
    """The evaluation's audit entries in full, and the chain from the entry before its first to its last."""
    events = audit.events_for(session=session, evaluation_id=evaluation_id)
    if not events:
        return {"events": [], "chain": [], "starts_at_genesis": False}
    first, last = events[0].id, events[-1].id
    before = session.exec(
        select(AuditEvent.id).where(col(AuditEvent.id) < first).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    lowest = before if before is not None else first
    rows = session.exec(
        select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash)
        .where(col(AuditEvent.id) >= lowest, col(AuditEvent.id) <= last)
        .order_by(col(AuditEvent.id))
    )
    return {
        "events": [audit.exported(event) for event in events],
        "chain": [{"id": i, "prev_hash": prev, "hash": h} for i, prev, h in rows],
        "starts_at_genesis": before is None,
    }


def required_materials(session: Session, evaluation: Evaluation) -> list[tuple[str, str, str]]:
    """(name, "document" | "answer", kind or gate) of every material the evaluation's procedure requires."""
    assert evaluation.id is not None  # a stored evaluation
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    entrusted = current_entrustment(session=session, evaluation_id=evaluation.id) is not None
    procedure = procedure_for(load_profile(decision.profile), evaluation.type, evaluation.methods, entrusted=entrusted)
    needed: list[tuple[str, str, str]] = [("评估小组组成记录", "answer", GateId.team)]
    needed.append((DOCUMENT_MATERIALS[StepId.plan], "document", StepId.plan))
    for gate in procedure.gates:
        if GATES[gate].kind is GateKind.submission:
            needed.append((SUBMISSION_MATERIALS.get(gate, gate_name(gate)), "document", gate))
        else:
            needed.append((f"{gate_name(gate)}记录", "answer", gate))
    needed.append((DOCUMENT_MATERIALS[StepId.draft_report], "document", StepId.draft_report))
    needed.append((DOCUMENT_MATERIALS[StepId.final_report], "document", StepId.final_report))
    return needed


def _gather(session: Session, code: str) -> dict[str, Any]:
    evaluation = store.get_evaluation(session=session, code=code)
    assert evaluation.id is not None  # a stored evaluation
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    documents = store.documents(session=session, evaluation_id=evaluation.id)
    answers = store.approvals(session=session, evaluation_id=evaluation.id)
    standing_gates = {a.gate for a in answers if not a.superseded}
    current_kinds = {d.kind: d for d in documents if not d.superseded}
    materials = []
    for name, source, key in required_materials(session, evaluation):
        present = key in standing_gates if source == "answer" else key in current_kinds
        materials.append({"material": name, "source": source, "key": key, "present": present})
    entrustment = latest_entrustment(session=session, evaluation_id=evaluation.id)
    if entrustment is not None:
        materials.append({"material": "第三方评估委托协议", "source": "entrustment", "key": "", "present": True})
    head = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return {
        "evaluation": {
            "code": evaluation.code,
            "decision_code": decision.code,
            "decision_title": decision.title,
            "profile": decision.profile,
            "type": EVALUATION_TYPE_NAMES.get(evaluation.type, evaluation.type),
            "methods": evaluation.methods,
            "status": evaluation.status,
            "conclusion": evaluation.conclusion,
        },
        "evaluation_id": evaluation.id,
        "documents": [_document_entry(d) for d in documents],
        "materials": materials,
        "approvals": {
            "approvals": [a.model_dump(mode="json") | {"gate_name": gate_name(a.gate)} for a in answers],
            "rejections": [
                r.model_dump(mode="json") | {"gate_name": gate_name(r.gate)}
                for r in store.rejections(session=session, evaluation_id=evaluation.id)
            ],
        },
        "steps": [
            s.model_dump(mode="json") | {"step_name": step_name(s.step)}
            for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        ],
        "entrustment": entrustment.model_dump(mode="json") if entrustment is not None else None,
        "audit": _chain_stretch(session, evaluation.id),
        "audit_chain_head": head,
    }


def _write_zip(gathered: dict[str, Any], target: Path) -> tuple[dict[str, Any], bytes]:
    """Write the package to `target` (through a temporary file); return the manifest and its bytes."""
    files: list[dict[str, Any]] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".archive-", suffix=".zip", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as package:

            def add_bytes(name: str, data: bytes) -> None:
                package.writestr(name, data)
                files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})

            for document in gathered["documents"]:
                try:
                    source = local_file(document["original_path"])
                except NotFound:
                    document["file"] = None
                    document["file_status"] = "文件缺失"
                    continue
                sha256, size = _sha256_file(source)
                package.write(source, document["file"])
                files.append({"path": document["file"], "sha256": sha256, "size": size})
                document["file_status"] = "完好" if sha256 == document["recorded_sha256"] else "内容与登记的哈希不符"
            add_bytes(APPROVALS, _json_bytes(gathered["approvals"]))
            add_bytes(STEPS, _json_bytes(gathered["steps"]))
            add_bytes(AUDIT, _json_bytes(gathered["audit"]))
            if gathered["entrustment"] is not None:
                add_bytes(ENTRUSTMENT, _json_bytes(gathered["entrustment"]))
            by_kind = {d["kind"]: d for d in gathered["documents"] if not d["superseded"]}
            for material in gathered["materials"]:
                if (
                    material["source"] == "document"
                    and material["present"]
                    and by_kind[material["key"]]["file"] is None
                ):
                    material["present"] = False
                    material["note"] = "已登记，但文件缺失"
            manifest = {
                "format": FORMAT,
                "evaluation": gathered["evaluation"],
                "exported_at": now_beijing().isoformat(),
                "audit_chain_head": gathered["audit_chain_head"],
                "documents": gathered["documents"],
                "materials": gathered["materials"],
                "missing_materials": [m["material"] for m in gathered["materials"] if not m["present"]],
                "files": files,
            }
            data = _json_bytes(manifest)
            package.writestr(MANIFEST, data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest, data


def export_package(*, code: str, target: Path, actor: str = "系统", engine: Engine | None = None) -> ExportResult:
    """Export evaluation `code` to the zip `target`; audit the export with the manifest's SHA-256."""
    with read_session(engine) as session:
        gathered = _gather(session, code)
    manifest, data = _write_zip(gathered, target)
    manifest_sha256 = hashlib.sha256(data).hexdigest()
    with session_scope(engine) as session:
        audit.record(
            session=session,
            action="archive_exported",
            actor=actor,
            evaluation_id=gathered["evaluation_id"],
            decision_code=gathered["evaluation"]["decision_code"],
            manifest_sha256=manifest_sha256,
            files=len(manifest["files"]),
            missing_materials=manifest["missing_materials"],
        )
    return ExportResult(
        path=target,
        files=len(manifest["files"]),
        documents=len(manifest["documents"]),
        missing_materials=manifest["missing_materials"],
        manifest_sha256=manifest_sha256,
    )


# ── verification (pure: the zip only) ────────────────────────────────────────


def _entry_digest(package: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with package.open(name) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _file_problems(package: zipfile.ZipFile, listed: list[dict[str, Any]]) -> Iterator[str]:
    names = [name for name in package.namelist() if not name.endswith("/")]
    for name in sorted(name for name, count in Counter(names).items() if count > 1):
        yield f"文件重复出现：{name}"
    present = set(names)
    for entry in listed:
        name = entry["path"]
        if name not in present:
            yield f"文件缺失：{name}"
            continue
        try:
            sha256, size = _entry_digest(package, name)
        except (zipfile.BadZipFile, OSError):
            yield f"文件被修改（无法完整读出）：{name}"
            continue
        if sha256 != entry["sha256"] or size != entry["size"]:
            yield f"文件被修改：{name}（SHA-256 或大小与清单不符）"
    expected = {entry["path"] for entry in listed} | {MANIFEST}
    for name in sorted(present - expected):
        yield f"多出文件（清单中没有）：{name}"


def audit_problems(stretch: dict[str, Any]) -> list[str]:
    """Every broken place in an exported audit stretch: edited entries and broken chain links, in Chinese."""
    problems: list[audit.ChainProblem] = []
    chain: list[dict[str, Any]] = stretch.get("chain", [])
    hashes = {entry["id"]: entry["hash"] for entry in chain}
    for event in stretch.get("events", []):
        if audit.digest_of(event["prev_hash"], event) != event["hash"] or hashes.get(event["id"]) != event["hash"]:
            problems.append(audit.edit_problem(event["id"], event["action"]))
    where = {entry["hash"]: entry["id"] for entry in chain}
    if chain and stretch.get("starts_at_genesis") and chain[0]["prev_hash"] != audit.GENESIS:
        problems.append(audit.link_problem(chain[0]["id"], chain[0]["prev_hash"], None, where))
    for previous, entry in zip(chain, chain[1:], strict=False):
        if entry["prev_hash"] != previous["hash"]:
            problems.append(audit.link_problem(entry["id"], entry["prev_hash"], previous["id"], where))
    problems.sort(key=lambda problem: (problem.event_id, problem.kind == "edited"))
    return [problem.message for problem in problems]


def verify_package(path: Path) -> Verification:
    """Check a package against its manifest: changed, missing and added files, and the audit chain."""
    result = Verification()
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise InputFileError(f"无法读取归档包 {path}：不是有效的 zip 文件（{error}）", path=str(path)) from None
    with package:
        try:
            data = package.read(MANIFEST)
            manifest = json.loads(data)
        except KeyError:
            result.problems.append(f"归档包缺少清单 {MANIFEST}，无法核对")
            return result
        except (ValueError, zipfile.BadZipFile):
            result.problems.append(f"清单 {MANIFEST} 已损坏，无法核对")
            return result
        result.manifest_sha256 = hashlib.sha256(data).hexdigest()
        result.evaluation_code = str((manifest.get("evaluation") or {}).get("code", ""))
        listed = manifest.get("files", [])
        result.files = len(listed)
        result.missing_materials = list(manifest.get("missing_materials", []))
        result.problems.extend(_file_problems(package, listed))
        if AUDIT in package.namelist():
            try:
                stretch = json.loads(package.read(AUDIT))
            except (ValueError, zipfile.BadZipFile):
                result.problems.append(f"审计记录文件 {AUDIT} 已损坏，无法核对审计链")
            else:
                result.audit_entries = len(stretch.get("events", []))
                result.problems.extend(audit_problems(stretch))
    return result


# ── verification against the database (the seal) ───────────────────────────


def seal_problems(result: Verification, *, engine: Engine | None = None) -> list[str]:
    """What the product database says of a verified package: its manifest must be one an export recorded
    in the audit log (a file changed and the manifest rewritten to match is caught here, not by the zip
    alone), and that stretch of the audit log must itself be unbroken."""
    if not result.evaluation_code or not result.manifest_sha256:
        return ["清单中没有评估编号，无法与数据库核对"]
    with read_session(engine) as session:
        try:
            evaluation = store.get_evaluation(session=session, code=result.evaluation_code)
        except NotFound:
            return [f"数据库中没有评估 {result.evaluation_code}：该档案包不是本系统导出的"]
        assert evaluation.id is not None  # a stored evaluation
        exports = audit.events_for(session=session, evaluation_id=evaluation.id, action="archive_exported")
        chain = audit.chain_problems(session=session, evaluation_id=evaluation.id)
    problems = [f"数据库审计链：{problem.message}" for problem in chain]
    recorded = {event.detail.get("manifest_sha256") for event in exports}
    if result.manifest_sha256 not in recorded:
        problems.insert(
            0,
            f"清单 SHA-256 {result.manifest_sha256[:16]}… 不在审计日志记录的 {len(recorded)} 次导出之中："
            "清单在导出后被改写过（或该包不是本系统导出的）",
        )
    return problems
