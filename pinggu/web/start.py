"""Starting an evaluation from the web app (issue 29), for the office: a catalog decision, the type, the
methods and the team, checked as `pinggu evaluate` checks them; the run's own refusals (a type the decision
does not fit, a method the profile does not list) are shown on the page in Chinese as soon as the run gives
them, and an accepted start names the evaluation and links to its first step.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from pinggu.core.errors import PingguError, StateConflict
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.web.access import allow
from pinggu.web.auth import require
from pinggu.web.fields import TEAM_HELP, refusal_lines, team_members
from pinggu.rules.access import Resource, ResourceKind, Viewer
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, METHODS


def start_router(page: Any) -> APIRouter:
    """/evaluations/new: the office starts an evaluation of a catalog decision."""
    router = APIRouter()

    @router.get("/evaluations/new", response_class=HTMLResponse)
    def start_page(request: Request, code: str = "") -> HTMLResponse:
        _office(request, "")
        return page("start.html.j2", request=request, **_choices(), values={"decision": code}, error=None, problems=[])

    @router.post("/evaluations/new", response_class=HTMLResponse)
    async def start(request: Request) -> HTMLResponse:
        form = await request.form()
        posted = {k: v for k, v in form.items() if isinstance(v, str)}
        methods = [m for m in form.getlist("methods") if isinstance(m, str)]
        try:
            me = _office(request, posted.get("decision", "").strip())
            said = await run_in_threadpool(_start, me, posted, methods)
        except PingguError as error:
            message, problems = refusal_lines(error)
            values = {**posted, "methods": methods}
            return page(
                "start.html.j2", status_code=422, request=request, **_choices(), values=values, error=message,
                problems=problems,
            )  # fmt: skip
        return page("tracking_done.html.j2", request=request, lines=said)

    return router


def _choices() -> dict[str, Any]:
    return {"types": EVALUATION_TYPE_NAMES, "methods": METHODS, "team_help": TEAM_HELP}


def _office(request: Request, decision: str) -> Viewer:
    """The office (评估办公室 / 督查) or an administrator, for the decision's jurisdiction."""
    me = require(request)
    profile = ""
    if decision:
        with read_session() as session:
            profile = store.get_decision(session=session, code=decision).profile  # NotFound in Chinese
    allow(request, me, Resource(ResourceKind.office, profile or (me.profiles[0] if me.profiles else "")), "启动评估")
    return me


def _start(me: Viewer, posted: dict[str, str], methods: list[str]) -> list[str]:
    """Start the run as `pinggu evaluate` does; wait briefly for the evaluation to open or for the run's refusal."""
    from pinggu.services.orchestration import DEPLOYMENTS, read_flow_run, start_evaluation

    decision = posted.get("decision", "").strip()
    kind = posted.get("type", "")
    if not decision:
        raise StateConflict("请填写决策编号")
    if kind not in DEPLOYMENTS:
        raise StateConflict(f"请选择评估类型：{'、'.join(EVALUATION_TYPE_NAMES.values())}")
    parameters: dict[str, Any] = {"decision": decision, "team": team_members(posted.get("team", ""))}
    if methods:
        parameters["methods"] = methods
    run_id = start_evaluation(kind, parameters)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with read_session() as session:
            opened = store.find_by_flow_run(session=session, flow_run_id=str(run_id))
        if opened is not None:
            return [
                f"已启动 {EVALUATION_TYPE_NAMES[kind]}评估 {opened.code}（决策 {decision}），启动人 {me.name}",
                "评估流程将按规则逐项办理，需要办理的环节会出现在相关人员的待办中。",
            ]
        state = read_flow_run(run_id).state
        if state is not None and state.is_final():
            raise StateConflict(f"评估未能开始：{state.message or state.name}")
        time.sleep(0.5)
    return [f"已提交启动 {EVALUATION_TYPE_NAMES[kind]}评估（决策 {decision}），流程正在开启，稍后可在待办中查看。"]
