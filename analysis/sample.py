"""Is the questionnaire sample representative? (E-SAMPLE: changli 21; SPEC §7)

Changli 21 requires sampling by occupation, age, gender, living standard and education so that
the sample reflects real public opinion. Given the population's shares of a demographic's groups
(from the census or the statistics bureau), ``representativeness`` compares the sample's counts
with the counts those shares predict, by Pearson's chi-square goodness-of-fit test:

    expected_i = n × p_i / Σp        χ² = Σ (observed_i − expected_i)² / expected_i
    df = k − 1                       p = P(χ²_df ≥ χ²)

and calls the sample representative for that demographic when p ≥ 0.05.

Groups are matched by name, explicitly:

* a population group with no respondents is tested with observed 0 (listed in ``absent``);
* respondents in a group the population does not list (or lists with share 0), e.g. a label
  spelt differently, cannot be placed: they are listed in ``sample_only`` and the verdict is
  None (not judged) until the shares or the labels are made to match; the test on the matched
  groups is still shown;
* respondents who left the question blank (pinggu.analysis.survey_reading's 未填写 group) are outside the test
  and counted in ``unanswered``;
* with fewer than two groups, or no respondents, nothing can be tested (verdict None);
* expected counts below 5 make the χ² approximation rough: such groups are listed in
  ``small_expected``.

The p-value is computed here (scipy is not a dependency): the χ² survival function is the
regularized upper incomplete gamma function Q(df/2, χ²/2), by its power series below a + 1 and
by its continued fraction (modified Lentz) above, as in Numerical Recipes §6.2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinggu.core.errors import InputFileError, Problem

ALPHA = 0.05
"""Significance level of the test: below it the sample is not representative."""
UNANSWERED_GROUP = "未填写"
"""pinggu.analysis.survey_reading's group of respondents who left a demographic question blank."""

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITERATIONS = 10_000


# --- the χ² distribution ----------------------------------------------------------------------


def regularized_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function (a > 0, x ≥ 0)."""
    if a <= 0 or math.isnan(a):
        raise ValueError(f"a 应大于 0，实际为 {a}")
    if x < 0 or math.isnan(x):
        raise ValueError(f"x 不能为负数，实际为 {x}")
    if x == 0:
        return 1.0
    if math.isinf(x):
        return 0.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        # P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)); Q = 1 − P.
        term = total = 1.0 / a
        denominator = a
        for _ in range(_MAX_ITERATIONS):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    # Q(a, x) = e^{-x} x^a / Γ(a) · 1 / (x + 1 − a − 1·(1−a) / (x + 3 − a − 2·(2−a) / …)).
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    fraction = d
    for i in range(1, _MAX_ITERATIONS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        fraction *= delta
        if abs(delta - 1) < _EPS:
            break
    return min(1.0, math.exp(log_prefix) * fraction)


def chi_square_sf(statistic: float, df: int) -> float:
    """P(χ²_df ≥ statistic): the p-value of a chi-square statistic with ``df`` degrees of freedom."""
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"自由度应为正整数，实际为 {df}")
    if statistic < 0:
        raise ValueError(f"卡方统计量不能为负数，实际为 {statistic}")
    return regularized_gamma_q(df / 2, statistic / 2)


# --- the representativeness check ------------------------------------------------------------


def _shares(demographic: str, shares: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for group, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, int | float) or math.isnan(share) or share < 0:
            raise ValueError(f"“{demographic}”中“{group}”的总体比例应为非负数，实际为“{share}”")
        out[str(group).strip()] = float(share)
    if sum(out.values()) <= 0:
        raise ValueError(f"“{demographic}”的总体比例之和应大于 0")
    return out


def _observed(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        group = str(row["group"]).strip()
        counts[group] = counts.get(group, 0) + int(row["respondents"])
    return counts


def check_demographic(
    demographic: str, rows: list[dict[str, Any]] | None, shares: Mapping[str, float]
) -> dict[str, Any]:
    """The goodness-of-fit test of one demographic (see the module docstring for each field)."""
    population = _shares(demographic, shares)
    result: dict[str, Any] = {
        "respondents": 0,
        "unanswered": 0,
        "groups": [],
        "absent": [],
        "sample_only": [],
        "small_expected": [],
        "chi_square": None,
        "df": None,
        "p_value": None,
        "representative": None,
        "note": None,
    }
    if rows is None:
        result["note"] = f"问卷中没有“{demographic}”一项，无法检验"
        return result
    observed = _observed(rows)
    result["unanswered"] = observed.pop(UNANSWERED_GROUP, 0)
    total_share = sum(population.values())
    tested = [group for group, share in population.items() if share > 0]
    result["sample_only"] = [
        {"group": group, "observed": count}
        for group, count in observed.items()
        if count > 0 and population.get(group, 0) <= 0
    ]
    n = sum(observed.get(group, 0) for group in tested)
    result["respondents"] = n
    notes: list[str] = []
    if n == 0 or len(tested) < 2:
        notes.append("没有可检验的答卷" if n == 0 else "总体中只有一个组别，无需检验")
    else:
        statistic = 0.0
        for group in tested:
            p = population[group] / total_share
            o = observed.get(group, 0)
            e = n * p
            contribution = (o - e) ** 2 / e
            statistic += contribution
            result["groups"].append(
                {
                    "group": group,
                    "observed": o,
                    "expected": round(e, 4),
                    "observed_share": round(o / n, 4),
                    "population_share": round(p, 4),
                    "contribution": round(contribution, 4),
                }
            )
            if o == 0:
                result["absent"].append(group)
            if e < 5:
                result["small_expected"].append(group)
        df = len(tested) - 1
        p_value = chi_square_sf(statistic, df)
        result.update(chi_square=round(statistic, 4), df=df, p_value=round(p_value, 4))
        result["representative"] = p_value >= ALPHA
        if result["small_expected"]:
            notes.append(f"{'、'.join(result['small_expected'])} 的期望人数不足 5，卡方检验结果仅供参考")
    if result["sample_only"]:
        listed = "、".join(f"{g['group']}（{g['observed']} 人）" for g in result["sample_only"])
        notes.append(f"样本中有总体比例未列出的组别：{listed}；请补充其总体比例或统一组别名称后再判断")
        result["representative"] = None
    result["note"] = "；".join(notes) or None
    return result


def representativeness(
    breakdowns: Mapping[str, list[dict[str, Any]]],
    population: Mapping[str, Mapping[str, float]],
) -> dict[str, Any]:
    """Test the sample against the population's shares, per demographic (E-SAMPLE).

    ``breakdowns`` is ``SurveyFigures.to_dict()["breakdowns"]`` (per demographic, groups with
    ``respondents``); ``population`` gives per demographic the population's share of each group
    (fractions, percentages or head counts: only their ratios matter).

    Returns ``{"alpha", "representative", "demographics": {name: check}, "not_checked"}``:
    ``representative`` is True when every demographic with population shares passes, False when
    any fails, None when none could be judged (or one could not and none failed);
    ``not_checked`` lists the survey's demographics without population shares.
    """
    demographics = {name: check_demographic(name, breakdowns.get(name), shares) for name, shares in population.items()}
    verdicts = [check["representative"] for check in demographics.values()]
    if any(verdict is False for verdict in verdicts):
        overall: bool | None = False
    elif verdicts and all(verdict is True for verdict in verdicts):
        overall = True
    else:
        overall = None
    return {
        "alpha": ALPHA,
        "representative": overall,
        "demographics": demographics,
        "not_checked": [name for name in breakdowns if name not in population],
    }


# --- the population's shares, from an operator's table ---------------------------------------------

POPULATION_COLUMNS: dict[str, tuple[str, ...]] = {
    # canonical name: accepted headers (the first is the one the help text shows)
    "分组字段": ("分组字段", "分组", "人口特征", "字段"),
    "类别": ("类别", "组别", "分组类别"),
    "占比": ("占比", "比例", "总体占比", "人数"),
}
_WHAT = "总体比例表"
_NUMBER = re.compile(r"^[+]?(?:\d+(?:\.\d*)?|\.\d+)$")


def read_population(path: Path) -> dict[str, dict[str, float]]:
    """The population shares per demographic: ``{分组字段: {类别: 占比}}`` (see the module docstring).

    Every bad cell is reported with its row (the header is row 1) and column in one InputFileError.
    """
    from pinggu.core.spreadsheet import locate_columns, read_grid

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"找不到{_WHAT}“{path.name}”，请检查路径。", path=str(path))
    if path.is_dir():
        raise InputFileError(f"“{path.name}”是一个文件夹，不是{_WHAT}。", path=str(path))
    header, rows = read_grid(path, _WHAT)
    positions = locate_columns(path, header, POPULATION_COLUMNS, what=_WHAT, expected="分组字段、类别、占比")
    if not rows:
        raise InputFileError(f"{_WHAT}“{path.name}”只有表头，没有数据（从第 2 行起每行一个类别）。", path=str(path))

    def cell(cells: list[str], name: str) -> str:
        pos = positions[name]
        return cells[pos].strip() if pos < len(cells) else ""

    problems: list[Problem] = []
    shown = {name: header[pos].strip() for name, pos in positions.items()}  # as the file spells it
    shares: dict[str, dict[str, float]] = {}
    percent_rows: dict[str, list[tuple[int, bool]]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        demographic, group, text = cell(cells, "分组字段"), cell(cells, "类别"), cell(cells, "占比")
        bad = False
        for name, value in (("分组字段", demographic), ("类别", group), ("占比", text)):
            if not value:
                problems.append(Problem("必须填写", number, shown[name]))
                bad = True
        if bad:
            continue
        key = (demographic, group)
        if key in first_row:
            problems.append(
                Problem(f"“{demographic}”的类别“{group}”与第 {first_row[key]} 行重复", number, shown["类别"])
            )
            continue
        first_row[key] = number
        percent = text.endswith(("%", "％"))
        digits = text.rstrip("%％").strip().replace(",", "")
        if not _NUMBER.match(digits):
            problems.append(Problem(f"“{text}”不是数字；占比应写成 0.51、51% 或人数", number, shown["占比"]))
            continue
        share = float(digits) / 100 if percent else float(digits)
        shares.setdefault(demographic, {})[group] = share
        percent_rows.setdefault(demographic, []).append((number, percent))
    for demographic, marks in percent_rows.items():
        if len({percent for _, percent in marks}) > 1:
            number = next(n for n, percent in marks if percent != marks[0][1])
            problems.append(Problem(f"“{demographic}”的占比有的带 %、有的不带，请统一写法", number, shown["占比"]))
        elif sum(shares[demographic].values()) <= 0:
            problems.append(Problem(f"“{demographic}”的占比之和为 0", marks[0][0], shown["占比"]))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise InputFileError(
            f"{_WHAT}“{path.name}”有 {len(problems)} 处问题，请修改后重新提供：", problems=problems, path=str(path)
        )
    return shares
