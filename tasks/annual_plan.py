"""The annual plan's tasks (MH-4): draft it as a document, record the approval (with the approver's
changes to single items), issue the approved plan, start its evaluations once, each not before its
trigger date.

A plan covers every decision, one profile's, or a single decision: the prompt plan a controversy or
risk starts at once (T-PROMPT; bazhou 15, ordos 12(1), changli 62), approved at the same gate."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlmodel import Session, col, select

from pinggu.core.document_store import keep
from pinggu.core.links import plan_url
from pinggu.core.settings import get_settings
from pinggu.forms.gates import AnnualPlanApprovalForm
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.models.decisions import list_decisions
from pinggu.models.tables import BEIJING, Evaluation, PlanDecision, PlanEntry, now_beijing
from pinggu.reporting.pdf import render_html, write_pdf
from pinggu.rules.annual_plan import REASON_NAMES, AnnualPlan, ItemChange
from pinggu.rules.gates import PlanVerdict
from pinggu.rules.people import may_act
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EvaluationStatus
from pinggu.services.evaluation.lifecycle import OPERATOR_REFUSALS, NotOpened
from pinggu.services.planning import (
    build_plan,
    keep_plan_items,
    open_plan_entries,
    plan_approver,
    plan_changes,
    plan_entries,
    plan_refusal,
    plan_scope,
)
from pinggu.services.signatures import step_signer
from pinggu.tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS

PLAN_TEMPLATE = "annual_plan.html.j2"


def _slug(scope: str) -> str:
    # Pause and artifact keys take lowercase letters, digits and dashes only.
    return scope.replace("_", "-").lower()


@task(name="编制年度评估计划", **STEP_TASK_OPTIONS, **IO_RETRIES)
def draft_annual_plan(year: int, as_of: date, profile: str | None, decision: str | None = None) -> dict | NotOpened:
    """Compute the plan, keep its items (new ones added, started ones never touched), render it as PDF and a
    table; or say why the parameters were refused (an unknown profile or decision typed in the run form)."""
    try:
        plan = build_plan(year, as_of, profile, decision)
    except OPERATOR_REFUSALS as refused:
        return NotOpened(str(refused))
    scope = plan_scope(profile, decision)
    keep_plan_items(plan, scope)
    rows = [
        {
            "决策编号": item.decision,
            "决策名称": item.title,
            "评估类型": EVALUATION_TYPE_NAMES[item.type],
            "原因": REASON_NAMES.get(item.reason, item.reason) + (f"（{item.note}）" if item.note else ""),
            "评估单位": item.evaluating_unit,
            "触发日": item.trigger_date.isoformat(),
            "完成期限": f"{item.due}{'' if item.calendar_complete else '（暂定）'}",
        }
        for item in plan.items
    ]
    path = _publish(plan, scope, rows, changes=None)
    return {"items": len(rows), "exempt": len(plan.exempt), "pending": len(plan.pending), "document": path}


def _publish(plan: AnnualPlan, scope: str, rows: list[dict[str, str]], changes: list[str] | None) -> str:
    """Write the plan (draft, or approved when `changes` is given) as a PDF and a table artifact."""
    status = "" if changes is None else "（已审定）"
    path = get_settings().reports_dir / "annual-plans" / f"{plan.year}年度重大行政决策后评估计划-{scope}{status}.pdf"
    context = {"plan": plan, "rows": rows, "scope": scope, "exempt": plan.exempt, "pending": plan.pending}
    write_pdf(render_html(PLAN_TEMPLATE, {**context, "changes": changes}), path)
    location = keep(path).location
    create_table_artifact(
        key=f"annual-plan-{plan.year}-{_slug(scope)}",
        table=rows,
        description=f"{plan.year} 年度评估计划（{scope}）{status}：{len(rows)} 项；PDF：{location}",
    )
    return location


def _answers(session: Session, year: int, scope: str) -> list[PlanDecision]:
    query = select(PlanDecision).where(PlanDecision.year == year, PlanDecision.scope == scope)
    return list(session.exec(query.order_by(col(PlanDecision.id))))


@dataclass(frozen=True)
class PlanStanding:
    """The plan's standing approval answer: the verdict and its comment."""

    choice: PlanVerdict
    comment: str | None


@dataclass(frozen=True)
class PlanWaiting:
    """The plan's approval to ask: the pause key and what the form shows."""

    key: str
    description: str


@task(name="查询计划审批", **STEP_TASK_OPTIONS)
def plan_gate_status(year: int, profile: str | None, decision: str | None = None) -> PlanStanding | PlanWaiting:
    """The plan's standing approval answer, or the pause key to wait under."""
    scope = plan_scope(profile, decision)
    with read_session() as session:
        answers = _answers(session, year, scope)
    standing = next((a for a in reversed(answers) if not a.refused and not a.superseded), None)
    if standing:
        return PlanStanding(PlanVerdict(standing.choice), standing.comment)
    last = answers[-1] if answers else None
    return PlanWaiting(
        key=f"annual-plan-{year}-{_slug(scope)}-{len(answers) + 1}",
        description=f"**{year} 年度重大行政决策后评估计划**（{scope}）待审定。"
        + (f"\n\n⚠ 上次提交未被受理：{last.refused}" if last and last.refused else "")
        + (f"\n\n上次退回修改：{last.comment}" if last and last.superseded else "")
        + f"\n\n请审定人登录网页办理：{plan_url()}",
    )


@task(name="记录计划审批意见", **STEP_TASK_OPTIONS)
def record_plan_answer(
    year: int, profile: str | None, key: str, answer: AnnualPlanApprovalForm, decision: str | None = None
) -> dict:
    """Record the approver's answer; 退回修改 needs a reason; 同意 applies the changes to single items, all or none."""
    scope = plan_scope(profile, decision)
    changes = plan_changes(answer)
    comment = answer.comment.strip() or None
    approver_actor = plan_approver(profile, decision)

    def record(session: Session) -> str | None:
        if session.exec(select(PlanDecision).where(PlanDecision.pause_key == key)).first():
            return None  # an earlier try committed; its answer was lost
        open_entries = open_plan_entries(session, year, scope)
        # Who answered: the signed-in person the web app signed the answer for, never a name typed.
        signer = step_signer(session, key, answer.model_dump(mode="json"))
        if signer is None:
            refused: str | None = (
                f"年度评估计划须由{approver_actor}的人员登录网页办理后审定（{plan_url()}）；"
                "流程界面中直接提交的意见没有本人签署，不予受理"
            )
        elif not may_act(signer.roles, approver_actor):
            refused = f"{signer.name} 不是{approver_actor}的人员，不能审定年度评估计划"
        else:
            refused = plan_refusal(answer.choice, comment, changes, open_entries)
        decided = PlanDecision(
            year=year,
            scope=scope,
            pause_key=key,
            approver=signer.name if signer else "（未经本人签署）",
            approver_role=signer.role if signer else "—",
            choice=answer.choice.value,
            comment=comment,
            refused=refused,
            superseded=answer.choice is PlanVerdict.send_back,
        )
        session.add(decided)
        actor = f"{decided.approver}（{decided.approver_role}）"
        audit.record(
            session=session,
            action="annual_plan_answered",
            actor=actor,
            year=year,
            scope=scope,
            choice=decided.choice,
            comment=comment,
            refused=refused,
        )
        if refused is None:
            for change in changes:
                _apply(session, open_entries[change.decision], change, actor)
        return refused

    refused = transaction(record)
    return {"accepted": refused is None, "choice": answer.choice, "comment": comment, "refused": refused}


def _apply(session: Session, entry: PlanEntry, change: ItemChange, actor: str) -> None:
    """One approved change to one item, and its audit record."""
    before = entry.due_date
    if change.drop:
        entry.dropped_reason = change.reason
    else:
        assert change.due is not None  # check_item_changes refuses a change that is neither
        entry.due_date, entry.due_date_reason = change.due, change.reason
    session.add(entry)
    audit.record(
        session=session,
        action="annual_plan_item_changed",
        actor=actor,
        year=entry.year,
        scope=entry.scope,
        decision_code=entry.decision_code,
        type=entry.type,
        dropped=change.drop,
        due_before=before.isoformat(),
        due_after=None if change.drop else entry.due_date.isoformat(),
        reason=change.reason,
    )


@task(name="印发年度评估计划", **STEP_TASK_OPTIONS, **IO_RETRIES)
def issue_annual_plan(year: int, as_of: date, profile: str | None, decision: str | None = None) -> dict:
    """Render the approved plan from its stored items, with the approver's changes, as PDF and table."""
    scope = plan_scope(profile, decision)
    plan = build_plan(year, as_of, profile, decision)  # for the exempt and pending lists
    with read_session() as session:
        entries = plan_entries(session, year, scope)
        titles = {d.code: d.title for d in list_decisions(session=session)}
    rows, changes = [], []
    for entry in entries:
        if entry.dropped_reason:
            changes.append(
                f"{entry.decision_code}（{EVALUATION_TYPE_NAMES[entry.type]}）不列入计划：{entry.dropped_reason}"
            )
            continue
        if entry.due_date_reason:
            changes.append(f"{entry.decision_code} 完成期限调整为 {entry.due_date}：{entry.due_date_reason}")
        rows.append(
            {
                "决策编号": entry.decision_code,
                "决策名称": titles.get(entry.decision_code, ""),
                "评估类型": EVALUATION_TYPE_NAMES[entry.type],
                "原因": REASON_NAMES.get(entry.reason, entry.reason),
                "评估单位": entry.evaluating_unit,
                "触发日": entry.trigger_date.isoformat(),
                "完成期限": entry.due_date.isoformat(),
            }
        )
    path = _publish(plan, scope, rows, changes=changes)
    return {"issued": len(rows), "dropped": sum(1 for e in entries if e.dropped_reason), "document": path}


@task(name="启动计划内评估", **STEP_TASK_OPTIONS, **IO_RETRIES)
def start_planned_evaluations(year: int, profile: str | None, decision: str | None = None) -> dict:
    """Start each approved item's evaluation through its deployment, once and not before its trigger date:
    an item dropped, already started, or covered by an evaluation of that decision and type under way is
    not started again; an item whose trigger date is still to come is scheduled for that day."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    from pinggu.services.orchestration import DEPLOYMENTS

    scope = plan_scope(profile, decision)
    started = covered = already = scheduled = 0
    with read_session() as session:
        entries = plan_entries(session, year, scope)
    dropped = sum(1 for e in entries if e.dropped_reason)
    pending = [(e.id, e.decision_code, e.type, e.due_date, e.trigger_date) for e in entries if not e.dropped_reason]
    today = now_beijing().date()
    for entry_id, decision_code, evaluation_type, due, trigger_date in pending:
        assert entry_id is not None  # a stored entry
        standing = transaction(
            functools.partial(
                _standing, entry_id=entry_id, decision_code=decision_code, evaluation_type=evaluation_type
            )
        )
        if standing == "already":
            already += 1
            continue
        if standing == "covered":
            covered += 1
            continue
        # The idempotency key makes the server return the same run if a crash came between start and record.
        # A trigger still to come (a one-year date later in the year, the day after a final's end) is
        # when the evaluation may start: the run is scheduled for 09:00 that day.
        later = trigger_date > today
        flow_run = run_deployment(
            DEPLOYMENTS[evaluation_type],
            parameters={
                "decision": decision_code,
                "due_date": due.isoformat(),
                "evaluation_type": EVALUATION_TYPE_NAMES[evaluation_type],
            },
            scheduled_time=datetime.combine(trigger_date, time(9), BEIJING) if later else None,
            timeout=0,
            as_subflow=False,  # an evaluation waits for people: only a top-level run can suspend
            idempotency_key=f"annual-plan-{year}-{scope}-{decision_code}-{evaluation_type}",
        )
        assert isinstance(flow_run, FlowRun)  # called from sync code, run_deployment runs synchronously

        transaction(
            functools.partial(
                _record_started,
                entry_id=entry_id,
                flow_run_id=str(flow_run.id),
                year=year,
                decision_code=decision_code,
                evaluation_type=evaluation_type,
            )
        )
        started += 1
        scheduled += later
    return {
        "started": started,
        "scheduled_for_later": scheduled,
        "covered_by_running": covered,
        "already_started": already,
        "dropped": dropped,
    }


def _record_started(
    session: Session, *, entry_id: int, flow_run_id: str, year: int, decision_code: str, evaluation_type: str
) -> None:
    entry = session.get(PlanEntry, entry_id)
    assert entry is not None  # read by the caller; plan entries are never deleted
    if entry.flow_run_id == flow_run_id:
        return  # an earlier try committed; its answer was lost
    entry.flow_run_id, entry.started_at = flow_run_id, now_beijing()
    session.add(entry)
    audit.record(
        session=session,
        action="planned_evaluation_started",
        decision_code=decision_code,
        type=evaluation_type,
        flow_run_id=flow_run_id,
        year=year,
    )


def _standing(session: Session, entry_id: int, decision_code: str, evaluation_type: str) -> str | None:
    """ "already" if the item was started, "covered" if an evaluation of it is under way (now recorded), else None."""
    entry = session.get(PlanEntry, entry_id)
    assert entry is not None  # read by the caller; plan entries are never deleted
    if entry.flow_run_id or entry.evaluation_code:
        return "already"
    running = session.exec(
        select(Evaluation).where(
            Evaluation.decision_code == decision_code,
            Evaluation.type == evaluation_type,
            col(Evaluation.status).not_in((EvaluationStatus.completed, EvaluationStatus.not_started)),
        )
    ).first()
    if running:
        entry.evaluation_code, entry.started_at = running.code, now_beijing()
        session.add(entry)
        return "covered"
    return None
