"""Questionnaire figures against values computed independently in the test (SPEC §7).

The definitions checked (from the issue): a satisfaction item is a column whose non-blank answers
all lie on the 很满意/满意/一般/不满意/很不满意 scale (scored 5…1); its rate is the share of
很满意 + 满意 among non-blank answers. A yes_no item has only 是/否 answers; rate = share of 是.
Blanks never count in n. Intervals are 95 % Wilson score intervals, computed here as the roots of
the quadratic (p̂ − p)² = z²·p(1 − p)/n, not by the module's closed form.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from pinggu.analysis.survey_figures import summarise_survey
from pinggu.analysis.survey_reading import read_survey

Z = 1.959963984540054  # the 97.5 % quantile of the standard normal distribution
POINTS = {"很满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1}


def wilson_by_quadratic(hits: int, n: int) -> tuple[float, float]:
    """Roots of (1 + z²/n)·p² − (2p̂ + z²/n)·p + p̂² = 0."""
    p_hat = hits / n
    a = 1 + Z * Z / n
    b = -(2 * p_hat + Z * Z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return ((-b - root) / (2 * a), (-b + root) / (2 * a))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def column(*counts: tuple[str, int]) -> list[str]:
    return [answer for answer, count in counts for _ in range(count)]


# --- known answers ---------------------------------------------------------------------------------


def known_rows() -> list[list[str]]:
    """115 respondents; every item has exactly 100 answers and 15 blanks, shuffled."""
    blanks = [("", 10), ("  ", 5)]  # a cell of spaces is a blank too
    items = {
        "Q1 是否知晓该政策": column(("是", 70), ("否", 30), *blanks),
        "Q2 总体满意度": column(("很满意", 20), ("满意", 30), ("一般", 25), ("不满意", 15), ("很不满意", 10), *blanks),
        # Neither 满意 nor 是否 in the header: the answers alone make these items.
        "Q3 窗口服务": column(("很满意", 40), ("一般", 60), *blanks),
        "Q4 通过哪种渠道了解": column(("是", 25), ("否", 75), *blanks),
    }
    rng = random.Random(7)
    for answers in items.values():
        rng.shuffle(answers)
    header = ["问卷编号", "性别", *items]
    rows = [header]
    for i in range(115):
        rows.append([f"K{i:03d}", "男" if i % 2 else "女", *(answers[i] for answers in items.values())])
    return rows


def test_known_counts_give_known_figures(tmp_path: Path) -> None:
    figures = summarise_survey(read_survey(write_csv(tmp_path / "known.csv", known_rows())))
    assert figures.respondents == 115
    got = {item.question: item for item in figures.items}
    expected = {
        # question: (kind, n, hits, mean)
        "Q1 是否知晓该政策": ("yes_no", 100, 70, None),
        "Q2 总体满意度": ("satisfaction", 100, 50, (20 * 5 + 30 * 4 + 25 * 3 + 15 * 2 + 10 * 1) / 100),
        "Q3 窗口服务": ("satisfaction", 100, 40, (40 * 5 + 60 * 3) / 100),
        "Q4 通过哪种渠道了解": ("yes_no", 100, 25, None),
    }
    assert list(got) == list(expected)
    for question, (kind, n, hits, mean) in expected.items():
        item = got[question]
        assert (item.kind, item.n) == (kind, n), question
        assert item.rate == pytest.approx(hits / n)
        assert item.ci95 == pytest.approx(wilson_by_quadratic(hits, n), abs=1e-12)
        assert item.mean == (None if mean is None else pytest.approx(mean))
    # 70 of 100: the Wilson interval is (0.6042, 0.7811), not the Wald 0.7 ± 0.0898.
    assert got["Q1 是否知晓该政策"].ci95 == pytest.approx((0.60415, 0.78105), abs=5e-5)
    assert figures.awareness_rate == pytest.approx((70 + 25) / 200)
    assert figures.satisfaction_rate == pytest.approx((50 + 40) / 200)
    assert figures.satisfaction_mean == pytest.approx((335 + 380) / 200)
    # In the dict (the JSON of reports and of the CLI) the same figures, rounded to 4 places.
    item = figures.to_dict()["items"][0]
    assert item["rate"] == 0.7 and item["ci95"] == [0.6042, 0.7811] and item["n"] == 100


def test_blank_excel_cells_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "known.xlsx"
    workbook = openpyxl.Workbook()
    for row in known_rows():
        workbook.active.append([value if value.strip() else None for value in row])
    workbook.save(path)
    from_xlsx = summarise_survey(read_survey(path))
    from_csv = summarise_survey(read_survey(write_csv(tmp_path / "known.csv", known_rows())))
    assert [item.n for item in from_xlsx.items] == [100] * 4
    assert from_xlsx.to_dict() == from_csv.to_dict()


def test_items_are_recognised_by_their_answers(tmp_path: Path) -> None:
    rows = [
        ["问卷编号", "甲", "乙", "丙（混合）", "丁（多一个选项）", "戊（空白）", "己（数字）"],
        ["1", "很满意", "是", "是", "是", "", "5"],
        ["2", "", "否", "满意", "否", "", "4"],
        ["3", "很不满意", "", "否", "不确定", "", "3"],
    ]
    frame = read_survey(write_csv(tmp_path / "kinds.csv", rows))
    figures = summarise_survey(frame)
    assert [(i.question, i.kind, i.n) for i in figures.items] == [("甲", "satisfaction", 2), ("乙", "yes_no", 2)]
    # What is not an item stays as free text; it never enters a figure.
    assert frame["丙（混合）"].tolist() == ["是", "满意", "否"]
    assert frame["丁（多一个选项）"].tolist() == ["是", "否", "不确定"]


# --- generated data, counted by plain Python ---------------------------------------------------------

SEXES = ["男", "女"]
AGES = ["18-29", "30-44", "45-59", "60及以上"]
JOBS = ["企业职工", "农民", "学生", "退休人员", "自由职业"]
SAT_ITEMS = [f"Q{i} 满意度" for i in range(1, 6)]
YN_ITEMS = [f"Q{i} 是否知晓" for i in range(6, 9)]


def generated_rows(count: int, seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    header = ["问卷编号", "性别", "年龄段", "职业", *SAT_ITEMS, *YN_ITEMS, "意见"]
    rows = [header]
    for i in range(count):

        def maybe(value: str, blank: float = 0.05) -> str:
            return "" if rng.random() < blank else value

        rows.append(
            [
                f"G{i:05d}",
                maybe(rng.choice(SEXES), 0.02),
                rng.choice(AGES),
                rng.choice(JOBS),
                *(maybe(rng.choices(list(POINTS), weights=[3, 4, 2, 1, 1])[0]) for _ in SAT_ITEMS),
                *(maybe("是" if rng.random() < 0.65 else "否") for _ in YN_ITEMS),
                maybe("希望加大宣传力度", 0.8),
            ]
        )
    return rows


def plain_counts(rows: list[list[str]]) -> dict:
    header, body = rows[0], rows[1:]
    records = [dict(zip(header, row, strict=True)) for row in body]
    items = {}
    for question in SAT_ITEMS + YN_ITEMS:
        answers = [r[question] for r in records if r[question].strip()]
        hits = sum(a in ("很满意", "满意", "是") for a in answers)
        mean = sum(POINTS[a] for a in answers) / len(answers) if question in SAT_ITEMS else None
        items[question] = (len(answers), hits, mean)
    breakdowns = {}
    for demographic in ("性别", "年龄段", "职业"):
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for r in records:
            group = groups[r[demographic] or "未填写"]
            group[0] += 1
            for q in SAT_ITEMS:
                if r[q]:
                    group[1] += 1
                    group[2] += r[q] in ("很满意", "满意")
            for q in YN_ITEMS:
                if r[q]:
                    group[3] += 1
                    group[4] += r[q] == "是"
        order = sorted(g for g in groups if g != "未填写") + (["未填写"] if "未填写" in groups else [])
        breakdowns[demographic] = [
            {
                "group": g,
                "respondents": groups[g][0],
                "share": groups[g][0] / len(records),
                "satisfaction_rate": groups[g][2] / groups[g][1],
                "awareness_rate": groups[g][4] / groups[g][3],
            }
            for g in order
        ]
    return {"respondents": len(records), "items": items, "breakdowns": breakdowns}


@pytest.mark.rule("E-SAMPLE")  # the breakdowns by occupation, age and gender
def test_generated_survey_matches_plain_counting(tmp_path: Path) -> None:
    rows = generated_rows(5000)
    expected = plain_counts(rows)
    figures = summarise_survey(read_survey(write_csv(tmp_path / "generated.csv", rows)))
    assert figures.respondents == expected["respondents"] == 5000
    assert [item.question for item in figures.items] == SAT_ITEMS + YN_ITEMS
    for item in figures.items:
        n, hits, mean = expected["items"][item.question]
        assert n < 5000  # the blanks were left out
        assert item.kind == ("satisfaction" if item.question in SAT_ITEMS else "yes_no")
        assert item.n == n
        assert item.rate == pytest.approx(hits / n)
        assert item.ci95 == pytest.approx(wilson_by_quadratic(hits, n), abs=1e-12)
        assert item.mean == (None if mean is None else pytest.approx(mean))
    sat_n = sum(expected["items"][q][0] for q in SAT_ITEMS)
    assert figures.satisfaction_rate == pytest.approx(sum(expected["items"][q][1] for q in SAT_ITEMS) / sat_n)
    assert figures.awareness_rate == pytest.approx(
        sum(expected["items"][q][1] for q in YN_ITEMS) / sum(expected["items"][q][0] for q in YN_ITEMS)
    )
    assert set(figures.breakdowns) == set(expected["breakdowns"])
    for demographic, rows_expected in expected["breakdowns"].items():
        assert figures.breakdowns[demographic] == [
            {key: pytest.approx(value) if isinstance(value, float) else value for key, value in row.items()}
            for row in rows_expected
        ]
    assert figures.breakdowns["性别"][-1]["group"] == "未填写"  # blank demographic answers, shown last
