"""Which dates the deadline watch escalates, and at which level (rules/watch.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pinggu.rules.watch import Watched, alerts

TODAY = date(2026, 11, 22)


def _item(days: int, ref: str = "PG-2026-0001/gate/approval") -> Watched:
    return Watched(kind="gate", ref=ref, label="决策机关审定", due=TODAY + timedelta(days=days), owner="区政府")


@pytest.mark.parametrize(
    ("days", "level"),
    [
        (30, None),
        (8, None),
        (7, "due-7"),
        (4, "due-7"),
        (3, "due-3"),
        (1, "due-3"),
        (0, "due-3"),
        (-1, "overdue"),
        (-40, "overdue"),
    ],
)
def test_each_item_reaches_the_highest_level_its_date_gives(days, level):
    found = alerts([_item(days)], TODAY, [7, 3])
    assert [a.level for a in found] == ([level] if level else [])


def test_an_escalation_is_keyed_by_item_due_date_and_level():
    (first,) = alerts([_item(-1)], TODAY, [7, 3])
    (later,) = alerts([_item(-1)], TODAY + timedelta(days=5), [7, 3])
    assert first.key == later.key == "PG-2026-0001/gate/approval@2026-11-21#overdue"
    (moved,) = alerts([_item(-1)], TODAY, [7, 3])
    assert moved.key.startswith("PG-2026-0001/gate/approval@2026-11-21")


def test_notice_text_says_how_late_and_who_acts():
    (overdue,) = alerts([_item(-3)], TODAY, [7, 3])
    (due_today,) = alerts([_item(0)], TODAY, [7, 3])
    assert overdue.text() == "【已逾期 3 日】决策机关审定（期限 2026-11-19），请区政府办理"
    assert due_today.text().startswith("【今日到期】")


def test_most_urgent_first():
    found = alerts([_item(5, "a"), _item(-2, "b"), _item(1, "c")], TODAY, [7, 3])
    assert [a.item.ref for a in found] == ["b", "c", "a"]


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (7, "【还有 7 日到期】决策机关审定（期限 2026-11-29），请区政府办理"),
        (1, "【还有 1 日到期】决策机关审定（期限 2026-11-23），请区政府办理"),
        (0, "【今日到期】决策机关审定（期限 2026-11-22），请区政府办理"),
        (-1, "【已逾期 1 日】决策机关审定（期限 2026-11-21），请区政府办理"),
    ],
)
def test_notice_text_in_full(days, text):
    (alert,) = alerts([_item(days)], TODAY, [7, 3])
    assert (alert.days_left, alert.text()) == (days, text)


def test_notice_without_an_owner_names_no_one():
    item = Watched(kind="deadline", ref="PG-2026-0002/deadline/report", label="报送评估报告", due=TODAY)
    (alert,) = alerts([item], TODAY, [3])
    assert alert.text() == "【今日到期】报送评估报告（期限 2026-11-22）"
    assert alert.key == "PG-2026-0002/deadline/report@2026-11-22#due-3"


def test_the_nearest_threshold_reached_names_the_level_whatever_their_order():
    assert [a.level for a in alerts([_item(3)], TODAY, [3, 7])] == ["due-3"]
    assert [a.level for a in alerts([_item(5)], TODAY, [3, 7, 14])] == ["due-7"]
    assert alerts([_item(1)], TODAY, []) == []
    # Overdue whatever the thresholds; items at the same distance in the order of their refs.
    found = alerts([_item(-1, "b"), _item(-1, "a"), _item(2, "c")], TODAY, [])
    assert [(a.item.ref, a.level, a.days_left) for a in found] == [("a", "overdue", -1), ("b", "overdue", -1)]


# 催办 to the person (issue 29): within N working days of the target, and again once overdue.
def _weekdays(day: date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("due", "level"),
    [
        (date(2026, 12, 9), "person-due"),  # Wednesday: 2 working days after Monday 7 December
        (date(2026, 12, 10), "person-due"),  # Thursday: 3 working days, the limit
        (date(2026, 12, 11), None),  # Friday: 4 working days
        (date(2026, 12, 7), "person-due"),  # today: 0 working days left
        (date(2026, 12, 6), "person-overdue"),  # yesterday
    ],
)
def test_a_holder_is_reminded_within_the_working_days_and_again_once_overdue(due, level):
    from pinggu.rules.watch import personal_alerts

    item = Watched(kind="gate", ref="PG-1/gate/approval", label="审定", due=due)
    found = personal_alerts([item], date(2026, 12, 7), 3, _weekdays)
    assert [a.level for a in found] == ([level] if level else [])


def test_working_days_count_the_calendar_and_only_held_items_are_reminded():
    from pinggu.rules.watch import personal_alerts, working_days_left

    friday = date(2026, 12, 11)
    assert working_days_left(friday, date(2026, 12, 15), _weekdays) == 2  # the weekend between counts for nothing
    assert working_days_left(friday, friday, _weekdays) == 0
    held = [Watched(kind=k, ref=k, label=k, due=friday) for k in ("stage", "deadline", "follow_up", "rectification")]
    assert sorted(a.item.kind for a in personal_alerts(held, friday, 3, _weekdays)) == ["follow_up", "rectification"]
