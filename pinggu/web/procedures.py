"""The decision procedure in the web app (issue 29): the office starts a matter's procedure; each step's page is
built from the step's own answer model (pinggu.rules.decision_procedure.ANSWERS) with uploads for its files, answered by
the signed-in person the profile names for the step (决策承办单位: the matter's own lead unit), checked at once by
the flow's own judge, signed for that person (pinggu.services.signatures) and handed to the run, whose judge finds the
signature; the whole-process record is a link.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pinggu.core.errors import NotFound, PingguError, SignoffRefused, StateConflict, StoredAnswerInvalid
from pinggu.core.links import app_path, procedure_url
from pinggu.forms.decision_procedure import FORMS
from pinggu.forms.gates import validated
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.models.kept_answers import procedure_answers
from pinggu.models.tables import DecisionProcedure, Person, now_beijing
from pinggu.rules.access import Resource, ResourceKind, Viewer
from pinggu.rules.decision_procedure import ANSWERS, LEAD_UNIT_ACTOR, STEP_NAMES, PanelConfirmation, ProcedureStep
from pinggu.rules.profiles import load_profiles
from pinggu.services import decision_procedure as procedures
from pinggu.services import handover
from pinggu.web.access import allow, procedure_resource
from pinggu.web.auth import require
from pinggu.web.fields import PageField, form_values, page_fields, refusal_lines
from pinggu.web.security import FIRST_ANSWER, NONCE_FIELD, client_address
from pinggu.web.tracking import pdf_response
from pinggu.web.uploads import discard, save_upload

RUN_CATCH_UP_SECONDS = 30  # a run records an answer, then suspends for the next step within seconds
SURVEY_TYPES = (".csv", ".xlsx")  # a questionnaire export and a population table, as `pinggu survey` reads them


@dataclass(frozen=True)
class Waiting:
    """The step a procedure's run waits at, under its pause key."""

    step: ProcedureStep
    key: str


def waiting_step(procedure: DecisionProcedure) -> Waiting | None:
    """The step the procedure asks now and the key the run waits under for it (from the records), or None."""
    step = procedures.next_step(procedure)
    if step is None or procedure.id is None:
        return None
    status = procedures.step_status(procedure.id, step)
    return Waiting(step, status.key) if isinstance(status, procedures.StepWaiting) else None


@dataclass(frozen=True)
class ProcedureTodo:
    """A decision procedure's step as the 待办 lists it."""

    procedure: DecisionProcedure
    step_name: str
    actor: str
    by_lead_unit: bool  # the matter's own lead unit answers (决策承办单位), not a role
    holder: int | None  # the person holding it after a 转办: theirs alone


def procedure_todos() -> list[ProcedureTodo]:
    """The step each procedure under way asks now, for the 待办 of the people who answer it."""
    with read_session() as session:
        under_way = list(
            session.exec(select(DecisionProcedure).where(DecisionProcedure.status == procedures.UNDER_WAY))
        )
    found = []
    for procedure in under_way:
        try:
            step = procedures.next_step(procedure)
        except StoredAnswerInvalid as unreadable:
            # One row that does not read must not take every person's 待办 with it: its lead unit sees it, named,
            # and the procedure's page says the same (nothing is answered on it until the row is mended).
            found.append(
                ProcedureTodo(
                    procedure, f"办理记录无法读取，请联系系统管理员：{unreadable}", procedure.lead_unit, True, None
                )
            )
            continue
        if step is None:
            continue
        actor = procedures.step_actor(procedure, step)
        lead = procedures.profile_actor(procedure, step) == LEAD_UNIT_ACTOR
        with read_session() as session:
            held = handover.holder(session, handover.procedure_ref(procedure.id or 0, step.value))
        who = procedure.lead_unit if lead else actor
        found.append(ProcedureTodo(procedure, STEP_NAMES[step], who, lead, held.id if held is not None else None))
    return found


def _history(procedure: DecisionProcedure) -> list[dict[str, Any]]:
    """Every answer given, as the page lists them: step, date, who, and what followed or why it was refused."""
    return [
        {"name": STEP_NAMES[a.step], "on": a.on.isoformat(), "by": a.by, "note": a.note, "refused": a.refused}
        for a in procedure_answers(procedure.answers)
    ]


def _context(request: Request, procedure_id: int) -> dict[str, Any]:
    me = require(request)
    with read_session() as session:
        procedure = session.get(DecisionProcedure, procedure_id)
    if procedure is None:
        raise NotFound(f"没有编号为 {procedure_id} 的决策程序")
    allow(request, me, procedure_resource(procedure), f"决策程序 {procedure_id}")
    waiting = waiting_step(procedure)
    step = waiting.step if waiting else None
    actor = procedures.step_actor(procedure, step) if step else ""
    held, handed, receivers, may_act = None, [], [], False
    with read_session() as session:
        person = session.get(Person, me.person_id)
        assert person is not None  # the signed-in person
        panel = procedures.panel_confirmation(session, procedure)
        may_confirm = procedures.may_confirm_panel(person, procedure)
    if step is not None:
        ref = handover.procedure_ref(procedure_id, step.value)
        with read_session() as session:
            person = session.get(Person, me.person_id)
            assert person is not None  # the signed-in person
            held, handed = handover.holder(session, ref), handover.history(session, ref)
            may_act = procedures.may_hold_step(person, procedure, step)
            if (may_act or me.admin) and step is not ProcedureStep.expert_opinions:  # a signature is not handed on
                receivers = handover.candidates(session, procedure.profile, person, _entitled(procedure, step))
    return {
        "procedure": procedure,
        "state": procedures.state_name(procedure.status),
        "history": _history(procedure),
        "waiting": waiting,
        "step_name": STEP_NAMES[step] if step else "",
        "actor": actor,
        "may_act": may_act,
        "holder": held,
        "handovers": handed,
        "receivers": receivers,
        "fields": page_fields(ANSWERS[step]) if step else [],
        "countersign": procedures.countersign_state(procedure) if step is ProcedureStep.expert_opinions else None,
        "panel": panel,
        "panel_confirmer": procedures.panel_confirmer(procedure),
        "may_confirm": may_confirm,
        "today": now_beijing().date().isoformat(),
        "me": me,
    }


def _entitled(procedure: DecisionProcedure, step: ProcedureStep) -> Callable[[Person], bool]:
    """Whether a person may answer the step by the profile's actor (their role, or the matter's lead unit)."""
    return lambda person: procedures.may_answer_step(tuple(person.roles), person.unit, procedure, step)


def _visible(me: Viewer) -> list[dict[str, Any]]:
    """The procedures the person may see, newest first, each with the step it asks now."""
    from pinggu.rules.access import may_see

    with read_session() as session:
        found = list(session.exec(select(DecisionProcedure).order_by(col(DecisionProcedure.id).desc()).limit(200)))
    shown = []
    for procedure in found:
        if procedure.id is None or not may_see(me, procedure_resource(procedure)):
            continue
        step = procedures.next_step(procedure)
        shown.append(
            {
                "procedure": procedure,
                "state": procedures.state_name(procedure.status),
                "step_name": STEP_NAMES[step] if step else "",
                "actor": procedures.step_actor(procedure, step) if step else "",
                "mine": step is not None and procedures.may_answer_step(me.roles, me.unit, procedure, step),
            }
        )
    return shown


def procedures_router(page: Any) -> APIRouter:
    """/procedures, /procedures/new, /procedures/{id} and its record; `page(template, …)` renders."""
    router = APIRouter()

    @router.get("/procedures", response_class=HTMLResponse)
    def procedure_list(request: Request) -> HTMLResponse:
        me = require(request)
        return page("procedures.html.j2", request=request, rows=_visible(me))

    @router.get("/procedures/new", response_class=HTMLResponse)
    def start_page(request: Request) -> HTMLResponse:
        _office(request)
        return page("procedure_start.html.j2", request=request, **_start_choices(), values={}, error=None)

    @router.post("/procedures/new", response_class=HTMLResponse)
    async def start(request: Request) -> HTMLResponse:
        me = _office(request)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            lines = await run_in_threadpool(_start, me, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page(
                "procedure_start.html.j2", status_code=422, request=request, **_start_choices(), values=posted,
                error=message,
            )  # fmt: skip
        return page("tracking_done.html.j2", request=request, lines=lines)

    @router.get("/procedures/{procedure_id}", response_class=HTMLResponse)
    def procedure_page(procedure_id: int, request: Request) -> HTMLResponse:
        return page("procedure.html.j2", request=request, **_context(request, procedure_id), values={}, error=None)

    @router.get("/procedures/{procedure_id}/record")
    def record(procedure_id: int, request: Request) -> FileResponse:
        context = _context(request, procedure_id)
        procedure: DecisionProcedure = context["procedure"]
        if not procedure.record_path:
            raise NotFound("决策过程记录在程序结束后生成，目前尚未生成")
        me: Viewer = context["me"]
        transaction(
            lambda session: audit.record(
                session=session,
                action="document_opened",
                actor=me.name,
                procedure=procedure_id,
                title="决策过程记录",
                address=client_address(request),
            )
        )
        return pdf_response(procedure.record_path, f"决策过程记录-{procedure.matter}")

    @router.post("/procedures/{procedure_id}/handover", response_class=HTMLResponse)
    async def hand_over(procedure_id: int, request: Request) -> HTMLResponse:
        context = _context(request, procedure_id)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            handed = await run_in_threadpool(_hand_over, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("procedure.html.j2", status_code=422, request=request, **context, values={}, error=message)
        lines = [
            f"已转办：{context['step_name']}（{procedure_id}）由 {handed.from_name} 转交 {handed.to_name}",
            handed.reason,
        ]
        return page("tracking_done.html.j2", request=request, lines=lines, back=app_path(procedure_url(procedure_id)))

    @router.post("/procedures/{procedure_id}/panel", response_class=HTMLResponse)
    async def confirm_panel(procedure_id: int, request: Request) -> HTMLResponse:
        context = _context(request, procedure_id)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")
        try:
            confirmed = await run_in_threadpool(_confirm_panel, context, posted)
        except PingguError as error:
            message, _ = refusal_lines(error)
            return page("procedure.html.j2", status_code=422, request=request, **context, values={}, error=message)
        lines = [
            f"已确定专家组（决策程序 {procedure_id}）：{'、'.join(confirmed.experts)}",
            f"确定人 {confirmed.confirmer}，{confirmed.confirmed_on}；承办单位可据此提交专家论证。",
        ]
        return page("tracking_done.html.j2", request=request, lines=lines, back=app_path(procedure_url(procedure_id)))

    @router.post("/procedures/{procedure_id}", response_class=HTMLResponse)
    async def answer(procedure_id: int, request: Request) -> HTMLResponse:
        context = _context(request, procedure_id)
        form = await request.form()
        posted = {k: v for k, v in form.items() if isinstance(v, str)}
        fields: list[PageField] = context["fields"]
        chosen = {
            f.name: [v for v in form.getlist(f.name) if isinstance(v, str)] for f in fields if f.widget == "checks"
        }
        shown = {**posted, **chosen}
        if not FIRST_ANSWER.first(posted.get(NONCE_FIELD, "")):
            return page("error.html.j2", status_code=409, request=request, message="这份表单已经提交过，请勿重复提交")
        uploads = {f.name: form.get(f.name) for f in fields if f.widget == "upload"}
        kept: dict[str, str] = {}
        try:
            for name, upload in uploads.items():
                if isinstance(upload, UploadFile) and upload.filename:
                    title = next(f.title for f in fields if f.name == name)
                    kept[name] = await save_upload(
                        upload, title=title, folder=f"procedure-{procedure_id}", allowed=SURVEY_TYPES
                    )
            answering = _countersign if waiting_for(context) is ProcedureStep.expert_opinions else _answer
            outcome = await run_in_threadpool(answering, context, posted, chosen, kept)
        except PingguError as error:
            for location in kept.values():
                discard(location)
            message, problems = refusal_lines(error)
            return page(
                "procedure.html.j2", status_code=422, request=request, **context, values=shown,
                error="；".join([message, *problems]),
            )  # fmt: skip
        if outcome is None:
            lines = [f"已提交：{context['step_name']}", "流程正在审查，请稍后刷新决策程序页面查看结果。"]
            return page("tracking_done.html.j2", request=request, lines=lines)
        if outcome:  # refused by the flow's own judge, recorded there
            for location in kept.values():
                discard(location)
            fresh = _context(request, procedure_id)
            return page("procedure.html.j2", status_code=422, request=request, **fresh, values=shown, error=outcome)
        lines = [f"已受理：{context['step_name']}（决策程序 {procedure_id}）", "流程继续办理。"]
        if waiting_for(context) is ProcedureStep.expert_opinions:
            with read_session() as session:
                current = session.get(DecisionProcedure, procedure_id)
            state = procedures.countersign_state(current) if current is not None else None
            if state is not None and not state.complete:
                left = state.minimum - len(state.signed)
                lines[1] = f"您的书面论证意见已签署；还需至少 {left} 位专家签署，会签完成后流程继续。"
        return page("tracking_done.html.j2", request=request, lines=lines, back=app_path(procedure_url(procedure_id)))

    return router


def _answer(
    context: dict[str, Any], posted: dict[str, str], chosen: dict[str, list[str]], kept: dict[str, str]
) -> str | None:
    """Check at once by the flow's own judge; sign for the signed-in person; resume; wait for the flow's verdict:
    "" accepted, the reason refused, None when the flow is still at it."""
    from pinggu.services.signatures import answer_signed

    waiting: Waiting | None = context["waiting"]
    me: Viewer = context["me"]
    procedure: DecisionProcedure = context["procedure"]
    if waiting is None or procedure.id is None:
        raise StateConflict("该决策程序当前没有等待办理的环节，请刷新页面查看")
    if not context["may_act"]:
        raise SignoffRefused(f"{me.name}（{me.unit}）不是{context['actor']}的人员，不能办理{context['step_name']}")
    model = ANSWERS[waiting.step]
    values = {**form_values(context["fields"], posted, chosen, model), **kept}
    values = validated(FORMS[waiting.step], values)  # StateConflict naming each wrong field, in Chinese
    refused = procedures.preview_refusal(procedure.id, waiting.step, values, now_beijing().date())
    if refused:
        transaction(
            lambda session: audit.record(
                session=session,
                action="decision_procedure_refused",
                actor=f"{me.name}（{me.unit}）",
                procedure=procedure.id,
                step=waiting.step.value,
                refused=refused,
            )
        )
        raise StateConflict(refused)
    procedure_id = procedure.id
    if not _run_waits(procedure.key.removeprefix("run-"), waiting.key):
        raise StateConflict("决策程序正在处理上一环节，尚未开始等待本环节：请稍后刷新页面再提交")

    def judged() -> str | None:
        with read_session() as session:
            current = session.get(DecisionProcedure, procedure_id)
        kept = procedure_answers(current.answers) if current else ()
        answered = next((a for a in kept if a.key == waiting.key), None)
        return None if answered is None else (answered.refused or "")

    return answer_signed(
        run_id=procedure.key.removeprefix("run-"),
        key=waiting.key,
        person_id=me.person_id,
        values=values,
        what=f"{context['step_name']}（{procedure.matter}）",
        verdict=judged,
    )


def waiting_for(context: dict[str, Any]) -> ProcedureStep | None:
    """The step the page's procedure asks now."""
    waiting: Waiting | None = context["waiting"]
    return waiting.step if waiting else None


def _countersign(
    context: dict[str, Any], posted: dict[str, str], chosen: dict[str, list[str]], kept: dict[str, str]
) -> str | None:
    """One expert signs their written opinion; the signature that completes the 会签 resumes the run — once."""
    from pinggu.services.orchestration import answer_gate, gate_of_pause_key

    waiting: Waiting | None = context["waiting"]
    me: Viewer = context["me"]
    procedure: DecisionProcedure = context["procedure"]
    assert waiting is not None and procedure.id is not None  # asked for the 会签 step
    if not context["may_act"]:
        raise SignoffRefused(f"{me.name}（{me.unit}）不在待签署的论证专家之列")
    completed = procedures.sign_expert_opinion(
        procedure.id, me.person_id, posted.get("opinion", ""), now_beijing().date()
    )
    if not completed:
        return ""
    if not _run_waits(procedure.key.removeprefix("run-"), waiting.key):
        return None  # recorded; the run finds it when it next asks (a resumed run re-reads the records)
    answer_gate(procedure.key.removeprefix("run-"), gate_of_pause_key(waiting.key), {})
    deadline = time.monotonic() + RUN_CATCH_UP_SECONDS
    procedure_id = procedure.id
    while time.monotonic() < deadline:
        with read_session() as session:
            current = session.get(DecisionProcedure, procedure_id)
        if current is not None and procedures.next_step(current) is not ProcedureStep.expert_opinions:
            return ""
        time.sleep(0.5)
    return None


def _confirm_panel(context: dict[str, Any], posted: dict[str, str]) -> PanelConfirmation:
    """The confirming unit's signed-in person confirms the expert panel (CL-32-PANEL)."""
    from datetime import date

    me: Viewer = context["me"]
    procedure: DecisionProcedure = context["procedure"]
    assert procedure.id is not None  # a stored procedure
    if not context["may_confirm"]:
        raise SignoffRefused(
            f"{me.name}（{me.unit}）不能确定专家组：须为{context['panel_confirmer']}的人员，且专家论证尚未受理"
        )
    try:
        confirmed_on = date.fromisoformat(posted.get("confirmed_on", "").strip())
    except ValueError:
        raise StateConflict("请填写专家组确定日期（YYYY-MM-DD）") from None
    return procedures.confirm_panel(
        procedure.id, me.person_id, posted.get("experts", ""), confirmed_on, now_beijing().date()
    )


def _hand_over(context: dict[str, Any], posted: dict[str, str]) -> handover.Handed:
    """转办 the waiting step to the person chosen, as its holder or an administrator."""
    waiting: Waiting | None = context["waiting"]
    me: Viewer = context["me"]
    procedure: DecisionProcedure = context["procedure"]
    if waiting is None or procedure.id is None:
        raise StateConflict("该决策程序当前没有等待办理的环节，请刷新页面查看")
    chosen = posted.get("to_person", "")
    if not chosen.isdigit():
        raise StateConflict("请选择转办给谁")
    return handover.hand_over(
        ref=handover.procedure_ref(procedure.id, waiting.step.value),
        profile=procedure.profile,
        what=f"{context['step_name']}（{procedure.matter}）",
        link=procedure_url(procedure.id),
        by_person_id=me.person_id,
        by_admin=me.admin,
        to_person_id=int(chosen),
        reason=posted.get("reason", ""),
        entitled=_entitled(procedure, waiting.step),
    )


def _run_waits(run_id: str, key: str) -> bool:
    """Whether the run waits under `key`, allowing it a moment to get there after recording the step before."""
    from pinggu.services.orchestration import read_flow_run

    deadline = time.monotonic() + RUN_CATCH_UP_SECONDS
    while True:
        run = read_flow_run(run_id)
        if run.state is not None and run.state.is_paused() and run.state.state_details.pause_key == key:
            return True
        if time.monotonic() > deadline or (run.state is not None and run.state.is_final()):
            return False
        time.sleep(0.5)


def _office(request: Request) -> Viewer:
    """The office (评估办公室 / 督查) or an administrator: who starts a decision procedure."""
    me = require(request)
    allow(request, me, Resource(ResourceKind.office, me.profiles[0] if me.profiles else ""), "启动决策程序")
    return me


def _start_choices() -> dict[str, Any]:
    having = {pid: p.name for pid, p in load_profiles().items() if p.decision_procedure is not None}
    return {"profiles": having, "year": now_beijing().year}


def _start(me: Viewer, posted: dict[str, str]) -> list[str]:
    """Start the procedure's run as the Prefect run form would, with the same refusals."""
    from pinggu.services.orchestration import start_decision_procedure

    profile = posted.get("profile", "")
    matter, lead_unit = posted.get("matter", "").strip(), posted.get("lead_unit", "").strip()
    choices = _start_choices()["profiles"]
    if profile not in choices:
        raise StateConflict(f"请选择规则（辖区）：{'、'.join(choices.values())}")
    if not me.covers(profile):
        raise StateConflict(f"您（{me.name}）不负责{choices[profile]}的事项")
    if not matter or not lead_unit:
        raise StateConflict("请填写决策事项名称和决策承办单位")
    year_text = posted.get("catalog_year", "").strip()
    if year_text and not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise StateConflict(f"决策事项目录年度应为四位年份，收到：{year_text}")
    start_decision_procedure(profile, matter, lead_unit, int(year_text) if year_text else None)
    return [
        f"已启动决策程序：{matter}（承办单位 {lead_unit}），启动人 {me.name}",
        "各环节将依次出现在“决策程序”页面，由规定的单位和人员登录办理。",
    ]
