"""Periods and deadlines counted the way Chinese law counts them (《民法典》第二百零一条至第二百零三条).

``add_period(start, Period(15, PeriodUnit.days))`` gives the last day of the period as a ``DueDate``.
When that answer depends on a year without official calendar data (P-UNKNOWN) it is still given,
but with ``calendar_complete=False`` and a Chinese warning naming the year, for the UI, CLI and
report to show.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pinggu.core.errors import StateConflict
from pinggu.rules.calendar import OfficialCalendar, default_calendar

_UNIT_NAMES = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}


class PeriodUnit(StrEnum):
    """The unit a period is counted in."""

    days = "days"
    working_days = "working_days"
    months = "months"
    years = "years"


@dataclass(frozen=True)
class Period:
    """A length of time such as 15 days, 7 working days or 1 month."""

    amount: int
    unit: PeriodUnit

    def __post_init__(self) -> None:
        # Seeds and profiles write units as text ("working_days"); accept that, refuse anything else.
        try:
            unit = PeriodUnit(self.unit)
        except ValueError:
            raise ValueError(f"期间单位“{self.unit}”无效，应为 days、working_days、months 或 years") from None
        object.__setattr__(self, "unit", unit)
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError(f"期间长度应为正整数，实际为“{self.amount}”")

    def __str__(self) -> str:
        return f"{self.amount}{_UNIT_NAMES[self.unit.value]}"


@dataclass(frozen=True)
class DueDate:
    """The last day of a period, and whether it rests on official calendar data only."""

    due: date
    calendar_complete: bool
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"due": "YYYY-MM-DD", "calendar_complete": bool, "warnings": [...]}."""
        return {
            "due": self.due.isoformat(),
            "calendar_complete": self.calendar_complete,
            "warnings": list(self.warnings),
        }


class _Counter:
    """Asks the calendar about days and remembers which years only the fallback could answer."""

    def __init__(self, calendar: OfficialCalendar) -> None:
        self.calendar = calendar
        self.provisional_years: set[int] = set()

    def is_workday(self, d: date) -> bool:
        info = self.calendar.day(d)
        if not info.official:
            self.provisional_years.add(d.year)
        return info.is_workday

    def next_workday_from(self, d: date) -> date:
        # 《民法典》第二百零三条: a period whose last day is a statutory holiday or rest day ends on the
        # day after the holiday ends, i.e. the next working day. A 调休上班日 (e.g. Saturday
        # 2026-02-28) is a working day by the State Council's notice, so the period ends on it.
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def result(self, due: date) -> DueDate:
        warnings = tuple(w for y in sorted(self.provisional_years) if (w := self.calendar.provisional_warning(y)))
        return DueDate(due=due, calendar_complete=not self.provisional_years, warnings=warnings)


def _month_end(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def corresponding_day(start: date, months: int) -> date:
    """The day `months` months after `start` (Civil Code 202), not moved off rest days."""
    # 《民法典》第二百零二条: the last day is the corresponding day of the last month; when that
    # month has no such day (Jan 31 → February), its last day. Counting from the day after the
    # start (第二百零一条) and ending on the corresponding day are the same thing.
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= date.max.year:
        raise OverflowError("date value out of range")
    return date(year, month, min(start.day, _month_end(year, month)))


def last_day_of_term(first_day: date, months: int) -> date:
    """The last day of a term of ``months`` months (12 a year) whose first day counted is ``first_day``.

    《民法典》第二百零一条: the starting day is not counted, so a term that counts from ``first_day`` starts on
    the day before it; 第二百零二条: it ends on that day's corresponding day, or the month's last day when there
    is none. 2021-01-01 … 2025-12-31 is five years; from 2024-02-29 five years end on 2029-02-28 (the day
    before 2024-02-29 is 2024-02-28), not on 2029-02-27. Not moved off rest days: a term, not a deadline.
    """
    return corresponding_day(first_day - timedelta(days=1), months)


def add_period(start: date, period: Period, calendar: OfficialCalendar | None = None) -> DueDate:
    """The last day of ``period`` counted from ``start`` (the start day itself not counted)."""
    if isinstance(start, datetime):
        start = start.date()
    counter = _Counter(calendar if calendar is not None else default_calendar())
    try:
        if period.unit is PeriodUnit.working_days:
            # Working-day periods (P-WORKDAY) count only working days on the official calendar:
            # weekends and holidays are skipped, 调休上班日 count. The start day is not counted,
            # as with any period (第二百零一条), and the last day is a working day by construction.
            d, left = start, period.amount
            while left:
                d += timedelta(days=1)
                if counter.is_workday(d):
                    left -= 1
            return counter.result(d)
        if period.unit is PeriodUnit.days:
            # 《民法典》第二百零一条: the start day is not counted; counting starts the next day.
            last = start + timedelta(days=period.amount)
        else:
            # A year is twelve months: 第二百零二条 applies to both (2024-02-29 + 1 year → 2025-02-28).
            months = period.amount * (12 if period.unit is PeriodUnit.years else 1)
            last = corresponding_day(start, months)
        return counter.result(counter.next_workday_from(last))
    except OverflowError:
        raise ValueError(f"{start.isoformat()} 起 {period} 超出可计算的日期范围（至 9999-12-31）") from None


def add_days(start: date, n: int, calendar: OfficialCalendar | None = None) -> DueDate:
    """The last day of an n-day period from ``start`` (P-START, P-HOLIDAY)."""
    return add_period(start, Period(n, PeriodUnit.days), calendar)


def add_working_days(start: date, n: int, calendar: OfficialCalendar | None = None) -> DueDate:
    """The n-th working day after ``start`` (P-WORKDAY)."""
    return add_period(start, Period(n, PeriodUnit.working_days), calendar)


def add_months(start: date, n: int, calendar: OfficialCalendar | None = None) -> DueDate:
    """The last day of an n-month period from ``start`` (P-MONTH, P-HOLIDAY)."""
    return add_period(start, Period(n, PeriodUnit.months), calendar)


def add_years(start: date, n: int, calendar: OfficialCalendar | None = None) -> DueDate:
    """The last day of an n-year period from ``start`` (P-MONTH, P-HOLIDAY)."""
    return add_period(start, Period(n, PeriodUnit.years), calendar)


def check_not_after_today(day: date, today: date, what: str) -> None:
    """Refuse the date of something that has already happened (received, held, occurred, reported) when it lies
    after today, naming the date; ``what`` is its Chinese name (收到日期, 督查日期 …)."""
    if day > today:
        raise StateConflict(f"{what} {day} 晚于今天（{today}）：只能登记已经发生的事，请核对日期")
