"""Tasks that open, advance and close an evaluation record."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.context import get_run_context
from prefect.exceptions import MissingContextError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import InputFileError, NotFound, RuleViolation, StateConflict
from core.links import document_url, gate_url
from models import audit
from models import evaluations as store
from models.agencies import entrust
from models.db import read_session, transaction
from models.evaluations import procedure_of
from models.tables import BEIJING, Approval, Decision, Evaluation, beijing_minute, now_beijing
from rules.deadlines import started_by
from rules.gates import GateId, Rework, gate_stage
from rules.plan import stage_targets
from rules.procedure import check_scope, check_type_fits, procedure_for, rework_for
from rules.profiles import Profile, load_profile
from rules.steps import STAGE_NAMES, Stage, StepId
from rules.third_party import Agreement
from rules.vocabulary import EVALUATION_TYPE_NAMES, STATUS_NAMES, EvaluationStatus, StageStatus, StepStatus
from tasks.ledger import STEP_TASK_OPTIONS, SkipWhenDone


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


@task(name="开启或接续评估", **STEP_TASK_OPTIONS)
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
        if evaluation.status not in (EvaluationStatus.completed, EvaluationStatus.not_started):
            evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = EvaluationStatus.running, None, None
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


CODE_ATTEMPTS = 5


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


@task(name="评估开始（起算法定期限）", **STEP_TASK_OPTIONS)
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


@task(name="决定不开展评估", **STEP_TASK_OPTIONS)
def end_not_started(evaluation_id: int) -> str:
    """Close an evaluation the decision body decided not to carry out (NX-10); nothing else runs."""

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

    code = transaction(work)
    publish_progress(evaluation_id)
    return f"{code}：决策机关决定不开展评估"


def _stage_done(evaluation_id: int, stage: Stage) -> tuple[bool, None]:
    with read_session() as session:
        record = next(r for r in store.stages(session=session, evaluation_id=evaluation_id) if r.stage == stage)
        return record.status == StageStatus.done, None


@functools.partial(SkipWhenDone, done=_stage_done)
@task(name="阶段完成", **STEP_TASK_OPTIONS)
def close_stage(evaluation_id: int, stage: Stage) -> None:
    """Mark a stage done and the next one running (the flow goes straight on into it, and may first
    wait at one of its gates); refresh the evaluation's progress artifact."""
    transaction(lambda session: store.close_stage(session=session, evaluation_id=evaluation_id, stage=stage))
    publish_progress(evaluation_id)


@task(name="退回修改", **STEP_TASK_OPTIONS)
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
    publish_approvals(evaluation_id)  # the answers it set aside are shown as such at once


@task(name="评估办结", **STEP_TASK_OPTIONS)
def complete_evaluation(evaluation_id: int) -> str:
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

    report_path = transaction(work)
    publish_progress(evaluation_id)
    return report_path


def artifact_key(evaluation_code: str, suffix: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return f"{evaluation_code.lower()}-{suffix}"


def progress_markdown(evaluation_id: int, today: date | None = None) -> str:
    """The evaluation's stage table as the progress artifact shows it: each stage's status, target,
    actual start and finish, and whether it is overdue; the stage whose gate the run waits at is
    running (进行中（等待：<the gate as the evaluation's regulation names it>）), and the gate is named."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        rows = store.stages(session=session, evaluation_id=evaluation_id)
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        report = store.current_document(session=session, evaluation_id=evaluation_id, kind=StepId.final_report)
    today = today or now_beijing().date()
    waiting_stage = gate_stage(evaluation.waiting_gate) if evaluation.status == EvaluationStatus.waiting else None
    gate_name = profile.gate_title(evaluation.waiting_gate) if waiting_stage and evaluation.waiting_gate else None
    lines = [
        f"### {evaluation.code} · {EVALUATION_TYPE_NAMES[evaluation.type]} · {STATUS_NAMES[evaluation.status]}",
        "",
        "| 阶段 | 状态 | 目标完成日 | 开始 | 完成 | 逾期 |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        overdue = row.status != StageStatus.done and row.target_date is not None and row.target_date < today
        state = STATUS_NAMES[row.status]
        if row.stage == waiting_stage and row.status != StageStatus.done:
            # The run waits at this stage's gate: the stage is under way, whatever an older run recorded.
            state = f"{STATUS_NAMES[StageStatus.running]}（等待：{gate_name}）"
        lines.append(
            f"| {STAGE_NAMES[row.stage]} | {state} | {row.target_date or '—'}"
            f"{'（暂定）' if row.target_provisional else ''} | "
            f"{beijing_minute(row.started_at)} | {beijing_minute(row.finished_at)} | {'是' if overdue else '否'} |"
        )
    if evaluation.status == EvaluationStatus.waiting and evaluation.waiting_for:
        lines += ["", f"正在等待：{evaluation.waiting_for}"]
    if evaluation.status == EvaluationStatus.waiting and evaluation.waiting_gate:
        name = gate_name or profile.gate_title(evaluation.waiting_gate)
        lines += ["", f"办理入口：[{name}]({gate_url(evaluation.code, evaluation.waiting_gate)})"]
    if evaluation.report_path:
        if report is not None and report.id is not None and report.path == evaluation.report_path:
            lines += ["", f"正式报告：[{report.title}]({document_url(report.id)})"]
        else:  # a report recorded without its document row: its path on the server is all there is
            lines += ["", f"正式报告：`{evaluation.report_path}`"]
    return "\n".join(lines)


def _publish_markdown(evaluation_id: int, suffix: str, markdown: Callable[[int], str], title: str) -> None:
    """Publish one of the evaluation's Markdown artifacts under its key (<code>-<suffix>): a new version each time."""
    with read_session() as session:
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
    create_markdown_artifact(
        key=artifact_key(code, suffix), markdown=markdown(evaluation_id), description=f"{code} {title}"
    )


def publish_progress(evaluation_id: int) -> None:
    """Publish the evaluation's stage table (progress_markdown) as a Markdown artifact keyed by evaluation."""
    _publish_markdown(evaluation_id, "progress", progress_markdown, "评估进度")


SUPERSEDED_MARK = "（已被退回重做取代）"


def _cell(text: str | None) -> str:
    """A value as one Markdown table cell: no line breaks, pipes escaped, — when empty."""
    text = " ".join((text or "").split())
    return text.replace("|", "\\|") if text else "—"


def _answer(approval: Approval) -> str:
    """An answer as the approvals table shows it: the choice, the conclusion it set, and whether a redo set it aside."""
    answer = approval.choice + (f"（结论：{approval.conclusion}）" if approval.conclusion else "")
    return answer + (SUPERSEDED_MARK if approval.superseded else "")


def approvals_markdown(evaluation_id: int) -> str:
    """The 审批记录 table: every accepted answer, oldest first, gate named by the profile, set-aside ones marked."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        answers = store.approvals(session=session, evaluation_id=evaluation_id)
    lines = [
        f"### {evaluation.code} · 审批记录",
        "",
        "| 环节 | 办理人 | 职务 | 时间（北京） | 答复 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for approval in answers:
        lines.append(
            f"| {_cell(profile.gate_title(approval.gate))} | {_cell(approval.approver)} | "
            f"{_cell(approval.approver_role)} | {beijing_minute(approval.decided_at)} | "
            f"{_cell(_answer(approval))} | {_cell(approval.comment)} |"
        )
    if not answers:
        lines += ["", "尚无已受理的答复。"]
    return "\n".join(lines)


def publish_approvals(evaluation_id: int) -> None:
    """Publish the evaluation's accepted answers (approvals_markdown) as a Markdown artifact keyed by evaluation."""
    _publish_markdown(evaluation_id, "approvals", approvals_markdown, "审批记录")


def _in_run() -> bool:
    """Whether this code runs inside a Prefect flow or task run (not a test or bench calling a step's .fn)."""
    try:
        get_run_context()
    except MissingContextError:
        return False
    return True


def document_link_description(evaluation_id: int, kind: str) -> str | None:
    """A document link artifact's text: document, final conclusion, Word link, SHA-256 (None: none stored)."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
        word = store.current_document(session=session, evaluation_id=evaluation_id, kind=f"{kind}_docx")
    if document is None:
        return None
    parts = [f"{evaluation.code} {document.title}"]
    if kind == StepId.final_report and evaluation.conclusion:
        parts.append(f"评估结论：**{evaluation.conclusion}**")
    if word is not None and word.id is not None:
        parts.append(f"[Word 版]({document_url(word.id)})")
    parts.append(f"SHA-256：`{document.sha256}`")
    return " · ".join(parts)


def publish_document_link(evaluation_id: int, kind: str, suffix: str) -> None:
    """Inside a run, publish a link artifact <code>-<suffix> to the current document of `kind` in the web app."""
    if not _in_run():
        return
    with read_session() as session:
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
    if document is None or document.id is None:
        return
    create_link_artifact(
        key=artifact_key(code, suffix),
        link=document_url(document.id),
        link_text=document.title,
        description=document_link_description(evaluation_id, kind),
    )
