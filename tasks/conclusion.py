"""Conclusion stage (结论形成阶段, bazhou 11): report drafts, final report, archive."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from core.document_store import keep
from core.settings import get_settings
from models import audit
from models import evaluations as store
from models.agencies import Agency, latest_entrustment
from models.tables import BEIJING, Evaluation, beijing_minute, now_beijing
from reporting.context import ReportContext, render_report
from reporting.docx import write_pdf_and_docx
from rules.gates import GATES, GateId, GateKind
from rules.periods import add_period
from rules.profiles import REPORT_BLOCKS, Profile, load_profile, printed_basis
from rules.steps import STAGE_NAMES, StepId, step_name
from rules.vocabulary import (
    CONCLUSIONS_NEEDING_FOLLOWUP,
    EVALUATION_TYPE_NAMES,
    SCOPE_NAMES,
    Conclusion,
    FollowUpStatus,
    StepStatus,
)
from tasks.evaluation import procedure_of, publish_document_link, start_deadlines
from tasks.ledger import IO_RETRIES, ledger_step, run_step

# Which blocks hold the evidence for a part a mid-term or final report must cover (S-MID, S-FINAL).
_PART_BLOCKS = (
    (("效果", "成效"), ("score", "survey")),
    (("问题", "不足", "不当"), ("preliminary",)),
    (("建议", "经验", "教训", "意见"), ("expert_review",)),
)
NUMERALS = "一二三四五六七八九十"


def outline_of(profile: Profile) -> list[dict]:
    """The report's parts in the profile's outline, each with the blocks it shows (report_sections)."""
    return [
        {"numeral": NUMERALS[i], "title": title, "blocks": list(blocks)}
        for i, (title, blocks) in enumerate(zip(profile.report_outline, profile.report_sections, strict=True))
    ]


def where_in_report(part: str, outline: list[dict]) -> str:
    """The outline part and block that hold the evidence for a part a mid-term or final report must cover."""
    wanted = next((blocks for words, blocks in _PART_BLOCKS if any(w in part for w in words)), ("preliminary",))
    for block in wanted:
        for section in outline:
            if block in section["blocks"]:
                return f"{section['numeral']}、{section['title']}（{REPORT_BLOCKS[block]}）"
    return "见报告各部分"


SUBMISSIONS = frozenset(g for g, spec in GATES.items() if spec.kind is GateKind.submission)
APPROVALS = frozenset(g for g, spec in GATES.items() if spec.kind is GateKind.approval)


def report_context(session: Session, evaluation: Evaluation, *, final: bool) -> ReportContext:
    """Everything the report template shows, read from the product database (R-PROCESS)."""
    assert evaluation.id is not None  # a stored evaluation
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    steps = {
        s.step: s
        for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        if s.status == StepStatus.done
    }
    answers = [a for a in store.approvals(session=session, evaluation_id=evaluation.id)]
    expert = next((a for a in reversed(answers) if a.gate == GateId.expert_review and not a.superseded), None)
    procedure = procedure_of(session, evaluation)
    profile = load_profile(decision.profile)
    outline = outline_of(profile)
    approval = next((a for a in reversed(answers) if a.gate == GateId.approval and not a.superseded), None)
    follow_up = next(
        (f for f in store.follow_ups(session=session, evaluation_id=evaluation.id) if f.status == FollowUpStatus.open),
        None,
    )
    card = steps[StepId.scoring].result
    entrustment = latest_entrustment(session=session, evaluation_id=evaluation.id)
    third_party = None
    if entrustment:
        agency = session.get(Agency, entrustment.agency_id)
        assert agency is not None  # an entrustment's agency (foreign key)
        third_party = {"agency": agency.name, "status": entrustment.status, "end_reason": entrustment.end_reason}
    # In the order things happened: by time (to the second), and within a second by the audit chain,
    # which records every step done and every answer in sequence.
    sequence = {
        (event.action, str(event.detail.get("step") or event.detail.get("key")), event.detail.get("attempt")): event.id
        for event in audit.events_for(session=session, evaluation_id=evaluation.id)
        if event.action in ("step_done", "gate_answered")
    }
    happened = [
        (s.finished_at, sequence.get(("step_done", s.step, s.attempt), 0), step_name(s.step), f"第{s.attempt}次 · 完成")
        for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        if s.status in (StepStatus.done, StepStatus.superseded)
    ] + [
        (
            a.decided_at,
            sequence.get(("gate_answered", a.pause_key, None), 0),
            profile.gate_title(a.gate),
            f"{a.approver}（{a.approver_role}）：{a.choice}",
        )
        for a in answers
    ]
    process = [
        {"at": beijing_minute(moment, ""), "what": what, "outcome": outcome}
        for moment, _, what, outcome in sorted(
            happened, key=lambda entry: (entry[0].timestamp() if entry[0] else 0.0, entry[1])
        )
    ]
    return ReportContext.model_validate(
        {
            "report": {"status": "正式报告" if final else "送审稿", "generated_on": now_beijing().date().isoformat()},
            "profile_title": profile.title,
            "outline": outline,
            "materials": [
                {"title": d.title, "sha256": d.sha256}
                for d in store.documents(session=session, evaluation_id=evaluation.id)
                if d.kind in SUBMISSIONS and not d.superseded
            ],
            "indicators": {indicator["id"]: indicator for indicator in card.get("indicators", [])},
            "indicator_names": {indicator.id: indicator.name for indicator in profile.indicators},
            "recommended": (approval.details.get("recommended") if approval else None) or card.get("recommended"),
            "departure_reason": approval.details.get("departure_reason") if approval and final else None,
            "follow_up": (
                f"{follow_up.unit}应于 {follow_up.due_date} 前{follow_up.action.split('：', 1)[-1]}"
                # A follow-up opened before the annotations were left out of citations still holds one.
                + (f"（{printed_basis(follow_up.basis)}）" if printed_basis(follow_up.basis) else "")
                if follow_up
                else None
            ),
            "decision": decision.model_dump(),
            "evaluation": {
                "code": evaluation.code,
                "type_name": EVALUATION_TYPE_NAMES[evaluation.type],
                "scope_name": SCOPE_NAMES[evaluation.scope],
                "scope_parts": evaluation.scope_parts,
            },
            "team": [m.model_dump() for m in store.team(session=session, evaluation_id=evaluation.id)],
            "plan": steps[StepId.plan].result,
            "stages": [
                {
                    "name": STAGE_NAMES[s.stage],
                    "target_date": f"{s.target_date}（暂定）" if s.target_provisional else s.target_date,
                    "started": beijing_minute(s.started_at, ""),
                    "finished": beijing_minute(s.finished_at, ""),
                }
                for s in store.stages(session=session, evaluation_id=evaluation.id)
            ],
            "schedule_provisional": any(
                s.target_provisional for s in store.stages(session=session, evaluation_id=evaluation.id)
            ),
            "survey": steps[StepId.analysis].result["survey"],
            "opinions": steps[StepId.analysis].result["opinions"],
            "records": steps[StepId.analysis].result["records"],
            "score": card,
            "preliminary": steps[StepId.preliminary].result["text"],
            "expert_review": expert.details if expert else None,
            "expert_review_planned": procedure.expert_review is not None,
            "type_parts": [{"part": part, "where": where_in_report(part, outline)} for part in procedure.report_parts],
            "third_party": third_party,
            "deadlines": [
                {
                    "rule": d.rule,
                    "label": d.label,
                    "basis": d.basis,
                    "from_date": d.from_date,
                    "due_date": f"{d.due_date}（暂定）" if d.provisional else d.due_date,
                    "met": beijing_minute(d.met_at, "未到"),
                }
                for d in store.deadlines(session=session, evaluation_id=evaluation.id)
            ],
            "approvals": [
                {
                    "gate_name": profile.gate_title(a.gate),
                    "approver": a.approver,
                    "role": a.approver_role,
                    "choice": a.choice,
                    "conclusion": a.conclusion,
                    "comment": a.comment,
                    "decided_at": beijing_minute(a.decided_at, ""),
                }
                for a in answers
                if a.gate in APPROVALS
            ],
            "conclusion": evaluation.conclusion if final else None,
            "process": process,
        }
    )


def _report(
    evaluation_id: int,
    step: StepId,
    title: str,
    flow_run_id: str | None,
    *,
    final: bool,
    kind: StepId | None = None,
    label: str = "报告送审稿",
) -> dict:
    """Render the evaluation report (draft or final) as PDF and Word and record both documents (as `kind`,
    by default the step's own: a draft formed again after the expert review is still the draft under review).

    The report's content is read first, rendered with no transaction open, then recorded; a link
    artifact to the recorded PDF (opened in the web app) is published after the record commits.
    """
    kind = kind or step

    def gather(session: Session, evaluation: Evaluation, attempt: int) -> dict:
        name = f"{evaluation.code}-{'后评估报告' if final else f'{label}-第{attempt}稿'}"
        context = report_context(session, evaluation, final=final)
        return {"stem": get_settings().reports_dir / evaluation.code / name, "context": context}

    def produce(gathered: dict) -> dict:
        context = gathered["context"]
        # The same content as Word too, for offices to edit and circulate.
        written = write_pdf_and_docx(render_report(context), gathered["stem"])
        pdf, docx = keep(written["pdf"][0]), keep(written["docx"][0])
        return {"path": pdf.location, "sha256": pdf.sha256, "docx": docx.location, "docx_sha256": docx.sha256}

    def record(session: Session, evaluation: Evaluation, rendered: dict) -> dict:
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=kind,
            title=title,
            path=rendered["path"],
            sha256=rendered["sha256"],
        )
        store.add_document(
            session=session,
            evaluation_id=evaluation_id,
            kind=f"{kind}_docx",
            title=f"{title}（Word）",
            path=rendered["docx"],
            sha256=rendered["docx_sha256"],
        )
        if final:
            evaluation.report_path = rendered["path"]
            session.add(evaluation)
        return {key: rendered[key] for key in ("path", "sha256", "docx")}

    result = run_step(evaluation_id, step, record, gather=gather, produce=produce, flow_run_id=flow_run_id)
    publish_document_link(evaluation_id, kind, "report" if final else "draft-report")
    return result


@ledger_step(StepId.draft_report, **IO_RETRIES)
def draft_report(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Render the draft report for expert review and approval; it presets no conclusion."""
    return _report(evaluation_id, StepId.draft_report, "评估报告送审稿", flow_run_id, final=False)


@ledger_step(StepId.reviewed_draft, **IO_RETRIES)
def reviewed_draft(evaluation_id: int, flow_run_id: str | None = None) -> dict:
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
def complete_work(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Mark the evaluation work complete: meets NX-11 and starts NX-12 / OR-19 from today."""

    def record(session: Session, evaluation: Evaluation, _: None) -> dict:
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
        return {"completed_at": evaluation.work_completed_at.isoformat(), "met": [d.rule for d in met]}

    return run_step(evaluation_id, StepId.work_completed, record, flow_run_id=flow_run_id)


@ledger_step(StepId.report_submitted)
def submit_report(evaluation_id: int, flow_run_id: str | None = None) -> dict[str, Any]:
    """The lead unit submits the report to the decision body: meets NX-12 / OR-19 on that day, whatever the body's pace."""

    def record(session: Session, evaluation: Evaluation, _: None) -> dict[str, Any]:
        met = store.meet_deadlines(session=session, evaluation_id=evaluation_id, milestone="report_submitted")
        return {"submitted_at": now_beijing().isoformat(), "met": [d.rule for d in met]}

    return run_step(evaluation_id, StepId.report_submitted, record, flow_run_id=flow_run_id)


@ledger_step(StepId.follow_up)
def open_follow_up(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """After an adjust/suspend/terminate conclusion, open the lead unit's follow-up with its deadline (C-FOLLOWUP)."""

    def record(session: Session, evaluation: Evaluation, _: None) -> dict:
        assert evaluation.conclusion is not None  # the flow opens it only after the approval set it (C-CONCLUSION)
        if Conclusion(evaluation.conclusion) not in CONCLUSIONS_NEEDING_FOLLOWUP:
            return {"opened": None}
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
        return {"opened": item.id, "unit": item.unit, "due_date": item.due_date.isoformat()}

    return run_step(evaluation_id, StepId.follow_up, record, flow_run_id=flow_run_id)


@ledger_step(StepId.final_report, **IO_RETRIES)
def final_report(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Render the final report with the approved conclusion and every approval."""
    return _report(evaluation_id, StepId.final_report, "后评估报告（正式）", flow_run_id, final=True)


@ledger_step(StepId.archive, **IO_RETRIES)
def archive(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Write the archive manifest: every document with its hash and the audit chain head (minhang 档案)."""

    # The manifest names the audit event that seals it, so it is written inside the record's
    # transaction: a few kilobytes of JSON, not slow work.
    def record(session: Session, evaluation: Evaluation, _: None) -> dict:
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
        return {"manifest": kept.location, "documents": len(documents)}

    return run_step(evaluation_id, StepId.archive, record, flow_run_id=flow_run_id)
