"""Questionnaire figures (SPEC §7): satisfaction, awareness, Wilson intervals, demographic breakdowns —
`summarise_survey` of a frame `read_survey` returned (pinggu.analysis.survey_reading) or of one built by hand.

Pure pandas on purpose: the flow tasks call this, but it must stay importable and testable
without Prefect or the database.

Which answers are blank and how numeric satisfaction codes are read (E-SCALE) are the rules of
pinggu.analysis.survey_reading (its module docstring); the figures apply the same rules to a frame built by hand.

Nothing is dropped silently: `summarise_survey` lists in ``SurveyFigures.unanalysed`` (``{"question",
"reason"}``, the reason in Chinese, saying what to do) every question it cannot analyse:

* a question whose answers are all blank: an item (satisfaction or yes/no) without one answer, or a
  column whose header contains 满意 or 是否, or which holds a platform blank marker, with every
  answer blank or skipped — it is not among the items, so no 0 % is ever shown for it;
* a column more than half of whose answers lie on one scale (satisfaction or 是/否) but whose other
  answers are unrecognisable: the answers and their row numbers are named. (A column whose header
  has 满意度 or 是否 and an answer off its scale is refused by `read_survey` instead, as before.)

A column neither of these describes — free text, an empty column with no question hint (an unused
platform field) — is not a question the figures could use, and is not listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from pinggu.analysis.privacy import mask_text
from pinggu.analysis.survey_reading import (
    _BLANK_MARKER,
    _ID_COLUMNS,
    _LIKERT_NUMBER,
    _QUESTION_HINTS,
    DEMOGRAPHIC_COLUMNS,
    NO,
    SATISFACTION_SCALE,
    YES,
    _blank_answers,
    code_labels,
)
from pinggu.rules.vocabulary import SatisfactionScale

_UNANSWERED_GROUP = "未填写"
_SHOWN_VALUES = 3  # unrecognisable answers named in a reason
_SHOWN_ROWS = 5  # rows named per answer
_SHOWN_LENGTH = 12  # characters of an answer shown
_Kind = Literal["satisfaction", "yes_no"]


@dataclass(frozen=True)
class ItemFigures:
    """Figures for one question item (rate and interval on non-blank answers)."""

    question: str
    kind: _Kind
    n: int
    rate: float  # satisfaction: share of 很满意+满意; yes_no: share of 是; 0.0 when n == 0
    ci95: tuple[float, float]
    mean: float | None  # satisfaction only, on the 5..1 scale


@dataclass(frozen=True)
class SurveyFigures:
    """Response counts, pooled rates, per-item figures and demographic breakdowns of one survey.

    ``unanalysed``: the questions that are in no figure, each ``{"question": …, "reason": …}`` with
    the reason in Chinese (module docstring).
    """

    respondents: int
    items: list[ItemFigures]
    awareness_rate: float | None
    satisfaction_rate: float | None
    satisfaction_mean: float | None
    breakdowns: dict[str, list[dict[str, Any]]]
    unanalysed: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, floats rounded to 4 decimals."""
        figures: dict[str, Any] = _jsonable(
            {
                "respondents": self.respondents,
                "awareness_rate": self.awareness_rate,
                "satisfaction_rate": self.satisfaction_rate,
                "satisfaction_mean": self.satisfaction_mean,
                "items": [
                    {
                        "question": i.question,
                        "kind": i.kind,
                        "n": i.n,
                        "rate": i.rate,
                        "ci95": i.ci95,
                        "mean": i.mean,
                    }
                    for i in self.items
                ],
                "unanalysed": self.unanalysed,
                "breakdowns": self.breakdowns,
            }
        )
        return figures


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 4)
    return value


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0.0, 0.0) when there are no answers."""
    if n == 0:
        return (0.0, 0.0)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"successes={successes} 与 n={n} 不合理")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def summarise_survey(survey: pd.DataFrame, scale: SatisfactionScale | None = None) -> SurveyFigures:
    """Per-item figures, pooled awareness/satisfaction, and breakdowns by each demographic present.

    A question that cannot be analysed is listed in ``unanalysed`` with its reason, never dropped
    silently (module docstring); so is a numeric satisfaction column of a frame built by hand whose
    direction neither its header nor ``scale`` gives (E-SCALE, pinggu.analysis.survey_reading).
    """
    kinds, unanalysed, codes = _item_kinds(survey, scale)
    sat_cols = [c for c, k in kinds.items() if k == "satisfaction"]
    yn_cols = [c for c, k in kinds.items() if k == "yes_no"]
    rows = len(survey)
    # One numeric matrix per kind (NaN = blank) so every figure below is a column/row reduction.
    sat = _score_matrix(survey, sat_cols, SATISFACTION_SCALE, rows, codes)
    yn = _score_matrix(survey, yn_cols, {YES: 1, NO: 0}, rows)

    items: list[ItemFigures] = []
    sat_n, sat_top, sat_sum = (~np.isnan(sat)).sum(0), (sat >= 4).sum(0), np.nansum(sat, 0)
    yn_n, yn_yes = (~np.isnan(yn)).sum(0), np.nansum(yn, 0)
    for col in kinds:
        if kinds[col] == "satisfaction":
            j = sat_cols.index(col)
            n, hits, mean = int(sat_n[j]), int(sat_top[j]), (float(sat_sum[j]) / sat_n[j] if sat_n[j] else None)
        else:
            j = yn_cols.index(col)
            n, hits, mean = int(yn_n[j]), int(yn_yes[j]), None
        items.append(
            ItemFigures(
                question=col,
                kind=kinds[col],
                n=n,
                rate=hits / n if n else 0.0,
                ci95=wilson_interval(hits, n),
                mean=mean,
            )
        )

    per_row = pd.DataFrame(
        {
            "sat_n": (~np.isnan(sat)).sum(1),
            "sat_top": (sat >= 4).sum(1),
            "sat_sum": np.nansum(sat, 1),
            "aw_n": (~np.isnan(yn)).sum(1),
            "aw_yes": np.nansum(yn, 1),
        },
        index=survey.index,
    )
    totals = per_row.sum()
    return SurveyFigures(
        respondents=rows,
        items=items,
        awareness_rate=_ratio(totals["aw_yes"], totals["aw_n"]) if yn_cols else None,
        satisfaction_rate=_ratio(totals["sat_top"], totals["sat_n"]) if sat_cols else None,
        satisfaction_mean=_ratio(totals["sat_sum"], totals["sat_n"]) if sat_cols else None,
        breakdowns={
            col: _breakdown(survey[col], per_row, rows, bool(sat_cols), bool(yn_cols))
            for col in DEMOGRAPHIC_COLUMNS
            if col in survey.columns
        },
        unanalysed=unanalysed,
    )


def _item_kinds(
    survey: pd.DataFrame, scale: SatisfactionScale | None = None
) -> tuple[dict[str, _Kind], list[dict[str, str]], dict[str, dict[str, str]]]:
    """The items and their kinds, the questions that cannot be analysed with their reasons, and what the
    numeric codes of each satisfaction column of text mean (E-SCALE)."""
    kinds: dict[str, _Kind] = {}
    unanalysed: list[dict[str, str]] = []
    codes: dict[str, dict[str, str]] = {}
    for col in survey.columns:
        if col in DEMOGRAPHIC_COLUMNS or col in _ID_COLUMNS:
            continue
        s = survey[col]
        name = str(col)
        reason: str | None = None
        if isinstance(s.dtype, pd.CategoricalDtype):
            categories = set(s.cat.categories)
            kind: _Kind | None = (
                "satisfaction"
                if categories and categories <= set(SATISFACTION_SCALE)
                else "yes_no"
                if categories and categories <= {YES, NO}
                else None
            )
            if kind is not None and not s.notna().any():
                kind, reason = None, _all_blank_reason(len(s))
        else:
            # Free text kept by read_survey, or a frame built by hand: decide by the answers.
            values = set(pd.unique(s[s.notna()]))
            answers = values - _blank_answers(values, name)
            kind = (
                "satisfaction"
                if answers and _on_satisfaction_scale(answers, name)
                else "yes_no"
                if answers and answers <= {YES, NO}
                else None
            )
            if kind == "satisfaction" and not answers <= set(SATISFACTION_SCALE):
                labels = code_labels(name, scale)
                if isinstance(labels, str):
                    kind, reason = None, labels
                else:
                    codes[name] = labels
            elif kind is None:
                reason = _unanalysed_reason(s, name, values, answers)
        if kind is not None:
            kinds[col] = kind
        elif reason is not None:
            unanalysed.append({"question": name, "reason": reason})
    return kinds, unanalysed, codes


def _on_satisfaction_scale(answers: set[Any], name: str) -> bool:
    """Whether the (non-blank) answers are a satisfaction item's, as `read_survey` reads them: labels;
    1–5 under a 满意 header; both mixed under a 满意度 header."""
    if answers <= set(SATISFACTION_SCALE):
        return True
    numbers = {v for v in answers if isinstance(v, str) and _LIKERT_NUMBER.match(v)}
    if "满意" in name and numbers == answers:
        return True
    return "满意度" in name and answers <= set(SATISFACTION_SCALE) | numbers


def _all_blank_reason(answers: int) -> str:
    return (
        f"全部 {answers} 份答案均为空或跳过，没有可统计的回答；"
        "请核对该题是否被跳题逻辑跳过、导出是否完整，必要时从问卷平台重新导出"
    )


def _unanalysed_reason(s: pd.Series, name: str, values: set[Any], answers: set[Any]) -> str | None:
    """Why a column that is not an item cannot be analysed, or None when it is no question (free text …)."""
    if not answers:
        marked = any(isinstance(v, str) and v != "" for v in values)  # a platform marker, or -2/-3
        if marked or any(hint in name for hint in _QUESTION_HINTS):
            return _all_blank_reason(len(s))
        return None
    likert = "满意" in name

    def on_scale(value: Any, kind: _Kind) -> bool:
        if kind == "yes_no":
            return value in (YES, NO)
        return value in SATISFACTION_SCALE or (likert and isinstance(value, str) and bool(_LIKERT_NUMBER.match(value)))

    # Cheap test first: most such columns are free text without one scale answer.
    if not any(on_scale(v, "satisfaction") or on_scale(v, "yes_no") for v in answers):
        return None
    counts = s[s.isin(list(answers))].value_counts()
    hits: dict[_Kind, int] = {
        kind: int(sum(n for v, n in counts.items() if on_scale(v, kind))) for kind in ("satisfaction", "yes_no")
    }
    kind: _Kind = "satisfaction" if hits["satisfaction"] >= hits["yes_no"] else "yes_no"
    if hits[kind] * 2 <= int(counts.sum()):
        return None  # mostly not on a scale: free text that happens to contain 满意 or 是
    bad_positions = np.flatnonzero(s.isin([v for v in answers if not on_scale(v, kind)]).to_numpy())
    # Operator row numbers: read_survey's index (the header is row 1); a hand-built frame's position + 2.
    numbers = s.index[bad_positions] if s.index.name == "行号" else bad_positions + 2
    rows_of: dict[Any, list[int]] = {}
    for value, number in zip(s.iloc[bad_positions].tolist(), numbers.tolist(), strict=True):
        rows_of.setdefault(value, []).append(int(number))
    shown = []
    for value, rows in list(rows_of.items())[:_SHOWN_VALUES]:
        text = mask_text(str(value))
        text = text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "…"
        where = "、".join(str(r) for r in rows[:_SHOWN_ROWS])
        more = f"等 {len(rows)} 行" if len(rows) > _SHOWN_ROWS else "行"
        shown.append(f"“{text}”（第 {where} {more}）")
    if len(rows_of) > _SHOWN_VALUES:
        shown[-1] += f"等 {len(rows_of)} 种"
    expected = (
        "满意度题的答案应为 很满意/满意/一般/不满意/很不满意" + (" 或 1–5" if likert else "")
        if kind == "satisfaction"
        else "是否题的答案应为 是 或 否"
    )
    return (
        f"含无法识别的答案{'、'.join(shown)}，共 {len(bad_positions)} 份，整题未统计；"
        f"{expected}（未作答的留空即可），请更正后重新上传"
    )


def _score_matrix(
    survey: pd.DataFrame,
    cols: list[str],
    scale: dict[str, int],
    rows: int,
    codes: dict[str, dict[str, str]] | None = None,
) -> np.ndarray:
    """Points per answer (NaN = blank); a column of ``codes`` may hold 1–5, read by its code → label map."""
    matrix = np.full((rows, len(cols)), np.nan)
    for j, col in enumerate(cols):
        s = survey[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            # Lookup by category code: no per-cell string work, which matters at a million rows.
            lut = np.array([scale[c] for c in s.cat.categories] + [np.nan], dtype=float)
            matrix[:, j] = lut[s.cat.codes.to_numpy()]
        else:
            labels = (codes or {}).get(str(col), {})
            positions, uniques = pd.factorize(s)
            lut = np.array([_points(v, scale, labels) for v in uniques] + [np.nan], dtype=float)
            matrix[:, j] = lut[positions]  # position -1 (missing) picks the trailing NaN; blank markers are NaN too
    return matrix


def _points(value: Any, scale: dict[str, int], labels: dict[str, str]) -> float:
    if value in scale:
        return float(scale[value])
    if labels and isinstance(value, str) and _LIKERT_NUMBER.match(value):
        return float(scale[labels[value[0]]])
    return float("nan")


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def _breakdown(
    groups: pd.Series, per_row: pd.DataFrame, rows: int, has_sat: bool, has_yn: bool
) -> list[dict[str, Any]]:
    # read_survey has blanked the platforms' markers; a frame built by hand may still hold them.
    markers = [v for v in pd.unique(groups[groups.notna()]) if isinstance(v, str) and _BLANK_MARKER.match(v)]
    answered = groups.notna() & (groups.astype(str) != "") & ~groups.isin(markers)
    labels = groups.astype(object).where(answered, _UNANSWERED_GROUP)
    sums = per_row.groupby(labels.to_numpy(), sort=True).agg(
        respondents=("sat_n", "size"),
        sat_n=("sat_n", "sum"),
        sat_top=("sat_top", "sum"),
        aw_n=("aw_n", "sum"),
        aw_yes=("aw_yes", "sum"),
    )
    # Blank answers to a demographic question are a group of their own, shown last.
    order = [g for g in sums.index if g != _UNANSWERED_GROUP] + (
        [_UNANSWERED_GROUP] if _UNANSWERED_GROUP in sums.index else []
    )
    return [
        {
            "group": str(group),
            "respondents": int(sums.at[group, "respondents"]),
            "share": int(sums.at[group, "respondents"]) / rows if rows else 0.0,
            "satisfaction_rate": _ratio(sums.at[group, "sat_top"], sums.at[group, "sat_n"]) if has_sat else None,
            "awareness_rate": _ratio(sums.at[group, "aw_yes"], sums.at[group, "aw_n"]) if has_yn else None,
        }
        for group in order
    ]
