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

from core.errors import InputFileError, RuleViolation
from rules.profiles import PROFILES_DIR, Profile, load_profile, load_profiles
from rules.scoring import (
    check_departure,
    departure_reason_required,
    missing_inputs,
    read_expert_marks,
    score,
    threshold_score,
)
from rules.vocabulary import Conclusion

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
    with pytest.raises(RuleViolation, match="a.x、b.x"):
        score(profile, survey=None, expert_marks={"x": 80, "b.x": 60}, data={})
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
    with pytest.raises(InputFileError, match="无法读取"):
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
