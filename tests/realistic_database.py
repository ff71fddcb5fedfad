"""A realistic product database for the migration and copy tests: one evaluation with a row in every table of
the baseline (`fill`), rows in every table added since (`fill_later_tables`), and every row read back (`snapshot`).

Plain functions over an engine, no fixtures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import builders
from builders import session_scope
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

from pinggu.models import agencies, audit, evaluations
from pinggu.models.tables import (
    BEIJING,
    Account,
    Approval,
    CommentWindow,
    Decision,
    DecisionDeadline,
    DecisionEvaluationPlan,
    DecisionOutcome,
    DecisionProcedure,
    Escalation,
    Evaluation,
    FormRejection,
    Handover,
    Notification,
    OpinionContact,
    Person,
    PlanDecision,
    PlanEntry,
    PublicOpinion,
    Rectification,
    SignoffCode,
    StepRecord,
    SuperiorAssistance,
    SupervisionRound,
    TeamMember,
    TrackingMilestone,
    TrackingPlan,
    TrackingReport,
    TriggerEvent,
)

AGREEMENT = builders.agreement_terms()


def fill(engine) -> None:
    """One evaluation with a row in every table, written through the product's own functions where it has them."""
    moment = datetime(2026, 3, 5, 9, 30, tzinfo=BEIJING)
    with session_scope(engine) as session:
        decision = Decision(
            code="MH-2024-007",
            title="某区老旧小区加装电梯补贴政策",
            profile="minhang",
            decision_body="区政府",
            lead_unit="区住房保障局",
            category="公共政策",
            broad_impact=True,
            starts_on=date(2024, 1, 1),
            uses_fiscal_funds=True,
            pre_decision_assessors=["某城市规划研究院"],
        )
        session.add(decision)
        session.flush()
        evaluation = evaluations.create_evaluation(
            session=session,
            decision=decision,
            type="ordinary",
            scope="whole",
            scope_parts=[],
            methods=["问卷调查", "座谈会"],
            stage_targets={"preparation": (date(2026, 4, 30), False), "conclusion": (date(2026, 9, 30), True)},
            flow_run_id="2f0c7a4e-run",
            reason="实施满两年",
        )
        evaluations.mark_stage(session=session, evaluation_id=evaluation.id, stage="preparation", status="running")
        session.add(TeamMember(evaluation_id=evaluation.id, name="王明", role="单位工作人员", unit="区司法局"))
        session.add(
            StepRecord(
                evaluation_id=evaluation.id,
                stage="preparation",
                step="plan",
                status="done",
                result={"方案": "已批准", "指标": [1, 2, 3]},
                started_at=moment,
                finished_at=moment,
            )
        )
        session.add(
            Approval(
                evaluation_id=evaluation.id,
                gate="plan_approval",
                attempt=1,
                pause_key="plan_approval-1",
                approver="张建国",
                approver_role="区政府办公室主任",
                choice="同意",
                comment="按方案开展",
                details={"意见": "同意"},
                decided_at=moment,
            )
        )
        session.add(
            FormRejection(
                evaluation_id=evaluation.id,
                gate="survey",
                pause_key="survey-1",
                reason="第 5 行“Q3 满意度”列有误",
            )
        )
        evaluations.add_document(
            session=session,
            evaluation_id=evaluation.id,
            kind="plan",
            title="评估方案",
            path="documents/PG-2026-0001/plan.pdf",
            sha256="ab" * 32,
            pages=12,
        )
        evaluations.start_deadline(
            session=session,
            evaluation_id=evaluation.id,
            rule="MH-9",
            label="评估完成期限",
            basis="闵行 9",
            counted_from="plan_approved",
            from_date=date(2026, 3, 5),
            until="evaluation_completed",
            due_date=date(2026, 9, 5),
        )
        evaluations.open_follow_up(
            session=session,
            evaluation=evaluation,
            conclusion="调整",
            unit="区住房保障局",
            action="修订补贴标准",
            basis="闵行 13",
            due_date=date(2026, 12, 31),
        )
        session.add(
            TriggerEvent(
                decision_code=decision.code,
                kind="实施满两年",
                occurred_on=date(2026, 1, 1),
                note="年度计划",
                recorded_by="赵敏",
            )
        )
        session.add(
            DecisionOutcome(
                decision_code=decision.code,
                outcome="调整",
                evaluation_code=evaluation.code,
                decided_by="刘志强",
                decided_by_role="区长",
                decided_on=date(2026, 10, 8),
            )
        )
        escalation = Escalation(
            key="stage:PG-2026-0001:preparation:due-7",
            evaluation_code=evaluation.code,
            kind="stage",
            ref="preparation",
            level="due-7",
            due_date=date(2026, 4, 30),
            text="准备阶段 7 日后届满",
        )
        session.add(escalation)
        session.flush()
        session.add(
            Notification(
                escalation_id=escalation.id,
                channel="https://oapi.dingtalk.com/robot",
                status="sent",
                attempts=1,
                sent_at=moment,
            )
        )
        # Core, naming only the columns every revision has (the model has 0004's too).
        session.execute(
            PlanEntry.__table__.insert().values(  # type: ignore[attr-defined]
                year=2026,
                scope="all",
                decision_code=decision.code,
                type="ordinary",
                reason="实施满两年",
                trigger_date=date(2026, 1, 1),
                due_date=date(2026, 9, 30),
                evaluating_unit="区司法局",
                evaluation_code=evaluation.code,
            )
        )
        session.add(
            PlanDecision(
                year=2026,
                pause_key="annual-plan-2026-1",
                approver="张建国",
                approver_role="区政府办公室主任",
                choice="同意",
            )
        )
        agencies.register_agency(session=session, name="某大学公共管理学院", kind="高等学校", actor="王明")
        agencies.entrust(
            session=session,
            evaluation_id=evaluation.id,
            agency_name="某大学公共管理学院",
            agreement=AGREEMENT,
            required_fields=("matter", "quality", "deadline", "fee", "ownership", "confidentiality", "liability"),
            allowed=True,
            actor="王明",
        )
        agencies.record_false_report(
            session=session,
            agency_name="某大学公共管理学院",
            evaluation_code=evaluation.code,
            detail="报告所列问卷数量与原始记录不符",
            recorded_by="王明",
        )
        audit.record(
            session=session,
            action="gate_answered",
            actor="张建国",
            evaluation_id=evaluation.id,
            gate="plan_approval",
            choice="同意",
        )


def snapshot(engine, like: dict[str, list[tuple]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every product table, in primary-key order, over the columns the database has
    (a later revision adds tables and columns) or, with `like`, over the tables and columns of that
    earlier snapshot, so the two compare."""
    rows = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        present = set(inspector.get_table_names())
        for name, table in SQLModel.metadata.tables.items():
            if name not in present or (like is not None and name not in like):
                continue
            have = {column["name"] for column in inspector.get_columns(name)}
            columns = [column for column in table.columns if column.name in have]
            if like is not None:
                columns = [column for column in columns if column.name in like[name][0]]
            query = table.select().with_only_columns(*columns).order_by(*table.primary_key.columns)
            rows[name] = [tuple(column.name for column in columns), *(tuple(row) for row in connection.execute(query))]
    return rows


# Values whose round trip through another database is worth checking: text of any length, an offset other
# than Beijing's with microseconds, JSON with nesting, nulls, numbers and characters beyond the BMP.
LONG_TEXT = "意见：" + "加装电梯补贴标准偏低，申请流程繁琐。\n" * 6000
ODD_MOMENT = datetime(2026, 7, 1, 23, 59, 58, 123456, tzinfo=UTC)
NESTED = {"结论": "调整", "分数": [92.5, 0.1, -3], "空": None, "真": True, "嵌套": {"层": [{"𠀀": "😀"}]}}


def fill_later_tables(engine) -> None:
    """A row in every table the migrations after the baseline added (call after `fill`, on a database at head)."""
    moment = datetime(2026, 3, 6, 10, 0, tzinfo=BEIJING)
    with session_scope(engine) as session:
        evaluation = session.exec(select(Evaluation)).one()
        code = evaluation.decision_code
        person = Person(
            name="张建国",
            unit="区政府办公室",
            title="主任",
            roles=["审定人", "管理员"],
            profiles=["minhang"],
            contact="mailto://zhang@example.gov.cn",
            login="zhangjianguo",
            updated_at=ODD_MOMENT,
        )
        other = Person(name="赵敏", unit="区司法局", title="科员", roles=[], contact="local-outbox", active=False)
        session.add_all([person, other])
        session.flush()
        assert person.id is not None and other.id is not None
        session.add(
            Account(
                person_id=person.id,
                password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                password_set_at=moment,
                admin=True,
                failed_logins=2,
                lock_noted=True,
                session_epoch=3,
            )
        )
        session.add(
            SignoffCode(
                evaluation_id=evaluation.id,
                gate="plan_approval",
                code_hash="cd" * 32,
                person_id=person.id,
                issued_at=moment,
                expires_at=ODD_MOMENT,
                used_at=moment,
                closed=True,
                second_factor=True,
            )
        )
        session.add(
            SignoffCode(
                evaluation_id=evaluation.id,
                gate="approval",
                code_hash="ef" * 32,
                override_by="刘志强",
                override_reason="负责人出差，书面授权",
                expires_at=moment,
            )
        )
        session.add(SuperiorAssistance(decision_code=code, source="决策目录.xlsx"))
        session.add(
            DecisionDeadline(
                decision_code=code,
                rule="MH-A10",
                label="决策归档期限",
                basis="闵行 档案 10",
                counted_from="issued",
                from_date=date(2024, 1, 1),
                until="archived",
                due_date=date(2024, 1, 15),
                provisional=True,
            )
        )
        session.add(
            TrackingPlan(
                decision_code=code,
                responsible_body="区住房保障局",
                responsible_people="钱坤、慕容雪芳",
                methods="问卷调查、实地走访",
                tracking_from=date(2026, 1, 1),
                source="跟踪计划.xlsx",
                recorded_by="赵敏",
            )
        )
        session.add(
            TrackingMilestone(
                decision_code=code, seq=1, target="完成首批加装", due_date=date(2026, 6, 30), unit="各街道"
            )
        )
        session.add(
            TrackingReport(
                decision_code=code,
                period_key="2026-03",
                period_start=date(2026, 3, 1),
                period_end=date(2026, 3, 31),
                due_date=date(2026, 4, 10),
                unit="区住房保障局",
                status="rendered",
                reporter="赵敏",
                submitted_on=date(2026, 4, 8),
                content=NESTED,
                sha256="12" * 32,
                rendered_at=ODD_MOMENT,
            )
        )
        opinion = PublicOpinion(
            decision_code=code, channel="信件", received_on=date(2026, 3, 9), summary=LONG_TEXT, recorded_by="赵敏"
        )
        session.add(opinion)
        session.flush()
        assert opinion.id is not None
        session.add(OpinionContact(opinion_id=opinion.id, contact="138****0000"))
        session.add(
            CommentWindow(
                decision_code=code,
                title="加装电梯补贴标准征求意见",
                opens_on=date(2026, 3, 1),
                closes_on=date(2026, 3, 31),
                enabled=False,
                opened_by="赵敏",
            )
        )
        session.add(
            Handover(
                ref="procedure:1:risk_decision",
                profile="changli",
                to_person_id=other.id,
                by_person_id=person.id,
                reason="出差，转赵敏办理",
                at=ODD_MOMENT,
            )
        )
        round_ = SupervisionRound(
            key="supervision-2026-1",
            decision_code=code,
            supervisor="区政府督查室",
            methods=["实地督查"],
            held_on=date(2026, 5, 20),
            findings=NESTED,
            recorded_by="赵敏",
            answers=[{"pause_key": "supervision-approval-1", "accepted": True}],
            approval_required=True,
            distributed_to=None,
        )
        session.add(round_)
        session.flush()
        assert round_.id is not None
        session.add(
            Rectification(
                round_id=round_.id,
                decision_code=code,
                seq=1,
                item="补贴发放不及时",
                unit="区财政局",
                due_date=date(2026, 7, 31),
                reviews=[],
            )
        )
        session.add(DecisionEvaluationPlan(decision_code=code, year=2027, type="ordinary"))
        session.add(
            DecisionProcedure(
                key="procedure-1",
                profile="changli",
                matter="某县城区停车收费调整",
                lead_unit="县发展改革局",
                catalog_year=2026,
                decision_code=code,
                answers=[{"step": "proposal", "answer": NESTED}],
                closed_at=ODD_MOMENT,
            )
        )
        audit.record(session=session, action="people_imported", actor="赵敏", rows=2, note=LONG_TEXT[:200])
