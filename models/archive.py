"""Archive packages (minhang 档案 5–8, 11): an evaluation's, or a decision's whole process (CL-48), exported to one
zip and verified without the database.

An evaluation's zip holds every document file of the evaluation in all its versions, the gate answers, the
step records, the evaluation's audit entries with the stretch of the hash chain that links them, and
``manifest.json``: every file with its SHA-256 and size, and the materials check (which required material the
archive lacks). A decision's zip (``export_decision_package``) holds what its archive holds — the decision
procedure's whole-process record, the poll's survey data as cleaned for it (made by pinggu.services.decision_archive:
never a raw upload), and every material the office filed (``file_decision_material``: draft, basis, opinions,
minutes, published text …) — the procedure's answers, accepted and refused (``answers.json``), the decision's
own audit entries, and the same manifest, its materials check following 档案 8's list (pinggu.rules.archive). Entries
of other evaluations and decisions appear in the chain stretch by id and hashes only, never by content
(档案 11: no leaks). One ``verify_package`` checks either zip alone; one ``seal_problems`` against the database.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from pinggu.core.document_store import StoredObject, keep, local_file, shown_name
from pinggu.core.errors import InputFileError, NotFound, StateConflict
from pinggu.core.file_types import check_file
from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.agencies import current_entrustment, latest_entrustment
from pinggu.models.db import read_session, transaction
from pinggu.models.kept_answers import procedure_answers
from pinggu.models.tables import AuditEvent, Decision, DecisionProcedure, Document, Evaluation, now_beijing
from pinggu.rules.archive import DecisionMaterial, listed_name, required_decision_materials
from pinggu.rules.decision_procedure import ENDINGS, STEP_NAMES
from pinggu.rules.gates import GATES, GateId, GateKind, gate_name
from pinggu.rules.procedure import procedure_for
from pinggu.rules.profiles import load_profile, load_profiles
from pinggu.rules.steps import StepId, step_name
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES

FORMAT = "pinggu-archive/1"
MANIFEST = "manifest.json"
AUDIT = "audit.json"
APPROVALS = "approvals.json"
STEPS = "steps.json"
ENTRUSTMENT = "entrustment.json"
ANSWERS = "answers.json"  # a decision's: the procedure and its answers
DOCUMENTS_DIR = "documents/"
EXPORTED = "archive_exported"
FILED = "decision_material_filed"  # the audit entry that files a material into a decision's archive
# The decision procedure's entries (pinggu.services.decision_procedure, pinggu.services.signatures.STEP_SIGNED), by action.
ANSWERED, SIGNED, RECORD_WRITTEN = "decision_procedure_answered", "step_signed", "decision_record_written"
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
    """What an export wrote: the zip, how many files it holds, what the archive lacks."""

    path: Path
    files: int
    documents: int
    missing_materials: list[str]
    manifest_sha256: str
    materials_basis: str = ""  # a decision's: where its list of materials comes from


@dataclass(frozen=True)
class PreparedDocument:
    """A file made for the package from one a decision's answer names (the poll's survey data, cleaned of personal
    data): where the answer names it, the copy on this machine, and what it is."""

    kind: str
    title: str
    location: str
    copy: Path | None  # None: the file the answer names is gone
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verification:
    """What `verify_package` found: every problem in Chinese (none: the package is intact)."""

    files: int = 0
    audit_entries: int = 0
    manifest_sha256: str = ""
    evaluation_code: str = ""
    decision_code: str = ""  # a decision's package
    missing_materials: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when nothing was changed, removed or added and the audit chain holds."""
        return not self.problems


@dataclass
class _Contents:
    """One package before it is written: the manifest's subject, the documents, the JSON records, the materials
    check, the audit stretch; and whose export the audit log records."""

    subject: dict[str, Any]
    documents: list[dict[str, Any]]
    records: dict[str, Any]  # zip name → JSON value
    materials: list[dict[str, Any]]
    audit: dict[str, Any]
    audit_chain_head: str | None
    evaluation_id: int | None
    decision_code: str
    copies: dict[int, Path | None] = field(default_factory=dict)  # by document number: the file made for it


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


def _entry(
    number: int,
    kind: str,
    title: str,
    location: str,
    sha256: str | None,
    created_at: datetime,
    meta: dict[str, Any],
    superseded: bool = False,
    packed: str | None = None,
) -> dict[str, Any]:
    """A document as the manifest lists it, and the name of its file in the zip (its extension that of `packed`,
    the file put in the package, when that is not the file at `location`)."""
    return {
        "id": number,
        "kind": kind,
        "title": title,
        "superseded": superseded,
        "version": "已被替代的旧版本" if superseded else "现行版本",
        "created_at": created_at.astimezone(UTC).isoformat(),
        "recorded_sha256": sha256,
        "original_path": location,
        "file": f"{DOCUMENTS_DIR}{number:06d}-{shown_name(title, packed or location)}",
        "meta": meta,
    }


def _document_entry(document: Document) -> dict[str, Any]:
    assert document.id is not None  # a stored document
    return _entry(
        document.id,
        document.kind,
        document.title,
        document.path,
        document.sha256,
        document.created_at,
        document.meta,
        document.superseded,
    )


def _chain_stretch(session: Session, events: list[AuditEvent]) -> dict[str, Any]:
    """`events` in full, and the chain from the entry before the first of them to the last (the rest by hash)."""
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


def _chain_head(session: Session) -> str | None:
    return session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()


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


def _evaluation_contents(session: Session, code: str) -> _Contents:
    evaluation = store.get_evaluation(session=session, code=code)
    assert evaluation.id is not None  # a stored evaluation
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    documents = store.documents(session=session, evaluation_id=evaluation.id)
    answers = store.approvals(session=session, evaluation_id=evaluation.id)
    standing_gates = {a.gate for a in answers if not a.superseded}
    current_kinds = {d.kind for d in documents if not d.superseded}
    materials = []
    for name, source, key in required_materials(session, evaluation):
        present = key in standing_gates if source == "answer" else key in current_kinds
        materials.append({"material": name, "source": source, "key": key, "present": present})
    entrustment = latest_entrustment(session=session, evaluation_id=evaluation.id)
    records: dict[str, Any] = {
        APPROVALS: {
            "approvals": [a.model_dump(mode="json") | {"gate_name": gate_name(a.gate)} for a in answers],
            "rejections": [
                r.model_dump(mode="json") | {"gate_name": gate_name(r.gate)}
                for r in store.rejections(session=session, evaluation_id=evaluation.id)
            ],
        },
        STEPS: [
            s.model_dump(mode="json") | {"step_name": step_name(s.step)}
            for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        ],
    }
    if entrustment is not None:
        materials.append({"material": "第三方评估委托协议", "source": "entrustment", "key": "", "present": True})
        records[ENTRUSTMENT] = entrustment.model_dump(mode="json")
    subject = {
        "evaluation": {
            "code": evaluation.code,
            "decision_code": decision.code,
            "decision_title": decision.title,
            "profile": decision.profile,
            "type": EVALUATION_TYPE_NAMES.get(evaluation.type, evaluation.type),
            "methods": evaluation.methods,
            "status": evaluation.status,
            "conclusion": evaluation.conclusion,
        }
    }
    return _Contents(
        subject=subject,
        documents=[_document_entry(d) for d in documents],
        records=records,
        materials=materials,
        audit=_chain_stretch(session, audit.events_for(session=session, evaluation_id=evaluation.id)),
        audit_chain_head=_chain_head(session),
        evaluation_id=evaluation.id,
        decision_code=decision.code,
    )


def _settle_materials(materials: list[dict[str, Any]], documents: list[dict[str, Any]]) -> None:
    """A required document registered but with no file to put in the package is missing after all."""
    for material in materials:
        if material["source"] != "document" or not material["present"]:
            continue
        current = [d for d in documents if d["kind"] == material["key"] and not d["superseded"]]
        if all(d["file"] is None for d in current):
            material["present"] = False
            material["note"] = "已登记，但文件缺失"


def _readable(document: dict[str, Any], copies: dict[int, Path | None]) -> Path | None:
    """The file to put in the package for `document`: the copy made for it, or the file at its recorded location;
    None when it is gone."""
    if document["id"] in copies:
        return copies[document["id"]]
    try:
        return local_file(document["original_path"])
    except NotFound:
        return None


def _write_zip(contents: _Contents, target: Path) -> tuple[dict[str, Any], bytes]:
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

            for document in contents.documents:
                source = _readable(document, contents.copies)
                if source is None:
                    document["file"] = None
                    document["file_status"] = "文件缺失"
                    continue
                sha256, size = _sha256_file(source)
                package.write(source, document["file"])
                files.append({"path": document["file"], "sha256": sha256, "size": size})
                document["recorded_sha256"] = document["recorded_sha256"] or sha256  # made here: nothing recorded
                document["file_status"] = "完好" if sha256 == document["recorded_sha256"] else "内容与登记的哈希不符"
            for name, value in contents.records.items():
                add_bytes(name, _json_bytes(value))
            add_bytes(AUDIT, _json_bytes(contents.audit))
            _settle_materials(contents.materials, contents.documents)
            manifest = {
                "format": FORMAT,
                **contents.subject,
                "exported_at": now_beijing().isoformat(),
                "audit_chain_head": contents.audit_chain_head,
                "documents": contents.documents,
                "materials": contents.materials,
                "missing_materials": [m["material"] for m in contents.materials if not m["present"]],
                "files": files,
            }
            data = _json_bytes(manifest)
            package.writestr(MANIFEST, data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest, data


def _export(contents: _Contents, target: Path, actor: str, engine: Engine | None) -> ExportResult:
    """Write the package, then audit the export with the manifest's SHA-256 (what `seal_problems` looks for)."""
    manifest, data = _write_zip(contents, target)
    manifest_sha256 = hashlib.sha256(data).hexdigest()
    transaction(
        lambda session: audit.record(
            session=session,
            action=EXPORTED,
            actor=actor,
            evaluation_id=contents.evaluation_id,
            decision_code=contents.decision_code,
            manifest_sha256=manifest_sha256,
            files=len(manifest["files"]),
            missing_materials=manifest["missing_materials"],
        ),
        engine=engine,
    )
    return ExportResult(
        path=target,
        files=len(manifest["files"]),
        documents=len(manifest["documents"]),
        missing_materials=manifest["missing_materials"],
        manifest_sha256=manifest_sha256,
        materials_basis=manifest.get("materials_basis", ""),
    )


def export_package(*, code: str, target: Path, actor: str = "系统", engine: Engine | None = None) -> ExportResult:
    """Export evaluation `code` to the zip `target`; audit the export with the manifest's SHA-256."""
    with read_session(engine) as session:
        contents = _evaluation_contents(session, code)
    return _export(contents, target, actor, engine)


# ── a decision's archive (CL-48) ─────────────────────────────────────────────


def procedure_of(session: Session, code: str) -> DecisionProcedure | None:
    """The decision procedure catalog decision `code` was made by, if it was made in pinggu."""
    return session.exec(select(DecisionProcedure).where(DecisionProcedure.decision_code == code)).first()


def decision_events(session: Session, code: str) -> list[AuditEvent]:
    """The decision's own audit entries, oldest first: those naming it outside any evaluation (an evaluation's are
    in that evaluation's package), and, of its procedure, the answers given before it had a catalog number and
    the signatures of every answer (which name the step's pause key only)."""
    events = list(
        session.exec(
            select(AuditEvent).where(AuditEvent.decision_code == code, col(AuditEvent.evaluation_id).is_(None))
        )
    )
    procedure = procedure_of(session, code)
    if procedure is not None:
        keys = f"procedure-{procedure.id}-"  # pinggu.services.decision_procedure.step_status's pause keys
        unnamed = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.decision_code).is_(None), col(AuditEvent.action).in_((ANSWERED, SIGNED))
            )
        )
        events += [
            event
            for event in unnamed
            if event.detail.get("procedure") == procedure.id or str(event.detail.get("key", "")).startswith(keys)
        ]
    return sorted(events, key=lambda event: event.id or 0)


def file_decision_material(
    *,
    code: str,
    material: DecisionMaterial,
    source: Path,
    by: str,
    title: str = "",
    engine: Engine | None = None,
) -> StoredObject:
    """File one material into decision `code`'s archive (CL-48): the file checked by its content and kept in the
    document store, the filing an audit entry (who, which material, which content). Like every audit entry it is
    never edited or removed: a corrected material is filed again, beside the first."""
    if not by.strip():
        raise StateConflict("请写明归档人（姓名和职务），例如 李明（县城管局科员）")
    check_file(source, f"文件“{source.name}”")
    with read_session(engine) as session:
        store.get_decision(session=session, code=code)  # an unknown code: NotFound, in Chinese
    kept = keep(source)  # stored before the transaction opens; the same content is one object
    transaction(
        lambda session: audit.record(
            session=session,
            action=FILED,
            actor=by.strip(),
            decision_code=code,
            material=material.value,
            title=title.strip() or source.stem,
            location=kept.location,
            sha256=kept.sha256,
            size=kept.size,
        ),
        engine=engine,
    )
    return kept


def _decision_subject(decision: Decision, procedure: DecisionProcedure | None) -> dict[str, Any]:
    ending = next((text for outcome, text in ENDINGS.items() if procedure and outcome.value == procedure.status), None)
    return {
        "decision": {
            "code": decision.code,
            "title": decision.title,
            "profile": decision.profile,
            "decision_body": decision.decision_body,
            "lead_unit": decision.lead_unit,
            "category": decision.category,
            "decided_on": decision.decided_on,
            "starts_on": decision.starts_on,
            "ends_on": decision.ends_on,
        },
        "procedure": None
        if procedure is None
        else {
            "id": procedure.id,
            "matter": procedure.matter,
            "status": procedure.status,
            "ending": ending,
            "opened_at": procedure.opened_at.astimezone(UTC).isoformat(),
            "closed_at": procedure.closed_at.astimezone(UTC).isoformat() if procedure.closed_at else None,
            "answers": len(procedure.answers),
        },
        # 档案 8's list is minhang's; changli 48 asks for the same completeness without a list of its own.
        "materials_basis": load_profiles()["minhang"].citation("档案第八条"),
    }


def _decision_documents(
    events: list[AuditEvent], procedure: DecisionProcedure | None, prepared: list[PreparedDocument]
) -> tuple[list[dict[str, Any]], dict[int, Path | None]]:
    """The documents of a decision's archive, numbered in the package, and the copies made for it by number: the
    whole-process record, the files made from those its answers name, the materials filed."""
    documents: list[dict[str, Any]] = []
    copies: dict[int, Path | None] = {}
    written = next((e for e in reversed(events) if e.action == RECORD_WRITTEN), None)
    if procedure is not None and procedure.record_path:
        at = written.at if written is not None else procedure.closed_at or procedure.opened_at
        forms = [("PDF", procedure.record_path, procedure.record_sha256)]
        # The Word copy as the record's audit entry names it (docx, docx_sha256); records written before it did
        # so carry the PDF only.
        if written is not None and written.detail.get("docx"):
            forms.append(("Word", written.detail["docx"], written.detail.get("docx_sha256")))
        for shown, location, sha256 in forms:
            title = f"决策过程记录（{shown}）"
            documents.append(_entry(len(documents) + 1, DecisionMaterial.record, title, location, sha256, at, {}))
    for made in prepared:  # made at this export: nothing was recorded of the copy, so its hash is the one packed
        number = len(documents) + 1
        packed = str(made.copy) if made.copy is not None else None
        documents.append(
            _entry(number, made.kind, made.title, made.location, None, now_beijing(), made.meta, packed=packed)
        )
        copies[number] = made.copy
    for event in events:
        if event.action == FILED:
            detail = event.detail
            meta = {"filed_by": event.actor, "audit_id": event.id}
            documents.append(
                _entry(
                    len(documents) + 1,
                    detail["material"],
                    detail["title"],
                    detail["location"],
                    detail["sha256"],
                    event.at,
                    meta,
                )
            )
    return documents, copies


def _decision_contents(session: Session, code: str, prepared: list[PreparedDocument]) -> _Contents:
    decision = store.get_decision(session=session, code=code)
    procedure = procedure_of(session, code)
    events = decision_events(session, code)
    documents, copies = _decision_documents(events, procedure, prepared)
    done = None if procedure is None else {a.step for a in procedure_answers(procedure.answers) if a.accepted}
    current = {d["kind"] for d in documents if not d["superseded"]}
    materials = [
        {"material": listed_name(m), "source": "document", "key": m.value, "present": m.value in current}
        for m in required_decision_materials(done)
    ]
    records: dict[str, Any] = {}
    if procedure is not None:
        records[ANSWERS] = {
            "procedure": procedure.model_dump(mode="json", exclude={"answers"}),
            "answers": [
                a.stored_json() | {"step_name": STEP_NAMES[a.step]} for a in procedure_answers(procedure.answers)
            ],
        }
    return _Contents(
        subject=_decision_subject(decision, procedure),
        documents=documents,
        records=records,
        materials=materials,
        audit=_chain_stretch(session, events),
        audit_chain_head=_chain_head(session),
        evaluation_id=None,
        decision_code=decision.code,
        copies=copies,
    )


def export_decision_package(
    *,
    code: str,
    target: Path,
    actor: str = "系统",
    prepared: list[PreparedDocument] | None = None,
    engine: Engine | None = None,
) -> ExportResult:
    """Export the archive of decision `code` (CL-48: its whole process) to the zip `target`; audit the export.
    `prepared`: the files made for the package from those its answers name (pinggu.services.decision_archive)."""
    with read_session(engine) as session:
        contents = _decision_contents(session, code, prepared or [])
    return _export(contents, target, actor, engine)


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
        evaluation = manifest.get("evaluation") or {}
        result.evaluation_code = str(evaluation.get("code", ""))
        # An evaluation's manifest names its decision inside "evaluation"; only a decision's package has "decision".
        result.decision_code = "" if evaluation else str((manifest.get("decision") or {}).get("code", ""))
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
    if not (result.evaluation_code or result.decision_code) or not result.manifest_sha256:
        return ["清单中没有评估编号或决策编号，无法与数据库核对"]
    with read_session(engine) as session:
        try:
            if result.evaluation_code:
                evaluation = store.get_evaluation(session=session, code=result.evaluation_code)
                assert evaluation.id is not None  # a stored evaluation
                exports = audit.events_for(session=session, evaluation_id=evaluation.id, action=EXPORTED)
                chain = audit.chain_problems(session=session, evaluation_id=evaluation.id)
            else:
                store.get_decision(session=session, code=result.decision_code)
                events = decision_events(session, result.decision_code)
                exports = [event for event in events if event.action == EXPORTED]
                chain = audit.chain_problems(session=session, event_ids=[event.id for event in events if event.id])
        except NotFound:
            what = f"评估 {result.evaluation_code}" if result.evaluation_code else f"决策 {result.decision_code}"
            return [f"数据库中没有{what}：该档案包不是本系统导出的"]
    problems = [f"数据库审计链：{problem.message}" for problem in chain]
    recorded = {event.detail.get("manifest_sha256") for event in exports}
    if result.manifest_sha256 not in recorded:
        problems.insert(
            0,
            f"清单 SHA-256 {result.manifest_sha256[:16]}… 不在审计日志记录的 {len(recorded)} 次导出之中："
            "清单在导出后被改写过（或该包不是本系统导出的）",
        )
    return problems
