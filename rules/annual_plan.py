"""Triggers, exemptions and the annual evaluation plan (年度评估计划; SPEC §5, minhang 4).

For plan year Y, every catalog decision is checked against the time triggers (bazhou 15, ordos 12,
changli 62), the recorded events (bazhou 7, ordos 11, ningxia 4, changli 57, minhang 6) and the
exemptions. A trigger counts when the decision's profile recognises it, its date is on or before
31 Dec of Y (SPEC §5: the plan lists what falls due during the year, not only what has already
fallen due on the day it is made) and no completed evaluation satisfies it; each decision then gets
at most one planned evaluation (final over midterm over ordinary).

A five-year-or-longer decision whose execution ends during Y is planned for its final evaluation in
Y's plan, even when it ends on 31 December: its trigger date, the earliest day the evaluation may
start, is the day after the last day of execution ("执行结束后"). The plan is made once a year, so
leaving such a decision to the next plan would let its final evaluation wait a year.

An item's due date counts from the later of its trigger date and the day the plan is made
(``as_of``): a plan never contains an item already overdue on the day it is made. An item whose
trigger passed before that day says so in ``note``.

Exemptions apply only where the profile grants them (``PlanPolicy.exemptions``): X-12M and
X-SUPERIOR (bazhou 16, changli 63), X-DONE (minhang 3). Elsewhere a decision whose facts would meet
one (上级组织评估 = 是, or listed in ``already_evaluated``) is planned like any other, since its
regulation gives no exemption. Every citation in an exemption or a pending entry comes from the
policy (the profile file), so this module names no jurisdiction.

Dates that are *trigger dates* (the day a duty to evaluate arises) are calendar dates: they follow
P-START and P-MONTH (《民法典》第二百零一条、第二百零二条) but are not moved off rest days. Civil
Code art. 203 (P-HOLIDAY) extends the last day of a period *within which one must act*, so that
nobody loses a day to a holiday; a trigger date is not such a last day, and moving it would only
make a duty arise later (and could move it into another plan year). The due date of an item is
such a period, so it is counted with ``add_period`` and does get P-HOLIDAY.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from pinggu.rules.periods import DueDate, Period, add_period, corresponding_day, last_day_of_term
from pinggu.rules.planning_types import (
    DECISION_PLAN,
    EVENT_KINDS,
    EXEMPTION_KINDS,
    TIME_TRIGGERS,
    CompletedEvaluation,
    DecisionFacts,
    EventTrigger,
    PlanPolicy,
)
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EVENT_KIND_NAMES, EvaluationType

MAJOR_REFORM = "重大改革事项"
LONG_TERM_YEARS = 5  # "五年以上长期执行的" (bazhou 15, ordos 12(3)(4), changli 62)
HALF_PROGRESS = 50  # "进度过半"

REASON_NAMES = {
    DECISION_PLAN: "决策作出时确定的实施后评估计划",
    "one_year": "重大改革事项或重大政策执行满一年",
    "half_term": "五年以上长期执行的决策执行期限或进度过半",
    "ended": "五年以上长期执行的决策执行结束",
    **EVENT_KIND_NAMES,
}
"""Chinese wording of every trigger reason, for exemption details and the plan document."""

# Which completed types satisfy a trigger; None = any type (an execution evaluation of any kind
# covers one_year and events). A profile's planned_type (ningxia_90day) satisfies every trigger,
# since it is the only type that profile plans.
_SATISFIED_BY: dict[str, frozenset[str] | None] = {
    "one_year": None,
    "half_term": frozenset({EvaluationType.midterm, EvaluationType.final}),
    "ended": frozenset({EvaluationType.final}),
}
_RANK: dict[str, int] = {EvaluationType.final: 0, EvaluationType.midterm: 1, EvaluationType.ordinary: 2}
_REASON_ORDER = {reason: index for index, reason in enumerate((DECISION_PLAN, *TIME_TRIGGERS, *EVENT_KINDS))}
_FACT_FIELDS = frozenset(f.name for f in fields(DecisionFacts))


@dataclass(frozen=True)
class PlanItem:
    """One planned evaluation of a decision (MH-4): type, reason, evaluating unit and due date."""

    decision: str
    title: str
    profile: str
    type: str
    reason: str
    trigger_date: date
    evaluating_unit: str
    due: date
    calendar_complete: bool
    warnings: tuple[str, ...]
    prompt: bool = False  # T-PROMPT: a controversy/risk trigger, to be started promptly
    also: tuple[str, ...] = ()  # the decision's other counting triggers, covered by this evaluation
    note: str = ""  # why the due date is not counted from the trigger date, in Chinese

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, dates as YYYY-MM-DD."""
        return {
            "decision": self.decision,
            "type": self.type,
            "reason": self.reason,
            "trigger_date": self.trigger_date.isoformat(),
            "evaluating_unit": self.evaluating_unit,
            "due": self.due.isoformat(),
            "calendar_complete": self.calendar_complete,
            "warnings": list(self.warnings),
            "prompt": self.prompt,
            "also": list(self.also),
            "note": self.note,
            "title": self.title,
            "profile": self.profile,
        }


@dataclass(frozen=True)
class Exemption:
    """A decision left out of the plan (or waiting), why, and the article, in Chinese."""

    decision: str
    reason: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"decision": self.decision, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class AnnualPlan:
    """The annual plan of year Y as of a date: planned items, exempted decisions, pending events."""

    year: int
    as_of: date
    items: list[PlanItem] = field(default_factory=list)
    exempt: list[Exemption] = field(default_factory=list)
    pending: list[Exemption] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, dates as YYYY-MM-DD."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "items": [item.to_dict() for item in self.items],
            "exempt": [entry.to_dict() for entry in self.exempt],
            "pending": [entry.to_dict() for entry in self.pending],
        }


@dataclass(frozen=True)
class _Trigger:
    reason: str
    on: date
    type: str  # the type it calls for: ordinary / midterm / final
    satisfied_from: date  # a completed evaluation of an accepted type on or after this date satisfies it
    prompt: bool = False
    arises: date | None = None  # the day that puts it in a year's plan, when not `on` (ended: the last day)

    @property
    def listed_by(self) -> date:
        """The plan of the year containing this day (or a later year's, if still unsatisfied) lists it."""
        return self.arises or self.on


# --- time triggers -------------------------------------------------------------------------------


def is_long_term(facts: DecisionFacts) -> bool:
    """Whether the decision runs five years or more ("五年以上长期执行", bazhou 15, ordos 12).

    Five years counted by 《民法典》第二百零一条、第二百零二条 from the day before the start, so a
    decision running 2021-01-01 to 2025-12-31 (both days included) is exactly five years long.
    """
    if facts.ends_on is None:
        return False  # open-ended: no period to halve or to end
    return facts.ends_on >= last_day_of_term(facts.starts_on, 12 * LONG_TERM_YEARS)


def midpoint(facts: DecisionFacts) -> date:
    """The middle day of the decision's period: starts_on + (ends_on − starts_on) // 2 days.

    The whole days between start and end, halved and rounded down, so the midpoint never falls
    after the true middle: 2021-01-01 … 2025-12-31 (1,826 days; 1,825 between the two) → + 912 days
    = 2023-07-02, day 913, the last day of the first half. Whole days rather than "+ half the
    months", because a period need not be a whole number of months.
    """
    assert facts.ends_on is not None
    return facts.starts_on + timedelta(days=(facts.ends_on - facts.starts_on).days // 2)


def _time_triggers(facts: DecisionFacts, as_of: date, until: date | None = None) -> list[_Trigger]:
    # until: the last day whose end of execution counts (31 Dec of the plan year); default the day before as_of.
    found: list[_Trigger] = []
    # bazhou 15 ¶3, ordos 12(2), changli 62 ¶3: a major reform or broad-impact policy that has run
    # 12 months. The trigger is the last day of the 12-month period (P-START, P-MONTH), not moved
    # for rest days; a decision that ended before running 12 months never "满一年".
    if facts.category == MAJOR_REFORM or facts.broad_impact:
        on = corresponding_day(facts.starts_on, 12)
        # It ran the whole twelve months: to the last day of the year counted from its first day (a start on
        # 29 February runs to 28 February, not 27 February: pinggu.rules.periods.last_day_of_term).
        if facts.ends_on is None or facts.ends_on >= last_day_of_term(facts.starts_on, 12):
            found.append(_Trigger("one_year", on, EvaluationType.ordinary, on))
    if is_long_term(facts):
        assert facts.ends_on is not None
        # bazhou 15 ¶4, ordos 12(3), changli 62 ¶4: "执行期限或进度过半" → midterm, on the midpoint or,
        # when progress reported as of as_of is already ≥ 50 %, on as_of if that is earlier.
        # When progress crossed half is not recorded, so then any midterm/final since the start
        # satisfies it; otherwise a past progress-based midterm would be re-planned every year.
        half = midpoint(facts)
        progressed = facts.progress_percent is not None and facts.progress_percent >= HALF_PROGRESS
        on = min(half, as_of) if progressed else half
        found.append(_Trigger("half_term", on, EvaluationType.midterm, facts.starts_on if progressed else on))
        # bazhou 15 ¶5, ordos 12(4), changli 62 ¶5: ended → final, from the day after the last day.
        if facts.ends_on < (until + timedelta(days=1) if until else as_of):
            on = facts.ends_on + timedelta(days=1)
            found.append(_Trigger("ended", on, EvaluationType.final, on, arises=facts.ends_on))
    return found


def _decision_plan(facts: DecisionFacts) -> _Trigger | None:
    """The evaluation the decision planned for itself (changli 12 ¶2), from 1 January of its year (or the day
    execution began, if later); any evaluation completed since then satisfies it."""
    if facts.planned_evaluation_year is None or facts.planned_evaluation_type is None:
        return None
    on = max(date(facts.planned_evaluation_year, 1, 1), facts.starts_on)
    return _Trigger(DECISION_PLAN, on, facts.planned_evaluation_type, on)


def time_triggers(facts: DecisionFacts, as_of: date) -> list[tuple[str, date]]:
    """The decision's time triggers as (reason, trigger date), before any profile filtering.

    Dates may lie after as_of (a one-year or half-term date still to come); ``ended`` appears
    only once ends_on has passed (ends_on < as_of). The plan itself looks further ahead: see
    ``annual_plan``.
    """
    return [(trigger.reason, trigger.on) for trigger in _time_triggers(facts, as_of)]


# --- the plan ----------------------------------------------------------------------------------


def annual_plan(
    year: int,
    as_of: date,
    decisions: Iterable[DecisionFacts],
    policies: Mapping[str, PlanPolicy],
    *,
    completed: Iterable[CompletedEvaluation] = (),
    events: Iterable[EventTrigger] = (),
    already_evaluated: Mapping[str, str] | None = None,
) -> AnnualPlan:
    """The plan of evaluations for ``year``: what is due by 31 Dec, by whom, by when (MH-4).

    ``already_evaluated`` maps decision codes to why they were already evaluated under other
    rules (X-DONE); it exempts only decisions whose profile grants that exemption.
    """
    year_end = date(year, 12, 31)
    already_evaluated = already_evaluated or {}
    decisions = list(decisions)
    _check_inputs(decisions, policies)

    # Indexes by decision code, so the loop below is linear in decisions + records.
    done: dict[str, dict[str, date]] = {}  # code → type → latest completion
    for facts in decisions:
        if facts.last_evaluation_type is not None and facts.last_evaluation_on is not None:
            _note(done, facts.code, facts.last_evaluation_type, facts.last_evaluation_on)
    for evaluation in completed:
        _note(done, evaluation.decision_code, evaluation.type, evaluation.completed_on)
    recorded: dict[str, list[EventTrigger]] = {}
    for event in events:
        if event.kind not in EVENT_KINDS:
            raise ValueError(f"决策“{event.decision_code}”的事件类型“{event.kind}”未知，可用：{'、'.join(EVENT_KINDS)}")
        recorded.setdefault(event.decision_code, []).append(event)
    due_dates: dict[tuple[date, Period], DueDate] = {}

    items: list[PlanItem] = []
    exempt: list[Exemption] = []
    pending: list[Exemption] = []
    for facts in decisions:
        policy = policies[facts.profile]
        latest = done.get(facts.code, {})
        decision_events = recorded.get(facts.code, ())

        triggers = [t for t in _time_triggers(facts, as_of, year_end) if t.reason in policy.time_triggers]
        planned = _decision_plan(facts)
        if planned is not None:
            triggers.append(planned)
        for event in decision_events:
            if event.kind not in policy.event_kinds:
                continue
            on = event.occurred_on
            if event.kind in policy.events_need_approval:
                # minhang 6(4), ordos 11: such an event counts only once it is agreed to.
                if event.approved_on is None:
                    if on <= year_end and not _satisfied(
                        _Trigger(event.kind, on, EvaluationType.ordinary, on), latest, policy
                    ):
                        pending.append(_awaiting_approval(facts, event, policy))
                    continue
                on = event.approved_on
            triggers.append(
                _Trigger(event.kind, on, EvaluationType.ordinary, on, prompt=event.kind in policy.prompt_events)
            )

        counting = [t for t in triggers if t.listed_by <= year_end and not _satisfied(t, latest, policy)]
        if not counting:
            continue
        granted = policy.exemptions
        # The superior's evaluation exempts the local one, unless the local body is entrusted with or asked
        # to assist it (bazhou 16(2), changli 63(2) “接受上级委任或根据上级要求协助评估的除外”).
        if facts.superior_evaluates and not facts.assists_superior and "superior_evaluates" in granted:
            exempt.append(Exemption(facts.code, "superior_evaluates", _superior_detail(counting, policy)))
            continue
        if facts.code in already_evaluated and "already_evaluated" in granted:
            why = already_evaluated[facts.code]
            exempt.append(Exemption(facts.code, "already_evaluated", _done_detail(why, policy)))
            continue
        # X-12M applies to the execution evaluation (one_year) only: an event is itself the "新情况、
        # 新事由、新争议" of bazhou 16 / changli 63, and midterm/final are not execution evaluations.
        last = max(latest.values(), default=None)
        repeat = []
        if "within_12_months" in granted:
            repeat = [t for t in counting if t.reason == "one_year" and _within_12_months(last, t, decision_events)]
        remaining = [t for t in counting if t not in repeat]
        if not remaining:
            assert last is not None
            exempt.append(Exemption(facts.code, "within_12_months", _repeat_detail(latest, last, repeat, policy)))
            continue

        remaining.sort(key=lambda t: (_RANK[t.type], t.on, _REASON_ORDER[t.reason]))
        chosen = remaining[0]
        also = tuple(dict.fromkeys(t.reason for t in remaining[1:] if t.reason != chosen.reason))
        unit, unit_warnings = _evaluating_unit(facts, policy)
        start = max(chosen.on, as_of)
        key = (start, policy.due)
        if key not in due_dates:
            due_dates[key] = add_period(start, policy.due)
        due = due_dates[key]
        items.append(
            PlanItem(
                decision=facts.code,
                title=facts.title,
                profile=facts.profile,
                type=policy.planned_type or chosen.type,
                reason=chosen.reason,
                trigger_date=chosen.on,
                evaluating_unit=unit,
                due=due.due,
                calendar_complete=due.calendar_complete,
                warnings=due.warnings + unit_warnings,
                prompt=any(t.prompt for t in remaining),
                also=also,
                note=_late_note(chosen.on, as_of),
            )
        )

    items.sort(key=lambda item: (item.trigger_date, item.decision))
    exempt.sort(key=lambda entry: entry.decision)
    pending.sort(key=lambda entry: entry.decision)
    return AnnualPlan(year=year, as_of=as_of, items=items, exempt=exempt, pending=pending)


def _check_inputs(decisions: list[DecisionFacts], policies: Mapping[str, PlanPolicy]) -> None:
    codes: set[str] = set()
    repeated: set[str] = set()
    profiles: set[str] = set()
    for facts in decisions:
        (repeated if facts.code in codes else codes).add(facts.code)
        profiles.add(facts.profile)
    if repeated:
        raise ValueError(f"决策编号重复：{'、'.join(sorted(repeated))}；每个决策在年度计划中只能出现一次")
    missing = sorted(profiles - set(policies))
    if missing:
        raise ValueError(f"缺少规则“{'、'.join(missing)}”的评估计划设置，无法编制年度评估计划")
    for profile in sorted(profiles):
        _check_policy(profile, policies[profile])
        for rule in policies[profile].unit_rules:
            unknown = sorted(set(rule.conditions) - _FACT_FIELDS)
            if unknown:
                raise ValueError(
                    f"规则“{profile}”的评估单位规则“{rule.unit}”使用了未知的条件字段：{'、'.join(unknown)}"
                )


def _check_policy(profile: str, policy: PlanPolicy) -> None:
    # Every exemption and approval the plan may write about must have a citation to write.
    unknown = sorted(policy.exemptions - set(EXEMPTION_KINDS))
    if unknown:
        raise ValueError(f"规则“{profile}”的免于评估情形未知：{'、'.join(unknown)}，可用：{'、'.join(EXEMPTION_KINDS)}")
    uncited = [kind for kind in EXEMPTION_KINDS if kind in policy.exemptions and not policy.exemption_basis.get(kind)]
    if uncited:
        raise ValueError(f"规则“{profile}”的免于评估情形缺少依据条款：{'、'.join(uncited)}")
    if policy.events_need_approval and not policy.approval_basis:
        raise ValueError(f"规则“{profile}”有须经同意的评估情形，但未写明由谁同意及依据条款")


def _note(done: dict[str, dict[str, date]], code: str, kind: str, on: date) -> None:
    by_type = done.setdefault(code, {})
    if kind not in by_type or by_type[kind] < on:
        by_type[kind] = on


def _satisfied(trigger: _Trigger, latest: Mapping[str, date], policy: PlanPolicy) -> bool:
    """Whether an evaluation completed on or after the trigger, of a type it accepts, exists."""
    accepted = _SATISFIED_BY.get(trigger.reason)  # events: None, any type
    if accepted is None:
        return any(on >= trigger.satisfied_from for on in latest.values())
    if policy.planned_type is not None:
        accepted = accepted | {policy.planned_type}
    return any(latest[kind] >= trigger.satisfied_from for kind in accepted if kind in latest)


def _within_12_months(last: date | None, trigger: _Trigger, events: Iterable[EventTrigger]) -> bool:
    # bazhou 16 ¶1, changli 63 ¶1: an evaluation within 12 months before the trigger (P-MONTH, the
    # trigger on or before the last day of the 12 months from it) and no event recorded after it.
    # An unsatisfied one_year trigger means every evaluation lies before it, so the latest is the
    # one to look at. Any recorded event counts as new, recognised by the profile or not.
    if last is None or trigger.on > corresponding_day(last, 12):
        return False
    return all(event.occurred_on <= last for event in events)


def _evaluating_unit(facts: DecisionFacts, policy: PlanPolicy) -> tuple[str, tuple[str, ...]]:
    # minhang 4: office / finance bureau / lead unit; first rule whose conditions all hold wins.
    for rule in policy.unit_rules:
        if all(getattr(facts, name) == value for name, value in rule.conditions.items()):
            return rule.unit.format(lead_unit=facts.lead_unit, decision_body=facts.decision_body), ()
    return facts.lead_unit, (
        f"规则“{policy.profile}”的评估单位规则均不适用，暂由承办单位{facts.lead_unit}承担，请核定",
    )


# --- Chinese details ---------------------------------------------------------------------------


def _late_note(trigger_date: date, as_of: date) -> str:
    if trigger_date >= as_of:
        return ""
    return (
        f"触发日 {trigger_date.isoformat()} 早于计划编制日 {as_of.isoformat()}（已过 {(as_of - trigger_date).days} 日"
        f"尚未评估），评估时限自计划编制日起算"
    )


def _listed(triggers: Iterable[_Trigger]) -> str:
    return "；".join(f"{REASON_NAMES[t.reason]}（{t.on.isoformat()}）" for t in triggers)


def _superior_detail(triggers: list[_Trigger], policy: PlanPolicy) -> str:
    return (
        f"已到评估时点：{_listed(triggers)}。执行上级改革任务或落实上级政策部署、依照有关规定应当由上级机关"
        f"组织决策评估的，可以不重复组织评估，接受上级委托或根据上级要求协助评估的除外"
        f"（{policy.exemption_basis['superior_evaluates']}）"
    )


def _done_detail(why: str, policy: PlanPolicy) -> str:
    return (
        f"按照相关规定已对决策事项进行评价或者评估：{why}。可以不作重复评估"
        f"（{policy.exemption_basis['already_evaluated']}）"
    )


def _repeat_detail(latest: Mapping[str, date], last: date, triggers: list[_Trigger], policy: PlanPolicy) -> str:
    kind = next(kind for kind, on in latest.items() if on == last)
    name = EVALUATION_TYPE_NAMES.get(kind, kind)
    return (
        f"已到评估时点：{_listed(triggers)}。{last.isoformat()} 已完成{name}，距触发日不足 12 个月，"
        f"且此后未出现新情况、新事由、新争议，可以不再重复组织执行评估"
        f"（{policy.exemption_basis['within_12_months']}）"
    )


def _awaiting_approval(facts: DecisionFacts, event: EventTrigger, policy: PlanPolicy) -> Exemption:
    # Who agrees differs (minhang 6(4): the district government; ordos 11: the city government's
    # office), so the message says only "须经同意" and lets the policy's citation name them.
    note = f"（{event.note}）" if event.note else ""
    return Exemption(
        facts.code,
        "awaiting_approval",
        f"{REASON_NAMES[event.kind]}{note}（{event.occurred_on.isoformat()}），须经同意后方启动评估，"
        f"尚未同意（{policy.approval_basis}）",
    )


# --- the approver's changes to single items (minhang 4) ---------------------------------------


@dataclass(frozen=True)
class ItemChange:
    """The approver's change to one item: a new due date, or the item taken out of the plan; with a reason.

    minhang 4 has the plan set each item's 评估时限, so whoever approves the plan may set it
    differently from the computed one; taking an item out is a decision about that year's plan
    and must say why (it stays on record, and the next year's plan lists the decision again while
    its trigger is unsatisfied).
    """

    decision: str
    reason: str
    due: date | None = None
    drop: bool = False


def check_item_changes(changes: Iterable[ItemChange], open_items: Mapping[str, date], today: date) -> list[str]:
    """What is wrong with the changes, in Chinese (empty when they can be applied).

    ``open_items`` maps each decision whose item is not yet started to its trigger date. A new due
    date may be neither before the trigger date nor before the day of the answer: a plan never
    holds an item already overdue.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for change in changes:
        code = change.decision.strip()
        if code in seen:
            problems.append(f"决策 {code} 的调整写了不止一次，请合并为一项")
            continue
        seen.add(code)
        if code not in open_items:
            problems.append(f"决策 {code} 不在本计划尚未启动的事项中，无法调整")
            continue
        if not change.reason.strip():
            problems.append(f"决策 {code} 的调整须写明理由")
        if change.drop and change.due is not None:
            problems.append(f"决策 {code}：“不列入计划”与“调整完成期限”只能选一项")
        elif not change.drop and change.due is None:
            problems.append(f"决策 {code}：请填写调整后的完成期限，或选择“不列入计划”")
        elif change.due is not None and change.due < max(open_items[code], today):
            earliest = max(open_items[code], today)
            problems.append(
                f"决策 {code} 调整后的完成期限 {change.due.isoformat()} 早于 {earliest.isoformat()}"
                f"（触发日与审定日中较晚者），计划中不能列入已逾期的事项"
            )
    return problems
