"""What a valid profile is: the vocabularies it draws on, its parts and their cross-checks.

The file format is documented in rules/profiles/__init__.py; reading files is rules/profiles/loader.py.
"""

from __future__ import annotations

import string
import typing
from dataclasses import fields as dataclass_fields
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from pinggu.core.choices import OneOf
from pinggu.rules import team, vocabulary
from pinggu.rules.decision_procedure import (
    STEP_NAMES,
    DraftContent,
    HearingOrganiser,
    Material,
    MatterCategory,
    MeetingKind,
    PanelConfirmer,
    ParticipationMeans,
    ProcedureStep,
    PublicationChannel,
    RiskContent,
    RiskKind,
    RiskLevel,
    RiskSituation,
)
from pinggu.rules.gates import GATES, PROFILE_GATE_IDS, GateId
from pinggu.rules.periods import Period, PeriodUnit
from pinggu.rules.planning_types import PROMPT_EVENT_KINDS, TIME_TRIGGERS, DecisionFacts, PlanPolicy, UnitRule
from pinggu.rules.team import TEAM_ROLES, UNIT_STAFF, Member
from pinggu.rules.tracking import Duty, Recipient, ReportsFrom, SeriousReport, SupervisionMethod
from pinggu.rules.vocabulary import METHODS, Conclusion

MILESTONES = {
    "trigger": "评估情形出现之日",
    "plan_approved": "评估方案审定之日",
    "start_approved": "决定开展评估之日",
    "evaluation_completed": "评估工作完成之日",
    "report_submitted": "评估报告提交决策机关审定（审议）之日",
    "decision_issued": "决策出台之日",
    "archive_filed": "决策档案报备之日",
}
"""Events a deadline is counted from or must be met by, with their Chinese names."""

AGREEMENT_FIELDS = {
    "matter": "评估事项",
    "quality": "质量要求",
    "deadline": "完成期限",
    "fee": "评估经费",
    "ownership": "评估成果归属",
    "confidentiality": "保密条款",
    "liability": "违约责任",
}
"""What a written entrustment agreement may be required to settle (TP-AGREEMENT), Chinese names."""

EXEMPTIONS = {
    "within_12_months": "一年内已组织过执行评估且无新情况、新事由、新争议",
    "superior_evaluates": "应当由上级机关组织评估",
    "already_evaluated": "按照相关规定已进行评价或者评估",
}
"""Exemptions a profile may grant (X-12M, X-SUPERIOR, X-DONE), Chinese names; ids of
pinggu.rules.planning_types.EXEMPTION_KINDS."""

REPORT_BLOCKS = {
    "decision": "决策事项概况",
    "third_party": "委托第三方情况",
    "team": "评估小组",
    "plan": "评估方案",
    "methods": "评估方法与材料",
    "schedule": "步骤与时间安排",
    "deadlines": "法定期限",
    "process": "工作过程记录",
    "survey": "问卷调查",
    "opinions": "意见征集及处理情况",
    "records": "座谈会、实地调研等记录",
    "score": "指标评分",
    "preliminary": "初步结论",
    "type_parts": "中期、终期评估须说明的内容",
    "expert_review": "专家论证",
    "conclusion": "评估结论",
    "follow_up": "后续措施",
    "approvals": "审定与审批记录",
}
"""Content blocks a report part may show (report_sections), with their Chinese names."""

# R-PROCESS (ordos 14(3), ningxia 10(4), minhang 12(4)): the report records the whole process.
R_PROCESS_BLOCKS = (
    "team",
    "plan",
    "methods",
    "survey",
    "opinions",
    "records",
    "expert_review",
    "conclusion",
    "approvals",
    "process",
)

Scoring = Literal["survey_rate", "expert_marks", "data_threshold"]
SCORINGS: tuple[Scoring, ...] = get_args(Scoring)
SurveyItem = Literal["satisfaction", "awareness"]
SURVEY_ITEMS: tuple[SurveyItem, ...] = get_args(SurveyItem)
STAGES = ("preparation", "implementation", "conclusion")

# The values the catalog's 社会关注度 column allows (analysis/catalog.py), for rule conditions.
_FACT_VALUES: dict[str, tuple[str, ...]] = {"public_attention": ("高", "中", "低")}
_PLACEHOLDERS = ("lead_unit", "decision_body")
# DecisionFacts fields a unit rule may test: yes/no and text facts, not a decision's own identity.
_CONDITION_FIELDS = {
    f.name: "bool" if f.type == "bool" else "str"
    for f in dataclass_fields(DecisionFacts)
    if f.type in ("bool", "str", "str | None") and f.name not in ("code", "title", "profile", "planned_evaluation_type")
}
_TIME_TRIGGER_NEEDS = {
    "one_year": vocabulary.EvaluationType.ordinary,
    "half_term": vocabulary.EvaluationType.midterm,
    "ended": vocabulary.EvaluationType.final,
}


# --- problems at key paths ----------------------------------------------------------------------

Loc = tuple[str | int, ...]


class Issues(ValueError):
    """Problems a validator found, each at a key path relative to the object it validated."""

    def __init__(self, issues: list[tuple[Loc, str]]) -> None:
        super().__init__("；".join(reason for _, reason in issues))
        self.issues = issues


def _check(issues: list[tuple[Loc, str]]) -> None:
    if issues:
        raise Issues(issues)


# --- field types --------------------------------------------------------------------------------

Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")]
# Values kept in another module's registry: pydantic checks and lists them as it would a Literal of them,
# and mypy sees the text they are (pinggu.core.choices.OneOf).
EvaluationType = Annotated[str, OneOf(vocabulary.EvaluationType)]
TimeTrigger = Annotated[str, OneOf(TIME_TRIGGERS)]
EventKind = Annotated[str, OneOf(vocabulary.EventKind)]
ProfileGateId = Annotated[str, OneOf(PROFILE_GATE_IDS)]
Method = Annotated[str, OneOf(METHODS)]
TeamRole = Annotated[str, OneOf(TEAM_ROLES)]
Milestone = Literal[
    "trigger",
    "plan_approved",
    "start_approved",
    "evaluation_completed",
    "report_submitted",
    "decision_issued",
    "archive_filed",
]
assert get_args(Milestone) == tuple(MILESTONES)  # same ids, same order (messages list them)
AgreementField = Literal["matter", "quality", "deadline", "fee", "ownership", "confidentiality", "liability"]
assert get_args(AgreementField) == tuple(AGREEMENT_FIELDS)
ExemptionId = Literal["within_12_months", "superior_evaluates", "already_evaluated"]
assert get_args(ExemptionId) == tuple(EXEMPTIONS)
Percent = Annotated[StrictInt, Field(ge=1, le=100)]


def _number(value: Any) -> Any:
    # YAML's true/false and quoted text are not scores; pydantic's lax float would take "90".
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"应为数字，实际为“{value}”")
    return value


Number = Annotated[float, BeforeValidator(_number)]


def _period(value: Any) -> Period:
    """``{amount: 90, unit: days}`` → pinggu.rules.periods.Period, each wrong key reported on its own."""
    if isinstance(value, Period):
        return value
    if not isinstance(value, dict):
        raise Issues([((), "应写成 {amount: 数量, unit: 单位} 的形式，如 {amount: 90, unit: days}")])
    issues: list[tuple[Loc, str]] = []
    for key in value:
        if key not in ("amount", "unit"):
            issues.append(((str(key),), "不认识的键（允许的键：amount、unit）"))
    for key in ("amount", "unit"):
        if key not in value:
            issues.append(((key,), "缺少此项"))
    amount, unit = value.get("amount"), value.get("unit")
    if "amount" in value and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 1):
        issues.append((("amount",), f"期间长度应为正整数，实际为“{amount}”"))
    if "unit" in value and unit not in {u.value for u in PeriodUnit}:
        issues.append((("unit",), f"期间单位“{unit}”无效，应为 days、working_days、months 或 years"))
    _check(issues)
    return Period(value["amount"], PeriodUnit(value["unit"]))


PeriodField = Annotated[
    Period,
    PlainValidator(_period),
    PlainSerializer(lambda p: {"amount": p.amount, "unit": p.unit.value}),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _duplicates(values: typing.Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


# --- what of a basis may be printed ---------------------------------------------------------------

# A basis may carry the profile's own annotations: ``default: seed silent（why）`` for a value the
# regulation does not give, alone or inside the basis ("第十五条第一款（期限 default: seed silent）",
# "第四条第二款（执行单位配合跟踪反馈；周期和期限 default: seed silent）"). They are notes for whoever
# maintains the profile, never text for a document or a message.
_ANNOTATION_MARKS = ("default:", "seed silent")
_OPENING, _CLOSING = "（(", "）)"
_SEPARATORS = "；;"


def _outside_brackets(text: str) -> str:
    """The characters of text at bracket depth 0."""
    depth, kept = 0, list[str]()
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _clauses(text: str) -> list[str]:
    """Text split at the semicolons outside brackets."""
    depth, clauses, current = 0, list[str](), list[str]()
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        if char in _SEPARATORS and depth == 0:
            clauses.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*clauses, "".join(current)]


def _without_annotations(text: str) -> str:
    kept: list[str] = []
    for clause in _clauses(text):
        if any(mark in _outside_brackets(clause) for mark in _ANNOTATION_MARKS):
            continue  # the clause is the annotation (with what explains it)
        printed: list[str] = []
        inner: list[str] = []
        depth, opening = 0, "（"
        for char in clause:
            if char in _OPENING:
                depth += 1
                if depth == 1:
                    opening, inner = char, []
                    continue
            elif char in _CLOSING and depth:
                depth -= 1
                if depth == 0:
                    cleaned = _without_annotations("".join(inner))
                    if cleaned:
                        printed.append(f"{opening}{cleaned}{_CLOSING[_OPENING.index(opening)]}")
                    continue
            (inner if depth else printed).append(char)
        if depth:  # an unclosed bracket: what it holds, without annotations
            cleaned = _without_annotations("".join(inner))
            printed.append(f"{opening}{cleaned}" if cleaned else "")
        if "".join(printed).strip():
            kept.append("".join(printed).strip())
    return "；".join(kept)


def printed_basis(basis: str) -> str:
    """A profile's basis as a document or a message may print it: without the profile's annotations
    (``default: seed silent`` and what it explains); "" when the regulation is silent on the value."""
    return _without_annotations(basis.strip())


# --- the parts of a profile ---------------------------------------------------------------------


class Gate(_Model):
    """A human gate of the procedure: who acts, for which evaluation types, on which article."""

    id: ProfileGateId
    name: Text
    actor: Text
    applies_to: tuple[EvaluationType, ...] = Field(min_length=1)
    basis: Text
    required: StrictBool = True  # false: the evaluating unit may skip it, recording why
    entrusted_only: StrictBool = False  # only when an entrusted third party wrote the report
    # code: a signed-in person also gives the one-time code sent to them (等保 2.0's two factors)
    second_factor: Literal["code"] | None = None


class PlanApprover(_Model):
    """Who approves the annual evaluation plan (signed in to the web app), and on which article."""

    actor: Text
    basis: Text


class Deadline(_Model):
    """A statutory period: ``until`` must happen within ``period`` counted from ``counted_from``."""

    rule: RuleId
    label: Text
    period: PeriodField
    counted_from: Milestone
    until: Milestone
    basis: Text

    @model_validator(mode="after")
    def _distinct_events(self) -> Deadline:
        if self.counted_from == self.until:
            _check([(("until",), f"不能与 counted_from 相同（“{self.until}”）")])
        return self


class Threshold(_Model):
    """A data value at or above ``min`` scores ``score``."""

    min: Number
    score: Annotated[Number, Field(ge=0, le=100)]


class _Scored(_Model):
    """How an indicator without sub-indicators is scored."""

    scoring: Scoring | None = None
    item: SurveyItem | None = None
    measure: Text | None = None
    thresholds: tuple[Threshold, ...] | None = None

    def _scoring_issues(self) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        scoring = self.scoring or "expert_marks"
        if scoring == "survey_rate" and self.item is None:
            issues.append((("item",), "scoring 为 survey_rate 时须写明 item（satisfaction 或 awareness）"))
        if scoring != "survey_rate" and self.item is not None:
            issues.append((("item",), "只有 scoring 为 survey_rate 时才写 item"))
        if scoring == "data_threshold":
            if self.measure is None:
                issues.append((("measure",), "scoring 为 data_threshold 时须写明 measure（所用数据的名称和单位）"))
            if not self.thresholds:
                issues.append(
                    (("thresholds",), "scoring 为 data_threshold 时须列出 thresholds（{min, score}，从高到低）")
                )
            else:
                for i in range(1, len(self.thresholds)):
                    before, this = self.thresholds[i - 1], self.thresholds[i]
                    if this.min >= before.min:
                        issues.append((("thresholds", i, "min"), "应从高到低排列，且不能重复"))
                    elif this.score > before.score:
                        issues.append((("thresholds", i, "score"), "数据越低得分不能越高"))
        else:
            for key in ("measure", "thresholds"):
                if getattr(self, key) is not None:
                    issues.append(((key,), "只有 scoring 为 data_threshold 时才写此项"))
        return issues


class SubIndicator(_Scored):
    """A second-level indicator: its weight within the parent and how it is scored."""

    id: Ident
    name: Text
    weight: Percent
    basis: Text | None = None

    @model_validator(mode="after")
    def _scoring_fits(self) -> SubIndicator:
        _check(self._scoring_issues())
        return self


class Indicator(_Scored):
    """A first-level indicator with its weight in the total score (SPEC §8)."""

    id: Ident
    name: Text
    weight: Percent
    basis: Text
    items: tuple[SubIndicator, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        issues: list[tuple[Loc, str]] = []
        if self.items:
            for key in ("scoring", "item", "measure", "thresholds"):
                if getattr(self, key) is not None:
                    issues.append(((key,), "有 items（二级指标）时按二级指标计分，一级指标不再写此项"))
            total = sum(item.weight for item in self.items)
            if total != 100:
                issues.append((("items",), f"二级指标权重之和应为 100，实际为 {total}"))
            for repeated in _duplicates(item.id for item in self.items):
                issues.append((("items",), f"二级指标 id“{repeated}”重复"))
        else:
            issues.extend(self._scoring_issues())
        _check(issues)
        return self


class GradeBand(_Model):
    """Scores with min ≤ score < max (the top band includes 100) get this grade and recommendation."""

    grade: Text
    min: Annotated[Number, Field(ge=0, le=100)]
    max: Annotated[Number, Field(ge=0, le=100)]
    conclusion: Conclusion

    @model_validator(mode="after")
    def _ordered(self) -> GradeBand:
        if self.max <= self.min:
            _check([(("max",), f"应大于 min（{self.min:g}）")])
        return self


class UnitRuleSpec(_Model):
    """One evaluating-unit rule as written in the file (→ pinggu.rules.planning_types.UnitRule)."""

    unit: Text
    conditions: dict[StrictStr, Any] = {}
    note: StrictStr = ""
    basis: Text

    @model_validator(mode="after")
    def _valid(self) -> UnitRuleSpec:
        issues: list[tuple[Loc, str]] = []
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(self.unit) if name is not None]
        except ValueError:
            names = None
            issues.append((("unit",), "花括号不成对；占位符只能写 {lead_unit} 或 {decision_body}"))
        for name in names or ():
            if name not in _PLACEHOLDERS:
                issues.append((("unit",), f"占位符“{{{name}}}”未知，只能用 {{lead_unit}} 或 {{decision_body}}"))
        for name, value in self.conditions.items():
            where: Loc = ("conditions", name)
            kind = _CONDITION_FIELDS.get(name)
            if kind is None:
                issues.append((where, f"不是可用作条件的决策信息字段（可用：{'、'.join(_CONDITION_FIELDS)}）"))
            elif kind == "bool":
                if not isinstance(value, bool):
                    issues.append((where, f"应为 true 或 false，实际为“{value}”"))
            elif not isinstance(value, str):
                issues.append((where, f"应为文本，实际为“{value}”"))
            elif name in _FACT_VALUES and value not in _FACT_VALUES[name]:
                issues.append((where, f"“{value}”不是可能的取值（可能的取值：{'、'.join(_FACT_VALUES[name])}）"))
        _check(issues)
        return self

    def to_rule(self) -> UnitRule:
        """The rule as the annual plan applies it."""
        return UnitRule(unit=self.unit, conditions=dict(self.conditions), note=self.note)


class ExemptionSpec(_Model):
    """An exemption the regulation grants, with its article (cited in the annual plan)."""

    id: ExemptionId
    basis: Text


class Triggers(_Model):
    """What obliges an evaluation (T-ONE-YEAR, T-HALF, T-ENDED, T-EVENT, T-PROMPT) and what exempts."""

    time: tuple[TimeTrigger, ...]
    events: tuple[EventKind, ...]
    events_need_approval: tuple[EventKind, ...] = ()
    approval_basis: Text | None = None  # who agrees and on which article, when some events need it
    # Events that oblige an evaluation only with a stated reason (ningxia 4(3)(6) “且理由充分的”).
    events_need_reason: tuple[EventKind, ...] = ()
    reason_basis: Text | None = None
    exemptions: tuple[ExemptionSpec, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Triggers:
        issues: list[tuple[Loc, str]] = []
        for key in ("time", "events", "events_need_approval", "events_need_reason"):
            for repeated in _duplicates(getattr(self, key)):
                issues.append(((key,), f"“{repeated}”重复"))
        for repeated in _duplicates(exemption.id for exemption in self.exemptions):
            issues.append((("exemptions",), f"“{repeated}”重复"))
        for i, kind in enumerate(self.events_need_approval):
            if kind not in self.events:
                issues.append((("events_need_approval", i), f"“{kind}”不在 events 中"))
        if self.events_need_approval and self.approval_basis is None:
            issues.append((("approval_basis",), "有须经同意的事件时，须写明由谁同意及依据条款"))
        if not self.events_need_approval and self.approval_basis is not None:
            issues.append((("approval_basis",), "没有须经同意的事件（events_need_approval 为空）时不写此项"))
        for i, kind in enumerate(self.events_need_reason):
            if kind not in self.events:
                issues.append((("events_need_reason", i), f"“{kind}”不在 events 中"))
        if bool(self.events_need_reason) != (self.reason_basis is not None):
            issues.append(
                (("reason_basis",), "须说明理由的事件（events_need_reason）与其依据条款（reason_basis）应同时写明")
            )
        _check(issues)
        return self


class StageSchedule(_Model):
    """Share of the evaluation window each stage gets, in percent (preparation → conclusion)."""

    preparation: Percent
    implementation: Percent
    conclusion: Percent

    @model_validator(mode="after")
    def _sums_to_100(self) -> StageSchedule:
        total = self.preparation + self.implementation + self.conclusion
        if total != 100:
            _check([((), f"三个阶段的比例之和应为 100，实际为 {total}")])
        return self


class FollowUpRule(_Model):
    """After an adjust/suspend/terminate conclusion, the measures the lead unit owes and by when (C-FOLLOWUP)."""

    action: Text
    window: PeriodField
    basis: Text


class Safeguard(_Model):
    """A rule not every regulation states: whether it applies under this profile, and on which article
    (or ``default: seed silent（why）`` when the regulation is silent and the default applies)."""

    applies: StrictBool
    basis: Text


class Safeguards(_Model):
    """The rules the engine applies only as each profile says (TEAM-CONFLICT, TP-*, MH-2)."""

    team_conflict: Safeguard  # TEAM-CONFLICT: who argued the decision beforehand may not evaluate it
    agency_qualification: Safeguard  # TP-QUALIFY: an entrusted agency's equipment and staff
    agency_credit: Safeguard  # TP-CREDIT: no entrustment of an agency with a bad credit record
    no_subcontracting: Safeguard  # TP-NOSUB: no passing the matter on without consent
    outcome_needs_evaluation: Safeguard  # MH-2: no continue/adjust/suspend/terminate before the evaluation
    # S-CONCL: the experts who argue the report are not members of the team that wrote it (bazhou 11(2)
    # "组织有关专家对…报告进行论证"; a report argued only by its authors is not argued by experts).
    reviewers_outside_team: Safeguard


class TeamRoles(_Model):
    """Who may sit on the evaluation team under this regulation; unit staff always (TEAM-MEMBERS)."""

    roles: tuple[TeamRole, ...] = Field(min_length=1)
    basis: Text

    @model_validator(mode="after")
    def _staff_and_once(self) -> TeamRoles:
        issues: list[tuple[Loc, str]] = []
        if UNIT_STAFF not in self.roles:
            issues.append((("roles",), f"须包含“{UNIT_STAFF}”：评估小组由承担评估具体工作的单位人员组成"))
        for role in _duplicates(self.roles):
            issues.append((("roles",), f"“{role}”重复"))
        _check(issues)
        return self


class ThirdParty(_Model):
    """Whether evaluation may be entrusted, and what the written agreement must settle."""

    allowed: StrictBool
    agreement_fields: tuple[AgreementField, ...] = ()
    basis: Text

    @model_validator(mode="after")
    def _consistent(self) -> ThirdParty:
        issues: list[tuple[Loc, str]] = [
            (("agreement_fields",), f"“{repeated}”重复") for repeated in _duplicates(self.agreement_fields)
        ]
        if not self.allowed and self.agreement_fields:
            issues.append((("agreement_fields",), "不允许委托第三方（allowed: false）时不写协议内容"))
        _check(issues)
        return self


class ReportedProblem(_Model):
    """What one kind of immediate report (OR-9) becomes: the event trigger it is recorded as, the article that
    makes it one, and whether the rules say to evaluate at once (“及时”), so that a single-item plan is proposed
    for approval."""

    event: EventKind
    prompt: StrictBool
    basis: Text


class ReportedProblems(_Model):
    """Each kind of immediate report with its own event and article (OR-9: ordos 9 and minhang 督查 5 ¶2 name
    three — a problem in the decision, a major change of circumstances, force majeure — and each regulation
    files them under different triggers: changli 57(1) for a major change, 62 ¶2 for a risk)."""

    problem: ReportedProblem  # 决策存在问题
    major_change: ReportedProblem  # 客观情况发生重大变化
    force_majeure: ReportedProblem  # 发生不可抗力

    def of(self, kind: SeriousReport) -> ReportedProblem:
        """The rule for one kind of report (not for SeriousReport.none, which reports nothing)."""
        if kind is SeriousReport.none:
            raise ValueError("“无”不是须及时报告的情况")
        found: ReportedProblem = getattr(self, kind.name)
        return found

    def all(self) -> tuple[tuple[SeriousReport, ReportedProblem], ...]:
        """Every kind with its rule, in the order the form lists them."""
        return tuple((kind, self.of(kind)) for kind in SeriousReport if kind is not SeriousReport.none)


class ManyOpinions(_Model):
    """When the opinions received count as “较多意见”: so many within a window (E-PUBLIC → many_opinions)."""

    count: Annotated[StrictInt, Field(ge=1)]
    within: PeriodField
    basis: Text


class DutySpec(_Model):
    """A duty the regulation words as 应当 (required), 可以 / 原则上 (optional) or not at all (none), and where."""

    duty: Duty
    basis: Text


class SupervisionReport(_Model):
    """What follows the written supervision report (CL-53: changli 53; minhang 督查 11 ¶1): who approves it before
    it goes out (none: it goes out as written), and to whom it and the approver's instructions are sent — a
    role of pinggu.rules.tracking.Recipient (被督查单位, 决策承办单位, 决策实施单位) or a body named outright."""

    approved_by: Text | None = None
    recipients: tuple[Text, ...] = ()
    basis: Text

    @model_validator(mode="after")
    def _consistent(self) -> SupervisionReport:
        _check([(("recipients",), f"“{repeated}”重复") for repeated in _duplicates(self.recipients)])
        return self

    def roles(self) -> tuple[Recipient | str, ...]:
        """Each recipient as a role where it names one, else the body it names."""
        return tuple(Recipient(r) if r in {m.value for m in Recipient} else r for r in self.recipients)


class Tracking(_Model):
    """跟踪反馈与督查 (OR-6/8/9/10, MH-S6, MH-S9, MH-S2, CL-50, CL-53, E-PUBLIC): how often reports are due, by when
    and from whom, what each immediate report becomes, who supervises and how (the self-inspection, no repeated
    supervision), what happens to the report, who reviews rectification and how closely, when opinions are many."""

    period: PeriodField  # one reporting period (MH-S6: 每月跟踪督办)
    report_within: PeriodField  # the report is due this long after its period ends
    reports_from: ReportsFrom  # CL-50: the lead unit, or the implementing units (the milestones' units)
    report_basis: Text
    reported_problem: ReportedProblems
    supervisor: Text
    supervision_methods: tuple[SupervisionMethod, ...] = Field(min_length=1)
    supervision_basis: Text
    self_inspection: DutySpec  # MH-S9: written supervision → a self-inspection reported by a deadline
    no_repeat: DutySpec  # MH-S2: a matter supervised under other rules is not supervised again
    supervision_report: SupervisionReport  # CL-53: approved by the leaders, then sent to the units named
    rectification_reviewer: Text
    check: Duty  # CL-53 (required: 检查 every item), minhang 督查 11 (optional: 可以抽查), none: 审核 only
    rectification_basis: Text
    many_opinions: ManyOpinions

    @model_validator(mode="after")
    def _consistent(self) -> Tracking:
        issues: list[tuple[Loc, str]] = []
        for key in ("period",):
            if getattr(self, key).unit not in (PeriodUnit.months, PeriodUnit.days):
                issues.append(((key, "unit"), "跟踪周期只能以月（months）或日（days）计"))
        if self.many_opinions.within.unit not in (PeriodUnit.months, PeriodUnit.days):
            issues.append((("many_opinions", "within", "unit"), "意见统计期间只能以月（months）或日（days）计"))
        for repeated in _duplicates(self.supervision_methods):
            issues.append((("supervision_methods",), f"“{repeated}”重复"))
        prompts: dict[str, bool] = {}
        for kind, rule in self.reported_problem.all():
            if prompts.setdefault(rule.event, rule.prompt) is not rule.prompt:
                issues.append(
                    (
                        ("reported_problem", kind.name, "prompt"),
                        f"同一评估情形“{rule.event}”的 prompt 应当一致（是否及时启动评估按评估情形而定）",
                    )
                )
        _check(issues)
        return self


class MonthDay(_Model):
    """A day of the year, e.g. 31 January."""

    month: Annotated[StrictInt, Field(ge=1, le=12)]
    day: Annotated[StrictInt, Field(ge=1, le=31)]


class RiskCriterion(_Model):
    """One of the fixed criteria of the risk levels."""

    situation: RiskSituation
    level: RiskLevel


class DecisionProcedureRules(_Model):
    """How a major decision is made (changli chapters 2–7: CL-3 … CL-47): what counts, the catalog's dates,
    participation, experts, risk, legality review, the meeting and publication, with their numbers."""

    categories: tuple[MatterCategory, ...] = Field(min_length=1)
    scope_basis: Text
    proposals_by: MonthDay
    published_by: MonthDay
    catalog_basis: Text
    participation_means: tuple[ParticipationMeans, ...] = Field(min_length=1)
    comment_period: PeriodField
    hearing_materials_before: PeriodField
    hearing_organisers: tuple[HearingOrganiser, ...] = Field(min_length=1)  # CL-16-HEARING
    hearing_sides_max_ratio: Annotated[float, Field(ge=1)]  # 持不同观点的各方人数基本相当: largest ≤ smallest × this
    in_advance: PeriodField  # 提前 (hearing draft, list, selection method; symposium materials): at least this before
    participation_basis: Text
    experts_min: Annotated[StrictInt, Field(ge=1)]
    experts_min_complex: Annotated[StrictInt, Field(ge=1)]
    expert_time: PeriodField
    oral_to_written_hours: Annotated[StrictInt, Field(ge=1)]
    panel_confirmed_by: PanelConfirmer  # CL-32-PANEL: who confirms the panel the lead unit proposes
    experts_basis: Text
    risk_kinds: tuple[RiskKind, ...] = Field(min_length=1)  # CL-34: each assessed, not arising, or assessed elsewhere
    risk_report_contents: tuple[RiskContent, ...] = Field(min_length=1)
    risk_criteria: tuple[RiskCriterion, ...] = Field(min_length=1)
    risk_basis: Text
    submission_materials: tuple[Material, ...] = Field(min_length=1)
    draft_contents: tuple[DraftContent, ...] = Field(min_length=1)  # CL-12: what the submitted draft contains
    supplement_within: PeriodField
    joint_review_min: PeriodField
    review_opinions_within: PeriodField
    review_opinions_within_complex: PeriodField
    justice_review_within: PeriodField
    legality_basis: Text
    meeting_kinds: tuple[MeetingKind, ...] = Field(min_length=1)
    meeting_materials_before: PeriodField
    meeting_basis: Text
    publication_channels: tuple[PublicationChannel, ...] = Field(min_length=1)
    publication_basis: Text
    # Who answers each step in the web app: a role of the people file, or 决策承办单位 (the matter's own lead unit).
    actors: dict[ProcedureStep, Text]

    @model_validator(mode="after")
    def _consistent(self) -> DecisionProcedureRules:
        issues: list[tuple[Loc, str]] = []
        if self.experts_min_complex < self.experts_min:
            issues.append((("experts_min_complex",), "复杂事项的专家人数不能少于一般事项"))
        for step in ProcedureStep:
            if step not in self.actors:
                issues.append((("actors",), f"请写明“{STEP_NAMES[step]}”（{step.value}）环节由谁办理"))
        situations = [c.situation for c in self.risk_criteria]
        for situation in RiskSituation:
            if situations.count(situation) != 1:
                issues.append((("risk_criteria",), f"“{situation.value}”应当恰好出现一次"))
        for key in (
            "comment_period",
            "hearing_materials_before",
            "in_advance",
            "meeting_materials_before",
            "justice_review_within",
        ):
            if getattr(self, key).unit is not PeriodUnit.days:
                issues.append(((key, "unit"), "此期间以日（days）计"))
        for key in (
            "expert_time",
            "supplement_within",
            "joint_review_min",
            "review_opinions_within",
            "review_opinions_within_complex",
        ):
            if getattr(self, key).unit is not PeriodUnit.working_days:
                issues.append(((key, "unit"), "此期间以工作日（working_days）计"))
        _check(issues)
        return self


# --- the profile --------------------------------------------------------------------------------


class Profile(_Model):
    """One jurisdiction's rules of post-evaluation, read from ``profiles/<id>.yaml``."""

    id: Ident
    name: Text
    issuer: Text
    seed: Text
    title: Text
    # Other regulations the profile cites, by the short name its bases start with (档案第十条 →
    # 《…档案管理工作实施细则》第十条); a basis without such a prefix cites `title`.
    other_regulations: dict[Text, Text] = {}
    evaluation_types: tuple[EvaluationType, ...] = Field(min_length=1)
    methods: tuple[Method, ...] = Field(min_length=1)
    simplified_methods: tuple[Method, ...] = ()
    gates: tuple[Gate, ...] = Field(min_length=1)
    deadlines: tuple[Deadline, ...] = ()
    default_window: PeriodField | None = None
    stage_schedule: StageSchedule
    report_outline: tuple[Text, ...] = Field(min_length=1)
    report_sections: tuple[tuple[Text, ...], ...] = Field(min_length=1)
    midterm_parts: tuple[Text, ...] = ()
    final_parts: tuple[Text, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    score_required: StrictBool
    grade_bands: tuple[GradeBand, ...] = Field(min_length=1)
    triggers: Triggers
    planned_type: EvaluationType | None = None
    evaluating_unit: tuple[UnitRuleSpec, ...] = Field(min_length=1)
    team_roles: TeamRoles
    safeguards: Safeguards
    third_party: ThirdParty
    followup: FollowUpRule
    tracking: Tracking
    plan_approver: PlanApprover | None = None  # None: the office (评估办公室)
    # changli chapters 2–7; only a regulation that governs how decisions are made has it.
    decision_procedure: DecisionProcedureRules | None = None
    # 转办 (pinggu.services.handover): whether a step may be handed to a colleague of the same unit who lacks the role.
    handover_to_colleague: StrictBool = False

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        issues: list[tuple[Loc, str]] = []
        types_offered = set(self.evaluation_types)
        for key in ("evaluation_types", "methods", "simplified_methods", "report_outline"):
            for repeated in _duplicates(getattr(self, key)):
                issues.append(((key,), f"“{repeated}”重复"))
        # simplified procedure: one method of its own list (bazhou 13, changli 60).
        if vocabulary.EvaluationType.simplified in types_offered and not self.simplified_methods:
            issues.append((("simplified_methods",), "提供简易程序（simplified）时须列出可选的方法"))
        if vocabulary.EvaluationType.simplified not in types_offered and self.simplified_methods:
            issues.append((("simplified_methods",), "evaluation_types 中没有 simplified，不写此项"))
        parts_of_types: tuple[tuple[str, str], ...] = (
            ("midterm_parts", vocabulary.EvaluationType.midterm),
            ("final_parts", vocabulary.EvaluationType.final),
        )
        for key, kind in parts_of_types:
            if kind in types_offered and not getattr(self, key):
                issues.append(((key,), f"提供 {kind} 评估时须列出其报告增加的部分"))
            if kind not in types_offered and getattr(self, key):
                issues.append(((key,), f"evaluation_types 中没有 {kind}，不写此项"))
        issues += self._gate_issues(types_offered)
        issues += self._deadline_issues()
        issues += self._indicator_issues()
        issues += self._section_issues()
        issues += self._band_issues()
        if self.planned_type is not None and self.planned_type not in types_offered:
            issues.append((("planned_type",), f"“{self.planned_type}”不在 evaluation_types 中"))
        if self.planned_type is None:
            for i, trigger in enumerate(self.triggers.time):
                needed = _TIME_TRIGGER_NEEDS[trigger]
                if needed not in types_offered:
                    issues.append(
                        (("triggers", "time", i), f"“{trigger}”引起 {needed} 评估，但 evaluation_types 中没有它")
                    )
        last = len(self.evaluating_unit) - 1
        for i, rule in enumerate(self.evaluating_unit):
            if i == last and rule.conditions:
                issues.append((("evaluating_unit", i, "conditions"), "最后一条规则不能有条件：须有一条兜底规则"))
            if i < last and not rule.conditions:
                issues.append(
                    (("evaluating_unit", i, "conditions"), "无条件的规则只能放在最后（其后的规则永远用不到）")
                )
        for kind, reported in self.tracking.reported_problem.all():
            if reported.event not in self.triggers.events:
                issues.append(
                    (
                        ("tracking", "reported_problem", kind.name, "event"),
                        f"“{reported.event}”不在 triggers.events 中",
                    )
                )
        if any(gate.entrusted_only for gate in self.gates) and not self.third_party.allowed:
            issues.append((("third_party", "allowed"), "有仅在委托第三方时适用的关口，却不允许委托第三方"))
        _check(issues)
        return self

    def _gate_issues(self, types_offered: set[str]) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        order = {gate_id: n for n, gate_id in enumerate(PROFILE_GATE_IDS)}
        for i, gate in enumerate(self.gates):
            if i and order[gate.id] <= order[self.gates[i - 1].id]:
                what = "重复" if gate.id == self.gates[i - 1].id else "顺序不对"
                issues.append(
                    (("gates", i, "id"), f"“{gate.id}”{what}：关口应按 {'、'.join(PROFILE_GATE_IDS)} 的顺序各出现一次")
                )
            for j, kind in enumerate(gate.applies_to):
                if kind not in types_offered:
                    issues.append((("gates", i, "applies_to", j), f"“{kind}”不在 evaluation_types 中"))
        # G-APPROVE: every evaluation ends with the decision body's approval, which cannot be skipped.
        approval = [i for i, gate in enumerate(self.gates) if gate.id == GateId.approval]
        if not approval:
            issues.append((("gates",), "缺少决策机关审定关口（approval）"))
        else:
            gate = self.gates[approval[0]]
            missing = [kind for kind in self.evaluation_types if kind not in gate.applies_to]
            if missing:
                issues.append(
                    (("gates", approval[0], "applies_to"), f"审定关口须适用于所有评估类型，缺少 {'、'.join(missing)}")
                )
            if not gate.required or gate.entrusted_only:
                issues.append((("gates", approval[0], "required"), "审定关口不能省略"))
        return issues

    def _deadline_issues(self) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        for repeated in _duplicates(d.rule for d in self.deadlines):
            issues.append((("deadlines",), f"规则编号“{repeated}”重复"))
        windows = [i for i, d in enumerate(self.deadlines) if d.until == "evaluation_completed"]
        if len(windows) > 1:
            issues.append((("deadlines", windows[1], "until"), "只能有一个完成评估的期限"))
        if windows and self.default_window is not None:
            issues.append((("default_window",), "已有法定的完成评估期限（until: evaluation_completed），不写默认期限"))
        if not windows and self.default_window is None:
            issues.append(
                (("default_window",), "没有法定的完成评估期限时须写默认评估期限，如 {amount: 90, unit: days}")
            )
        return issues

    def _section_issues(self) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        if len(self.report_sections) != len(self.report_outline):
            issues.append(
                (
                    ("report_sections",),
                    f"应与 report_outline 一一对应（{len(self.report_outline)} 部分），实际 {len(self.report_sections)} 部分",
                )
            )
        indicator_ids = {indicator.id for indicator in self.indicators}
        seen: set[str] = set()
        for i, blocks in enumerate(self.report_sections):
            if not blocks:
                issues.append((("report_sections", i), "每一部分至少显示一项内容"))
            for j, block in enumerate(blocks):
                kind, _, indicator = block.partition(":")
                if block in seen:
                    issues.append((("report_sections", i, j), f"“{block}”重复出现"))
                seen.add(block)
                if kind == "indicator":
                    if indicator not in indicator_ids:
                        issues.append((("report_sections", i, j), f"指标“{indicator}”不在 indicators 中"))
                elif block not in REPORT_BLOCKS:
                    issues.append(
                        (
                            ("report_sections", i, j),
                            f"“{block}”不是可用的内容（{'、'.join(REPORT_BLOCKS)}，或 indicator:指标编号）",
                        )
                    )
        missing = [block for block in R_PROCESS_BLOCKS if block not in seen]
        if self.midterm_parts or self.final_parts:
            missing += [] if "type_parts" in seen else ["type_parts"]
        if missing:
            issues.append((("report_sections",), f"报告须记录评估全过程（R-PROCESS），缺少：{'、'.join(missing)}"))
        return issues

    def _indicator_issues(self) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        total = sum(indicator.weight for indicator in self.indicators)
        if total != 100:
            issues.append((("indicators",), f"一级指标权重之和应为 100，实际为 {total}"))
        for repeated in _duplicates(indicator.id for indicator in self.indicators):
            issues.append((("indicators",), f"指标 id“{repeated}”重复"))
        return issues

    def _band_issues(self) -> list[tuple[Loc, str]]:
        issues: list[tuple[Loc, str]] = []
        bands = sorted(enumerate(self.grade_bands), key=lambda pair: pair[1].min)
        for repeated in _duplicates(band.grade for band in self.grade_bands):
            issues.append((("grade_bands",), f"等次“{repeated}”重复"))
        first_i, first = bands[0]
        if first.min != 0:
            issues.append((("grade_bands", first_i, "min"), f"最低等次应从 0 分起，实际从 {first.min:g} 分起"))
        for (prev_i, prev), (i, band) in zip(bands, bands[1:], strict=False):
            if band.min > prev.max:
                issues.append(
                    (("grade_bands", prev_i, "max"), f"{prev.max:g} 至 {band.min:g} 分之间没有等次（有空档）")
                )
            elif band.min < prev.max:
                issues.append(
                    (("grade_bands", i, "min"), f"与等次“{prev.grade}”重叠（{band.min:g} 至 {prev.max:g} 分）")
                )
        last_i, last = bands[-1]
        if last.max != 100:
            issues.append((("grade_bands", last_i, "max"), f"最高等次应到 100 分，实际到 {last.max:g} 分"))
        return issues

    # --- what the engine asks ----------------------------------------------------------------

    @property
    def evaluation_window(self) -> Period:
        """The period an evaluation must be completed in: the statutory one, else default_window."""
        for deadline in self.deadlines:
            if deadline.until == "evaluation_completed":
                return deadline.period
        assert self.default_window is not None  # validated: one of the two is given
        return self.default_window

    def gate_title(self, gate: str) -> str:
        """The gate as this regulation names it (区政府审定, 厅决策机关审议), else by its registry name:
        one name for a gate wherever an evaluation under this profile shows it."""
        declared = next((g.name for g in self.gates if g.id == gate), None)
        return declared or GATES[GateId(gate)].name

    def citation(self, article: str) -> str:
        """An article as documents cite it: 《title》article, or 《other regulation》article when the
        article starts with that regulation's short name (other_regulations); the profile's annotations
        left out (printed_basis), and "" when the regulation is silent (a ``default:`` basis)."""
        article = printed_basis(article)
        if not article:
            return ""
        for short, title in self.other_regulations.items():
            if article.startswith(short) and article[len(short) :].startswith("第"):
                return f"《{title}》{article[len(short) :]}"
        return f"《{self.title}》{article}"

    def cited(self, basis: str) -> str:
        """A basis as a message to a person cites it: the article, or that the regulation is silent and why
        the default applies (never the profile's annotation itself)."""
        if basis.strip().startswith("default:"):
            why = basis.strip().removeprefix("default:").strip().removeprefix("seed silent").strip()
            if why[:1] in _OPENING and why[-1:] in _CLOSING:
                why = why[1:-1]  # default: seed silent（why）
            why = printed_basis(why)
            return f"《{self.title}》未作规定，按本系统默认规则" + (f"：{why}" if why else "")
        return self.citation(basis)

    def cite(self, safeguard: Safeguard) -> str:
        """A safeguard's basis as a refusal cites it: the article, or that the regulation is silent and the default."""
        return self.cited(safeguard.basis)

    def check_team(self, members: list[Member], assessors: typing.Iterable[str]) -> None:
        """The evaluation team under this regulation: its roles, unit staff, and TEAM-CONFLICT where it applies."""
        team.check_team(
            members,
            assessors,
            roles=self.team_roles.roles,
            basis=self.cited(self.team_roles.basis),
            conflict_basis=self.applied(self.safeguards.team_conflict),
        )

    def check_experts(
        self, names: list[str], assessors: typing.Iterable[str], members: typing.Iterable[str] = ()
    ) -> None:
        """The report's reviewers: none who argued the decision beforehand, where TEAM-CONFLICT applies, and
        none of the evaluation team's members (the report's authors), where reviewers_outside_team applies."""
        team.check_experts(
            names,
            assessors,
            conflict_basis=self.applied(self.safeguards.team_conflict),
            members=members,
            outside_basis=self.applied(self.safeguards.reviewers_outside_team),
        )

    def applied(self, safeguard: Safeguard) -> str | None:
        """What a refusal under an applied safeguard cites; None where this profile does not apply it."""
        return self.cite(safeguard) if safeguard.applies else None

    def plan_policy(self) -> PlanPolicy:
        """What the annual plan needs from this profile (pinggu.rules.annual_plan)."""
        approval = self.triggers.approval_basis
        return PlanPolicy(
            profile=self.id,
            time_triggers=frozenset(self.triggers.time),
            event_kinds=frozenset(self.triggers.events),
            events_need_approval=frozenset(self.triggers.events_need_approval),
            planned_type=self.planned_type,
            unit_rules=tuple(rule.to_rule() for rule in self.evaluating_unit),
            due=self.evaluation_window,
            exemptions=frozenset(exemption.id for exemption in self.triggers.exemptions),
            exemption_basis={exemption.id: self.citation(exemption.basis) for exemption in self.triggers.exemptions},
            approval_basis=self.citation(approval) if approval else "",
            prompt_events=PROMPT_EVENT_KINDS
            | {rule.event for _, rule in self.tracking.reported_problem.all() if rule.prompt},
        )

    def gates_for(self, evaluation_type: str, *, entrusted: bool = False) -> tuple[Gate, ...]:
        """The gates an evaluation of this type passes, in order (entrusted: a third party reports)."""
        return tuple(
            gate for gate in self.gates if evaluation_type in gate.applies_to and (entrusted or not gate.entrusted_only)
        )

    def deadline(self, rule: str) -> Deadline:
        """The deadline with this rule id (e.g. NX-11); KeyError when the profile has none."""
        for deadline in self.deadlines:
            if deadline.rule == rule:
                return deadline
        raise KeyError(rule)

    def type_parts(self, evaluation_type: str) -> tuple[str, ...]:
        """What a report of this type adds to report_outline (midterm / final), else ()."""
        parts: dict[str, tuple[str, ...]] = {
            vocabulary.EvaluationType.midterm: self.midterm_parts,
            vocabulary.EvaluationType.final: self.final_parts,
        }
        return parts.get(evaluation_type, ())

    def stage_offsets(self, total_days: int) -> dict[str, int]:
        """Cumulative day on which each stage should end, for a window of ``total_days`` days."""
        shares = self.stage_schedule
        preparation = round(total_days * shares.preparation / 100)
        implementation = round(total_days * (shares.preparation + shares.implementation) / 100)
        return {"preparation": preparation, "implementation": implementation, "conclusion": total_days}

    def grade_for(self, score: float) -> GradeBand:
        """The grade band of a total score 0–100 (its recommended conclusion is only a proposal)."""
        if not 0 <= score <= 100:
            raise ValueError(f"评估得分应在 0 至 100 之间，实际为 {score}")
        for band in self.grade_bands:
            if band.min <= score < band.max or score == band.max == 100:
                return band
        raise AssertionError("grade bands are validated to cover 0–100")  # pragma: no cover
