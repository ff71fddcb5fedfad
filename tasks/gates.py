"""Human steps as the flow's tasks around a suspend: what a gate waits for, and accepting or refusing the answer.

Thin wrappers over pinggu.services.evaluation.gates (the key, the description, judging and recording the answer):
here the answer is read into its form (pinggu.forms.gates.GATE_FORMS), the sign-off codes are logged in the task run's
log, and the dashboard artifacts are published once a change commits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.input import RunInput
from pydantic import BaseModel

from pinggu.core.errors import InputFileError, PingguError
from pinggu.forms.gates import GATE_FORMS
from pinggu.models.tables import Decision, Evaluation
from pinggu.rules.gates import GateAnswer, GateId
from pinggu.services import signoff
from pinggu.services.evaluation import gates
from pinggu.services.evaluation.gates import Waiting
from pinggu.tasks.evaluation import publish_approvals, publish_progress
from pinggu.tasks.ledger import STEP_TASK_OPTIONS, SkipWhenDone, run_logger


@dataclass(frozen=True)
class Refused:
    """An answer the rules refused; the flow asks again, showing why."""

    reason: str


def _answered(evaluation_id: int, gate: str) -> tuple[bool, GateAnswer | None]:
    standing = gates.standing_answer(evaluation_id, gate)
    return standing is not None, standing


# A resumed flow passes every gate answered before; it finds the answer without starting a task run.
@functools.partial(SkipWhenDone, done=_answered)
@task(name="查询人工环节", **STEP_TASK_OPTIONS)
def gate_status(evaluation_id: int, gate: str) -> GateAnswer | Waiting:
    """The gate's standing answer, or the pause key and form description to wait under."""
    opened = gates.open_gate(evaluation_id, gate)
    if isinstance(opened, GateAnswer):
        return opened
    if opened.newly_waiting:
        publish_progress(evaluation_id)  # the dashboard artifact names the gate now, not at the next stage change
    send_codes(opened.evaluation, opened.decision, gate, opened.waiting.name, opened.actor, opened.two_factors)
    return opened.waiting


def send_codes(
    evaluation: Evaluation, decision: Decision, gate: str, name: str, actor: str, two_factors: bool = False
) -> list[str]:
    """Issue and send the gate's sign-off codes (pinggu.services.signoff.send_codes), logged in the task run's log."""
    return signoff.send_codes(evaluation, decision, gate, name, actor, two_factors, logger=run_logger())


def _form(gate: str, answer: RunInput | dict[str, Any]) -> BaseModel:
    """The answer as its gate's form (pinggu.forms.gates.GATE_FORMS): the form the suspend returned, or its values read into it."""
    form = GATE_FORMS[GateId(gate)]
    return answer if isinstance(answer, form) else form.model_validate(answer)


@task(name="受理人工环节答复", **STEP_TASK_OPTIONS)
def accept_answer(
    evaluation_id: int, gate: str, attempt: int, key: str, answer: RunInput | dict[str, Any], flow_run_id: str
) -> GateAnswer | Refused:
    """Check an answer against the rules; record it, or record why it was refused.

    An unreadable file or an out-of-range value is refused like a malformed file: the run asks again, saying why.
    """
    try:
        accepted = gates.judge_answer(evaluation_id, gate, attempt, key, _form(gate, answer), flow_run_id)
    except OSError as error:
        refusal: PingguError = InputFileError(
            f"无法读取提交的文件：{error.strerror or error}", path=str(error.filename)
        )
    except ValueError as error:  # pinggu.rules.scoring: a value out of its range, with a Chinese message
        refusal = InputFileError(str(error))
    except PingguError as error:
        refusal = error
    else:
        publish_approvals(evaluation_id)
        return accepted
    gates.refuse_answer(evaluation_id, gate, key, str(refusal))
    return Refused(reason=str(refusal))
