"""Opening, advancing and closing an evaluation record: each change in one short transaction.

pinggu.tasks.evaluation runs these as the flow's tasks and publishes the progress artifacts after each; the route
the flow takes (`route`) is a plain read the flow asks again on every resume.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from pinggu.core.errors import InputFileError, NotFound, RuleViolation, StateConflict
from pinggu.models import audit
from pinggu.models import evaluations as store
from pinggu.models.agencies import entrust
from pinggu.models.db import read_session, transaction
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import BEIJING, Decision, Evaluation, now_beijing
from pinggu.rules.deadlines import started_by
from pinggu.rules.gates import GateId, Rework
from pinggu.rules.plan import stage_targets
from pinggu.rules.procedure import check_scope, check_type_fits, procedure_for, rework_for
from pinggu.rules.profiles import Profile, load_profile
from pinggu.rules.steps import Stage, StepId
from pinggu.rules.third_party import Agreement
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EvaluationStatus, StageStatus, StepStatus


def _check_new(decision: Decision, profile: Profile, evaluation_type: str, scope: str, scope_parts: list[str]) -> None:
    if evaluation_type not in profile.evaluation_types:
        offered = "、".join(EVALUATION_TYPE_NAMES[t] for t in profile.evaluation_types)
        raise StateConflict(
            f"决策 {decision.code} 适用《{profile.title}》，该规定不设{EVALUATION_TYPE_NAMES[evaluation_type]}；"
            f"可开展：{offered}",
            decision=decision.code,
        )
    check_scope(scope, scope_parts)
    check_type_fits(evaluation_type, decision.starts_on, decision.ends_on, now_beijing().date())


def _entrust(session: Session, evaluation: Evaluation, profile: Profile, third_party: dict) -> None:
    assert evaluation.id is not None  # flushed by store.create_evaluation
    spec = dict(third_party)
    name = spec.pop("agency")
    declared = bool(spec.pop("did_pre_decision_argumentation", False))
    if isinstance(spec.get("deadline"), str):
        spec["deadline"] = date.fromisoformat(spec["deadline"])
    entrust(
        session=session,
        evaluation_id=evaluation.id,
        agency_name=name,
        agreement=Agreement(**spec),
        required_fields=profile.third_party.agreement_fields,
        allowed=profile.third_party.allowed,
        did_pre_decision_argumentation=declared,
        basis=profile.citation(profile.third_party.basis),
    )


@dataclass(frozen=True)
class NotOpened:
    """The run's parameters were refused by the product's own checks (an unknown decision, a method
    the regulation does not offer, a conflicted team …): why, in Chinese, for the run's state message."""

    reason: str
    rule: str | None = None  # the registered rule that refused, when one did


# The product's own refusals of what an operator typed: the run ends with the reason, not a traceback.
OPERATOR_REFUSALS = (NotFound, RuleViolation, StateConflict, InputFileError)
CODE_ATTEMPTS = 5


def resume_bound(flow_run_id: str) -> int | None:
    """The evaluation this flow run already works on, marked running again as a resumed run goes on; None
    when the run has opened none yet (then `open_evaluation` does, after every check)."""

    def work(session: Session) -> int | None:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=flow_run_id)
        if evaluation is None:
            return None
        _mark_running(evaluation)
        session.add(evaluation)
        return evaluation.id

    return transaction(work)


def _mark_running(evaluation: Evaluation) -> None:
    """An unfinished evaluation whose run goes on is running again, waiting for no one."""
    if evaluation.status not in (EvaluationStatus.completed, EvaluationStatus.not_started):
        evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = EvaluationStatus.running, None, None


def open_evaluation(
    decision_code: str,
    evaluation_code: str | None,
    flow_run_id: str,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    third_party: dict | None = None,
    due_on: date | None = None,
) -> int | NotOpened:
    """Find the evaluation this flow run works on, or open a new one after every check; return its id,
    or why the parameters were refused.

    A new evaluation and its entrustment are written in one transaction: a refused agency or method
    leaves nothing behind.
    """

    def work(session: Session) -> int:
        decision = store.get_decision(session=session, code=decision_code)
        evaluation: Evaluation | None
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
            evaluation = _open_new(
                session, decision, evaluation_type, scope, scope_parts, methods, third_party, due_on, flow_run_id
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
        _mark_running(evaluation)
        session.add(evaluation)
        session.flush()
        assert evaluation.id is not None  # assigned by the flush
        return evaluation.id

    for attempt in range(1, CODE_ATTEMPTS + 1):
        try:
            return transaction(work)
        except OPERATOR_REFUSALS as refused:
            return NotOpened(str(refused), getattr(refused, "rule", None))
        except IntegrityError:
            # Two runs opened at the same moment drew the same PG-year-number; the loser draws again.
            if attempt == CODE_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _open_new(
    session: Session,
    decision: Decision,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    third_party: dict | None,
    due_on: date | None,
    flow_run_id: str,
) -> Evaluation:
    """A new evaluation after every check, with its stage targets and its entrustment, if any."""
    profile = load_profile(decision.profile)
    _check_new(decision, profile, evaluation_type, scope, scope_parts)
    chosen = procedure_for(profile, evaluation_type, methods, entrusted=bool(third_party)).methods
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
        methods=list(chosen),
        stage_targets=_targets(now_beijing().date(), profile, due_on),
        flow_run_id=flow_run_id,
        due_on=due_on,
    )
    assert evaluation.id is not None  # flushed by store.create_evaluation
    # The flow goes straight into 准备阶段, whose first gate (the team, when none was given) may come first.
    store.mark_stage(session=session, evaluation_id=evaluation.id, stage=Stage.preparation, status=StageStatus.running)
    if third_party:
        _entrust(session, evaluation, profile, third_party)
    return evaluation


def _targets(start: date, profile: Profile, due_on: date | None) -> dict[str, tuple[date, bool]]:
    return {stage: (due.due, not due.calendar_complete) for stage, due in stage_targets(start, profile, due_on).items()}


@dataclass(frozen=True)
class Route:
    """Where an evaluation goes from here: the gates it passes now and whether its team is formed."""

    gates: tuple[GateId, ...]
    team_formed: bool


def route(evaluation_id: int) -> Route:
    """The gates this evaluation passes now (a third party's acceptance only while entrusted).

    A plain read, not a task: every resume asks it again, and a task run each time would only be noise.
    """
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        procedure = procedure_of(session, evaluation)
        team_step = store.latest_step(session=session, evaluation_id=evaluation_id, step=StepId.team)
        return Route(gates=procedure.gates, team_formed=team_step is not None and team_step.status == StepStatus.done)


def start_clock(evaluation_id: int) -> None:
    """Count the stage targets and statutory deadlines from the approved start (NX-10, NX-11)."""

    def work(session: Session) -> None:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        approved = store.current_approval(session=session, evaluation_id=evaluation_id, gate=GateId.start_approval)
        assert approved is not None  # the flow starts the clock only once the start approval stands
        start = approved.decided_at.astimezone(BEIJING).date()
        if evaluation.start_approved_on == start:
            return
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        evaluation.start_approved_on = start
        session.add(evaluation)
        store.set_stage_targets(session=session, evaluation_id=evaluation_id, targets=_targets(start, profile, None))
        start_deadlines(session, evaluation, profile, "start_approved", start)

    transaction(work)


def start_deadlines(session: Session, evaluation: Evaluation, profile: Profile, milestone: str, on: date) -> None:
    """Record the statutory deadlines that `milestone`, happening on `on`, starts (NX-11, NX-12, OR-19)."""
    assert evaluation.id is not None  # a stored evaluation
    for due in started_by(profile, milestone, on):
        store.start_deadline(
            session=session,
            evaluation_id=evaluation.id,
            rule=due.rule,
            label=due.label,
            basis=due.basis,
            counted_from=due.counted_from,
            from_date=due.from_date,
            until=due.until,
            due_date=due.due.due,
            provisional=not due.due.calendar_complete,
        )


def end_not_started(evaluation_id: int) -> str:
    """Close an evaluation the decision body decided not to carry out (NX-10), once; its code."""

    def work(session: Session) -> str:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        if evaluation.status != EvaluationStatus.not_started:
            evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = (
                EvaluationStatus.not_started,
                None,
                None,
            )
            session.add(evaluation)
            audit.record(session=session, action="evaluation_not_started", evaluation_id=evaluation_id, rule="NX-10")
        return evaluation.code

    return transaction(work)


def stage_done(evaluation_id: int, stage: Stage) -> bool:
    """Whether the evaluation's stage is done."""
    with read_session() as session:
        record = next(r for r in store.stages(session=session, evaluation_id=evaluation_id) if r.stage == stage)
        return record.status == StageStatus.done


def close_stage(evaluation_id: int, stage: Stage) -> None:
    """Mark a stage done and the next one running (the flow goes straight on into it)."""
    transaction(lambda session: store.close_stage(session=session, evaluation_id=evaluation_id, stage=stage))


def send_back(evaluation_id: int, target: Rework, reason: str) -> None:
    """Reopen the steps and gates that rework of `target` (plan / report / evidence) must redo; every earlier record stays."""

    def work(session: Session) -> None:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        rework = rework_for(procedure_of(session, evaluation), target)
        store.supersede_steps(session=session, evaluation_id=evaluation_id, steps=list(rework.steps), reason=reason)
        for gate in rework.gates:
            store.supersede_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        for stage in rework.stages:
            store.reopen_stage(session=session, evaluation_id=evaluation_id, stage=stage)

    transaction(work)


def complete(evaluation_id: int) -> str:
    """Mark the evaluation completed (once) and return its final report's path."""

    def work(session: Session) -> str:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        if evaluation.status != EvaluationStatus.completed:
            evaluation.status, evaluation.completed_at = EvaluationStatus.completed, now_beijing()
            evaluation.waiting_for = evaluation.waiting_gate = None
            session.add(evaluation)
            audit.record(
                session=session,
                action="evaluation_completed",
                evaluation_id=evaluation.id,
                conclusion=evaluation.conclusion,
                report=evaluation.report_path,
            )
        return evaluation.report_path or ""

    return transaction(work)
