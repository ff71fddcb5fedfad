"""Persistence of agencies, credit records and entrustments (SPEC §10) on a throwaway SQLite database."""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from pinggu.core.errors import NotFound, RuleViolation, StateConflict
from pinggu.models import agencies
from pinggu.models.audit import verify_chain
from pinggu.models.db import build_engine
from pinggu.models.tables import AuditEvent, Decision, Evaluation, now_beijing
from pinggu.rules.third_party import Agreement

MINHANG_FIELDS = ("matter", "quality", "deadline", "fee", "ownership", "confidentiality", "liability")
AGREEMENT = builders.agreement_terms("某政策执行情况后评估")


@pytest.fixture
def engine(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path}/t.db")
    yield engine
    engine.dispose()


def make_evaluation(session, *, code="PG-2026-0001", assessors=(), status="running") -> Evaluation:
    """A decision (with its pre-decision assessors) and one evaluation of it."""
    decision = Decision(
        code=f"D-{code}",
        title="某区老旧小区加装电梯补贴政策",
        profile="minhang",
        decision_body="区政府",
        lead_unit="区住房保障局",
        category="公共政策",
        starts_on=date(2024, 1, 1),
        pre_decision_assessors=list(assessors),
    )
    evaluation = Evaluation(
        code=code,
        decision_code=decision.code,
        type="ordinary",
        status=status,
        completed_at=now_beijing() if status == "completed" else None,
    )
    session.add(decision)
    session.add(evaluation)
    session.flush()
    return evaluation


def register(session, name="某大学公共管理学院", **facts):
    return agencies.register_agency(session=session, name=name, kind=facts.pop("kind", "高等学校"), **facts)[0]


def entrust(session, evaluation_id, name="某大学公共管理学院", agreement=AGREEMENT, **overrides):
    arguments = dict(required_fields=MINHANG_FIELDS, allowed=True, assessors=[], actor="王明")
    arguments.update(overrides)
    return agencies.entrust(
        session=session, evaluation_id=evaluation_id, agency_name=name, agreement=agreement, **arguments
    )


def actions(session) -> list[str]:
    return list(session.exec(select(AuditEvent.action)))


@pytest.mark.rule("TP-QUALIFY")
def test_register_is_an_upsert_by_name_and_every_change_is_audited(engine):
    with session_scope(engine) as session:
        agency, created = agencies.register_agency(session=session, name=" 某 咨询公司 ", kind="咨询机构")
        assert created and agency.name == "某 咨询公司"
        again, created = agencies.register_agency(session=session, name="某 咨询公司", kind="咨询机构")
        assert not created and again.id == agency.id
        agencies.register_agency(session=session, name="某  咨询公司", kind="咨询机构", has_equipment=False)
        assert [a.has_equipment for a in agencies.list_agencies(session=session)] == [False]
        assert actions(session) == ["agency_registered", "agency_updated"]  # no event when nothing changed
        with pytest.raises(RuleViolation, match="类别“研究会”无效"):
            agencies.register_agency(session=session, name="某研究会", kind="研究会")


def test_an_unregistered_agency_is_not_found_with_a_hint(engine):
    with session_scope(engine) as session, pytest.raises(NotFound, match="pinggu agency register"):
        agencies.get_agency(session=session, name="无名机构")


@pytest.mark.rule("TP-QUALIFY", "TP-AGREEMENT", "TEAM-CONFLICT")
def test_entrust_runs_every_check_then_records_the_entrustment(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, assessors=["某律师事务所"])
        register(session)
        register(session, "某律师事务所", kind="律师事务所")
        register(session, "某社会组织", kind="社会组织", qualified_staff=False)
        refusals = [
            (dict(allowed=False), "TP-QUALIFY"),
            (dict(name="某社会组织"), "TP-QUALIFY"),
            (dict(name="某律师事务所"), "TEAM-CONFLICT"),  # recorded on the decision: always checked
            (dict(did_pre_decision_argumentation=True), "TEAM-CONFLICT"),
            (dict(agreement=Agreement(matter="某事项")), "TP-AGREEMENT"),
        ]
        for overrides, rule in refusals:
            with pytest.raises(RuleViolation) as refused:
                entrust(session, evaluation.id, **overrides)
            assert refused.value.rule == rule
        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id) is None

        entrustment = entrust(session, evaluation.id)
        assert entrustment.status == "有效" and entrustment.agreement() == AGREEMENT
        assert agencies.current_entrustment(session=session, evaluation_id=evaluation.id).id == entrustment.id
        assert entrust(session, evaluation.id).id == entrustment.id  # a retried task changes nothing
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "third_party_entrusted")).one()
        assert event.evaluation_id == evaluation.id and event.decision_code == evaluation.decision_code
        assert event.detail["agreement"]["deadline"] == "2026-09-30" and event.actor == "王明"


def test_one_entrustment_in_force_at_a_time(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session)
        register(session)
        register(session, "某科研所", kind="科研机构")
        entrust(session, evaluation.id)
        with pytest.raises(StateConflict, match="已委托 某大学公共管理学院，如需变更请先终止原委托"):
            entrust(session, evaluation.id, name="某科研所")
        ended = agencies.end_entrustment(session=session, evaluation_id=evaluation.id, reason="机构无法按期完成")
        assert ended.status == "终止" and ended.ended_at is not None
        assert entrust(session, evaluation.id, name="某科研所").agency_id != ended.agency_id
        with pytest.raises(NotFound):
            entrust(session, 999)


def test_a_completed_evaluation_is_not_entrusted(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, status="completed")
        register(session)
        with pytest.raises(StateConflict, match="已完成"):
            entrust(session, evaluation.id)


@pytest.mark.rule("TP-NOSUB")
def test_subcontracting_is_refused_without_consent_and_recorded_with_it(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session, assessors=["某评估中心"])
        other = make_evaluation(session, code="PG-2026-0002")
        register(session)
        register(session, "某科研所", kind="科研机构", credit_status="不良")
        entrust(session, evaluation.id)
        with pytest.raises(RuleViolation) as refused:
            agencies.request_subcontract(session=session, evaluation_id=evaluation.id, to_name="某调查公司")
        assert refused.value.rule == "TP-NOSUB"

        entrust(session, other.id, agreement=Agreement(**{**vars(AGREEMENT), "subcontracting_consent": True}))
        with pytest.raises(RuleViolation, match="信用记录不良"):  # a registered recipient must qualify
            agencies.request_subcontract(session=session, evaluation_id=other.id, to_name="某科研所")
        with pytest.raises(RuleViolation) as refused:
            agencies.request_subcontract(
                session=session, evaluation_id=other.id, to_name="某调查公司", assessors=["某调查公司"]
            )
        assert refused.value.rule == "TEAM-CONFLICT"
        done = agencies.request_subcontract(session=session, evaluation_id=other.id, to_name="某调查公司", actor="王明")
        assert done.subcontracted_to == "某调查公司"
        assert "third_party_subcontracted" in actions(session)


@pytest.mark.rule("TP-CREDIT", "TP-QUALIFY")
def test_a_false_report_goes_into_the_credit_record_and_bars_the_agency(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session)
        later = make_evaluation(session, code="PG-2026-0002")
        register(session)
        with pytest.raises(StateConflict, match="未委托评估机构"):  # only the entrusting unit records it
            agencies.record_false_report(
                session=session,
                agency_name="某大学公共管理学院",
                evaluation_code=evaluation.code,
                detail="x",
                recorded_by="王明",
            )
        entrust(session, evaluation.id)
        entry = agencies.record_false_report(
            session=session,
            agency_name="某大学公共管理学院",
            evaluation_code=evaluation.code,
            detail="满意度数据系编造，致使决策调整失误",
            recorded_by="王明",
        )
        assert entry.kind == "虚假报告" and entry.recorded_by == "王明"
        assert agencies.get_agency(session=session, name="某大学公共管理学院").credit_status == "不良"
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "agency_false_report")).one()
        assert event.evaluation_id == evaluation.id and event.detail["rule"] == "TP-CREDIT"

        with pytest.raises(RuleViolation) as refused:  # never entrusted again …
            entrust(session, later.id)
        assert refused.value.rule == "TP-CREDIT"
        with pytest.raises(RuleViolation, match="不能改登为信用记录良好"):  # … nor laundered by re-registering
            register(session, credit_status="良好")
        assert verify_chain(session=session) is None


@pytest.mark.rule("TP-CREDIT")
def test_the_credit_record_is_append_only(engine):
    with session_scope(engine) as session:
        evaluation = make_evaluation(session)
        register(session)
        entrust(session, evaluation.id)
        agencies.record_false_report(
            session=session,
            agency_name="某大学公共管理学院",
            evaluation_code=evaluation.code,
            detail="编造数据",
            recorded_by="王明",
        )
    for statement in ("UPDATE creditrecord SET detail = '无'", "DELETE FROM creditrecord"):
        with pytest.raises(DatabaseError, match="信用记录只能追加"), engine.begin() as connection:
            connection.execute(text(statement))


def test_a_false_report_needs_what_happened_and_who_records_it(engine):
    with session_scope(engine) as session:
        register(session)
        with pytest.raises(StateConflict, match="--detail"):
            agencies.record_false_report(
                session=session,
                agency_name="某大学公共管理学院",
                evaluation_code="PG-1",
                detail=" ",
                recorded_by="王明",
            )
        with pytest.raises(NotFound, match="评估 PG-1 不存在"):
            agencies.record_false_report(
                session=session,
                agency_name="某大学公共管理学院",
                evaluation_code="PG-1",
                detail="x",
                recorded_by="王明",
            )
