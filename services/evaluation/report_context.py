"""The evaluation report's content, read from the product database (R-PROCESS): what pinggu.reporting.context renders.

pinggu.services.evaluation.steps.conclusion renders it as the draft and the final report (PDF and Word) and records
both; the report's outline is the profile's, and each part a mid-term or final report must cover is pointed to
where it is shown.
"""

from __future__ import annotations

from sqlmodel import Session

from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.agencies import Agency, latest_entrustment
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Evaluation, beijing_minute, now_beijing
from pinggu.reporting.context import ReportContext
from pinggu.rules.gate_details import ExpertReviewDetails, ReportApprovalDetails
from pinggu.rules.gates import GATES, GateId, GateKind, details_as
from pinggu.rules.profiles import REPORT_BLOCKS, Profile, load_profile, printed_basis
from pinggu.rules.step_results import AnalysisResult, PlanResult, PreliminaryResult, ScoringResult
from pinggu.rules.steps import STAGE_NAMES, StepId, read_result, step_name
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, SCOPE_NAMES, FollowUpStatus, StepStatus

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
    done = {
        s.step: s.result
        for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        if s.status == StepStatus.done
    }
    # The report is formed after these steps (flows/stages.py): each is done, and read as its model.
    plan = read_result(StepId.plan, done[StepId.plan], PlanResult)
    analysis = read_result(StepId.analysis, done[StepId.analysis], AnalysisResult)
    card = read_result(StepId.scoring, done[StepId.scoring], ScoringResult)
    preliminary = read_result(StepId.preliminary, done[StepId.preliminary], PreliminaryResult)
    answers = [a for a in store.approvals(session=session, evaluation_id=evaluation.id)]
    expert = next((a for a in reversed(answers) if a.gate == GateId.expert_review and not a.superseded), None)
    procedure = procedure_of(session, evaluation)
    profile = load_profile(decision.profile)
    outline = outline_of(profile)
    approval = next((a for a in reversed(answers) if a.gate == GateId.approval and not a.superseded), None)
    approved = details_as(GateId.approval, approval.details, ReportApprovalDetails) if approval else None
    follow_up = next(
        (f for f in store.follow_ups(session=session, evaluation_id=evaluation.id) if f.status == FollowUpStatus.open),
        None,
    )
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
            "indicators": {indicator.id: indicator for indicator in card.indicators},
            "indicator_names": {indicator.id: indicator.name for indicator in profile.indicators},
            "recommended": (approved.recommended if approved else None) or card.recommended,
            "departure_reason": approved.departure_reason if approved and final else None,
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
            "plan": plan,
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
            "survey": analysis.survey,
            "opinions": analysis.opinions,
            "records": analysis.records,
            "score": card,
            "preliminary": preliminary.text,
            "expert_review": details_as(GateId.expert_review, expert.details, ExpertReviewDetails) if expert else None,
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
