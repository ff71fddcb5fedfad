"""催办 to the person (issue 29, services/reminders.py): the people holding a waiting item are reminded on their
own contact within the working days before its target and again once overdue, each once; the group channels get
none of these personal reminders."""

from __future__ import annotations

from datetime import date, timedelta

import builders
from driving import add_person
from sqlmodel import select

from pinggu.models import watch
from pinggu.models.db import read_session
from pinggu.models.tables import Escalation, now_beijing
from pinggu.services.reminders import remind_holders
from pinggu.services.signoff import outbox_messages


def _reminders(ref_part: str) -> list[dict]:
    return [m for m in outbox_messages() if ref_part in str(m.get("ref", "")) and m["text"].startswith("【催办】")]


def test_the_unit_that_owes_a_follow_up_is_reminded_each_once_and_again_when_overdue(settings):
    today = now_beijing().date()
    unit = "区城管执法局"
    for name in ("韩梅", "李雷"):
        add_person(name, unit)
    due = today + timedelta(days=1)
    while due.weekday() >= 5:  # a working day, one or two ahead: within any setting of working days
        due += timedelta(days=1)
    code, follow_up = builders.open_follow_up(due, unit=unit)
    ref = f"{code}/follow-up/{follow_up}"

    first = remind_holders(today)
    assert (first.sent, first.failed) >= (2, 0)
    assert sorted(m["to"] for m in _reminders(ref)) == ["李雷", "韩梅"]
    assert "后续措施" in _reminders(ref)[0]["text"] and f"期限 {due}" in _reminders(ref)[0]["text"]
    again = remind_holders(today)  # the next watch the same day: nothing twice
    assert len(_reminders(ref)) == 2 and again.new == 0

    late = remind_holders(due + timedelta(days=1))  # overdue: reminded once more
    assert late.new >= 1 and len(_reminders(ref)) == 4
    assert sum("已逾期 1 日" in m["text"] for m in _reminders(ref)) == 2

    with read_session() as session:  # the group channels' summary never carries the personal reminders
        personal = session.exec(select(Escalation).where(Escalation.ref == ref)).all()
        group = watch.undelivered(session=session, channels=["群机器人"])
    assert {e.level for e in personal} >= {"person-due", "person-overdue"}
    assert not [e for e, _ in group if e.ref == ref and e.level.startswith("person-")]


def test_a_waiting_gate_reminds_the_people_entitled_to_it(settings):
    from sqlmodel import Session

    from pinggu.models import evaluations as store
    from pinggu.models.db import get_engine

    today = now_beijing().date()
    target = today + timedelta(days=1)
    while target.weekday() >= 5:
        target += timedelta(days=1)
    stages = {"preparation": (target, False), "implementation": (target + timedelta(days=60), False),
              "conclusion": (target + timedelta(days=90), False)}  # fmt: skip
    with Session(get_engine()) as session:
        evaluation = builders.add_evaluation(session, stage_targets=stages, prefix="RMD")
        evaluation.waiting_gate, evaluation.waiting_for = "plan_approval", "评估方案审定"
        session.add(evaluation)
        session.commit()
        code, actor = evaluation.code, store.gate_actor(session, evaluation, "plan_approval")
    add_person("方圆", "霸州市司法局", actor, profiles=("bazhou",))
    remind_holders(today)
    reminded = _reminders(f"{code}/gate/plan_approval")
    assert "方圆" in {m["to"] for m in reminded} and date.fromisoformat(reminded[0]["due"]) == target
    assert all(m["to"] != "韩梅" for m in reminded)  # a unit's people are not a gate's actor
