"""A supervision round in the web app (issue 29): its report, every rectification item with what the unit
reported, and the step the round waits at — the leaders' approval of the report (CL-53) or the office's
review — answered by the signed-in person the profile names, signed for them (services.signatures) and
judged by the flow's own rules when the run resumes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core.errors import NotFound, PingguError, SignoffRefused, StateConflict
from forms.gates import SUPERVISION_FORMS
from models.db import read_session
from models.tables import SupervisionRound, now_beijing
from models.tracking import items_of
from pinggu.web.access import allow, tracking_resource
from pinggu.web.auth import require
from pinggu.web.fields import form_values, page_fields, refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD
from rules.access import Viewer
from rules.tracking import RECTIFICATION_STATUS_NAMES, SUPERVISION_STEP_NAMES, RectificationStatus, SupervisionStep
from services import supervision


def waiting_step(round_id: int) -> tuple[SupervisionStep, str] | None:
    """The round's human step waiting now and its pause key (the approval first, then the review), or None."""
    approval = supervision.approval_status(round_id)
    if approval is not None:
        return SupervisionStep.report_approval, approval.key
    review = supervision.review_status(round_id)
    return (SupervisionStep.rectification_review, review.key) if review is not None else None


def _context(request: Request, round_id: int) -> dict[str, Any]:
    me = require(request)
    with read_session() as session:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        items = items_of(session=session, round_id=round_id)
        resource = tracking_resource(session, round_.decision_code, *(i.unit for i in items))
        waiting = waiting_step(round_id)
        actor = supervision.step_actor_name(session, round_, waiting[0]) if waiting else ""
    resource = replace(resource, actors=(*resource.actors, actor))
    allow(request, me, resource, f"督查记录 {round_id}")
    step = waiting[0] if waiting else None
    return {
        "round": round_,
        "items": [(i, RECTIFICATION_STATUS_NAMES[RectificationStatus(i.status)]) for i in items],
        "step": step,
        "step_name": SUPERVISION_STEP_NAMES[step] if step else "",
        "key": waiting[1] if waiting else None,
        "actor": actor,
        "may_act": bool(step) and me.may_act(actor),
        "fields": page_fields(SUPERVISION_FORMS[step]) if step else [],
        "me": me,
    }


def supervision_router(page: Any) -> APIRouter:
    """/supervision/{round_id}: the round's page and the answer to the step it waits at."""
    router = APIRouter()

    @router.get("/supervision/{round_id}", response_class=HTMLResponse)
    def round_page(round_id: int, request: Request) -> HTMLResponse:
        return page("supervision.html.j2", request=request, **_context(request, round_id), values={}, error=None)

    @router.post("/supervision/{round_id}", response_class=HTMLResponse)
    async def answer(round_id: int, request: Request) -> HTMLResponse:
        context = _context(request, round_id)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")
        try:
            outcome = await run_in_threadpool(_answer, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page(
                "supervision.html.j2", status_code=422, request=request, **context, values=posted, error=message
            )
        if not outcome["accepted"]:
            message = outcome.get("reason") or "流程正在处理，请稍后刷新页面查看"
            fresh = _context(request, round_id)
            return page("supervision.html.j2", status_code=422, request=request, **fresh, values=posted, error=message)
        return page(
            "tracking_done.html.j2",
            request=request,
            lines=[f"已受理：{context['step_name']}（督查记录 {round_id}）", "流程继续办理。"],
        )

    return router


def _answer(context: dict[str, Any], posted: dict[str, str]) -> dict[str, Any]:
    """Sign the answer for the signed-in person, resume the run with exactly it, and wait for the flow's verdict."""
    from services.orchestration import answer_gate, gate_of_pause_key
    from services.signatures import sign_step

    step: SupervisionStep | None = context["step"]
    me: Viewer = context["me"]
    round_: SupervisionRound = context["round"]
    if step is None:
        raise StateConflict("本次督查当前没有等待办理的环节")
    if not context["may_act"]:
        raise SignoffRefused(f"{me.name} 不是{context['actor']}的人员，不能办理{context['step_name']}")
    try:
        form = SUPERVISION_FORMS[step].model_validate(form_values(context["fields"], posted))
    except ValidationError as error:
        fields = {field.name: field.title for field in context["fields"]}
        wrong = "、".join(dict.fromkeys(fields.get(str(e["loc"][0]), str(e["loc"][0])) for e in error.errors()))
        raise StateConflict(f"请检查填写的内容：{wrong}") from None
    values = form.model_dump(mode="json")
    key: str = context["key"]
    sign_step(key=key, person_id=me.person_id, values=values, what=context["step_name"])
    answer_gate(round_.key.removeprefix("run-"), gate_of_pause_key(key), values)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with read_session() as session:
            current = session.get(SupervisionRound, round_.id)
            answered = next((a for a in (current.answers if current else []) if a["key"] == key), None)
        if answered is not None:
            return {"accepted": answered.get("refused") is None, "reason": answered.get("refused")}
        time.sleep(0.5)
    return {"accepted": False, "reason": None, "at": now_beijing().isoformat()}
