"""Preparation stage (准备阶段, bazhou 9): team and plan.

The steps' work is pinggu.services.evaluation.steps.preparation; these tasks run it through the ledger."""

from __future__ import annotations

from pinggu.rules.step_results import PlanResult, TeamResult
from pinggu.rules.steps import StepId
from pinggu.services.evaluation.steps.preparation import plan_work, team_work
from pinggu.tasks.evaluation import publish_document_link
from pinggu.tasks.ledger import IO_RETRIES, ledger_step, run_step


@ledger_step(StepId.team)
def form_team(evaluation_id: int, members: list[dict], flow_run_id: str | None = None) -> TeamResult:
    """Form the evaluation team, refusing conflicted members (TEAM-MEMBERS, TEAM-CONFLICT)."""
    work = team_work(evaluation_id, members)
    return run_step(evaluation_id, StepId.team, work.record, flow_run_id=flow_run_id)


@ledger_step(StepId.plan, **IO_RETRIES)
def write_plan(evaluation_id: int, budget_yuan: float | None, flow_run_id: str | None = None) -> PlanResult:
    """Write the evaluation plan with its schedule and store it as a document (S-PREP)."""
    work = plan_work(evaluation_id, budget_yuan)
    plan = run_step(
        evaluation_id, StepId.plan, work.record, gather=work.gather, produce=work.produce, flow_run_id=flow_run_id
    )
    publish_document_link(evaluation_id, StepId.plan, "plan")  # the plan's approver opens it from the run's artifacts
    return plan
