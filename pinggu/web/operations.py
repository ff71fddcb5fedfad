"""The office's and the administrators' operations in the web app (issue 29), as the command line does them:
人员名单导入 (`pinggu people import`, administrators only), 档案报备登记 (`pinggu catalog archived`, MH-A10,
the office) and 重发签署码 (`pinggu people resend`, the office). Each is recorded as the signed-in person's act;
every refusal is a Chinese 403 page and an audit event.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pinggu.core.document_store import local_file
from pinggu.core.errors import InputFileError, PingguError, StateConflict
from pinggu.core.links import app_path, evaluation_url
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.tables import now_beijing
from pinggu.web.access import allow, refuse
from pinggu.web.auth import require
from pinggu.web.fields import PageField, refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD
from pinggu.web.uploads import MAX_UPLOAD_BYTES, discard, save_upload
from pinggu.rules.access import Resource, ResourceKind, Viewer
from pinggu.rules.periods import check_not_after_today

PEOPLE_TYPES = (".csv", ".xlsx")
PEOPLE_FIELDS = [
    PageField(
        "file",
        "人员名单文件",
        "表头：姓名、单位、职务、角色、辖区、联系方式、登录名（辖区、登录名可空）",
        "file",
        True,
    )
]
ARCHIVE_FIELDS = [PageField("on", "报备日期", "不填为今天；不得晚于今天", "date", False)]


def signed_as(me: Viewer) -> str:
    """The actor an operation is recorded as: the signed-in person's 姓名（单位）."""
    return f"{me.name}（{me.unit}）"


def _admin(request: Request) -> Viewer:
    """The signed-in administrator of every jurisdiction (the people file covers them all), or a 403, audited."""
    me = require(request)
    if not me.admin:
        refuse(request, me, "人员名单导入", f"您（{me.name}，{me.unit}）不是管理员：人员名单只能由管理员导入")
    if me.profiles:
        refuse(request, me, "人员名单导入", "人员名单覆盖全部辖区：只能由不限辖区的管理员导入")
    return me


def _office_of_decision(request: Request, code: str, what: str) -> tuple[Viewer, Any]:
    """The signed-in office (or administrator) of the decision's jurisdiction and the decision, or a 403, audited."""
    me = require(request)
    with read_session() as session:
        decision = store.get_decision(session=session, code=code)  # NotFound in Chinese
    allow(request, me, Resource(ResourceKind.office, decision.profile), what)
    return me, decision


def _posted(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def operations_router(page: Any) -> APIRouter:
    """/people/import, /decisions/{code}/archived and /evaluations/{code}/resend."""
    router = APIRouter()

    def once(request: Request, posted: dict[str, str]) -> HTMLResponse | None:
        if FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return None
        return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")

    @router.get("/people/import", response_class=HTMLResponse)
    def people_page(request: Request) -> HTMLResponse:
        _admin(request)
        return page("people_import.html.j2", request=request, **_people_context(), error=None, problems=[])

    @router.post("/people/import", response_class=HTMLResponse)
    async def people_import(request: Request) -> HTMLResponse:
        me = _admin(request)
        form = await request.form()
        twice = once(request, _posted(form))
        if twice is not None:
            return twice
        try:
            lines = await _import_people(me, form.get("file"))
        except PingguError as error:
            message, problems = refusal_lines(error)
            return page(
                "people_import.html.j2", status_code=422, request=request, **_people_context(), error=message,
                problems=problems,
            )  # fmt: skip
        return page("tracking_done.html.j2", request=request, lines=lines, back="/people/import")

    @router.get("/decisions/{code}/archived", response_class=HTMLResponse)
    def archived_page(code: str, request: Request) -> HTMLResponse:
        me, decision = _office_of_decision(request, code, f"决策 {code} 的档案报备")
        return page("archive_filed.html.j2", request=request, **_archive_context(me, decision), values={}, error=None)

    @router.post("/decisions/{code}/archived", response_class=HTMLResponse)
    async def archived(code: str, request: Request) -> HTMLResponse:
        me, decision = _office_of_decision(request, code, f"决策 {code} 的档案报备")
        posted = _posted(await request.form())
        twice = once(request, posted)
        if twice is not None:
            return twice
        try:
            lines = await run_in_threadpool(_file_archive, me, code, posted.get("on", ""))
        except PingguError as error:
            message, _ = refusal_lines(error)
            context = _archive_context(me, decision)
            return page(
                "archive_filed.html.j2", status_code=422, request=request, **context, values=posted, error=message
            )
        return page("tracking_done.html.j2", request=request, lines=[*lines, f"报备登记人 {signed_as(me)}"])

    @router.get("/evaluations/{code}/resend", response_class=HTMLResponse)
    def resend_page(code: str, request: Request) -> HTMLResponse:
        return page("resend.html.j2", request=request, **_resend_context(request, code), values={}, error=None)

    @router.post("/evaluations/{code}/resend", response_class=HTMLResponse)
    async def resend(code: str, request: Request) -> HTMLResponse:
        context = _resend_context(request, code)
        posted = _posted(await request.form())
        twice = once(request, posted)
        if twice is not None:
            return twice
        try:
            lines = await run_in_threadpool(_resend, context["me"], code, posted.get("person", ""))
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("resend.html.j2", status_code=422, request=request, **context, values=posted, error=message)
        return page("tracking_done.html.j2", request=request, lines=lines, back=app_path(evaluation_url(code)))

    return router


def _people_context() -> dict[str, Any]:
    return {"fields": PEOPLE_FIELDS, "accept": ",".join(PEOPLE_TYPES), "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024}


async def _import_people(me: Viewer, upload: Any) -> list[str]:
    """Check the upload, import it as `pinggu people import` does (every row checked first, all or nothing),
    recorded as the administrator; the uploaded file is not kept (the people table holds what it listed)."""
    from pinggu.people import import_people_file

    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputFileError("请选择要导入的人员名单文件")
    location = await save_upload(upload, title="人员名单", folder="people", allowed=PEOPLE_TYPES)
    try:
        with tempfile.TemporaryDirectory() as folder:
            named = Path(folder) / f"人员名单{Path(location).suffix}"  # the Chinese errors name the file
            shutil.copyfile(local_file(location), named)
            created, updated, deactivated = await run_in_threadpool(
                import_people_file, named, source=f"网页上传 {named.name}", actor=signed_as(me)
            )
    finally:
        discard(location)
    return [
        f"已导入人员名单：新增 {created} 人，更新 {updated} 人，停用 {deactivated} 人",
        f"导入人 {signed_as(me)}",
    ]


def _archive_context(me: Viewer, decision: Any) -> dict[str, Any]:
    return {"decision": decision, "me": me, "fields": ARCHIVE_FIELDS, "today": now_beijing().date().isoformat()}


def _file_archive(me: Viewer, code: str, typed: str) -> list[str]:
    """登记决策档案已报备 (MH-A10) as `pinggu catalog archived` does, by the signed-in person; not after today."""
    from pinggu.services.decision_archive import record_filing

    today = now_beijing().date()
    try:
        on = date.fromisoformat(typed.strip()) if typed.strip() else today
    except ValueError:
        raise StateConflict(f"报备日期应为 YYYY-MM-DD，收到：{typed}") from None
    check_not_after_today(on, today, "报备日期")
    return [f"已登记：决策 {code} {line}" for _, line in record_filing(code, on, signed_as(me))]


def _resend_context(request: Request, code: str) -> dict[str, Any]:
    """The evaluation's waiting gate and its entitled people, for the signed-in office of its jurisdiction."""
    from pinggu.services.signoff import waiting_gate

    me = require(request)
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)  # NotFound in Chinese
        decision = store.get_decision(session=session, code=evaluation.decision_code)
    allow(request, me, Resource(ResourceKind.office, decision.profile), f"评估 {code} 的签署码重发")
    context: dict[str, Any] = {"evaluation": evaluation, "decision": decision, "me": me, "waiting": None}
    if evaluation.waiting_gate:
        context["waiting"] = waiting_gate(code)
    return context


def _resend(me: Viewer, code: str, chosen: str) -> list[str]:
    """Resend the waiting gate's codes as `pinggu people resend` does; for one chosen person, withdraw theirs first."""
    from pinggu.services.signoff import resend_codes

    if chosen and not chosen.isdigit():
        raise StateConflict("请从可办理人员中选择")
    person_id = int(chosen) if chosen else None
    return [*resend_codes(code, person_id=person_id, by=signed_as(me)).lines(), f"办理人 {signed_as(me)}"]
