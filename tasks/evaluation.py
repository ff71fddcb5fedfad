"""Tasks that open, advance and close an evaluation record."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from models import audit
from models import evaluations as store
from models.db import session_scope
from models.tables import beijing_minute, now_beijing
from pinggu.errors import StateConflict
from rules.plan import stage_targets
from rules.profiles import load_profile
from rules.vocabulary import EVALUATION_TYPE_NAMES, STAGE_NAMES, STATUS_NAMES
from tasks.ledger import STEP_TASK_OPTIONS


@task(name="开启或接续评估", **STEP_TASK_OPTIONS)
def open_evaluation(
    decision_code: str,
    evaluation_code: str | None,
    flow_run_id: str,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
) -> int:
    """Find the evaluation this flow run works on, or open a new one; return its id."""
    with session_scope() as session:
        decision = store.get_decision(session=session, code=decision_code)
        if evaluation_code:
            evaluation = store.get_evaluation(session=session, code=evaluation_code)
            if evaluation.decision_code != decision.code:
                raise StateConflict(
                    f"评估 {evaluation.code} 属于决策 {evaluation.decision_code}，不是 {decision.code}，请核对",
                    evaluation=evaluation.code,
                )
        else:
            evaluation = store.find_by_flow_run(session=session, flow_run_id=flow_run_id)
        if evaluation is None:
            profile = load_profile(decision.profile)
            if evaluation_type not in profile.evaluation_types:
                offered = "、".join(EVALUATION_TYPE_NAMES[t] for t in profile.evaluation_types)
                raise StateConflict(
                    f"决策 {decision.code} 适用《{profile.title}》，该规定不设{EVALUATION_TYPE_NAMES[evaluation_type]}；"
                    f"可开展：{offered}",
                    decision=decision.code,
                )
            unfinished = store.unfinished_evaluations(session=session, decision_code=decision.code, type=evaluation_type)
            if unfinished:
                codes = "、".join(e.code for e in unfinished)
                raise StateConflict(
                    f"决策 {decision.code} 已有未完成的{EVALUATION_TYPE_NAMES[evaluation_type]}评估 {codes}；"
                    f"如需继续办理，请在“评估编号”中填写该编号后重新运行",
                    decision=decision.code,
                )
            evaluation = store.create_evaluation(
                session=session,
                decision=decision,
                type=evaluation_type,
                scope=scope,
                scope_parts=scope_parts,
                methods=methods,
                stage_targets={
                    stage: (due.due, not due.calendar_complete)
                    for stage, due in stage_targets(now_beijing().date(), profile).items()
                },
                flow_run_id=flow_run_id,
            )
        elif evaluation.flow_run_id != flow_run_id:
            audit.record(
                session=session,
                action="flow_run_attached",
                evaluation_id=evaluation.id,
                previous=evaluation.flow_run_id,
                flow_run_id=flow_run_id,
            )
            evaluation.flow_run_id = flow_run_id
        if evaluation.status != "completed":
            evaluation.status, evaluation.waiting_for = "running", None
        session.add(evaluation)
        return evaluation.id


@task(name="阶段完成", **STEP_TASK_OPTIONS)
def close_stage(evaluation_id: int, stage: str) -> None:
    """Mark a stage done and refresh the evaluation's progress artifact."""
    with session_scope() as session:
        store.mark_stage(session=session, evaluation_id=evaluation_id, stage=stage, status="done")
    publish_progress(evaluation_id)


@task(name="退回修改", **STEP_TASK_OPTIONS)
def send_back(evaluation_id: int, gates: list[str], steps: list[str], stage: str, reason: str) -> None:
    """Reopen the steps and gates that rework must redo; every earlier record stays."""
    with session_scope() as session:
        store.supersede_steps(session=session, evaluation_id=evaluation_id, steps=steps, reason=reason)
        for gate in gates:
            store.supersede_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        store.reopen_stage(session=session, evaluation_id=evaluation_id, stage=stage)


@task(name="评估办结", **STEP_TASK_OPTIONS)
def complete_evaluation(evaluation_id: int) -> str:
    """Mark the evaluation completed (once) and return its final report's path."""
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        if evaluation.status != "completed":
            evaluation.status, evaluation.waiting_for, evaluation.completed_at = "completed", None, now_beijing()
            session.add(evaluation)
            audit.record(
                session=session,
                action="evaluation_completed",
                evaluation_id=evaluation.id,
                conclusion=evaluation.conclusion,
                report=evaluation.report_path,
            )
        report_path = evaluation.report_path or ""
    publish_progress(evaluation_id)
    return report_path


def artifact_key(evaluation_code: str, suffix: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return f"{evaluation_code.lower()}-{suffix}"


def publish_progress(evaluation_id: int) -> None:
    """Publish the evaluation's stage table as a Markdown artifact keyed by evaluation."""
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        rows = store.stages(session=session, evaluation_id=evaluation_id)
    today = now_beijing().date()
    lines = [
        f"### {evaluation.code} · {EVALUATION_TYPE_NAMES[evaluation.type]} · {STATUS_NAMES[evaluation.status]}",
        "",
        "| 阶段 | 状态 | 目标完成日 | 开始 | 完成 | 逾期 |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        overdue = row.status != "done" and row.target_date is not None and row.target_date < today
        lines.append(
            f"| {STAGE_NAMES[row.stage]} | {STATUS_NAMES[row.status]} | {row.target_date or '—'}"
            f"{'（暂定）' if row.target_provisional else ''} | "
            f"{beijing_minute(row.started_at)} | {beijing_minute(row.finished_at)} | {'是' if overdue else '否'} |"
        )
    if evaluation.report_path:
        lines += ["", f"正式报告：`{evaluation.report_path}`"]
    create_markdown_artifact(
        key=artifact_key(evaluation.code, "progress"),
        markdown="\n".join(lines),
        description=f"{evaluation.code} 评估进度",
    )
