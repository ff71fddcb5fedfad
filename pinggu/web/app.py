"""The web app: 待办 (every waiting gate), a page per gate where materials are uploaded and approvals
given, and the documents under review (PDF inline, Word downloaded).

An answer is checked at once by the very code the flow runs (tasks.gates.judge_answer, in a
transaction that is rolled back): a refusal is shown on the page in Chinese with the row, column and
reason, recorded in the audit log, and never reaches the run. Only an accepted answer resumes the
run, through the Prefect API, with the uploaded file's stored path: nobody types a server path.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile

from core.document_store import document_store, keep, local_file, shown_name
from core.errors import InputFileError, NotFound, OrchestrationError, PingguError, SignoffRefused, StateConflict
from core.links import document_url, gate_url
from core.settings import get_settings
from forms.gates import DataFileForm, ExpertMarksForm, RecordsForm, validated
from models import evaluations as store
from models import people
from models.db import read_session, transaction
from models.tables import Document, Evaluation, now_beijing
from pinggu.web.fields import PageField, form_values, page_fields, refusal_lines
from pinggu.web.tracking import tracking_router
from rules.gates import GATES, GateId
from rules.profiles import load_profile
from rules.steps import StepId
from rules.vocabulary import EVALUATION_TYPE_NAMES, STATUS_NAMES, EvaluationStatus
from tasks.acceptors import HANDLERS
from tasks.evaluation import procedure_of
from tasks.gates import gate_target, judge_answer, target_text, waits_for

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TYPES: dict[type, tuple[str, ...]] = {
    DataFileForm: (".csv", ".xlsx"),
    ExpertMarksForm: (".csv", ".xlsx"),
    RecordsForm: (".pdf", ".docx", ".txt"),
}
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".zip": "application/zip",
}
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["j2"])
)


@dataclass(frozen=True)
class Todo:
    """One waiting gate as the 待办 list shows it."""

    evaluation: str
    evaluation_type: str
    decision: str
    gate: str
    gate_name: str
    actor: str
    target: str
    overdue: bool
    documents: list[tuple[str, str]]  # (title, url)
    link: str


def _page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _TEMPLATES.get_template(name).render(prefect_ui=get_settings().prefect_ui_url, **context)
    return HTMLResponse(html, status_code=status_code)


def _target(session: Any, evaluation: Evaluation, gate: str, today: date) -> tuple[str, bool]:
    assert evaluation.id is not None  # a stored evaluation
    record = gate_target(session, evaluation.id, gate)
    if record is None or record.target_date is None:
        return "—", False
    return target_text(record), record.target_date < today


def _under_review(session: Any, evaluation: Evaluation, gate: str) -> list[tuple[str, str]]:
    assert evaluation.id is not None  # a stored evaluation
    reviews = GATES[GateId(gate)].reviews
    documents = [store.current_document(session=session, evaluation_id=evaluation.id, kind=reviews)] if reviews else []
    if gate != GateId.plan_approval:  # the approved plan is what every later gate works to
        documents.append(store.current_document(session=session, evaluation_id=evaluation.id, kind=StepId.plan))
    return [(d.title, document_url(d.id)) for d in documents if d is not None and d.id is not None]


def todos() -> list[Todo]:
    """Every gate an evaluation waits at, the longest overdue first."""
    today = now_beijing().date()
    found: list[Todo] = []
    with read_session() as session:
        waiting = store.evaluations_waiting(session=session)
        for evaluation in waiting:
            gate = evaluation.waiting_gate
            assert gate is not None  # evaluations_waiting returns those with a gate
            decision = store.get_decision(session=session, code=evaluation.decision_code)
            target, overdue = _target(session, evaluation, gate, today)
            found.append(
                Todo(
                    evaluation=evaluation.code,
                    evaluation_type=EVALUATION_TYPE_NAMES.get(evaluation.type, evaluation.type),
                    decision=f"{decision.code}《{decision.title}》",
                    gate=gate,
                    gate_name=load_profile(decision.profile).gate_title(gate),
                    actor=waits_for(procedure_of(session, evaluation), gate),
                    target=target,
                    overdue=overdue,
                    documents=_under_review(session, evaluation, gate),
                    link=gate_url(evaluation.code, gate),
                )
            )
    return sorted(found, key=lambda t: (not t.overdue, t.target, t.evaluation))


def _gate_context(code: str, gate: str) -> dict[str, Any]:
    if gate not in {g.value for g in GateId}:
        raise NotFound(f"没有名为 {gate} 的办理环节")
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        procedure = procedure_of(session, evaluation)
        target, overdue = _target(session, evaluation, gate, now_beijing().date())
        documents = _under_review(session, evaluation, gate)
        actor = waits_for(procedure, gate)
        holders = [p.name for p in people.entitled(session=session, profile=decision.profile, actor=actor)]
    profile = load_profile(decision.profile)
    profile_gate = procedure.gate(gate)
    form = HANDLERS[GateId(gate)].form
    return {
        "evaluation": evaluation,
        "decision": decision,
        "gate": gate,
        "gate_name": profile.gate_title(gate),
        "actor": waits_for(procedure, gate),
        "basis": profile_gate.basis if profile_gate else "",
        "target": target,
        "overdue": overdue,
        "documents": documents,
        "holders": holders,
        "fields": page_fields(form),
        "accept": ",".join(UPLOAD_TYPES.get(form, ())),
        "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        "waiting_here": evaluation.status == EvaluationStatus.waiting and evaluation.waiting_gate == gate,
        "status_name": STATUS_NAMES.get(evaluation.status, evaluation.status),
    }


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()]", "_", base).lstrip(".")
    return cleaned[:120] or "upload"


async def _save_upload(upload: UploadFile, evaluation_code: str, gate: str, allowed: tuple[str, ...]) -> str:
    # A file name can carry a name or a phone number (E-PRIVACY): the upload is kept under a neutral one.
    name = f"{GATES[GateId(gate)].name}{Path(_safe_name(upload.filename or '')).suffix.lower()}"
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise InputFileError(f"不支持的文件类型“{suffix or name}”：本环节可上传 {'、'.join(allowed)} 文件")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputFileError(f"文件 {name} 超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请压缩或拆分后上传")
    if not data:
        raise InputFileError(f"文件 {name} 是空文件")
    # Received here, then kept in the document store's quarantine, where the worker that runs the
    # evaluation (on whichever machine) reads it.
    folder = get_settings().uploads_dir / evaluation_code / f"{gate}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    received = folder / name
    try:
        received.write_bytes(data)
        return keep(received, "uploads").location
    finally:
        received.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _credentials_match(request: Request, login: str) -> bool:
    import base64
    import binascii
    import secrets

    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(given.encode(), login.encode())


def create_app() -> FastAPI:
    """The web app; `python -m pinggu.web` serves it."""
    app = FastAPI(title="pinggu 网页办理", docs_url=None, redoc_url=None, openapi_url=None)
    login = get_settings().web_auth_string.strip()

    @app.middleware("http")
    async def _authenticated(request: Request, call_next: Any) -> Any:
        # The same user:password for every browser of the office (PINGGU_WEB_AUTH_STRING); answering
        # still needs each person's own sign-off code. /healthz stays open for `pinggu up`'s check.
        if login and request.url.path != "/healthz" and not _credentials_match(request, login):
            return HTMLResponse(
                "需要登录：请输入网页办理的用户名和密码（由评估办公室提供）",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="pinggu", charset="UTF-8"'},
            )
        return await call_next(request)

    @app.exception_handler(PingguError)
    async def _product_error(request: Request, error: PingguError) -> HTMLResponse:
        status = 404 if isinstance(error, NotFound) else 409
        return _page("error.html.j2", status_code=status, message=str(error))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    @app.get("/", response_class=HTMLResponse)
    def todo_list() -> HTMLResponse:
        return _page("todo.html.j2", todos=todos(), now=now_beijing().strftime("%Y-%m-%d %H:%M"))

    @app.get("/evaluations/{code}/gates/{gate}", response_class=HTMLResponse)
    def gate_page(code: str, gate: str) -> HTMLResponse:
        return _page("gate.html.j2", **_gate_context(code, gate), values={}, error=None, problems=[])

    @app.post("/evaluations/{code}/gates/{gate}", response_class=HTMLResponse)
    async def answer(code: str, gate: str, request: Request) -> HTMLResponse:
        context = _gate_context(code, gate)
        posted = await request.form()
        texts = {key: value for key, value in posted.items() if isinstance(value, str)}
        try:
            outcome = await _answer(context, texts, posted.get("file"))
        except PingguError as error:
            message, problems = refusal_lines(error)
            _record_refusal(context["evaluation"], gate, message, isinstance(error, SignoffRefused))
            values = {k: v for k, v in texts.items() if k != "code"}
            return _page("gate.html.j2", status_code=422, **context, values=values, error=message, problems=problems)
        return _page("done.html.j2", **context, outcome=outcome)

    app.include_router(tracking_router(_page))

    @app.get("/documents/{document_id}")
    def document(document_id: int) -> FileResponse:
        with read_session() as session:
            found = session.get(Document, document_id)
        if found is None:
            raise NotFound(f"文件 {document_id} 不存在")
        path = local_file(found.path)  # NotFound if the store no longer has it
        inline = path.suffix.lower() in (".pdf", ".txt", ".json")
        return FileResponse(
            path,
            media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            filename=shown_name(found.title, found.path),
            content_disposition_type="inline" if inline else "attachment",
        )

    return app


async def _answer(context: dict[str, Any], texts: dict[str, str], upload: Any) -> dict[str, Any]:
    """Check the answer at once; if it passes, resume the run with it and wait for the flow's verdict."""
    from starlette.concurrency import run_in_threadpool

    from services.orchestration import answer_gate, outcome_of, paused_at, read_flow_run

    evaluation: Evaluation = context["evaluation"]
    gate: str = context["gate"]
    if not context["waiting_here"]:
        raise StateConflict(f"评估 {evaluation.code} 当前不在“{context['gate_name']}”环节，无需办理")
    if not evaluation.flow_run_id:
        raise StateConflict(f"评估 {evaluation.code} 没有对应的流程运行，无法在网页办理")
    with read_session() as session:  # an outsider is refused before anything is uploaded or asked of Prefect
        people.signer_of(session=session, evaluation=evaluation, gate=gate, code=texts.get("code", ""))
    flow_run = await run_in_threadpool(read_flow_run, evaluation.flow_run_id)
    if paused_at(flow_run) != gate:
        raise OrchestrationError("评估流程正在处理上一次提交，请稍候刷新页面后再办理")
    form = HANDLERS[GateId(gate)].form
    values = form_values(context["fields"], texts)
    values["code"] = texts.get("code", "")
    if any(field.widget == "file" for field in context["fields"]):
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputFileError("请选择要上传的文件")
        values["file"] = await _save_upload(upload, evaluation.code, gate, UPLOAD_TYPES[form])
    key = flow_run.state.state_details.pause_key
    attempt = int(key.rsplit("-", 1)[1])
    assert evaluation.id is not None  # a stored evaluation
    try:
        run_input = validated(form, values)
        # The flow's own check, recorded nowhere: what it would refuse is refused here, before the run resumes.
        await run_in_threadpool(judge_answer, evaluation.id, gate, attempt, key, run_input, None, commit=False)
    except PingguError:
        _discard(values.get("file"))  # a refused upload is not kept: the reason is recorded, the data not needed
        raise
    answered = await run_in_threadpool(answer_gate, evaluation.flow_run_id, gate, run_input)
    outcome = await run_in_threadpool(outcome_of, evaluation.code, answered, timeout=60)
    return outcome or {"accepted": None}


def _discard(location: str | None) -> None:
    if location:
        document_store().delete(location)


def _record_refusal(evaluation: Evaluation, gate: str, reason: str, signature: bool) -> None:
    assert evaluation.id is not None  # a stored evaluation
    evaluation_id = evaluation.id
    transaction(
        lambda session: people.refused_attempt(
            session=session, evaluation_id=evaluation_id, gate=gate, reason=reason, channel="网页", signature=signature
        )
    )


__all__ = ["PageField", "create_app", "todos"]
