"""The tracking and supervision flows' tasks: thin wrappers over pinggu.services.tracking and pinggu.services.supervision."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from pinggu.core.links import tracking_url
from pinggu.forms.gates import RectificationReviewForm, SupervisionApprovalForm
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import ReportApproval, SupervisionStep
from pinggu.services import supervision, tracking
from pinggu.tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS


@task(name="开出本期跟踪反馈报告", **STEP_TASK_OPTIONS, **IO_RETRIES)
def request_tracking_reports(as_of: date, decision: str | None) -> dict:
    """Ask each lead unit under tracking for the report of every period that has ended (once per period)."""
    asked = tracking.open_requests(as_of, decision)
    link = tracking_url()
    for item in asked:
        get_run_logger().info(
            "已请 %s 报送 %s %s跟踪反馈报告，期限 %s：%s", item.unit, item.decision, item.period, item.due, link
        )
    return {"requested": len(asked)}


@task(name="生成已报送的跟踪反馈报告", **STEP_TASK_OPTIONS, **IO_RETRIES)
def render_tracking_reports(as_of: date, decision: str | None) -> dict:
    """Render every handed-in report (OR-8) as PDF and Word from what was recorded, each once."""
    rendered = [
        location
        for report_id in tracking.received_reports(decision)
        if (location := tracking.render_report(report_id, as_of))
    ]
    return {"rendered": len(rendered)}


@task(name="更新跟踪督查总览", **STEP_TASK_OPTIONS)
def publish_tracking_board(as_of: date) -> int:
    """Refresh the tracking artifact: per decision under tracking, reports, milestones and rectification items."""
    from pinggu.services.portfolio import tracking_board

    rows = tracking_board(as_of)
    create_table_artifact(
        key="tracking-board",
        table=rows or [{"说明": "暂无纳入跟踪的决策（pinggu tracking import 导入跟踪反馈工作方案）"}],
        description=f"跟踪反馈与督查总览（{as_of}）：报告报送、时间节点、整改事项",
    )
    return len(rows)


@task(name="记录督查情况", **STEP_TASK_OPTIONS)
def record_supervision_round(key: str, decision: str, findings: SupervisionInput, recorded_by: str, today: date) -> int:
    """Record the round's findings and its rectification items, once per run."""
    return supervision.record_round(key, decision, findings, recorded_by, today)


@task(name="形成督查报告", **STEP_TASK_OPTIONS, **IO_RETRIES)
def write_supervision_report(round_id: int, today: date) -> str:
    """Render the written supervision report (PDF and Word) once."""
    return supervision.render_round(round_id, today)


@task(name="记录整改审核意见", **STEP_TASK_OPTIONS)
def record_rectification_review(round_id: int, key: str, values: dict, today: date) -> str | None:
    """Judge and record the office's review of one item (the review form's fields), as the person who signed it
    in the web app (pinggu.services.signatures); why it was refused, or None."""
    answer = RectificationReviewForm.model_validate(values)
    reviewer, unsigned = supervision.step_actor(round_id, SupervisionStep.rectification_review, key, values)
    return supervision.review(
        round_id, key, answer.item, answer.verdict, reviewer, answer.comment, today, answer.new_due, refused=unsigned
    )


@task(name="记录督查专报审定意见", **STEP_TASK_OPTIONS)
def record_report_approval(round_id: int, key: str, values: dict, today: date) -> str | None:
    """Judge and record the leaders' approval of the round's report (CL-53), as the leader who signed it in the web
    app; why it was refused, or None."""
    form = SupervisionApprovalForm.model_validate(values)
    approver, unsigned = supervision.step_actor(round_id, SupervisionStep.report_approval, key, values)
    answer = ReportApproval(
        approver=approver or "（未经本人签署）", approved_on=form.approved_on, instructions=form.instructions
    )
    return supervision.approve(round_id, key, answer, today, refused=unsigned)


@task(name="反馈督查专报", **STEP_TASK_OPTIONS)
def distribute_supervision_report(round_id: int, today: date) -> list[dict[str, str]]:
    """Send the report (and the instructions) to the units the regulation names, once, each notified (CL-53)."""
    sent = supervision.distribute(round_id, today)
    for entry in sent:
        get_run_logger().info("督查专报已反馈 %s（%s）", entry["unit"], entry["as"])
    return sent
