"""Talking to the Prefect server: start evaluations, read their runs, answer their gates.

Used by the CLI and the demo; `pinggu approve` and the Prefect UI resume a run through the same
API call, so both give answers the flow treats alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pinggu.core.errors import OrchestrationError, StateConflict
from pinggu.rules.gates import gate_name
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EvaluationType

FLOW_NAME = "post-evaluation"
# deployments/serve.py names each evaluation type's deployment by its id.
DEPLOYMENTS: dict[str, str] = {evaluation_type: f"{FLOW_NAME}/{evaluation_type}" for evaluation_type in EvaluationType}
ANNUAL_PLAN = "annual-plan/yearly"
SUPERVISION = "supervision/round"
TRACKING = "tracking/monthly"
DECISION_PROCEDURE = "decision-procedure"  # one deployment per jurisdiction whose rules have the procedure


def _start(deployment: str, parameters: dict[str, Any], what: str) -> UUID:
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    try:
        flow_run = run_deployment(deployment, parameters=parameters, timeout=0)
    except Exception as error:  # the server is down or the deployment is not served
        raise OrchestrationError(f"无法启动{what}：{error}。请先运行 pinggu up", deployment=deployment) from error
    assert isinstance(flow_run, FlowRun)  # called from sync code, run_deployment runs synchronously
    return flow_run.id


def start_annual_plan(year: int, profile: str | None, decision: str | None = None) -> UUID:
    """Create a run of the annual-plan deployment for a year (one profile, all decisions, or one decision)."""
    return _start(ANNUAL_PLAN, {"year": year, "profile": profile, "decision": decision}, "年度计划")


def start_tracking(as_of: str | None, decision: str | None) -> UUID:
    """Create a run of the monthly tracking deployment now (as of a day, for one decision or all)."""
    return _start(TRACKING, {"as_of": as_of, "decision": decision}, "跟踪反馈")


def start_decision_procedure(profile: str, matter: str, lead_unit: str, catalog_year: int | None) -> UUID:
    """Create a run of a jurisdiction's decision procedure deployment for one matter."""
    parameters = {"matter": matter, "lead_unit": lead_unit, "catalog_year": catalog_year}  # profile: frozen in it
    return _start(f"{DECISION_PROCEDURE}/{profile}", parameters, "决策程序")


def start_supervision(decision: str, findings: dict[str, Any], recorded_by: str) -> UUID:
    """Create a run of the supervision deployment for one round's findings."""
    return _start(SUPERVISION, {"decision": decision, "findings": findings, "recorded_by": recorded_by}, "督查")


def prefect_client():
    from prefect import get_client

    return get_client(sync_client=True)


def start_evaluation(evaluation_type: str, parameters: dict[str, Any]) -> UUID:
    """Create a flow run of the evaluation type's deployment and return its id."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    if evaluation_type not in DEPLOYMENTS:
        raise StateConflict(f"暂不支持的评估类型 {evaluation_type}，可选：{'、'.join(DEPLOYMENTS)}")
    parameters = {**parameters, "evaluation_type": EVALUATION_TYPE_NAMES[evaluation_type]}
    try:
        flow_run = run_deployment(DEPLOYMENTS[evaluation_type], parameters=parameters, timeout=0)
    except Exception as error:  # the server is down or the deployment is not served
        raise OrchestrationError(
            f"无法启动评估：{error}。请先运行 pinggu up 启动本地 Prefect 服务和部署",
            deployment=DEPLOYMENTS[evaluation_type],
        ) from error
    assert isinstance(flow_run, FlowRun)  # called from sync code, run_deployment runs synchronously
    return flow_run.id


def read_flow_run(flow_run_id: UUID | str):
    """The flow run as the server sees it now; OrchestrationError in Chinese when the server cannot be reached."""
    import httpx
    from prefect.exceptions import ObjectNotFound

    try:
        with prefect_client() as client:
            return client.read_flow_run(UUID(str(flow_run_id)))
    except ObjectNotFound as error:
        raise OrchestrationError(
            "流程服务中没有这次运行（可能已被清理）：请联系运维人员处理", flow_run_id=str(flow_run_id)
        ) from error
    except (httpx.TransportError, OSError) as error:
        raise OrchestrationError(
            "暂时无法连接流程服务（Prefect），答复未提交；请稍后重试，或请运维人员检查流程服务是否已启动",
            flow_run_id=str(flow_run_id),
        ) from error


def wait_for(
    flow_run_id: UUID | str, done: Callable[[Any], bool], *, timeout: float = 120, what: str = "目标状态"
) -> Any:
    """Poll the flow run until `done(flow_run)` or a final state; return the flow run."""
    deadline = time.monotonic() + timeout
    while True:
        flow_run = read_flow_run(flow_run_id)
        state = flow_run.state
        if done(flow_run):
            return flow_run
        if state is not None and state.is_final():
            raise OrchestrationError(
                f"流程运行 {flow_run.name} 已结束（{state.name}）：{state.message or ''}，未到达{what}",
                flow_run_id=str(flow_run_id),
            )
        if time.monotonic() > deadline:
            raise OrchestrationError(
                f"等待流程运行 {flow_run.name} 到达{what}超时（当前：{state.name if state else '无'}）",
                flow_run_id=str(flow_run_id),
            )
        time.sleep(0.3)


def suspended_runs(flow_name: str) -> list[Any]:
    """The runs of a flow that wait for a person's answer (suspended), newest first; OrchestrationError in
    Chinese when the server cannot be reached."""
    import httpx
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    try:
        with prefect_client() as client:
            return list(
                client.read_flow_runs(
                    flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
                    flow_run_filter=FlowRunFilter(
                        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
                    ),
                    sort=FlowRunSort.START_TIME_DESC,
                    limit=100,
                )
            )
    except (httpx.TransportError, OSError) as error:
        raise OrchestrationError(
            "暂时无法连接流程服务（Prefect），请稍后重试，或请运维人员检查流程服务是否已启动"
        ) from error


def gate_of_pause_key(key: str) -> str:
    """The gate or step a pause key of any run waits at: plan-approval-2 → plan_approval (an evaluation gate's key is
    pinggu.services.evaluation.gates.GateKey)."""
    return key.rsplit("-", 1)[0].replace("-", "_")


def paused_at(flow_run: Any) -> str | None:
    """The gate a suspended run is ready to be answered at (pause key plan_approval-1 → plan_approval).

    The run turns Suspended a moment before it stores its form's schema, and the server refuses an
    answer until the schema is there; so a gate counts as open only once its schema is readable.
    """
    from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

    state = flow_run.state
    if state is None or not state.is_paused() or not state.state_details.pause_key:
        return None
    keyset = state.state_details.run_input_keyset
    if keyset:
        try:
            with prefect_client() as client:
                client.read_flow_run_input(flow_run.id, keyset["schema"])
        except (ObjectNotFound, PrefectHTTPStatusError):
            return None
    return gate_of_pause_key(state.state_details.pause_key)


def answer_gate(flow_run_id: UUID | str, gate: str, run_input: dict[str, Any]) -> str:
    """Resume a run suspended at `gate` with the form's answer; the server checks the form.

    Returns the pause key answered, for `outcome_of` to look up what the flow made of the answer.
    """
    flow_run = read_flow_run(flow_run_id)
    waiting = paused_at(flow_run)
    if waiting != gate:
        current = gate_name(waiting) if waiting else f"未在等待（{flow_run.state.name}）"
        raise StateConflict(
            f"该评估当前不在“{gate_name(gate)}”环节，当前：{current}",
            gate=gate,
            flow_run_id=str(flow_run_id),
        )
    from prefect.client.schemas.responses import SetStateStatus

    with prefect_client() as client:
        result = client.resume_flow_run(UUID(str(flow_run_id)), run_input=run_input)
    if result.status != SetStateStatus.ACCEPT:
        reason = result.details.reason if result.details else ""
        raise OrchestrationError(f"Prefect 服务拒绝了本次提交：{reason}", flow_run_id=str(flow_run_id))
    return flow_run.state.state_details.pause_key


@dataclass(frozen=True)
class AnswerOutcome:
    """What the flow made of an answer: accepted, refused with the reason, or not decided yet (None) under `key`,
    which the page follows until it has."""

    accepted: bool | None
    reason: str = ""
    key: str = ""


def outcome_of(evaluation_code: str, pause_key: str, *, timeout: float = 60) -> AnswerOutcome | None:
    """What the flow made of the answer given under `pause_key` (accepted, or refused with the reason); None if it
    has not decided within `timeout` seconds."""
    from sqlmodel import select

    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.models.tables import Approval, FormRejection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_session() as session:
            evaluation = store.get_evaluation(session=session, code=evaluation_code)
            accepted = session.exec(
                select(Approval).where(Approval.evaluation_id == evaluation.id, Approval.pause_key == pause_key)
            ).first()
            if accepted:
                return AnswerOutcome(accepted=True, key=pause_key)
            refused = session.exec(
                select(FormRejection).where(
                    FormRejection.evaluation_id == evaluation.id, FormRejection.pause_key == pause_key
                )
            ).first()
            if refused:
                return AnswerOutcome(accepted=False, reason=refused.reason, key=pause_key)
        time.sleep(0.5)
    return None


def cancel_waiting_run(flow_run_id: UUID | str, reason: str) -> bool:
    """Cancel a run that still waits (suspended or scheduled), e.g. before a redo starts a new one."""
    from prefect.states import Cancelled

    flow_run = read_flow_run(flow_run_id)
    if flow_run.state is None or flow_run.state.is_final():
        return False
    with prefect_client() as client:
        client.set_flow_run_state(flow_run.id, Cancelled(message=reason), force=True)
    return True


def reopen_evaluation(evaluation: str, stage: str, reason: str, actor: str) -> tuple[str | None, UUID]:
    """重新评估 (minhang 12): redo the evaluation from a stage, every record of the first kept; cancel its run still
    waiting, if any, and start a new one. (The run cancelled, or None; the new run's id.)"""
    from pinggu.models import evaluations as store
    from pinggu.models.db import transaction

    def reopen(session: Any) -> tuple[str, str, str | None]:
        found = store.reopen_evaluation(session=session, code=evaluation, stage=stage, reason=reason, actor=actor)
        return found.type, found.decision_code, found.flow_run_id

    evaluation_type, decision, old_run = transaction(reopen)
    cancelled = old_run if old_run and cancel_waiting_run(old_run, f"评估重做：{reason}") else None
    return cancelled, start_evaluation(evaluation_type, {"decision": decision, "evaluation": evaluation})
