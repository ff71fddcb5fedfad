"""The annual plan's tasks (MH-4): draft it as a document, record the approval, start its evaluations once."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlmodel import Session, col, select

from core.settings import get_settings
from models import audit
from models.db import read_session, transaction
from models.tables import Evaluation, PlanDecision, PlanEntry, now_beijing
from reporting.pdf import render_html, write_pdf
from rules.annual_plan import REASON_NAMES
from rules.vocabulary import EVALUATION_TYPE_NAMES, EvaluationStatus
from services.planning import build_plan
from tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS

PLAN_TEMPLATE = "annual_plan.html.j2"


def plan_scope(profile: str | None) -> str:
    """The plan's scope as stored: one profile, or every decision."""
    return profile or "all"


def _entries(session: Session, year: int, scope: str) -> list[PlanEntry]:
    query = select(PlanEntry).where(PlanEntry.year == year, PlanEntry.scope == scope)
    return list(session.exec(query.order_by(col(PlanEntry.id))))


@task(name="编制年度评估计划", **STEP_TASK_OPTIONS, **IO_RETRIES)
def draft_annual_plan(year: int, as_of: date, profile: str | None) -> dict:
    """Compute the plan, keep its items (new ones added, started ones never touched), render it as PDF and a table."""
    plan = build_plan(year, as_of, profile)
    scope = plan_scope(profile)

    def keep_items(session: Session) -> None:
        known = {(e.decision_code, e.type) for e in _entries(session, year, scope)}
        for item in plan.items:
            if (item.decision, item.type) not in known:
                session.add(
                    PlanEntry(
                        year=year,
                        scope=scope,
                        decision_code=item.decision,
                        type=item.type,
                        reason=item.reason,
                        trigger_date=item.trigger_date,
                        due_date=item.due,
                        evaluating_unit=item.evaluating_unit,
                    )
                )

    transaction(keep_items)
    rows = [
        {
            "决策编号": item.decision,
            "决策名称": item.title,
            "评估类型": EVALUATION_TYPE_NAMES[item.type],
            "原因": REASON_NAMES.get(item.reason, item.reason),
            "评估单位": item.evaluating_unit,
            "完成期限": f"{item.due}{'' if item.calendar_complete else '（暂定）'}",
        }
        for item in plan.items
    ]
    path = get_settings().reports_dir / "annual-plans" / f"{year}年度重大行政决策后评估计划-{scope}.pdf"
    write_pdf(
        render_html(
            PLAN_TEMPLATE, {"plan": plan, "rows": rows, "scope": scope, "exempt": plan.exempt, "pending": plan.pending}
        ),
        path,
    )
    create_table_artifact(
        key=f"annual-plan-{year}-{scope.replace('_', '-')}",
        table=rows,
        description=f"{year} 年度评估计划（{scope}）：{len(rows)} 项；PDF：{path}",
    )
    return {"items": len(rows), "exempt": len(plan.exempt), "pending": len(plan.pending), "document": str(path)}


def _answers(session: Session, year: int, scope: str) -> list[PlanDecision]:
    query = select(PlanDecision).where(PlanDecision.year == year, PlanDecision.scope == scope)
    return list(session.exec(query.order_by(col(PlanDecision.id))))


@task(name="查询计划审批", **STEP_TASK_OPTIONS)
def plan_gate_status(year: int, profile: str | None) -> dict[str, Any]:
    """The plan's standing approval answer, or the pause key to wait under."""
    scope = plan_scope(profile)
    with read_session() as session:
        answers = _answers(session, year, scope)
    standing = next((a for a in reversed(answers) if not a.refused and not a.superseded), None)
    if standing:
        return {"answer": {"choice": standing.choice, "comment": standing.comment}}
    last = answers[-1] if answers else None
    return {
        "key": f"annual-plan-{year}-{scope.replace('_', '-')}-{len(answers) + 1}",
        "description": f"**{year} 年度重大行政决策后评估计划**（{scope}）待审定。"
        + (f"\n\n⚠ 上次提交未被受理：{last.refused}" if last and last.refused else "")
        + (f"\n\n上次退回修改：{last.comment}" if last and last.superseded else ""),
    }


@task(name="记录计划审批意见", **STEP_TASK_OPTIONS)
def record_plan_answer(year: int, profile: str | None, key: str, answer: dict) -> dict:
    """Record the approver's answer; 退回修改 needs a reason and sets the answer aside for a redraft."""
    scope = plan_scope(profile)
    refused = (
        "退回修改时须在“说明”中写明需要修改的内容"
        if (answer["choice"] == "退回修改" and not (answer.get("comment") or "").strip())
        else None
    )

    def record(session: Session) -> None:
        if session.exec(select(PlanDecision).where(PlanDecision.pause_key == key)).first():
            return  # an earlier try committed; its answer was lost
        decision = PlanDecision(
            year=year,
            scope=scope,
            pause_key=key,
            approver=answer["approver"].strip(),
            approver_role=answer["approver_role"].strip(),
            choice=answer["choice"],
            comment=answer.get("comment") or None,
            refused=refused,
            superseded=answer["choice"] == "退回修改",
        )
        session.add(decision)
        audit.record(
            session=session,
            action="annual_plan_answered",
            actor=f"{decision.approver}（{decision.approver_role}）",
            year=year,
            scope=scope,
            choice=decision.choice,
            comment=decision.comment,
            refused=refused,
        )

    transaction(record)
    return {"accepted": refused is None, "choice": answer["choice"], "comment": answer.get("comment")}


@task(name="启动计划内评估", **STEP_TASK_OPTIONS, **IO_RETRIES)
def start_planned_evaluations(year: int, profile: str | None) -> dict:
    """Start each approved item's evaluation through its deployment, once: an item already started, or
    covered by an evaluation of that decision and type under way, is not started again."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    from services.orchestration import DEPLOYMENTS

    scope = plan_scope(profile)
    started = covered = already = 0
    with read_session() as session:
        pending = [(e.id, e.decision_code, e.type, e.due_date) for e in _entries(session, year, scope)]
    for entry_id, decision_code, evaluation_type, due in pending:
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
        flow_run = run_deployment(
            DEPLOYMENTS[evaluation_type],
            parameters={
                "decision": decision_code,
                "due_date": due.isoformat(),
                "evaluation_type": EVALUATION_TYPE_NAMES[evaluation_type],
            },
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
    return {"started": started, "covered_by_running": covered, "already_started": already}


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
