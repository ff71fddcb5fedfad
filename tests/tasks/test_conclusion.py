"""The conclusion stage's follow-up (tasks/conclusion.py open_follow_up; C-FOLLOWUP).

bazhou 15 ¶1, changli 62 ¶1, ningxia 14, ordos 20 ¶3, minhang 14 ¶2: after the decision body decides to adjust,
suspend or terminate, the executing unit "应当采取有效措施，避免或者减少经济损失和不良社会影响".
The seeds set no time limit; every profile sets `followup.window: {amount: 30, unit: days}`
(default: seed silent), counted like any period (《民法典》第二百零一条至第二百零三条) from the day
the decision body approved the report. The step runs on that day in the flow, right after the
approval gate; here it runs on a fixed approval day so the exact due date can be checked.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import builders
import pytest
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.tables import BEIJING, Approval

# The article each profile cites for the follow-up (its `followup.basis`).
ARTICLE = {
    "bazhou": "第十五条",
    "changli": "第六十二条",
    "ningxia_commerce": "第十四条",
    "ordos": "第二十条",
    "minhang": "第十四条",
}


def _approved(profile: str, conclusion: str, approved_at: datetime) -> int:
    """An evaluation whose report the decision body approved at `approved_at` with `conclusion`."""
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, profile, prefix="FU")
        evaluation.conclusion = conclusion
        session.add(evaluation)
        session.add(
            Approval(
                evaluation_id=evaluation.id,
                gate="approval",
                attempt=1,
                pause_key=f"approval-{uuid.uuid4().hex[:8]}",
                approver="张建国",
                approver_role="区长",
                choice="通过",
                conclusion=conclusion,
                decided_at=approved_at,
            )
        )
        return evaluation.id


def _open_on(monkeypatch, evaluation_id: int, approved_at: datetime) -> dict:
    import pinggu.services.evaluation.steps.conclusion
    import pinggu.tasks.conclusion

    # The follow-up step runs on the approval day, as in the flow (flows/stages.py).
    monkeypatch.setattr(pinggu.services.evaluation.steps.conclusion, "now_beijing", lambda: approved_at)
    return pinggu.tasks.conclusion.open_follow_up.fn(evaluation_id)


@pytest.mark.rule("C-FOLLOWUP", "P-START")
@pytest.mark.parametrize("profile", sorted(ARTICLE))
@pytest.mark.parametrize("conclusion", ["调整", "中止执行", "终止执行"])
def test_the_follow_up_is_due_30_days_after_the_approval(monkeypatch, profile, conclusion):
    # Approved Sunday 2026-09-20: day 1 is 09-21 (Civil Code 201), day 30 is Tuesday 2026-10-20.
    approved_at = datetime(2026, 9, 20, 15, 30, tzinfo=BEIJING)
    evaluation_id = _approved(profile, conclusion, approved_at)
    opened = _open_on(monkeypatch, evaluation_id, approved_at)
    assert opened.due_date == date(2026, 10, 20)
    with session_scope() as session:
        (item,) = store.follow_ups(session=session, evaluation_id=evaluation_id)
    assert (item.due_date, item.provisional, item.status) == (date(2026, 10, 20), False, "open")
    assert (item.conclusion, item.unit) == (conclusion, "区住房保障局")
    assert item.action.startswith(f"评估结论为“{conclusion}”：") and "措施" in item.action
    assert ARTICLE[profile] in item.basis


@pytest.mark.rule("C-FOLLOWUP", "P-HOLIDAY")
def test_a_follow_up_ending_in_a_holiday_is_due_the_next_working_day(monkeypatch):
    # Approved 2026-09-05: day 30 is 10-05, inside National Day (10-01..07) → Thursday 10-08 (Civil Code 203).
    approved_at = datetime(2026, 9, 5, 9, 0, tzinfo=BEIJING)
    evaluation_id = _approved("bazhou", "调整", approved_at)
    assert _open_on(monkeypatch, evaluation_id, approved_at).due_date == date(2026, 10, 8)


@pytest.mark.rule("C-FOLLOWUP", "P-UNKNOWN")
def test_a_follow_up_due_in_a_year_without_official_data_is_provisional(monkeypatch):
    # Approved 2026-12-15: day 30 is Thursday 2027-01-14, a year without official calendar data.
    approved_at = datetime(2026, 12, 15, 9, 0, tzinfo=BEIJING)
    evaluation_id = _approved("ningxia_commerce", "终止执行", approved_at)
    assert _open_on(monkeypatch, evaluation_id, approved_at).due_date == date(2027, 1, 14)
    with session_scope() as session:
        (item,) = store.follow_ups(session=session, evaluation_id=evaluation_id)
    assert (item.due_date, item.provisional) == (date(2027, 1, 14), True)


@pytest.mark.rule("C-FOLLOWUP")
def test_continuing_opens_no_follow_up(monkeypatch):
    approved_at = datetime(2026, 9, 20, 15, 30, tzinfo=BEIJING)
    evaluation_id = _approved("bazhou", "继续执行", approved_at)
    assert _open_on(monkeypatch, evaluation_id, approved_at).stored_json() == {"opened": None}
    with session_scope() as session:
        assert store.follow_ups(session=session, evaluation_id=evaluation_id) == []


@pytest.mark.rule("C-FOLLOWUP", "P-START")
def test_a_follow_up_step_run_days_later_still_counts_from_the_approval(monkeypatch):
    # A retry or a resume must not move the lead unit's deadline: counted from the approval (09-20).
    approved_at = datetime(2026, 9, 20, 15, 30, tzinfo=BEIJING)
    evaluation_id = _approved("bazhou", "调整", approved_at)
    assert _open_on(monkeypatch, evaluation_id, datetime(2026, 9, 25, 9, 0, tzinfo=BEIJING)).due_date == date(
        2026, 10, 20
    )
