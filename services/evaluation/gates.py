"""Human steps: what a gate waits for, the key it waits under, and judging the answer given to it.

What each answer must satisfy is in pinggu.services.evaluation.acceptors, how a submitted file is read and stored
in pinggu.services.evaluation.submissions. The flow (pinggu.tasks.gates, around a suspend) and the web app (an answer's
immediate check, before the run resumes) judge with the same `judge_answer`, and read the same `GateKey`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import BaseModel
from sqlmodel import Session, select

from pinggu.core.errors import SignoffRefused
from pinggu.core.links import document_url, gate_url
from pinggu.models import audit, people
from pinggu.models import evaluations as store
from pinggu.models.db import dry_run, read_session, transaction
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Approval, Decision, Evaluation, FormRejection, StageRecord
from pinggu.rules.gates import GATES, GateAnswer, GateId, gate_details, gate_stage, rework_of
from pinggu.rules.procedure import Procedure
from pinggu.rules.profiles import load_profile
from pinggu.rules.step_results import ScoringResult
from pinggu.rules.steps import StepId
from pinggu.rules.vocabulary import Conclusion, EvaluationStatus
from pinggu.services import gate_handover
from pinggu.services.evaluation.acceptors import HANDLERS, accept_submission
from pinggu.services.evaluation.answers import Submission
from pinggu.services.signoff import second_factor, waits_for


@dataclass(frozen=True)
class GateKey:
    """The suspend key of a gate's n-th asking (plan-approval-2): the flow waits under it, a face answers it."""

    gate: GateId
    attempt: int

    @property
    def key(self) -> str:
        """The key as Prefect stores it: Prefect allows lowercase letters, digits and dashes only."""
        return f"{self.gate.value.replace('_', '-')}-{self.attempt}"

    @classmethod
    def parse(cls, key: str) -> GateKey | None:
        """The gate and attempt a key names, or None for a key of no evaluation gate (a plan's, a procedure's …)."""
        name, _, attempt = key.rpartition("-")
        if not (attempt.isascii() and attempt.isdigit()):
            return None
        try:
            gate = GateId(name.replace("-", "_"))
        except ValueError:
            return None
        return cls(gate, int(attempt))


@dataclass(frozen=True)
class Waiting:
    """A gate not yet answered: the suspend key to wait under and the form's description."""

    attempt: int
    key: str
    description: str
    name: str  # the gate as the evaluation's regulation names it (Profile.gate_title)


@dataclass(frozen=True)
class Opened:
    """A gate asked now: what the run waits under, and whom its sign-off codes go to."""

    waiting: Waiting
    evaluation: Evaluation
    decision: Decision
    actor: str  # who must act, as the profile names them (pinggu.services.signoff.waits_for)
    two_factors: bool  # a signed-in person also gives the code sent to them (pinggu.services.signoff.second_factor)
    newly_waiting: bool  # the evaluation was just marked as waiting here: its progress artifact is out of date


def answer_of(approval: Approval) -> GateAnswer:
    """The stored answer as the flow branches on it: the gate's own choice enum, the rework it asks for."""
    gate = GateId(approval.gate)
    details = gate_details(gate, approval.details)
    return GateAnswer(
        gate=gate,
        choice=GATES[gate].choices(approval.choice),
        approver=approval.approver,
        comment=approval.comment,
        conclusion=Conclusion(approval.conclusion) if approval.conclusion else None,
        rework=rework_of(details),
        details=details,
    )


def standing_answer(evaluation_id: int, gate: str) -> GateAnswer | None:
    """The gate's standing (accepted, not set aside) answer, or None."""
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        return answer_of(standing) if standing else None


def open_gate(evaluation_id: int, gate: str) -> GateAnswer | Opened:
    """The gate's standing answer, or the gate opened: the key and form description to wait under, the
    evaluation marked as waiting at it (once per asking)."""
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        if standing:
            return answer_of(standing)
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        name = load_profile(decision.profile).gate_title(gate)
        procedure = procedure_of(session, evaluation)
        attempt = store.next_gate_attempt(session=session, evaluation_id=evaluation_id, gate=gate)
        key = GateKey(GateId(gate), attempt).key
        waiting_for = f"{name}（{waits_for(procedure, gate)}；第{attempt}次）"
        refused = store.rejections(session=session, evaluation_id=evaluation_id)
        last_refusal = next((r.reason for r in reversed(refused) if r.gate == gate), None)
        description = _description(session, evaluation, decision, procedure, gate, name, last_refusal)
    newly_waiting = evaluation.waiting_for != waiting_for
    if newly_waiting:
        transaction(lambda session: _mark_waiting(session, evaluation_id, gate, key, waiting_for))
    return Opened(
        waiting=Waiting(attempt=attempt, key=key, description=description, name=name),
        evaluation=evaluation,
        decision=decision,
        actor=waits_for(procedure, gate),
        two_factors=second_factor(procedure, gate),
        newly_waiting=newly_waiting,
    )


def _mark_waiting(session: Session, evaluation_id: int, gate: str, key: str, waiting_for: str) -> None:
    evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
    if evaluation.waiting_for == waiting_for:
        return
    evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = EvaluationStatus.waiting, waiting_for, gate
    session.add(evaluation)
    audit.record(session=session, action="gate_waiting", evaluation_id=evaluation_id, gate=gate, key=key)


def _description(
    session: Session,
    evaluation: Evaluation,
    decision: Decision,
    procedure: Procedure,
    gate: str,
    name: str,
    last_refusal: str | None,
) -> str:
    assert evaluation.id is not None  # a stored evaluation
    profile_gate = procedure.gate(gate)
    lines = [
        f"**{name}** · 评估 {evaluation.code} · 《{decision.title}》",
        "",
        f"办理：{waits_for(procedure, gate)}" + (f"（依据：{profile_gate.basis}）" if profile_gate else ""),
    ]
    target = gate_target(session, evaluation.id, gate)
    if target:
        lines.append(f"\n目标完成日：{target_text(target)}")
    reviews = GATES[GateId(gate)].reviews
    document = reviews and store.current_document(session=session, evaluation_id=evaluation.id, kind=reviews)
    if document and document.id is not None:
        lines.append(f"\n待审材料：[{document.title}]({document_url(document.id)})")
    if gate == GateId.approval:
        card = store.done_result(session=session, evaluation_id=evaluation.id, step=StepId.scoring, model=ScoringResult)
        if card is not None and card.total is not None:
            lines.append(
                f"\n评估得分 {card.total:g} 分（{card.grade}），按得分推荐的结论：**{card.recommended}**。"
                "审定结论与推荐不同时，须在“偏离推荐结论的理由”中书面说明。"
            )
    if last_refusal:
        lines.append(f"\n⚠ 上次提交未被受理：{last_refusal}。请修改后重新提交。")
    lines.append(f"\n在网页办理：{gate_url(evaluation.code, gate)}")
    return "\n".join(lines)


def gate_target(session: Session, evaluation_id: int, gate: str) -> StageRecord | None:
    """The stage record whose target date a gate works to (its stage's), or None when no date is set."""
    for record in store.stages(session=session, evaluation_id=evaluation_id):
        if record.stage == gate_stage(gate) and record.target_date:
            return record
    return None


def target_text(record: StageRecord) -> str:
    """A stage's target date as people read it, marked （暂定） while provisional."""
    return f"{record.target_date}{'（暂定）' if record.target_provisional else ''}"


def refuse_answer(evaluation_id: int, gate: str, key: str, reason: str) -> None:
    """Record why the answer given under `key` was refused (once: a retried task finds its earlier record)."""

    def record(session: Session) -> None:
        if session.exec(
            select(FormRejection).where(FormRejection.evaluation_id == evaluation_id, FormRejection.pause_key == key)
        ).first():
            return  # an earlier try committed; its answer was lost
        session.add(FormRejection(evaluation_id=evaluation_id, gate=gate, pause_key=key, reason=reason))
        audit.record(
            session=session,
            action="gate_answer_refused",
            evaluation_id=evaluation_id,
            gate=gate,
            key=key,
            reason=reason,
        )

    transaction(record)


def _typed_name(form: BaseModel) -> str:
    return str(getattr(form, "approver", "") or getattr(form, "submitter", "") or "")


def _signer(session: Session, evaluation: Evaluation, gate: str, code: str, form: BaseModel) -> people.Signer:
    """The code's person (pinggu.models.people.signer_of), refused unless they may answer the gate now: its holder after a
    转办, else anyone entitled by role (pinggu.services.gate_handover); an administrator's override passes."""
    signer = people.signer_of(
        session=session, evaluation=evaluation, gate=gate, code=code, typed_name=_typed_name(form)
    )
    gate_handover.check_signer(session, evaluation, gate, signer)
    return signer


def judge_answer(
    evaluation_id: int,
    gate: str,
    attempt: int,
    key: str,
    form: BaseModel,
    flow_run_id: str | None,
    *,
    commit: bool = True,
) -> GateAnswer:
    """Check an answer (the gate's form, pinggu.forms.gates.GATE_FORMS, already validated) for its signature and content,
    then record it in one short transaction; a refusal raises PingguError. A file is read outside any transaction.
    With commit=False nothing is recorded: the web app's immediate check, by the same code the flow runs."""
    handler = HANDLERS[GateId(gate)]
    code = str(getattr(form, "code", ""))
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        # Refused before a file is read: an outsider's upload is never opened.
        _signer(session, evaluation, gate, code, form)
    stored = handler.prepare(evaluation, decision, attempt, form) if handler.prepare else None

    def record(session: Session) -> GateAnswer:
        earlier = session.exec(
            select(Approval).where(Approval.evaluation_id == evaluation_id, Approval.pause_key == key)
        ).first()
        if earlier:  # an earlier try committed; its answer was lost
            return answer_of(earlier)
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        # Again inside the transaction: two answers signed with one code cannot both be recorded.
        signer = _signer(session, evaluation, gate, code, form)
        if signer.signed_in and not signer.second_factor and second_factor(procedure_of(session, evaluation), gate):
            raise SignoffRefused("本环节须同时填写发给您本人的签署码（双重验证），请在网页办理页面填写后提交")
        if stored:
            assert isinstance(form, Submission)  # the forms of gates with a preparer
            verdict = accept_submission(session, evaluation, form, stored)
        else:
            assert handler.accept is not None  # every gate has a preparer or an acceptor (test_acceptors)
            verdict = handler.accept(session, evaluation, form)
        verdict = replace(verdict, approver=signer.name, approver_role=signer.role)
        people.use_code(session=session, signer=signer, evaluation_id=evaluation_id, gate=gate)
        if type(verdict.details) is not GATES[verdict.gate].details:  # an acceptor and the registry disagree
            raise TypeError(
                f"{verdict.gate} keeps {GATES[verdict.gate].details.__name__}, not {type(verdict.details).__name__}"
            )
        approval = Approval(
            evaluation_id=evaluation_id,
            attempt=attempt,
            pause_key=key,
            flow_run_id=flow_run_id,
            gate=verdict.gate,
            approver=verdict.approver,
            approver_role=verdict.approver_role,
            choice=verdict.choice,
            comment=verdict.comment,
            conclusion=verdict.conclusion,
            details=verdict.details.stored_json(),
        )
        session.add(approval)
        evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = EvaluationStatus.running, None, None
        session.add(evaluation)
        audit.record(
            session=session,
            action="gate_answered",
            actor=f"{approval.approver}（{approval.approver_role}）",
            evaluation_id=evaluation_id,
            gate=gate,
            key=key,
            choice=approval.choice,
            conclusion=approval.conclusion,
            comment=approval.comment,
            signed="管理员代办"
            if signer.override
            else ("登录＋签署码" if signer.second_factor else "本人登录" if signer.signed_in else "签署码"),
        )
        return answer_of(approval)

    return transaction(record) if commit else dry_run(record)
