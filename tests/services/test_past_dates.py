"""Dates of what has already happened are not after today (issue 27, 7): an opinion received, an event that
occurred (and its agreement), a supervision round held, a rectification reported. Each is refused in Chinese,
naming the date, with nothing written; the services take `today` as a parameter (time injected here), and a
caller that gives none (the web app's forms) gets today in Beijing (pinggu.models.tables.now_beijing).

Runs on the test home's database; each test makes a decision of its own (prefix PAST).
"""

from __future__ import annotations

from datetime import date, datetime

import builders
import pytest
from builders import session_scope
from sqlmodel import select

from pinggu.core.errors import StateConflict
from pinggu.models.db import read_session
from pinggu.models.tables import BEIJING, PublicOpinion, Rectification, SupervisionRound, TriggerEvent
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import OpinionChannel
from pinggu.services import planning, supervision, tracking

TODAY = date(2026, 12, 7)
FUTURE = date(2030, 1, 1)


def _refusal(what: str, day: date = FUTURE, today: date = TODAY) -> str:
    return f"{what} {day} 晚于今天（{today}）：只能登记已经发生的事，请核对日期"


@pytest.fixture
def decision(settings) -> str:
    with session_scope() as session:
        return builders.add_decision(session, "minhang", prefix="PAST").code


def _rows(model, decision: str) -> list:
    with read_session() as session:
        return list(session.exec(select(model).where(model.decision_code == decision)))


@pytest.mark.rule("E-PUBLIC")
def test_an_opinion_received_after_today_is_refused_naming_its_date(decision):
    with pytest.raises(StateConflict) as refused:
        tracking.record_opinion(
            decision, OpinionChannel.letter, FUTURE, "反对加装电梯", "", "区信访办 孙丽", today=TODAY
        )
    assert str(refused.value) == _refusal("收到日期")
    assert _rows(PublicOpinion, decision) == []  # so `pinggu status` never shows it as the latest opinion
    said = tracking.record_opinion(
        decision, OpinionChannel.letter, TODAY, "反对加装电梯", "", "区信访办 孙丽", today=TODAY
    )
    assert said.startswith(f"已登记 {decision} 的公众意见（信函，{TODAY}）")


@pytest.mark.rule("E-PUBLIC")
def test_without_a_today_an_opinion_is_judged_against_the_day_in_beijing(decision, monkeypatch):
    import pinggu.services.tracking

    # 23:30 on 7 December in Beijing is 15:30 UTC: 8 December is still tomorrow.
    monkeypatch.setattr(pinggu.services.tracking, "now_beijing", lambda: datetime(2026, 12, 7, 23, 30, tzinfo=BEIJING))
    with pytest.raises(StateConflict) as refused:
        tracking.record_opinion(decision, OpinionChannel.phone, date(2026, 12, 8), "意见", "", "区信访办 孙丽")
    assert str(refused.value) == _refusal("收到日期", date(2026, 12, 8))
    tracking.record_opinion(decision, OpinionChannel.phone, date(2026, 12, 7), "意见", "", "区信访办 孙丽")
    assert len(_rows(PublicOpinion, decision)) == 1


@pytest.mark.rule("T-EVENT")
def test_an_event_that_occurred_or_was_agreed_after_today_is_refused(decision):
    with pytest.raises(StateConflict) as occurred:
        planning.add_trigger(decision, "basis_changed", FUTURE, "上位法修改", "办公室 赵敏", today=TODAY)
    assert str(occurred.value) == _refusal("发生或申请日期")
    with pytest.raises(StateConflict) as agreed:
        planning.add_trigger(decision, "unit_application", TODAY, "承办单位申请", "办公室 赵敏", FUTURE, today=TODAY)
    assert str(agreed.value) == _refusal("同意日期")
    assert _rows(TriggerEvent, decision) == []
    planning.add_trigger(decision, "basis_changed", TODAY, "上位法修改", "办公室 赵敏", today=TODAY)
    assert [t.occurred_on for t in _rows(TriggerEvent, decision)] == [TODAY]


def _findings(held_on: date | None) -> SupervisionInput:
    return SupervisionInput(
        methods=["书面督查"],
        held_on=held_on,
        execution="总体按计划推进。",
        effect="成效初显。",
        problems="个别街道进度滞后。",
        proposals="建立周调度。",
        rectifications=[{"item": "补齐滞后街道的进度", "unit": "莘庄镇", "deadline": date(2031, 3, 31)}],
    )


@pytest.mark.rule("OR-10")
def test_a_supervision_round_held_after_today_is_refused(decision):
    with pytest.raises(StateConflict) as refused:
        supervision.record_round(f"past-{decision}", decision, _findings(FUTURE), "督查科", TODAY)
    assert str(refused.value) == _refusal("督查日期")
    assert _rows(SupervisionRound, decision) == []
    round_id = supervision.record_round(f"past-{decision}", decision, _findings(None), "督查科", TODAY)
    with read_session() as session:
        held = session.get(SupervisionRound, round_id)
        assert held is not None and held.held_on == TODAY  # left blank: today


@pytest.mark.rule("OR-10")
def test_a_rectification_reported_after_today_is_refused(decision):
    round_id = supervision.record_round(f"past-{decision}", decision, _findings(TODAY), "督查科", TODAY)
    with read_session() as session:
        (item,) = session.exec(select(Rectification).where(Rectification.round_id == round_id)).all()
    assert item.id is not None
    with pytest.raises(StateConflict) as refused:
        supervision.report_back(item.id, "已完成。", FUTURE, "莘庄镇 吴刚", today=TODAY)
    assert str(refused.value) == _refusal("报告日期")
    with read_session() as session:
        unchanged = session.get(Rectification, item.id)
        assert unchanged is not None and (unchanged.status, unchanged.reported_on) == ("open", None)
    said = supervision.report_back(item.id, "已完成。", TODAY, "莘庄镇 吴刚", today=TODAY)
    assert said.startswith(f"已记录整改事项 {item.id}")
