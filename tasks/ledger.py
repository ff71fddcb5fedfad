"""Run a step at most once per evaluation: the product database decides what is already done.

A flow re-runs from the top after every resume, and an operator may start a new flow run for the
same evaluation after a crash. Each step therefore looks up its latest attempt first and returns
the stored result if it is done.

A step's work comes in three phases so that no write transaction is held while it is slow:
`gather` reads what the step needs (read-only session), `produce` does the slow part with no
transaction open (rendering, analysis, files, network), and `record` writes the result and the
"done" mark in one short transaction. A crash before `record` commits leaves the step not done,
never half done; the redo writes its files under the same attempt's names, which the record then
points to.

What `record` returns is the step's result model (pinggu.rules.steps.STEPS names it, pinggu.rules.step_results holds it):
`run_step` validates it through the JSON it is stored as, stores that JSON, and returns the model; a done
step's stored JSON is read back into the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast, get_type_hints

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from sqlmodel import Session

from pinggu.core.errors import PingguError, StoreUnavailable
from pinggu.core.faults import fault_point
from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Evaluation, StepRecord, now_beijing
from pinggu.rules.step_results import StepResult
from pinggu.rules.steps import STEPS, StepId, parse_stored, step_name, validate_result
from pinggu.rules.vocabulary import StageStatus, StepStatus

# The product database, not Prefect's cache, knows what is done: a reopened step must really run
# again within the same flow run, which a Prefect cache hit would silently prevent.
STEP_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def _transient(task, task_run, state) -> bool:
    """Retry unexpected failures (disk, renderer) and an unreachable document store; a refusal by the
    product's rules will not change."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, StoreUnavailable) or not isinstance(error, PingguError)


# Steps that touch files, the document store or the PDF renderer retry transient failures with backoff:
# about a minute and a half in all, long enough for a store that is read-only for a minute.
IO_RETRIES: dict[str, Any] = {
    "retries": 4,
    "retry_delay_seconds": [2, 10, 30, 60],
    "retry_condition_fn": _transient,
}

R = TypeVar("R", bound=StepResult)
Gather = Callable[[Session, Evaluation, int], Any]
Produce = Callable[[Any], Any]


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """The task run's logger (shown in the Prefect UI), or the module's outside a run (tests, benches)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("pinggu.steps")


def _begin_attempt(
    evaluation_id: int, stage: str, step: StepId, flow_run_id: str | None
) -> tuple[int, int, dict | None]:
    """Open the step's attempt (or reuse this flow run's unfinished one); (record id, attempt, result if done)."""

    def work(session: Session) -> tuple[int, int, dict | None]:
        latest = store.latest_step(session=session, evaluation_id=evaluation_id, step=step)
        if latest is not None:
            assert latest.id is not None  # a stored step
            if latest.status == StepStatus.done:
                return latest.id, latest.attempt, latest.result
            # This flow run began the step and never finished it (a crash, or a commit whose answer was
            # lost): redo the same attempt, so its files keep their names and no attempt is counted twice.
            if latest.status == StepStatus.running and flow_run_id and latest.flow_run_id == flow_run_id:
                return latest.id, latest.attempt, None
        attempt = latest.attempt + 1 if latest else 1
        record = StepRecord(
            evaluation_id=evaluation_id, stage=stage, step=step, attempt=attempt, flow_run_id=flow_run_id
        )
        session.add(record)
        store.mark_stage(session=session, evaluation_id=evaluation_id, stage=stage, status=StageStatus.running)
        audit.record(session=session, action="step_started", evaluation_id=evaluation_id, step=step, attempt=attempt)
        session.flush()
        assert record.id is not None  # flushed above
        return record.id, attempt, None

    return transaction(work)


def run_step(
    evaluation_id: int,
    step: StepId,
    record: Callable[[Session, Evaluation, Any], R],
    *,
    gather: Gather | None = None,
    produce: Produce | None = None,
    flow_run_id: str | None = None,
) -> R:
    """Run the step unless its latest attempt is done; return the step's result as its model.

    `gather(session, evaluation, attempt)` reads, `produce(gathered)` does the slow work outside
    any transaction, `record(session, evaluation, produced)` writes and returns the result; the last one
    alone is enough for a step that only touches the database. A result that does not fit the step's model
    (pinggu.rules.steps.STEPS) is refused (`StepResultInvalid`) and nothing of the record is written.
    """
    logger = run_logger()
    record_id, attempt, done = _begin_attempt(evaluation_id, STEPS[step].stage, step, flow_run_id)
    if done is not None:
        logger.info("已完成，跳过：%s", step_name(step))
        # R is the registry's model: validate_result holds every recorded result to it.
        return cast(R, parse_stored(step, done))

    def finish(session: Session, produced: Any) -> R:
        attempt_record = session.get(StepRecord, record_id)
        assert attempt_record is not None  # opened by _begin_attempt; step records are never deleted
        if attempt_record.status == StepStatus.done:  # an earlier try committed; its answer was lost
            return cast(R, parse_stored(step, attempt_record.result))
        written = record(session, store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id), produced)
        # Raising here rolls back the whole transaction: the record's own writes go with the refused result.
        result = cast(R, validate_result(step, written))
        attempt_record.status, attempt_record.result, attempt_record.finished_at = (
            StepStatus.done,
            result.stored_json(),
            now_beijing(),
        )
        session.add(attempt_record)
        audit.record(session=session, action="step_done", evaluation_id=evaluation_id, step=step, attempt=attempt)
        return result

    try:
        gathered = None
        if gather is not None:
            with read_session() as session:
                gathered = gather(
                    session, store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id), attempt
                )
        fault_point(f"step-{step}")  # the fault suite's window inside the step, before its result is recorded
        produced = produce(gathered) if produce is not None else gathered
        result = transaction(lambda session: finish(session, produced))
    except Exception as error:
        _fail(evaluation_id, step, attempt, record_id, error)
        raise
    logger.info("完成：%s", step_name(step))
    return result


def _fail(evaluation_id: int, step: str, attempt: int, record_id: int, error: Exception) -> None:
    def work(session: Session) -> None:
        attempt_record = session.get(StepRecord, record_id)
        assert attempt_record is not None  # opened by _begin_attempt; step records are never deleted
        attempt_record.status, attempt_record.error, attempt_record.finished_at = (
            StepStatus.failed,
            str(error),
            now_beijing(),
        )
        session.add(attempt_record)
        audit.record(
            session=session,
            action="step_failed",
            evaluation_id=evaluation_id,
            step=step,
            attempt=attempt,
            error=str(error),
        )

    transaction(work)


class SkipWhenDone:
    """A step's task that a re-run from the top does not start at all once the ledger has the step done.

    A resumed flow re-runs from the top; without this each finished step would still create a task
    run (and its events and logs) on every resume just to find out it has nothing to do.
    """

    def __init__(self, step_task, done: Callable[..., tuple[bool, Any]]) -> None:
        self.task, self._done = step_task, done
        self.fn = step_task.fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        finished, result = self._done(*args, **kwargs)
        return result if finished else self.task(*args, **kwargs)

    def with_options(self, **options: Any) -> SkipWhenDone:
        """The same, over the task with other options (e.g. retries)."""
        return SkipWhenDone(self.task.with_options(**options), self._done)


def ledger_step(step: StepId, **task_options: Any) -> Callable[[Callable[..., Any]], SkipWhenDone]:
    """Make a step's function its Prefect task, named from the registry (pinggu.rules.steps.STEPS), which a
    re-run from the top does not start at all once the ledger has the step done."""

    def done(evaluation_id: int, *_args: Any, **_kwargs: Any) -> tuple[bool, StepResult | None]:
        with read_session() as session:
            latest = store.latest_step(session=session, evaluation_id=evaluation_id, step=step)
            if latest is not None and latest.status == StepStatus.done:
                return True, parse_stored(step, latest.result)
            return False, None

    def decorate(function: Callable[..., Any]) -> SkipWhenDone:
        # The task's declared result is its registry entry's model, so what the flow is handed is what mypy sees.
        declared = get_type_hints(function).get("return")
        if declared is not STEPS[step].result:
            raise TypeError(f"{function.__qualname__} must return {STEPS[step].result.__name__}, not {declared}")
        options = {**STEP_TASK_OPTIONS, **task_options}
        return SkipWhenDone(task(name=STEPS[step].name, **options)(function), done)

    return decorate
