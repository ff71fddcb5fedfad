"""Run a step at most once per evaluation: the product database decides what is already done.

A flow re-runs from the top after every resume, and an operator may start a new flow run for the
same evaluation after a crash. Each step therefore looks up its latest attempt first and returns
the stored result if it is done. The work and the "done" mark commit in one transaction, so a
crash in between leaves the step not done, never half done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import get_run_logger
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from models import audit
from models import evaluations as store
from models.db import session_scope
from models.tables import Evaluation, StepRecord, now_beijing
from pinggu.errors import PingguError
from rules.vocabulary import STEP_NAMES

# The product database, not Prefect's cache, knows what is done: a reopened step must really run
# again within the same flow run, which a Prefect cache hit would silently prevent.
STEP_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def _transient(task, task_run, state) -> bool:
    """Retry unexpected failures (disk, renderer); a refusal by the product's rules will not change."""
    return not isinstance(state.result(raise_on_failure=False), PingguError)


# Steps that touch files or the PDF renderer retry transient failures with backoff.
IO_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [2, 10], "retry_condition_fn": _transient}

Work = Callable[[Session, Evaluation], dict[str, Any]]


def run_step(evaluation_id: int, stage: str, step: str, work: Work, *, flow_run_id: str | None = None) -> dict[str, Any]:
    """Run `work` for this step unless its latest attempt is done; return the step's result."""
    logger = get_run_logger()
    with session_scope() as session:
        latest = store.latest_step(session=session, evaluation_id=evaluation_id, step=step)
        if latest is not None and latest.status == "done":
            logger.info("已完成，跳过：%s", STEP_NAMES.get(step, step))
            return latest.result
        attempt = latest.attempt + 1 if latest else 1
        record = StepRecord(
            evaluation_id=evaluation_id, stage=stage, step=step, attempt=attempt, flow_run_id=flow_run_id
        )
        session.add(record)
        store.mark_stage(session=session, evaluation_id=evaluation_id, stage=stage, status="running")
        audit.record(session=session, action="step_started", evaluation_id=evaluation_id, step=step, attempt=attempt)
        session.flush()
        record_id = record.id

    try:
        with session_scope() as session:
            evaluation = session.get(Evaluation, evaluation_id)
            result = work(session, evaluation)
            record = session.get(StepRecord, record_id)
            record.status, record.result, record.finished_at = "done", result, now_beijing()
            session.add(record)
            audit.record(
                session=session, action="step_done", evaluation_id=evaluation_id, step=step, attempt=attempt
            )
    except Exception as error:
        with session_scope() as session:
            record = session.get(StepRecord, record_id)
            record.status, record.error, record.finished_at = "failed", str(error), now_beijing()
            session.add(record)
            audit.record(
                session=session,
                action="step_failed",
                evaluation_id=evaluation_id,
                step=step,
                attempt=attempt,
                error=str(error),
            )
        raise
    logger.info("完成：%s", STEP_NAMES.get(step, step))
    return result
