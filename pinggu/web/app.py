"""The web app: 待办 (every waiting gate), a page per gate where materials are uploaded and approvals
given, and the documents under review (PDF inline, Word downloaded).

An answer is checked at once by the very code the flow runs (pinggu.services.evaluation.gates.judge_answer, in a
transaction that is rolled back): a refusal is shown on the page in Chinese with the row, column and
reason, recorded in the audit log, and never reaches the run. Only an accepted answer resumes the
run, through the Prefect API, with the uploaded file's stored path: nobody types a server path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from pinggu.core.document_store import local_file, shown_name
from pinggu.core.errors import (
    AccessDenied,
    InputFileError,
    NotFound,
    OrchestrationError,
    PingguError,
    SignoffRefused,
    StateConflict,
)
from pinggu.core.links import app_path, document_url, gate_url, procedure_url
from pinggu.core.settings import get_settings
from pinggu.forms.gates import GATE_FORMS, DataFileForm, ExpertMarksForm, RecordsForm, validated
from pinggu.models import evaluations as store
from pinggu.models import people
from pinggu.models.db import read_session, transaction
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Document, Evaluation, Person, beijing_minute, now_beijing
from pinggu.rules.access import Viewer
from pinggu.rules.gates import GATES, GateId
from pinggu.rules.profiles import load_profile
from pinggu.rules.profiles.schema import printed_basis
from pinggu.rules.steps import STAGE_NAMES, StepId
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, STATUS_NAMES, EvaluationStatus
from pinggu.services import gate_handover, handover
from pinggu.services.evaluation.gates import GateKey, gate_target, judge_answer, target_text
from pinggu.services.orchestration import AnswerOutcome
from pinggu.services.signoff import second_factor, waits_for
from pinggu.web.access import allow, entitled_units, evaluation_resource, refuse
from pinggu.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, NeedsSignIn, auth_router, require, secret_key, viewer
from pinggu.web.comments import comments_router
from pinggu.web.dashboard import dashboard_router
from pinggu.web.decisions import decisions_router
from pinggu.web.fields import PageField, form_values, page_fields, refusal_lines
from pinggu.web.followups import follow_up_link, follow_up_todos, followups_router
from pinggu.web.operations import operations_router
from pinggu.web.plans import plans_router
from pinggu.web.procedures import procedure_todos, procedures_router
from pinggu.web.security import (
    CODE_PER_ADDRESS,
    CODE_PER_GATE,
    CSRF_FIELD,
    FIRST_ANSWER,
    NONCE_FIELD,
    BodyLimit,
    RateGate,
    Refused,
    SecurityHeaders,
    check_post,
    client_address,
    csrf_token,
    new_nonce,
)
from pinggu.web.start import start_router
from pinggu.web.supervision import supervision_router
from pinggu.web.tracking import tracking_router, tracking_todos
from pinggu.web.uploads import MAX_UPLOAD_BYTES, discard, save_upload

log = logging.getLogger("pinggu.web")
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


TABS = {"mine": "我的待办", "unit": "本单位", "all": "全部", "overdue": "逾期", "soon": "即将到期"}
OFFICE_TABS = ("all", "overdue", "soon")


@dataclass(frozen=True)
class Todo:
    """One waiting item as the 待办 list shows it: a gate of an evaluation, a tracking or rectification report."""

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
    profile: str = ""
    units: frozenset[str] = frozenset()  # the units whose people hold the item
    due: date | None = None
    holder: int | None = None  # the one person holding it after a 转办 (pinggu.services.handover)


def _page(name: str, status_code: int = 200, *, request: Request | None = None, **context: Any) -> HTMLResponse:
    guard = Markup("")
    if request is not None:
        token, nonce = csrf_token(request), new_nonce()
        guard = Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{Markup.escape(token)}">'
            f'<input type="hidden" name="{NONCE_FIELD}" value="{nonce}">'
        )
        context.setdefault("me", getattr(request.state, "viewer", None))
    context.setdefault("me", None)
    html = _TEMPLATES.get_template(name).render(prefect_ui=get_settings().prefect_ui_url, guard=guard, **context)
    return HTMLResponse(html, status_code=status_code)


def _target(session: Any, evaluation: Evaluation, gate: str, today: date) -> tuple[str, bool, date | None]:
    assert evaluation.id is not None  # a stored evaluation
    record = gate_target(session, evaluation.id, gate)
    if record is None or record.target_date is None:
        return "—", False, None
    return target_text(record), record.target_date < today, record.target_date


def _under_review(session: Any, evaluation: Evaluation, gate: str) -> list[tuple[str, str]]:
    assert evaluation.id is not None  # a stored evaluation
    reviews = GATES[GateId(gate)].reviews
    documents = [store.current_document(session=session, evaluation_id=evaluation.id, kind=reviews)] if reviews else []
    if gate != GateId.plan_approval:  # the approved plan is what every later gate works to
        documents.append(store.current_document(session=session, evaluation_id=evaluation.id, kind=StepId.plan))
    unique = {d.id: d for d in documents if d is not None and d.id is not None}
    return [(d.title, document_url(i)) for i, d in unique.items()]


def todos() -> list[Todo]:
    """Every waiting item: evaluation gates, tracking reports, rectification reports; the longest overdue first."""
    today = now_beijing().date()
    found: list[Todo] = []
    with read_session() as session:
        waiting = store.evaluations_waiting(session=session)
        for evaluation in waiting:
            gate = evaluation.waiting_gate
            assert gate is not None  # evaluations_waiting returns those with a gate
            decision = store.get_decision(session=session, code=evaluation.decision_code)
            target, overdue, due = _target(session, evaluation, gate, today)
            actor = waits_for(procedure_of(session, evaluation), gate)
            held = gate_handover.hold_of(session, evaluation, gate).holder  # after a 转办: theirs alone
            units = entitled_units(session, decision.profile, actor) | ({held.unit} if held is not None else set())
            found.append(
                Todo(
                    evaluation=evaluation.code,
                    evaluation_type=EVALUATION_TYPE_NAMES.get(evaluation.type, evaluation.type),
                    decision=f"{decision.code}《{decision.title}》",
                    gate=gate,
                    gate_name=load_profile(decision.profile).gate_title(gate),
                    actor=actor,
                    target=target,
                    overdue=overdue,
                    documents=_under_review(session, evaluation, gate),
                    link=gate_url(evaluation.code, gate),
                    profile=decision.profile,
                    units=frozenset(units),
                    due=due,
                    holder=held.id if held is not None else None,
                )
            )
    for item in tracking_todos(today):
        found.append(
            Todo(
                evaluation="—",
                evaluation_type="跟踪反馈与督查",
                decision=item.decision,
                gate="supervision" if item.actor else "",
                gate_name=item.what,
                actor=item.actor or item.unit,
                target=item.due.isoformat(),
                overdue=item.overdue,
                documents=[],
                link=item.link,
                profile=item.profile,
                units=frozenset({item.unit}),
                due=item.due,
            )
        )
    for asked in procedure_todos():  # the decision procedure's step, for its lead unit or the role that answers
        procedure = asked.procedure
        assert procedure.id is not None  # a stored procedure
        with read_session() as session:
            units = {asked.actor} if asked.by_lead_unit else entitled_units(session, procedure.profile, asked.actor)
        found.append(
            Todo(
                evaluation="—",
                evaluation_type="决策程序",
                decision=procedure.decision_code or procedure.matter,
                gate="" if asked.by_lead_unit else "procedure",
                gate_name=f"{asked.step_name}：{procedure.matter}",
                actor=asked.actor,
                target="",
                overdue=False,
                documents=[],
                link=procedure_url(procedure.id),
                profile=procedure.profile,
                units=frozenset(units),
                holder=asked.holder,
            )
        )
    for follow_up in follow_up_todos():  # C-FOLLOWUP: the unit reports back on what it did
        found.append(
            Todo(
                evaluation=follow_up.evaluation,
                evaluation_type="后续措施",
                decision=f"{follow_up.decision}《{follow_up.title}》",
                gate="",
                gate_name=f"后续措施 #{follow_up.id}：报告落实情况",
                actor=follow_up.unit,
                target=follow_up.due_date.isoformat(),
                overdue=follow_up.overdue(today),
                documents=[],
                link=follow_up_link(follow_up.id),
                profile=follow_up.profile,
                units=frozenset({follow_up.unit}),
                due=follow_up.due_date,
            )
        )
    return sorted(found, key=lambda t: (not t.overdue, t.target, t.evaluation))


def _mine(me: Viewer, todo: Todo) -> bool:
    """Whether the item waits for this person: its holder after a 转办, else by role (a gate) or by unit."""
    if todo.holder is not None:
        return todo.holder == me.person_id
    return me.may_act(todo.actor) if todo.gate else me.unit in todo.units


def visible_todos(me: Viewer, tab: str, today: date) -> list[Todo]:
    """The 待办 tab for this person: 我的 (items they may act on), 本单位 (their unit's), and for the office
    全部, 逾期 and 即将到期 (within the watch's horizon) across their jurisdictions."""
    horizon = max(get_settings().watch_days, default=7)
    items = [t for t in todos() if me.covers(t.profile)]
    if tab == "mine":
        return [t for t in items if _mine(me, t)]
    if tab == "unit":
        return [t for t in items if me.unit in t.units]
    if not me.office:
        return []
    if tab == "overdue":
        return [t for t in items if t.overdue]
    if tab == "soon":
        return [t for t in items if not t.overdue and t.due is not None and (t.due - today).days <= horizon]
    return items


def _gate_context(code: str, gate: str) -> dict[str, Any]:
    if gate not in {g.value for g in GateId}:
        raise NotFound("没有这个办理环节，请从待办列表进入")
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        procedure = procedure_of(session, evaluation)
        target, overdue, _ = _target(session, evaluation, gate, now_beijing().date())
        documents = _under_review(session, evaluation, gate)
        actor = waits_for(procedure, gate)
        hold = gate_handover.hold_of(session, evaluation, gate)
        held, handed = hold.holder, handover.history(session, hold.ref)
        entitled = people.entitled(session=session, profile=decision.profile, actor=actor)
        holders = [held.name] if held is not None else [p.name for p in entitled]
        resource = evaluation_resource(session, evaluation)
    profile = load_profile(decision.profile)
    profile_gate = procedure.gate(gate)
    form = GATE_FORMS[GateId(gate)]
    return {
        "evaluation": evaluation,
        "decision": decision,
        "gate": gate,
        "gate_name": profile.gate_title(gate),
        "actor": actor,
        "basis": printed_basis(profile_gate.basis) if profile_gate else "",
        "target": target,
        "overdue": overdue,
        "documents": documents,
        "holders": holders,
        "fields": page_fields(form),
        "accept": ",".join(UPLOAD_TYPES.get(form, ())),
        "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        "waiting_here": evaluation.status == EvaluationStatus.waiting and evaluation.waiting_gate == gate,
        "status_name": STATUS_NAMES.get(evaluation.status, evaluation.status),
        "second_factor": second_factor(procedure, gate),
        "accepted_names": _accepted_names(profile, gate),
        "resource": resource,
        "holder": held,
        "handovers": handed,
        "receivers": [],
        "refusal": "",
    }


def _accepted_names(profile: Any, gate: str) -> list[str]:
    """What the expert marks table's 指标 column and the statistics accept, for the page to list (the plan's own
    indicator names included)."""
    if gate != GateId.expert_marks:
        return []
    from pinggu.rules.scoring import inputs_needed

    needed = inputs_needed(profile)
    return [f"{key}（{label}）" if key != label else label for key, label in needed["expert_marks"]] + [
        f"统计数据“{measure}：数值”（{label}）" for measure, label in needed["data"]
    ]


def _guest_of(request: Request, code: str, gate: str) -> bool:
    """Whether this browser opened the gate with a valid sign-off code (someone without an account)."""
    return request.session.get("guest") == [code, gate]


PUBLIC_PREFIX = "/public/"


def _error_page(request: Request, message: str, status: int) -> HTMLResponse:
    # The public pages (意见征集) face the internet: their errors show nothing of the office's app (no 登录).
    public = request.url.path.startswith(PUBLIC_PREFIX)
    return _page(
        "public_error.html.j2" if public else "error.html.j2", status_code=status, request=request, message=message
    )


def create_app() -> FastAPI:
    """The web app; `python -m pinggu.web` serves it."""
    settings = get_settings()
    app = FastAPI(
        title="pinggu 网页办理", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(check_post)]
    )
    sso_origin = settings.oidc_issuer.rstrip("/")
    app.add_middleware(SecurityHeaders, sso_origin=sso_origin)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.https,
    )
    app.add_middleware(BodyLimit)

    @app.exception_handler(NeedsSignIn)
    async def _sign_in_first(request: Request, needed: NeedsSignIn) -> RedirectResponse:
        target = "/login?next=" + quote(needed.next_path, safe="")
        if needed.notice:
            target += "&notice=" + quote(needed.notice)
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Refused)
    async def _refused(request: Request, refused: Refused) -> HTMLResponse:
        return _error_page(request, str(refused), refused.status)

    @app.exception_handler(PingguError)
    async def _product_error(request: Request, error: PingguError) -> HTMLResponse:
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, AccessDenied) else 409
        return _error_page(request, str(error), status)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, error: RequestValidationError) -> HTMLResponse:
        return _error_page(request, "网址或提交的内容有误，未受理：请从待办列表重新进入", 422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> HTMLResponse:
        entry = (
            "请从政府网站公布的意见征集链接进入" if request.url.path.startswith(PUBLIC_PREFIX) else "请从待办列表进入"
        )
        messages = {404: f"没有这个页面，{entry}", 405: "不支持这种请求方式"}
        return _error_page(request, messages.get(error.status_code, "请求未受理"), error.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> HTMLResponse:
        # Logged with its traceback for the operators; the person reads a Chinese sentence, never the trace.
        log.exception("网页办理出现未预期的错误：%s %s", request.method, request.url.path)
        return _error_page(request, "系统出现未预期的错误，本次操作未完成；已记录，请稍后重试或联系管理员", 500)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    app.include_router(auth_router(_page))

    @app.get("/", response_class=HTMLResponse)
    def todo_list(request: Request, tab: str = "mine") -> HTMLResponse:
        me = require(request)
        tab = tab if tab in TABS and (me.office or tab not in OFFICE_TABS) else "mine"
        tabs = {key: name for key, name in TABS.items() if me.office or key not in OFFICE_TABS}
        today = now_beijing().date()
        items = visible_todos(me, tab, today)
        return _page(
            "todo.html.j2",
            request=request,
            todos=items,
            tab=tab,
            tabs=tabs,
            now=now_beijing().strftime("%Y-%m-%d %H:%M"),
        )

    @app.get("/evaluations/{code}/gates/{gate}", response_class=HTMLResponse)
    def gate_page(code: str, gate: str, request: Request) -> HTMLResponse:
        return _page("gate.html.j2", **_gate_page(request, code, gate), values={}, error=None, problems=[])

    @app.post("/evaluations/{code}/gates/{gate}/unlock", response_class=HTMLResponse)
    async def unlock(code: str, gate: str, request: Request) -> Response:
        context = _gate_context(code, gate)
        posted = await request.form()
        _code_rate(request, context["evaluation"], gate)  # a burst is refused before anything is recorded
        try:
            with read_session() as session:
                signer = people.signer_of(
                    session=session, evaluation=context["evaluation"], gate=gate, code=str(posted.get("code", ""))
                )
                gate_handover.check_signer(session, context["evaluation"], gate, signer)
        except PingguError as error:
            _code_failed(request, context["evaluation"], gate)
            _record_refusal(context["evaluation"], gate, str(error), True)
            page = _gate_page(request, code, gate)
            return _page("gate.html.j2", status_code=422, **page, values={}, error=str(error), problems=[])
        request.session["guest"] = [code, gate]
        return RedirectResponse(app_path(gate_url(code, gate)), status_code=303)

    @app.post("/evaluations/{code}/gates/{gate}/handover", response_class=HTMLResponse)
    async def hand_over(code: str, gate: str, request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        me = require(request)
        context = _gate_page(request, code, gate)
        posted = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return _error_page(request, "这份表单已经提交过，请勿重复提交：请回到办理页面查看转办结果", 409)
        what = f"转办“{context['gate_name']}”（评估 {code}）"
        if not context["may_act"] and not me.admin:
            refuse(request, me, what, f"您（{me.name}，{me.unit}）不能{what}：{context['refusal']}")
        try:
            handed = await run_in_threadpool(_hand_over, me, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return _page("gate.html.j2", status_code=422, **context, values={}, error=message, problems=[])
        lines = [f"已{what}：由 {handed.from_name} 转交 {handed.to_name}", handed.reason]
        back = app_path(gate_url(code, gate))
        return _page("tracking_done.html.j2", request=request, lines=lines, back=back)

    @app.post("/evaluations/{code}/gates/{gate}", response_class=HTMLResponse)
    async def answer(code: str, gate: str, request: Request) -> HTMLResponse:
        context = _gate_page(request, code, gate)
        posted = await request.form()
        texts = {key: value for key, value in posted.items() if isinstance(value, str)}
        if not FIRST_ANSWER.first(texts.get(NONCE_FIELD, "")):
            return _error_page(request, "这份表单已经提交过，请勿重复提交：请回到待办查看办理结果", 409)
        try:
            outcome = await _answer(request, context, texts, posted.get("file"))
        except Refused:
            raise  # too frequent: one audit event per burst, not one refusal per try
        except PingguError as error:
            message, problems = refusal_lines(error)
            if isinstance(error, SignoffRefused):
                _code_failed(request, context["evaluation"], gate)
            _record_refusal(context["evaluation"], gate, message, isinstance(error, SignoffRefused))
            values = {k: v for k, v in texts.items() if k not in ("code", CSRF_FIELD, NONCE_FIELD)}
            return _page("gate.html.j2", status_code=422, **context, values=values, error=message, problems=problems)
        return _page("done.html.j2", **context, outcome=outcome)

    app.include_router(tracking_router(_page))
    app.include_router(followups_router(_page))
    app.include_router(dashboard_router())
    app.include_router(plans_router(_page))
    app.include_router(supervision_router(_page))
    app.include_router(procedures_router(_page))
    app.include_router(decisions_router(_page))
    app.include_router(comments_router(_page))
    app.include_router(start_router(_page))
    app.include_router(operations_router(_page))

    @app.get("/evaluations/{code}", response_class=HTMLResponse)
    def evaluation_page(code: str, request: Request) -> HTMLResponse:
        me = require(request)
        with read_session() as session:
            evaluation = store.get_evaluation(session=session, code=code)
            decision = store.get_decision(session=session, code=evaluation.decision_code)
            allow(request, me, evaluation_resource(session, evaluation), f"评估 {code}")
            assert evaluation.id is not None  # a stored evaluation
            shown = [d for d in store.documents(session=session, evaluation_id=evaluation.id) if not d.superseded]
        return _page(
            "evaluation.html.j2",
            request=request,
            evaluation=evaluation,
            decision=decision,
            documents=[(d.title, document_url(d.id), beijing_minute(d.created_at)) for d in shown if d.id is not None],
            type_name=EVALUATION_TYPE_NAMES.get(evaluation.type, evaluation.type),
            status_name=STATUS_NAMES.get(evaluation.status, evaluation.status),
            waiting=gate_url(code, evaluation.waiting_gate) if evaluation.waiting_gate else None,
            stages=STAGE_NAMES,
        )

    @app.get("/evaluations/{code}/answers/{key}", response_class=HTMLResponse)
    def answer_progress(code: str, key: str, request: Request) -> HTMLResponse:
        from pinggu.services.orchestration import outcome_of

        asked = GateKey.parse(key)
        if asked is None:
            raise NotFound("没有这次办理记录，请从待办列表进入")
        context = _gate_page(request, code, asked.gate.value)
        outcome = outcome_of(code, key, timeout=0.1) or AnswerOutcome(accepted=None, key=key)
        return _page("done.html.j2", **context, outcome=outcome)

    @app.get("/documents/{document_id}")
    def document(document_id: str, request: Request) -> FileResponse:
        if not document_id.isdigit():
            raise NotFound("没有这份文件，请从待办或办理页面的链接打开")
        with read_session() as session:
            found = session.get(Document, int(document_id))
            if found is None:
                raise NotFound("没有这份文件，请从待办或办理页面的链接打开")
            evaluation = store.get_evaluation_by_id(session=session, evaluation_id=found.evaluation_id)
            resource = evaluation_resource(session, evaluation)
            guest_gate = _guest_gate(request, evaluation.code)
            shown_to_guest = guest_gate is not None and any(
                url == document_url(int(document_id)) for _, url in _under_review(session, evaluation, guest_gate)
            )
        me = viewer(request)
        if not shown_to_guest:
            if me is None:
                me = require(request)
            allow(request, me, resource, f"文件“{found.title}”")
        _record_view(found, me.name if me else "签署码持有人", client_address(request))
        path = local_file(found.path)  # NotFound if the store no longer has it
        inline = path.suffix.lower() in (".pdf", ".txt", ".json")
        return FileResponse(
            path,
            media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            filename=shown_name(found.title, found.path),
            content_disposition_type="inline" if inline else "attachment",
        )

    return app


def _guest_gate(request: Request, evaluation_code: str) -> str | None:
    guest = request.session.get("guest")
    return str(guest[1]) if isinstance(guest, list) and len(guest) == 2 and guest[0] == evaluation_code else None


def _gate_page(request: Request, code: str, gate: str) -> dict[str, Any]:
    """The gate's context for this request: a signed-in person who may see it, someone who opened it with
    their sign-off code, or (without either) only the code prompt: no documents, no names."""
    context = _gate_context(code, gate)
    me = viewer(request)
    if me is not None:
        allow(request, me, context["resource"], f"评估 {code} 的办理环节")
        with read_session() as session:
            person = session.get(Person, me.person_id)
            assert person is not None  # the signed-in person
            refused = gate_handover.refusal(session, context["evaluation"], gate, person)
            if context["waiting_here"] and (refused is None or me.admin):  # the holder, or an administrator
                context["receivers"] = gate_handover.receivers(session, context["evaluation"], gate, person)
        context["may_act"], context["refusal"] = refused is None, refused or ""
    else:
        context["may_act"] = True  # with a code
        if not _guest_of(request, code, gate):
            context.update(documents=[], holders=[], locked=True)
    context.setdefault("locked", False)
    context["request"] = request
    return context


def _code_limits(request: Request, evaluation: Evaluation, gate: str) -> list[tuple[RateGate, str]]:
    return [(CODE_PER_ADDRESS, client_address(request)), (CODE_PER_GATE, f"{evaluation.code}/{gate}")]


def _code_rate(request: Request, evaluation: Evaluation, gate: str) -> None:
    """Refuse a burst of wrong sign-off codes from one address or at one gate (one audit event per burst)."""
    assert evaluation.id is not None  # a stored evaluation
    evaluation_id, address = evaluation.id, client_address(request)
    for limiter, key in _code_limits(request, evaluation, gate):
        if limiter.blocked(key):
            if limiter.burst_started(key):
                transaction(
                    lambda session: audit_record(
                        session, "signoff_rate_limited", evaluation_id=evaluation_id, gate=gate, address=address
                    )
                )
            raise Refused("签署码输错次数过多，已暂停受理：请 10 分钟后再试", 429)


def _code_failed(request: Request, evaluation: Evaluation, gate: str) -> None:
    """Count a wrong sign-off code against the address and the gate."""
    for limiter, key in _code_limits(request, evaluation, gate):
        limiter.failed(key)


def audit_record(session: Any, action: str, **detail: Any) -> None:
    """One audit event (the web app's own: rate limits, document views)."""
    from pinggu.models import audit

    audit.record(session=session, action=action, **detail)


def _record_view(document: Document, who: str, address: str) -> None:
    transaction(
        lambda session: audit_record(
            session,
            "document_opened",
            actor=who,
            evaluation_id=document.evaluation_id,
            document=document.id,
            title=document.title,
            address=address,
        )
    )


async def _answer(request: Request, context: dict[str, Any], texts: dict[str, str], upload: Any) -> AnswerOutcome:
    """Check the answer at once; if it passes, resume the run with it and wait for the flow's verdict."""
    from starlette.concurrency import run_in_threadpool

    from pinggu.services.orchestration import answer_gate, outcome_of, paused_at, read_flow_run

    evaluation: Evaluation = context["evaluation"]
    gate: str = context["gate"]
    if not context["waiting_here"]:
        raise StateConflict(f"评估 {evaluation.code} 当前不在“{context['gate_name']}”环节，无需办理")
    if not evaluation.flow_run_id:
        raise StateConflict(f"评估 {evaluation.code} 没有对应的流程运行，无法在网页办理")
    me = viewer(request)
    if me is None:  # someone without an account: their code, rate-limited; an outsider is refused here
        _code_rate(request, evaluation, gate)
        with read_session() as session:
            people.signer_of(session=session, evaluation=evaluation, gate=gate, code=texts.get("code", ""))
        code = texts.get("code", "")
    else:
        if not context["may_act"]:
            raise SignoffRefused(context["refusal"])
        if context["second_factor"]:
            _code_rate(request, evaluation, gate)
        code = await run_in_threadpool(_session_code, me, evaluation, context, texts.get("code", ""))
    flow_run = await run_in_threadpool(read_flow_run, evaluation.flow_run_id)
    if paused_at(flow_run) != gate:
        raise OrchestrationError("评估流程正在处理上一次提交，请稍候刷新页面后再办理")
    form = GATE_FORMS[GateId(gate)]
    values = form_values(context["fields"], texts)
    values["code"] = code
    if any(field.widget == "file" for field in context["fields"]):
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputFileError("请选择要上传的文件")
        values["file"] = await save_upload(
            upload, title=GATES[GateId(gate)].name, folder=f"{evaluation.code}/{gate}", allowed=UPLOAD_TYPES[form]
        )
    asked = GateKey.parse(flow_run.state.state_details.pause_key)
    assert asked is not None  # paused_at found the run waiting at this gate, under this gate's key
    key, attempt = asked.key, asked.attempt
    assert evaluation.id is not None  # a stored evaluation
    try:
        run_input = validated(form, values)
        # The flow's own check, recorded nowhere: what it would refuse is refused here, before the run resumes.
        answer = form.model_validate(run_input)
        await run_in_threadpool(judge_answer, evaluation.id, gate, attempt, key, answer, None, commit=False)
    except PingguError:
        discard(values.get("file"))  # a refused upload is not kept: the reason is recorded, the data not needed
        raise
    answered = await run_in_threadpool(answer_gate, evaluation.flow_run_id, gate, run_input)
    # Most answers are judged within a few seconds; a slower one shows at once that it was handed over, and
    # the page follows the flow until it has decided (answer_progress).
    outcome = await run_in_threadpool(outcome_of, evaluation.code, answered, timeout=4)
    return outcome or AnswerOutcome(accepted=None, key=answered)


def _hand_over(me: Viewer, context: dict[str, Any], posted: dict[str, str]) -> handover.Handed:
    """转办 the waiting gate to the person chosen, as its holder or an administrator."""
    chosen = posted.get("to_person", "")
    if not chosen.isdigit():
        raise StateConflict("请选择转办给谁")
    return gate_handover.hand_over_gate(
        context["evaluation"].code,
        context["gate"],
        by_person_id=me.person_id,
        by_admin=me.admin,
        to_person_id=int(chosen),
        reason=posted.get("reason", ""),
    )


def _session_code(me: Viewer, evaluation: Evaluation, context: dict[str, Any], typed: str) -> str:
    """The code the run is resumed with for a signed-in person (made here, never shown); at a gate that asks
    for a second factor, only after the code sent to this very person was given too."""
    gate: str = context["gate"]

    def make(session: Any) -> str:
        if context["second_factor"]:
            people.signer_of(session=session, evaluation=evaluation, gate=gate, code=typed, for_person=me.person_id)
        person = session.get(Person, me.person_id)
        return people.session_code(
            session=session,
            evaluation=evaluation,
            gate=gate,
            person=person,
            profile=context["decision"].profile,
            actor=context["actor"],
            second_factor=bool(context["second_factor"]),
            holder=context["holder"],
        )

    return transaction(make)


def _record_refusal(evaluation: Evaluation, gate: str, reason: str, signature: bool) -> None:
    assert evaluation.id is not None  # a stored evaluation
    evaluation_id = evaluation.id
    transaction(
        lambda session: people.refused_attempt(
            session=session, evaluation_id=evaluation_id, gate=gate, reason=reason, channel="网页", signature=signature
        )
    )


__all__ = ["PageField", "create_app", "todos", "visible_todos"]
