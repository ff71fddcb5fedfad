"""Periods on China's official calendar (《民法典》第二百零一条至第二百零三条; SPEC §6).

One row per edge case. Row ids name the article: cc201 = 民法典第二百零一条 (start day not counted),
cc202 = 第二百零二条 (corresponding day / month end), cc203 = 第二百零三条 (rest day → next working
day), cal = the State Council's official calendar, fallback = 《全国年节及纪念日放假办法》.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from pinggu.core.errors import InputFileError
from pinggu.rules import calendar as calendar_module
from pinggu.rules.calendar import CALENDAR_DIR, DayInfo, OfficialCalendar, default_calendar
from pinggu.rules.periods import (
    DueDate,
    Period,
    PeriodUnit,
    add_days,
    add_months,
    add_period,
    add_working_days,
    add_years,
    last_day_of_term,
)

START = pytest.mark.rule("P-START")
MONTH = pytest.mark.rule("P-MONTH")
HOLIDAY = pytest.mark.rule("P-HOLIDAY")
WORKDAY = pytest.mark.rule("P-WORKDAY")
UNKNOWN = pytest.mark.rule("P-UNKNOWN")

D, WD, M, Y = PeriodUnit.days, PeriodUnit.working_days, PeriodUnit.months, PeriodUnit.years

# Library data only, no operator files: the rows must not change when rules/calendars/ gains a file.
LIBRARY_ONLY = OfficialCalendar()


def row(start, amount, unit, due, complete, *, id, marks):
    start, due = date.fromisoformat(start), date.fromisoformat(due)
    return pytest.param(start, Period(amount, unit), due, complete, id=id, marks=marks)


CASES = [
    # --- the three examples of the issue -----------------------------------------------------------
    # 09-29, 09-30, (10-01..07 National Day), 10-08, 10-09, 10-10 (Sat, 调休上班), 10-12, 10-13.
    row("2026-09-28", 7, WD, "2026-10-13", True, id="issue: cal 2026-09-28 + 7 working days", marks=[WORKDAY]),
    # Day 15 is 10-05, inside the National Day holiday (10-01..07) → next working day 10-08.
    row("2026-09-20", 15, D, "2026-10-08", True, id="issue: cc201+cc203 2026-09-20 + 15 days", marks=[START, HOLIDAY]),
    # No Feb 31 → Feb 28; a Saturday, but a 调休上班日 of the Spring Festival, so no shift.
    row("2026-01-31", 1, M, "2026-02-28", True, id="issue: cc202+cc203 2026-01-31 + 1 month", marks=[MONTH, HOLIDAY]),
    # --- 第二百零一条: the start day is not counted ------------------------------------------------------
    row("2026-03-02", 1, D, "2026-03-03", True, id="cc201 Mon + 1 day = Tue", marks=[START]),
    row("2026-03-02", 10, D, "2026-03-12", True, id="cc201 + 10 days", marks=[START]),
    row(
        "2026-03-02", 1, WD, "2026-03-03", True, id="cc201 working days also start the next day", marks=[START, WORKDAY]
    ),
    row("2026-10-01", 1, WD, "2026-10-08", True, id="cal start on a holiday + 1 working day", marks=[START, WORKDAY]),
    # --- 第二百零二条: month and year periods -------------------------------------------------------------
    row("2026-03-31", 1, M, "2026-04-30", True, id="cc202 Mar 31 + 1 month → Apr 30", marks=[MONTH]),
    row("2026-06-30", 1, M, "2026-07-30", True, id="cc202 corresponding day, not month end", marks=[MONTH]),
    row("2026-08-31", 1, M, "2026-09-30", True, id="cc202 Aug 31 + 1 month → Sep 30", marks=[MONTH]),
    row("2024-01-31", 1, M, "2024-02-29", True, id="cc202 leap year Jan 31 + 1 month → Feb 29", marks=[MONTH]),
    row("2023-01-31", 1, M, "2023-02-28", True, id="cc202 common year → Feb 28 (a Tuesday)", marks=[MONTH, HOLIDAY]),
    row("2022-01-31", 1, M, "2022-02-28", True, id="cc202 2022 → Feb 28 (a Monday)", marks=[MONTH, HOLIDAY]),
    row("2021-01-31", 1, M, "2021-03-01", True, id="cc202+cc203 2021 → Feb 28 Sun → Mar 1", marks=[MONTH, HOLIDAY]),
    row(
        "2025-11-30",
        3,
        M,
        "2026-02-28",
        True,
        id="cc202 across the year end, ends on a 调休上班日",
        marks=[MONTH, HOLIDAY],
    ),
    row(
        "2026-01-15",
        1,
        M,
        "2026-02-24",
        True,
        id="cc202+cc203 Feb 15 in Spring Festival → Feb 24",
        marks=[MONTH, HOLIDAY],
    ),
    row("2024-02-29", 1, Y, "2025-02-28", True, id="cc202 2024-02-29 + 1 year → 2025-02-28", marks=[MONTH]),
    row(
        "2025-10-01", 1, Y, "2026-10-08", True, id="cc202+cc203 + 1 year lands on National Day", marks=[MONTH, HOLIDAY]
    ),
    # --- 第二百零三条: a last day on a rest day or holiday moves to the next working day -------------------
    row("2026-03-04", 3, D, "2026-03-09", True, id="cc203 ordinary Saturday → Monday", marks=[HOLIDAY]),
    row("2026-04-01", 3, D, "2026-04-07", True, id="cc203 Qingming block Apr 4–6 → Apr 7", marks=[HOLIDAY]),
    row("2026-09-19", 1, D, "2026-09-20", True, id="cc203 a Sunday 调休上班日 is not a rest day", marks=[HOLIDAY]),
    row("2026-10-03", 7, D, "2026-10-10", True, id="cc203 a Saturday 调休上班日 is not a rest day", marks=[HOLIDAY]),
    row("2026-05-06", 3, D, "2026-05-09", True, id="cc203 Labour Day 调休上班日 Sat May 9", marks=[HOLIDAY]),
    row("2025-12-29", 3, D, "2026-01-04", True, id="cc203 Jan 1 holiday → Sun Jan 4 (调休上班日)", marks=[HOLIDAY]),
    # --- working days: skip weekends and holidays, count 调休上班日 ------------------------------------------
    row("2026-02-13", 1, WD, "2026-02-14", True, id="cal Sat Feb 14 调休上班日 counts", marks=[WORKDAY]),
    row(
        "2026-02-13", 2, WD, "2026-02-24", True, id="cal then the Spring Festival Feb 15–23 is skipped", marks=[WORKDAY]
    ),
    row("2026-09-18", 1, WD, "2026-09-20", True, id="cal Sun Sep 20 调休上班日 counts", marks=[WORKDAY]),
    row("2026-09-25", 10, WD, "2026-10-15", True, id="cal minhang 10 working days over National Day", marks=[WORKDAY]),
    row("2025-12-31", 3, WD, "2026-01-06", True, id="cal year boundary, both years official", marks=[WORKDAY]),
    # --- years without official data (P-UNKNOWN): fallback, provisional ----------------------------------
    row(
        "2026-12-25",
        5,
        WD,
        "2027-01-04",
        False,
        id="fallback Dec 25 + 5 working days into 2027",
        marks=[WORKDAY, UNKNOWN],
    ),
    row(
        "2026-12-31",
        3,
        WD,
        "2027-01-06",
        False,
        id="fallback Dec 31 + 3 working days, Jan 1 off",
        marks=[WORKDAY, UNKNOWN],
    ),
    row(
        "2026-12-30",
        2,
        D,
        "2027-01-04",
        False,
        id="cc203+fallback Jan 1 2027 (Fri) → Mon Jan 4",
        marks=[HOLIDAY, UNKNOWN],
    ),
    row(
        "2026-12-01", 10, D, "2026-12-11", True, id="cc201 a period ending in 2026 is complete", marks=[START, UNKNOWN]
    ),
    row(
        "2027-03-01",
        10,
        D,
        "2027-03-11",
        False,
        id="fallback 2027 ordinary Thursday, still provisional",
        marks=[UNKNOWN],
    ),
    row("2024-02-29", 4, Y, "2028-02-29", False, id="cc202+fallback 2028-02-29", marks=[MONTH, UNKNOWN]),
    # 2030: 除夕 Sat Feb 2, 初一 Sun Feb 3, 初二–初三 Feb 4–5; 办法第六条 make-up days off Feb 6 and 7.
    row(
        "2030-02-01", 5, D, "2030-02-08", False, id="fallback 2030 Spring Festival with 补假", marks=[HOLIDAY, UNKNOWN]
    ),
    row("2030-06-04", 1, D, "2030-06-06", False, id="fallback 2030 端午 Wed Jun 5", marks=[HOLIDAY, UNKNOWN]),
    # 2100: 中秋 Sat Sep 18 → 补假 Mon Sep 20.
    row("2100-09-15", 3, D, "2100-09-21", False, id="fallback 2100 中秋 on Saturday", marks=[HOLIDAY, UNKNOWN]),
    # 2101: 元旦 Sat Jan 1 → 补假 Mon Jan 3; no lunar data that year.
    row("2100-12-31", 1, WD, "2101-01-04", False, id="fallback 2101 beyond the lunar table", marks=[WORKDAY, UNKNOWN]),
]


@pytest.mark.parametrize(("start", "period", "due", "complete"), CASES)
def test_period_table(start, period, due, complete):
    result = add_period(start, period, LIBRARY_ONLY)
    assert (result.due, result.calendar_complete) == (due, complete)
    if complete:
        assert result.warnings == ()
    else:
        # P-UNKNOWN: never silent — one Chinese warning per year the fallback decided, naming it.
        named = [int(re.match(r"(\d{4})年尚无", w).group(1)) for w in result.warnings]
        assert named == sorted(set(named)) and result.due.year in named
        assert not any(LIBRARY_ONLY.has_official_data(year) for year in named)
        assert all("暂定" in w for w in result.warnings)


def _days(start: date, end: date):
    return (start + timedelta(days=k) for k in range(1, (end - start).days + 1))


@pytest.mark.rule("P-START", "P-MONTH")
@pytest.mark.parametrize(
    ("first_day", "months", "last_day"),
    [
        (date(2021, 1, 1), 60, date(2025, 12, 31)),  # five years, both ends counted
        (date(2024, 2, 29), 60, date(2029, 2, 28)),  # counted from 2024-02-28: its corresponding day
        (date(2024, 3, 1), 60, date(2029, 2, 28)),  # from 2024-02-29: 2029 has none, the month's last day
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 3, 31), 1, date(2023, 4, 30)),  # from 30 March → 30 April
        (date(2025, 10, 1), 12, date(2026, 9, 30)),  # a term is not moved off a holiday
    ],
)
def test_the_last_day_of_a_term_counted_from_its_first_day(first_day, months, last_day):
    # 《民法典》第二百零一条: the starting day (the day before the first day counted) is not counted;
    # 第二百零二条: the term ends on its corresponding day, or the month's last day when there is none.
    assert last_day_of_term(first_day, months) == last_day


@pytest.mark.rule("P-UNKNOWN")
@pytest.mark.parametrize("year", [2027, 2030, 2057, 2100, 2101, 2200, 9998])
def test_future_years_never_crash_and_say_so(year):
    for result in (
        add_working_days(date(year, 1, 1), 250, LIBRARY_ONLY),
        add_months(date(year, 1, 31), 1, LIBRARY_ONLY),
        add_days(date(year, 6, 1), 30, LIBRARY_ONLY),
    ):
        assert result.calendar_complete is False
        assert result.warnings and result.warnings[0].startswith(f"{year}年尚无国务院公布的节假日安排")
    assert LIBRARY_ONLY.has_official_data(year) is False
    assert LIBRARY_ONLY.day(date(year, 1, 1)) == DayInfo(is_workday=False, official=False)  # 元旦
    # The provisional date itself, not only the flag: June 1 + 30 days is July 1 (cc201), moved off a
    # weekend to Monday (cc203); no statutory holiday of the fallback falls on July 1–3 (端午 is by
    # June 25 at the latest, 中秋 in September or October).
    july_1 = date(year, 7, 1)
    expected = july_1 + timedelta(days=(7 - july_1.weekday()) % 7 if july_1.weekday() >= 5 else 0)
    assert add_days(date(year, 6, 1), 30, LIBRARY_ONLY).due == expected


@pytest.mark.rule("P-UNKNOWN")
def test_every_year_up_to_2100_computes():
    for year in range(2027, 2101):
        assert add_working_days(date(year, 2, 1), 20, LIBRARY_ONLY).calendar_complete is False


@pytest.mark.rule("P-UNKNOWN")
def test_past_the_last_representable_date_is_a_clear_error():
    with pytest.raises(ValueError, match="超出可计算的日期范围"):
        add_months(date(9999, 12, 1), 1, LIBRARY_ONLY)


# --- operator calendar files ---------------------------------------------------------------------

# Fictitious test data, not the State Council's arrangement for 2027.
FICTITIOUS_2027 = """\
year: 2027
source: 测试用虚构安排（不是国务院的通知）
holidays: [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
makeup_workdays: [2027-01-09]
"""


@pytest.mark.rule("P-UNKNOWN")
@pytest.mark.rule("P-WORKDAY")
def test_an_operator_file_makes_a_later_year_official(tmp_path):
    (tmp_path / "2027.yaml").write_text(FICTITIOUS_2027, encoding="utf-8")
    (tmp_path / "README.md").write_text("not read", encoding="utf-8")
    cal = OfficialCalendar(tmp_path)
    assert cal.operator_years == (2027,) and cal.has_official_data(2027)
    assert add_days(date(2026, 12, 31), 1, cal) == DueDate(date(2027, 1, 5), True, ())  # Jan 1–4 off
    # Jan 5, 6, 7, 8, then Saturday Jan 9 (调休上班日 in the file) is the 5th working day.
    assert add_working_days(date(2026, 12, 31), 5, cal) == DueDate(date(2027, 1, 9), True, ())
    assert cal.day(date(2027, 1, 10)) == DayInfo(is_workday=False, official=True)  # unlisted Sunday
    assert add_working_days(date(2026, 12, 31), 5, LIBRARY_ONLY).due == date(2027, 1, 8)  # without the file


@pytest.mark.rule("P-HOLIDAY")
def test_an_operator_file_overrides_the_library_for_its_year(tmp_path):
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nsource: 测试用虚构安排\nholidays: ['2026-03-03']\n", encoding="utf-8"
    )
    assert add_days(date(2026, 3, 2), 1, OfficialCalendar(tmp_path)).due == date(2026, 3, 4)


@pytest.mark.rule("P-WORKDAY")
def test_the_readme_example_matches_the_official_2026_calendar(tmp_path):
    readme = (CALENDAR_DIR / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "2026.yaml").write_text(example, encoding="utf-8")
    from_file = OfficialCalendar(tmp_path)
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert from_file.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


BAD_FILES = [
    ("2027.yaml", FICTITIOUS_2027.replace("makeup_workdays", "makeup_workday"), ["makeup_workday", "不认识的键"]),
    ("2027.yaml", "year: 2027\nholidays: [2027-01-01]\n", ["source", "缺少"]),
    ("2027.yaml", "year: 2027\nsource: x\nholidays: [2026-12-31]\n", ["holidays", "2026-12-31 不在 2027 年内"]),
    ("2027.yaml", "year: 2027\nsource: x\nholidays: [2027-02-30]\n", ["holidays", "2027-02-30", "不是有效日期"]),
    ("2027.yaml", "year: 2027\nsource: x\nholidays: [2027/01/01]\n", ["holidays", "YYYY-MM-DD"]),
    (
        "2027.yaml",
        "year: 2027\nsource: x\nholidays: [2027-01-01]\nmakeup_workdays: [2027-01-05]\n",
        ["makeup_workdays", "周六或周日"],
    ),
    (
        "2027.yaml",
        "year: 2027\nsource: x\nholidays: [2027-01-02]\nmakeup_workdays: [2027-01-02]\n",
        ["makeup_workdays", "同时出现"],
    ),
    ("2027.yaml", "year: 2028\nsource: x\nholidays: [2028-01-01]\n", ["year", "文件名"]),
    ("2027.yaml", "year: 二〇二七\nsource: x\nholidays: [2027-01-01]\n", ["year", "四位数年份"]),
    ("2027.yaml", "year: 2027\nsource: x\nholidays: []\n", ["holidays", "不能为空"]),
    ("2027.yaml", "year: 2027\nsource: ''\nholidays: [2027-01-01]\n", ["source", "通知名称"]),
    ("2027.yaml", "- 2027-01-01\n", ["键值对"]),
    ("2027.yaml", "year: 2027\nsource: [unclosed\n", ["YAML", "行"]),
    ("calendar-2027.yaml", FICTITIOUS_2027, ["文件名"]),
]


@pytest.mark.rule("P-UNKNOWN")
@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES, ids=[b[2][0] + "/" + b[2][-1] for b in BAD_FILES])
def test_a_malformed_operator_file_is_rejected_naming_file_and_key(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as rejected:
        OfficialCalendar(tmp_path)
    message = str(rejected.value)
    assert name in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.rule("P-UNKNOWN")
def test_two_files_for_one_year_and_a_missing_directory_are_rejected(tmp_path):
    (tmp_path / "2027.yaml").write_text(FICTITIOUS_2027, encoding="utf-8")
    (tmp_path / "2027.yml").write_text(FICTITIOUS_2027, encoding="utf-8")
    with pytest.raises(InputFileError, match="两个文件"):
        OfficialCalendar(tmp_path)
    with pytest.raises(InputFileError, match="不存在"):
        OfficialCalendar(tmp_path / "missing")


@pytest.mark.rule("P-UNKNOWN")
def test_default_calendar_reads_the_directory_named_by_the_environment(tmp_path, monkeypatch):
    (tmp_path / "2027.yaml").write_text(FICTITIOUS_2027, encoding="utf-8")
    monkeypatch.setenv("PINGGU_CALENDAR_DIR", str(tmp_path))
    default_calendar.cache_clear()
    try:
        assert default_calendar() is default_calendar()  # built once
        result = add_days(date(2026, 12, 31), 1)
        assert result.to_dict() == {"due": "2027-01-05", "calendar_complete": True, "warnings": []}
    finally:
        default_calendar.cache_clear()
    monkeypatch.delenv("PINGGU_CALENDAR_DIR")
    assert default_calendar().operator_dir == CALENDAR_DIR


# --- the fallback's holiday dates, checked against the years with official data ----------------------


@pytest.mark.rule("P-UNKNOWN")
def test_the_lunar_table_agrees_with_the_official_calendars_2004_to_2026():
    for year in range(2004, 2027):
        new_year, duanwu, zhongqiu = calendar_module._lunar_festivals(year)
        qingming = date(year, 4, int(calendar_module._QINGMING_APRIL_DAY[year - 2000]))
        festival_days = [new_year, new_year + timedelta(1), new_year + timedelta(2)]
        if year >= 2008:  # 清明, 端午 and 中秋 became public holidays in 2008
            festival_days += [qingming, duanwu, zhongqiu]
        for day in festival_days:
            assert chinese_calendar.is_holiday(day), (year, day)


@pytest.mark.rule("P-UNKNOWN")
def test_qingming_agrees_with_the_solar_term_formula_to_2099():
    for year in range(2000, 2100):
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
        (term,) = [d for d, name in terms if name == "清明"]
        assert term.day == int(calendar_module._QINGMING_APRIL_DAY[year - 2000]), year


@pytest.mark.rule("P-UNKNOWN")
def test_the_2027_fallback_holidays():
    year_2027 = _days(date(2026, 12, 31), date(2027, 12, 31))
    off = {d for d in year_2027 if d.weekday() < 5 and not LIBRARY_ONLY.is_workday(d)}
    # 元旦 Fri; 春节 Fri Feb 5 (除夕)–Mon Feb 8 with 补假 Tue–Wed for Sat–Sun; 清明 Mon Apr 5;
    # 劳动节 Sat–Sun May 1–2 → 补假 Mon–Tue; 端午 Wed Jun 9; 中秋 Wed Sep 15;
    # 国庆 Fri Oct 1 – Sun Oct 3 → 补假 Mon–Tue.
    expected = ["01-01", "02-05", "02-08", "02-09", "02-10", "04-05", "05-03", "05-04", "06-09", "09-15"]
    expected += ["10-01", "10-04", "10-05"]
    assert sorted(off) == [date.fromisoformat(f"2027-{md}") for md in expected]


# --- Period, DueDate, purity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "text"),
    [(Period(15, D), "15日"), (Period(7, "working_days"), "7个工作日"), (Period(1, M), "1个月"), (Period(2, Y), "2年")],
)
def test_period_reads_in_chinese(period, text):
    assert str(period) == text


@pytest.mark.parametrize(("amount", "unit"), [(0, D), (-3, D), (1.5, M), (True, D), (3, "weeks")])
def test_bad_periods_are_refused(amount, unit):
    with pytest.raises(ValueError):
        Period(amount, unit)


def test_due_date_to_dict_and_helpers():
    assert add_days(date(2026, 9, 20), 15, LIBRARY_ONLY).to_dict() == {
        "due": "2026-10-08",
        "calendar_complete": True,
        "warnings": [],
    }
    assert add_years(date(2024, 2, 29), 1, LIBRARY_ONLY).due == date(2025, 2, 28)


def test_the_calendar_modules_stay_free_of_prefect_and_the_database():
    code = (
        "import sys, pinggu.rules.calendar, pinggu.rules.periods; "
        "banned = ('prefect', 'sqlmodel', 'sqlalchemy', 'models', 'tasks', 'flows'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in banned]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.rule("P-MONTH", "P-HOLIDAY")
def test_month_and_year_periods_use_the_calendar_they_are_given(tmp_path):
    # 《民法典》第二百零二条 then 第二百零三条: the corresponding day 2027-01-04 is a (fictitious) holiday
    # in the operator file, so the period ends on the next working day — on that calendar, not another.
    (tmp_path / "2027.yaml").write_text(FICTITIOUS_2027, encoding="utf-8")
    cal = OfficialCalendar(tmp_path)
    assert add_months(date(2026, 12, 4), 1, cal) == DueDate(date(2027, 1, 5), True, ())
    assert add_years(date(2026, 1, 4), 1, cal) == DueDate(date(2027, 1, 5), True, ())
    # Without the file 2027 is not official yet: Monday 2027-01-04 is a working day, provisionally.
    assert add_months(date(2026, 12, 4), 1, LIBRARY_ONLY).due == date(2027, 1, 4)
    assert add_years(date(2026, 1, 4), 1, LIBRARY_ONLY).calendar_complete is False


@pytest.mark.rule("P-UNKNOWN")
def test_the_provisional_warning_reads_in_full(tmp_path):
    assert LIBRARY_ONLY.provisional_warning(2026) is None
    assert LIBRARY_ONLY.provisional_warning(2027) == (
        "2027年尚无国务院公布的节假日安排，该年日期按周末及《全国年节及纪念日放假办法》规定的法定节假日"
        "（含周末补假，未计调休）推算，结果为暂定；公布后请在节假日日历目录中添加 2027.yaml 并重新计算。"
    )
    # Beyond 2100 the lunar festivals cannot be computed: the warning says which holidays were counted.
    assert OfficialCalendar(tmp_path).provisional_warning(2101) == (
        "2101年尚无国务院公布的节假日安排，该年日期按周末及元旦、劳动节、国庆节（该年的春节、清明、端午、中秋日期"
        f"无法可靠推算，未计入）推算，结果为暂定；公布后请在“{tmp_path}”中添加 2101.yaml 并重新计算。"
    )
