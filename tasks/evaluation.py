"""Tasks that open, advance and close an evaluation record: thin wrappers over pinggu.services.evaluation.lifecycle,
each publishing the evaluation's dashboard artifacts (pinggu.services.evaluation.artifacts) once its change commits."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.context import get_run_context
from prefect.exceptions import MissingContextError

from pinggu.core.links import document_url
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.rules.gates import Rework
from pinggu.rules.steps import Stage
from pinggu.services.evaluation import lifecycle
from pinggu.services.evaluation.artifacts import (
    approvals_markdown,
    artifact_key,
    document_link_description,
    progress_markdown,
)
from pinggu.services.evaluation.lifecycle import NotOpened
from pinggu.tasks.ledger import STEP_TASK_OPTIONS, SkipWhenDone


def _bound(
    decision_code: str, evaluation_code: str | None, flow_run_id: str, *_: object, **__: object
) -> tuple[bool, int | None]:
    evaluation_id = lifecycle.resume_bound(flow_run_id)
    return evaluation_id is not None, evaluation_id


# A resumed flow re-runs from the top: the evaluation its run already opened goes on without a task run.
@functools.partial(SkipWhenDone, done=_bound)
@task(name="开启或接续评估", **STEP_TASK_OPTIONS)
def open_evaluation(
    decision_code: str,
    evaluation_code: str | None,
    flow_run_id: str,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    third_party: dict | None = None,
    due_on: date | None = None,
) -> int | NotOpened:
    """Find the evaluation this flow run works on, or open a new one after every check; its id, or why the
    parameters were refused (pinggu.services.evaluation.lifecycle.open_evaluation)."""
    return lifecycle.open_evaluation(
        decision_code, evaluation_code, flow_run_id, evaluation_type, scope, scope_parts, methods, third_party, due_on
    )


@task(name="评估开始（起算法定期限）", **STEP_TASK_OPTIONS)
def start_clock(evaluation_id: int) -> None:
    """Count the stage targets and statutory deadlines from the approved start (NX-10, NX-11)."""
    lifecycle.start_clock(evaluation_id)


@task(name="决定不开展评估", **STEP_TASK_OPTIONS)
def end_not_started(evaluation_id: int) -> str:
    """Close an evaluation the decision body decided not to carry out (NX-10); nothing else runs."""
    code = lifecycle.end_not_started(evaluation_id)
    publish_progress(evaluation_id)
    return f"{code}：决策机关决定不开展评估"


def _stage_done(evaluation_id: int, stage: Stage) -> tuple[bool, None]:
    return lifecycle.stage_done(evaluation_id, stage), None


@functools.partial(SkipWhenDone, done=_stage_done)
@task(name="阶段完成", **STEP_TASK_OPTIONS)
def close_stage(evaluation_id: int, stage: Stage) -> None:
    """Mark a stage done and the next one running (the flow goes straight on into it, and may first
    wait at one of its gates).

    The progress artifact is not published here: the run publishes it once, where it stops — at the gate it
    then waits at (pinggu.tasks.gates.gate_status) or when it ends (complete_evaluation, end_not_started) — so a
    resume that crosses a stage publishes it once, not twice (issue 32)."""
    lifecycle.close_stage(evaluation_id, stage)


@task(name="退回修改", **STEP_TASK_OPTIONS)
def send_back(evaluation_id: int, target: Rework, reason: str) -> None:
    """Reopen the steps and gates that rework of `target` (plan / report / evidence) must redo; every earlier record stays."""
    lifecycle.send_back(evaluation_id, target, reason)
    publish_approvals(evaluation_id)  # the answers it set aside are shown as such at once


@task(name="评估办结", **STEP_TASK_OPTIONS)
def complete_evaluation(evaluation_id: int) -> str:
    """Mark the evaluation completed (once) and return its final report's path."""
    report_path = lifecycle.complete(evaluation_id)
    publish_progress(evaluation_id)
    return report_path


def _publish_markdown(evaluation_id: int, suffix: str, markdown: Callable[[int], str], title: str) -> None:
    """Publish one of the evaluation's Markdown artifacts under its key (<code>-<suffix>): a new version each time."""
    with read_session() as session:
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
    create_markdown_artifact(
        key=artifact_key(code, suffix), markdown=markdown(evaluation_id), description=f"{code} {title}"
    )


def publish_progress(evaluation_id: int) -> None:
    """Publish the evaluation's stage table (progress_markdown) as a Markdown artifact keyed by evaluation."""
    _publish_markdown(evaluation_id, "progress", progress_markdown, "评估进度")


def publish_approvals(evaluation_id: int) -> None:
    """Publish the evaluation's accepted answers (approvals_markdown) as a Markdown artifact keyed by evaluation."""
    _publish_markdown(evaluation_id, "approvals", approvals_markdown, "审批记录")


def _in_run() -> bool:
    """Whether this code runs inside a Prefect flow or task run (not a test or bench calling a step's .fn)."""
    try:
        get_run_context()
    except MissingContextError:
        return False
    return True


def publish_document_link(evaluation_id: int, kind: str, suffix: str) -> None:
    """Inside a run, publish a link artifact <code>-<suffix> to the current document of `kind` in the web app."""
    if not _in_run():
        return
    with read_session() as session:
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
    if document is None or document.id is None:
        return
    create_link_artifact(
        key=artifact_key(code, suffix),
        link=document_url(document.id),
        link_text=document.title,
        description=document_link_description(evaluation_id, kind),
    )
