"""Human steps: what a gate waits for, and accepting or refusing the answer given to it.

What each answer must satisfy is in tasks/acceptors.py, how a submitted file is read and stored in
tasks/submissions.py; here are the two tasks the flow calls around a suspend.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, replace
from typing import Any

from prefect import task
from prefect.input import RunInput
from sqlmodel import Session, select

from core.errors import InputFileError, PingguError, SignoffRefused
from core.links import document_url, gate_url
from forms.gates import DataFileForm, ExpertMarksForm, RecordsForm
from models import audit, people
from models import evaluations as store
from models.db import dry_run, read_session, transaction
from models.tables import Approval, Decision, Evaluation, FormRejection, StageRecord
from rules.gates import GATES, GateAnswer, GateId, Rework, gate_stage
from rules.procedure import Procedure
from rules.profiles import load_profile
from rules.steps import StepId
from rules.vocabulary import Conclusion, EvaluationStatus, StepStatus
from services import gate_handover, signoff
from services.signoff import second_factor, waits_for
from tasks.acceptors import HANDLERS, accept_submission
from tasks.evaluation import procedure_of, publish_approvals, publish_progress
from tasks.ledger import STEP_TASK_OPTIONS, SkipWhenDone, run_logger


@dataclass(frozen=True)
class Waiting:
    """A gate not yet answered: the suspend key to wait under and the form's description."""

    attempt: int
    key: str
    description: str
    name: str  # the gate as the evaluation's regulation names it (Profile.gate_title)


@dataclass(frozen=True)
class Refused:
    """An answer the rules refused; the flow asks again, showing why."""

    reason: str


def pause_key(gate: str, attempt: int) -> str:
    """The suspend key of a gate's n-th asking; Prefect allows lowercase letters, digits, dashes."""
    return f"{gate.replace('_', '-')}-{attempt}"


def answer_of(approval: Approval) -> GateAnswer:
    """The stored answer as the flow branches on it: the gate's own choice enum, the rework it asks for."""
    gate = GateId(approval.gate)
    rework = approval.details.get("rework")
    return GateAnswer(
        gate=gate,
        choice=GATES[gate].choices(approval.choice),
        approver=approval.approver,
        comment=approval.comment,
        conclusion=Conclusion(approval.conclusion) if approval.conclusion else None,
        rework=Rework(rework) if rework else None,
        details=approval.details,
    )


def _answered(evaluation_id: int, gate: str) -> tuple[bool, GateAnswer | None]:
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        return (True, answer_of(standing)) if standing else (False, None)


# A resumed flow passes every gate answered before; it finds the answer without starting a task run.
@functools.partial(SkipWhenDone, done=_answered)
@task(name="查询人工环节", **STEP_TASK_OPTIONS)
def gate_status(evaluation_id: int, gate: str) -> GateAnswer | Waiting:
    """The gate's standing answer, or the pause key and form description to wait under."""
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        if standing:
            return answer_of(standing)
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        name = load_profile(decision.profile).gate_title(gate)
        procedure = procedure_of(session, evaluation)
        attempt = store.next_gate_attempt(session=session, evaluation_id=evaluation_id, gate=gate)
        key = pause_key(gate, attempt)
        waiting_for = f"{name}（{waits_for(procedure, gate)}；第{attempt}次）"
        refused = store.rejections(session=session, evaluation_id=evaluation_id)
        last_refusal = next((r.reason for r in reversed(refused) if r.gate == gate), None)
        description = _description(session, evaluation, decision, procedure, gate, name, last_refusal)
    if evaluation.waiting_for != waiting_for:
        transaction(lambda session: _mark_waiting(session, evaluation_id, gate, key, waiting_for))
        publish_progress(evaluation_id)  # the dashboard artifact names the gate now, not at the next stage change
    send_codes(evaluation, decision, gate, name, waits_for(procedure, gate), second_factor(procedure, gate))
    return Waiting(attempt=attempt, key=key, description=description, name=name)


def send_codes(
    evaluation: Evaluation, decision: Decision, gate: str, name: str, actor: str, two_factors: bool = False
) -> list[str]:
    """Issue and send the gate's sign-off codes (services.signoff.send_codes), logged in the task run's log."""
    return signoff.send_codes(evaluation, decision, gate, name, actor, two_factors, logger=run_logger())


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
        scored = store.latest_step(session=session, evaluation_id=evaluation.id, step=StepId.scoring)
        card = scored.result if scored and scored.status == StepStatus.done else {}
        if card.get("total") is not None:
            lines.append(
                f"\n评估得分 {card['total']:g} 分（{card['grade']}），按得分推荐的结论：**{card['recommended']}**。"
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


@task(name="受理人工环节答复", **STEP_TASK_OPTIONS)
def accept_answer(
    evaluation_id: int, gate: str, attempt: int, key: str, answer: RunInput | dict[str, Any], flow_run_id: str
) -> GateAnswer | Refused:
    """Check an answer against the rules; record it, or record why it was refused.

    An unreadable file or an out-of-range value is refused like a malformed file: the run asks again, saying why.
    """
    try:
        accepted = judge_answer(evaluation_id, gate, attempt, key, answer, flow_run_id)
    except OSError as error:
        refusal: PingguError = InputFileError(
            f"无法读取提交的文件：{error.strerror or error}", path=str(error.filename)
        )
    except ValueError as error:  # rules.scoring: a value out of its range, with a Chinese message
        refusal = InputFileError(str(error))
    except PingguError as error:
        refusal = error
    else:
        publish_approvals(evaluation_id)
        return accepted

    def record_refusal(session: Session) -> None:
        if session.exec(
            select(FormRejection).where(FormRejection.evaluation_id == evaluation_id, FormRejection.pause_key == key)
        ).first():
            return  # an earlier try committed; its answer was lost
        session.add(FormRejection(evaluation_id=evaluation_id, gate=gate, pause_key=key, reason=str(refusal)))
        audit.record(
            session=session,
            action="gate_answer_refused",
            evaluation_id=evaluation_id,
            gate=gate,
            key=key,
            reason=str(refusal),
        )

    transaction(record_refusal)
    return Refused(reason=str(refusal))


def _typed_name(form: RunInput) -> str:
    return str(getattr(form, "approver", "") or getattr(form, "submitter", "") or "")


def _signer(session: Session, evaluation: Evaluation, gate: str, code: str, form: RunInput) -> people.Signer:
    """The code's person (models.people.signer_of), refused unless they may answer the gate now: its holder after a
    转办, else anyone entitled by role (services.gate_handover); an administrator's override passes."""
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
    answer: RunInput | dict[str, Any],
    flow_run_id: str | None,
    *,
    commit: bool = True,
) -> GateAnswer:
    """Check an answer's signature and content, then record it in one short transaction; a refusal raises
    PingguError. A file is read outside any transaction. With commit=False nothing is recorded: the web
    app's immediate check, by the same code the flow runs."""
    handler = HANDLERS[GateId(gate)]
    form = answer if isinstance(answer, handler.form) else handler.form.model_validate(answer)
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
            assert isinstance(form, DataFileForm | RecordsForm | ExpertMarksForm)  # the forms of gates with a preparer
            verdict = accept_submission(session, evaluation, form, stored)
        else:
            assert handler.accept is not None  # every gate has a preparer or an acceptor (test_acceptors)
            verdict = handler.accept(session, evaluation, form)
        verdict = replace(verdict, approver=signer.name, approver_role=signer.role)
        people.use_code(session=session, signer=signer, evaluation_id=evaluation_id, gate=gate)
        approval = Approval(
            evaluation_id=evaluation_id, attempt=attempt, pause_key=key, flow_run_id=flow_run_id, **asdict(verdict)
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
