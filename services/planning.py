"""The annual evaluation plan (MH-4) and event triggers, read from and recorded in the product database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session, col, select

from pinggu.core.errors import OrchestrationError, RuleViolation, StateConflict
from pinggu.core.links import flow_run_url
from pinggu.models.db import read_session, transaction
from pinggu.models.decisions import assisted_decisions, decision_columns, list_triggers, record_trigger
from pinggu.models.evaluations import get_decision
from pinggu.models.tables import BEIJING, DecisionEvaluationPlan, Evaluation, PlanEntry, now_beijing
from pinggu.rules.access import OFFICE_ROLES
from pinggu.rules.annual_plan import AnnualPlan, ItemChange, annual_plan, check_item_changes
from pinggu.rules.gates import PlanVerdict
from pinggu.rules.periods import check_not_after_today
from pinggu.rules.planning_types import (
    EVENT_KINDS,
    CompletedEvaluation,
    DecisionFacts,
    EventTrigger,
    PlanPolicy,
)
from pinggu.rules.profiles import load_profiles
from pinggu.rules.vocabulary import EVENT_KIND_NAMES, EvaluationStatus

# The catalog's own columns; assists_superior and the decision's own evaluation plan are kept in tables of
# their own (pinggu.models.decisions.assisted_decisions, decisionevaluationplan).
_OWN_TABLES = ("assists_superior", "planned_evaluation_year", "planned_evaluation_type")
_FACT_FIELDS = tuple(name for name in DecisionFacts.__dataclass_fields__ if name not in _OWN_TABLES)


OFFICE_ACTOR = OFFICE_ROLES[0]  # 评估办公室: approves a plan of every jurisdiction


class AnnualPlanAnswer(Protocol):
    """What an approver answers (pinggu.forms.gates.AnnualPlanApprovalForm; services do not import forms)."""

    choice: PlanVerdict
    comment: str

    @property
    def changes(self) -> Sequence[Any]: ...


def build_plan(year: int, as_of: date, profile: str | None = None, decision: str | None = None) -> AnnualPlan:
    """The plan for `year` over every decision in the database (or those under one profile, or a single
    decision: the prompt plan of T-PROMPT), as of a date."""
    policies = {profile_id: p.plan_policy() for profile_id, p in load_profiles().items()}
    if profile is not None and profile not in policies:
        raise StateConflict(f"未知的规则 {profile}，可选：{'、'.join(policies)}")
    with read_session() as session:
        if decision is not None:
            get_decision(session=session, code=decision)  # an unknown code is refused, in Chinese
        assisted = assisted_decisions(session=session)
        planned = {p.decision_code: p for p in session.exec(select(DecisionEvaluationPlan))}
        decisions = [
            DecisionFacts(
                **facts,
                assists_superior=facts["code"] in assisted,
                planned_evaluation_year=planned[facts["code"]].year if facts["code"] in planned else None,
                planned_evaluation_type=planned[facts["code"]].type if facts["code"] in planned else None,
            )
            for facts in decision_columns(session=session, names=_FACT_FIELDS, profile=profile, code=decision)
        ]
        completed = []
        for e in session.exec(select(Evaluation).where(Evaluation.status == EvaluationStatus.completed)):
            assert e.completed_at is not None  # set together with the status "completed"
            completed.append(
                CompletedEvaluation(
                    decision_code=e.decision_code, type=e.type, completed_on=e.completed_at.astimezone(BEIJING).date()
                )
            )
        events = [
            EventTrigger(
                decision_code=t.decision_code,
                kind=t.kind,
                occurred_on=t.occurred_on,
                note=t.note,
                approved_on=t.approved_on,
            )
            for t in list_triggers(session=session)
        ]
    return annual_plan(year, as_of, decisions, policies, completed=completed, events=events)


PROMPT_SCOPE = "decision-"  # the scope of a single-item prompt plan (T-PROMPT): this, then the decision's code


def plan_scope(profile: str | None, decision: str | None = None) -> str:
    """The plan's scope as stored: a single decision (a prompt plan), one profile, or every decision."""
    if decision:
        return f"{PROMPT_SCOPE}{decision}"
    return profile or "all"


def scope_name(scope: str) -> str:
    """A stored scope as an office reads it: 全部决策, a jurisdiction's name, or 专项评估计划（code）."""
    if scope.startswith(PROMPT_SCOPE):
        return f"专项评估计划（{scope.removeprefix(PROMPT_SCOPE)}）"
    if scope == "all":
        return "全部决策"
    profiles = load_profiles()
    return profiles[scope].name if scope in profiles else scope


def plan_entries(session: Session, year: int, scope: str) -> list[PlanEntry]:
    """The kept items of the year's plan of one scope, in the order they were kept."""
    query = select(PlanEntry).where(PlanEntry.year == year, PlanEntry.scope == scope)
    return list(session.exec(query.order_by(col(PlanEntry.id))))


def open_plan_entries(session: Session, year: int, scope: str) -> dict[str, PlanEntry]:
    """The plan's items an approver may still change: not started, not dropped; by decision code."""
    return {
        e.decision_code: e
        for e in plan_entries(session, year, scope)
        if not (e.flow_run_id or e.evaluation_code or e.dropped_reason)
    }


def plan_approver(profile: str | None, decision: str | None = None) -> str:
    """Who approves the plan: the profile's `plan_approver` (a decision's prompt plan: its profile's), or
    the office (评估办公室) for a plan of every jurisdiction."""
    profiles = load_profiles()
    if decision:
        profile = get_decision_profile(decision)
    chosen = profiles.get(profile) if profile else None
    return chosen.plan_approver.actor if chosen is not None and chosen.plan_approver else OFFICE_ACTOR


def get_decision_profile(decision: str) -> str:
    """The profile a catalog decision follows."""
    from pinggu.models.db import read_session

    with read_session() as session:
        return get_decision(session=session, code=decision).profile


def plan_changes(answer: AnnualPlanAnswer) -> list[ItemChange]:
    """The approver's changes to single items, as the rules check them."""
    return [
        ItemChange(decision=c.decision.strip(), reason=c.reason.strip(), due=c.due_date, drop=c.drop)
        for c in answer.changes
    ]


def plan_refusal(
    choice: PlanVerdict, comment: str | None, changes: list[ItemChange], open_entries: dict[str, PlanEntry]
) -> str | None:
    """Why an approver's answer is not taken (退回修改 without a reason, a change the rules refuse), or None."""
    if choice is PlanVerdict.send_back:
        if not comment:
            return "退回修改时须在“说明”中写明需要修改的内容"
        if changes:
            return "退回修改时不作逐项调整：请在“说明”中写明需要修改的内容，或选择“同意”并逐项调整"
        return None
    today = now_beijing().date()
    problems = check_item_changes(changes, {code: e.trigger_date for code, e in open_entries.items()}, today)
    return "；".join(problems) or None


def keep_plan_items(plan: AnnualPlan, scope: str) -> int:
    """Keep the plan's items of a scope in one transaction: new ones added, those kept before (started or
    not) never touched; how many were added."""

    def keep(session: Session) -> int:
        known = {(e.decision_code, e.type) for e in plan_entries(session, plan.year, scope)}
        added = [item for item in plan.items if (item.decision, item.type) not in known]
        for item in added:
            session.add(
                PlanEntry(
                    year=plan.year,
                    scope=scope,
                    decision_code=item.decision,
                    type=item.type,
                    reason=item.reason,
                    trigger_date=item.trigger_date,
                    due_date=item.due,
                    evaluating_unit=item.evaluating_unit,
                )
            )
        return len(added)

    return transaction(keep)


def add_trigger(
    decision_code: str,
    kind: str,
    occurred_on: date,
    note: str,
    recorded_by: str,
    approved_on: date | None = None,
    *,
    today: date | None = None,
) -> str:
    """Record an event trigger after checking the decision's profile recognises it and that it has happened (its
    dates not after `today`; None: today in Beijing); return a summary."""
    if kind not in EVENT_KINDS:
        choices = "；".join(f"{k}（{EVENT_KIND_NAMES[k]}）" for k in EVENT_KINDS)
        raise StateConflict(f"未知的触发情形 {kind}，可选：{choices}")
    today = today or now_beijing().date()
    check_not_after_today(occurred_on, today, "发生或申请日期")
    if approved_on is not None:
        check_not_after_today(approved_on, today, "同意日期")

    def write(session: Session) -> tuple[str, PlanPolicy]:
        decision = get_decision(session=session, code=decision_code)
        profile = load_profiles()[decision.profile]
        policy = profile.plan_policy()
        if kind not in policy.event_kinds:
            raise RuleViolation(
                f"决策 {decision.code} 适用的规则（{decision.profile}）未规定“{EVENT_KIND_NAMES[kind]}”这一评估情形",
                rule="T-EVENT",
            )
        if approved_on and approved_on < occurred_on:
            raise StateConflict("同意日期不能早于申请或发生日期")
        if kind in profile.triggers.events_need_reason and not note.strip():
            basis = profile.cited(profile.triggers.reason_basis or "")
            raise RuleViolation(
                f"“{EVENT_KIND_NAMES[kind]}”须理由充分方构成评估情形（{basis}），请在 --note 中写明理由",
                rule="T-EVENT",
            )
        record_trigger(
            session=session,
            decision_code=decision.code,
            kind=kind,
            occurred_on=occurred_on,
            note=note,
            recorded_by=recorded_by,
            approved_on=approved_on,
        )
        return decision.code, policy

    code, policy = transaction(write)
    pending = kind in policy.events_need_approval and approved_on is None
    return f"已记录 {code}：{EVENT_KIND_NAMES[kind]}（{occurred_on}）" + (
        f"；须经同意后方启动评估（{policy.approval_basis}），同意后请补录 --approved-on" if pending else ""
    )


def propose_prompt_plan(decision_code: str, today: date) -> str:
    """T-PROMPT: start the single-item plan of a decision whose controversy or risk now calls for an
    evaluation (bazhou 15, ordos 12(1), changli 62: "及时"), for approval at the plan's gate; say what happened.

    Nothing is started when the plan rules give the decision no prompt item (the event still awaits
    the agreement its profile requires, or an evaluation since the event covers it).
    """
    from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES
    from pinggu.services.orchestration import start_annual_plan

    plan = build_plan(today.year, today, decision=decision_code)
    item = next((item for item in plan.items if item.prompt), None)
    if item is None:
        why = "；".join(entry.detail for entry in (*plan.pending, *plan.exempt)) or "已有评估覆盖该情形"
        return f"未提出专项评估计划：{why}"
    try:
        run_id = start_annual_plan(today.year, None, decision=decision_code)
    except OrchestrationError as error:
        # What the person reads names no command (it may be a web page); the operator's command is in docs/procedures.md.
        raise OrchestrationError(
            f"流程服务暂时无法连接，专项评估计划尚未提出；触发情形已记录，服务恢复后请评估办公室为决策 {decision_code} "
            f"提出 {today.year} 年的专项评估计划",
            decision=decision_code,
        ) from error
    return (
        f"已提出专项评估计划：{decision_code}（{EVALUATION_TYPE_NAMES[item.type]}），完成期限 {item.due}；"
        f"审定后立即启动评估：{flow_run_url(run_id)}"
    )
