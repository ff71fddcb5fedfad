"""The annual plan's approval in the web app (issue 29): the plans waiting for approval, a page per plan with
its items, and the approver's answer — signed for the signed-in person the profile names (plan_approver),
checked at once by the flow's own rules, then handed to the run, whose judge finds the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from pinggu.core.errors import AccessDenied, InputFileError, NotFound, PingguError, Problem, StateConflict
from pinggu.forms.gates import AnnualPlanApprovalForm
from pinggu.models.db import read_session
from pinggu.models.tables import PlanDecision, PlanEntry, now_beijing
from pinggu.web.auth import require
from pinggu.web.fields import refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD
from pinggu.rules.access import Viewer
from pinggu.rules.gates import PlanVerdict
from pinggu.rules.profiles import load_profiles
from pinggu.services.planning import (
    open_plan_entries,
    plan_approver,
    plan_changes,
    plan_entries,
    plan_refusal,
    plan_scope,
    scope_name,
)

CHANGES_HELP = "每行一项：决策编号，新的完成期限（YYYY-MM-DD）或“不列入”，理由；不调整则留空"


@dataclass(frozen=True)
class WaitingPlan:
    """An annual plan (or a decision's prompt plan) waiting for its approval."""

    run_id: str
    year: int
    profile: str | None
    decision: str | None
    key: str
    name: str
    actor: str


def waiting_plans() -> list[WaitingPlan]:
    """Every plan run suspended at its approval, as the Prefect server reports them."""
    from pinggu.services.orchestration import suspended_runs

    found = []
    for run in suspended_runs("annual-plan"):
        key = run.state.state_details.pause_key if run.state else None
        if not key or not key.startswith("annual-plan-"):
            continue
        parameters = run.parameters
        year = int(parameters.get("year") or key.split("-")[2])
        profile, decision = parameters.get("profile"), parameters.get("decision")
        found.append(
            WaitingPlan(
                run_id=str(run.id),
                year=year,
                profile=profile,
                decision=decision,
                key=key,
                name=f"{year} 年度评估计划（{scope_name(plan_scope(profile, decision))}）",
                actor=plan_approver(profile, decision),
            )
        )
    return found


def _mine(me: Viewer, plan: WaitingPlan) -> bool:
    profile = plan.profile or _decision_profile(plan.decision)
    return me.may_act(plan.actor) and (profile is None or me.covers(profile))


def _decision_profile(decision: str | None) -> str | None:
    if not decision:
        return None
    from pinggu.services.planning import get_decision_profile

    return get_decision_profile(decision)


def parse_changes(text: str) -> list[dict[str, Any]]:
    """The approver's changes typed one per line (决策编号，期限或不列入，理由), or InputFileError naming each bad line."""
    changes, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(",", "，").split("，", 2)]
        if len(parts) < 3 or not parts[0] or not parts[2]:
            problems.append(Problem(f"第 {number} 行“{line.strip()}”应写作：{CHANGES_HELP}"))
            continue
        if parts[1] == "不列入":
            changes.append({"decision": parts[0], "drop": True, "reason": parts[2]})
            continue
        try:
            changes.append({"decision": parts[0], "due_date": date.fromisoformat(parts[1]), "reason": parts[2]})
        except ValueError:
            problems.append(Problem(f"第 {number} 行的完成期限“{parts[1]}”应为 YYYY-MM-DD 或“不列入”"))
    if problems:
        raise InputFileError("逐项调整填写有误：", problems=problems)
    return changes


def plans_router(page: Any) -> APIRouter:
    """/plans and /plans/{run_id}; `page(template, status_code=…, request=…, **context)` renders."""
    router = APIRouter()

    @router.get("/plans", response_class=HTMLResponse)
    def plan_list(request: Request) -> HTMLResponse:
        me = require(request)
        plans = [plan for plan in waiting_plans() if _mine(me, plan) or me.admin]
        profiles = {pid: p.name for pid, p in load_profiles().items() if me.covers(pid)} if me.office else {}
        return page("plans.html.j2", request=request, plans=plans, profiles=profiles, year=now_beijing().year)

    @router.post("/plans/new", response_class=HTMLResponse)
    async def start_plan(request: Request) -> HTMLResponse:
        me = require(request)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            lines = await run_in_threadpool(_start_plan, request, me, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("error.html.j2", status_code=422, request=request, message=message)
        return page("tracking_done.html.j2", request=request, lines=lines, back="/plans")

    @router.get("/plans/{run_id}", response_class=HTMLResponse)
    def plan_page(run_id: str, request: Request) -> HTMLResponse:
        context = _context(request, run_id)
        return page("plan.html.j2", request=request, **context, values={}, error=None, problems=[])

    @router.post("/plans/{run_id}", response_class=HTMLResponse)
    async def approve(run_id: str, request: Request) -> HTMLResponse:
        context = _context(request, run_id)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")
        try:
            outcome = await run_in_threadpool(_answer, context, posted)
        except PingguError as error:
            message, problems = refusal_lines(error)
            return page(
                "plan.html.j2",
                status_code=422,
                request=request,
                **context,
                values=posted,
                error=message,
                problems=problems,
            )
        return page("plan_done.html.j2", request=request, **context, outcome=outcome)

    return router


def _start_plan(request: Request, me: Viewer, posted: dict[str, str]) -> list[str]:
    """The office runs the annual plan of a year now, for one jurisdiction (as `pinggu plan run` does)."""
    from pinggu.web.access import allow
    from pinggu.rules.access import Resource, ResourceKind
    from pinggu.services.orchestration import start_annual_plan

    profile = posted.get("profile", "")
    profiles = load_profiles()
    if profile not in profiles:
        raise StateConflict(f"请选择规则（辖区）：{'、'.join(p.name for p in profiles.values())}")
    allow(request, me, Resource(ResourceKind.office, profile), "启动年度评估计划")
    year_text = posted.get("year", "").strip()
    if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise StateConflict(f"年度应为四位年份，收到：{year_text or '（空）'}")
    start_annual_plan(int(year_text), profile)
    return [
        f"已启动 {year_text} 年度评估计划（{profiles[profile].name}），启动人 {me.name}",
        "计划生成后等待审定，出现在“计划审定”页面。",
    ]


def _context(request: Request, run_id: str) -> dict[str, Any]:
    me = require(request)
    plan = next((p for p in waiting_plans() if p.run_id == run_id), None)
    if plan is None:
        raise NotFound("这份评估计划当前不在等待审定（可能已审定或已撤销），请回到计划列表查看")
    if not _mine(me, plan):
        from pinggu.web.access import allow
        from pinggu.rules.access import Resource, ResourceKind

        allow(request, me, Resource(ResourceKind.office, plan.profile or ""), plan.name)
        raise AccessDenied(f"{plan.name}须由{plan.actor}的人员审定")
    scope = plan_scope(plan.profile, plan.decision)
    with read_session() as session:
        items = plan_entries(session, plan.year, scope)
        answers = session.exec(select(PlanDecision).where(PlanDecision.year == plan.year, PlanDecision.scope == scope))
        last = max(answers, key=lambda a: a.id or 0, default=None)
    return {
        "plan": plan,
        "me": me,
        "items": items,
        "last": last,
        "choices": [c.value for c in PlanVerdict],
        "changes_help": CHANGES_HELP,
    }


def _answer(context: dict[str, Any], posted: dict[str, str]) -> dict[str, Any]:
    """Check at once by the flow's rules; sign for the signed-in person; resume; wait for the flow's verdict."""
    from pinggu.services.orchestration import read_flow_run
    from pinggu.services.signatures import answer_signed

    plan: WaitingPlan = context["plan"]
    me: Viewer = context["me"]
    try:
        form = AnnualPlanApprovalForm.model_validate(
            {
                "choice": posted.get("choice", ""),
                "comment": posted.get("comment", ""),
                "changes": parse_changes(posted.get("changes", "")),
            }
        )
    except ValidationError as error:
        raise StateConflict(
            "请选择审定意见（同意或退回修改）" if "choice" in str(error) else "审定意见填写有误"
        ) from None
    values = form.model_dump(mode="json")
    scope = plan_scope(plan.profile, plan.decision)
    with read_session() as session:
        refused = plan_refusal(
            form.choice, form.comment.strip() or None, plan_changes(form), open_plan_entries(session, plan.year, scope)
        )
    if refused:
        raise StateConflict(refused)
    run = read_flow_run(plan.run_id)
    key = run.state.state_details.pause_key if run.state else None
    if key != plan.key:
        raise StateConflict("这份评估计划已有人提交审定意见，请刷新页面查看")

    def decided() -> dict[str, Any] | None:
        with read_session() as session:
            found = session.exec(select(PlanDecision).where(PlanDecision.pause_key == key)).first()
        return (
            None
            if found is None
            else {"accepted": found.refused is None, "reason": found.refused, "choice": found.choice}
        )

    outcome = answer_signed(
        run_id=plan.run_id, key=key, person_id=me.person_id, values=values, what=plan.name, verdict=decided
    )
    return outcome or {"accepted": None}


__all__ = ["PlanEntry", "plans_router", "waiting_plans"]
