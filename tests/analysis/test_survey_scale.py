"""Numeric satisfaction codes are read only in a known direction (E-SCALE, issue 30 item 10).

问卷星's download by option number writes 1 for the first option, usually 很满意; a score writes 5 for
the most satisfied. The issue's file, ``1,1,1,2,5`` under a 满意 header, meant a satisfaction rate of
0.8 and a mean of 4.0 (1 = 很满意); read as 5 = 很满意 it gave 0.2 and 2.0, silently. Every figure
below is counted by hand in the comments and asserted exactly.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pinggu.analysis.survey_figures import summarise_survey, wilson_interval
from pinggu.analysis.survey_reading import code_labels, read_survey
from pinggu.core.errors import InputFileError, Problem
from pinggu.rules.vocabulary import SatisfactionScale

FIRST, LAST = SatisfactionScale.first_is_best, SatisfactionScale.last_is_best
ISSUE_CODES = ["1", "1", "1", "2", "5"]
NO_DIRECTION = (
    "答案是数字 1–5，但文件没有说明数字的方向（1 是“很满意”还是“很不满意”），不能统计；"
    "请说明方向后重新提交：提交时选择编码方向“1=很满意”或“5=很满意”（命令行 --scale），"
    "或在表头注明，如“（1=很满意，5=很不满意）”。问卷星按选项序号下载时，1 为第一个选项"
)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def survey_file(tmp_path: Path, header: str, codes: list[str], name: str = "wjx.csv") -> Path:
    rows = [["序号", "性别", header]] + [[str(i), "男" if i % 2 else "女", code] for i, code in enumerate(codes, 1)]
    return write_csv(tmp_path / name, rows)


def item(path: Path, scale: SatisfactionScale | None = None) -> tuple[int, float, float | None]:
    (figures,) = summarise_survey(read_survey(path, scale=scale)).items
    return figures.n, figures.rate, figures.mean


# --- the direction stated by the operator --------------------------------------------------------


@pytest.mark.rule("E-SCALE")
def test_codes_of_unknown_direction_refuse_the_file_naming_the_column(tmp_path: Path) -> None:
    path = survey_file(tmp_path, "Q2 您对窗口服务满意吗", ISSUE_CODES)
    with pytest.raises(InputFileError) as refused:
        read_survey(path)
    assert refused.value.message == "问卷文件有 1 道满意度题以数字记录答案，但没有说明数字的方向，不作推测："
    assert refused.value.problems == [Problem(reason=NO_DIRECTION, column="Q2 您对窗口服务满意吗")]
    assert refused.value.context == {"path": str(path)}


@pytest.mark.rule("E-SCALE")
def test_the_issue_file_read_with_1_as_very_satisfied(tmp_path: Path) -> None:
    # 1 1 1 → 很满意 (5 points each), 2 → 满意 (4), 5 → 很不满意 (1): 4 of 5 satisfied, mean 20 / 5.
    path = survey_file(tmp_path, "Q2 您对窗口服务满意吗", ISSUE_CODES)
    assert item(path, FIRST) == (5, 0.8, 4.0)
    frame = read_survey(path, scale=FIRST)
    assert frame["Q2 您对窗口服务满意吗"].tolist() == ["很满意", "很满意", "很满意", "满意", "很不满意"]
    (figures,) = summarise_survey(frame).items
    assert figures.ci95 == wilson_interval(4, 5)


@pytest.mark.rule("E-SCALE")
def test_the_issue_file_read_with_5_as_very_satisfied(tmp_path: Path) -> None:
    # 1 1 1 → 很不满意 (1 point each), 2 → 不满意 (2), 5 → 很满意 (5): 1 of 5 satisfied, mean 10 / 5.
    path = survey_file(tmp_path, "Q2 您对窗口服务满意吗", ISSUE_CODES)
    assert item(path, LAST) == (5, 0.2, 2.0)
    assert read_survey(path, scale=LAST)["Q2 您对窗口服务满意吗"].tolist() == [
        "很不满意",
        "很不满意",
        "很不满意",
        "不满意",
        "很满意",
    ]


@pytest.mark.rule("E-SCALE")
def test_an_excel_export_by_option_number_with_skips(tmp_path: Path) -> None:
    # 问卷星 by option number, XLSX: numbers, -3 跳过, -2 空. 1 = 很满意: 5 2 1 1 4 → points 1 4 5 5 2,
    # 3 of 5 at 4 or 5, mean 17 / 5; the same file as 5 = 很满意: 5 2 1 1 4 points, 2 of 5, mean 13 / 5.
    path = tmp_path / "wjx.xlsx"
    workbook = openpyxl.Workbook()
    for row in [["序号", "Q1 总体满意度"], [1, 5], [2, 2], [3, -3], [4, 1], [5, 1], [6, -2], [7, 4]]:
        workbook.active.append(row)
    workbook.save(path)
    assert item(path, FIRST) == (5, 0.6, 3.4)
    assert item(path, LAST) == (5, 0.4, 2.6)
    with pytest.raises(InputFileError) as refused:
        read_survey(path)
    assert refused.value.problems == [Problem(reason=NO_DIRECTION, column="Q1 总体满意度")]


@pytest.mark.rule("E-SCALE")
def test_every_column_of_unknown_direction_is_named_at_once(tmp_path: Path) -> None:
    rows = [["序号", "Q1 窗口服务满意度", "Q2 是否知晓", "Q3 您对补贴发放满意吗", "Q4 办事指南满意度"]]
    rows += [["1", "1", "是", "2", "满意"], ["2", "3", "否", "5", "很满意"]]
    with pytest.raises(InputFileError) as refused:
        read_survey(write_csv(tmp_path / "two.csv", rows))
    assert refused.value.message == "问卷文件有 2 道满意度题以数字记录答案，但没有说明数字的方向，不作推测："
    assert [p.column for p in refused.value.problems] == ["Q1 窗口服务满意度", "Q3 您对补贴发放满意吗"]


@pytest.mark.rule("E-SCALE")
def test_numbers_mixed_with_texts_need_the_direction_too(tmp_path: Path) -> None:
    # Under a 满意度 header numbers and texts may be mixed; the texts say nothing about the numbers.
    path = survey_file(tmp_path, "Q3 办事效率满意度", ["很满意", "1", "一般", "5", "满意"])
    with pytest.raises(InputFileError) as refused:
        read_survey(path)
    assert refused.value.problems == [Problem(reason=NO_DIRECTION, column="Q3 办事效率满意度")]
    # 1 = 很满意: 很满意 很满意 一般 很不满意 满意 → 3 of 5, mean (5 + 5 + 3 + 1 + 4) / 5.
    assert item(path, FIRST) == (5, 0.6, 3.6)
    # 5 = 很满意: 很满意 很不满意 一般 很满意 满意 → 3 of 5, mean (5 + 1 + 3 + 5 + 4) / 5.
    assert item(path, LAST) == (5, 0.6, 3.6)
    assert read_survey(path, scale=LAST)["Q3 办事效率满意度"].tolist() == [
        "很满意",
        "很不满意",
        "一般",
        "很满意",
        "满意",
    ]


@pytest.mark.rule("E-SCALE")
def test_an_answer_off_the_scale_and_the_unknown_direction_are_both_named(tmp_path: Path) -> None:
    path = survey_file(tmp_path, "Q3 办事效率满意度", ["很满意", "1", "还行"])
    with pytest.raises(InputFileError) as refused:
        read_survey(path)
    assert refused.value.message == "问卷文件有 2 处问题，请修改后重新上传："
    assert refused.value.problems == [
        Problem(
            reason="答案“还行”不在量表内，应为 很满意/满意/一般/不满意/很不满意 或 1–5",
            row=4,
            column="Q3 办事效率满意度",
        ),
        Problem(reason=NO_DIRECTION, column="Q3 办事效率满意度"),
    ]


@pytest.mark.rule("E-SCALE")
def test_answers_written_as_text_need_no_direction(tmp_path: Path) -> None:
    path = survey_file(tmp_path, "Q2 您对窗口服务满意吗", ["很满意", "很满意", "很满意", "满意", "很不满意"])
    assert item(path) == item(path, FIRST) == item(path, LAST) == (5, 0.8, 4.0)


# --- the direction stated in the file: option texts in the header, the platform's question type ---


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Q2 满意度（1=很满意，5=很不满意）", (5, 0.8, 4.0)),
        ("Q2 满意度（1=很满意）", (5, 0.8, 4.0)),
        ("Q2 满意度（5=很不满意）", (5, 0.8, 4.0)),
        ("Q2 满意度 1.很满意 2.满意 3.一般 4.不满意 5.很不满意", (5, 0.8, 4.0)),
        ("Q2 满意度（１＝非常满意）", (5, 0.8, 4.0)),  # full-width, and 非常满意 for 很满意
        ("Q2 满意度（5分为很满意）", (5, 0.2, 2.0)),
        ("Q2 满意度（很满意=5，很不满意=1）", (5, 0.2, 2.0)),
        ("Q2 满意度 1.很不满意 2.不满意 3.一般 4.满意 5.很满意", (5, 0.2, 2.0)),
    ],
)
def test_the_header_s_option_texts_give_the_direction(tmp_path: Path, header: str, expected: tuple) -> None:
    path = survey_file(tmp_path, header, ISSUE_CODES)
    assert item(path) == expected
    # The file's own word is the column's: the operator's direction is for the columns the file leaves open.
    assert item(path, FIRST) == item(path, LAST) == expected


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(
    "header", ["Q3【量表题】您对办事效率的满意度", "Q3 您对办事效率的满意度（量表题）", "9、办事效率满意度—矩阵量表题"]
)
def test_a_scale_question_is_read_as_its_score(tmp_path: Path, header: str) -> None:
    # A 量表题 exports the option's score: 5 = 很满意. 5 4 4 2 1 → 3 of 5 at 4 or 5, mean 16 / 5 (read
    # as 1 = 很满意 it would be 2 of 5 and 14 / 5).
    path = survey_file(tmp_path, header, ["5", "4", "4", "2", "1"])
    assert item(path) == (5, 0.6, 3.2)
    assert item(path, FIRST) == (5, 0.6, 3.2)  # the export says what the numbers are


@pytest.mark.rule("E-SCALE")
def test_a_scale_question_whose_header_states_the_reverse_is_read_as_stated(tmp_path: Path) -> None:
    path = survey_file(tmp_path, "Q3【量表题】办事效率满意度（1=很满意）", ["5", "4", "4", "2", "1"])
    # 1 = 很满意: 5 4 4 2 1 → points 1 2 2 4 5: 2 of 5, mean 14 / 5.
    assert item(path) == (5, 0.4, 2.8)


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("Q2 满意度（3=不满意）", "3=不满意"),  # a three-point scale, or a typo: neither direction
        ("Q2 满意度（1=很满意，5=很满意）", "1=很满意，5=很满意"),
    ],
)
def test_a_header_whose_option_texts_fit_neither_direction_is_refused(tmp_path: Path, header: str, shown: str) -> None:
    path = survey_file(tmp_path, header, ISSUE_CODES)
    with pytest.raises(InputFileError) as refused:
        read_survey(path, scale=FIRST)  # not overridden by the operator: the file contradicts itself
    assert refused.value.message == "问卷文件有 1 处问题，请修改后重新上传："
    assert refused.value.problems == [
        Problem(
            reason=f"表头对数字含义的说明（{shown}）不是“1=很满意…5=很不满意”或“5=很满意…1=很不满意”之一，"
            "无法确定数字的方向，不能统计；请改正表头后重新提交",
            column=header,
        )
    ]


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(
    "header",
    [
        "Q2 满意度",
        "Q2 满意度（1-5分）",  # a range says nothing about which end is 很满意
        "Q2 满意1-5分",
        "Q5 对窗口服务的满意程度",
        "Q15 很满意的理由",  # the question's number is no code
    ],
)
def test_a_header_without_option_texts_gives_no_direction(header: str) -> None:
    assert code_labels(header) == NO_DIRECTION
    assert code_labels(header, FIRST) == {"1": "很满意", "2": "满意", "3": "一般", "4": "不满意", "5": "很不满意"}
    assert code_labels(header, LAST) == {"5": "很满意", "4": "满意", "3": "一般", "2": "不满意", "1": "很不满意"}


# --- a frame built by hand --------------------------------------------------------------------------


@pytest.mark.rule("E-SCALE")
def test_a_frame_built_by_hand_lists_a_column_of_unknown_direction_and_counts_it_once_stated() -> None:
    plain = pd.DataFrame({"序号": ["1", "2", "3", "4", "5"], "Q2 您对窗口服务满意吗": ISSUE_CODES})
    unstated = summarise_survey(plain)
    assert unstated.items == [] and unstated.satisfaction_rate is None
    assert unstated.unanalysed == [{"question": "Q2 您对窗口服务满意吗", "reason": NO_DIRECTION}]
    stated = summarise_survey(plain, scale=FIRST)
    assert (stated.items[0].rate, stated.items[0].mean) == (0.8, 4.0)
    assert (stated.satisfaction_rate, stated.satisfaction_mean) == (0.8, 4.0)
    reversed_ = summarise_survey(plain, scale=LAST)
    assert (reversed_.satisfaction_rate, reversed_.satisfaction_mean) == (0.2, 2.0)
    # The breakdowns follow: a 性别 column with the direction stated.
    plain["性别"] = ["男", "男", "女", "女", "女"]
    by_sex = {g["group"]: g["satisfaction_rate"] for g in summarise_survey(plain, scale=FIRST).breakdowns["性别"]}
    assert by_sex == {"女": pytest.approx(2 / 3), "男": 1.0}  # 男 1 1; 女 1 2 5 → 2 of 3
