"""Evaluations whose flow run died with its process (killed, out of memory, its machine gone): each
gets a continuation run on the same deployment, which skips every step already done (tasks.ledger).

Prefect marks such a run Crashed; nothing in Prefect starts it again. The daily deadline watch and
`pinggu recover` call `continue_crashed_runs`; each crashed run is continued once: the new run's
idempotency key is the crashed run's id, and the evaluation is bound to it at once (compare and set),
so two callers at once start, record and report one continuation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from uuid import UUID

from prefect.exceptions import ObjectNotFound
from sqlmodel import Session, col, select

from models import audit
from models.db import read_session, transaction
from models.tables import Evaluation
from rules.vocabulary import EvaluationStatus
from services.orchestration import prefect_client

UNFINISHED = (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)


@dataclass(frozen=True)
class Continued:
    """One crashed evaluation run and the run that continues it."""

    evaluation: str
    crashed_run: str
    continuation: str


def _bind(evaluation_id: int, item: Continued, session: Session) -> bool:
    """Bind the evaluation to its continuation unless another caller already has (compare and set)."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.flow_run_id != item.crashed_run:
        return False
    evaluation.flow_run_id = item.continuation
    session.add(evaluation)
    audit.record(
        session=session,
        action="run_continued",
        evaluation_id=evaluation_id,
        crashed_run=item.crashed_run,
        continuation=item.continuation,
    )
    return True


def continue_crashed_runs() -> list[Continued]:
    """Start a continuation run for every unfinished evaluation whose current run has crashed."""
    with read_session() as session:
        unfinished = session.exec(
            select(Evaluation).where(col(Evaluation.status).in_(UNFINISHED), col(Evaluation.flow_run_id).is_not(None))
        ).all()
        bound = [(evaluation.id, evaluation.code, str(evaluation.flow_run_id)) for evaluation in unfinished]
    continued = []
    with prefect_client() as client:
        for evaluation_id, code, run_id in bound:
            try:
                run = client.read_flow_run(UUID(run_id))
            except (ObjectNotFound, ValueError):  # a run of another server, or none
                continue
            if run.state is None or not run.state.is_crashed() or run.deployment_id is None:
                continue
            continuation = client.create_flow_run_from_deployment(
                run.deployment_id,
                parameters={**run.parameters, "evaluation": code},
                idempotency_key=f"continue-{run_id}",
                tags=["续办"],
            )
            assert evaluation_id is not None  # a stored evaluation
            item = Continued(evaluation=code, crashed_run=run_id, continuation=str(continuation.id))
            if transaction(partial(_bind, evaluation_id, item)):
                continued.append(item)
    return continued
