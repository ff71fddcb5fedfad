"""The web app's follow-up pages (C-FOLLOWUP): after an adjust, suspend or terminate conclusion the unit
responsible reports back on what it did — the date of its report, what was done, optionally a document — and
the follow-up is closed (pinggu.services.followups.report_back, the same as `pinggu followup close`).

Whoever may see the evaluation, and the unit responsible, may open the page; only the office or that unit may
report. A refusal is shown on the page in Chinese and nothing is recorded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.datastructures import UploadFile

from pinggu.core.document_store import local_file, shown_name
from pinggu.core.errors import InputFileError, NotFound, PingguError, StateConflict
from pinggu.core.file_types import UPLOADED
from pinggu.core.links import app_path, follow_up_document_url, follow_up_url
from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Document, now_beijing
from pinggu.web.access import allow, evaluation_resource
from pinggu.web.auth import require
from pinggu.web.security import client_address
from pinggu.rules.access import Viewer
from pinggu.services.followups import DOCUMENT_TYPES, Attachment, FollowUpState, follow_up_state, open_follow_ups

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain; charset=utf-8",
}


def follow_up_todos() -> list[FollowUpState]:
    """Follow-ups waiting for their unit's report-back (for the 待办 list), the earliest due first."""
    return open_follow_ups()


def follow_up_link(item_id: int) -> str:
    """The page of a follow-up, as the 待办 list links it."""
    return app_path(follow_up_url(item_id))


def _allow(request: Request, item: FollowUpState) -> Viewer:
    """The signed-in person, if they may see the evaluation or belong to the unit responsible (else AccessDenied)."""
    me = require(request)
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=item.evaluation)
        resource = replace(evaluation_resource(session, evaluation), units=(item.unit,))
    allow(request, me, resource, f"后续措施 #{item.id}")
    return me


def _context(item: FollowUpState, today: date) -> dict[str, Any]:
    return {
        "item": item,
        "overdue": item.overdue(today),
        "documents": [(title, app_path(follow_up_document_url(item.id, i))) for title, i in item.documents],
        "accept": ",".join(DOCUMENT_TYPES),
        "today": today.isoformat(),
    }


def followups_router(page: Any) -> APIRouter:
    """The follow-up pages; `page(template, status_code=…, **context)` renders one (pinggu.web.app._page)."""
    router = APIRouter()

    @router.get("/followups/{item_id}", response_class=HTMLResponse)
    def follow_up_page(item_id: int, request: Request) -> HTMLResponse:
        item = follow_up_state(item_id)
        me = _allow(request, item)
        today = now_beijing().date()
        return page(
            "followup.html.j2",
            request=request,
            **_context(item, today),
            may_report=me.office or me.unit == item.unit,
            values={},
            error=None,
        )

    @router.post("/followups/{item_id}", response_class=HTMLResponse)
    async def report(item_id: int, request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from pinggu.services.followups import report_back

        item = follow_up_state(item_id)
        me = _allow(request, item)
        today = now_beijing().date()
        posted = await request.form()
        texts = {k: v for k, v in posted.items() if isinstance(v, str)}
        try:
            if not me.office and me.unit != item.unit:
                raise StateConflict(f"本项后续措施由{item.unit}报告落实情况，您（{me.unit}）不能代为报告")
            document = await _attachment(posted.get("file"))
            said = await run_in_threadpool(
                lambda: report_back(
                    item_id,
                    reported_on=_posted_day(texts.get("reported_on", ""), today),
                    note=texts.get("note", ""),
                    by=f"{me.unit}{me.name}",  # the signed-in person, never a typed name
                    today=today,
                    document=document,
                )
            )
        except PingguError as error:
            return page(
                "followup.html.j2",
                status_code=422,
                request=request,
                **_context(item, today),
                may_report=True,
                values=texts,
                error=str(error),
            )
        return page("tracking_done.html.j2", request=request, lines=[said])

    @router.get("/followups/{item_id}/documents/{document_id}")
    def document(item_id: int, document_id: int, request: Request) -> FileResponse:
        # The unit reads back what it handed in, though the evaluation's own documents are not its to open.
        item = follow_up_state(item_id)
        me = _allow(request, item)
        if document_id not in {i for _, i in item.documents}:
            raise NotFound("没有这份文件，请从后续措施页面的链接打开")
        with read_session() as session:
            found = session.get(Document, document_id)
        assert found is not None  # listed by follow_up_state
        transaction(
            lambda session: audit.record(
                session=session,
                action="document_opened",
                actor=me.name,
                evaluation_id=found.evaluation_id,
                document=found.id,
                title=found.title,
                address=client_address(request),
            )
        )
        path = local_file(found.path)
        return FileResponse(
            path,
            media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            filename=shown_name(found.title, found.path),
            content_disposition_type="inline" if path.suffix.lower() in (".pdf", ".txt") else "attachment",
        )

    return router


async def _attachment(upload: Any) -> Attachment | None:
    """The optional document, read whole (the request is capped before it is read: pinggu.web.security)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputFileError(f"{UPLOADED}超过 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB，请压缩或拆分后上传")
    suffix = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    return Attachment(data, suffix)


def _posted_day(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else today
    except ValueError:
        raise StateConflict(f"报告日期“{text}”格式应为 YYYY-MM-DD") from None
