"""The three stages as building blocks every evaluation type shares (SPEC §4).

They hold only the order of steps and the loops of human gates; what a step does lives in tasks/,
which gates a type passes in rules/procedure.py. They run in the flow itself (not as subflows)
because only the top-level flow run can suspend.
"""

from __future__ import annotations

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed

from pinggu.flows.gates import ask
from pinggu.rules.gate_details import TeamDetails
from pinggu.rules.gates import GATES, GateAnswer, GateId, PlanVerdict, Rework
from pinggu.rules.steps import Stage
from pinggu.services.evaluation.lifecycle import route
from pinggu.tasks.conclusion import (
    archive,
    complete_work,
    draft_report,
    final_report,
    open_follow_up,
    reviewed_draft,
    submit_report,
)
from pinggu.tasks.evaluation import close_stage, end_not_started, send_back, start_clock
from pinggu.tasks.implementation import analyse_evidence, draw_preliminary, score_evaluation
from pinggu.tasks.preparation import form_team, write_plan


def prepare(evaluation_id: int, team: list[dict], budget_yuan: float | None, run_id: str) -> bool:
    """准备阶段: team, plan, plan approval; Ningxia's start decision. False when the start is refused."""
    info = route(evaluation_id)
    gates = info.gates
    if not team and not info.team_formed:  # started without a team (e.g. by the annual plan): ask for it
        named = ask(evaluation_id, GateId.team, run_id).details_as(TeamDetails)
        team = [member.model_dump() for member in named.members]
    form_team(evaluation_id, team, run_id)
    while True:
        write_plan(evaluation_id, budget_yuan, run_id)
        if GateId.plan_approval not in gates:
            break
        verdict = ask(evaluation_id, GateId.plan_approval, run_id)
        if verdict.choice is PlanVerdict.agree:
            break
        send_back(evaluation_id, Rework.plan, verdict.comment or "")
    if GateId.start_approval in gates:
        if ask(evaluation_id, GateId.start_approval, run_id).declined:
            end_not_started(evaluation_id)
            return False
        start_clock(evaluation_id)
    close_stage(evaluation_id, Stage.preparation)
    return True


def implement(evaluation_id: int, run_id: str) -> None:
    """实施阶段: wait for each material the methods produce, analyse, score, draw the preliminary finding."""
    gates = route(evaluation_id).gates
    for gate in gates:
        if GATES[gate].stage is Stage.implementation:
            ask(evaluation_id, gate, run_id)
    analysis = analyse_evidence(evaluation_id, run_id)
    card = score_evaluation(evaluation_id, analysis, run_id)
    draw_preliminary(evaluation_id, analysis, card, run_id)
    close_stage(evaluation_id, Stage.implementation)


def conclude(evaluation_id: int, run_id: str) -> GateAnswer:
    """结论形成阶段 up to the decision body's answer: draft, expert review and the draft formed again after it,
    acceptance, submission, approval.

    Returns the approval; a report sent back by the experts' acceptance gate is redrafted here, one
    sent back for more evidence is returned for the flow to collect it again.
    """
    while True:
        draft_report(evaluation_id, run_id)
        gates = route(evaluation_id).gates  # a false report ends the entrustment, and its gate
        if GateId.expert_review in gates:
            ask(evaluation_id, GateId.expert_review, run_id)
            reviewed_draft(evaluation_id, run_id)  # what the decision body approves holds the review
        if GateId.third_party_acceptance in gates:
            accepted = ask(evaluation_id, GateId.third_party_acceptance, run_id)
            if accepted.rework:
                send_back(evaluation_id, accepted.rework, accepted.comment or "")
                continue
        complete_work(evaluation_id, run_id)
        submit_report(evaluation_id, run_id)
        verdict = ask(evaluation_id, GateId.approval, run_id)
        if verdict.rework in (None, Rework.evidence):
            return verdict
        send_back(evaluation_id, verdict.rework, verdict.comment or "")


def finish(evaluation_id: int, run_id: str) -> None:
    """After approval: the follow-up for the lead unit, the final report (which names it), the archive."""
    open_follow_up(evaluation_id, run_id)
    final_report(evaluation_id, run_id)
    archive(evaluation_id, run_id)
    close_stage(evaluation_id, Stage.conclusion)


def refuse(reason: str) -> State:
    """End the run Failed with the product's own Chinese reason as its state message, logged once, no traceback.

    The reason is then what the run list and the run's header show, instead of a traceback on the Logs tab.
    """
    get_run_logger().error("未能开始：%s", reason)
    return Failed(message=reason)
