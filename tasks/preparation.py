"""Preparation stage (准备阶段, bazhou 9): team and plan."""

from __future__ import annotations

from sqlmodel import Session

from pinggu.core.document_store import keep
from pinggu.core.settings import get_settings
from pinggu.models import evaluations as store
from pinggu.models.agencies import Agency, current_entrustment
from pinggu.models.tables import Evaluation, TeamMember
from pinggu.reporting.pdf import render_html, write_pdf
from pinggu.rules.profiles import load_profile
from pinggu.rules.step_results import PlanResult, TeamMemberRow, TeamResult
from pinggu.rules.steps import StepId, validate_as
from pinggu.rules.team import Member
from pinggu.tasks.evaluation import publish_document_link
from pinggu.tasks.ledger import IO_RETRIES, ledger_step, run_step

PLAN_TEMPLATE = "evaluation_plan.html.j2"


@ledger_step(StepId.team)
def form_team(evaluation_id: int, members: list[dict], flow_run_id: str | None = None) -> TeamResult:
    """Form the evaluation team, refusing conflicted members (TEAM-MEMBERS, TEAM-CONFLICT)."""

    def record(session: Session, evaluation: Evaluation, _: None) -> TeamResult:
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        proposed = [Member(**member) for member in members]
        load_profile(decision.profile).check_team(proposed, decision.pre_decision_assessors)
        for member in proposed:
            session.add(TeamMember(evaluation_id=evaluation_id, name=member.name, role=member.role, unit=member.unit))
        return TeamResult(members=tuple(TeamMemberRow(name=m.name, role=m.role, unit=m.unit) for m in proposed))

    return run_step(evaluation_id, StepId.team, record, flow_run_id=flow_run_id)


@ledger_step(StepId.plan, **IO_RETRIES)
def write_plan(evaluation_id: int, budget_yuan: float | None, flow_run_id: str | None = None) -> PlanResult:
    """Write the evaluation plan with its schedule and store it as a document (S-PREP)."""
    from pinggu.rules.plan import draft_plan

    def gather(session: Session, evaluation: Evaluation, attempt: int) -> dict:
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        targets = {s.stage: s.target_date for s in store.stages(session=session, evaluation_id=evaluation_id)}
        entrustment = current_entrustment(session=session, evaluation_id=evaluation_id)
        agency = None
        if entrustment:
            entrusted = session.get(Agency, entrustment.agency_id)
            assert entrusted is not None  # an entrustment's agency (foreign key)
            agency = entrusted.name
        plan = draft_plan(
            profile=load_profile(decision.profile),
            agency=agency,
            decision_title=decision.title,
            lead_unit=decision.lead_unit,
            evaluation_type=evaluation.type,
            scope=evaluation.scope,
            scope_parts=evaluation.scope_parts,
            methods=evaluation.methods,
            targets=targets,
            budget_yuan=budget_yuan,
        )
        return {
            "plan": plan,
            "decision": decision.model_dump(),
            "evaluation": {"code": evaluation.code, "attempt": attempt},
            "team": [m.model_dump() for m in store.team(session=session, evaluation_id=evaluation_id)],
        }

    def produce(context: dict) -> dict:
        code, attempt = context["evaluation"]["code"], context["evaluation"]["attempt"]
        path = get_settings().documents_dir / code / f"评估方案-第{attempt}稿.pdf"
        write_pdf(render_html(PLAN_TEMPLATE, context), path)
        stored = keep(path)
        return {"plan": context["plan"], "attempt": attempt, "path": stored.location, "sha256": stored.sha256}

    def record(session: Session, evaluation: Evaluation, written: dict) -> PlanResult:
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=StepId.plan,
            title=f"评估方案（第{written['attempt']}稿）",
            path=written["path"],
            sha256=written["sha256"],
        )
        return validate_as(StepId.plan, written["plan"], PlanResult)

    plan = run_step(evaluation_id, StepId.plan, record, gather=gather, produce=produce, flow_run_id=flow_run_id)
    publish_document_link(evaluation_id, StepId.plan, "plan")  # the plan's approver opens it from the run's artifacts
    return plan
