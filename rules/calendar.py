"""China's official working-day calendar, with operator files for later years and a marked fallback.

Where a day's status comes from, first match wins:

1. an operator calendar file ``<year>.yaml`` (rules/calendars/README.md), transcribed from the
   State Council's notice for that year — the operator put it there on purpose, so it also
   overrides the library for a year the library covers;
2. the ``chinesecalendar`` package (the State Council notices for 2004–2026 in the pinned version);
3. otherwise a fallback (P-UNKNOWN): weekends plus the statutory holidays of the current
   《全国年节及纪念日放假办法》 (2024 revision, in force since 2025-01-01), art. 2, with the
   weekday make-up days off of its art. 6. It never knows the State Council's 调休 swaps, so every
   day it decides is marked ``official=False`` and callers must say the result is provisional.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pinggu.core.errors import InputFileError, Problem

CALENDAR_DIR = Path(__file__).resolve().parent / "calendars"
CALENDAR_DIR_ENV = "PINGGU_CALENDAR_DIR"

_SAT, _SUN = 5, 6
_FILE_NAME = re.compile(r"^(\d{4})\.ya?ml$")


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is a working day; ``official`` is False when only the fallback decided it."""

    is_workday: bool
    official: bool


# --- operator calendar files ----------------------------------------------------------------


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad one (2027-02-30) is reported with its key."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _as_date(value: Any) -> date:
    # Dates arrive as text (see _YamlLoader) or, from Python callers, as dates; never accept a
    # number (pydantic's lax mode would read 20270101 as a Unix timestamp).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"“{value}”不是 YYYY-MM-DD 格式的日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{value}”不是有效日期") from None


class OperatorCalendarFile(BaseModel):
    """One operator calendar file: the State Council's holiday arrangement for one year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    source: str
    holidays: list[date]
    makeup_workdays: list[date] = []

    @field_validator("year", mode="before")
    @classmethod
    def _year_is_int(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"应为四位数年份，实际为“{value}”")
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _source_given(cls, value: Any) -> Any:
        # The notice is the legal basis of every deadline computed from this file: it must be named.
        if not isinstance(value, str) or not value.strip():
            raise ValueError("应写明依据的通知名称和文号（如“国务院办公厅关于2027年部分节假日安排的通知”）")
        return value.strip()

    @field_validator("holidays", "makeup_workdays", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("应为日期列表，如 [2027-01-01, 2027-01-02]")
        problems, dates = [], []
        for i, item in enumerate(value, start=1):
            try:
                dates.append(_as_date(item))
            except ValueError as exc:
                problems.append(f"第 {i} 项{exc}")
        if problems:
            raise ValueError("；".join(problems))
        return dates

    @model_validator(mode="after")
    def _consistent(self) -> OperatorCalendarFile:
        problems = []
        if not self.holidays:
            problems.append(("holidays", "不能为空：每年的通知都安排了放假日期"))
        for key in ("holidays", "makeup_workdays"):
            seen: set[date] = set()
            for d in getattr(self, key):
                if d.year != self.year:
                    problems.append((key, f"{d.isoformat()} 不在 {self.year} 年内"))
                if d in seen:
                    problems.append((key, f"{d.isoformat()} 重复出现"))
                seen.add(d)
        for d in sorted(set(self.holidays) & set(self.makeup_workdays)):
            problems.append(("makeup_workdays", f"{d.isoformat()} 同时出现在 holidays 中"))
        for d in self.makeup_workdays:
            # A 调休上班日 is always a weekend day moved to work; a weekday is a working day anyway,
            # so one listed here is a typo for some other date.
            if d.weekday() not in (_SAT, _SUN):
                problems.append(("makeup_workdays", f"{d.isoformat()} 不是周六或周日，调休上班日只能是周末"))
        if problems:
            raise ValueError("\n".join(f"{key}|{reason}" for key, reason in problems))
        return self


_PYDANTIC_REASONS = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的键（允许的键：year、source、holidays、makeup_workdays）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "date_type": "应为日期",
    "model_type": "文件内容应为键值对（year、source、holidays、makeup_workdays）",
}


def _problems(exc: ValidationError) -> list[Problem]:
    # Turn pydantic's English errors into Chinese ones that name the key, as operators read them.
    out: list[Problem] = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"])
        if err["type"] == "value_error":
            message = str(err["ctx"]["error"])
            for line in message.splitlines():
                if "|" in line and not key:
                    line_key, reason = line.split("|", 1)
                    out.append(Problem(reason=f"键“{line_key}”：{reason}"))
                else:
                    out.append(Problem(reason=f"键“{key}”：{line}"))
        else:
            reason = _PYDANTIC_REASONS.get(err["type"], f"格式不正确（{err['msg']}）")
            out.append(Problem(reason=f"键“{key}”：{reason}" if key else reason))
    return out


def load_operator_file(path: Path) -> OperatorCalendarFile:
    """Read and validate one operator calendar file; raises InputFileError naming file, key and problem."""
    message = f"节假日日历文件 {path} 有误，未加载；请按 rules/calendars/README.md 的格式修改后重试"
    match = _FILE_NAME.match(path.name)
    if not match:
        raise InputFileError(message, problems=[Problem(reason="文件名应为“年份.yaml”，如 2027.yaml")], file=str(path))
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except UnicodeDecodeError:
        raise InputFileError(message, problems=[Problem(reason="文件应为 UTF-8 编码")], file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = Problem(reason=f"不是有效的 YAML（{getattr(exc, 'problem', None) or exc}）", row=row)
        raise InputFileError(message, problems=[problem], file=str(path)) from None
    try:
        parsed = OperatorCalendarFile.model_validate(raw)
    except ValidationError as exc:
        problems = _problems(exc)
        raise InputFileError(message, problems=problems, file=str(path), key=_first_key(problems)) from None
    if parsed.year != int(match.group(1)):
        problem = Problem(reason=f"键“year”：{parsed.year} 与文件名 {path.name} 的年份不一致")
        raise InputFileError(message, problems=[problem], file=str(path), key="year")
    return parsed


def _first_key(problems: list[Problem]) -> str | None:
    found = re.search(r"键“([^”]+)”", problems[0].reason) if problems else None
    return found.group(1) if found else None


# --- the fallback for years without official data (P-UNKNOWN) --------------------------------

# Lunar years 2000–2100, the common 1900–2100 table format: bits 15..4 = months 1..12 (1 = 30 days,
# 0 = 29), bits 3..0 = the leap month (0 = none), bit 16 = length of the leap month. Checked
# against a new-moon / solar-term computation (Meeus, Beijing time, GB/T 33661-2017 rules): the
# 除夕, 端午 and 中秋 it gives agree for every year 2000–2100. Months 1–12 of 2057, 2060 and 2097
# differ between published copies of this table; the entries below are the astronomically checked
# ones, and in any case none of those differences moves one of the three festivals.
_LUNAR_FIRST_YEAR = 2000
_LUNAR_NEW_YEAR_2000 = date(2000, 2, 5)
_LUNAR_INFO = (
    0x0C960, 0x0D954, 0x0D4A0, 0x0DA50, 0x07552, 0x056A0, 0x0ABB7, 0x025D0, 0x092D0, 0x0CAB5,  # 2000–2009
    0x0A950, 0x0B4A0, 0x0BAA4, 0x0AD50, 0x055D9, 0x04BA0, 0x0A5B0, 0x15176, 0x052B0, 0x0A930,  # 2010–2019
    0x07954, 0x06AA0, 0x0AD50, 0x05B52, 0x04B60, 0x0A6E6, 0x0A4E0, 0x0D260, 0x0EA65, 0x0D530,  # 2020–2029
    0x05AA0, 0x076A3, 0x096D0, 0x04AFB, 0x04AD0, 0x0A4D0, 0x1D0B6, 0x0D250, 0x0D520, 0x0DD45,  # 2030–2039
    0x0B5A0, 0x056D0, 0x055B2, 0x049B0, 0x0A577, 0x0A4B0, 0x0AA50, 0x1B255, 0x06D20, 0x0ADA0,  # 2040–2049
    0x14B63, 0x09370, 0x049F8, 0x04970, 0x064B0, 0x168A6, 0x0EA50, 0x06AA0, 0x1A6C4, 0x0AAE0,  # 2050–2059
    0x092E0, 0x0D2E3, 0x0C960, 0x0D557, 0x0D4A0, 0x0DA50, 0x05D55, 0x056A0, 0x0A6D0, 0x055D4,  # 2060–2069
    0x052D0, 0x0A9B8, 0x0A950, 0x0B4A0, 0x0B6A6, 0x0AD50, 0x055A0, 0x0ABA4, 0x0A5B0, 0x052B0,  # 2070–2079
    0x0B273, 0x06930, 0x07337, 0x06AA0, 0x0AD50, 0x14B55, 0x04B60, 0x0A570, 0x054E4, 0x0D160,  # 2080–2089
    0x0E968, 0x0D520, 0x0DAA0, 0x16AA6, 0x056D0, 0x04AE0, 0x0A9D4, 0x0A4D0, 0x0D150, 0x0F252,  # 2090–2099
    0x0D520,  # 2100
)  # fmt: skip
_LUNAR_LAST_YEAR = _LUNAR_FIRST_YEAR + len(_LUNAR_INFO) - 1

# Day of April of 清明 (Beijing time), 2000–2100, from the same astronomical check. It agrees with
# chinese_calendar.get_solar_terms for 2000–2099; that formula gives April 4 for 2100, where the
# sun reaches 15° at about 00:40 on April 5.
_QINGMING_APRIL_DAY = (
    "45554555445544554455445544554455445544554445444544454445444544454445444544444444444444444444444444445"
)


def _lunar_festivals(year: int) -> tuple[date, date, date] | None:
    """正月初一, 五月初五 and 八月十五 of the lunar year starting in ``year``; None outside 2000–2100."""
    return _LUNAR_FESTIVALS.get(year)


def _build_lunar_festivals() -> dict[int, tuple[date, date, date]]:
    out: dict[int, tuple[date, date, date]] = {}
    new_year = _LUNAR_NEW_YEAR_2000
    for offset, info in enumerate(_LUNAR_INFO):
        leap_month, leap_days = info & 0xF, (30 if info & 0x10000 else 29)
        day, festivals = new_year, {}
        for month in range(1, 13):
            festivals[month] = day
            day += timedelta(days=30 if info & (0x10000 >> month) else 29)
            if month == leap_month:
                day += timedelta(days=leap_days)
        out[_LUNAR_FIRST_YEAR + offset] = (new_year, festivals[5] + timedelta(4), festivals[8] + timedelta(14))
        new_year = day
    return out


_LUNAR_FESTIVALS = _build_lunar_festivals()


@dataclass(frozen=True)
class _Fallback:
    days_off: frozenset[date]
    lunar_known: bool


@lru_cache(maxsize=256)
def _fallback_year(year: int) -> _Fallback:
    # 《全国年节及纪念日放假办法》第二条: the holidays for all citizens.
    fixed = [date(year, 1, 1), date(year, 5, 1), date(year, 5, 2)]
    fixed += [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]
    lunar = _lunar_festivals(year)
    if lunar is not None:
        new_year, duanwu, zhongqiu = lunar
        # 春节 4 days: 农历除夕 and 正月初一 to 初三; 端午, 中秋 1 day each.
        fixed += [new_year + timedelta(days=k) for k in (-1, 0, 1, 2)] + [duanwu, zhongqiu]
        fixed.append(date(year, 4, int(_QINGMING_APRIL_DAY[year - _LUNAR_FIRST_YEAR])))
    days_off = set(fixed)
    # 第六条: a holiday falling on a Saturday or Sunday is made up on a working day — here the next
    # weekday not already off. The State Council may arrange it differently; hence provisional.
    for d in sorted(set(fixed)):  # 中秋 can fall on 国庆: one day off, one make-up at most
        if d.weekday() in (_SAT, _SUN):
            make_up = d + timedelta(days=1)
            while make_up.weekday() in (_SAT, _SUN) or make_up in days_off:
                make_up += timedelta(days=1)
            days_off.add(make_up)
    return _Fallback(frozenset(days_off), lunar is not None)


# --- the calendar ---------------------------------------------------------------------------


class OfficialCalendar:
    """Working days on China's official calendar: operator files, then chinesecalendar, then the fallback."""

    def __init__(self, operator_dir: Path | None = None) -> None:
        self.operator_dir = Path(operator_dir) if operator_dir is not None else None
        self._operator: dict[int, tuple[frozenset[date], frozenset[date], str]] = {}
        self._library_years: dict[int, bool] = {}
        if self.operator_dir is None:
            return
        if not self.operator_dir.is_dir():
            raise InputFileError(
                f"节假日日历目录 {self.operator_dir} 不存在；请创建该目录或改正 {CALENDAR_DIR_ENV}",
                file=str(self.operator_dir),
            )
        for path in sorted(self.operator_dir.iterdir()):
            if path.suffix.lower() not in (".yaml", ".yml"):
                continue  # README.md and the like
            parsed = load_operator_file(path)
            if parsed.year in self._operator:
                raise InputFileError(
                    f"节假日日历目录 {self.operator_dir} 中 {parsed.year} 年有两个文件；请只保留一个",
                    file=str(path),
                    key="year",
                )
            self._operator[parsed.year] = (
                frozenset(parsed.holidays),
                frozenset(parsed.makeup_workdays),
                parsed.source,
            )

    @property
    def operator_years(self) -> tuple[int, ...]:
        """Years for which an operator calendar file was loaded."""
        return tuple(sorted(self._operator))

    def _library_has(self, year: int) -> bool:
        if year not in self._library_years:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                self._library_years[year] = True
            except NotImplementedError:  # what chinesecalendar raises outside its data range
                self._library_years[year] = False
        return self._library_years[year]

    def has_official_data(self, year: int) -> bool:
        """True when an operator file or the chinesecalendar package holds the year's official arrangement."""
        return year in self._operator or self._library_has(year)

    def day(self, d: date) -> DayInfo:
        """The status of one day and whether official data decided it."""
        operator = self._operator.get(d.year)
        if operator is not None:
            holidays, makeup, _ = operator
            # 调休上班日 are working days; holidays (incl. weekend days of a block) and other weekends are not.
            return DayInfo(is_workday=d in makeup or (d.weekday() < _SAT and d not in holidays), official=True)
        if self._library_has(d.year):
            return DayInfo(is_workday=chinese_calendar.is_workday(d), official=True)
        fallback = _fallback_year(d.year)
        return DayInfo(is_workday=d.weekday() < _SAT and d not in fallback.days_off, official=False)

    def is_workday(self, d: date) -> bool:
        """True when ``d`` is a working day (make-up working days included)."""
        return self.day(d).is_workday

    def provisional_warning(self, year: int) -> str | None:
        """The Chinese warning to show when a result depends on ``year`` without official data; None if official."""
        if self.has_official_data(year):
            return None
        where = f"“{self.operator_dir}”" if self.operator_dir is not None else "节假日日历目录"
        if _fallback_year(year).lunar_known:
            basis = "周末及《全国年节及纪念日放假办法》规定的法定节假日（含周末补假，未计调休）"
        else:
            basis = "周末及元旦、劳动节、国庆节（该年的春节、清明、端午、中秋日期无法可靠推算，未计入）"
        return (
            f"{year}年尚无国务院公布的节假日安排，该年日期按{basis}推算，结果为暂定；"
            f"公布后请在{where}中添加 {year}.yaml 并重新计算。"
        )


@lru_cache(maxsize=1)
def default_calendar() -> OfficialCalendar:
    """The product's calendar, built once: files from $PINGGU_CALENDAR_DIR, else rules/calendars/."""
    configured = os.environ.get(CALENDAR_DIR_ENV, "").strip()
    if configured:
        return OfficialCalendar(Path(configured))
    return OfficialCalendar(CALENDAR_DIR if CALENDAR_DIR.is_dir() else None)
