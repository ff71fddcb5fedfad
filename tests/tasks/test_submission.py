"""NX-12 (ningxia 12(2): 评估工作完成后15日内提请厅决策机关审议) and OR-19 (ordos 19: 一个月内形成书面评估报告并提交):
the lead unit's duty is met on the day it submits the report, not on the day the decision body answers."""

from __future__ import annotations

from datetime import date, timedelta

import builders
import pytest
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.tables import BEIJING, now_beijing
from pinggu.tasks.conclusion import submit_report


def _evaluation_with_deadline(profile: str, rule: str, due: date) -> int:
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, profile, methods=("座谈会",), prefix="SUBMIT")
        store.start_deadline(
            session=session,
            evaluation_id=evaluation.id,
            rule=rule,
            label="提交评估报告",
            basis="第十二条第二款",
            counted_from="evaluation_completed",
            from_date=date(2026, 11, 2),
            until="report_submitted",
            due_date=due,
        )
        return evaluation.id


@pytest.mark.rule("NX-12", "OR-19")
@pytest.mark.parametrize(("profile", "rule"), [("ningxia_commerce", "NX-12"), ("ordos", "OR-19")])
def test_submitting_the_report_meets_the_lead_units_deadline_that_day(settings, profile, rule):
    evaluation_id = _evaluation_with_deadline(profile, rule, date(2099, 1, 1))
    result = submit_report.fn(evaluation_id)
    assert result.met == (rule,)
    with session_scope() as session:
        (deadline,) = store.deadlines(session=session, evaluation_id=evaluation_id)
        assert deadline.met_at is not None
        assert deadline.met_at.astimezone(BEIJING).date() == now_beijing().date()  # the office's day
    # A re-run from the top finds the step done: the deadline is not met a second time.
    assert submit_report(evaluation_id) == result


@pytest.mark.rule("NX-12")
def test_a_report_submitted_after_the_fifteen_days_is_recorded_late(settings):
    evaluation_id = _evaluation_with_deadline("ningxia_commerce", "NX-12", now_beijing().date() - timedelta(days=3))
    submit_report.fn(evaluation_id)
    with session_scope() as session:
        (deadline,) = store.deadlines(session=session, evaluation_id=evaluation_id)
        assert (
            deadline.met_at is not None and deadline.met_at.astimezone(BEIJING).date() > deadline.due_date
        )  # met, late
