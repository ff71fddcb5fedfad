"""Acting on a decision from the web app (issue 29), as the command line does: the decision body records its
decision to continue, adjust, suspend or terminate it (`pinggu decide`; MH-2 where the regulation asks it), as
a signed-in person of the actor the profile names for the report's approval; the office records a trigger event
(`pinggu trigger`, T-EVENT; a major controversy or risk proposes the prompt plan, T-PROMPT) and redoes an
evaluation from a stage (`pinggu reopen`, minhang 12). Every act is recorded as the signed-in person's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from pinggu.core.errors import AccessDenied, PingguError, StateConflict
from pinggu.core.links import app_path, evaluation_url
from pinggu.models import evaluations as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Decision, now_beijing
from pinggu.web.access import allow
from pinggu.web.auth import require
from pinggu.web.fields import refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD
from pinggu.rules.access import Resource, ResourceKind, Viewer
from pinggu.rules.periods import check_not_after_today
from pinggu.rules.steps import STAGE_NAMES
from pinggu.rules.vocabulary import EVENT_KIND_NAMES, Conclusion
from pinggu.services.actors import decision_body


def decisions_router(page: Any) -> APIRouter:
    """/decisions/{code}/outcome: the decision body's decision, recorded for the signed-in person."""
    router = APIRouter()

    @router.get("/decisions/{code}/trigger", response_class=HTMLResponse)
    def trigger_page(code: str, request: Request) -> HTMLResponse:
        return page("trigger.html.j2", request=request, **_office(request, code), values={}, error=None)

    @router.post("/decisions/{code}/trigger", response_class=HTMLResponse)
    async def trigger(code: str, request: Request) -> HTMLResponse:
        context = _office(request, code)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            lines = await run_in_threadpool(_trigger, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("trigger.html.j2", status_code=422, request=request, **context, values=posted, error=message)
        return page("tracking_done.html.j2", request=request, lines=lines)

    @router.post("/evaluations/{code}/reopen", response_class=HTMLResponse)
    async def reopen(code: str, request: Request) -> HTMLResponse:
        me = require(request)
        with read_session() as session:
            evaluation = store.get_evaluation(session=session, code=code)
            decision = store.get_decision(session=session, code=evaluation.decision_code)
        allow(request, me, Resource(ResourceKind.office, decision.profile), f"重新评估 {code}")  # 403, audited
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            lines = await run_in_threadpool(_reopen, me, code, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("error.html.j2", status_code=422, request=request, message=message)
        return page("tracking_done.html.j2", request=request, lines=lines, back=app_path(evaluation_url(code)))

    @router.get("/decisions/{code}/outcome", response_class=HTMLResponse)
    def outcome_page(code: str, request: Request) -> HTMLResponse:
        return page("outcome.html.j2", request=request, **_context(request, code), values={}, error=None)

    @router.post("/decisions/{code}/outcome", response_class=HTMLResponse)
    async def record(code: str, request: Request) -> HTMLResponse:
        context = _context(request, code)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")
        try:
            lines = await run_in_threadpool(_record, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("outcome.html.j2", status_code=422, request=request, **context, values=posted, error=message)
        return page("tracking_done.html.j2", request=request, lines=lines)

    return router


def _context(request: Request, code: str) -> dict[str, Any]:
    me = require(request)
    with read_session() as session:
        decision = store.get_decision(session=session, code=code)  # NotFound in Chinese
    body = decision_body(decision)
    if not (me.may_act(body) and me.covers(decision.profile)):
        allow(request, me, Resource(ResourceKind.office, decision.profile), f"决策 {code} 的决定")  # 403, audited
        raise AccessDenied(f"决策 {code} 的继续执行、调整、中止或终止执行由{body}决定")
    return {"decision": decision, "body": body, "me": me, "choices": [c.value for c in Conclusion]}


def _office(request: Request, code: str) -> dict[str, Any]:
    """The decision and the signed-in office (评估办公室 / 督查, or an administrator) of its jurisdiction."""
    me = require(request)
    with read_session() as session:
        decision = store.get_decision(session=session, code=code)  # NotFound in Chinese
    allow(request, me, Resource(ResourceKind.office, decision.profile), f"决策 {code} 的触发情形")
    return {"decision": decision, "me": me, "kinds": EVENT_KIND_NAMES}


def _day(text: str, what: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise StateConflict(f"{what}应为 YYYY-MM-DD，收到：{text}") from None


def _trigger(context: dict[str, Any], posted: dict[str, str]) -> list[str]:
    """Record a trigger event as `pinggu trigger` does, by the signed-in person; a major controversy or risk
    proposes the decision's prompt plan at once (T-PROMPT)."""
    from pinggu.rules.planning_types import PROMPT_EVENT_KINDS
    from pinggu.services.planning import add_trigger, propose_prompt_plan

    decision: Decision = context["decision"]
    me: Viewer = context["me"]
    kind = posted.get("kind", "")
    if kind not in EVENT_KIND_NAMES:
        raise StateConflict("请选择触发评估的情形")
    occurred = _day(posted.get("occurred_on", ""), "发生或申请日期")
    if occurred is None:
        raise StateConflict("请填写发生或申请日期")
    check_not_after_today(occurred, now_beijing().date(), "发生或申请日期")
    approved = _day(posted.get("approved_on", ""), "上级同意日期")
    by = f"{me.name}（{me.unit}）"
    lines = [add_trigger(decision.code, kind, occurred, posted.get("note", "").strip(), by, approved)]
    if kind in PROMPT_EVENT_KINDS:
        lines.append(propose_prompt_plan(decision.code, now_beijing().date()))
    return lines


def _reopen(me: Viewer, code: str, posted: dict[str, str]) -> list[str]:
    """重新评估 from a stage (minhang 12), decided by the office and recorded as the signed-in person's decision."""
    from pinggu.services.orchestration import reopen_evaluation

    stage = posted.get("stage", "")
    cancelled, run_id = reopen_evaluation(code, stage, posted.get("reason", ""), f"{me.name}（{me.unit}）")
    lines = [f"评估 {code} 已从{STAGE_NAMES.get(stage, stage)}阶段起重做；第一次评估的记录全部保留"]
    if cancelled:
        lines.append(f"已取消仍在等待的流程运行 {cancelled}")
    return [*lines, f"新的流程运行 {run_id}"]


def _record(context: dict[str, Any], posted: dict[str, str]) -> list[str]:
    """Record the decision body's decision as the signed-in person's (MH-2 checked by the same call as the CLI)."""
    from pinggu.models.decisions import record_outcome

    decision: Decision = context["decision"]
    me: Viewer = context["me"]
    today = now_beijing().date()
    try:
        decided_on = date.fromisoformat(posted.get("decided_on", "").strip() or today.isoformat())
    except ValueError:
        raise StateConflict(f"决定日期应为 YYYY-MM-DD，收到：{posted.get('decided_on')}") from None
    check_not_after_today(decided_on, today, "决定日期")
    role = posted.get("role", "").strip() or f"{me.unit}"
    entry = transaction(
        lambda session: record_outcome(
            session=session,
            decision_code=decision.code,
            outcome=posted.get("outcome", ""),
            decided_by=me.name,
            decided_by_role=role,
            decided_on=decided_on,
            note=posted.get("note", "").strip(),
        )
    )
    grounds = (
        f"依据评估 {entry.evaluation_code}"
        if entry.evaluation_code
        else "尚无已完成的后评估；所适用规定未以后评估为前提"
    )
    return [f"已记录：决策 {decision.code} {entry.outcome}（{grounds}）", f"决定人 {me.name}（{role}），{decided_on}"]
