"""Waiting for people inside a flow: suspend until a form is answered, then record the answer.

Suspends live here, in the top-level flow, because a subflow cannot suspend and a task must not.
No timeout is set: a suspend timeout fails the run and refuses a late resume, while a missed
deadline must only mark the gate overdue (SPEC §6).
"""

from __future__ import annotations

from prefect import get_run_logger
from prefect.flow_runs import suspend_flow_run

from pinggu.forms.gates import GATE_FORMS
from pinggu.rules.gates import GateAnswer, GateId
from pinggu.tasks.gates import Refused, accept_answer, gate_status


def ask(evaluation_id: int, gate: GateId, flow_run_id: str) -> GateAnswer:
    """Return the gate's standing answer, suspending the run until an acceptable one is given."""
    logger = get_run_logger()
    while True:
        status = gate_status(evaluation_id, gate)
        if isinstance(status, GateAnswer):
            return status
        logger.info("等待人工环节：%s（%s）", status.name, status.key)
        form = GATE_FORMS[gate].with_initial_data(description=status.description)
        # After a resume the flow re-runs from the top; the same key then returns the given input.
        answer = suspend_flow_run(wait_for_input=form, key=status.key)
        outcome = accept_answer(evaluation_id, gate, status.attempt, status.key, answer, flow_run_id)
        if not isinstance(outcome, Refused):
            return outcome
        logger.warning("%s 的答复未被受理：%s", status.name, outcome.reason)
