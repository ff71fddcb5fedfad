"""转办 (issue 29, services/handover.py) on a changli decision procedure's step, without a Prefect server: the
holder hands the step to a colleague, who then alone answers it; the history names both; the new holder gets the
notice; who may hand over and to whom follows the profile; an administrator reassigns."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from driving import add_person, procedure_person, sign_procedure_step
from sqlmodel import col, select

from pinggu.core.errors import SignoffRefused, StateConflict
from pinggu.models.db import read_session
from pinggu.models.tables import AuditEvent
from pinggu.rules.decision_procedure import ProcedureStep
from pinggu.services import handover
from pinggu.services.decision_procedure import answer_step, may_answer_step, open_procedure, step_status
from pinggu.services.signoff import outbox_messages

LAUNCH = {"proposer": "县城管局", "proposed_on": "2026-01-20", "category": "重大公共建设项目", "reasons": "……"}


def _hand(procedure: int, by: int, to: int, reason: str = "本人出差，由同事办理", admin: bool = False):
    from pinggu.models.tables import DecisionProcedure

    with read_session() as session:
        found = session.get(DecisionProcedure, procedure)
    return handover.hand_over(
        ref=handover.procedure_ref(procedure, "launch"),
        profile="changli",
        what="决策启动",
        link=f"http://127.0.0.1/procedures/{procedure}",
        by_person_id=by,
        by_admin=admin,
        to_person_id=to,
        reason=reason,
        entitled=lambda p: may_answer_step(tuple(p.roles), p.unit, found, ProcedureStep.launch),
    )


def test_a_step_handed_to_a_colleague_is_theirs_alone_and_the_history_names_both(settings):
    procedure = open_procedure(f"test-{uuid.uuid4().hex}", "changli", "城区停车场建设（转办）", "县城管局", 2026)
    holder = procedure_person("决策承办单位")  # 李明, 县城管局: the lead unit holds the step by role
    colleague = add_person("张伟", "县城管局")
    outsider = procedure_person("县政府办公室")  # 王芳: neither of the lead unit nor holding it
    elsewhere = add_person("钱进", "县财政局")

    with pytest.raises(SignoffRefused, match="王芳 不能转办“决策启动”：您不在可办理此环节的人员之列"):
        _hand(procedure, outsider, colleague)
    with pytest.raises(StateConflict, match="请写明转办理由"):
        _hand(procedure, holder, colleague, reason=" ")
    with pytest.raises(StateConflict, match="钱进（县财政局）不是可办理此环节的人员或本单位同事"):
        _hand(procedure, holder, elsewhere)

    handed = _hand(procedure, holder, colleague)
    assert (handed.from_name, handed.to_name, handed.by_name) == (
        "李明（县城管局）",
        "张伟（县城管局）",
        "李明（县城管局）",
    )
    notice = [m for m in outbox_messages() if m.get("ref") == handover.procedure_ref(procedure, "launch")]
    assert (
        notice
        and notice[-1]["to"] == "张伟"
        and "由 李明（县城管局） 转交您办理（理由：本人出差，由同事办理）" in notice[-1]["text"]
    )

    # The former holder may no longer answer; the colleague, who has no role of their own, may.
    waiting = step_status(procedure, ProcedureStep.launch)
    sign_procedure_step(waiting.key, "launch", LAUNCH, as_form=False)
    refused = answer_step(procedure, ProcedureStep.launch, waiting.key, LAUNCH, date(2026, 11, 28))
    assert refused == "决策启动（是否属于重大行政决策）已转办给 张伟（县城管局），由其本人办理"
    again = step_status(procedure, ProcedureStep.launch)
    from pinggu.services.signatures import sign_step

    sign_step(key=again.key, person_id=colleague, values=LAUNCH, what="决策启动")
    assert answer_step(procedure, ProcedureStep.launch, again.key, LAUNCH, date(2026, 11, 28)) is None

    with pytest.raises(SignoffRefused, match="现由 张伟（县城管局）办理"):
        _hand(procedure, holder, colleague)
    reassigned = _hand(procedure, outsider, holder, reason="改派回原承办人", admin=True)  # an administrator
    assert (reassigned.from_name, reassigned.to_name) == ("张伟（县城管局）", "李明（县城管局）")
    with read_session() as session:
        shown = handover.history(session, handover.procedure_ref(procedure, "launch"))
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.action == handover.HANDED_OVER).order_by(col(AuditEvent.id))
        ).all()
    assert [(h.from_name, h.to_name) for h in shown] == [
        ("李明（县城管局）", "张伟（县城管局）"),
        ("张伟（县城管局）", "李明（县城管局）"),
    ]
    assert [e.detail["reassigned"] for e in audited if e.detail["ref"].startswith(f"procedure:{procedure}:")] == [
        False,
        True,
    ]
