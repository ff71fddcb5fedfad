"""Conclusion stage (结论形成阶段, bazhou 11): report drafts, final report, archive.

What a report says is pinggu.services.evaluation.report_context, and each step's work is
pinggu.services.evaluation.steps.conclusion; these tasks run it through the ledger and publish the report's link."""

from __future__ import annotations

from pinggu.rules.step_results import (
    ArchiveResult,
    FollowUpResult,
    ReportResult,
    ReportSubmittedResult,
    WorkCompletedResult,
)
from pinggu.rules.steps import StepId
from pinggu.services.evaluation.steps.conclusion import (
    archive_work,
    completion_work,
    follow_up_work,
    report_submission_work,
    report_work,
)
from pinggu.tasks.evaluation import publish_document_link
from pinggu.tasks.ledger import IO_RETRIES, ledger_step, run_step


def _report(
    evaluation_id: int,
    step: StepId,
    title: str,
    flow_run_id: str | None,
    *,
    final: bool,
    kind: StepId | None = None,
    label: str = "报告送审稿",
) -> ReportResult:
    """Render the evaluation report (draft or final) as PDF and Word and record both documents (as `kind`,
    by default the step's own: a draft formed again after the expert review is still the draft under review).

    A link artifact to the recorded PDF (opened in the web app) is published after the record commits.
    """
    kind = kind or step
    work = report_work(evaluation_id, title, final=final, kind=kind, label=label)
    result = run_step(
        evaluation_id, step, work.record, gather=work.gather, produce=work.produce, flow_run_id=flow_run_id
    )
    publish_document_link(evaluation_id, kind, "report" if final else "draft-report")
    return result


@ledger_step(StepId.draft_report, **IO_RETRIES)
def draft_report(evaluation_id: int, flow_run_id: str | None = None) -> ReportResult:
    """Render the draft report for expert review and approval; it presets no conclusion."""
    return _report(evaluation_id, StepId.draft_report, "评估报告送审稿", flow_run_id, final=False)


@ledger_step(StepId.reviewed_draft, **IO_RETRIES)
def reviewed_draft(evaluation_id: int, flow_run_id: str | None = None) -> ReportResult:
    """Form the draft again once the expert review is recorded (bazhou 11(3)): the draft the decision body
    approves shows the experts, their opinion and its handling, or why none was sought."""
    return _report(
        evaluation_id,
        StepId.reviewed_draft,
        "评估报告送审稿（专家论证后）",
        flow_run_id,
        final=False,
        kind=StepId.draft_report,
        label="报告送审稿（专家论证后）",
    )


@ledger_step(StepId.work_completed)
def complete_work(evaluation_id: int, flow_run_id: str | None = None) -> WorkCompletedResult:
    """Mark the evaluation work complete: meets NX-11 and starts NX-12 / OR-19 from today."""
    work = completion_work(evaluation_id)
    return run_step(evaluation_id, StepId.work_completed, work.record, flow_run_id=flow_run_id)


@ledger_step(StepId.report_submitted)
def submit_report(evaluation_id: int, flow_run_id: str | None = None) -> ReportSubmittedResult:
    """The lead unit submits the report to the decision body: meets NX-12 / OR-19 on that day, whatever the body's pace."""
    work = report_submission_work(evaluation_id)
    return run_step(evaluation_id, StepId.report_submitted, work.record, flow_run_id=flow_run_id)


@ledger_step(StepId.follow_up)
def open_follow_up(evaluation_id: int, flow_run_id: str | None = None) -> FollowUpResult:
    """After an adjust/suspend/terminate conclusion, open the lead unit's follow-up with its deadline (C-FOLLOWUP)."""
    work = follow_up_work(evaluation_id)
    return run_step(evaluation_id, StepId.follow_up, work.record, flow_run_id=flow_run_id)


@ledger_step(StepId.final_report, **IO_RETRIES)
def final_report(evaluation_id: int, flow_run_id: str | None = None) -> ReportResult:
    """Render the final report with the approved conclusion and every approval."""
    return _report(evaluation_id, StepId.final_report, "后评估报告（正式）", flow_run_id, final=True)


@ledger_step(StepId.archive, **IO_RETRIES)
def archive(evaluation_id: int, flow_run_id: str | None = None) -> ArchiveResult:
    """Write the archive manifest: every document with its hash and the audit chain head (minhang 档案)."""
    work = archive_work(evaluation_id)
    return run_step(evaluation_id, StepId.archive, work.record, flow_run_id=flow_run_id)
