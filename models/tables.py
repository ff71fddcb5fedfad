"""Tables of the product database: the source of truth for evaluation state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from pinggu.rules.vocabulary import DeliveryStatus, EvaluationStatus, FollowUpStatus, Scope, StageStatus, StepStatus

BEIJING = ZoneInfo("Asia/Shanghai")


def now_beijing() -> datetime:
    """Now, timezone-aware in Beijing time (the database stores it as UTC)."""
    return datetime.now(BEIJING).replace(microsecond=0)


def beijing_minute(moment: datetime | None, missing: str = "—") -> str:
    """A stored timestamp as an office reads it: Beijing time to the minute."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else missing


class Decision(SQLModel, table=True):
    """A major administrative decision from the catalog (决策事项目录)."""

    code: str = Field(primary_key=True)  # 编号
    title: str
    profile: str = Field(index=True)
    decision_body: str
    lead_unit: str
    category: str
    broad_impact: bool = False
    decided_on: date | None = None
    starts_on: date
    ends_on: date | None = None
    progress_percent: int | None = None
    uses_fiscal_funds: bool = False
    superior_evaluates: bool = False
    public_attention: str | None = None
    last_evaluation_type: str | None = None
    last_evaluation_on: date | None = None
    # Experts/agencies who did the main pre-decision argumentation (TEAM-CONFLICT).
    pre_decision_assessors: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=now_beijing)


class Evaluation(SQLModel, table=True):
    """One post-evaluation (后评估) of a decision."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    type: str  # a pinggu.rules.vocabulary.EvaluationType
    reason: str | None = None
    scope: str = Scope.whole
    scope_parts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    methods: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = EvaluationStatus.running  # running / waiting / completed / not_started / reopened
    waiting_for: str | None = None
    waiting_gate: str | None = None
    # Time limit set by the annual plan (minhang 4); else the profile's statutory or default window.
    due_on: date | None = None
    # NX-10/NX-11: the day the decision body decided to evaluate; the 90-day clock starts there.
    start_approved_on: date | None = None
    # Milestone "evaluation_completed": the report is ready for the decision body (NX-11, NX-12, OR-19).
    work_completed_at: datetime | None = None
    flow_run_id: str | None = Field(default=None, index=True)
    conclusion: str | None = None
    report_path: str | None = None
    created_at: datetime = Field(default_factory=now_beijing)
    starts_on: date = Field(default_factory=lambda: now_beijing().date())
    completed_at: datetime | None = None


class StageRecord(SQLModel, table=True):
    """Status and dates of one stage (preparation / implementation / conclusion) of an evaluation."""

    __table_args__ = (UniqueConstraint("evaluation_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    stage: str
    position: int
    status: str = StageStatus.pending  # pending / running / done
    target_date: date | None = None
    # True when the date rests on a year without official calendar data (P-UNKNOWN).
    target_provisional: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None


class StepRecord(SQLModel, table=True):
    """One attempt at one step; a step is done when its latest attempt is done and not superseded."""

    __table_args__ = (UniqueConstraint("evaluation_id", "step", "attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    stage: str
    step: str
    attempt: int = 1
    status: str = StepStatus.running  # running / done / failed / superseded
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    error: str | None = None
    flow_run_id: str | None = None
    started_at: datetime = Field(default_factory=now_beijing)
    finished_at: datetime | None = None


class TeamMember(SQLModel, table=True):
    """A member of an evaluation team (评估小组)."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    name: str
    role: str
    unit: str | None = None


class Approval(SQLModel, table=True):
    """An accepted answer at a human step (approval or data submission): who, what, when, why."""

    __table_args__ = (UniqueConstraint("evaluation_id", "pause_key"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    gate: str
    attempt: int
    pause_key: str
    approver: str
    approver_role: str
    choice: str
    conclusion: str | None = None
    comment: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    superseded: bool = False
    flow_run_id: str | None = None
    decided_at: datetime = Field(default_factory=now_beijing)


class FormRejection(SQLModel, table=True):
    """A gate or submission answer the product refused (the run asked again under a new key)."""

    __table_args__ = (UniqueConstraint("evaluation_id", "pause_key"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    gate: str
    pause_key: str
    reason: str
    rejected_at: datetime = Field(default_factory=now_beijing)


class Document(SQLModel, table=True):
    """A stored document or material of an evaluation, with its content hash."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    kind: str  # plan / survey / expert_review / draft_report / report / archive_manifest
    title: str
    path: str
    sha256: str
    superseded: bool = False
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=now_beijing)


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of every step (minhang 档案 5–11)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now_beijing)
    evaluation_id: int | None = Field(default=None, index=True)
    decision_code: str | None = None
    actor: str
    action: str = Field(index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    prev_hash: str
    hash: str


class TriggerEvent(SQLModel, table=True):
    """An event recorded against a decision that may require an evaluation (T-EVENT, T-PROMPT)."""

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    kind: str
    occurred_on: date
    note: str = ""
    recorded_by: str = ""
    # minhang 6(4): a unit's application counts only from the day the district government agrees.
    approved_on: date | None = None
    recorded_at: datetime = Field(default_factory=now_beijing)


class SuperiorAssistance(SQLModel, table=True):
    """This body assists the superior body's evaluation of the decision (catalog 协助上级评估 = 是): then
    the superior's evaluation does not exempt it (bazhou 16(2), changli 63(2) “协助评估的除外”)."""

    decision_code: str = Field(foreign_key="decision.code", primary_key=True)
    source: str  # the catalog file that said so
    recorded_at: datetime = Field(default_factory=now_beijing)


class StatutoryDeadline(SQLModel):
    """What every statutory deadline records: the rule, counted from which event and day, due when."""

    rule: str
    label: str
    basis: str
    counted_from: str
    from_date: date
    until: str
    due_date: date
    provisional: bool = False


class DecisionDeadline(StatutoryDeadline, table=True):
    """A statutory deadline of a decision itself, not of one evaluation of it (MH-A10: the decision's
    archive filed within 10 working days of its issue), started when the catalog gives the issue date."""

    __table_args__ = (UniqueConstraint("decision_code", "rule"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    met_on: date | None = None  # the day the lead unit did it, as recorded
    recorded_by: str | None = None
    created_at: datetime = Field(default_factory=now_beijing)


class DeadlineRecord(StatutoryDeadline, table=True):
    """A statutory deadline of an evaluation, counted from the real date of its event (NX-11, NX-12, OR-19)."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    met_at: datetime | None = None
    # A redo (MH-12) sets the deadline aside; the record stays and a new one runs from the new event.
    superseded: bool = False
    created_at: datetime = Field(default_factory=now_beijing)


class FollowUp(SQLModel, table=True):
    """A measure the lead unit must take after an adjust/suspend/terminate conclusion (C-FOLLOWUP)."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    conclusion: str
    unit: str
    action: str
    basis: str
    due_date: date
    provisional: bool = False
    status: str = FollowUpStatus.open  # open / done / withdrawn
    note: str | None = None
    created_at: datetime = Field(default_factory=now_beijing)
    closed_at: datetime | None = None


class DecisionOutcome(SQLModel, table=True):
    """The decision body's decision to continue, adjust, suspend or terminate a decision (MH-2)."""

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    outcome: str
    evaluation_code: str | None = None  # the evaluation it rests on; none where the profile does not require one
    decided_by: str
    decided_by_role: str
    decided_on: date
    note: str = ""
    recorded_at: datetime = Field(default_factory=now_beijing)


class Escalation(SQLModel, table=True):
    """A date that needed attention, recorded once per level before anyone is notified (SPEC §6)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)  # pinggu.rules.watch.Alert.key
    evaluation_code: str | None = Field(default=None, index=True)
    kind: str  # stage / gate / deadline / follow_up / tracking_report / milestone / rectification / public_opinions
    ref: str
    level: str  # due-7 / due-3 / overdue
    due_date: date
    text: str
    recorded_at: datetime = Field(default_factory=now_beijing)


class Notification(SQLModel, table=True):
    """One channel's delivery of an escalation: sent, or failed and tried again by the next watch."""

    __table_args__ = (UniqueConstraint("escalation_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    channel: str  # the endpoint without its secret
    status: str = DeliveryStatus.pending  # pending / sent / failed
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None


class PlanEntry(SQLModel, table=True):
    """One item of an approved annual plan (MH-4) and the flow run started for it."""

    __table_args__ = (UniqueConstraint("year", "scope", "decision_code", "type"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    scope: str = "all"  # the profile the plan covers, or "all"
    decision_code: str = Field(foreign_key="decision.code", index=True)
    type: str
    reason: str
    trigger_date: date
    due_date: date
    evaluating_unit: str
    due_date_reason: str | None = None  # the approver changed the due date, and why (minhang 4: 评估时限)
    dropped_reason: str | None = None  # the approver took the item out of the plan, and why; never started
    flow_run_id: str | None = None
    evaluation_code: str | None = None  # set when the item is covered by an evaluation already under way
    started_at: datetime | None = None


class PlanDecision(SQLModel, table=True):
    """An answer at the annual plan's approval gate."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    scope: str = "all"
    pause_key: str = Field(unique=True)
    approver: str
    approver_role: str
    choice: str
    comment: str | None = None
    refused: str | None = None  # why the answer was not accepted (the gate asked again)
    superseded: bool = False
    decided_at: datetime = Field(default_factory=now_beijing)


class Person(SQLModel, table=True):
    """Someone who may answer gates (the people file, `pinggu people import`): roles, jurisdictions, contact."""

    __table_args__ = (UniqueConstraint("name", "unit"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    unit: str
    title: str  # 职务
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    profiles: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # empty: every jurisdiction
    contact: str  # an Apprise URL, or pinggu.rules.people.LOCAL_OUTBOX
    active: bool = True
    updated_at: datetime = Field(default_factory=now_beijing)
    # 登录名: from the people file, or derived once at import and kept (pinggu.rules.access.derive_login).
    login: str | None = Field(default=None, unique=True)


class Account(SQLModel, table=True):
    """A person's own sign-in (issue 28): password hash, administrator role, failed logins and lockout.

    A person has an account once a password is set or they signed in through single sign-on; only then
    are they refused the one-time sign-off codes that people without an account still use."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    password_hash: str | None = None  # argon2id (pwdlib); never the password
    password_set_at: datetime | None = None
    sso_subject: str | None = None  # the OpenID provider's `sub`, once signed in through it
    admin: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    lock_noted: bool = False  # a refused attempt during the lock was audited once (not once per attempt)
    session_epoch: int = 0  # raised on password change and logout: older session cookies stop working
    last_login_at: datetime | None = None


class SignoffCode(SQLModel, table=True):
    """A one-time code sent to one person when a gate opened; only its hash is kept.

    An administrator's override (CLI only, with a written reason) is a code without a person."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    gate: str
    code_hash: str = Field(unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    override_by: str | None = None
    override_reason: str | None = None
    issued_at: datetime = Field(default_factory=now_beijing)
    expires_at: datetime
    used_at: datetime | None = None
    closed: bool = False  # the gate was answered with another code: this one can no longer be used
    # code: sent to a person without an account; session: made by the web app for a signed-in person,
    # never shown; notice: an account holder was told to sign in (a marker, never accepted as a code).
    kind: str = "code"
    second_factor: bool = False  # a session code made after the person's own sent code was checked too


# --- 跟踪反馈与督查 (OR-6, OR-8, OR-9, OR-10, MH-S6, E-PUBLIC) ------------------------------------


class TrackingPlan(SQLModel, table=True):
    """A decision's tracking plan (OR-6: ordos 6; MH-S6): responsible body and people, methods and steps.
    Its milestones are TrackingMilestone rows; monthly reports are asked for from `tracking_from` on."""

    decision_code: str = Field(foreign_key="decision.code", primary_key=True)
    responsible_body: str
    responsible_people: str
    methods: str
    tracking_from: date
    source: str  # the imported file's name, or 表单
    recorded_by: str
    updated_at: datetime = Field(default_factory=now_beijing)


class TrackingMilestone(SQLModel, table=True):
    """One milestone (时间节点) of a tracking plan: target, date, responsible unit, and when reported done."""

    __table_args__ = (UniqueConstraint("decision_code", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    seq: int
    target: str
    due_date: date
    unit: str
    done_on: date | None = None
    done_report_id: int | None = None  # the tracking report that said so


class TrackingReport(SQLModel, table=True):
    """The lead unit's tracking report for one period (OR-8): asked for, received, then rendered."""

    __table_args__ = (UniqueConstraint("decision_code", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    period_key: str
    period_start: date
    period_end: date
    due_date: date
    provisional: bool = False
    unit: str
    status: str = "requested"  # pinggu.rules.vocabulary.TrackingReportStatus
    reporter: str | None = None
    submitted_on: date | None = None
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    pdf_path: str | None = None
    docx_path: str | None = None
    sha256: str | None = None
    trigger_id: int | None = None  # the OR-9 event trigger this report's immediate report became
    requested_at: datetime = Field(default_factory=now_beijing)
    rendered_at: datetime | None = None


class PublicOpinion(SQLModel, table=True):
    """An opinion from the public about a decision's execution (E-PUBLIC: ordos 7, minhang 9)."""

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    channel: str  # pinggu.rules.tracking.OpinionChannel
    received_on: date
    summary: str
    recorded_by: str
    recorded_at: datetime = Field(default_factory=now_beijing)


class CommentWindow(SQLModel, table=True):
    """A public comment period the office opens for a decision (E-PUBLIC, changli 15): its public page at
    /public/comments/<id> takes opinions from anyone, into the opinion register, between its two days."""

    id: int | None = Field(default=None, primary_key=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    title: str  # what the public is asked about, as the page shows it
    opens_on: date
    closes_on: date
    enabled: bool = True
    opened_by: str
    opened_at: datetime = Field(default_factory=now_beijing)


class Handover(SQLModel, table=True):
    """A 转办 (issue 29): a waiting step handed by one person to another, who then holds it — only they answer
    it, until they hand it on. `ref` names the step or gate (pinggu.services.handover.procedure_ref, gate_ref); the latest row is the holder."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True)
    profile: str
    from_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: nobody held it yet
    to_person_id: int = Field(foreign_key="person.id")
    by_person_id: int = Field(foreign_key="person.id")  # the holder, or an administrator reassigning
    reason: str
    at: datetime = Field(default_factory=now_beijing)


class OpinionContact(SQLModel, table=True):
    """The sender's contact, kept apart (E-PRIVACY): never listed, reported or archived."""

    opinion_id: int = Field(foreign_key="publicopinion.id", primary_key=True)
    contact: str


class SupervisionRound(SQLModel, table=True):
    """One supervision round (OR-10: ordos 10, minhang 督查 9–11, changli 52–53) and its written report."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # the run that recorded it: a re-run finds it instead of recording twice
    decision_code: str = Field(foreign_key="decision.code", index=True)
    supervisor: str
    methods: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    held_on: date
    findings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    pdf_path: str | None = None
    docx_path: str | None = None
    sha256: str | None = None
    recorded_by: str
    recorded_at: datetime = Field(default_factory=now_beijing)
    # Every answer at the round's human steps (pinggu.rules.tracking.SupervisionStep: the leaders' approval, the review),
    # accepted or refused, with its pause key and step: the next key of a step counts that step's answers.
    answers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    closed_at: datetime | None = None
    # CL-53: the report is approved by the leaders before it goes out (the profile's tracking.supervision_report).
    approval_required: bool = False
    # Whom the report was sent to ({"as": role, "unit": unit}), once; None: not yet sent.
    distributed_to: list[dict[str, str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    distributed_on: date | None = None


class Rectification(SQLModel, table=True):
    """A rectification item of a supervision round: unit, deadline, written report back, office review."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="supervisionround.id", index=True)
    decision_code: str = Field(foreign_key="decision.code", index=True)
    seq: int
    item: str
    unit: str
    due_date: date
    status: str = "open"  # pinggu.rules.tracking.RectificationStatus
    report: str | None = None
    reported_on: date | None = None
    reported_by: str | None = None
    reviews: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    closed_on: date | None = None


class DecisionEvaluationPlan(SQLModel, table=True):
    """The follow-up evaluation planned with the decision (changli 12 ¶2 决策实施后评估计划), written when the
    decision procedure publishes it: the annual plan of that year lists the decision."""

    decision_code: str = Field(foreign_key="decision.code", primary_key=True)
    year: int
    type: str  # ordinary / midterm / final
    recorded_at: datetime = Field(default_factory=now_beijing)


class DecisionProcedure(SQLModel, table=True):
    """A decision being made under the decision procedure (changli chapters 2–7), step by step: every answer,
    accepted or refused, under its pause key; the catalog entry it became; where it ended."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # the run that opened it: a re-run finds it instead of opening another
    profile: str
    matter: str
    lead_unit: str
    catalog_year: int
    status: str = "under_way"  # pinggu.rules.decision_procedure.Outcome of the ending, or under_way / published
    decision_code: str | None = Field(default=None, foreign_key="decision.code", index=True)
    answers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    record_path: str | None = None
    record_sha256: str | None = None
    opened_at: datetime = Field(default_factory=now_beijing)
    closed_at: datetime | None = None
