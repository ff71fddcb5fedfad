"""Triggers, exemptions and the annual plan (SPEC §5).

One row per edge case. Row ids name the article: bz = 霸州市规定 (000_…), od = 鄂尔多斯市办法 (001_…),
nx = 宁夏商务厅办法 (002_…), cl = 昌黎县规定 (003_…), mh = 闵行区实施细则 (004_…), cc = 《民法典》.
Policies are built here (``policy()``), not read from the profile files.
"""

from __future__ import annotations

import json
import time
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from builders import SAMPLES

from pinggu.analysis.catalog import read_catalog
from pinggu.rules.annual_plan import AnnualPlan, ItemChange, PlanItem, annual_plan, check_item_changes, time_triggers
from pinggu.rules.periods import Period, add_period
from pinggu.rules.planning_types import (
    EVENT_KINDS,
    EXEMPTION_KINDS,
    TIME_TRIGGERS,
    CompletedEvaluation,
    DecisionFacts,
    EventTrigger,
    PlanPolicy,
    UnitRule,
)

ONE_YEAR = pytest.mark.rule("T-ONE-YEAR")
HALF = pytest.mark.rule("T-HALF")
ENDED = pytest.mark.rule("T-ENDED")
EVENT = pytest.mark.rule("T-EVENT")
PROMPT = pytest.mark.rule("T-PROMPT")
X12M = pytest.mark.rule("X-12M")
SUPERIOR = pytest.mark.rule("X-SUPERIOR")
DONE = pytest.mark.rule("X-DONE")
PLAN = pytest.mark.rule("MH-4")
APPROVAL = pytest.mark.rule("MH-6-4")
MONTH = pytest.mark.rule("P-MONTH")
HOLIDAY = pytest.mark.rule("P-HOLIDAY")

D = date.fromisoformat
CODE = "D-1"
REFORM = "重大改革事项"
PLANNING = "重要规划"


# --- builders ---------------------------------------------------------------------------------


def facts(**overrides) -> DecisionFacts:
    """A decision with no trigger of its own: a short, ordinary, narrow-impact policy."""
    values = {
        "code": CODE,
        "title": "关于老旧小区改造的实施方案",
        "profile": "test",
        "category": "重大公共政策",
        "lead_unit": "区住房和城乡建设管理委员会",
        "decision_body": "区人民政府",
        "broad_impact": False,
        "starts_on": D("2024-03-01"),
        "ends_on": None,
        "progress_percent": None,
        "uses_fiscal_funds": False,
        "superior_evaluates": False,
        "public_attention": None,
        "last_evaluation_type": None,
        "last_evaluation_on": None,
    }
    for key, value in overrides.items():
        values[key] = D(value) if key.endswith("_on") and isinstance(value, str) else value
    return DecisionFacts(**values)


# Citations a test policy gives its exemptions, as pinggu.rules.profiles.Profile.plan_policy() would.
BASIS = {
    "within_12_months": "《测试规定》第十六条第一款",
    "superior_evaluates": "《测试规定》第十六条第二款",
    "already_evaluated": "《测试规定》第三条第二款",
}
MINHANG_APPROVAL = (
    "《闵行区人民政府重大行政决策后评估程序实施细则》第六条（四）：决策承办单位的申请经区政府同意后方开展评估"
)


def policy(profile: str = "test", **overrides) -> PlanPolicy:
    """A policy recognising every trigger and exemption, no approvals, the lead unit evaluates within 90 days."""
    values = {
        "profile": profile,
        "time_triggers": frozenset(TIME_TRIGGERS),
        "event_kinds": frozenset(EVENT_KINDS),
        "events_need_approval": frozenset(),
        "planned_type": None,
        "unit_rules": (UnitRule("{lead_unit}"),),
        "due": Period(90, "days"),
        "exemptions": frozenset(EXEMPTION_KINDS),
        "exemption_basis": dict(BASIS),
        "approval_basis": "",
    }
    values.update(overrides)
    return PlanPolicy(**values)


def minhang_like() -> PlanPolicy:
    """minhang 4: office for district-wide high-attention decisions, finance bureau for fiscal funds,
    else the lead unit by another division; minhang 6(4): applications need the district's consent;
    minhang 3 ¶2: the only exemption is X-DONE."""
    return policy(
        "minhang",
        event_kinds=frozenset(EVENT_KINDS) - {"superior_request", "other_division_request", "special_provision"},
        events_need_approval=frozenset({"unit_application"}),
        approval_basis=MINHANG_APPROVAL,
        exemptions=frozenset({"already_evaluated"}),
        exemption_basis={"already_evaluated": "《闵行区人民政府重大行政决策后评估程序实施细则》第三条第二款"},
        unit_rules=(
            UnitRule("区政府办公室", {"broad_impact": True, "public_attention": "高"}),
            UnitRule("区财政局", {"uses_fiscal_funds": True}),
            UnitRule("{lead_unit}（承办业务科室以外的其他科室）"),
        ),
        due=Period(3, "months"),
    )


def event(kind: str, on: str, *, approved: str | None = None, code: str = CODE) -> EventTrigger:
    return EventTrigger(code, kind, D(on), approved_on=D(approved) if approved else None)


def done(kind: str, on: str, code: str = CODE) -> CompletedEvaluation:
    return CompletedEvaluation(code, kind, D(on))


def outcome(plan: AnnualPlan, code: str = CODE) -> tuple:
    """What the plan says about one decision, compactly: planned / exempt / pending / nothing."""
    found: list[tuple] = [
        ("plan", item.type, item.reason, item.trigger_date.isoformat(), item.also)
        for item in plan.items
        if item.decision == code
    ]
    found += [("exempt", entry.reason) for entry in plan.exempt if entry.decision == code]
    found += [("pending", entry.reason) for entry in plan.pending if entry.decision == code]
    return tuple(found)


def case(expected, *, id, marks, year=2026, as_of="2026-11-22", events=(), completed=(), pol=None, **decision):
    return pytest.param(
        facts(**decision),
        year,
        D(as_of),
        tuple(events),
        tuple(completed),
        pol or policy(),
        expected,
        id=id,
        marks=marks,
    )


def planned(kind, reason, on, also=()):
    return (("plan", kind, reason, on, tuple(also)),)


NOTHING = ()
LONG = {"starts_on": "2021-01-01", "ends_on": "2025-12-31", "category": PLANNING}  # exactly five years
# 2021-01-01 + (1825 days to 2025-12-31) // 2 = 912 days: day 913 of 1826, the last day of the first half.
MIDPOINT = "2023-07-02"

CASES = [
    # --- T-ONE-YEAR: bazhou 15 ¶3, ordos 12(2), changli 62 ¶3 ---------------------------------------------
    case(
        planned("ordinary", "one_year", "2026-03-10"),
        id="bz15 major reform, 12 months after the start",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
    ),
    case(
        planned("ordinary", "one_year", "2026-01-31"),
        id="bz15 broad impact, Jan 31 + 12 months = Jan 31 (a Saturday, not moved)",
        marks=[ONE_YEAR, MONTH],
        broad_impact=True,
        starts_on="2025-01-31",
    ),
    case(
        planned("ordinary", "one_year", "2025-02-28"),
        id="cc202 2024-02-29 + 12 months → 2025-02-28",
        marks=[ONE_YEAR, MONTH],
        year=2025,
        as_of="2025-11-22",
        broad_impact=True,
        starts_on="2024-02-29",
    ),
    # National Day: the duty arises on 10-01 all the same; only the due window gets cc203.
    case(
        planned("ordinary", "one_year", "2026-10-01"),
        id="cc203 does not move a trigger date off a holiday",
        marks=[ONE_YEAR, HOLIDAY],
        category=REFORM,
        starts_on="2025-10-01",
    ),
    case(
        NOTHING,
        id="bz15 neither reform nor broad impact: no execution evaluation",
        marks=[ONE_YEAR],
        starts_on="2020-01-01",
    ),
    case(
        planned("ordinary", "one_year", "2026-12-31"),
        id="MH-4 trigger on 31 Dec counts in the year",
        marks=[ONE_YEAR, PLAN],
        category=REFORM,
        starts_on="2025-12-31",
    ),
    case(
        NOTHING,
        id="MH-4 trigger on 1 Jan of the next year does not",
        marks=[ONE_YEAR, PLAN],
        category=REFORM,
        starts_on="2026-01-01",
    ),
    case(
        planned("ordinary", "one_year", "2026-03-01"),
        id="bz15 ran exactly 12 months (ends the day before the anniversary)",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-01",
        ends_on="2026-02-28",
    ),
    case(
        NOTHING,
        id="bz15 ended before running 12 months: never 满一年",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-01",
        ends_on="2026-02-27",
    ),
    # cc201–202 from 29 February: the year counted from its first day ends on 28 February (the day before the
    # start is 28 February), so a decision ending on 28 February ran the whole year and one ending on 27 February
    # did not; the trigger stays on the anniversary, 28 February (the case above).
    case(
        planned("ordinary", "one_year", "2025-02-28"),
        id="cc202 from 2024-02-29 to 2025-02-28: ran the whole year",
        marks=[ONE_YEAR, MONTH],
        year=2025,
        as_of="2025-11-22",
        category=REFORM,
        starts_on="2024-02-29",
        ends_on="2025-02-28",
    ),
    case(
        NOTHING,
        id="cc202 from 2024-02-29 to 2025-02-27: one day short of the year",
        marks=[ONE_YEAR, MONTH],
        year=2025,
        as_of="2025-11-22",
        category=REFORM,
        starts_on="2024-02-29",
        ends_on="2025-02-27",
    ),
    case(
        NOTHING,
        id="bz15 satisfied by an evaluation of any type completed on the trigger date",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("simplified", "2026-03-10")],
    ),
    case(
        NOTHING,
        id="bz15 satisfied by the catalog's last evaluation after the trigger",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        last_evaluation_type="ordinary",
        last_evaluation_on="2026-06-01",
    ),
    case(
        planned("ordinary", "one_year", "2021-03-10"),
        id="bz15 an old unsatisfied trigger stays in the plan",
        marks=[ONE_YEAR, PLAN],
        category=REFORM,
        starts_on="2020-03-10",
    ),
    case(
        NOTHING,
        id="profile without one_year: not a trigger",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        pol=policy(time_triggers=frozenset({"half_term", "ended"})),
    ),
    # --- T-HALF: bazhou 15 ¶4, ordos 12(3), changli 62 ¶4 --------------------------------------------------
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz15 exactly five years (2021-01-01..2025-12-31): midterm at the midpoint",
        marks=[HALF],
        year=2023,
        as_of="2023-03-01",
        **LONG,
    ),
    case(
        NOTHING,
        id="bz15 five years less a day (ends 2025-12-30): not long-term",
        marks=[HALF, ENDED],
        year=2023,
        as_of="2023-03-01",
        **{**LONG, "ends_on": "2025-12-30"},
    ),
    case(NOTHING, id="bz15 midpoint in the next year: not yet", marks=[HALF], year=2022, as_of="2022-11-22", **LONG),
    case(
        planned("midterm", "half_term", "2022-11-22"),
        id="bz15 progress 50 % before the midpoint: as of today",
        marks=[HALF],
        year=2022,
        as_of="2022-11-22",
        progress_percent=50,
        **LONG,
    ),
    case(
        NOTHING,
        id="bz15 progress 49 %: the midpoint, next year",
        marks=[HALF],
        year=2022,
        as_of="2022-11-22",
        progress_percent=49,
        **LONG,
    ),
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz15 progress 49 %: the midpoint in its year",
        marks=[HALF],
        year=2023,
        as_of="2022-11-22",
        progress_percent=49,
        **LONG,
    ),
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz15 progress 60 % after the midpoint: the earlier midpoint",
        marks=[HALF],
        year=2024,
        as_of="2024-03-01",
        progress_percent=60,
        **LONG,
    ),
    case(
        NOTHING,
        id="bz15 a midterm after the midpoint satisfies half_term",
        marks=[HALF],
        year=2024,
        as_of="2024-03-01",
        completed=[done("midterm", "2023-09-01")],
        **LONG,
    ),
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz15 an ordinary evaluation after the midpoint does not",
        marks=[HALF],
        year=2024,
        as_of="2024-03-01",
        completed=[done("ordinary", "2023-09-01")],
        **LONG,
    ),
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz15 a midterm before the midpoint does not (progress unknown)",
        marks=[HALF],
        year=2024,
        as_of="2024-03-01",
        completed=[done("midterm", "2023-06-30")],
        **LONG,
    ),
    # Progress crossed 50 % on an unrecorded day: the midterm done then must not be re-planned.
    case(
        NOTHING,
        id="bz15 progress ≥ 50 %: a midterm done before today satisfies it",
        marks=[HALF],
        year=2023,
        as_of="2023-03-01",
        progress_percent=60,
        completed=[done("midterm", "2022-12-15")],
        **LONG,
    ),
    case(
        NOTHING,
        id="bz15 open-ended decision: no period to halve",
        marks=[HALF],
        starts_on="2015-01-01",
        ends_on=None,
        progress_percent=80,
        category=PLANNING,
    ),
    # --- T-ENDED: bazhou 15 ¶5, ordos 12(4), changli 62 ¶5 -------------------------------------------------
    case(
        planned("final", "ended", "2026-01-01", ["half_term"]),
        id="bz15 ended: final from the day after the end, over the midterm",
        marks=[ENDED, HALF],
        as_of="2026-03-01",
        **LONG,
    ),
    # cc201–202: five years from 2024-02-29 end on 2029-02-28 (pinggu.rules.periods.last_day_of_term); the midpoint is
    # 2024-02-29 + 1826 // 2 days. One day shorter is not a five-year decision: no midterm, no final.
    case(
        planned("final", "ended", "2029-03-01", ["half_term"]),
        id="cc202 2024-02-29 to 2029-02-28 is five years: final from 1 March, over the midterm",
        marks=[ENDED, HALF, MONTH],
        year=2029,
        as_of="2029-03-05",
        category=PLANNING,
        starts_on="2024-02-29",
        ends_on="2029-02-28",
    ),
    case(
        planned("midterm", "half_term", "2026-08-30"),
        id="cc202 2024-02-29 to 2029-02-28: the midterm at the midpoint",
        marks=[HALF, MONTH],
        year=2026,
        as_of="2026-11-22",
        category=PLANNING,
        starts_on="2024-02-29",
        ends_on="2029-02-28",
    ),
    case(
        NOTHING,
        id="cc202 2024-02-29 to 2029-02-27 is not five years: neither midterm nor final",
        marks=[ENDED, HALF, MONTH],
        year=2029,
        as_of="2029-03-05",
        category=PLANNING,
        starts_on="2024-02-29",
        ends_on="2029-02-27",
    ),
    # Item 5 of the plan rules: a decision whose execution ends during Y is in Y's plan for its final
    # evaluation, which may not start before the day after its last day ("执行结束后"), even when the
    # plan is made before the end and even when it ends on 31 December.
    case(
        planned("final", "ended", "2026-01-01", ["half_term"]),
        id="bz15 ends on 31 Dec of the plan year: final planned, from 1 Jan",
        marks=[ENDED],
        year=2025,
        as_of="2025-12-31",
        **LONG,
    ),
    case(
        planned("final", "ended", "2025-07-01", ["half_term"]),
        id="bz15 ends mid-year, plan made in January: final planned from the day after the end",
        marks=[ENDED],
        year=2025,
        as_of="2025-01-05",
        **{**LONG, "starts_on": "2020-07-01", "ends_on": "2025-06-30"},
    ),
    case(
        planned("midterm", "half_term", "2023-07-03"),  # 1826 days between start and end, halved
        id="bz15 ends on 1 Jan of the next year: not in this year's plan",
        marks=[ENDED],
        year=2025,
        as_of="2025-12-31",
        **{**LONG, "ends_on": "2026-01-01"},
    ),
    case(
        planned("final", "ended", "2026-01-01"),
        id="bz15 a midterm satisfies half_term, not ended",
        marks=[ENDED, HALF],
        completed=[done("midterm", "2024-01-01")],
        **LONG,
    ),
    case(
        NOTHING,
        id="bz15 a final after the end satisfies both",
        marks=[ENDED, HALF],
        completed=[done("final", "2026-02-01")],
        **LONG,
    ),
    case(
        planned("final", "ended", "2026-01-01", ["half_term"]),
        id="bz15 a final before the end does not satisfy ended",
        marks=[ENDED],
        completed=[done("final", "2022-01-01")],
        **LONG,
    ),
    case(
        planned("final", "ended", "2026-01-01", ["half_term", "one_year", "many_opinions"]),
        id="bz15 priority final > midterm > ordinary (events count as ordinary)",
        marks=[ENDED, HALF, ONE_YEAR, EVENT],
        events=[event("many_opinions", "2026-02-01")],
        **{**LONG, "category": REFORM},
    ),
    case(
        planned("midterm", "half_term", MIDPOINT, ["basis_changed"]),
        id="bz15 a midterm is preferred to an earlier event",
        marks=[HALF, EVENT],
        year=2023,
        as_of="2023-09-01",
        events=[event("basis_changed", "2023-02-01")],
        **LONG,
    ),
    # --- T-EVENT: bazhou 7, ordos 11, ningxia 4, changli 57, minhang 6 ------------------------------------
    case(
        planned("ordinary", "many_opinions", "2026-05-01"),
        id="bz7(3) many opinions: ordinary on the day it occurred",
        marks=[EVENT],
        events=[event("many_opinions", "2026-05-01")],
    ),
    case(
        planned("ordinary", "basis_changed", "2026-02-01", ["effect_not_met"]),
        id="bz7 two events: the earliest, the other kept",
        marks=[EVENT],
        events=[event("effect_not_met", "2026-04-01"), event("basis_changed", "2026-02-01")],
    ),
    case(
        planned("ordinary", "many_opinions", "2026-03-01"),
        id="bz7 the same kind twice is listed once",
        marks=[EVENT],
        events=[event("many_opinions", "2026-05-01"), event("many_opinions", "2026-03-01")],
    ),
    case(
        NOTHING,
        id="nx4 superior_request not recognised by a profile without it",
        marks=[EVENT],
        events=[event("superior_request", "2026-05-01")],
        pol=policy(event_kinds=frozenset({"basis_changed", "many_opinions"})),
    ),
    case(
        NOTHING,
        id="bz7 an event followed by an evaluation is satisfied",
        marks=[EVENT],
        events=[event("effect_not_met", "2026-02-01")],
        completed=[done("simplified", "2026-06-01")],
    ),
    case(
        NOTHING,
        id="bz7 an event dated next year is not in this year's plan",
        marks=[EVENT, PLAN],
        events=[event("body_deems_necessary", "2027-01-01")],
    ),
    case(
        planned("ordinary", "unit_application", "2026-04-01"),
        id="bz7(4) a unit's application needs no approval in bazhou",
        marks=[EVENT],
        events=[event("unit_application", "2026-04-01")],
    ),
    # --- MH-6-4: minhang 6(4) ---------------------------------------------------------------------------
    case(
        (("pending", "awaiting_approval"),),
        id="mh6(4) application not yet agreed: pending, not planned",
        marks=[APPROVAL, EVENT],
        events=[event("unit_application", "2026-04-01")],
        pol=minhang_like(),
    ),
    case(
        planned("ordinary", "unit_application", "2026-06-15"),
        id="mh6(4) agreed: planned from the day of consent",
        marks=[APPROVAL, EVENT],
        events=[event("unit_application", "2026-04-01", approved="2026-06-15")],
        pol=minhang_like(),
    ),
    case(
        planned("ordinary", "negative_public_opinion", "2026-05-01"),
        id="mh6(3) negative public opinion needs no consent",
        marks=[EVENT],
        events=[event("negative_public_opinion", "2026-05-01")],
        pol=minhang_like(),
    ),
    # --- T-PROMPT: bazhou 15 ¶2, ordos 12(1), changli 62 ¶2 (prompt flag checked below) -------------------
    case(
        planned("ordinary", "controversy_risk", "2026-07-01"),
        id="od12(1) controversy or risk: an ordinary evaluation",
        marks=[PROMPT],
        events=[event("controversy_risk", "2026-07-01")],
    ),
    # --- X-12M: bazhou 16 ¶1, changli 63 ¶1 -------------------------------------------------------------
    case(
        (("exempt", "within_12_months"),),
        id="bz16 evaluated 9 months before the one-year date, nothing new since",
        marks=[X12M, ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-06-01")],
    ),
    case(
        (("exempt", "within_12_months"),),
        id="bz16 exactly 12 months before (cc202) still counts",
        marks=[X12M, MONTH],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-03-10")],
    ),
    case(
        planned("ordinary", "one_year", "2026-03-10"),
        id="bz16 12 months and a day before: repeated",
        marks=[X12M, MONTH],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-03-09")],
    ),
    # An event the profile does not plan on is still a 新情况 recorded since the evaluation.
    case(
        planned("ordinary", "one_year", "2026-03-10"),
        id="bz16 an event recorded since: no exemption",
        marks=[X12M, ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-06-01")],
        events=[event("superior_request", "2025-09-01")],
        pol=policy(event_kinds=frozenset({"many_opinions"})),
    ),
    case(
        planned("ordinary", "basis_changed", "2025-09-01", ["one_year"]),
        id="bz16 a recognised event since: planned, one_year kept",
        marks=[X12M, EVENT],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-06-01")],
        events=[event("basis_changed", "2025-09-01")],
    ),
    case(
        (("exempt", "within_12_months"),),
        id="bz16 an event on the evaluation's own day is covered by it",
        marks=[X12M],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ordinary", "2025-06-01")],
        events=[event("many_opinions", "2025-06-01")],
    ),
    case(
        planned("midterm", "half_term", MIDPOINT),
        id="bz16 exempts execution evaluations only, never a midterm",
        marks=[X12M, HALF],
        year=2023,
        as_of="2023-09-01",
        completed=[done("ordinary", "2023-03-01")],
        **LONG,
    ),
    # 2020-07-01..2026-06-30: 2,190 days // 2 = 1,095 → 2023-07-01; one year on 2021-07-01, evaluated 2021-06-01.
    case(
        planned("midterm", "half_term", "2023-07-01"),
        id="bz16 one_year exempt, midterm still planned (one_year dropped)",
        marks=[X12M, HALF],
        year=2023,
        as_of="2023-09-01",
        completed=[done("ordinary", "2021-06-01")],
        **{**LONG, "starts_on": "2020-07-01", "ends_on": "2026-06-30", "broad_impact": True},
    ),
    # --- X-SUPERIOR: bazhou 16 ¶2, changli 63 ¶2 --------------------------------------------------------
    case(
        (("exempt", "superior_evaluates"),),
        id="bz16 the superior body evaluates: exempt, not planned",
        marks=[SUPERIOR],
        category=REFORM,
        starts_on="2025-03-10",
        superior_evaluates=True,
    ),
    case(
        planned("ordinary", "one_year", "2026-03-10"),
        id="bz16 ¶2 the superior evaluates but asked this body to assist: planned, not exempt",
        marks=[SUPERIOR],
        category=REFORM,
        starts_on="2025-03-10",
        superior_evaluates=True,
        assists_superior=True,
    ),
    case(
        NOTHING,
        id="bz16 the superior body evaluates but nothing is due: not listed",
        marks=[SUPERIOR],
        category=REFORM,
        starts_on="2026-03-10",
        superior_evaluates=True,
    ),
    # --- ningxia: every planned evaluation is a ninety-day one (ningxia 10–12) ----------------------------
    case(
        planned("ningxia_90day", "one_year", "2026-03-10"),
        id="nx10 planned_type: one_year as a ninety-day evaluation",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        pol=policy(planned_type="ningxia_90day"),
    ),
    case(
        planned("ningxia_90day", "ended", "2026-01-01", ["half_term"]),
        id="nx10 planned_type: ended keeps its reason",
        marks=[ENDED],
        pol=policy(planned_type="ningxia_90day"),
        **LONG,
    ),
    case(
        NOTHING,
        id="nx10 a ninety-day evaluation satisfies ended in that profile",
        marks=[ENDED],
        completed=[done("ningxia_90day", "2026-04-01")],
        pol=policy(planned_type="ningxia_90day"),
        **LONG,
    ),
    case(
        planned("final", "ended", "2026-01-01"),
        id="bz15 in other profiles a ninety-day evaluation is not a final",
        marks=[ENDED],
        completed=[done("ningxia_90day", "2026-04-01"), done("midterm", "2024-01-01")],
        **LONG,
    ),
    case(
        NOTHING,
        id="nx10 a ninety-day evaluation counts as any type for one_year",
        marks=[ONE_YEAR],
        category=REFORM,
        starts_on="2025-03-10",
        completed=[done("ningxia_90day", "2026-05-01")],
    ),
]


@pytest.mark.parametrize(("decision", "year", "as_of", "events", "completed", "pol", "expected"), CASES)
def test_plan_table(decision, year, as_of, events, completed, pol, expected):
    plan = annual_plan(year, as_of, [decision], {decision.profile: pol}, events=events, completed=completed)
    assert outcome(plan) == expected


# --- time_triggers -------------------------------------------------------------------------------


@pytest.mark.rule("T-ONE-YEAR", "T-HALF", "T-ENDED")
def test_time_triggers_lists_every_time_trigger_with_its_date():
    decision = facts(**{**LONG, "category": REFORM})
    assert time_triggers(decision, D("2026-03-01")) == [
        ("one_year", D("2022-01-01")),
        ("half_term", D(MIDPOINT)),
        ("ended", D("2026-01-01")),
    ]
    # Future dates are given; ended only once ends_on has passed.
    assert time_triggers(decision, D("2021-06-01")) == [("one_year", D("2022-01-01")), ("half_term", D(MIDPOINT))]


# --- T-PROMPT ------------------------------------------------------------------------------------


@pytest.mark.rule("T-PROMPT")
@pytest.mark.parametrize(
    ("events", "prompt"),
    [
        ([event("controversy_risk", "2026-07-01")], True),
        ([event("many_opinions", "2026-02-01"), event("controversy_risk", "2026-07-01")], True),  # in `also`
        ([event("many_opinions", "2026-02-01")], False),
    ],
    ids=["od12(1) controversy chosen", "od12(1) controversy among the others", "bz7 no controversy"],
)
def test_a_controversy_makes_the_item_prompt(events, prompt):
    (item,) = annual_plan(2026, D("2026-11-22"), [facts()], {"test": policy()}, events=events).items
    assert item.prompt is prompt


# --- X-DONE, exemption details ----------------------------------------------------------------------


@pytest.mark.rule("X-DONE")
def test_already_evaluated_under_other_rules_is_exempt_with_the_reason():
    plan = annual_plan(
        2026,
        D("2026-11-22"),
        [facts(category=REFORM, starts_on=D("2025-03-10")), facts(code="D-2")],
        {"test": policy()},
        already_evaluated={CODE: "2025年度财政政策绩效评价已覆盖", "D-2": "无关"},
    )
    assert plan.items == []
    # D-2 has nothing due, so there is nothing to exempt.
    assert [(entry.decision, entry.reason) for entry in plan.exempt] == [(CODE, "already_evaluated")]
    assert "2025年度财政政策绩效评价已覆盖" in plan.exempt[0].detail
    assert BASIS["already_evaluated"] in plan.exempt[0].detail


@pytest.mark.rule("X-SUPERIOR", "X-12M", "MH-6-4")
def test_exemption_details_cite_the_article_in_chinese():
    decisions = [
        facts(code="S", category=REFORM, starts_on=D("2025-03-10"), superior_evaluates=True),
        facts(
            code="R",
            category=REFORM,
            starts_on=D("2025-03-10"),
            last_evaluation_type="ordinary",
            last_evaluation_on=D("2025-06-01"),
        ),
        facts(code="P", profile="minhang"),
    ]
    plan = annual_plan(
        2026,
        D("2026-11-22"),
        decisions,
        {"test": policy(), "minhang": minhang_like()},
        events=[event("unit_application", "2026-04-01", code="P")],
    )
    details = {entry.decision: entry.detail for entry in plan.exempt + plan.pending}
    assert BASIS["superior_evaluates"] in details["S"] and "2026-03-10" in details["S"]
    assert "2025-06-01" in details["R"] and "一般程序" in details["R"] and BASIS["within_12_months"] in details["R"]
    assert MINHANG_APPROVAL in details["P"] and "2026-04-01" in details["P"]


# --- exemptions only where the profile grants them ------------------------------------------------

# One decision per exemption whose facts meet it, with the plan's inputs: (decision, completed, already_evaluated).
_MEETS = {
    # bazhou 16 ¶2, changli 63 ¶2: 上级组织评估 = 是.
    "superior_evaluates": (facts(category=REFORM, starts_on=D("2025-03-10"), superior_evaluates=True), (), {}),
    # bazhou 16 ¶1, changli 63 ¶1: evaluated 2025-06-01, one year on 2026-03-10, nothing new since.
    "within_12_months": (facts(category=REFORM, starts_on=D("2025-03-10")), (done("ordinary", "2025-06-01"),), {}),
    # minhang 3 ¶2: evaluated under other rules.
    "already_evaluated": (facts(category=REFORM, starts_on=D("2025-03-10")), (), {CODE: "已纳入财政绩效评价"}),
}


@pytest.mark.parametrize(
    "exemption",
    [
        pytest.param("superior_evaluates", marks=SUPERIOR, id="bz16 cl63 X-SUPERIOR"),
        pytest.param("within_12_months", marks=X12M, id="bz16 cl63 X-12M"),
        pytest.param("already_evaluated", marks=DONE, id="mh3 X-DONE"),
    ],
)
def test_an_exemption_applies_only_where_the_profile_grants_it(exemption):
    decision, completed, already = _MEETS[exemption]
    granting = policy(exemptions=frozenset({exemption}))
    plan = annual_plan(
        2026, D("2026-11-22"), [decision], {"test": granting}, completed=completed, already_evaluated=already
    )
    assert outcome(plan) == (("exempt", exemption),)
    assert BASIS[exemption] in plan.exempt[0].detail
    # A profile whose regulation has every exemption but this one: the seed gives none, so the
    # decision is planned like any other (ordos 12(2): one year on 2026-03-10).
    others = policy(exemptions=frozenset(EXEMPTION_KINDS) - {exemption})
    plan = annual_plan(
        2026, D("2026-11-22"), [decision], {"test": others}, completed=completed, already_evaluated=already
    )
    assert outcome(plan) == planned("ordinary", "one_year", "2026-03-10")
    assert plan.exempt == []


@pytest.mark.rule("X-SUPERIOR", "X-DONE")
def test_a_superior_evaluated_decision_in_a_profile_without_x_superior():
    # minhang 3 ¶2 grants X-DONE only: 上级组织评估 = 是 does not exempt an application agreed to
    # (minhang 6(4)), but being already evaluated under other rules does.
    decision = facts(profile="minhang", superior_evaluates=True)
    events = [event("unit_application", "2026-04-01", approved="2026-05-01")]
    plan = annual_plan(2026, D("2026-11-22"), [decision], {"minhang": minhang_like()}, events=events)
    assert outcome(plan) == planned("ordinary", "unit_application", "2026-05-01")
    plan = annual_plan(
        2026,
        D("2026-11-22"),
        [decision],
        {"minhang": minhang_like()},
        events=events,
        already_evaluated={CODE: "上级机关已组织评估"},
    )
    assert outcome(plan) == (("exempt", "already_evaluated"),)
    assert "第三条第二款" in plan.exempt[0].detail and "上级机关已组织评估" in plan.exempt[0].detail


@pytest.mark.rule("MH-6-4", "T-EVENT")
def test_the_pending_message_cites_the_policys_approval_basis():
    # minhang 6(4): the district government agrees to a unit's application; ordos 11: the city
    # government's office "可组织" on (1)–(4). Each pending entry cites its own profile's basis.
    ordos_approval = "《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》第十一条：市人民政府办公室“可组织”"
    ordos_like = policy(
        "ordos",
        events_need_approval=frozenset({"basis_changed", "effect_not_met", "many_opinions", "unit_application"}),
        approval_basis=ordos_approval,
        exemptions=frozenset(),
        exemption_basis={},
    )
    decisions = [facts(code="M", profile="minhang"), facts(code="O", profile="ordos")]
    events = [event("unit_application", "2026-04-01", code="M"), event("basis_changed", "2026-05-01", code="O")]
    plan = annual_plan(
        2026, D("2026-11-22"), decisions, {"minhang": minhang_like(), "ordos": ordos_like}, events=events
    )
    assert plan.items == [] and plan.exempt == []
    details = {entry.decision: entry.detail for entry in plan.pending}
    assert [entry.reason for entry in plan.pending] == ["awaiting_approval", "awaiting_approval"]
    assert MINHANG_APPROVAL in details["M"] and "2026-04-01" in details["M"] and "鄂尔多斯" not in details["M"]
    assert ordos_approval in details["O"] and "2026-05-01" in details["O"] and "闵行" not in details["O"]


@pytest.mark.rule("X-SUPERIOR", "T-ONE-YEAR")
def test_sample_catalog_with_the_profiles_own_exemptions():
    # Of the four samples with 上级组织评估 = 是, only changli's (changli 63 ¶2) is exempt; ordos's
    # reform (ordos 12(2), no exemption in ordos) is planned one year after 2019-10-19; the ningxia
    # and minhang ones have no time trigger in their profiles, so nothing is due without an event.
    from pinggu.rules.profiles import load_profiles

    profiles = load_profiles()
    policies = {profile_id: profile.plan_policy() for profile_id, profile in profiles.items()}
    plan = annual_plan(2026, D("2026-11-22"), _catalog_facts(), policies)
    assert [(e.decision, e.reason) for e in plan.exempt] == [("S-2021-004", "superior_evaluates")]
    assert f"《{profiles['changli'].title}》第六十三条第二款" in plan.exempt[0].detail
    by_code = {item.decision: item for item in plan.items}
    item = by_code["S-2019-024"]
    assert (item.profile, item.type, item.reason, item.trigger_date) == (
        "ordos",
        "ordinary",
        "one_year",
        D("2020-10-19"),
    )
    assert "S-2022-002" not in by_code and "S-2023-008" not in by_code


# --- MH-4: evaluating unit and due date ------------------------------------------------------------


@pytest.mark.rule("MH-4")
@pytest.mark.parametrize(
    ("overrides", "unit"),
    [
        ({"broad_impact": True, "public_attention": "高"}, "区政府办公室"),
        # First match wins: the office takes it, so the finance bureau does not (mh4 ¶3 "区政府办公室未组织").
        ({"broad_impact": True, "public_attention": "高", "uses_fiscal_funds": True}, "区政府办公室"),
        ({"broad_impact": True, "public_attention": "中", "uses_fiscal_funds": True}, "区财政局"),
        ({"broad_impact": True, "public_attention": "中"}, "区住房和城乡建设管理委员会（承办业务科室以外的其他科室）"),
    ],
    ids=[
        "mh4 district-wide, high attention → office",
        "mh4 office before finance",
        "mh4 fiscal funds → finance bureau",
        "mh4 otherwise the lead unit",
    ],
)
def test_evaluating_unit_first_matching_rule(overrides, unit):
    decision = facts(profile="minhang", starts_on=D("2025-03-10"), **overrides)
    (item,) = annual_plan(2026, D("2026-01-05"), [decision], {"minhang": minhang_like()}).items
    assert item.evaluating_unit == unit
    assert item.warnings == ()


@pytest.mark.rule("MH-4")
def test_unit_placeholders_and_no_matching_rule():
    rules = (UnitRule("{decision_body}办公室", {"uses_fiscal_funds": True}),)
    pol = policy(unit_rules=rules)
    decisions = [
        facts(code="A", category=REFORM, starts_on=D("2025-03-10"), uses_fiscal_funds=True),
        facts(code="B", category=REFORM, starts_on=D("2025-03-10")),
    ]
    a, b = annual_plan(2026, D("2026-11-22"), decisions, {"test": pol}).items
    assert a.evaluating_unit == "区人民政府办公室"
    assert b.evaluating_unit == "区住房和城乡建设管理委员会"
    assert any("评估单位规则均不适用" in warning for warning in b.warnings)


@pytest.mark.rule("MH-4")
def test_unknown_condition_field_is_refused():
    pol = policy(unit_rules=(UnitRule("区财政局", {"fiscal": True}), UnitRule("{lead_unit}")))
    with pytest.raises(ValueError, match="fiscal"):
        annual_plan(2026, D("2026-11-22"), [facts()], {"test": pol})


@pytest.mark.rule("MH-4", "P-HOLIDAY")
@pytest.mark.parametrize(
    ("starts_on", "due", "expected", "complete"),
    [
        # Trigger 2025-03-10 passed before the plan is made (2026-01-05): the window runs from the
        # plan's day; + 90 days = 04-05, a Sunday inside Qingming (04-04…06) → Tuesday 04-07.
        ("2024-03-10", Period(90, "days"), "2026-04-07", True),
        # Trigger 2026-07-05 + 3 months = 10-05, inside National Day → 10-08 (cc203 on the due date).
        ("2025-07-05", Period(3, "months"), "2026-10-08", True),
        # Trigger 2026-12-01 + 90 days = 2027-03-01: a year without official data, flagged (P-UNKNOWN).
        ("2025-12-01", Period(90, "days"), "2027-03-01", False),
    ],
    ids=["mh4 backlog from the plan's day", "cc203 due date off a holiday", "P-UNKNOWN provisional due date"],
)
def test_due_date_is_the_policy_window_from_the_later_of_trigger_and_plan_day(starts_on, due, expected, complete):
    decision = facts(category=REFORM, starts_on=D(starts_on))
    (item,) = annual_plan(2026, D("2026-01-05"), [decision], {"test": policy(due=due)}).items
    assert (item.due, item.calendar_complete) == (D(expected), complete)
    counted = add_period(max(item.trigger_date, D("2026-01-05")), due)
    assert (item.due, item.calendar_complete, item.warnings) == (
        counted.due,
        counted.calendar_complete,
        counted.warnings,
    )
    assert complete or any("2027" in warning for warning in item.warnings)


@pytest.mark.rule("MH-4")
def test_a_plan_never_holds_an_item_overdue_on_the_day_it_is_made_and_says_why():
    # A one-year trigger on 2023-03-10 never evaluated: a plan made on 2026-11-22 counts its 90
    # days from that day (→ 2027-02-20, a Saturday → Monday 02-22) and says the trigger passed.
    decision = facts(category=REFORM, starts_on=D("2022-03-10"))
    (item,) = annual_plan(2026, D("2026-11-22"), [decision], {"test": policy()}).items
    assert (item.trigger_date, item.due) == (D("2023-03-10"), D("2027-02-22"))
    assert item.note == "触发日 2023-03-10 早于计划编制日 2026-11-22（已过 1353 日尚未评估），评估时限自计划编制日起算"
    # A trigger on the plan's day or later: counted from the trigger, no note.
    recent = facts(category=REFORM, starts_on=D("2025-03-10"))
    (later,) = annual_plan(2026, D("2026-03-10"), [recent], {"test": policy()}).items
    assert (later.due, later.note) == (D("2026-06-08"), "")


# --- the plan as a document ---------------------------------------------------------------------------


@pytest.mark.rule("MH-4")
def test_items_sorted_by_trigger_date_then_code_and_to_dict():
    decisions = [
        facts(code="B", category=REFORM, starts_on=D("2025-03-10")),
        facts(code="A", category=REFORM, starts_on=D("2025-03-10")),
        facts(code="C", category=REFORM, starts_on=D("2025-01-31"), superior_evaluates=True),
        facts(code="0", category=REFORM, starts_on=D("2025-05-01")),
    ]
    events = [event("controversy_risk", "2026-08-01", code="0")]
    plan = annual_plan(2026, D("2026-03-01"), decisions, {"test": policy()}, events=events)
    assert [item.decision for item in plan.items] == ["A", "B", "0"]
    data = json.loads(json.dumps(plan.to_dict(), ensure_ascii=False))
    assert data["year"] == 2026 and data["as_of"] == "2026-03-01"
    assert data["items"][0] == {
        "decision": "A",
        "type": "ordinary",
        "reason": "one_year",
        "trigger_date": "2026-03-10",
        "evaluating_unit": "区住房和城乡建设管理委员会",
        "due": "2026-06-08",  # 03-10 + 90 days = 06-08 (Mon)
        "calendar_complete": True,
        "warnings": [],
        "prompt": False,
        "also": [],
        "note": "",
        "title": "关于老旧小区改造的实施方案",
        "profile": "test",
    }
    # "0": one year on 2026-05-01 comes first; the later controversy rides along and makes it prompt.
    assert data["items"][2]["also"] == ["controversy_risk"] and data["items"][2]["prompt"] is True
    assert data["exempt"] == [{"decision": "C", "reason": "superior_evaluates", "detail": plan.exempt[0].detail}]
    assert data["pending"] == []


def test_bad_inputs_are_refused_in_chinese():
    with pytest.raises(ValueError, match="缺少规则“other”"):
        annual_plan(2026, D("2026-11-22"), [facts(profile="other")], {"test": policy()})
    with pytest.raises(ValueError, match="决策编号重复"):
        annual_plan(2026, D("2026-11-22"), [facts(), facts()], {"test": policy()})
    with pytest.raises(ValueError, match="事件类型“rumour”未知"):
        annual_plan(2026, D("2026-11-22"), [facts()], {"test": policy()}, events=[event("rumour", "2026-01-01")])
    with pytest.raises(ValueError, match="免于评估情形缺少依据条款：superior_evaluates$"):
        annual_plan(
            2026,
            D("2026-11-22"),
            [facts()],
            {"test": policy(exemption_basis={k: v for k, v in BASIS.items() if k != "superior_evaluates"})},
        )
    with pytest.raises(ValueError, match="免于评估情形未知：small_matter"):
        annual_plan(2026, D("2026-11-22"), [facts()], {"test": policy(exemptions=frozenset({"small_matter"}))})
    with pytest.raises(ValueError, match="未写明由谁同意"):
        annual_plan(
            2026, D("2026-11-22"), [facts()], {"test": policy(events_need_approval=frozenset({"unit_application"}))}
        )


@pytest.mark.rule("MH-4")
def test_ten_thousand_decisions_in_well_under_a_second():
    base = date(2015, 1, 1)
    decisions, completed, events = [], [], []
    for n in range(10_000):
        starts = base + timedelta(days=n % 3650)
        code = f"D-{n:05d}"
        decisions.append(
            facts(
                code=code,
                category=REFORM if n % 3 == 0 else PLANNING,
                broad_impact=n % 5 == 0,
                starts_on=starts,
                ends_on=starts + timedelta(days=365 * (1 + n % 8)),
                progress_percent=n % 101,
                superior_evaluates=n % 17 == 0,
                profile="minhang" if n % 2 else "test",
                uses_fiscal_funds=n % 7 == 0,
            )
        )
        if n % 4 == 0:
            completed.append(
                CompletedEvaluation(code, ("ordinary", "midterm", "final")[n % 3], starts + timedelta(days=400))
            )
        if n % 6 == 0:
            events.append(EventTrigger(code, EVENT_KINDS[n % len(EVENT_KINDS)], starts + timedelta(days=200)))
        if n % 10 == 1:  # minhang: awaiting the district's consent
            events.append(EventTrigger(code, "unit_application", starts + timedelta(days=300)))
    policies = {"test": policy(), "minhang": minhang_like()}
    best = float("inf")
    for _ in range(2):  # the better of two runs, so a busy machine does not fail the test
        began = time.perf_counter()
        plan = annual_plan(2026, D("2026-11-22"), decisions, policies, completed=completed, events=events)
        best = min(best, time.perf_counter() - began)
    assert len(plan.items) > 3_000 and plan.exempt and plan.pending
    assert best < 1.0, f"10,000 decisions took {best:.2f} s"


# --- the sample catalog ------------------------------------------------------------------------------


def _catalog_facts() -> list[DecisionFacts]:
    parsed = read_catalog(SAMPLES / "catalog.csv", {"bazhou", "ordos", "ningxia_commerce", "changli", "minhang"})
    assert parsed.problems == []
    # CatalogRow has every DecisionFacts field under the same name (title included), plus decided_on.
    # The planned evaluation is written by the decision procedure, not by the catalog file.
    shared = [f.name for f in fields(DecisionFacts) if not f.name.startswith("planned_evaluation_")]
    return [DecisionFacts(**{name: getattr(row, name) for name in shared}) for row in parsed.rows]


@pytest.mark.rule("T-ONE-YEAR", "T-HALF", "T-ENDED", "X-SUPERIOR", "MH-4")
def test_sample_catalog_plan_2026():
    decisions = _catalog_facts()
    policies = {name: policy(name) for name in {d.profile for d in decisions}}
    plan = annual_plan(2026, D("2026-01-05"), decisions, policies)  # made in the first week of the year
    by_code = {item.decision: item for item in plan.items}

    counts: dict[tuple[str, str], int] = {}
    for item in plan.items:
        counts[item.type, item.reason] = counts.get((item.type, item.reason), 0) + 1
    assert counts == {("final", "ended"): 5, ("midterm", "half_term"): 10, ("ordinary", "one_year"): 9}
    assert [(e.decision, e.reason) for e in plan.exempt] == [
        ("S-2019-024", "superior_evaluates"),
        ("S-2021-004", "superior_evaluates"),
        ("S-2022-002", "superior_evaluates"),
        ("S-2023-008", "superior_evaluates"),
    ]
    assert plan.pending == []

    # S-2020-040 (ordos, 重大改革事项, broad, 2020-06-18..2026-06-17, six years): ends during the
    # year, so the plan made in January already lists its final evaluation, from 06-18; the midterm (2023-06-18) and one-year (2021-06-18) triggers ride along. Due 06-18 + 90
    # days = 09-16, a Wednesday.
    item = by_code["S-2020-040"]
    assert (item.type, item.reason, item.trigger_date, item.also, item.due) == (
        "final",
        "ended",
        D("2026-06-18"),
        ("half_term", "one_year"),
        D("2026-09-16"),
    )
    # S-2024-023 (ningxia, broad, 2024-08-27..2029-08-26, progress 50 %): the midpoint would be
    # 2027-02-24, but progress is already half → as of 2026-01-05; + 90 days = 04-05, a Sunday in
    # Qingming (04-04…06) → Tuesday 04-07.
    item = by_code["S-2024-023"]
    assert (item.type, item.reason, item.trigger_date, item.also, item.due, item.calendar_complete) == (
        "midterm",
        "half_term",
        D("2026-01-05"),
        ("one_year",),
        D("2026-04-07"),
        True,
    )
    # S-2025-017 (ordos, broad, starts 2025-02-09): one year on 2026-02-09; + 90 days = 05-10, a
    # Sunday → 05-11 (cc203 applies to the due date, not to the trigger).
    item = by_code["S-2025-017"]
    assert (item.type, item.reason, item.trigger_date, item.due) == (
        "ordinary",
        "one_year",
        D("2026-02-09"),
        D("2026-05-11"),
    )
    # S-2022-021 (changli, 重大改革事项, 2022-07-06..2027-07-05: exactly five years): midterm at
    # 2022-07-06 + 1825 // 2 days = 2025-01-03, over its one-year trigger; backlog, so due from the
    # plan's day (04-07, as above), and the item says so.
    item = by_code["S-2022-021"]
    assert (item.type, item.trigger_date, item.also, item.due) == (
        "midterm",
        D("2025-01-03"),
        ("one_year",),
        D("2026-04-07"),
    )
    assert item.note.startswith("触发日 2025-01-03 早于计划编制日 2026-01-05（已过 367 日尚未评估）")
    # S-2022-009 (ordos, 重要规划, three years, not broad): no trigger at all.
    # S-2024-001 (minhang, five years, progress 26 %): midpoint 2027-02-28, not yet.
    assert "S-2022-009" not in by_code and "S-2024-001" not in by_code
    assert [item.trigger_date for item in plan.items] == sorted(item.trigger_date for item in plan.items)


def test_items_are_plain_frozen_records():
    item = PlanItem("D", "t", "p", "ordinary", "one_year", D("2026-01-01"), "u", D("2026-04-01"), True, ())
    assert (item.prompt, item.also) == (False, ())
    with pytest.raises(AttributeError):
        item.type = "final"  # type: ignore[misc]
    assert replace(item, prompt=True).prompt


def test_every_trigger_reason_has_chinese_wording():
    from pinggu.rules.annual_plan import REASON_NAMES

    assert set(REASON_NAMES) == {"decision_plan", *TIME_TRIGGERS, *EVENT_KINDS}


# --- the approver's changes to single items (minhang 4: the plan sets each item's 评估时限) ------------


@pytest.mark.rule("MH-4")
def test_item_changes_that_can_be_applied_pass():
    open_items = {"A": D("2026-03-10"), "B": D("2025-01-03")}
    changes = [
        ItemChange("A", "与区财政预算编制同步，延至年底", due=D("2026-12-31")),
        ItemChange("B", "该项已并入市级专项评估", drop=True),
    ]
    assert check_item_changes(changes, open_items, D("2026-01-05")) == []
    # A due date on the later of the trigger day and the day of the answer is allowed.
    assert check_item_changes([ItemChange("A", "r", due=D("2026-03-10"))], open_items, D("2026-01-05")) == []


@pytest.mark.rule("MH-4")
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (ItemChange("Z", "r", drop=True), "决策 Z 不在本计划尚未启动的事项中，无法调整"),
        (ItemChange("A", " ", drop=True), "决策 A 的调整须写明理由"),
        (ItemChange("A", "r", due=D("2026-12-31"), drop=True), "决策 A：“不列入计划”与“调整完成期限”只能选一项"),
        (ItemChange("A", "r"), "决策 A：请填写调整后的完成期限，或选择“不列入计划”"),
        (
            ItemChange("A", "r", due=D("2026-03-09")),
            "决策 A 调整后的完成期限 2026-03-09 早于 2026-03-10（触发日与审定日中较晚者），计划中不能列入已逾期的事项",
        ),
        (
            ItemChange("B", "r", due=D("2026-01-04")),
            "决策 B 调整后的完成期限 2026-01-04 早于 2026-01-05（触发日与审定日中较晚者），计划中不能列入已逾期的事项",
        ),
    ],
    ids=["not in the plan", "no reason", "both drop and date", "neither", "before the trigger", "before today"],
)
def test_item_changes_that_cannot_be_applied_say_why(change, problem):
    open_items = {"A": D("2026-03-10"), "B": D("2025-01-03")}
    assert check_item_changes([change], open_items, D("2026-01-05")) == [problem]


@pytest.mark.rule("MH-4")
def test_an_item_changed_twice_is_refused_once():
    twice = [ItemChange("A", "r", drop=True), ItemChange("A", "r", due=D("2026-12-31"))]
    assert check_item_changes(twice, {"A": D("2026-03-10")}, D("2026-01-05")) == [
        "决策 A 的调整写了不止一次，请合并为一项"
    ]


# --- the evaluation a decision planned for itself (changli 12 ¶2; the decision procedure writes it) ----


@pytest.mark.rule("CL-47", "MH-4")
def test_the_evaluation_planned_with_the_decision_is_listed_in_its_year_until_done():
    planned = facts(planned_evaluation_year=2027, planned_evaluation_type="ordinary", starts_on="2026-09-01")
    # No time trigger of its own (a narrow policy under a year old): only its own plan lists it, and only from 2027.
    assert annual_plan(2026, D("2026-11-22"), [planned], {"test": policy()}).items == []
    (item,) = annual_plan(2027, D("2027-01-05"), [planned], {"test": policy()}).items
    assert (item.reason, item.type, item.trigger_date) == ("decision_plan", "ordinary", D("2027-01-01"))
    # Not done in 2027: still listed in 2028; an evaluation completed since 1 January 2027 satisfies it.
    assert [i.reason for i in annual_plan(2028, D("2028-01-05"), [planned], {"test": policy()}).items] == [
        "decision_plan"
    ]
    finished = [done("ordinary", "2027-06-30")]
    assert annual_plan(2028, D("2028-01-05"), [planned], {"test": policy()}, completed=finished).items == []
    midterm = facts(planned_evaluation_year=2027, planned_evaluation_type="midterm", starts_on="2026-09-01")
    (item,) = annual_plan(2027, D("2027-01-05"), [midterm], {"test": policy()}).items
    assert item.type == "midterm"
