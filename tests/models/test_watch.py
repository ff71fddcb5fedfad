"""What the deadline watch reads: a statutory deadline missed is shown overdue until met, and met late
is recorded late (models/watch.py, models/evaluations.meet_deadlines; SPEC §6).

NX-12: ningxia 12 (the second one), "评估工作完成之日起十五日内，承办处室应……向厅决策机关提请审议".
A deadline never fails an evaluation (SPEC §6): past its day it is escalated as overdue, and when the
report is finally submitted the deadline is met — late, and the audit trail says so.
"""

from __future__ import annotations

from datetime import date, timedelta

import builders
import pytest
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.audit import events_for
from pinggu.models.db import build_engine
from pinggu.models.tables import BEIJING, now_beijing
from pinggu.models.watch import watched_items
from pinggu.rules.watch import OVERDUE, alerts


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('watch')}/watch.db")
    yield engine
    engine.dispose()


def _ningxia_evaluation(session) -> int:
    evaluation = builders.add_evaluation(
        session, "ningxia_commerce", type="ningxia_90day", prefix="WATCH",
        title="关于外贸企业稳订单的实施方案", decision_body="厅决策机关", lead_unit="对外贸易处",
    )  # fmt: skip
    return evaluation.id


def _nx12(session, evaluation_id: int, due: date) -> None:
    store.start_deadline(
        session=session,
        evaluation_id=evaluation_id,
        rule="NX-12",
        label="提请厅决策机关审议",
        basis="《宁夏商务厅重大行政决策跟踪反馈与后评估办法》第十二条",
        counted_from="evaluation_completed",
        from_date=due - timedelta(days=15),
        until="report_submitted",
        due_date=due,
    )


@pytest.mark.rule("NX-12")
def test_a_missed_nx12_is_overdue_until_submitted_then_recorded_late(engine):
    today = now_beijing().date()
    with session_scope(engine) as session:
        evaluation_id = _ningxia_evaluation(session)
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
        _nx12(session, evaluation_id, today - timedelta(days=3))

        # Missed by three days and not yet submitted: the watch escalates it as overdue.
        (alert,) = [a for a in alerts(watched_items(session=session), today, [7, 3]) if a.item.evaluation == code]
        assert (alert.item.kind, alert.item.ref, alert.level, alert.days_left) == (
            "deadline",
            f"{code}/deadline/NX-12",
            OVERDUE,
            -3,
        )
        assert alert.text().startswith("【已逾期 3 日】") and "NX-12" in alert.item.label

        # Submitted today: met, late; no longer watched.
        (met,) = store.meet_deadlines(session=session, evaluation_id=evaluation_id, milestone="report_submitted")
        assert met.met_at is not None and met.met_at.astimezone(BEIJING).date() == today > met.due_date
        (event,) = events_for(session=session, evaluation_id=evaluation_id, action="deadline_met")
        assert (event.detail["rule"], event.detail["on_time"]) == ("NX-12", False)
        assert not [item for item in watched_items(session=session) if item.evaluation == code]


@pytest.mark.rule("NX-12")
@pytest.mark.parametrize(("days_left", "level"), [(0, "due-3"), (5, "due-7")])
def test_an_nx12_submitted_by_its_last_day_is_recorded_in_time(engine, days_left, level):
    today = now_beijing().date()
    with session_scope(engine) as session:
        evaluation_id = _ningxia_evaluation(session)
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).code
        _nx12(session, evaluation_id, today + timedelta(days=days_left))
        (alert,) = [a for a in alerts(watched_items(session=session), today, [7, 3]) if a.item.evaluation == code]
        assert (alert.level, alert.days_left) == (level, days_left)

        store.meet_deadlines(session=session, evaluation_id=evaluation_id, milestone="report_submitted")
        (event,) = events_for(session=session, evaluation_id=evaluation_id, action="deadline_met")
        assert (event.detail["rule"], event.detail["on_time"]) == ("NX-12", True)


def test_a_channel_added_later_gets_the_recent_notices_not_the_whole_history(engine):
    from pinggu.models.tables import Escalation
    from pinggu.models.watch import NOTICE_LIFETIME_DAYS, record_delivery, undelivered

    now = now_beijing()
    with session_scope(engine) as session:
        old, recent = (
            Escalation(
                key=f"history-{n}",
                kind="stage",
                ref="preparation",
                level=OVERDUE,
                due_date=date(2026, 1, 5),
                text="准备阶段已逾期",
                recorded_at=now - timedelta(days=days),
            )  # fmt: skip
            for n, days in ((1, NOTICE_LIFETIME_DAYS + 1), (2, NOTICE_LIFETIME_DAYS - 1))
        )
        session.add_all([old, recent])
        session.flush()
        record_delivery(session=session, escalation_id=recent.id, channel="dingtalk://****(aaaaaa)", error=None)
        pending = [
            (e.key, channel)
            for e, channel in undelivered(session=session, channels=["dingtalk://****(aaaaaa)", "mailtos://new"])
        ]
    assert [p for p in pending if p[0].startswith("history-")] == [("history-2", "mailtos://new")]
