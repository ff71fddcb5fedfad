"""The score against the indicator system and the recommended conclusion (MH-14, SPEC §8).

Minhang 10 and 14 require an evaluation to be scored against an indicator system and the
conclusion to be stated "according to the score". A profile (pinggu.rules.profiles) gives the first-level
indicators with their weights; an indicator either has second-level items (weights summing to 100)
or is scored itself. Three scorings:

* ``survey_rate``: the questionnaire's rate × 100 (``item: satisfaction`` →
  ``survey["satisfaction_rate"]``, ``awareness`` → ``survey["awareness_rate"]``; ``survey`` is
  ``pinggu.analysis.survey_figures.SurveyFigures.to_dict()``);
* ``expert_marks``: the experts' marks 0–100, averaged when a list is given;
* ``data_threshold``: the score of the highest threshold whose ``min`` the value reaches (0 below
  all of them).

The total is Σ weight × score / 100 over the first-level indicators, a parent's score being
Σ weight × score / 100 over its items; the total is rounded to 2 decimals and the profile's grade
bands give the grade and the *recommended* conclusion (``Profile.grade_for``). The approver may
depart from the recommendation only with a written reason (``departure_reason_required``).

No preset conclusion (C-NOPRESET: bazhou 5, ningxia 9, changli 55): a score exists only once all of
its evidence does. ``score`` refuses with ``RuleViolation(rule="C-NOPRESET")`` naming every missing
input rather than scoring part of the system; ``missing_inputs`` tells beforehand what is missing.
No selective use of information either: a mark or a figure that no indicator of the system takes
is refused (``RuleViolation(rule="MH-14")``) instead of being silently left out.

Keys of ``expert_marks`` and ``data``: the indicator id (``effect``), the qualified id
(``goal_attainment.effect``, needed when a second-level id repeats), or the Chinese name; for
``data`` also the measure as written in the profile (``目标任务完成率（%）``).

``read_expert_marks`` reads the experts' submitted table (CSV in UTF-8/GBK, or XLSX; columns
指标, 专家, 分数) and returns the mean mark per indicator; bad rows are reported with their
spreadsheet row number (the header is row 1) and column, in an ``InputFileError``.

Pure Python plus openpyxl for XLSX input: no Prefect, no database.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pinggu.core.errors import InputFileError, Problem, RuleViolation
from pinggu.core.spreadsheet import locate_columns, read_grid
from pinggu.rules.profiles import Profile
from pinggu.rules.vocabulary import Conclusion

SURVEY_RATE_KEYS = {"satisfaction": "satisfaction_rate", "awareness": "awareness_rate"}
"""Which figure of ``SurveyFigures.to_dict()`` a ``survey_rate`` item takes."""

_NEEDS = {"satisfaction": "问卷满意度", "awareness": "问卷认知度", "expert_marks": "专家打分"}
_SOURCES = {"satisfaction": "问卷满意度", "awareness": "问卷认知度"}

EXPERT_COLUMNS: dict[str, tuple[str, ...]] = {
    "指标": ("指标", "指标名称", "指标编号", "评估指标"),
    "专家": ("专家", "专家姓名", "评分专家"),
    "分数": ("分数", "得分", "评分", "打分"),
}
"""The expert table's columns, each with the header spellings accepted for it."""


# --- the score card ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's score 0–100 (None only while it has no evidence) and where it came from."""

    id: str
    name: str
    weight: float
    score: float | None
    source: str
    children: tuple[IndicatorScore, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "weight": _number(self.weight),
            "score": None if self.score is None else round(self.score, 2),
            "source": self.source,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass(frozen=True)
class ScoreCard:
    """The total score, its grade and recommended conclusion, and the indicators' scores."""

    total: float
    grade: str
    recommended: str
    indicators: tuple[IndicatorScore, ...]
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; scores rounded to 2 decimals."""
        return {
            "total": round(self.total, 2),
            "grade": self.grade,
            "recommended": self.recommended,
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "missing": list(self.missing),
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


# --- the indicator system as a list of scored leaves ------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    key: str  # qualified id: "legality" or "goal_attainment.task_completion"
    id: str
    name: str
    label: str  # Chinese name with its parent: "实施结果…／目标任务完成率"
    weight: float
    scoring: str
    item: str | None
    measure: str | None
    thresholds: tuple[tuple[float, float], ...]

    @property
    def need(self) -> str:
        if self.scoring == "survey_rate":
            return _NEEDS[self.item or ""]
        if self.scoring == "data_threshold":
            return f"数据“{self.measure}”"
        return _NEEDS["expert_marks"]


def _leaves(profile: Profile) -> list[tuple[Any, list[_Leaf]]]:
    """Each first-level indicator with its scored leaves (itself when it has no items)."""
    out: list[tuple[Any, list[_Leaf]]] = []
    for indicator in profile.indicators:
        nodes = (
            [(indicator.id, indicator, indicator.name)]
            if not indicator.items
            else [(f"{indicator.id}.{item.id}", item, f"{indicator.name}／{item.name}") for item in indicator.items]
        )
        leaves = [
            _Leaf(
                key=key,
                id=node.id,
                name=node.name,
                label=label,
                weight=float(node.weight),
                scoring=node.scoring or "expert_marks",
                item=node.item,
                measure=node.measure,
                thresholds=tuple((t.min, t.score) for t in node.thresholds or ()),
            )
            for key, node, label in nodes
        ]
        out.append((indicator, leaves))
    return out


def inputs_needed(profile: Profile) -> dict[str, list[tuple[str, str]]]:
    """What the experts and the statistics must supply: {"expert_marks": [(key, label)], "data": [(measure, label)]}.

    The keys are what the expert table's 指标 column and the statistics' names accept.
    """
    leaves = [leaf for _, group in _leaves(profile) for leaf in group]
    return {
        "expert_marks": [(leaf.key, leaf.label) for leaf in leaves if leaf.scoring == "expert_marks"],
        "data": [(leaf.measure or leaf.key, leaf.label) for leaf in leaves if leaf.scoring == "data_threshold"],
    }


def _resolver(profile: Profile) -> tuple[dict[str, list[_Leaf]], list[_Leaf]]:
    """Every name a leaf may be called by → the leaves so called (more than one = ambiguous)."""
    leaves = [leaf for _, group in _leaves(profile) for leaf in group]
    names: dict[str, list[_Leaf]] = {}
    for leaf in leaves:
        aliases = {leaf.key, leaf.id, leaf.name, leaf.label}
        if leaf.measure:
            aliases.add(leaf.measure)
        for alias in aliases:
            names.setdefault(alias, []).append(leaf)
    # A qualified id is exact even if a plain id elsewhere is spelled the same.
    for leaf in leaves:
        names[leaf.key] = [leaf]
    return names, leaves


def _resolve(names: dict[str, list[_Leaf]], key: str, scoring: str, what: str) -> _Leaf:
    found = names.get(str(key).strip())
    if not found:
        raise RuleViolation(
            f"{what}中的“{key}”不是本规则指标体系中的指标；请使用指标编号、指标名称或“一级指标编号.二级指标编号”",
            rule="MH-14",
            key=key,
        )
    if len(found) > 1:
        options = "、".join(leaf.key for leaf in found)
        raise RuleViolation(f"{what}中的“{key}”可指多个指标（{options}），请写明其中之一", rule="MH-14", key=key)
    leaf = found[0]
    if leaf.scoring != scoring:
        raise RuleViolation(f"{what}中的“{key}”（{leaf.label}）按{leaf.need}计分，不接受{what}", rule="MH-14", key=key)
    return leaf


def _bind(profile: Profile, values: Mapping[str, Any], scoring: str, what: str) -> dict[str, Any]:
    """Inputs keyed by leaf key; refuses keys the system has no (such) indicator for, and doubles."""
    names, _ = _resolver(profile)
    bound: dict[str, Any] = {}
    written: dict[str, str] = {}
    for key, value in values.items():
        leaf = _resolve(names, key, scoring, what)
        if leaf.key in bound:
            raise RuleViolation(
                f"{what}中“{written[leaf.key]}”与“{key}”是同一指标（{leaf.label}），只能给一次",
                rule="MH-14",
                key=key,
            )
        bound[leaf.key], written[leaf.key] = value, str(key)
    return bound


# --- scoring ----------------------------------------------------------------------------------


def _mark(leaf: _Leaf, value: Any) -> float | None:
    """An expert mark (or the mean of several); None when there is none."""
    if value is None:
        return None
    marks = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    if not marks:
        return None
    valid: list[float] = []
    # `mark < 0 or not mark <= 100`: typeshed's numbers.Real declares only __lt__/__le__ (NaN is refused first).
    for mark in marks:
        if (
            isinstance(mark, bool)
            or not isinstance(mark, numbers.Real)
            or math.isnan(mark)
            or mark < 0
            or not mark <= 100
        ):
            raise ValueError(f"“{leaf.label}”的专家打分应为 0 至 100 的数字，实际为“{mark}”")
        valid.append(float(mark))
    return sum(valid) / len(valid)


def _datum(leaf: _Leaf, value: Any) -> float | None:
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isinf(value):
        raise ValueError(f"“{leaf.label}”的数据“{leaf.measure}”应为数字，实际为“{value}”")
    return float(value)


def threshold_score(value: float, thresholds: Iterable[tuple[float, float]]) -> float:
    """The score of the highest threshold ``(min, score)`` whose min ≤ value; 0 below all of them."""
    reached = [(low, points) for low, points in thresholds if value >= low]
    return float(max(reached)[1]) if reached else 0.0


def _rate(survey: Mapping[str, Any] | None, item: str) -> float | None:
    if survey is None:
        return None
    rate = survey.get(SURVEY_RATE_KEYS[item])
    if rate is None or (isinstance(rate, numbers.Real) and math.isnan(rate)):
        return None
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or rate < 0 or not rate <= 1:
        raise ValueError(f"{_SOURCES[item]}应为 0 至 1 之间的比率，实际为“{rate}”")
    return float(rate)


def _leaf_score(
    leaf: _Leaf, survey: Mapping[str, Any] | None, marks: dict[str, Any], data: dict[str, Any]
) -> tuple[float | None, str]:
    if leaf.scoring == "survey_rate":
        assert leaf.item is not None  # validated by the profile
        rate = _rate(survey, leaf.item)
        if rate is None:
            return None, ""
        return rate * 100, f"{_SOURCES[leaf.item]} {rate * 100:.2f}%"
    if leaf.scoring == "data_threshold":
        value = _datum(leaf, data.get(leaf.key))
        if value is None:
            return None, ""
        points = threshold_score(value, leaf.thresholds)
        return points, f"数据“{leaf.measure}”为 {value:g}，按阈值得 {points:g} 分"
    raw = marks.get(leaf.key)
    mean = _mark(leaf, raw)
    if mean is None:
        return None, ""
    count = len(raw) if isinstance(raw, Sequence) and not isinstance(raw, str) else None
    return mean, f"专家打分（{count} 位专家的平均分）" if count else "专家打分（平均分）"


def _weighted_sum(parts: Sequence[IndicatorScore]) -> float | None:
    """Σ weight × score / 100 over the parts; None when any part has no score yet."""
    scored = [(part.weight, part.score) for part in parts if part.score is not None]
    if len(scored) < len(parts):
        return None
    return sum(weight * points / 100 for weight, points in scored)


def _evaluate(
    profile: Profile,
    survey: Mapping[str, Any] | None,
    expert_marks: Mapping[str, Any],
    data: Mapping[str, Any],
) -> tuple[tuple[IndicatorScore, ...], tuple[str, ...]]:
    marks = _bind(profile, expert_marks, "expert_marks", "专家打分")
    figures = _bind(profile, data, "data_threshold", "数据")
    indicators: list[IndicatorScore] = []
    missing: list[str] = []
    for indicator, leaves in _leaves(profile):
        scored = []
        for leaf in leaves:
            points, source = _leaf_score(leaf, survey, marks, figures)
            if points is None:
                missing.append(f"{leaf.label}（{leaf.need}）")
                source = f"缺少{leaf.need}"
            scored.append(IndicatorScore(leaf.id, leaf.name, leaf.weight, points, source))
        if not indicator.items:
            indicators.append(scored[0])
            continue
        total = _weighted_sum(scored)
        complete = total is not None
        indicators.append(
            IndicatorScore(
                indicator.id,
                indicator.name,
                float(indicator.weight),
                total,
                "二级指标加权" if complete else "二级指标缺少依据",
                tuple(scored),
            )
        )
    return tuple(indicators), tuple(missing)


def missing_inputs(
    profile: Profile,
    *,
    survey: Mapping[str, Any] | None,
    expert_marks: Mapping[str, Any],
    data: Mapping[str, Any],
) -> tuple[str, ...]:
    """What the score still lacks, as “指标名称（所需依据）”; empty once it can be computed."""
    return _evaluate(profile, survey, expert_marks, data)[1]


def score(
    profile: Profile,
    *,
    survey: Mapping[str, Any] | None,
    expert_marks: Mapping[str, float | Sequence[float]],
    data: Mapping[str, float],
) -> ScoreCard:
    """Score the evaluation against the profile's indicator system (MH-14).

    Refuses with ``RuleViolation(rule="C-NOPRESET")`` naming every indicator whose evidence is
    missing (context ``missing``), and with ``RuleViolation(rule="MH-14")`` a mark or figure that no
    indicator of the system takes. Values out of range (a mark outside 0–100, a rate outside 0–1)
    are a ``ValueError``.
    """
    indicators, missing = _evaluate(profile, survey, expert_marks, data)
    if missing:
        raise RuleViolation(
            f"尚不能计算评估得分：以下 {len(missing)} 项指标缺少依据——{'；'.join(missing)}。"
            "请先取得这些依据再计分，不能预设得分或只按部分指标计分",
            rule="C-NOPRESET",
            missing=missing,
            profile=profile.id,
        )
    raw = _weighted_sum(indicators)
    assert raw is not None  # nothing is missing, so every indicator has its score
    # Rounded before grading, so the grade always matches the total shown (89.999… is not 良 at "90.00").
    total = min(100.0, max(0.0, round(raw, 2)))
    band = profile.grade_for(total)
    return ScoreCard(
        total=total,
        grade=band.grade,
        recommended=Conclusion(band.conclusion).value,
        indicators=indicators,
        missing=(),
    )


# --- the approver's choice --------------------------------------------------------------------


def _conclusion(value: str, what: str) -> Conclusion:
    try:
        return Conclusion(str(getattr(value, "value", value)).strip())
    except ValueError:
        allowed = "、".join(c.value for c in Conclusion)
        raise ValueError(f"{what}“{value}”不是可用的评估结论（可用：{allowed}）") from None


def departure_reason_required(recommended: str, chosen: str) -> bool:
    """Whether the approver's conclusion departs from the score's recommendation (SPEC §8).

    True means the approver must give a written reason for the choice.
    """
    return _conclusion(chosen, "审定结论") is not _conclusion(recommended, "推荐结论")


def check_departure(recommended: str, chosen: str, reason: str | None) -> None:
    """Refuse a departure from the recommended conclusion without a written reason (MH-14, SPEC §8)."""
    if departure_reason_required(recommended, chosen) and not (reason or "").strip():
        raise RuleViolation(
            f"审定结论“{_conclusion(chosen, '审定结论').value}”与按得分推荐的结论"
            f"“{_conclusion(recommended, '推荐结论').value}”不同，须书面说明理由",
            rule="MH-14",
            recommended=str(recommended),
            chosen=str(chosen),
        )


# --- the experts' table -----------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def read_expert_marks(path: Path, *, profile: Profile | None = None) -> dict[str, float]:
    """The mean expert mark per indicator, from a submitted table (columns 指标, 专家, 分数).

    Keys are the 指标 cells as written (an indicator id or Chinese name; ``score`` resolves both),
    or, when ``profile`` is given, the qualified indicator id, and then an indicator the profile
    does not score by expert marks is a bad row. Every bad row is reported with its row number
    and column in one ``InputFileError``; nothing is returned from a file with a bad row.
    """
    path = Path(path)
    header, rows = read_grid(path, "专家打分表")
    columns = _columns(path, header)
    names = _resolver(profile)[0] if profile is not None else None
    problems: list[Problem] = []
    marks: dict[str, list[float]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        cell = {name: (cells[pos] if pos < len(cells) else "") for name, pos in columns.items()}
        indicator, expert, text = cell["指标"], cell["专家"], cell["分数"]
        bad = len(problems)
        for name, value in cell.items():
            if not value:
                problems.append(Problem("必须填写", number, name))
        key = indicator
        if indicator and names is not None:
            try:
                key = _resolve(names, indicator, "expert_marks", "专家打分").key
            except RuleViolation as exc:
                problems.append(Problem(exc.message, number, "指标"))
        mark = None
        if text:
            cleaned = text.rstrip("分").strip()
            if not _NUMBER.match(cleaned):
                problems.append(Problem(f"分数应为 0 至 100 的数字，实际为“{text}”", number, "分数"))
            elif not 0 <= float(cleaned) <= 100:
                problems.append(Problem(f"分数应在 0 至 100 之间，实际为 {cleaned}", number, "分数"))
            else:
                mark = float(cleaned)
        if indicator and expert:
            first = seen.setdefault((key, expert), number)
            if first != number:
                problems.append(
                    Problem(f"专家“{expert}”对该指标已在第 {first} 行打分，每位专家每项指标只打一次分", number, "专家")
                )
        if len(problems) == bad and mark is not None:
            marks.setdefault(key, []).append(mark)
    if problems:
        raise InputFileError(
            f"专家打分表“{path.name}”有 {len(problems)} 处问题，未读取；请修改后重新提交：",
            problems=problems,
            path=str(path),
        )
    if not marks:
        raise InputFileError(
            f"专家打分表“{path.name}”只有表头，没有打分（从第 2 行起每行一位专家对一项指标的分数）", path=str(path)
        )
    return {key: sum(values) / len(values) for key, values in marks.items()}


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    return locate_columns(path, header, EXPERT_COLUMNS, what="专家打分表", expected="指标、专家、分数")
