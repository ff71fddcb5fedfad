"""The web app's tracking pages: the lead unit hands in its period's tracking report (OR-8, with what it
reports at once, OR-9), and a responsible unit reports back on a rectification item (OR-10).

The report's fields come from pinggu.reporting.other_documents.TrackingInput, checked by the same code the CLI
uses; a refusal is shown on the page in Chinese and nothing is recorded. An accepted report starts a
tracking run for its decision, which renders the PDF and Word; with the server down the report stays
recorded and the next monthly run renders it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlmodel import col, select

from pinggu.core.document_store import local_file, shown_name
from pinggu.core.errors import InputFileError, NotFound, OrchestrationError, PingguError, Problem, StateConflict
from pinggu.core.links import app_path, supervision_url
from pinggu.models.db import read_session
from pinggu.models.evaluations import get_decision
from pinggu.models.tables import Rectification, SupervisionRound, TrackingReport, now_beijing
from pinggu.models.tracking import items_of as store_items_of
from pinggu.models.tracking import milestone_states
from pinggu.web.access import allow
from pinggu.web.auth import require
from pinggu.web.fields import refusal_lines
from pinggu.reporting.other_documents import TrackingInput, parse_input
from pinggu.rules.access import Viewer
from pinggu.rules.tracking import (
    SUPERVISION_STEP_NAMES,
    OpinionChannel,
    RectificationStatus,
    SeriousReport,
    SupervisionStep,
    TrackingPeriod,
    milestone_text,
    plan_from_form,
)
from pinggu.rules.vocabulary import TrackingReportStatus
from pinggu.services.actors import tracking_resource

log = logging.getLogger("pinggu.web")
MILESTONE_HELP = "每行一个：节点序号，完成日期（如 1，2026-03-20）；本期没有完成的节点则留空"


@dataclass(frozen=True)
class TrackingTodo:
    """A tracking report or a rectification report the 待办 list shows."""

    what: str
    decision: str
    unit: str
    due: date
    overdue: bool
    link: str
    profile: str = ""
    actor: str = ""  # a step the profile gives to an actor (the review, the leaders' approval), not to the unit


def tracking_todos(today: date) -> list[TrackingTodo]:
    """Reports asked for and not handed in, rectification items not reported back; the most overdue first."""
    found = []
    with read_session() as session:
        for report in session.exec(
            select(TrackingReport).where(TrackingReport.status == TrackingReportStatus.requested)
        ):
            decision = get_decision(session=session, code=report.decision_code)
            found.append(
                TrackingTodo(
                    what=f"{TrackingPeriod(report.period_start, report.period_end).label}跟踪反馈报告",
                    decision=f"{report.decision_code}《{decision.title}》",
                    profile=decision.profile,
                    unit=report.unit,
                    due=report.due_date,
                    overdue=report.due_date < today,
                    link=f"/tracking/reports/{report.id}",
                )
            )
        query = select(Rectification).where(Rectification.status == RectificationStatus.open)
        for item in session.exec(query.order_by(col(Rectification.id))):
            decision = get_decision(session=session, code=item.decision_code)
            found.append(
                TrackingTodo(
                    what=f"督查整改报告：{item.item}",
                    decision=f"{item.decision_code}《{decision.title}》",
                    profile=decision.profile,
                    unit=item.unit,
                    due=item.due_date,
                    overdue=item.due_date < today,
                    link=f"/tracking/rectifications/{item.id}",
                )
            )
    found += _supervision_steps(today)
    return sorted(found, key=lambda t: (t.due, t.decision))


def _supervision_steps(today: date) -> list[TrackingTodo]:
    """The supervision rounds waiting for their leaders' approval, or for the review of an item reported back."""
    from pinggu.web.supervision import waiting_step
    from pinggu.services.supervision import step_actor_name

    found = []
    with read_session() as session:
        rounds = list(session.exec(select(SupervisionRound).where(col(SupervisionRound.closed_at).is_(None))))
        for round_ in rounds:
            assert round_.id is not None  # a stored round
            waiting = waiting_step(round_.id)
            if waiting is None:
                continue
            step, _ = waiting
            reported = [
                i
                for i in store_items_of(session=session, round_id=round_.id)
                if i.status in (RectificationStatus.reported, RectificationStatus.spot_check)
            ]
            if step is SupervisionStep.rectification_review and not reported:
                continue  # nothing to review until a unit reports back
            decision = get_decision(session=session, code=round_.decision_code)
            due = min((i.due_date for i in reported), default=round_.held_on)
            found.append(
                TrackingTodo(
                    what=f"{SUPERVISION_STEP_NAMES[step]}（督查记录 {round_.id}）",
                    decision=f"{decision.code}《{decision.title}》",
                    unit="",
                    due=due,
                    overdue=False,
                    link=app_path(supervision_url(round_.id)),
                    profile=decision.profile,
                    actor=step_actor_name(session, round_, step),
                )
            )
    return found


def milestones_done(text: str) -> list[dict[str, Any]]:
    """The milestones typed one per line (序号，完成日期), or InputFileError naming each bad line."""
    done, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(",", "，").split("，")]
        try:
            done.append({"seq": int(parts[0]), "done_on": date.fromisoformat(parts[1])})
        except (ValueError, IndexError):
            problems.append(Problem(f"第 {number} 行“{line.strip()}”应写作：{MILESTONE_HELP}"))
    if problems:
        raise InputFileError("本期完成的时间节点填写有误：", problems=problems)
    return done


def _report_context(report_id: int) -> dict[str, Any]:
    today = now_beijing().date()
    with read_session() as session:
        report = session.get(TrackingReport, report_id)
        if report is None:
            raise NotFound(f"没有编号为 {report_id} 的跟踪反馈报告要求")
        decision = get_decision(session=session, code=report.decision_code)
        milestones = [
            (m.seq, m.target, m.due, m.unit, milestone_text(m, today))
            for m in milestone_states(session=session, decision_code=report.decision_code)
        ]
    return {
        "report": report,
        "decision": decision,
        "period": TrackingPeriod(report.period_start, report.period_end).label,
        "milestones": milestones,
        "open": report.status == TrackingReportStatus.requested,
        "overdue": report.due_date < today,
        "choices": [s.value for s in SeriousReport],
        "milestone_help": MILESTONE_HELP,
    }


def _render_soon(decision: str) -> str:
    """Start a tracking run for the decision, which renders its reports; what the office reads."""
    from pinggu.services.orchestration import start_tracking

    try:
        start_tracking(None, decision)
    except OrchestrationError as error:  # the server is down: the report is recorded, the next run renders it
        # The operators read the server's error in the log; the person reads what happens to their report.
        log.warning("跟踪反馈运行未能启动：%s", error)
        raise OrchestrationError(
            "报告已记录；流程服务暂时无法连接，报告文书将在服务恢复后的下一次跟踪反馈运行中生成"
        ) from error
    return "报告文书（PDF 和 Word）正在生成。"


def tracking_router(page: Any) -> APIRouter:
    """The tracking pages; `page(template, status_code=…, **context)` renders one (pinggu.web.app._page)."""
    router = APIRouter()

    @router.get("/tracking", response_class=HTMLResponse)
    def todo_list(request: Request) -> HTMLResponse:
        me = require(request)
        mine = [
            t
            for t in tracking_todos(now_beijing().date())
            if me.covers(t.profile) and (me.office or me.unit == t.unit or bool(t.actor and me.may_act(t.actor)))
        ]
        return page("tracking_todo.html.j2", request=request, todos=mine)

    @router.get("/tracking/plans")
    def find_plan(code: str = "") -> RedirectResponse:
        return RedirectResponse(f"/tracking/plans/{quote(code.strip(), safe='')}", status_code=303)

    @router.get("/tracking/plans/{code}", response_class=HTMLResponse)
    def plan_page(code: str, request: Request) -> HTMLResponse:
        context = _plan_context(code)
        _allow(request, code, f"决策 {code} 的跟踪反馈方案")
        return page("tracking_plan.html.j2", request=request, **context, values=None, error=None, problems=[])

    @router.post("/tracking/plans/{code}", response_class=HTMLResponse)
    async def save_plan(code: str, request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from pinggu.services.tracking import set_plan

        context = _plan_context(code)
        me = _allow(request, code, f"决策 {code} 的跟踪反馈方案")
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            spec = plan_from_form(
                code,
                posted.get("body", ""),
                posted.get("people", ""),
                posted.get("methods", ""),
                posted.get("milestones", ""),
            )
            said = await run_in_threadpool(set_plan, spec, _signed(me), now_beijing().date())
        except PingguError as error:
            message, problems = refusal_lines(error)
            return page(
                "tracking_plan.html.j2",
                status_code=422,
                request=request,
                **context,
                values=posted,
                error=message,
                problems=problems,
            )
        return page(
            "tracking_done.html.j2", request=request, lines=[said, "每个报告期结束后请承办单位报送跟踪反馈报告。"]
        )

    @router.get("/tracking/opinions", response_class=HTMLResponse)
    def opinion_page(request: Request, code: str = "") -> HTMLResponse:
        require(request)
        return page(
            "opinion.html.j2",
            request=request,
            code=code.strip(),
            channels=[c.value for c in OpinionChannel],
            values={},
            error=None,
        )

    @router.post("/tracking/opinions", response_class=HTMLResponse)
    async def register_opinion(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from pinggu.services.tracking import record_opinion

        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        channels = [c.value for c in OpinionChannel]
        try:
            me = _allow(request, posted.get("code", "").strip(), "该决策的意见登记")
            if posted.get("channel") not in channels:
                raise StateConflict(f"请选择渠道：{'、'.join(channels)}")
            received = _posted_day(posted.get("received_on", ""), "收到日期")
            said = await run_in_threadpool(
                record_opinion,
                posted.get("code", "").strip(),
                OpinionChannel(posted["channel"]),
                received,
                posted.get("summary", ""),
                posted.get("contact", ""),
                _signed(me),
            )
        except PingguError as error:
            values = {k: v for k, v in posted.items() if k != "contact"}  # the contact is not shown back
            return page(
                "opinion.html.j2",
                status_code=422,
                request=request,
                code=posted.get("code", ""),
                channels=channels,
                values=values,
                error=str(error),
            )
        return page("tracking_done.html.j2", request=request, lines=said.splitlines())

    @router.get("/tracking/reports/{report_id}", response_class=HTMLResponse)
    def report_page(report_id: int, request: Request) -> HTMLResponse:
        context = _report_context(report_id)
        _allow(request, context["report"].decision_code, "该跟踪反馈报告", context["report"].unit)
        return page("tracking_report.html.j2", request=request, **context, values={}, error=None, problems=[])

    @router.post("/tracking/reports/{report_id}", response_class=HTMLResponse)
    async def hand_in(report_id: int, request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from pinggu.services.tracking import submit_report

        context = _report_context(report_id)
        me = _allow(request, context["report"].decision_code, "该跟踪反馈报告", context["report"].unit)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            if not context["open"]:
                raise StateConflict("本期跟踪反馈报告已报送，无需再次报送")
            if not me.office and me.unit != context["report"].unit:
                raise StateConflict(f"本期报告由{context['report'].unit}报送，您（{me.unit}）不能代为报送")
            values: dict[str, Any] = {
                k: posted.get(k, "").strip() for k in ("progress", "effect", "problems", "proposals", "next_steps")
            }
            values["reporter"] = _signed(me)
            if posted.get("serious_note", "").strip():
                values["serious_note"] = posted["serious_note"].strip()
            values["serious"] = posted.get("serious") or SeriousReport.none.value
            values["milestones_done"] = milestones_done(posted.get("milestones_done", ""))
            report = parse_input("tracking", values)
            assert isinstance(report, TrackingInput)
            report_row = context["report"]
            received = await run_in_threadpool(
                submit_report, report_row.decision_code, report_row.period_key, report, now_beijing().date()
            )
        except PingguError as error:
            message, problems = refusal_lines(error)
            return page(
                "tracking_report.html.j2",
                status_code=422,
                request=request,
                **context,
                values=posted,
                error=message,
                problems=problems,
            )
        lines = [
            f"已记录 {received.decision} {received.period}跟踪反馈报告" + ("（逾期报送）" if received.late else "")
        ]
        lines += [line for line in (received.trigger, received.proposal) if line]
        try:
            lines.append(await run_in_threadpool(_render_soon, received.decision))
        except OrchestrationError as error:
            lines.append(str(error))
        return page("tracking_done.html.j2", request=request, lines=lines)

    @router.get("/tracking/reports/{report_id}/pdf")
    def report_pdf(report_id: int, request: Request) -> FileResponse:
        context = _report_context(report_id)
        _allow(request, context["report"].decision_code, "该跟踪反馈报告", context["report"].unit)
        if not context["report"].pdf_path:
            raise NotFound("本期跟踪反馈报告的文书尚未生成")
        title = f"{context['decision'].code}-{context['period']}跟踪反馈报告"
        return pdf_response(context["report"].pdf_path, title)

    @router.get("/tracking/supervision/{round_id}/pdf")
    def supervision_pdf(round_id: int, request: Request) -> FileResponse:
        with read_session() as session:
            found = session.get(SupervisionRound, round_id)
        if found is None or not found.pdf_path:
            raise NotFound(f"没有编号为 {round_id} 的督查报告")
        _allow(request, found.decision_code, "该督查报告")
        return pdf_response(found.pdf_path, f"{found.decision_code}-{found.held_on}督查报告")

    @router.get("/tracking/rectifications/{item_id}", response_class=HTMLResponse)
    def rectification_page(item_id: int, request: Request) -> HTMLResponse:
        context = _item_context(item_id)
        _allow(request, context["item"].decision_code, "该整改事项", context["item"].unit)
        return page("rectification.html.j2", request=request, **context, values={}, error=None)

    @router.post("/tracking/rectifications/{item_id}", response_class=HTMLResponse)
    async def report_back(item_id: int, request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from pinggu.services.supervision import report_back as record

        context = _item_context(item_id)
        me = _allow(request, context["item"].decision_code, "该整改事项", context["item"].unit)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            if not me.office and me.unit != context["item"].unit:
                raise StateConflict(f"本整改事项由{context['item'].unit}报告，您（{me.unit}）不能代为报告")
            said = await run_in_threadpool(record, item_id, posted.get("report", ""), now_beijing().date(), _signed(me))
        except PingguError as error:
            return page(
                "rectification.html.j2", status_code=422, request=request, **context, values=posted, error=str(error)
            )
        return page("tracking_done.html.j2", request=request, lines=[said, "等待办公室审核（督查运行的审核环节）。"])

    return router


def _allow(request: Request, decision_code: str, what: str, *units: str) -> Viewer:
    """The signed-in person, if the access policy lets them see this decision's tracking (else AccessDenied)."""
    me = require(request)
    with read_session() as session:
        resource = tracking_resource(session, decision_code, *units)
    allow(request, me, resource, what)
    return me


def _signed(me: Viewer) -> str:
    """Who did it, as the record names them: the signed-in person, never a typed name."""
    return f"{me.unit}{me.name}"


def _posted_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else now_beijing().date()
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None


def _plan_context(code: str) -> dict[str, Any]:
    from pinggu.models.tables import TrackingPlan

    with read_session() as session:
        decision = get_decision(session=session, code=code)
        plan = session.get(TrackingPlan, code)
        milestones = milestone_states(session=session, decision_code=code)
    current = {
        "body": plan.responsible_body if plan else "",
        "people": plan.responsible_people if plan else "",
        "methods": plan.methods if plan else "",
        "milestones": "\n".join(f"{m.target}，{m.due}，{m.unit}" for m in milestones),
        "recorded_by": "",
    }
    return {"decision": decision, "plan": plan, "current": current}


def pdf_response(location: str, title: str) -> FileResponse:
    """A stored PDF shown in the browser under a title a person recognises."""
    return FileResponse(
        local_file(location),
        media_type="application/pdf",
        filename=shown_name(title, location),
        content_disposition_type="inline",
    )


def _item_context(item_id: int) -> dict[str, Any]:
    with read_session() as session:
        item = session.get(Rectification, item_id)
        if item is None:
            raise NotFound(f"没有编号为 {item_id} 的整改事项")
        decision = get_decision(session=session, code=item.decision_code)
    return {
        "item": item,
        "decision": decision,
        "open": item.status == RectificationStatus.open,
        "overdue": item.due_date < now_beijing().date(),
    }
