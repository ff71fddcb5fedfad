"""Tables and persistence of entrusted third-party agencies (第三方评估机构, SPEC §10).

Every function takes a keyword-only `session`; callers own the transaction (pinggu.models.db.transaction).
Every change leaves an audit event. The rules themselves live in pinggu.rules.third_party (pure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import DDL, event
from sqlmodel import Field, Session, SQLModel, col, select

from pinggu.core.errors import NotFound, RuleViolation, StateConflict
from pinggu.models import audit
from pinggu.models.tables import Decision, Evaluation, now_beijing
from pinggu.rules.profiles import load_profile
from pinggu.rules.third_party import (
    CREDIT_BAD,
    CREDIT_GOOD,
    FALSE_REPORT,
    AgencyFacts,
    Agreement,
    Citations,
    check_entrustment,
    check_not_conflicted,
    check_qualified,
    check_subcontract,
    citations_of,
    normalise_name,
    validate_facts,
)
from pinggu.rules.vocabulary import EvaluationStatus

ACTIVE = "有效"
ENDED = "终止"


class Agency(SQLModel, table=True):
    """A third-party evaluation agency the units may entrust (TP-QUALIFY facts as last registered)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str  # pinggu.rules.third_party.AGENCY_KINDS
    credit_status: str = CREDIT_GOOD  # 良好 / 不良
    has_equipment: bool = True
    qualified_staff: bool = True
    registered_at: datetime = Field(default_factory=now_beijing)

    def facts(self, *, did_pre_decision_argumentation: bool = False) -> AgencyFacts:
        """The agency as the pure rules see it (conflict: for one decision)."""
        return AgencyFacts(
            name=self.name,
            kind=self.kind,
            credit_status=self.credit_status,
            has_equipment=self.has_equipment,
            qualified_staff=self.qualified_staff,
            did_pre_decision_argumentation=did_pre_decision_argumentation,
        )


class CreditRecord(SQLModel, table=True):
    """One entry of an agency's credit record (TP-CREDIT); append-only."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    kind: str  # e.g. 虚假报告
    detail: str
    evaluation_code: str | None = None
    recorded_at: datetime = Field(default_factory=now_beijing)
    recorded_by: str


class Entrustment(SQLModel, table=True):
    """An evaluation entrusted to an agency under a written agreement (TP-AGREEMENT)."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    matter: str | None = None
    quality: str | None = None
    deadline: date | None = None
    fee: str | None = None
    ownership: str | None = None
    confidentiality: str | None = None
    liability: str | None = None
    subcontracting_consent: bool = False
    subcontracted_to: str | None = None  # recorded by request_subcontract, only with consent
    status: str = ACTIVE  # 有效 / 终止
    created_at: datetime = Field(default_factory=now_beijing)
    ended_at: datetime | None = None
    end_reason: str | None = None

    def agreement(self) -> Agreement:
        """The agreement this entrustment was made under."""
        return Agreement(
            matter=self.matter,
            quality=self.quality,
            deadline=self.deadline,
            fee=self.fee,
            ownership=self.ownership,
            confidentiality=self.confidentiality,
            liability=self.liability,
            subcontracting_consent=self.subcontracting_consent,
        )


# The credit record is evidence (TP-CREDIT): SQLite refuses to rewrite or delete an entry.
for _statement in (
    """CREATE TRIGGER IF NOT EXISTS creditrecord_no_update BEFORE UPDATE ON creditrecord
       BEGIN SELECT RAISE(ABORT, '信用记录只能追加，不能修改'); END""",
    """CREATE TRIGGER IF NOT EXISTS creditrecord_no_delete BEFORE DELETE ON creditrecord
       BEGIN SELECT RAISE(ABORT, '信用记录只能追加，不能删除'); END""",
):
    event.listen(
        SQLModel.metadata.tables["creditrecord"],
        "after_create",
        DDL(_statement).execute_if(dialect="sqlite"),  # type: ignore[no-untyped-call]  # DDL.__init__ is unannotated
    )


# ── agencies ─────────────────────────────────────────────────────────────────


def _find(session: Session, name: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.name == normalise_name(name))).first()


def get_agency(*, session: Session, name: str) -> Agency:
    """The registered agency of this name, or NotFound with what to do."""
    agency = _find(session, name)
    if agency is None:
        raise NotFound(
            f"评估机构“{name}”未登记，请先用 pinggu agency register 登记（可用 pinggu agency list 查看）", name=name
        )
    return agency


def list_agencies(*, session: Session) -> list[Agency]:
    """Every registered agency, by name."""
    return list(session.exec(select(Agency).order_by(col(Agency.name))))


def credit_records(*, session: Session, name: str) -> list[CreditRecord]:
    """The agency's credit-record entries, oldest first."""
    agency = get_agency(session=session, name=name)
    query = select(CreditRecord).where(CreditRecord.agency_id == agency.id).order_by(col(CreditRecord.id))
    return list(session.exec(query))


def register_agency(
    *,
    session: Session,
    name: str,
    kind: str,
    credit_status: str = CREDIT_GOOD,
    has_equipment: bool = True,
    qualified_staff: bool = True,
    actor: str = "系统",
) -> tuple[Agency, bool]:
    """Register an agency or update its facts by name; returns (agency, created).

    A bad credit record stays bad: an agency with credit-record entries cannot be set back to 良好.
    """
    name = normalise_name(name)
    validate_facts(AgencyFacts(name, kind, credit_status, has_equipment, qualified_staff))
    facts: dict[str, Any] = {
        "kind": kind,
        "credit_status": credit_status,
        "has_equipment": has_equipment,
        "qualified_staff": qualified_staff,
    }
    agency = _find(session, name)
    if agency is None:
        agency = Agency(name=name, **facts)
        session.add(agency)
        session.flush()
        audit.record(session=session, action="agency_registered", actor=actor, agency=name, **facts)
        return agency, True
    if credit_status == CREDIT_GOOD and agency.credit_status == CREDIT_BAD:
        entries = session.exec(select(CreditRecord.kind).where(CreditRecord.agency_id == agency.id)).all()
        if entries:
            raise RuleViolation(
                f"评估机构 {name} 已有不良信用记录（{'、'.join(entries)}），不能改登为信用记录良好；"
                "信用记录只能追加，不能撤销",
                rule="TP-CREDIT",
                agency=name,
            )
    changes = {key: [getattr(agency, key), value] for key, value in facts.items() if getattr(agency, key) != value}
    if changes:
        for key, (_, value) in changes.items():
            setattr(agency, key, value)
        session.add(agency)
        audit.record(session=session, action="agency_updated", actor=actor, agency=name, changes=changes)
    return agency, False


def record_false_report(
    *, session: Session, agency_name: str, evaluation_code: str, detail: str, recorded_by: str
) -> CreditRecord:
    """Put a report contrary to the facts into the agency's credit record and mark its credit 不良 (TP-CREDIT).

    The agency must have been entrusted with that evaluation (bazhou 21: the entrusting unit records it).
    """
    if not detail.strip():
        raise StateConflict("请写明虚假报告的具体情况（--detail）")
    if not recorded_by.strip():
        raise StateConflict("请填写记录人（--by）")
    agency = get_agency(session=session, name=agency_name)
    evaluation = session.exec(select(Evaluation).where(Evaluation.code == evaluation_code)).first()
    if evaluation is None:
        raise NotFound(f"评估 {evaluation_code} 不存在，请用 pinggu status 查看已有评估", code=evaluation_code)
    entrusted = session.exec(
        select(Entrustment.id).where(Entrustment.evaluation_id == evaluation.id, Entrustment.agency_id == agency.id)
    ).first()
    if entrusted is None:
        raise StateConflict(
            f"评估 {evaluation_code} 未委托评估机构 {agency.name}，只能记录受委托机构在该评估中的虚假报告",
            agency=agency.name,
            code=evaluation_code,
        )
    assert agency.id is not None  # a stored agency
    entry = CreditRecord(
        agency_id=agency.id,
        kind=FALSE_REPORT,
        detail=detail.strip(),
        evaluation_code=evaluation_code,
        recorded_by=recorded_by.strip(),
    )
    session.add(entry)
    previous, agency.credit_status = agency.credit_status, CREDIT_BAD
    session.add(agency)
    session.flush()
    audit.record(
        session=session,
        action="agency_false_report",
        actor=entry.recorded_by,
        evaluation_id=evaluation.id,
        decision_code=evaluation.decision_code,
        agency=agency.name,
        detail_text=entry.detail,
        credit_status=[previous, CREDIT_BAD],
        rule="TP-CREDIT",
    )
    return entry


# ── entrustments ─────────────────────────────────────────────────────────────


def current_entrustment(*, session: Session, evaluation_id: int) -> Entrustment | None:
    """The evaluation's entrustment in force, or None when the unit evaluates by itself."""
    query = select(Entrustment).where(Entrustment.evaluation_id == evaluation_id, Entrustment.status == ACTIVE)
    return session.exec(query.order_by(col(Entrustment.id).desc())).first()


def latest_entrustment(*, session: Session, evaluation_id: int) -> Entrustment | None:
    """The evaluation's latest entrustment, in force or ended (for the report's record)."""
    query = select(Entrustment).where(Entrustment.evaluation_id == evaluation_id)
    return session.exec(query.order_by(col(Entrustment.id).desc())).first()


def _open_evaluation(session: Session, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound(f"评估（内部编号 {evaluation_id}）不存在", evaluation_id=evaluation_id)
    if evaluation.status == EvaluationStatus.completed:
        raise StateConflict(f"评估 {evaluation.code} 已完成，不能再委托或变更委托", code=evaluation.code)
    return evaluation


def entrust(
    *,
    session: Session,
    evaluation_id: int,
    agency_name: str,
    agreement: Agreement,
    required_fields: Iterable[str],
    allowed: bool,
    assessors: Iterable[str] = (),
    did_pre_decision_argumentation: bool = False,
    basis: str = "",
    actor: str = "系统",
) -> Entrustment:
    """Entrust the evaluation to a registered agency after every check (TP-*, TEAM-CONFLICT).

    ``required_fields``, ``allowed`` and ``basis`` come from the profile's ``third_party``; the
    decision's recorded ``pre_decision_assessors`` are always added to ``assessors``. Calling again
    with the same agency and agreement returns the existing entrustment (safe for task retries);
    anything else while one is in force is a StateConflict — end it first.
    """
    evaluation = _open_evaluation(session, evaluation_id)
    decision = session.get(Decision, evaluation.decision_code)
    agency = get_agency(session=session, name=agency_name)
    citations = citations_of(load_profile(decision.profile)) if decision else Citations()
    check_entrustment(
        agency.facts(did_pre_decision_argumentation=did_pre_decision_argumentation),
        agreement,
        assessors=[*assessors, *(decision.pre_decision_assessors if decision else [])],
        required_fields=required_fields,
        allowed=allowed,
        basis=basis,
        citations=citations,
    )
    existing = current_entrustment(session=session, evaluation_id=evaluation_id)
    if existing is not None:
        if existing.agency_id == agency.id and existing.agreement() == agreement:
            return existing
        held_by = session.get(Agency, existing.agency_id)
        raise StateConflict(
            f"评估 {evaluation.code} 已委托 {held_by.name if held_by else '其他机构'}，如需变更请先终止原委托",
            code=evaluation.code,
        )
    assert agency.id is not None  # a stored agency
    entrustment = Entrustment(
        evaluation_id=evaluation_id,
        agency_id=agency.id,
        **asdict(agreement),
    )
    session.add(entrustment)
    session.flush()
    audit.record(
        session=session,
        action="third_party_entrusted",
        actor=actor,
        evaluation_id=evaluation_id,
        decision_code=evaluation.decision_code,
        agency=agency.name,
        entrustment_id=entrustment.id,
        agreement=agreement.to_dict(),
    )
    return entrustment


def end_entrustment(*, session: Session, evaluation_id: int, reason: str, actor: str = "系统") -> Entrustment:
    """Terminate the entrustment in force (status 终止), with the reason."""
    evaluation = _open_evaluation(session, evaluation_id)
    entrustment = current_entrustment(session=session, evaluation_id=evaluation_id)
    if entrustment is None:
        raise StateConflict(f"评估 {evaluation.code} 没有有效的委托", code=evaluation.code)
    if not reason.strip():
        raise StateConflict("请写明终止委托的原因")
    entrustment.status, entrustment.ended_at, entrustment.end_reason = ENDED, now_beijing(), reason.strip()
    session.add(entrustment)
    audit.record(
        session=session,
        action="third_party_entrustment_ended",
        actor=actor,
        evaluation_id=evaluation_id,
        decision_code=evaluation.decision_code,
        entrustment_id=entrustment.id,
        reason=entrustment.end_reason,
    )
    return entrustment


def request_subcontract(
    *, session: Session, evaluation_id: int, to_name: str, assessors: Iterable[str] = (), actor: str = "系统"
) -> Entrustment:
    """Record that the entrusted agency passes the matter on to `to_name` — refused without consent (TP-NOSUB).

    The recipient must not have argued the decision beforehand (TEAM-CONFLICT) and, when it is a
    registered agency, must qualify (TP-QUALIFY / TP-CREDIT).
    """
    evaluation = _open_evaluation(session, evaluation_id)
    entrustment = current_entrustment(session=session, evaluation_id=evaluation_id)
    if entrustment is None:
        raise StateConflict(f"评估 {evaluation.code} 没有有效的委托，无从转委托", code=evaluation.code)
    decision = session.get(Decision, evaluation.decision_code)
    citations = citations_of(load_profile(decision.profile)) if decision else Citations()
    check_subcontract(entrustment.agreement(), citations)
    to_name = normalise_name(to_name)
    if not to_name:
        raise StateConflict("请填写转委托的单位或个人名称")
    check_not_conflicted(
        to_name, [*assessors, *(decision.pre_decision_assessors if decision else [])], False, citations
    )
    recipient = _find(session, to_name)
    if recipient is not None:
        check_qualified(recipient.facts(), citations)
    entrustment.subcontracted_to = to_name
    session.add(entrustment)
    audit.record(
        session=session,
        action="third_party_subcontracted",
        actor=actor,
        evaluation_id=evaluation_id,
        decision_code=evaluation.decision_code,
        entrustment_id=entrustment.id,
        to=to_name,
    )
    return entrustment
