"""Representativeness of the questionnaire sample (E-SAMPLE: changli 21; SPEC §7)."""

from __future__ import annotations

import json
import math

import pytest

from pinggu.analysis.sample import ALPHA, chi_square_sf, regularized_gamma_q, representativeness
from pinggu.analysis.survey_figures import summarise_survey
from pinggu.analysis.survey_reading import read_survey
from pinggu.core.settings import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "survey.csv"


# --- the χ² survival function against tables and closed forms ----------------------------------

# Upper critical values of χ² (any statistics table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
CRITICAL = [
    (1, 0.05, 3.841),
    (1, 0.01, 6.635),
    (2, 0.05, 5.991),
    (2, 0.01, 9.210),
    (3, 0.05, 7.815),
    (3, 0.01, 11.345),
    (4, 0.05, 9.488),
    (5, 0.05, 11.070),
    (6, 0.05, 12.592),
    (10, 0.05, 18.307),
    (10, 0.01, 23.209),
    (20, 0.05, 31.410),
    (30, 0.05, 43.773),
    (50, 0.05, 67.505),
    (100, 0.05, 124.342),
    (1, 0.95, 0.004),
    (10, 0.95, 3.940),
    (100, 0.95, 77.929),
]


@pytest.mark.rule("E-SAMPLE")
@pytest.mark.parametrize(("df", "p", "critical"), CRITICAL)
def test_survival_function_matches_table_values(df: int, p: float, critical: float) -> None:
    # Tables give 3 decimals: the p-value at the rounded critical value is within that rounding.
    slope = abs(chi_square_sf(critical + 5e-4, df) - chi_square_sf(critical - 5e-4, df))
    assert chi_square_sf(critical, df) == pytest.approx(p, abs=slope + 1e-6)


def _poisson_tail(x: float, df: int) -> float:
    """Even df: P(χ²_df ≥ x) = e^{-x/2} Σ_{i<df/2} (x/2)^i / i! (a Poisson tail)."""
    half = x / 2
    return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(df // 2))


XS = [0.0, 1e-6, 0.05, 0.5, 1.0, 2.0, 3.841458820694124, 7.5, 15.0, 40.0, 120.0]


@pytest.mark.rule("E-SAMPLE")
@pytest.mark.parametrize("x", XS)
@pytest.mark.parametrize("df", [2, 4, 6, 12, 30])
def test_even_degrees_of_freedom_match_the_poisson_sum(x: float, df: int) -> None:
    assert chi_square_sf(x, df) == pytest.approx(_poisson_tail(x, df), rel=1e-9, abs=1e-300)


@pytest.mark.rule("E-SAMPLE")
@pytest.mark.parametrize("x", XS)
def test_one_degree_of_freedom_matches_erfc(x: float) -> None:
    # χ²_1 = Z²: P(χ² ≥ x) = P(|Z| ≥ √x) = erfc(√(x/2)).
    assert chi_square_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-9, abs=1e-300)
    assert chi_square_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)


@pytest.mark.parametrize("x", [0.0, 0.3, 1.0, 2.5, 9.0, 60.0])
def test_incomplete_gamma_special_cases(x: float) -> None:
    assert regularized_gamma_q(1, x) == pytest.approx(math.exp(-x), rel=1e-12, abs=1e-300)
    assert regularized_gamma_q(0.5, x) == pytest.approx(math.erfc(math.sqrt(x)), rel=1e-9, abs=1e-300)
    # Q(a+1, x) = Q(a, x) + x^a e^{-x} / Γ(a+1): recurrence across the series/fraction switch.
    for a in (0.7, 3.2, 10.0):
        expected = regularized_gamma_q(a, x) + (math.exp(a * math.log(x) - x - math.lgamma(a + 1)) if x else 0)
        assert regularized_gamma_q(a + 1, x) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_survival_function_edges() -> None:
    assert chi_square_sf(0, 3) == 1.0
    assert chi_square_sf(math.inf, 3) == 0.0
    assert 0 < chi_square_sf(1000, 3) < 1e-200
    for bad in ((-1, 2), (1, 0), (1, 1.5), (1, True)):
        with pytest.raises(ValueError):
            chi_square_sf(*bad)


# --- the representativeness check on small data with known answers ---------------------------


def _breakdown(counts: dict[str, int]) -> list[dict]:
    n = sum(counts.values())
    return [{"group": g, "respondents": c, "share": c / n} for g, c in counts.items()]


@pytest.mark.rule("E-SAMPLE")
def test_gender_60_40_against_half_and_half_is_not_representative() -> None:
    result = representativeness({"性别": _breakdown({"男": 60, "女": 40})}, {"性别": {"男": 0.5, "女": 0.5}})
    check = result["demographics"]["性别"]
    # By hand: expected 50/50, χ² = 10²/50 + 10²/50 = 4, df 1, p = erfc(√2) = 0.0455.
    assert (check["chi_square"], check["df"]) == (4.0, 1)
    assert check["p_value"] == round(math.erfc(math.sqrt(2)), 4) == 0.0455
    assert check["representative"] is False and result["representative"] is False
    assert [(g["group"], g["observed"], g["expected"]) for g in check["groups"]] == [("男", 60, 50.0), ("女", 40, 50.0)]
    assert result["alpha"] == ALPHA == 0.05


@pytest.mark.rule("E-SAMPLE")
def test_shares_may_be_percentages_or_head_counts() -> None:
    # 55/45 against 50/50: χ² = 2 × 5²/50 = 1, p = erfc(√0.5) = 0.3173.
    breakdowns = {"性别": _breakdown({"男": 55, "女": 45})}
    results = [
        representativeness(breakdowns, {"性别": shares})["demographics"]["性别"]
        for shares in ({"男": 0.5, "女": 0.5}, {"男": 50, "女": 50}, {"男": 612_000, "女": 612_000})
    ]
    assert all(r == results[0] for r in results)
    assert (results[0]["chi_square"], results[0]["p_value"]) == (1.0, round(math.erfc(math.sqrt(0.5)), 4))
    assert results[0]["representative"] is True


@pytest.mark.rule("E-SAMPLE")
def test_three_groups_with_one_absent_from_the_sample() -> None:
    breakdowns = {"年龄段": _breakdown({"18-29": 30, "30-59": 70})}
    result = representativeness(breakdowns, {"年龄段": {"18-29": 0.2, "30-59": 0.6, "60及以上": 0.2}})
    check = result["demographics"]["年龄段"]
    # By hand: expected 20, 60, 20; χ² = 100/20 + 100/60 + 400/20 = 26.667; df 2; p = e^{-χ²/2}.
    assert check["df"] == 2 and check["absent"] == ["60及以上"]
    assert check["chi_square"] == pytest.approx(5 + 100 / 60 + 20, abs=1e-4)
    assert check["p_value"] == round(math.exp(-(5 + 100 / 60 + 20) / 2), 4)
    assert check["representative"] is False


@pytest.mark.rule("E-SAMPLE")
def test_groups_on_one_side_only_and_blank_answers_are_explicit() -> None:
    breakdowns = {
        "性别": _breakdown({"男": 48, "女": 50, "未填写": 2}),
        "职业": _breakdown({"农民": 40, "工人": 50, "其他": 10}),
    }
    result = representativeness(breakdowns, {"性别": {"男": 1, "女": 1}, "职业": {"农民": 0.4, "工人": 0.6}})
    gender, job = result["demographics"]["性别"], result["demographics"]["职业"]
    # Blank answers are outside the test: n = 98, expected 49 each.
    assert (gender["respondents"], gender["unanswered"]) == (98, 2)
    assert gender["chi_square"] == pytest.approx(2 / 49, abs=1e-4) and gender["representative"] is True
    # 10 respondents in a group the population lacks: the verdict waits; the test is still shown.
    assert job["sample_only"] == [{"group": "其他", "observed": 10}]
    assert job["representative"] is None and "其他（10 人）" in job["note"]
    assert job["respondents"] == 90 and job["chi_square"] == pytest.approx(4**2 / 36 + 4**2 / 54, abs=1e-4)
    assert result["representative"] is None


@pytest.mark.rule("E-SAMPLE")
def test_untestable_demographics_and_overall_verdict() -> None:
    breakdowns = {"性别": _breakdown({"男": 3, "女": 2}), "街镇": _breakdown({"东湖镇": 5})}
    result = representativeness(
        breakdowns,
        {"性别": {"男": 0.5, "女": 0.5}, "文化程度": {"本科": 0.5, "其他": 0.5}, "街镇": {"东湖镇": 1}},
    )
    checks = result["demographics"]
    assert checks["文化程度"]["representative"] is None and "问卷中没有" in checks["文化程度"]["note"]
    assert checks["街镇"]["representative"] is None and checks["街镇"]["df"] is None
    assert checks["性别"]["small_expected"] == ["男", "女"] and "不足 5" in checks["性别"]["note"]
    assert result["not_checked"] == []
    assert result["representative"] is None  # nothing failed, but not everything could be judged
    only_gender = representativeness(breakdowns, {"性别": {"男": 0.5, "女": 0.5}})
    assert only_gender["representative"] is True and only_gender["not_checked"] == ["街镇"]


@pytest.mark.parametrize("shares", [{"男": -0.1, "女": 1.1}, {"男": 0, "女": 0}, {"男": "半数", "女": 0.5}])
def test_bad_population_shares_are_errors(shares: dict) -> None:
    with pytest.raises(ValueError, match="性别"):
        representativeness({"性别": _breakdown({"男": 1, "女": 1})}, {"性别": shares})


# --- the sample survey --------------------------------------------------------------------------


@pytest.mark.rule("E-SAMPLE")
def test_sample_survey_against_population_shares() -> None:
    breakdowns = summarise_survey(read_survey(SAMPLE)).to_dict()["breakdowns"]
    counts = {d: {g["group"]: g["respondents"] for g in groups} for d, groups in breakdowns.items()}
    population = {
        "性别": {"男": 0.5, "女": 0.5},
        "收入水平": {"低": 0.5, "中": 0.35, "高": 0.15},
        "文化程度": dict.fromkeys(counts["文化程度"], 1),  # equal shares
    }
    result = representativeness(breakdowns, population)
    json.dumps(result, ensure_ascii=False)
    for demographic, shares in population.items():
        observed = counts[demographic]
        n = sum(observed.values())
        total = sum(shares.values())
        chi = sum((observed[g] - n * s / total) ** 2 / (n * s / total) for g, s in shares.items())
        check = result["demographics"][demographic]
        assert check["chi_square"] == pytest.approx(chi, abs=1e-4)
        assert check["df"] == len(shares) - 1
        if check["df"] in (1, 2):  # closed forms
            expected_p = math.erfc(math.sqrt(chi / 2)) if check["df"] == 1 else math.exp(-chi / 2)
            assert check["p_value"] == round(expected_p, 4)
        assert check["representative"] is (chi_square_sf(chi, check["df"]) >= 0.05)
    # Income was sampled 200/200/200 where the population is 50/35/15 %: clearly not representative.
    assert result["demographics"]["收入水平"]["representative"] is False
    assert result["demographics"]["性别"]["representative"] is True
    assert result["representative"] is False
    assert set(result["not_checked"]) == set(breakdowns) - set(population)
