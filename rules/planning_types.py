"""Plain data the annual plan works on: decision facts, past evaluations, events, per-profile policy.

Shared by pinggu.rules.profiles (which builds a PlanPolicy from a profile file) and pinggu.rules.annual_plan
(which applies it); pure Python, no Prefect, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pinggu.rules.periods import Period
from pinggu.rules.vocabulary import EventKind

TIME_TRIGGERS = ("one_year", "half_term", "ended")
# changli 12 ¶2: the decision draft includes 决策实施后评估计划; the decision procedure writes it into the
# catalog, and the plan of that year lists the decision for it, whatever the profile's time triggers.
DECISION_PLAN = "decision_plan"
# T-EVENT and T-PROMPT: the situations pinggu.rules.vocabulary.EventKind registers, in its order.
EVENT_KINDS: tuple[str, ...] = tuple(EventKind)
# T-PROMPT (bazhou 15, ordos 12(1), changli 62): a major controversy or risk during execution is to be
# evaluated promptly ("及时"), not at next year's plan: recording it proposes a single-item plan at once.
PROMPT_EVENT_KINDS: frozenset[str] = frozenset({EventKind.controversy_risk})
# X-12M (bazhou 16 ¶1, changli 63 ¶1), X-SUPERIOR (bazhou 16 ¶2, changli 63 ¶2), X-DONE (minhang 3 ¶2).
EXEMPTION_KINDS = ("within_12_months", "superior_evaluates", "already_evaluated")


@dataclass(frozen=True)
class DecisionFacts:
    """What the catalog says about a decision, as the plan needs it."""

    code: str
    title: str
    profile: str
    category: str
    lead_unit: str
    decision_body: str
    broad_impact: bool
    starts_on: date
    ends_on: date | None
    progress_percent: int | None
    uses_fiscal_funds: bool
    superior_evaluates: bool
    public_attention: str | None
    last_evaluation_type: str | None
    last_evaluation_on: date | None
    # bazhou 16(2), changli 63(2): “接受上级委任或根据上级要求协助评估的除外”.
    assists_superior: bool = False
    # changli 12 ¶2: the follow-up evaluation planned with the decision (DECISION_PLAN).
    planned_evaluation_year: int | None = None
    planned_evaluation_type: str | None = None


@dataclass(frozen=True)
class CompletedEvaluation:
    """An evaluation finished on a date (from the product database)."""

    decision_code: str
    type: str
    completed_on: date


@dataclass(frozen=True)
class EventTrigger:
    """An event recorded against a decision (T-EVENT / T-PROMPT), with an approval date if it needs one."""

    decision_code: str
    kind: str
    occurred_on: date
    note: str = ""
    approved_on: date | None = None  # minhang 6(4): a unit's application counts once the district agrees


@dataclass(frozen=True)
class UnitRule:
    """One rule of evaluating-unit assignment: when every condition holds, this unit evaluates.

    `conditions` map DecisionFacts field names to the value required (e.g. {"uses_fiscal_funds": True});
    `unit` may use {lead_unit} and {decision_body} placeholders. An empty `conditions` always holds.
    """

    unit: str
    conditions: dict[str, object] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class PlanPolicy:
    """What the annual plan needs from a jurisdiction profile.

    Everything that differs between jurisdictions is here, as data: the plan never asks which
    profile it is. Citations are Chinese text ready for the plan document, naming the regulation
    (pinggu.rules.profiles fills them from the profile file).
    """

    profile: str
    time_triggers: frozenset[str]  # of TIME_TRIGGERS recognised by the profile
    event_kinds: frozenset[str]  # of EVENT_KINDS recognised by the profile
    events_need_approval: frozenset[str]  # kinds that count only once approved (minhang 6(4), ordos 11)
    planned_type: str | None  # every planned evaluation of this type (ningxia: ningxia_90day), else by trigger
    unit_rules: tuple[UnitRule, ...]  # first match wins; the last should have no conditions
    due: Period  # evaluation window: due date = max(trigger date, 1 Jan of the plan year) + due
    # Of EXEMPTION_KINDS, the ones the profile's regulation grants; a decision whose facts would
    # meet another exemption is planned like any other (e.g. 上级组织评估 = 是 where the seed has
    # no X-SUPERIOR).
    exemptions: frozenset[str]
    exemption_basis: dict[str, str]  # exemption id → its citation, one for each of `exemptions`
    approval_basis: str  # who agrees to events_need_approval, with the citation; "" when none needs it
    # T-PROMPT: events to evaluate at once (“及时”), proposed as a single-item plan when recorded.
    prompt_events: frozenset[str] = PROMPT_EVENT_KINDS
