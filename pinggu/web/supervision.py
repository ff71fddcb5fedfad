"""A supervision round in the web app (issue 29): its report, every rectification item with what the unit
reported, and the step the round waits at — the leaders' approval of the report (CL-53) or the office's
review — answered by the signed-in person the profile names, signed for them (pinggu.services.signatures) and
judged by the flow's own rules when the run resumes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from pinggu.core.errors import NotFound, PingguError, SignoffRefused, StateConflict
from pinggu.core.links import supervision_url
from pinggu.forms.gates import SUPERVISION_FORMS, validated
from pinggu.models.db import read_session
from pinggu.models.kept_answers import round_answers
from pinggu.models.tables import SupervisionRound, now_beijing
from pinggu.models.tracking import items_of
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.access import ResourceKind, Viewer
from pinggu.rules.tracking import (
    RECTIFICATION_STATUS_NAMES,
    SUPERVISION_STEP_NAMES,
    RectificationStatus,
    SupervisionStep,
)
from pinggu.services import supervision
from pinggu.services.actors import tracking_resource
from pinggu.web.access import allow
from pinggu.web.auth import require
from pinggu.web.fields import form_values, page_fields, refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD


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

    @router.get("/supervision/new", response_class=HTMLResponse)
    def start_page(request: Request, decision: str = "") -> HTMLResponse:
        require(request)
        values = {"decision": decision}
        return page("supervision_start.html.j2", request=request, fields=START_FIELDS, values=values, error=None)

    @router.post("/supervision/new", response_class=HTMLResponse)
    async def start(request: Request) -> HTMLResponse:
        me = require(request)
        form = await request.form()
        posted = {k: v for k, v in form.items() if isinstance(v, str)}
        chosen = {
            f.name: [v for v in form.getlist(f.name) if isinstance(v, str)]
            for f in START_FIELDS
            if f.widget == "checks"
        }
        try:
            lines = await run_in_threadpool(_start, request, me, posted, chosen)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page(
                "supervision_start.html.j2", status_code=422, request=request, fields=START_FIELDS,
                values={**posted, **chosen}, error=message,
            )  # fmt: skip
        return page("tracking_done.html.j2", request=request, lines=lines)

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
    from pinggu.services.signatures import answer_signed

    step: SupervisionStep | None = context["step"]
    me: Viewer = context["me"]
    round_: SupervisionRound = context["round"]
    if step is None:
        raise StateConflict("本次督查当前没有等待办理的环节")
    if not context["may_act"]:
        raise SignoffRefused(f"{me.name} 不是{context['actor']}的人员，不能办理{context['step_name']}")
    values = validated(SUPERVISION_FORMS[step], form_values(context["fields"], posted))
    key: str = context["key"]

    def judged() -> dict[str, Any] | None:
        with read_session() as session:
            current = session.get(SupervisionRound, round_.id)
            kept = round_answers(current.answers) if current else ()
        answered = next((a for a in kept if a.key == key), None)
        return None if answered is None else {"accepted": answered.refused is None, "reason": answered.refused}

    outcome = answer_signed(
        run_id=round_.key.removeprefix("run-"),
        key=key,
        person_id=me.person_id,
        values=values,
        what=context["step_name"],
        verdict=judged,
    )
    return outcome or {"accepted": False, "reason": None, "at": now_beijing().isoformat()}


START_FIELDS = page_fields(SupervisionInput)


def _start(request: Request, me: Viewer, posted: dict[str, str], chosen: dict[str, list[str]]) -> list[str]:
    """Start a supervision round as `pinggu supervision start` does, recorded by the signed-in person; who may:
    the office, or the profile's supervisor."""
    from pinggu.models.evaluations import get_decision
    from pinggu.rules.periods import check_not_after_today
    from pinggu.services.orchestration import start_supervision

    code = posted.get("decision", "").strip()
    if not code:
        raise StateConflict("请填写决策编号")
    with read_session() as session:
        decision = get_decision(session=session, code=code)  # NotFound in Chinese
        resource = tracking_resource(session, code)
    from pinggu.rules.profiles import load_profile

    supervisor = load_profile(decision.profile).tracking.supervisor
    if not me.may_act(supervisor):
        allow(request, me, replace(resource, kind=ResourceKind.office), f"启动督查（决策 {code}）")
    findings = SupervisionInput.model_validate(
        validated(SupervisionInput, form_values(START_FIELDS, posted, chosen, SupervisionInput))
    )
    if findings.held_on is not None:
        check_not_after_today(findings.held_on, now_beijing().date(), "督查日期")
    supervision.check_findings(decision.profile, findings)  # OR-10, MH-S2, MH-S9: refused before any run starts
    run_id = start_supervision(code, findings.model_dump(mode="json"), f"{me.name}（{me.unit}）")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with read_session() as session:
            found = session.exec(select(SupervisionRound).where(SupervisionRound.key == f"run-{run_id}")).first()
        if found is not None:
            return [
                f"已启动督查：决策 {code}，督查记录 {found.id}（{supervision_url(found.id or 0)}）",
                f"记录人 {me.name}",
            ]
        time.sleep(0.5)
    return [f"已启动督查：决策 {code}；督查报告生成后出现在跟踪反馈与督查页面", f"记录人 {me.name}"]
