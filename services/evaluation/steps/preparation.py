"""Preparation stage's step work (准备阶段, bazhou 9): the team and the plan.

pinggu.tasks.preparation runs it through the ledger and publishes the plan's link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from pinggu.services.evaluation.steps import StepWork

PLAN_TEMPLATE = "evaluation_plan.html.j2"


def team_work(evaluation_id: int, members: list[dict]) -> StepWork[None, None, TeamResult]:
    """Form the evaluation team, refusing conflicted members (TEAM-MEMBERS, TEAM-CONFLICT)."""

    def record(session: Session, evaluation: Evaluation, _: None) -> TeamResult:
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        proposed = [Member(**member) for member in members]
        load_profile(decision.profile).check_team(proposed, decision.pre_decision_assessors)
        for member in proposed:
            session.add(TeamMember(evaluation_id=evaluation_id, name=member.name, role=member.role, unit=member.unit))
        return TeamResult(members=tuple(TeamMemberRow(name=m.name, role=m.role, unit=m.unit) for m in proposed))

    return StepWork(record=record)


@dataclass(frozen=True)
class PlanContext:
    """What the plan's template shows: the drafted plan, the decision, the evaluation's code and attempt, the team."""

    plan: dict[str, Any]
    decision: dict[str, Any]
    code: str
    attempt: int
    team: list[dict[str, Any]]

    def template_context(self) -> dict[str, Any]:
        """The mapping the template reads (evaluation_plan.html.j2)."""
        return {
            "plan": self.plan,
            "decision": self.decision,
            "evaluation": {"code": self.code, "attempt": self.attempt},
            "team": self.team,
        }


@dataclass(frozen=True)
class WrittenPlan:
    """The plan's PDF as kept in the document store, with the plan it shows."""

    plan: dict[str, Any]
    attempt: int
    path: str
    sha256: str


def plan_work(evaluation_id: int, budget_yuan: float | None) -> StepWork[PlanContext, WrittenPlan, PlanResult]:
    """Write the evaluation plan with its schedule and store it as a document (S-PREP)."""
    from pinggu.rules.plan import draft_plan

    def gather(session: Session, evaluation: Evaluation, attempt: int) -> PlanContext:
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
        return PlanContext(
            plan=plan,
            decision=decision.model_dump(),
            code=evaluation.code,
            attempt=attempt,
            team=[m.model_dump() for m in store.team(session=session, evaluation_id=evaluation_id)],
        )

    def produce(context: PlanContext) -> WrittenPlan:
        path = get_settings().documents_dir / context.code / f"评估方案-第{context.attempt}稿.pdf"
        write_pdf(render_html(PLAN_TEMPLATE, context.template_context()), path)
        stored = keep(path)
        return WrittenPlan(plan=context.plan, attempt=context.attempt, path=stored.location, sha256=stored.sha256)

    def record(session: Session, evaluation: Evaluation, written: WrittenPlan) -> PlanResult:
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=StepId.plan,
            title=f"评估方案（第{written.attempt}稿）",
            path=written.path,
            sha256=written.sha256,
        )
        return validate_as(StepId.plan, written.plan, PlanResult)

    return StepWork(record=record, gather=gather, produce=produce)
