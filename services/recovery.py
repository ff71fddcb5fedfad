"""Evaluations whose flow run died with its process (killed, out of memory, its machine gone): each
gets a continuation run on the same deployment, which skips every step already done (pinggu.tasks.ledger).

A run that dies while its runner or worker lives is marked Crashed by it. A run killed together with
its worker, or on a machine that is gone, would stay Running for ever: every running flow run sends a
heartbeat event every HEARTBEAT_SECONDS, and a Prefect automation (`ensure_recovery_automations`,
created by `pinggu up` and at each worker's start; Prefect's "detect zombie flows") marks a run Crashed
once none has come for PINGGU_ZOMBIE_MINUTES. `crash_silent_runs` does the same from the product's side
(the deadline watch, `pinggu recover`): a backstop for a server whose automations were off or lost.

A second automation starts the `recovery/on-crash` deployment whenever an evaluation's run is Crashed,
and that run continues it (`continue_crashed_runs`) within seconds, at most
AUTOMATIC_CONTINUATIONS_PER_DAY times a day per evaluation, so a run that crashes every time does not
loop; the daily deadline watch and `pinggu recover` continue it regardless. Each crashed run is
continued once: the new run's idempotency key is the crashed run's id, and the evaluation is bound to
it at once (compare and set), so two callers at once start, record and report one continuation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from sqlmodel import Session, col, func, select

from pinggu.core.settings import HEARTBEAT_SECONDS, get_settings
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import AuditEvent, Evaluation, now_beijing
from pinggu.rules.vocabulary import EvaluationStatus
from pinggu.services.orchestration import FLOW_NAME, prefect_client

UNFINISHED = (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)
HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"
RECOVERY_DEPLOYMENT = "recovery/on-crash"
AUTOMATIC_CONTINUATIONS_PER_DAY = 3
# The product's flows (deployments/serve.py; tests/test_prefect_internals.py keeps the two lists equal): the zombie
# automation watches their runs only, so a Prefect server shared with other work keeps its own rules for theirs.
PRODUCT_FLOWS = (
    "annual-plan",
    "deadline-watch",
    "decision-procedure",
    FLOW_NAME,
    "recovery",
    "supervision",
    "tracking",
)
ZOMBIE_AUTOMATION = "pinggu：无心跳的运行标记为已中断"
CONTINUE_AUTOMATION = "pinggu：自动续办中断的评估"
# The events after a heartbeat that explain why no heartbeat follows: the run ended, or it waits (at a
# gate: Suspended; paused; a retry's wait) with no process. Event names are state names, not types.
QUIET_STATES = (
    "Completed",
    "Failed",
    "TimedOut",
    "Cancelled",
    "Cancelling",
    "Crashed",
    "Suspended",
    "Paused",
    "AwaitingRetry",
)
_PAGE = 200  # the server's largest page of flow runs (PREFECT_SERVER_API_DEFAULT_LIMIT)


@dataclass(frozen=True)
class Continued:
    """One crashed evaluation run and the run that continues it."""

    evaluation: str
    crashed_run: str
    continuation: str


@dataclass(frozen=True)
class Silent:
    """An evaluation's run that was Running without a heartbeat for longer than the limit, now Crashed."""

    evaluation: str
    run: str
    silent_minutes: float


def _unfinished() -> list[tuple[int, str, str]]:
    """(id, code, bound run id) of every unfinished evaluation bound to a run."""
    with read_session() as session:
        rows = session.exec(
            select(Evaluation.id, Evaluation.code, Evaluation.flow_run_id).where(
                col(Evaluation.status).in_(UNFINISHED), col(Evaluation.flow_run_id).is_not(None)
            )
        ).all()
    return [(int(evaluation_id), code, str(run_id)) for evaluation_id, code, run_id in rows if evaluation_id]


def _runs_in(client: Any, run_ids: Iterable[str], state_types: Sequence[Any]) -> dict[str, Any]:
    """The runs among `run_ids` now in one of `state_types`, by id: one filtered call per page of ids."""
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )

    ids = []
    for run_id in run_ids:
        try:
            ids.append(UUID(run_id))
        except ValueError:  # not a run of any server
            continue
    found: dict[str, Any] = {}
    for start in range(0, len(ids), _PAGE):
        page = ids[start : start + _PAGE]
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=page),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(state_types))),
            ),
            limit=len(page),
        )
        found.update({str(run.id): run for run in runs})
    return found


def _heard_from(client: Any, run_ids: Sequence[str], since: datetime, until: datetime) -> set[str]:
    """Which of `run_ids` sent a heartbeat between `since` and `until` (one query, paged)."""
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventResourceFilter

    if not run_ids:
        return set()
    page = client.read_events(
        filter=EventFilter(
            occurred=EventOccurredFilter(since=since, until=until),
            event=EventNameFilter(name=[HEARTBEAT_EVENT]),
            resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}" for run_id in run_ids]),
        ),
        limit=50,  # the server's largest page of events
    )
    heard: set[str] = set()
    while True:
        heard |= {event.resource.id.removeprefix("prefect.flow-run.") for event in page.events}
        if page.next_page is None or heard >= set(run_ids):
            return heard
        page = client.read_events_page(page.next_page)


def crash_silent_runs(limit_minutes: float | None = None, now: datetime | None = None) -> list[Silent]:
    """Mark Crashed every Running run of an unfinished evaluation that has been Running, with no heartbeat,
    for longer than PINGGU_ZOMBIE_MINUTES (or `limit_minutes`); `continue_crashed_runs` then continues it."""
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.responses import SetStateStatus
    from prefect.states import Crashed

    limit = timedelta(minutes=limit_minutes or get_settings().zombie_minutes)
    now = now or datetime.now(UTC)
    bound = {run_id: code for _, code, run_id in _unfinished()}
    silent = []
    with prefect_client() as client:
        running = _runs_in(client, bound, [StateType.RUNNING])
        # Running since before the window opened: a run that only just started or resumed has had no time to beat.
        stale = {run_id: run for run_id, run in running.items() if run.state.timestamp < now - limit}
        heard = _heard_from(client, list(stale), since=now - limit, until=now)
        for run_id, run in stale.items():
            if run_id in heard:
                continue
            minutes = (now - run.state.timestamp).total_seconds() / 60
            result = client.set_flow_run_state(
                run.id,
                Crashed(
                    message=f"超过 {limit.total_seconds() / 60:g} 分钟未收到心跳，运行它的进程已不在（pinggu 巡查时标记）"
                ),
            )
            if result.status == SetStateStatus.ACCEPT:  # not if it ended meanwhile
                silent.append(Silent(evaluation=bound[run_id], run=run_id, silent_minutes=round(minutes, 1)))
    return silent


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


def _continued_since(evaluation_ids: Sequence[int], since: datetime) -> dict[int, int]:
    """How many times each evaluation was continued since `since` (its run_continued audit records)."""
    if not evaluation_ids:
        return {}
    with read_session() as session:
        rows = session.exec(
            select(AuditEvent.evaluation_id, func.count())
            .where(
                AuditEvent.action == "run_continued",
                col(AuditEvent.evaluation_id).in_(evaluation_ids),
                AuditEvent.at >= since,
            )
            .group_by(col(AuditEvent.evaluation_id))
        ).all()
    return {int(evaluation_id): count for evaluation_id, count in rows if evaluation_id is not None}


@dataclass(frozen=True)
class Recovered:
    """What `continue_crashed` did: the continuations started, and the crashed evaluations it left alone
    because they had been continued `max_per_day` times in the last 24 hours (a run that crashes every time)."""

    continued: list[Continued]
    left: list[str]


def continue_crashed_runs() -> list[Continued]:
    """Start a continuation run for every unfinished evaluation whose current run has crashed."""
    return continue_crashed().continued


def continue_crashed(max_per_day: int | None = None) -> Recovered:
    """Start a continuation run for every unfinished evaluation whose current run has crashed, reading their
    runs in one filtered call; with `max_per_day`, leave one continued that often in the last 24 hours."""
    from prefect.client.schemas.objects import StateType

    bound = _unfinished()
    continued: list[Continued] = []
    left: list[str] = []
    with prefect_client() as client:
        crashed = _runs_in(client, (run_id for *_, run_id in bound), [StateType.CRASHED])
        candidates = [(evaluation_id, code, run_id) for evaluation_id, code, run_id in bound if run_id in crashed]
        counts = (
            _continued_since([evaluation_id for evaluation_id, *_ in candidates], now_beijing() - timedelta(days=1))
            if max_per_day is not None
            else {}
        )
        for evaluation_id, code, run_id in candidates:
            run = crashed[run_id]
            if run.deployment_id is None:  # run in a process of its own, not from a deployment: nothing to continue on
                continue
            if max_per_day is not None and counts.get(evaluation_id, 0) >= max_per_day:
                left.append(code)
                continue
            continuation = client.create_flow_run_from_deployment(
                run.deployment_id,
                parameters={**run.parameters, "evaluation": code},
                idempotency_key=f"continue-{run_id}",
                tags=["续办"],
            )
            item = Continued(evaluation=code, crashed_run=run_id, continuation=str(continuation.id))
            if transaction(partial(_bind, evaluation_id, item)):
                continued.append(item)
    return Recovered(continued=continued, left=left)


def recovery_automations(zombie_minutes: float, recovery_deployment_id: UUID) -> list[Any]:
    """The two automations that keep no run for dead (see the module's docstring), as Prefect models."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState, RunDeployment
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    every_run = ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"})
    zombie = AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description=(
            f"运行中的流程每 {HEARTBEAT_SECONDS} 秒发送一次心跳；超过 {zombie_minutes:g} 分钟（PINGGU_ZOMBIE_MINUTES）"
            "既无心跳又未结束、未暂停的，视为运行它的进程已不在，标记为已中断（Crashed）。由 pinggu up 和工作进程启动时创建。"
        ),
        trigger=EventTrigger(
            after={HEARTBEAT_EVENT},
            expect={HEARTBEAT_EVENT, *(f"prefect.flow-run.{state}" for state in QUIET_STATES)},
            match=every_run,
            match_related=ResourceSpecification(
                {"prefect.resource.role": "flow", "prefect.resource.name": list(PRODUCT_FLOWS)}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(minutes=zombie_minutes),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"超过 {zombie_minutes:g} 分钟未收到心跳，运行它的进程已不在",
            )
        ],
    )
    continuation = AutomationCore(
        name=CONTINUE_AUTOMATION,
        description=(
            "评估的流程运行中断（Crashed）时，启动续办部署 recovery/on-crash：在同一部署上续办该评估，"
            f"已完成的步骤不重做；同一评估一天内自动续办至多 {AUTOMATIC_CONTINUATIONS_PER_DAY} 次。"
        ),
        trigger=EventTrigger(
            expect={"prefect.flow-run.Crashed"},
            match=every_run,
            match_related=ResourceSpecification({"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME}),
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[RunDeployment(source="selected", deployment_id=recovery_deployment_id, parameters={})],
    )
    return [zombie, continuation]


def _canonical(value: Any) -> Any:
    """A model's JSON with every list sorted: the server returns a trigger's sets in any order."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def _definition(automation: Any) -> Any:
    return _canonical(
        automation.model_dump(mode="json", include={"name", "description", "enabled", "trigger", "actions"})
    )


def ensure_recovery_automations(zombie_minutes: float | None = None) -> dict[str, str]:
    """Create, or bring up to date, the zombie and continuation automations on the server; idempotent.

    An automation already as wanted is left alone: updating it would give its trigger a new identity and
    drop the countdowns running for runs that may already be dead. {name: 已创建 | 已更新 | 无变化}."""
    minutes = zombie_minutes or get_settings().zombie_minutes
    outcome = {}
    with prefect_client() as client:
        deployment = client.read_deployment_by_name(RECOVERY_DEPLOYMENT)
        for wanted in recovery_automations(minutes, deployment.id):
            found = client.read_automations_by_name(wanted.name)
            for duplicate in found[1:]:  # two starts at once may each have created one
                client.delete_automation(duplicate.id)
            if not found:
                client.create_automation(wanted)
                outcome[wanted.name] = "已创建"
            elif _definition(found[0]) != _definition(wanted):
                client.update_automation(found[0].id, wanted)
                outcome[wanted.name] = "已更新"
            else:
                outcome[wanted.name] = "无变化"
    return outcome
