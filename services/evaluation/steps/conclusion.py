"""Conclusion stage's step work (结论形成阶段, bazhou 11): report drafts, final report, completion, follow-up, archive.

What a report says is pinggu.services.evaluation.report_context; this renders, keeps and records it.
pinggu.tasks.conclusion runs it through the ledger and publishes the report's link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from pinggu.core.document_store import keep
from pinggu.core.settings import get_settings
from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.tables import BEIJING, Evaluation, now_beijing
from pinggu.reporting.context import ReportContext, render_report
from pinggu.reporting.docx import write_pdf_and_docx
from pinggu.rules.gates import GateId
from pinggu.rules.periods import add_period
from pinggu.rules.profiles import load_profile
from pinggu.rules.step_results import (
    ArchiveResult,
    FollowUpResult,
    ReportResult,
    ReportSubmittedResult,
    WorkCompletedResult,
)
from pinggu.rules.vocabulary import CONCLUSIONS_NEEDING_FOLLOWUP, Conclusion
from pinggu.services.evaluation.lifecycle import start_deadlines
from pinggu.services.evaluation.report_context import report_context
from pinggu.services.evaluation.steps import StepWork


@dataclass(frozen=True)
class ReportToRender:
    """A report's content and where its files go (`stem`.pdf and `stem`.docx)."""

    stem: Path
    context: ReportContext


@dataclass(frozen=True)
class RenderedReport:
    """A report's PDF and Word files as kept in the document store."""

    path: str
    sha256: str
    docx: str
    docx_sha256: str


def report_work(
    evaluation_id: int,
    title: str,
    *,
    final: bool,
    kind: str,
    label: str = "报告送审稿",
) -> StepWork[ReportToRender, RenderedReport, ReportResult]:
    """Render the evaluation report (draft or final) as PDF and Word and record both documents as `kind`.

    The report's content is read first, rendered with no transaction open, then recorded.
    """

    def gather(session: Session, evaluation: Evaluation, attempt: int) -> ReportToRender:
        name = f"{evaluation.code}-{'后评估报告' if final else f'{label}-第{attempt}稿'}"
        context = report_context(session, evaluation, final=final)
        return ReportToRender(stem=get_settings().reports_dir / evaluation.code / name, context=context)

    def produce(gathered: ReportToRender) -> RenderedReport:
        # The same content as Word too, for offices to edit and circulate.
        written = write_pdf_and_docx(render_report(gathered.context), gathered.stem)
        pdf, docx = keep(written["pdf"][0]), keep(written["docx"][0])
        return RenderedReport(path=pdf.location, sha256=pdf.sha256, docx=docx.location, docx_sha256=docx.sha256)

    def record(session: Session, evaluation: Evaluation, rendered: RenderedReport) -> ReportResult:
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=kind,
            title=title,
            path=rendered.path,
            sha256=rendered.sha256,
        )
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=f"{kind}_docx",
            title=f"{title}（Word）",
            path=rendered.docx,
            sha256=rendered.docx_sha256,
        )
        if final:
            evaluation.report_path = rendered.path
            session.add(evaluation)
        return ReportResult(path=rendered.path, sha256=rendered.sha256, docx=rendered.docx)

    return StepWork(record=record, gather=gather, produce=produce)


def completion_work(evaluation_id: int) -> StepWork[None, None, WorkCompletedResult]:
    """Mark the evaluation work complete: meets NX-11 and starts NX-12 / OR-19 from today."""

    def record(session: Session, evaluation: Evaluation, _: None) -> WorkCompletedResult:
        evaluation.work_completed_at = now_beijing()
        session.add(evaluation)
        met = store.meet_deadlines(session=session, evaluation_id=evaluation_id, milestone="evaluation_completed")
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        start_deadlines(
            session,
            evaluation,
            profile,
            "evaluation_completed",
            evaluation.work_completed_at.astimezone(BEIJING).date(),
        )
        return WorkCompletedResult(completed_at=evaluation.work_completed_at, met=tuple(d.rule for d in met))

    return StepWork(record=record)


def report_submission_work(evaluation_id: int) -> StepWork[None, None, ReportSubmittedResult]:
    """The lead unit submits the report to the decision body: meets NX-12 / OR-19 on that day, whatever the body's pace."""

    def record(session: Session, evaluation: Evaluation, _: None) -> ReportSubmittedResult:
        met = store.meet_deadlines(session=session, evaluation_id=evaluation_id, milestone="report_submitted")
        return ReportSubmittedResult(submitted_at=now_beijing(), met=tuple(d.rule for d in met))

    return StepWork(record=record)


def follow_up_work(evaluation_id: int) -> StepWork[None, None, FollowUpResult]:
    """After an adjust/suspend/terminate conclusion, open the lead unit's follow-up with its deadline (C-FOLLOWUP)."""

    def record(session: Session, evaluation: Evaluation, _: None) -> FollowUpResult:
        assert evaluation.conclusion is not None  # the flow opens it only after the approval set it (C-CONCLUSION)
        if Conclusion(evaluation.conclusion) not in CONCLUSIONS_NEEDING_FOLLOWUP:
            return FollowUpResult(opened=None)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        rule = load_profile(decision.profile).followup
        # Counted from the decision body's approval, not from whenever this step happens to run (a retry or a
        # resume days later must not move the unit's deadline).
        approval = store.current_approval(session=session, evaluation_id=evaluation_id, gate=GateId.approval)
        approved_on = approval.decided_at.astimezone(BEIJING).date() if approval else now_beijing().date()
        due = add_period(approved_on, rule.window)
        item = store.open_follow_up(
            session=session,
            evaluation=evaluation,
            conclusion=evaluation.conclusion,
            unit=decision.lead_unit,
            action=f"评估结论为“{evaluation.conclusion}”：{rule.action}",
            basis=load_profile(decision.profile).citation(rule.basis),
            due_date=due.due,
            provisional=not due.calendar_complete,
        )
        return FollowUpResult(opened=item.id, unit=item.unit, due_date=item.due_date)

    return StepWork(record=record)


def archive_work(evaluation_id: int) -> StepWork[None, None, ArchiveResult]:
    """Write the archive manifest: every document with its hash and the audit chain head (minhang 档案)."""

    # The manifest names the audit event that seals it, so it is written inside the record's
    # transaction: a few kilobytes of JSON, not slow work.
    def record(session: Session, evaluation: Evaluation, _: None) -> ArchiveResult:
        documents = [
            {"kind": d.kind, "title": d.title, "path": d.path, "sha256": d.sha256, "superseded": d.superseded}
            for d in store.documents(session=session, evaluation_id=evaluation_id)
        ]
        head = audit.record(
            session=session, action="archive_sealed", evaluation_id=evaluation_id, documents=len(documents)
        )
        manifest = {
            "evaluation": evaluation.code,
            "decision": evaluation.decision_code,
            "conclusion": evaluation.conclusion,
            "sealed_at": head.at.isoformat(),
            "audit_chain_head": head.hash,
            "documents": documents,
        }
        path = get_settings().documents_dir / evaluation.code / "归档清单.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        kept = keep(path)
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind="archive_manifest",
            title="归档清单",
            path=kept.location,
            sha256=kept.sha256,
        )
        return ArchiveResult(manifest=kept.location, documents=len(documents))

    return StepWork(record=record)
