"""Statutory deadlines counted from the real dates of an evaluation's events (SPEC §6; rules/deadlines.py).

NX-11: ningxia 11, 90 days from the approved start until the evaluation is complete; NX-12: ningxia
12, 15 days from completion until the report reaches the 厅决策机关; OR-19: ordos 19, one month
from completion until the report reaches the city government.

Every due date below is worked out by hand on the State Council's 2026 calendar, counted the way
pinggu.rules.periods.add_period counts (《民法典》第二百零一条至第二百零三条): the day of the event is not
counted; a month ends on the corresponding day (or the month's last day); a last day that is a rest
day or holiday moves to the next working day, and a 调休 working Saturday is a working day.
2026: 劳动节 05-01..05-05, 端午 06-19..06-21, 国庆 10-01..10-07 (10-10 Saturday works).
"""

from __future__ import annotations

from datetime import date

import pytest

from pinggu.rules.deadlines import DueDeadline, started_by
from pinggu.rules.periods import Period, PeriodUnit, add_period
from pinggu.rules.profiles import MILESTONES, load_profile

D = date.fromisoformat


def _only(profile_id: str, milestone: str, on: date) -> DueDeadline:
    started = started_by(load_profile(profile_id), milestone, on)
    assert len(started) == 1, started
    return started[0]


# --- NX-11: 90 days from the approved start ----------------------------------------------------


@pytest.mark.rule("NX-11")
@pytest.mark.parametrize(
    ("approved", "due"),
    [
        # 03-02 + 90 days: 29 days to 03-31, 30 to 04-30, 31 to 05-31 — a Sunday → Monday 06-01.
        ("2026-03-02", "2026-06-01"),
        # 07-01 + 90: 30 to 07-31, 31 to 08-31, 29 more → 09-29, a Tuesday: no shift.
        ("2026-07-01", "2026-09-29"),
        # 07-03 + 90 → 10-01, National Day; the holiday runs to 10-07 → 10-08.
        ("2026-07-03", "2026-10-08"),
    ],
)
def test_nx11_runs_90_days_from_the_approved_start(approved, due):
    deadline = _only("ningxia_commerce", "start_approved", D(approved))
    assert deadline.rule == "NX-11"
    assert (deadline.counted_from, deadline.until) == ("start_approved", "evaluation_completed")
    assert deadline.from_date == D(approved)
    assert deadline.due.due == D(due) and deadline.due.calendar_complete and deadline.due.warnings == ()
    # The same day pinggu.rules.periods gives for a 90-day period.
    assert deadline.due == add_period(D(approved), Period(90, PeriodUnit.days))
    assert deadline.until_name == MILESTONES["evaluation_completed"] == "评估工作完成之日"
    assert deadline.label == "完成评估工作"
    assert "宁夏" in deadline.basis and "第十一条" in deadline.basis


@pytest.mark.rule("NX-11", "P-UNKNOWN")
def test_nx11_into_a_year_without_official_data_is_provisional():
    # 2026-11-20 + 90 days → 2027-02-18 (a Thursday, after the Spring Festival of 2027-02-06).
    deadline = _only("ningxia_commerce", "start_approved", D("2026-11-20"))
    assert deadline.due.due == D("2027-02-18")
    assert not deadline.due.calendar_complete
    assert len(deadline.due.warnings) == 1 and "2027年" in deadline.due.warnings[0]


# --- NX-12 and OR-19: from the completed evaluation to the decision body ------------------------


@pytest.mark.rule("NX-12")
@pytest.mark.parametrize(
    ("completed", "due"),
    [
        ("2026-03-02", "2026-03-17"),  # a Tuesday
        ("2026-04-16", "2026-05-06"),  # day 15 = 05-01, 劳动节 to 05-05 → 05-06
        ("2026-09-20", "2026-10-08"),  # day 15 = 10-05, National Day → 10-08
        ("2026-06-06", "2026-06-22"),  # day 15 = 06-21, 端午 (a Sunday) → Monday 06-22
    ],
)
def test_nx12_runs_15_days_from_completion(completed, due):
    deadline = _only("ningxia_commerce", "evaluation_completed", D(completed))
    assert deadline.rule == "NX-12"
    assert (deadline.counted_from, deadline.until) == ("evaluation_completed", "report_submitted")
    assert deadline.from_date == D(completed) and deadline.due.due == D(due) and deadline.due.calendar_complete
    assert deadline.due == add_period(D(completed), Period(15, PeriodUnit.days))
    assert deadline.until_name == "评估报告提交决策机关审定（审议）之日"
    assert "第十二条" in deadline.basis


@pytest.mark.rule("OR-19")
@pytest.mark.parametrize(
    ("completed", "due"),
    [
        ("2026-03-31", "2026-04-30"),  # no 04-31 → the month's last day, a Thursday
        ("2026-01-31", "2026-02-28"),  # no 02-31 → 02-28, a Saturday but a 调休 working day
        ("2026-04-04", "2026-05-06"),  # 05-04 is in 劳动节 (05-01..05) → 05-06
        ("2026-09-05", "2026-10-08"),  # 10-05 is in National Day → 10-08
        ("2026-06-10", "2026-07-10"),  # a Friday
    ],
)
def test_or19_runs_one_month_from_completion(completed, due):
    deadline = _only("ordos", "evaluation_completed", D(completed))
    assert deadline.rule == "OR-19"
    assert (deadline.counted_from, deadline.until) == ("evaluation_completed", "report_submitted")
    assert deadline.from_date == D(completed) and deadline.due.due == D(due) and deadline.due.calendar_complete
    assert deadline.due == add_period(D(completed), Period(1, PeriodUnit.months))
    assert "鄂尔多斯" in deadline.basis and "第十九条" in deadline.basis
    assert deadline.label == "形成书面评估报告并提交市人民政府"


# --- nothing else starts a deadline -------------------------------------------------------------


@pytest.mark.rule("NX-11", "NX-12", "OR-19")
@pytest.mark.parametrize("profile_id", ("bazhou", "changli", "minhang"))
@pytest.mark.parametrize("milestone", ("start_approved", "plan_approved", "evaluation_completed", "report_submitted"))
def test_profiles_without_such_deadlines_start_none(profile_id, milestone):
    assert started_by(load_profile(profile_id), milestone, D("2026-03-02")) == []


@pytest.mark.rule("NX-11", "NX-12", "OR-19")
@pytest.mark.parametrize(
    ("profile_id", "milestone"),
    [
        ("ningxia_commerce", "trigger"),
        ("ningxia_commerce", "plan_approved"),
        ("ningxia_commerce", "report_submitted"),
        ("ningxia_commerce", "decision_issued"),
        ("ordos", "start_approved"),
        ("ordos", "plan_approved"),
        ("ordos", "report_submitted"),
        ("ordos", "trigger"),
    ],
)
def test_an_unrelated_milestone_starts_nothing(profile_id, milestone):
    assert started_by(load_profile(profile_id), milestone, D("2026-03-02")) == []


@pytest.mark.rule("NX-11", "NX-12")
def test_each_ningxia_milestone_starts_only_its_own_deadline():
    assert [d.rule for d in started_by(load_profile("ningxia_commerce"), "start_approved", D("2026-03-02"))] == [
        "NX-11"
    ]
    assert [d.rule for d in started_by(load_profile("ningxia_commerce"), "evaluation_completed", D("2026-03-02"))] == [
        "NX-12"
    ]


def test_a_deadline_of_another_kind_starts_from_its_own_milestone():
    # minhang 档案 10: ten working days from the decision's issue for filing its archive (MH-A10):
    # 03-03..03-06 (4), 03-09..03-13 (9), 03-16 (10).
    deadline = _only("minhang", "decision_issued", D("2026-03-02"))
    assert (deadline.rule, deadline.until, deadline.due.due) == ("MH-A10", "archive_filed", D("2026-03-16"))
