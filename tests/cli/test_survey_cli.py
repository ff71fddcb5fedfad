"""`pinggu survey analyze FILE [--json] [--population FILE]` (SPEC §7; E-SAMPLE, E-PRIVACY).

The JSON figures are checked against values computed here with plain Python from the CSV; the
representativeness check against χ² statistics and p-values computed here by the closed forms of
the χ² distribution with 1, 2 and 3 degrees of freedom.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pinggu.core.settings import SAMPLES_DIR
from pinggu.cli import app

runner = CliRunner()
SAMPLE = SAMPLES_DIR / "survey.csv"

Z = 1.959963984540054
POINTS = {"很满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1}
DEMOGRAPHICS = ("职业", "年龄段", "性别", "收入水平", "文化程度", "街镇")


def analyze(*args: str):
    return runner.invoke(app, ["survey", "analyze", *args])


def analyze_json(*args: str) -> dict:
    result = analyze(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def wilson(hits: int, n: int) -> tuple[float, float]:
    p = hits / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_items(records: list[dict[str, str]]) -> list[dict]:
    """Items by the issue's definitions, counted by plain Python (4-decimal rounding as the JSON)."""
    items = []
    for question in records[0]:
        if question in DEMOGRAPHICS:
            continue
        answers = [r[question].strip() for r in records if r[question].strip()]
        if answers and set(answers) <= set(POINTS):
            hits = sum(a in ("很满意", "满意") for a in answers)
            extra = {"mean": sum(POINTS[a] for a in answers) / len(answers)}
            kind = "satisfaction"
        elif answers and set(answers) <= {"是", "否"}:
            hits, extra, kind = answers.count("是"), {}, "yes_no"
        else:
            continue
        items.append(
            {
                "question": question,
                "kind": kind,
                "n": len(answers),
                "rate": hits / len(answers),
                "ci95": list(wilson(hits, len(answers))),
                **extra,
            }
        )
    return items


def approx(value):
    """Compare with the JSON's 4-decimal rounding."""
    if isinstance(value, dict):
        return {k: approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx(v) for v in value]
    if isinstance(value, float):
        return pytest.approx(value, abs=5.1e-5)
    return value


# --- the JSON --------------------------------------------------------------------------------------


def test_command_is_registered_with_chinese_help() -> None:
    group = get_command(app).commands["survey"]
    assert set(group.commands) == {"analyze"}
    result = runner.invoke(app, ["survey", "analyze", "--help"])
    assert result.exit_code == 0
    assert "分组字段" in result.output and "占比" in result.output  # the population format is documented


@pytest.mark.rule("E-SAMPLE")  # the breakdowns by the sampling demographics
def test_sample_json_matches_plain_counting() -> None:
    records = sample_rows()
    data = analyze_json(str(SAMPLE))
    assert list(data) == ["respondents", "items", "unanalysed", "breakdowns"]
    assert data["unanalysed"] == []  # every question of the sample is analysed
    assert data["respondents"] == len(records) == 600
    assert data["items"] == approx(expected_items(records))
    for item in data["items"]:
        expected_keys = {"question", "kind", "n", "rate", "ci95"} | (
            {"mean"} if item["kind"] == "satisfaction" else set()
        )
        assert set(item) == expected_keys
    # Breakdowns: respondents and share per group of every demographic, counted by hand.
    assert set(data["breakdowns"]) == set(DEMOGRAPHICS)
    for demographic, groups in data["breakdowns"].items():
        counts = Counter(r[demographic] for r in records)
        assert {g["group"]: g["respondents"] for g in groups} == dict(counts)
        assert {g["group"]: g["share"] for g in groups} == approx({k: v / 600 for k, v in counts.items()})
    women = [r for r in records if r["性别"] == "女"]
    sat = [r[q] for r in women for q in r if q.endswith("满意度") and r[q]]
    by_sex = {g["group"]: g for g in data["breakdowns"]["性别"]}
    assert by_sex["女"]["satisfaction_rate"] == approx(sum(a in ("很满意", "满意") for a in sat) / len(sat))


KNOWN = [["问卷编号", "性别", "Q1 是否知晓", "Q2 满意度"]] + [
    [
        f"K{i:03d}",
        "男" if i < 60 else "女",
        "是" if i < 70 else ("否" if i < 100 else ""),
        "满意" if i % 2 else ("" if i % 4 else "很不满意"),
    ]
    for i in range(110)
]


def test_known_answers_json(tmp_path: Path) -> None:
    data = analyze_json(str(write_csv(tmp_path / "known.csv", KNOWN)))
    q1, q2 = data["items"]
    # 70 of 100 是; the 10 blanks are not counted.
    assert q1 == approx(
        {"question": "Q1 是否知晓", "kind": "yes_no", "n": 100, "rate": 0.7, "ci95": list(wilson(70, 100))}
    )
    assert q1["ci95"] == [0.6042, 0.7811]
    # 55 满意 (odd rows) + 28 很不满意 (rows i % 4 == 0), 27 blanks; by sex 25 + 13 and 30 + 15.
    assert q2 == approx(
        {
            "question": "Q2 满意度",
            "kind": "satisfaction",
            "n": 83,
            "rate": 55 / 83,
            "ci95": list(wilson(55, 83)),
            "mean": (55 * 4 + 28 * 1) / 83,
        }
    )
    assert data["breakdowns"]["性别"] == approx(
        [
            {
                "group": "女",
                "respondents": 50,
                "share": 50 / 110,
                "satisfaction_rate": 25 / 38,
                "awareness_rate": 10 / 40,
            },
            {"group": "男", "respondents": 60, "share": 60 / 110, "satisfaction_rate": 30 / 45, "awareness_rate": 1.0},
        ]
    )


# 问卷星's text download writes (跳过) and (空); its download by option number -3 and -2.
BLANKS = [
    ["序号", "Q1 是否知晓", "Q2 您对窗口服务满意吗", "Q3 补贴发放满意度", "Q4 您对办事指南满意吗"],
    ["1", "是", "很满意", "(跳过)", "满意"],
    ["2", "(空)", "(跳过)", "(空)", "很好"],
    ["3", "否", "满意", "（跳过）", "满意"],
    ["4", "是", "（空）", "", "一般"],
    ["5", "是", "一般", "-3", "(跳过)"],
    ["6", "（跳过）", "-2", "-2", "很好"],
]


def test_blank_markers_and_questions_not_analysed_json_and_table(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wjx.csv", BLANKS)
    data = analyze_json(str(path))
    # Q1: 是 3 of 4; Q2: 很满意 满意 一般 → 2 of 3, mean 4.0 — the markers and -2 are not answers.
    assert data["items"] == approx(
        [
            {"question": "Q1 是否知晓", "kind": "yes_no", "n": 4, "rate": 0.75, "ci95": list(wilson(3, 4))},
            {
                "question": "Q2 您对窗口服务满意吗",
                "kind": "satisfaction",
                "n": 3,
                "rate": 2 / 3,
                "ci95": list(wilson(2, 3)),
                "mean": 4.0,
            },
        ]
    )
    assert data["unanalysed"] == [
        {
            "question": "Q3 补贴发放满意度",
            "reason": "全部 6 份答案均为空或跳过，没有可统计的回答；"
            "请核对该题是否被跳题逻辑跳过、导出是否完整，必要时从问卷平台重新导出",
        },
        {
            "question": "Q4 您对办事指南满意吗",
            "reason": "含无法识别的答案“很好”（第 3、7 行），共 2 份，整题未统计；满意度题的答案应为 "
            "很满意/满意/一般/不满意/很不满意 或 1–5（未作答的留空即可），请更正后重新上传",
        },
    ]
    result = analyze(str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("未能统计的题目 2 道（不计入上表和总体比率）：")
    assert lines[start + 1].startswith("  Q3 补贴发放满意度：全部 6 份答案均为空或跳过")
    assert lines[start + 2].startswith("  Q4 您对办事指南满意吗：含无法识别的答案“很好”（第 3、7 行）")
    assert not any(line.startswith(("Q3", "Q4")) for line in lines[:start])  # in no row of the table


@pytest.mark.rule("E-PRIVACY")
def test_gbk_and_xlsx_give_the_same_json_as_utf8(tmp_path: Path) -> None:
    records = sample_rows()
    gbk = tmp_path / "survey-gbk.csv"
    gbk.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk"))
    xlsx = tmp_path / "survey.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(list(records[0]))
    for record in records:
        # As a spreadsheet holds them: phone numbers as numbers, blank answers as empty cells.
        workbook.active.append([int(v) if k == "手机号" else (v or None) for k, v in record.items()])
    workbook.save(xlsx)
    utf8 = analyze("--json", str(SAMPLE)).stdout
    assert analyze("--json", str(gbk)).stdout == utf8
    assert analyze("--json", str(xlsx)).stdout == utf8
    for record in records:  # and no personal data in it, whatever the format (E-PRIVACY)
        assert record["姓名"] not in utf8 and record["手机号"] not in utf8 and record["身份证号"] not in utf8


def test_readable_chinese_table() -> None:
    result = analyze(str(SAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "答卷 600 份" in lines[0]
    header = next(line for line in lines if line.startswith("题目"))
    assert all(word in header for word in ("类型", "有效回答", "比例", "95% 置信区间", "平均分"))
    q2 = next(line for line in lines if line.startswith("Q2 满意度"))
    expected = expected_items(sample_rows())[1]
    assert f"{expected['rate'] * 100:.1f}%" in q2 and f"{expected['mean']:.2f}" in q2
    assert "按性别：" in lines and not result.output.lstrip().startswith("{")


# --- representativeness (E-SAMPLE) -----------------------------------------------------------------


def chi2_sf(x: float, df: int) -> float:
    """The χ² upper tail by closed form, df 1–3."""
    if df == 1:
        return math.erfc(math.sqrt(x / 2))
    if df == 2:
        return math.exp(-x / 2)
    if df == 3:
        return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    raise ValueError(df)


POPULATION = {
    "性别": {"男": "50%", "女": "50%"},
    "收入水平": {"低": "0.2", "中": "0.3", "高": "0.5"},
    "年龄段": {"18-29": "25%", "30-44": "25%", "45-59": "25%", "60及以上": "25%"},
}


def population_rows(shares: dict[str, dict[str, str]]) -> list[list[str]]:
    return [["分组字段", "类别", "占比"]] + [[d, g, s] for d, groups in shares.items() for g, s in groups.items()]


@pytest.mark.rule("E-SAMPLE")
def test_population_adds_the_chi_square_check(tmp_path: Path) -> None:
    records = sample_rows()
    population = write_csv(tmp_path / "population.csv", population_rows(POPULATION))
    data = analyze_json(str(SAMPLE), "--population", str(population))
    assert list(data) == ["respondents", "items", "unanalysed", "breakdowns", "representativeness"]
    check = data["representativeness"]
    for demographic, groups in POPULATION.items():
        counts = Counter(r[demographic] for r in records)
        weights = {g: float(s.rstrip("%")) for g, s in groups.items()}
        total = sum(weights.values())
        statistic = sum((counts[g] - 600 * w / total) ** 2 / (600 * w / total) for g, w in weights.items())
        p_value = chi2_sf(statistic, len(groups) - 1)
        result = check["demographics"][demographic]
        assert result["chi_square"] == pytest.approx(statistic, abs=5.1e-5), demographic
        assert result["df"] == len(groups) - 1
        assert result["p_value"] == pytest.approx(p_value, abs=5.1e-5), demographic
        assert result["representative"] is (p_value >= 0.05)
        assert {g["group"]: g["observed"] for g in result["groups"]} == {g: counts[g] for g in groups}
    # The sample's 200/200/200 incomes are far from 20/30/50 %; gender and age are close to even.
    verdicts = {d: r["representative"] for d, r in check["demographics"].items()}
    assert verdicts == {"性别": True, "收入水平": False, "年龄段": True}
    assert check["representative"] is False
    assert check["not_checked"] == ["职业", "文化程度", "街镇"]

    text = analyze(str(SAMPLE), "--population", str(population))
    assert text.exit_code == 0, text.output
    assert "样本代表性" in text.output and "不具代表性" in text.output and "χ²" in text.output


@pytest.mark.rule("E-SAMPLE")
def test_shares_as_fractions_percentages_or_head_counts_in_xlsx_agree(tmp_path: Path) -> None:
    fractions = write_csv(tmp_path / "fractions.csv", population_rows({"性别": {"男": "0.49", "女": "0.51"}}))
    xlsx = tmp_path / "counts.xlsx"
    workbook = openpyxl.Workbook()
    for row in [["分组字段", "类别", "人数"], ["性别", "男", 4900], ["性别", "女", 5100]]:
        workbook.active.append(row)
    workbook.save(xlsx)
    gbk = write_csv(tmp_path / "percent-gbk.csv", population_rows({"性别": {"男": "49%", "女": "51%"}}), "gbk")
    checks = [analyze_json(str(SAMPLE), "--population", str(p))["representativeness"] for p in (fractions, xlsx, gbk)]
    assert checks[0] == checks[1] == checks[2]
    assert checks[0]["demographics"]["性别"]["representative"] is True


@pytest.mark.rule("E-SAMPLE")
def test_a_group_the_population_does_not_list_is_not_judged(tmp_path: Path) -> None:
    population = write_csv(tmp_path / "p.csv", population_rows({"性别": {"男性": "50%", "女性": "50%"}}))
    check = analyze_json(str(SAMPLE), "--population", str(population))["representativeness"]
    result = check["demographics"]["性别"]
    assert result["representative"] is None and check["representative"] is None
    assert {g["group"] for g in result["sample_only"]} == {"男", "女"}


# --- bad files ----------------------------------------------------------------------------------------


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception escaping
    assert "错误：" in result.output and "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


def test_bad_answer_is_named_by_row_and_column(tmp_path: Path) -> None:
    rows = [
        ["问卷编号", "Q1 是否知晓", "Q2 满意度"],
        ["1", "是", "满意"],
        ["2", "否", "非常满意"],
        ["3", "不知道", "一般"],
    ]
    result = analyze(str(write_csv(tmp_path / "bad.csv", rows)), "--json")
    assert_refused(result, "第 3 行", "Q2 满意度", "非常满意", "第 4 行", "Q1 是否知晓")
    assert result.stdout == ""  # no half-printed JSON


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.csv", None, ("找不到",)),
        ("empty.csv", b"", ("空",)),
        ("notes.txt", "问卷编号,Q1 满意度\n1,满意\n".encode(), ("不支持的文件类型",)),
        ("ragged.csv", "问卷编号,Q1 满意度\n1,满意\n2,一般,多余\n".encode(), ("第 3 行",)),
        ("broken.xlsx", b"not a zip", ("无法打开",)),
    ],
)
def test_unusable_survey_files(tmp_path: Path, name: str, content: bytes | None, words: tuple[str, ...]) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert_refused(analyze(str(path)), *words)


@pytest.mark.rule("E-SAMPLE")
@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([["类别", "占比"], ["男", "50%"]], ("第 1 行", "分组字段", "缺少")),
        (
            [["分组字段", "类别", "占比"], ["性别", "男", "一半"], ["性别", "", "50%"]],
            ("第 2 行", "“占比”列", "一半", "第 3 行", "“类别”列"),
        ),
        ([["分组字段", "类别", "占比"], ["性别", "男", "50%"], ["性别", "男", "50%"]], ("第 3 行", "重复")),
        ([["分组字段", "类别", "占比"], ["性别", "男", "50%"], ["性别", "女", "0.5"]], ("第 3 行", "统一")),
        ([["分组字段", "类别", "占比"], ["性别", "男", "0"], ["性别", "女", "0"]], ("第 2 行", "之和为 0")),
        ([["分组字段", "类别", "占比"]], ("没有数据",)),
    ],
)
def test_bad_population_files(tmp_path: Path, rows: list[list[str]], words: tuple[str, ...]) -> None:
    population = write_csv(tmp_path / "population.csv", rows)
    assert_refused(analyze(str(SAMPLE), "--json", "--population", str(population)), "总体比例表", *words)


def test_missing_population_file(tmp_path: Path) -> None:
    assert_refused(analyze(str(SAMPLE), "--population", str(tmp_path / "nope.csv")), "找不到总体比例表")
