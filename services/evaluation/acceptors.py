"""What each gate's answer must satisfy, and the record it becomes; the binding of every gate to its judge.

An acceptor checks a typed answer against the rules inside the short write transaction and returns
the Approval to store, or raises a PingguError that the flow shows the operator before asking
again. ``HANDLERS`` binds each gate of the registry (pinggu.rules.gates.GATES) to what its answer carries
(pinggu.services.evaluation.answers) and to either an acceptor or a preparer (pinggu.services.evaluation.submissions);
the gate's form is bound in pinggu.forms.gates.GATE_FORMS. tests/services/evaluation/test_acceptors.py fails on a gap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from pinggu.core.errors import RuleViolation
from pinggu.models import evaluations as store
from pinggu.models.agencies import Agency, current_entrustment, end_entrustment, record_false_report
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Evaluation
from pinggu.rules.gate_details import (
    ExpertReviewDetails,
    GateDetails,
    NoDetails,
    PlanApprovalDetails,
    ReportApprovalDetails,
    TeamDetails,
    TeamMemberDetail,
    ThirdPartyAcceptanceDetails,
)
from pinggu.rules.gates import (
    REWORK_OF,
    AcceptanceVerdict,
    ExpertReviewChoice,
    ExpertsConvened,
    GateId,
    PlanVerdict,
    ReportVerdict,
    Rework,
    StartDecision,
    Submitted,
)
from pinggu.rules.profiles import load_profile, printed_basis
from pinggu.rules.scoring import check_departure
from pinggu.rules.step_results import ScoringResult
from pinggu.rules.steps import StepId
from pinggu.rules.team import Member
from pinggu.rules.vocabulary import Conclusion, StepStatus
from pinggu.services.evaluation.answers import (
    DataFileAnswer,
    ExpertMarksAnswer,
    ExpertReviewAnswer,
    PlanApprovalAnswer,
    RecordsAnswer,
    ReportApprovalAnswer,
    StartApprovalAnswer,
    Submission,
    TeamAnswer,
    ThirdPartyAcceptanceAnswer,
)
from pinggu.services.evaluation.submissions import (
    Preparer,
    StoredSubmission,
    prepare_expert_marks,
    prepare_opinions,
    prepare_survey,
    records_preparer,
)


@dataclass(frozen=True)
class Verdict:
    """What an accepted answer says; pinggu.services.evaluation.gates records it as an Approval with where and when."""

    gate: GateId
    approver: str
    approver_role: str
    choice: StrEnum
    comment: str | None = None
    conclusion: Conclusion | None = None
    details: GateDetails = field(default_factory=NoDetails)  # the model the gate's registry entry names


Acceptor = Callable[[Session, Evaluation, Any], Verdict]


def _require(text: str | None, message: str, rule: str) -> str:
    """The stripped text, or a refusal naming what is missing."""
    if not (text or "").strip():
        raise RuleViolation(message, rule=rule)
    return (text or "").strip()


def accept_team(session: Session, evaluation: Evaluation, form: TeamAnswer) -> Verdict:
    """The evaluation team: at least one staff member, no one who argued for the decision (TEAM-MEMBERS, TEAM-CONFLICT)."""
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    members = [Member(**member.model_dump()) for member in form.members]
    load_profile(decision.profile).check_team(members, decision.pre_decision_assessors)
    return Verdict(
        gate=GateId.team,
        approver=form.submitter.strip(),
        approver_role=form.submitter_role.strip(),
        choice=Submitted.submitted,
        details=TeamDetails(
            members=tuple(TeamMemberDetail.model_validate(member.model_dump(mode="json")) for member in form.members)
        ),
    )


def accept_plan_approval(session: Session, evaluation: Evaluation, form: PlanApprovalAnswer) -> Verdict:
    """方案审定: a plan sent back says what to change (S-PREP)."""
    sent_back = form.choice is PlanVerdict.send_back
    if sent_back:
        _require(form.comment, "退回修改时须在“说明”中写明需要修改的内容", "S-PREP")
    return Verdict(
        gate=GateId.plan_approval,
        approver=form.approver.strip(),
        approver_role=form.approver_role.strip(),
        choice=form.choice,
        comment=form.comment or None,
        details=PlanApprovalDetails(rework=Rework.plan if sent_back else None),
    )


def accept_start_approval(session: Session, evaluation: Evaluation, form: StartApprovalAnswer) -> Verdict:
    """Ningxia's start decision: declining says why (NX-10)."""
    if form.choice is StartDecision.decline:
        _require(form.comment, "决定不开展评估时须在“说明”中写明理由", "NX-10")
    return Verdict(
        gate=GateId.start_approval,
        approver=form.approver.strip(),
        approver_role=form.approver_role.strip(),
        choice=form.choice,
        comment=form.comment or None,
    )


def accept_submission(
    session: Session,
    evaluation: Evaluation,
    form: Submission,
    stored: StoredSubmission,
) -> Verdict:
    """Record a prepared submission: its document and who handed it in."""
    assert evaluation.id is not None  # a stored evaluation
    store.add_document(
        session=session,
        evaluation_id=evaluation.id,
        kind=stored.gate,
        title=stored.title,
        path=stored.kept.location,
        sha256=stored.kept.sha256,
        **stored.meta.stored_json(),
    )
    return Verdict(
        gate=stored.gate,
        approver=form.submitter.strip(),
        approver_role=form.submitter_role.strip(),
        choice=Submitted.submitted,
        comment=stored.comment,
        details=stored.details,
    )


def accept_expert_review(session: Session, evaluation: Evaluation, form: ExpertReviewAnswer) -> Verdict:
    """The experts' opinion on the draft, or why none was sought where the profile allows it (S-CONCL); the
    experts are neither the decision's pre-decision assessors (TEAM-CONFLICT) nor the team that wrote the report."""
    assert evaluation.id is not None  # a stored evaluation
    submitter, role = form.submitter.strip(), form.submitter_role.strip()
    if form.organised is ExpertsConvened.skipped:
        gate = procedure_of(session, evaluation).expert_review
        if gate is None or gate.required:
            cited = printed_basis(gate.basis) if gate else ""
            raise RuleViolation(
                "本评估须组织专家论证" + (f"（{cited}）" if cited else "") + "，不能跳过", rule="S-CONCL"
            )
        reason = _require(form.handling, "不组织专家论证时须在“意见采纳及处理情况”中写明理由", "S-CONCL")
        return Verdict(
            gate=GateId.expert_review,
            approver=submitter,
            approver_role=role,
            choice=ExpertReviewChoice.skipped,
            comment=reason,
            details=ExpertReviewDetails(skipped=True, reason=reason),
        )
    names = {"experts": "论证专家", "opinion": "论证意见", "handling": "意见采纳及处理情况"}
    text = {
        name: _require(getattr(form, name), f"组织专家论证时须填写“{title}”", "S-CONCL")
        for name, title in names.items()
    }
    experts = [name for name in re.split(r"[、,，;；\s]+", form.experts) if name]
    # A space may also sit inside one name (周 立平): check each entry with its spaces removed as well.
    entries = ["".join(entry.split()) for entry in re.split(r"[、,，;；\n]+", form.experts) if entry.strip()]
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    members = [member.name for member in store.team(session=session, evaluation_id=evaluation.id)]
    load_profile(decision.profile).check_experts(
        list(dict.fromkeys(experts + entries)), decision.pre_decision_assessors, members
    )
    return Verdict(
        gate=GateId.expert_review,
        approver=submitter,
        approver_role=role,
        choice=ExpertReviewChoice.held,
        comment=text["opinion"],
        details=ExpertReviewDetails(experts=tuple(experts), opinion=text["opinion"], handling=text["handling"]),
    )


def accept_third_party_acceptance(
    session: Session, evaluation: Evaluation, form: ThirdPartyAcceptanceAnswer
) -> Verdict:
    """The lead unit's acceptance of an entrusted report (OR-14); a false report is put on the agency's credit record (TP-CREDIT)."""
    assert evaluation.id is not None  # a stored evaluation
    approver, role = form.approver.strip(), form.approver_role.strip()
    accepted = form.choice is AcceptanceVerdict.accepted
    if not accepted:
        _require(form.comment, f"{form.choice}时须在“说明”中写明具体情况", "OR-14")
    rework = None if accepted else Rework.report
    details = ThirdPartyAcceptanceDetails(rework=rework)  # the agency only when a false report names one
    if form.choice is AcceptanceVerdict.false_report:
        entrustment = current_entrustment(session=session, evaluation_id=evaluation.id)
        assert entrustment is not None  # the gate is asked only while entrusted, and only this answer ends it
        agency = session.get(Agency, entrustment.agency_id)
        assert agency is not None  # an entrustment's agency (foreign key)
        record_false_report(
            session=session,
            agency_name=agency.name,
            evaluation_code=evaluation.code,
            detail=form.comment.strip(),
            recorded_by=f"{approver}（{role}）",
        )
        end_entrustment(
            session=session,
            evaluation_id=evaluation.id,
            reason=f"评估报告与事实不符：{form.comment.strip()}",
            actor=f"{approver}（{role}）",
        )
        details = ThirdPartyAcceptanceDetails(rework=rework, agency=agency.name)
    return Verdict(
        gate=GateId.third_party_acceptance,
        approver=approver,
        approver_role=role,
        choice=form.choice,
        comment=form.comment or None,
        details=details,
    )


def accept_report_approval(session: Session, evaluation: Evaluation, form: ReportApprovalAnswer) -> Verdict:
    """决策机关审定: a conclusion only after the analysis (C-NOPRESET), chosen when approving (C-CONCLUSION),
    a departure from the recommended one explained (C-DEPART); a send-back says what to change (G-APPROVE)."""
    assert evaluation.id is not None  # a stored evaluation
    analysed = store.latest_step(session=session, evaluation_id=evaluation.id, step=StepId.analysis)
    if analysed is None or analysed.status != StepStatus.done:
        raise RuleViolation("评估分析尚未完成，不能确定评估结论", rule="C-NOPRESET")
    details = ReportApprovalDetails(rework=None)
    approved = form.choice is ReportVerdict.approved
    if approved:
        if form.conclusion is None:
            raise RuleViolation("审定通过时必须选择评估结论：继续执行、调整、中止执行或终止执行", rule="C-CONCLUSION")
        scored = store.done_result(
            session=session, evaluation_id=evaluation.id, step=StepId.scoring, model=ScoringResult
        )
        recommended = scored.recommended if scored else None
        if recommended:
            check_departure(recommended, form.conclusion, form.departure_reason)
            details = ReportApprovalDetails(
                rework=None, recommended=recommended, departure_reason=form.departure_reason.strip() or None
            )
        evaluation.conclusion = form.conclusion
        session.add(evaluation)
    else:
        _require(form.comment, "退回修改时须在“审定意见说明”中写明需要修改的内容", "G-APPROVE")
        details = ReportApprovalDetails(rework=REWORK_OF[form.rework])
    return Verdict(
        gate=GateId.approval,
        approver=form.approver.strip(),
        approver_role=form.approver_role.strip(),
        choice=form.choice,
        conclusion=form.conclusion if approved else None,
        comment=form.comment or None,
        details=details,
    )


@dataclass(frozen=True)
class GateHandler:
    """How one gate's answer is taken in: what it carries, and an acceptor or a preparer for a file."""

    answer: type  # the protocol of pinggu.services.evaluation.answers the gate's form satisfies
    accept: Acceptor | None = None
    prepare: Preparer | None = None


HANDLERS: dict[GateId, GateHandler] = {
    GateId.team: GateHandler(TeamAnswer, accept=accept_team),
    GateId.plan_approval: GateHandler(PlanApprovalAnswer, accept=accept_plan_approval),
    GateId.start_approval: GateHandler(StartApprovalAnswer, accept=accept_start_approval),
    GateId.survey: GateHandler(DataFileAnswer, prepare=prepare_survey),
    GateId.minutes: GateHandler(RecordsAnswer, prepare=records_preparer(GateId.minutes)),
    GateId.field: GateHandler(RecordsAnswer, prepare=records_preparer(GateId.field)),
    GateId.opinions: GateHandler(DataFileAnswer, prepare=prepare_opinions),
    GateId.expert_marks: GateHandler(ExpertMarksAnswer, prepare=prepare_expert_marks),
    GateId.expert_review: GateHandler(ExpertReviewAnswer, accept=accept_expert_review),
    GateId.third_party_acceptance: GateHandler(ThirdPartyAcceptanceAnswer, accept=accept_third_party_acceptance),
    GateId.approval: GateHandler(ReportApprovalAnswer, accept=accept_report_approval),
}
