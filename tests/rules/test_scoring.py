"""Score against the indicator system (MH-14: minhang 10, 14; SPEC §8) and no preset score
(C-NOPRESET: bazhou 5, ningxia 9, changli 55)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import openpyxl
import pytest
import yaml

from pinggu.core.errors import InputFileError, RuleViolation
from pinggu.rules.profiles import PROFILES_DIR, Profile, load_profile, load_profiles
from pinggu.rules.scoring import (
    IndicatorScore,
    ScoreCard,
    check_departure,
    departure_reason_required,
    inputs_needed,
    missing_inputs,
    read_expert_marks,
    score,
    threshold_score,
)
from pinggu.rules.vocabulary import Conclusion

MINHANG_THRESHOLDS = [(95, 100), (85, 85), (70, 70), (50, 50), (0, 20)]  # profiles/minhang.yaml


def _profile(indicators: list[dict], base: str = "minhang") -> Profile:
    """A real profile with its indicator system replaced (validated like a file would be)."""
    raw = load_profile(base).model_dump()
    raw["indicators"] = indicators
    # The report shows indicators by id; drop the ones this system no longer has.
    ids = {indicator["id"] for indicator in indicators}
    raw["report_sections"] = [
        [block for block in blocks if not block.startswith("indicator:") or block[10:] in ids] or ["process"]
        for blocks in raw["report_sections"]
    ]
    return Profile.model_validate(raw)


def _single() -> Profile:
    """One expert-marked indicator of weight 100: the total is the mark itself."""
    return _profile([{"id": "only", "name": "唯一指标", "weight": 100, "basis": "测试"}])


def _complete_minhang() -> dict:
    return {
        "survey": {"satisfaction_rate": 0.5759, "awareness_rate": 0.7167},
        "expert_marks": {"legality": [80, 90], "effect": 75, "problems_risks": 70},
        "data": {"task_completion": 88},
    }


# --- the score, computed by hand ------------------------------------------------------------


@pytest.mark.rule("MH-14")
def test_minhang_score_matches_hand_computation() -> None:
    card = score(load_profile("minhang"), **_complete_minhang())
    # minhang 10/14, profiles/minhang.yaml: legality 20, goal_attainment 35 (task_completion 50 by
    # data, effect 50 by experts), acceptance 25 (satisfaction 100), problems_risks 20.
    legality = (80 + 90) / 2  # 85
    task = 85  # 88 reaches the 85 threshold, not 95
    goal = 0.5 * task + 0.5 * 75  # 80
    acceptance = 57.59
    by_hand = 0.20 * legality + 0.35 * goal + 0.25 * acceptance + 0.20 * 70  # 73.3975
    assert card.total == pytest.approx(round(by_hand, 2)) == pytest.approx(73.40)
    assert (card.grade, card.recommended) == ("中", "调整")  # 60–79 中 → 调整
    assert card.missing == ()
    scores = {i.id: i.score for i in card.indicators}
    assert scores == pytest.approx({"legality": 85, "goal_attainment": 80, "acceptance": 57.59, "problems_risks": 70})
    goal_children = {c.id: c.score for c in card.indicators[1].children}
    assert goal_children == {"task_completion": 85, "effect": 75}
    assert "88" in card.indicators[1].children[0].source
    assert "2 位专家" in card.indicators[0].source


@pytest.mark.rule("MH-14")
def test_to_dict_is_json_and_keeps_the_tree() -> None:
    data = score(load_profile("minhang"), **_complete_minhang()).to_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["total"] == 73.4 and again["grade"] == "中" and again["recommended"] == "调整"
    assert [i["id"] for i in again["indicators"]] == ["legality", "goal_attainment", "acceptance", "problems_risks"]
    assert [c["id"] for c in again["indicators"][1]["children"]] == ["task_completion", "effect"]
    assert again["indicators"][1]["weight"] == 35 and again["missing"] == []


def _by_hand(raw_profile: dict, marks: dict[str, float], rates: dict[str, float], data: dict[str, float]) -> float:
    """Independent scorer over the YAML as written (not the Profile model)."""

    def leaf(node: dict, key: str) -> float:
        how = node.get("scoring", "expert_marks")
        if how == "survey_rate":
            return rates[node["item"]] * 100
        if how == "data_threshold":
            value = data[key]
            for threshold in node["thresholds"]:  # written from the highest min down
                if value >= threshold["min"]:
                    return threshold["score"]
            return 0
        return marks[key]

    total = 0.0
    for indicator in raw_profile["indicators"]:
        if "items" in indicator:
            inner = (
                sum(item["weight"] * leaf(item, f"{indicator['id']}.{item['id']}") for item in indicator["items"]) / 100
            )
        else:
            inner = leaf(indicator, indicator["id"])
        total += indicator["weight"] * inner / 100
    return total


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize("profile_id", sorted(load_profiles()))
def test_every_profile_scores_like_an_independent_computation(profile_id: str) -> None:
    raw = yaml.safe_load((PROFILES_DIR / f"{profile_id}.yaml").read_text(encoding="utf-8"))
    profile = load_profile(profile_id)
    rng = random.Random(profile_id)
    for _ in range(20):
        marks, data = {}, {}
        for indicator in raw["indicators"]:
            for node, key in (
                [(item, f"{indicator['id']}.{item['id']}") for item in indicator["items"]]
                if "items" in indicator
                else [(indicator, indicator["id"])]
            ):
                how = node.get("scoring", "expert_marks")
                if how == "expert_marks":
                    marks[key] = round(rng.uniform(0, 100), 1)
                elif how == "data_threshold":
                    data[key] = rng.choice([rng.uniform(-10, 110), *[t["min"] for t in node["thresholds"]]])
        rates = {"satisfaction": rng.random(), "awareness": rng.random()}
        survey = {"satisfaction_rate": rates["satisfaction"], "awareness_rate": rates["awareness"]}
        card = score(profile, survey=survey, expert_marks=marks, data=data)
        expected = round(_by_hand(raw, marks, rates, data), 2)
        assert card.total == pytest.approx(expected, abs=1e-9)
        band = next(b for b in raw["grade_bands"] if b["min"] <= expected < b["max"] or expected == b["max"] == 100)
        assert (card.grade, card.recommended) == (band["grade"], band["conclusion"])


@pytest.mark.rule("MH-14")
def test_survey_rates_feed_awareness_and_satisfaction() -> None:
    # bazhou 6(4): acceptance = awareness 40 + satisfaction 60.
    profile = load_profile("bazhou")
    marks = {i.id: 50.0 for i in profile.indicators if not i.items}
    marks["goal_attainment.effect"] = 50.0
    card = score(
        profile,
        survey={"awareness_rate": 0.5, "satisfaction_rate": 0.8},
        expert_marks=marks,
        data={"task_completion": 60},
    )
    acceptance = next(i for i in card.indicators if i.id == "acceptance")
    assert [(c.id, c.score) for c in acceptance.children] == [("awareness", 50.0), ("satisfaction", 80.0)]
    assert acceptance.score == pytest.approx(0.4 * 50 + 0.6 * 80)


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize(
    ("value", "points"),
    [(100, 100), (95, 100), (94.99, 85), (85, 85), (84.9, 70), (70, 70), (50, 50), (49.9, 20), (0, 20), (-0.1, 0)],
)
def test_data_threshold_takes_the_highest_threshold_reached(value: float, points: float) -> None:
    assert threshold_score(value, MINHANG_THRESHOLDS) == points
    inputs = _complete_minhang()
    inputs["data"] = {"task_completion": value}
    card = score(load_profile("minhang"), **inputs)
    assert card.indicators[1].children[0].score == points


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize(
    ("mark", "grade", "conclusion"),
    [
        (100, "优", "继续执行"),
        (90, "优", "继续执行"),
        (89.99, "良", "继续执行"),
        (80, "良", "继续执行"),
        (79.99, "中", "调整"),
        (60, "中", "调整"),
        (59.99, "差", "中止执行"),
        (0, "差", "中止执行"),
    ],
)
def test_default_bands_give_grade_and_recommendation(mark: float, grade: str, conclusion: str) -> None:
    card = score(_single(), survey=None, expert_marks={"only": mark}, data={})
    assert (card.total, card.grade, card.recommended) == (mark, grade, conclusion)


@pytest.mark.rule("MH-14")
def test_total_is_rounded_before_it_is_graded() -> None:
    # Marks averaging 89.996 show as 90.00; the grade must be the one of the total shown.
    card = score(_single(), survey=None, expert_marks={"only": [89.992, 90.0]}, data={})
    assert card.total == 90.0 and card.grade == "优"
    # Binary fractions: 0.9 × 100 is 90.00000000000001 unrounded, still 优 and shown as 90.
    assert score(_single(), survey=None, expert_marks={"only": 0.9 * 100}, data={}).total == 90.0


@pytest.mark.rule("MH-14")
def test_marks_may_be_keyed_by_id_qualified_id_or_chinese_name() -> None:
    expected = score(load_profile("minhang"), **_complete_minhang()).total
    inputs = _complete_minhang()
    inputs["expert_marks"] = {
        "决策质量（合法性与协调性）": 85,
        "goal_attainment.effect": 75,
        "存在的问题与继续实施的潜在风险（问题越少得分越高）": [70],
    }
    inputs["data"] = {"目标任务完成率（%）": 88}  # the measure as the profile names it
    assert score(load_profile("minhang"), **inputs).total == expected


# --- C-NOPRESET: no score before its evidence --------------------------------------------------


@pytest.mark.rule("C-NOPRESET", "MH-14")
def test_missing_evidence_refuses_the_score_and_names_every_gap() -> None:
    profile = load_profile("minhang")
    with pytest.raises(RuleViolation) as caught:
        score(profile, survey=None, expert_marks={"legality": 80}, data={})
    assert caught.value.rule == "C-NOPRESET"
    missing = caught.value.context["missing"]
    assert missing == (
        "预期目标和效果实现程度／目标任务完成率（数据“目标任务完成率（%）”）",
        "预期目标和效果实现程度／预期效果实现情况（专家打分）",
        "社会公众满意度／社会公众满意度（问卷满意度）",
        "存在的问题与继续实施的潜在风险（问题越少得分越高）（专家打分）",
    )
    for name in missing:
        assert name in str(caught.value)
    assert missing_inputs(profile, survey=None, expert_marks={"legality": 80}, data={}) == missing
    assert missing_inputs(profile, **_complete_minhang()) == ()


@pytest.mark.rule("C-NOPRESET")
@pytest.mark.parametrize(
    "change",
    [
        {"survey": {"satisfaction_rate": None, "awareness_rate": 0.7}},  # survey without satisfaction items
        {"expert_marks": {"legality": [], "effect": 75, "problems_risks": 70}},  # no expert marked yet
        {"data": {"task_completion": float("nan")}},
        {"data": {"task_completion": None}},
    ],
)
def test_empty_evidence_counts_as_missing(change: dict) -> None:
    inputs = {**_complete_minhang(), **change}
    with pytest.raises(RuleViolation) as caught:
        score(load_profile("minhang"), **inputs)
    assert caught.value.rule == "C-NOPRESET" and len(caught.value.context["missing"]) == 1


@pytest.mark.rule("MH-14", "C-NOPRESET")
@pytest.mark.parametrize(
    ("marks", "data", "words"),
    [
        ({"legalty": 80}, {}, "不是本规则指标体系中的指标"),  # typo: not silently dropped
        ({"task_completion": 99}, {}, "按数据“目标任务完成率（%）”计分"),  # a mark cannot override data
        ({}, {"effect": 80}, "按专家打分计分"),
        ({"legality": 80, "决策质量（合法性与协调性）": 90}, {}, "同一指标"),
        ({"acceptance.satisfaction": 90}, {}, "按问卷满意度计分"),
    ],
)
def test_inputs_outside_the_system_are_refused(marks: dict, data: dict, words: str) -> None:
    inputs = _complete_minhang()
    inputs["expert_marks"] = {**inputs["expert_marks"], **marks}
    inputs["data"] = {**inputs["data"], **data}
    with pytest.raises(RuleViolation) as caught:
        score(load_profile("minhang"), **inputs)
    assert caught.value.rule == "MH-14" and words in caught.value.message


@pytest.mark.rule("MH-14")
def test_ambiguous_plain_id_must_be_qualified() -> None:
    profile = _profile(
        [
            {
                "id": "a",
                "name": "甲",
                "weight": 50,
                "basis": "测试",
                "items": [{"id": "x", "name": "甲一", "weight": 100}],
            },
            {
                "id": "b",
                "name": "乙",
                "weight": 50,
                "basis": "测试",
                "items": [{"id": "x", "name": "乙一", "weight": 100}],
            },
        ]
    )
    with pytest.raises(RuleViolation) as caught:
        score(profile, survey=None, expert_marks={"x": 80, "b.x": 60}, data={})
    assert caught.value.rule == "MH-14" and caught.value.context["key"] == "x"
    assert caught.value.message == "专家打分中的“x”可指多个指标（a.x、b.x），请写明其中之一"
    card = score(profile, survey=None, expert_marks={"a.x": 80, "乙一": 60}, data={})
    assert card.total == 70


@pytest.mark.parametrize(
    "inputs",
    [
        {"survey": None, "expert_marks": {"only": 101}, "data": {}},
        {"survey": None, "expert_marks": {"only": -1}, "data": {}},
        {"survey": None, "expert_marks": {"only": "90"}, "data": {}},
        {"survey": None, "expert_marks": {"only": True}, "data": {}},
    ],
)
def test_marks_outside_0_to_100_are_errors(inputs: dict) -> None:
    with pytest.raises(ValueError, match="0 至 100"):
        score(_single(), **inputs)


def test_rates_outside_0_to_1_are_errors() -> None:
    inputs = {**_complete_minhang(), "survey": {"satisfaction_rate": 57.59}}
    with pytest.raises(ValueError, match="0 至 1"):
        score(load_profile("minhang"), **inputs)


# --- the approver's departure ---------------------------------------------------------------


@pytest.mark.rule("MH-14", "C-NOPRESET")
def test_departing_from_the_recommendation_needs_a_written_reason() -> None:
    assert departure_reason_required("调整", "调整") is False
    assert departure_reason_required("调整", "继续执行") is True
    assert departure_reason_required(Conclusion.adjust, " 调整 ") is False
    with pytest.raises(ValueError, match="不是可用的评估结论"):
        departure_reason_required("调整", "继续")
    check_departure("调整", "调整", None)
    check_departure("调整", "终止执行", "决策依据的法律已废止")
    with pytest.raises(RuleViolation) as caught:
        check_departure("调整", "终止执行", "  ")
    assert caught.value.rule == "MH-14" and "书面说明理由" in caught.value.message


# --- the experts' table ------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


EXPERT_ROWS = [
    ["指标", "专家", "分数", "备注"],
    ["legality", "周立平", "80", ""],
    ["legality", "吴晓", "91", ""],
    ["决策质量（合法性与协调性）", "陈静", "84", "以中文名称填写"],
    ["", "", "", ""],
    ["effect", "周立平", "75.5", ""],
    ["problems_risks", "吴晓", "70分", ""],
]


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize("kind", ["utf-8", "gbk", "xlsx"])
def test_expert_table_is_averaged_per_indicator(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        book = openpyxl.Workbook()
        for row in EXPERT_ROWS:
            book.active.append([float(c) if c.replace(".", "").isdigit() else (c or None) for c in row])
        path = tmp_path / "marks.xlsx"
        book.save(path)
    else:
        path = _write_csv(tmp_path / "marks.csv", EXPERT_ROWS, encoding=kind)
    marks = read_expert_marks(path)
    assert marks == {
        "legality": pytest.approx((80 + 91) / 2),
        "决策质量（合法性与协调性）": 84,
        "effect": 75.5,
        "problems_risks": 70,
    }
    # With the profile the Chinese name and the id are the same indicator: one mean of three.
    marks = read_expert_marks(path, profile=load_profile("minhang"))
    assert marks == {
        "legality": pytest.approx((80 + 91 + 84) / 3),
        "goal_attainment.effect": 75.5,
        "problems_risks": 70,
    }
    card = score(
        load_profile("minhang"), survey={"satisfaction_rate": 0.5}, expert_marks=marks, data={"task_completion": 100}
    )
    by_hand = 0.2 * (255 / 3) + 0.35 * (0.5 * 100 + 0.5 * 75.5) + 0.25 * 50 + 0.2 * 70
    assert card.total == pytest.approx(round(by_hand, 2))


@pytest.mark.rule("MH-14")
def test_expert_table_problems_name_row_and_column(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "marks.csv",
        [
            ["指标", "专家", "分数"],
            ["legality", "周立平", "80"],
            ["legality", "周立平", "85"],  # row 3: same expert twice
            ["effect", "", "abc"],  # row 4: no expert, not a number
            [],
            ["task_completion", "吴晓", "101"],  # row 6: data-scored indicator; above 100
            ["不存在的指标", "吴晓", "60"],  # row 7
        ],
    )
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(path, profile=load_profile("minhang"))
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [(3, "专家"), (4, "专家"), (4, "分数"), (6, "指标"), (6, "分数"), (7, "指标")]
    assert "第 3 行" in str(caught.value) and "marks.csv" in str(caught.value)


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([["指标", "分数"], ["legality", "80"]], [(1, "专家")]),
        ([["指标", "专家", "分数", "得分"], ["legality", "甲", "80", "80"]], [(1, "分数")]),
    ],
)
def test_expert_table_header_problems(tmp_path: Path, rows: list, where: list) -> None:
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(_write_csv(tmp_path / "marks.csv", rows))
    assert [(p.row, p.column) for p in caught.value.problems] == where


def test_expert_table_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="只有表头"):
        read_expert_marks(_write_csv(tmp_path / "a.csv", [["指标", "专家", "分数"]]))
    with pytest.raises(InputFileError, match="不支持"):
        read_expert_marks(_write_csv(tmp_path / "a.txt", [["指标", "专家", "分数"]]))
    (tmp_path / "b.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputFileError, match="不是有效的 .xlsx"):
        read_expert_marks(tmp_path / "b.xlsx")
    with pytest.raises(InputFileError, match="找不到专家打分表“missing.csv”，请检查文件路径"):
        read_expert_marks(tmp_path / "missing.csv")


@pytest.mark.rule("MH-14")
def test_numpy_numbers_are_numbers() -> None:
    import numpy as np

    card = score(
        load_profile("minhang"),
        survey={"satisfaction_rate": np.float64(0.5)},
        expert_marks={"legality": np.int64(80), "effect": [np.float32(70)], "problems_risks": 70},
        data={"task_completion": np.int64(96)},
    )
    assert card.total == pytest.approx(0.2 * 80 + 0.35 * (0.5 * 100 + 0.5 * 70) + 0.25 * 50 + 0.2 * 70)


# --- exact values: the bounds, the sources, the messages an operator reads ----------------------


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize(("rate", "points"), [(0, 0.0), (0.0, 0.0), (1, 100.0), (1.0, 100.0)])
def test_a_survey_rate_of_exactly_0_or_100_percent_is_a_valid_rate(rate: float, points: float) -> None:
    # minhang 14: acceptance (社会公众满意度, weight 25) is the satisfaction rate × 100; both bounds are rates.
    inputs = {**_complete_minhang(), "survey": {"satisfaction_rate": rate}}
    card = score(load_profile("minhang"), **inputs)
    acceptance = card.indicators[2]
    assert acceptance.score == points and acceptance.children[0].score == points
    assert acceptance.children[0].source == f"问卷满意度 {points:.2f}%"
    assert card.total == pytest.approx(0.20 * 85 + 0.35 * 80 + 0.25 * points + 0.20 * 70)


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(-0.01, "-0.01"), (1.01, "1.01"), (1.5, "1.5"), (2, "2"), ("0.5", "0.5"), (True, "True"), (float("inf"), "inf")],
)
def test_a_survey_rate_outside_0_to_1_is_refused_with_the_figure(rate: object, shown: str) -> None:
    inputs = {**_complete_minhang(), "survey": {"satisfaction_rate": rate}}
    with pytest.raises(ValueError) as caught:
        score(load_profile("minhang"), **inputs)
    assert str(caught.value) == f"问卷满意度应为 0 至 1 之间的比率，实际为“{shown}”"


@pytest.mark.parametrize(("value", "shown"), [("88", "88"), (True, "True"), (float("inf"), "inf"), ([88], "[88]")])
def test_a_figure_that_is_not_a_finite_number_is_refused_naming_the_indicator(value: object, shown: str) -> None:
    inputs = {**_complete_minhang(), "data": {"task_completion": value}}
    with pytest.raises(ValueError) as caught:
        score(load_profile("minhang"), **inputs)
    assert str(caught.value) == (
        f"“预期目标和效果实现程度／目标任务完成率”的数据“目标任务完成率（%）”应为数字，实际为“{shown}”"
    )


def test_a_mark_outside_0_to_100_names_the_indicator_and_the_mark() -> None:
    with pytest.raises(ValueError) as caught:
        score(_single(), survey=None, expert_marks={"only": [80, 100.5]}, data={})
    assert str(caught.value) == "“唯一指标”的专家打分应为 0 至 100 的数字，实际为“100.5”"


@pytest.mark.rule("MH-14")
def test_each_score_says_where_it_came_from() -> None:
    card = score(load_profile("minhang"), **_complete_minhang())
    sources = {i.id: i.source for i in card.indicators}
    assert sources == {
        "legality": "专家打分（2 位专家的平均分）",
        "goal_attainment": "二级指标加权",  # every item scored: the parent is their weighted sum
        "acceptance": "二级指标加权",
        "problems_risks": "专家打分（平均分）",  # a single mark, not a list
    }
    assert [(c.id, c.name, c.weight, c.source) for c in card.indicators[1].children] == [
        ("task_completion", "目标任务完成率", 50.0, "数据“目标任务完成率（%）”为 88，按阈值得 85 分"),
        ("effect", "预期效果实现情况", 50.0, "专家打分（平均分）"),
    ]
    assert card.indicators[2].children[0].source == "问卷满意度 57.59%"
    assert [(i.name, i.weight) for i in card.indicators] == [
        ("决策质量（合法性与协调性）", 20.0),
        ("预期目标和效果实现程度", 35.0),
        ("社会公众满意度", 25.0),
        ("存在的问题与继续实施的潜在风险（问题越少得分越高）", 20.0),
    ]


@pytest.mark.rule("MH-14", "C-NOPRESET")
def test_an_indicator_without_all_its_evidence_has_no_score_and_says_what_it_lacks() -> None:
    # score() refuses outright (C-NOPRESET); the evaluation behind missing_inputs() shows the parts.
    from pinggu.rules.scoring import _evaluate

    inputs = _complete_minhang()
    inputs["expert_marks"] = {"legality": 80, "problems_risks": 70}  # no mark for effect yet
    indicators, missing = _evaluate(load_profile("minhang"), **inputs)
    goal = indicators[1]
    assert (goal.score, goal.source) == (None, "二级指标缺少依据")
    assert [(c.name, c.score, c.source) for c in goal.children] == [
        ("目标任务完成率", 85.0, "数据“目标任务完成率（%）”为 88，按阈值得 85 分"),
        ("预期效果实现情况", None, "缺少专家打分"),
    ]
    assert missing == ("预期目标和效果实现程度／预期效果实现情况（专家打分）",)
    survey_missing = _evaluate(load_profile("minhang"), **{**_complete_minhang(), "survey": None})[0][2]
    assert survey_missing.children[0].source == "缺少问卷满意度"
    data_missing = _evaluate(load_profile("minhang"), **{**_complete_minhang(), "data": {}})[0][1]
    assert data_missing.children[0].source == "缺少数据“目标任务完成率（%）”"


@pytest.mark.rule("C-NOPRESET")
def test_the_refusal_to_score_part_of_the_system_reads_in_full() -> None:
    inputs = {**_complete_minhang(), "survey": None, "data": {}}
    with pytest.raises(RuleViolation) as caught:
        score(load_profile("minhang"), **inputs)
    assert caught.value.message == (
        "尚不能计算评估得分：以下 2 项指标缺少依据——"
        "预期目标和效果实现程度／目标任务完成率（数据“目标任务完成率（%）”）；社会公众满意度／社会公众满意度（问卷满意度）。"
        "请先取得这些依据再计分，不能预设得分或只按部分指标计分"
    )
    assert caught.value.context["profile"] == "minhang"


@pytest.mark.rule("MH-14")
@pytest.mark.parametrize(
    ("marks", "data", "key", "message"),
    [
        (
            {"legalty": 80},
            {},
            "legalty",
            "专家打分中的“legalty”不是本规则指标体系中的指标；请使用指标编号、指标名称或“一级指标编号.二级指标编号”",
        ),
        (
            {},
            {"effect": 80},
            "effect",
            "数据中的“effect”（预期目标和效果实现程度／预期效果实现情况）按专家打分计分，不接受数据",
        ),
        (
            {"task_completion": 99},
            {},
            "task_completion",
            "专家打分中的“task_completion”（预期目标和效果实现程度／目标任务完成率）按数据“目标任务完成率（%）”计分，"
            "不接受专家打分",
        ),
        (
            {"legality": 80, "决策质量（合法性与协调性）": 90},
            {},
            "决策质量（合法性与协调性）",
            "专家打分中“legality”与“决策质量（合法性与协调性）”是同一指标（决策质量（合法性与协调性）），只能给一次",
        ),
        (
            {},
            {"目标任务完成率（%）": 90},
            "目标任务完成率（%）",
            "数据中“task_completion”与“目标任务完成率（%）”是同一指标（预期目标和效果实现程度／目标任务完成率），只能给一次",
        ),
    ],
    ids=["unknown", "mark-as-data", "data-as-mark", "twice-as-marks", "twice-as-data"],
)
def test_a_refused_input_names_itself_in_the_message_and_the_context(
    marks: dict, data: dict, key: str, message: str
) -> None:
    inputs = _complete_minhang()
    inputs["expert_marks"] = {**inputs["expert_marks"], **marks}
    inputs["data"] = {**inputs["data"], **data}
    with pytest.raises(RuleViolation) as caught:
        score(load_profile("minhang"), **inputs)
    assert (caught.value.rule, caught.value.message, caught.value.context["key"]) == ("MH-14", message, key)


@pytest.mark.rule("MH-14")
def test_inputs_needed_lists_what_the_experts_and_the_statistics_supply() -> None:
    assert inputs_needed(load_profile("minhang")) == {
        "expert_marks": [
            ("legality", "决策质量（合法性与协调性）"),
            ("goal_attainment.effect", "预期目标和效果实现程度／预期效果实现情况"),
            ("problems_risks", "存在的问题与继续实施的潜在风险（问题越少得分越高）"),
        ],
        # the statistics are asked for by the measure as the profile writes it
        "data": [("目标任务完成率（%）", "预期目标和效果实现程度／目标任务完成率")],
    }


@pytest.mark.rule("MH-14")
def test_score_card_dict_rounds_to_two_decimals_and_keeps_whole_weights_whole() -> None:
    profile = _profile(
        [
            {"id": "a", "name": "甲", "weight": 75, "basis": "测试"},
            {"id": "b", "name": "乙", "weight": 25, "basis": "测试"},
        ]
    )
    card = score(profile, survey=None, expert_marks={"a": [70, 70.3333], "b": 80}, data={})
    assert card.to_dict() == {
        "total": 72.62,  # 0.75 × 70.16665 + 0.25 × 80 = 72.6249875
        "grade": card.grade,
        "recommended": card.recommended,
        "indicators": [
            {
                "id": "a",
                "name": "甲",
                "weight": 75,
                "score": 70.17,
                "source": "专家打分（2 位专家的平均分）",
                "children": [],
            },
            {"id": "b", "name": "乙", "weight": 25, "score": 80, "source": "专家打分（平均分）", "children": []},
        ],
        "missing": [],
    }
    weights = [i["weight"] for i in score(load_profile("minhang"), **_complete_minhang()).to_dict()["indicators"]]
    assert weights == [20, 35, 25, 20] and all(type(w) is int for w in weights)
    assert IndicatorScore("a", "甲", 50, None, "缺少专家打分").to_dict()["score"] is None
    assert IndicatorScore("a", "甲", 12.5, 70.0, "专家打分（平均分）").to_dict()["weight"] == 12.5
    assert ScoreCard(73.3975, "中", "调整", ()).to_dict()["total"] == 73.4


@pytest.mark.rule("MH-14", "C-NOPRESET")
def test_a_departure_without_any_reason_is_refused_in_full() -> None:
    for reason in (None, "", "  "):
        with pytest.raises(RuleViolation) as caught:
            check_departure(Conclusion.adjust, "终止执行", reason)
        assert caught.value.message == "审定结论“终止执行”与按得分推荐的结论“调整”不同，须书面说明理由"
        assert caught.value.context == {"rule": "MH-14", "recommended": "调整", "chosen": "终止执行"}


@pytest.mark.rule("MH-14")
def test_an_unknown_conclusion_lists_the_four_allowed() -> None:
    # C-CONCLUSION (ordos 19(8), minhang 12(4), ningxia 7(4)): continue, adjust, suspend, terminate.
    with pytest.raises(ValueError) as chosen:
        departure_reason_required("调整", "继续")
    assert str(chosen.value) == "审定结论“继续”不是可用的评估结论（可用：继续执行、调整、中止执行、终止执行）"
    with pytest.raises(ValueError) as recommended:
        departure_reason_required("暂缓", "调整")
    assert str(recommended.value) == "推荐结论“暂缓”不是可用的评估结论（可用：继续执行、调整、中止执行、终止执行）"


@pytest.mark.rule("MH-14")
def test_expert_table_problems_read_in_full(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "marks.csv",
        [
            ["指标", "专家", "分数"],
            ["legality", "周立平", "80"],
            ["legality", "周立平", "85"],  # row 3
            ["effect", "吴晓", "abc"],  # row 4
            ["effect", "陈静"],  # row 5: the row stops before 分数
            ["problems_risks", "陈静", "100.5"],  # row 6
            ["legalty", "陈静", "60"],  # row 7
            ["", "陈静", "60"],  # rows 8 and 9: no indicator — not a second mark of the same one
            ["", "陈静", "70"],
        ],
    )
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(path, profile=load_profile("minhang"))
    assert [(p.row, p.column, p.reason) for p in caught.value.problems] == [
        (3, "专家", "专家“周立平”对该指标已在第 2 行打分，每位专家每项指标只打一次分"),
        (4, "分数", "分数应为 0 至 100 的数字，实际为“abc”"),
        (5, "分数", "必须填写"),
        (6, "分数", "分数应在 0 至 100 之间，实际为 100.5"),
        (
            7,
            "指标",
            "专家打分中的“legalty”不是本规则指标体系中的指标；请使用指标编号、指标名称或“一级指标编号.二级指标编号”",
        ),
        (8, "指标", "必须填写"),
        (9, "指标", "必须填写"),
    ]
    assert caught.value.message == "专家打分表“marks.csv”有 7 处问题，未读取；请修改后重新提交："
    assert caught.value.context == {"path": str(path)}


@pytest.mark.rule("MH-14")
def test_expert_table_accepts_the_bounds_0_and_100(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "marks.csv",
        [
            ["指标", "专家", "分数"],
            ["legality", "周立平", "0"],
            ["legality", "吴晓", "100分"],
            ["effect", "陈静", "0.5"],
        ],
    )
    assert read_expert_marks(path) == {"legality": 50.0, "effect": 0.5}


def test_expert_table_file_messages_name_the_table(tmp_path: Path) -> None:
    empty = _write_csv(tmp_path / "a.csv", [["指标", "专家", "分数"]])
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(empty)
    assert caught.value.message == ("专家打分表“a.csv”只有表头，没有打分（从第 2 行起每行一位专家对一项指标的分数）")
    assert caught.value.context == {"path": str(empty)}
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(_write_csv(tmp_path / "a.txt", [["指标", "专家", "分数"]]))
    assert caught.value.message == "不支持的专家打分表文件类型“.txt”：请提供 .csv 或 .xlsx 文件"
    with pytest.raises(InputFileError) as caught:
        read_expert_marks(_write_csv(tmp_path / "b.csv", [["指标", "分数"], ["legality", "80"]]))
    assert (
        caught.value.message
        == "专家打分表“b.csv”的表头有误（文件中的表头：指标、分数）；第 1 行应为 指标、专家、分数："
    )
