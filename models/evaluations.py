"""Persistence functions for evaluations, their stages, steps, gates and documents.

Every function takes a keyword-only `session`; callers own the transaction (pinggu.models.db.transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from pinggu.core.errors import NotFound
from pinggu.models import audit
from pinggu.models.db import hold_lock
from pinggu.models.tables import (
    Approval,
    DeadlineRecord,
    Decision,
    Document,
    Evaluation,
    FollowUp,
    FormRejection,
    StageRecord,
    StepRecord,
    TeamMember,
    now_beijing,
)
from pinggu.rules.gates import gate_stage
from pinggu.rules.procedure import Procedure, procedure_for
from pinggu.rules.profiles import load_profile
from pinggu.rules.step_results import StepResult
from pinggu.rules.steps import STAGE_NAMES, STAGE_ORDER, STEPS, Stage, StepId, read_result
from pinggu.rules.vocabulary import EvaluationStatus, FollowUpStatus, StageStatus, StepStatus

R = TypeVar("R", bound=StepResult)

# The steps of each stage, in order; a redo (MH-12) or a rework sets aside the steps it names.
STAGE_STEPS = {stage: tuple(step for step, spec in STEPS.items() if spec.stage is stage) for stage in Stage}


# ── decisions ────────────────────────────────────────────────────────────────


def get_decision(*, session: Session, code: str) -> Decision:
    """The decision with this 编号, or NotFound with what to do."""
    decision = session.get(Decision, code)
    if decision is None:
        raise NotFound(f"决策事项 {code} 不存在，请先导入决策目录（pinggu catalog import 文件）", code=code)
    return decision


# ── evaluations ──────────────────────────────────────────────────────────────


def get_evaluation(*, session: Session, code: str) -> Evaluation:
    """The evaluation with this code (e.g. PG-2026-0001), or NotFound."""
    evaluation = session.exec(select(Evaluation).where(Evaluation.code == code)).first()
    if evaluation is None:
        raise NotFound(f"评估 {code} 不存在，请用 pinggu status 查看已有评估", code=code)
    return evaluation


def find_by_flow_run(*, session: Session, flow_run_id: str) -> Evaluation | None:
    """The evaluation a flow run works on, if it already opened one."""
    return session.exec(select(Evaluation).where(Evaluation.flow_run_id == flow_run_id)).first()


def evaluations_waiting(*, session: Session) -> list[Evaluation]:
    """Every evaluation whose run waits at a gate (the web app's 待办)."""
    return list(
        session.exec(
            select(Evaluation).where(
                Evaluation.status == EvaluationStatus.waiting, col(Evaluation.waiting_gate).is_not(None)
            )
        )
    )


def unfinished_evaluations(*, session: Session, decision_code: str, type: str) -> list[Evaluation]:
    """Evaluations of this decision and type still under way (not completed, not decided against)."""
    query = select(Evaluation).where(
        Evaluation.decision_code == decision_code,
        Evaluation.type == type,
        col(Evaluation.status).not_in((EvaluationStatus.completed, EvaluationStatus.not_started)),
    )
    return list(session.exec(query))


# PostgreSQL advisory-lock key that serialises drawing evaluation codes ("pgcode" in ASCII): runs on
# several workers opening evaluations at once would otherwise draw the same number.
CODE_LOCK_KEY = 0x7067636F6465


def next_evaluation_code(*, session: Session, year: int) -> str:
    """The next free code of the year: PG-<year>-<sequence>. Held until the transaction ends, so the next
    run to draw one counts the evaluation this one creates."""
    hold_lock(session, CODE_LOCK_KEY)
    prefix = f"PG-{year}-"
    count = session.exec(
        select(func.count()).select_from(Evaluation).where(col(Evaluation.code).startswith(prefix))
    ).one()
    return f"{prefix}{count + 1:04d}"


def create_evaluation(
    *,
    session: Session,
    decision: Decision,
    type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    stage_targets: dict[str, tuple[date, bool]],
    flow_run_id: str | None,
    reason: str | None = None,
    due_on: date | None = None,
) -> Evaluation:
    """Create an evaluation with its stage records and target dates ((date, provisional) per stage)."""
    today = now_beijing().date()
    evaluation = Evaluation(
        code=next_evaluation_code(session=session, year=today.year),
        decision_code=decision.code,
        type=type,
        reason=reason,
        scope=scope,
        scope_parts=scope_parts,
        methods=methods,
        flow_run_id=flow_run_id,
        starts_on=today,
        due_on=due_on,
    )
    session.add(evaluation)
    session.flush()
    assert evaluation.id is not None  # assigned by the flush
    for position, stage in enumerate(STAGE_ORDER, start=1):
        session.add(
            StageRecord(
                evaluation_id=evaluation.id,
                stage=stage,
                position=position,
                target_date=stage_targets[stage][0] if stage in stage_targets else None,
                target_provisional=stage_targets[stage][1] if stage in stage_targets else False,
            )
        )
    audit.record(
        session=session,
        action="evaluation_opened",
        evaluation_id=evaluation.id,
        decision_code=decision.code,
        code=evaluation.code,
        type=type,
        scope=scope,
        flow_run_id=flow_run_id,
    )
    return evaluation


def stages(*, session: Session, evaluation_id: int) -> list[StageRecord]:
    """The evaluation's stage records in procedure order."""
    query = select(StageRecord).where(StageRecord.evaluation_id == evaluation_id)
    return list(session.exec(query.order_by(col(StageRecord.position))))


def mark_stage(*, session: Session, evaluation_id: int, stage: str, status: str) -> StageRecord:
    """Move a stage to running or done, stamping the first start and the finish."""
    record = session.exec(
        select(StageRecord).where(StageRecord.evaluation_id == evaluation_id, StageRecord.stage == stage)
    ).one()
    if status == StageStatus.running and record.status == StageStatus.pending:
        record.status, record.started_at = StageStatus.running, now_beijing()
        audit.record(session=session, action="stage_started", evaluation_id=evaluation_id, stage=stage)
    elif status == StageStatus.done and record.status != StageStatus.done:
        record.status, record.finished_at = StageStatus.done, now_beijing()
        record.started_at = record.started_at or record.finished_at
        audit.record(session=session, action="stage_finished", evaluation_id=evaluation_id, stage=stage)
    session.add(record)
    return record


def close_stage(*, session: Session, evaluation_id: int, stage: str) -> None:
    """Mark a stage done and the next one running: the flow goes straight on into it, so a gate the
    next stage waits at before its first step (实施阶段's material submission) counts to that stage.
    Each mark happens once (mark_stage), so doing this again changes nothing."""
    mark_stage(session=session, evaluation_id=evaluation_id, stage=stage, status=StageStatus.done)
    following = STAGE_ORDER[STAGE_ORDER.index(stage) + 1 :]
    if following:
        mark_stage(session=session, evaluation_id=evaluation_id, stage=following[0], status=StageStatus.running)


def reopen_stage(*, session: Session, evaluation_id: int, stage: str) -> None:
    """Put a finished stage back to running (rework), keeping its first start date."""
    record = session.exec(
        select(StageRecord).where(StageRecord.evaluation_id == evaluation_id, StageRecord.stage == stage)
    ).one()
    if record.status == StageStatus.done:
        record.status, record.finished_at = StageStatus.running, None
        session.add(record)


def set_stage_targets(*, session: Session, evaluation_id: int, targets: dict[str, tuple[date, bool]]) -> None:
    """Replace the stages' target dates ((date, provisional) per stage), e.g. once the start is approved."""
    for record in stages(session=session, evaluation_id=evaluation_id):
        if record.stage in targets:
            record.target_date, record.target_provisional = targets[record.stage]
            session.add(record)
    audit.record(
        session=session,
        action="stage_targets_set",
        evaluation_id=evaluation_id,
        targets={stage: due.isoformat() for stage, (due, _) in targets.items()},
    )


# ── steps ────────────────────────────────────────────────────────────────────


def latest_step(*, session: Session, evaluation_id: int, step: str) -> StepRecord | None:
    """The latest attempt at a step, whatever its status."""
    query = select(StepRecord).where(StepRecord.evaluation_id == evaluation_id, StepRecord.step == step)
    return session.exec(query.order_by(col(StepRecord.attempt).desc()).limit(1)).first()


def done_result(*, session: Session, evaluation_id: int, step: StepId, model: type[R]) -> R | None:
    """The result of a step's latest attempt, typed as its registry's model, or None unless that attempt is done."""
    latest = latest_step(session=session, evaluation_id=evaluation_id, step=step)
    return read_result(step, latest.result, model) if latest is not None and latest.status == StepStatus.done else None


def step_attempts(*, session: Session, evaluation_id: int, step: str | None = None) -> list[StepRecord]:
    """All attempts at one step (or all steps), oldest first."""
    query = select(StepRecord).where(StepRecord.evaluation_id == evaluation_id)
    if step:
        query = query.where(StepRecord.step == step)
    return list(session.exec(query.order_by(col(StepRecord.id))))


def supersede_steps(*, session: Session, evaluation_id: int, steps: Sequence[str], reason: str) -> None:
    """Mark the done attempts of these steps superseded so they run again; the records stay."""
    for step in steps:
        record = latest_step(session=session, evaluation_id=evaluation_id, step=step)
        if record and record.status == StepStatus.done:
            record.status = StepStatus.superseded
            session.add(record)
            audit.record(session=session, action="step_reopened", evaluation_id=evaluation_id, step=step, reason=reason)


# ── gates ────────────────────────────────────────────────────────────────────


def current_approval(*, session: Session, evaluation_id: int, gate: str) -> Approval | None:
    """The gate's latest answer that still stands (not superseded by rework)."""
    query = select(Approval).where(
        Approval.evaluation_id == evaluation_id,
        Approval.gate == gate,
        col(Approval.superseded).is_(False),
    )
    return session.exec(query.order_by(col(Approval.attempt).desc()).limit(1)).first()


def next_gate_attempt(*, session: Session, evaluation_id: int, gate: str) -> int:
    """1 + the number of answers (accepted or refused) this gate has had."""
    answered = session.exec(
        select(func.count()).select_from(Approval).where(Approval.evaluation_id == evaluation_id, Approval.gate == gate)
    ).one()
    refused = session.exec(
        select(func.count())
        .select_from(FormRejection)
        .where(FormRejection.evaluation_id == evaluation_id, FormRejection.gate == gate)
    ).one()
    return answered + refused + 1


def approvals(*, session: Session, evaluation_id: int) -> list[Approval]:
    """Every answer given at the evaluation's gates, oldest first."""
    query = select(Approval).where(Approval.evaluation_id == evaluation_id)
    return list(session.exec(query.order_by(col(Approval.id))))


def rejections(*, session: Session, evaluation_id: int) -> list[FormRejection]:
    """Every refused gate answer, oldest first."""
    query = select(FormRejection).where(FormRejection.evaluation_id == evaluation_id)
    return list(session.exec(query.order_by(col(FormRejection.id))))


def supersede_approval(*, session: Session, evaluation_id: int, gate: str) -> None:
    """Set aside the gate's standing answer so the gate is asked again after rework."""
    standing = current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
    if standing:
        standing.superseded = True
        session.add(standing)


# ── statutory deadlines (NX-11, NX-12, OR-19) ─────────────────────────────────


def deadlines(*, session: Session, evaluation_id: int, current_only: bool = True) -> list[DeadlineRecord]:
    """The evaluation's statutory deadlines, oldest first (without the ones a redo set aside)."""
    query = select(DeadlineRecord).where(DeadlineRecord.evaluation_id == evaluation_id)
    if current_only:
        query = query.where(col(DeadlineRecord.superseded).is_(False))
    return list(session.exec(query.order_by(col(DeadlineRecord.id))))


def start_deadline(*, session: Session, evaluation_id: int, **fields: Any) -> DeadlineRecord:
    """Record a deadline that started running; one running per rule, an earlier one is set aside."""
    for earlier in deadlines(session=session, evaluation_id=evaluation_id):
        if earlier.rule == fields["rule"]:
            earlier.superseded = True
            session.add(earlier)
    record = DeadlineRecord(evaluation_id=evaluation_id, **fields)
    session.add(record)
    audit.record(
        session=session,
        action="deadline_started",
        evaluation_id=evaluation_id,
        rule=record.rule,
        from_date=record.from_date.isoformat(),
        due_date=record.due_date.isoformat(),
    )
    return record


def meet_deadlines(*, session: Session, evaluation_id: int, milestone: str) -> list[DeadlineRecord]:
    """Stamp the running deadlines that `milestone` meets (once; a later repeat changes nothing)."""
    met = []
    for record in deadlines(session=session, evaluation_id=evaluation_id):
        if record.until == milestone and record.met_at is None:
            record.met_at = now_beijing()
            session.add(record)
            met.append(record)
            audit.record(
                session=session,
                action="deadline_met",
                evaluation_id=evaluation_id,
                rule=record.rule,
                on_time=record.met_at.date() <= record.due_date,
            )
    return met


# ── follow-up measures (C-FOLLOWUP) ──────────────────────────────────────────


def follow_ups(*, session: Session, evaluation_id: int | None = None) -> list[FollowUp]:
    """Follow-up measures, of one evaluation or all, oldest first."""
    query = select(FollowUp)
    if evaluation_id is not None:
        query = query.where(FollowUp.evaluation_id == evaluation_id)
    return list(session.exec(query.order_by(col(FollowUp.id))))


def open_follow_up(*, session: Session, evaluation: Evaluation, **fields: Any) -> FollowUp:
    """Open the follow-up measure an adjust/suspend/terminate conclusion requires."""
    assert evaluation.id is not None  # a stored evaluation
    item = FollowUp(evaluation_id=evaluation.id, decision_code=evaluation.decision_code, **fields)
    session.add(item)
    session.flush()
    audit.record(
        session=session,
        action="follow_up_opened",
        evaluation_id=evaluation.id,
        follow_up=item.id,
        unit=item.unit,
        due_date=item.due_date.isoformat(),
    )
    return item


def get_follow_up(*, session: Session, follow_up_id: int) -> FollowUp:
    """One follow-up measure, or NotFound in Chinese."""
    item = session.get(FollowUp, follow_up_id)
    if item is None:
        raise NotFound(f"没有编号为 {follow_up_id} 的后续措施，请核对编号")
    return item


def close_follow_up(
    *, session: Session, item: FollowUp, reported_on: date, note: str, by: str, document_id: int | None = None
) -> FollowUp:
    """Record the unit's report-back on a follow-up measure and close it (C-FOLLOWUP): `closed_at` holds the day
    it reported (the time of day is when it was recorded); who reported and its document are in the audit."""
    assert item.id is not None  # a stored follow-up
    recorded = now_beijing()
    item.status, item.note = FollowUpStatus.done, note
    item.closed_at = datetime.combine(reported_on, recorded.timetz())
    session.add(item)
    audit.record(
        session=session,
        action="follow_up_closed",
        actor=by,
        evaluation_id=item.evaluation_id,
        follow_up=item.id,
        reported_on=reported_on.isoformat(),
        late=reported_on > item.due_date,
        document=document_id,
    )
    return item


# ── redo (MH-12) ─────────────────────────────────────────────────────────────


def reopen_evaluation(*, session: Session, code: str, stage: str, reason: str, actor: str) -> Evaluation:
    """Redo an evaluation from a stage on (minhang 12): set aside that stage's and later stages'
    steps and answers; every record of the first attempt stays. The team is kept."""
    from pinggu.core.errors import StateConflict

    evaluation = get_evaluation(session=session, code=code)
    assert evaluation.id is not None  # a stored evaluation
    if stage not in STAGE_ORDER:
        raise StateConflict(
            f"阶段应为 {'、'.join(STAGE_ORDER)} 之一（{'、'.join(STAGE_NAMES.values())}），收到：{stage}"
        )
    if not reason.strip() or not actor.strip():
        raise StateConflict("重新评估须写明原因和作出重做决定的人员")
    if evaluation.status == EvaluationStatus.not_started:
        raise StateConflict(f"评估 {code} 已决定不开展，不能重做；如需评估请重新启动", code=code)
    later = STAGE_ORDER[STAGE_ORDER.index(stage) :]
    steps = [step for s in later for step in STAGE_STEPS[Stage(s)] if step is not StepId.team]
    supersede_steps(session=session, evaluation_id=evaluation.id, steps=steps, reason=reason)
    for approval in approvals(session=session, evaluation_id=evaluation.id):
        if gate_stage(approval.gate) in later and not approval.superseded:
            approval.superseded = True
            session.add(approval)
    for record in stages(session=session, evaluation_id=evaluation.id):
        if record.stage in later and record.status == StageStatus.done:
            record.status, record.finished_at = (
                (StageStatus.running if record.stage == stage else StageStatus.pending),
                None,
            )
            session.add(record)
    for item in follow_ups(session=session, evaluation_id=evaluation.id):
        if item.status == FollowUpStatus.open:
            item.status, item.note, item.closed_at = FollowUpStatus.withdrawn, f"评估重做：{reason}", now_beijing()
            session.add(item)
    if "conclusion" in later:
        evaluation.conclusion, evaluation.report_path, evaluation.completed_at = None, None, None
        # The work is no longer complete: deadlines counted from its completion run again when it is.
        evaluation.work_completed_at = None
        for deadline in deadlines(session=session, evaluation_id=evaluation.id):
            if deadline.counted_from == "evaluation_completed":
                deadline.superseded = True
                session.add(deadline)
    evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = EvaluationStatus.reopened, None, None
    session.add(evaluation)
    audit.record(
        session=session,
        action="evaluation_reopened",
        actor=actor.strip(),
        evaluation_id=evaluation.id,
        stage=stage,
        reason=reason.strip(),
        rule="MH-12",
    )
    return evaluation


# ── team and documents ───────────────────────────────────────────────────────


def team(*, session: Session, evaluation_id: int) -> list[TeamMember]:
    """The evaluation team."""
    return list(session.exec(select(TeamMember).where(TeamMember.evaluation_id == evaluation_id)))


def current_document(*, session: Session, evaluation_id: int, kind: str) -> Document | None:
    """The latest document of a kind that is not superseded."""
    query = select(Document).where(
        Document.evaluation_id == evaluation_id,
        Document.kind == kind,
        col(Document.superseded).is_(False),
    )
    return session.exec(query.order_by(col(Document.id).desc()).limit(1)).first()


def documents(*, session: Session, evaluation_id: int) -> list[Document]:
    """All documents of an evaluation, oldest first."""
    query = select(Document).where(Document.evaluation_id == evaluation_id)
    return list(session.exec(query.order_by(col(Document.id))))


def add_document(
    *, session: Session, evaluation_id: int, kind: str, title: str, path: str, sha256: str, **meta: Any
) -> Document:
    """Store a document record, superseding the previous one of the same kind."""
    previous = current_document(session=session, evaluation_id=evaluation_id, kind=kind)
    if previous:
        previous.superseded = True
        session.add(previous)
    document = Document(evaluation_id=evaluation_id, kind=kind, title=title, path=path, sha256=sha256, meta=meta)
    session.add(document)
    session.flush()
    audit.record(
        session=session,
        action="document_stored",
        evaluation_id=evaluation_id,
        kind=kind,
        title=title,
        sha256=sha256,
    )
    return document


def get_evaluation_by_id(*, session: Session, evaluation_id: int) -> Evaluation:
    """The evaluation with this database id."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound(f"评估记录 {evaluation_id} 不存在", evaluation_id=evaluation_id)
    return evaluation


def procedure_of(session: Session, evaluation: Evaluation) -> Procedure:
    """The evaluation's route: its profile, type and methods, and whether a third party reports now."""
    from pinggu.models.agencies import current_entrustment

    assert evaluation.id is not None  # a stored evaluation
    decision = get_decision(session=session, code=evaluation.decision_code)
    entrusted = current_entrustment(session=session, evaluation_id=evaluation.id) is not None
    return procedure_for(load_profile(decision.profile), evaluation.type, evaluation.methods, entrusted=entrusted)


def gate_actor(session: Session, evaluation: Evaluation, gate: str) -> str:
    """Who must act at the evaluation's gate, as its profile names them (e.g. 决策机关)."""
    found = procedure_of(session, evaluation).gate(gate)
    return found.actor if found else "评估单位"
