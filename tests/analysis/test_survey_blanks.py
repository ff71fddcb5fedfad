"""Questionnaire platforms' blank markers, and questions that cannot be analysed (issue 13 item 1).

问卷星 writes a skipped answer as ``(跳过)`` and an empty one as ``(空)`` in its text downloads, and
``-3`` / ``-2`` in its download by option number; 腾讯问卷 and 金数据 leave such a cell empty. All of
these are blanks: never counted in an item's n. -2 and -3 only where the item's scale (positive)
cannot hold them. A question that cannot be analysed is listed in ``unanalysed`` with its reason,
in the figures, their dict (the CLI's JSON, the flow's analysis) and the report.

The exports are built here, in the formats those platforms produce; the figures expected are
counted by hand in the comments and asserted exactly.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pinggu.analysis.survey_figures import ItemFigures, summarise_survey, wilson_interval
from pinggu.analysis.survey_reading import read_survey
from pinggu.rules.vocabulary import SatisfactionScale

ALL_BLANK = "全部 {n} 份答案均为空或跳过，没有可统计的回答；请核对该题是否被跳题逻辑跳过、导出是否完整，必要时从问卷平台重新导出"
SATISFACTION_EXPECTED = (
    "满意度题的答案应为 很满意/满意/一般/不满意/很不满意 或 1–5（未作答的留空即可），请更正后重新上传"
)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


# --- 问卷星, 按选项文本下载 (CSV): (跳过) and (空) -------------------------------------------------

# One list per column, 15 answers each (spreadsheet rows 2–16).
WJX_TEXT = {
    "序号": [str(i) for i in range(1, 16)],
    "提交答卷时间": [f"2025/3/{i} 10:00:00" for i in range(1, 16)],
    "来源": ["手机提交"] * 15,
    "性别": ["男", "女", "男", "(跳过)", "女", "男", "女", "男", "女", "男", "女", "男", "（跳过）", "女", "男"],
    # 是 8, 否 4, blanks 3 → n 12, rate 8/12.
    "Q1 您是否知晓该政策": [
        "是",
        "是",
        "否",
        "(空)",
        "是",
        "是",
        "否",
        "是",
        "(跳过)",
        "是",
        "否",
        "是",
        "是",
        "否",
        "（空）",
    ],
    # The question of the issue: no 满意度 in its header, so (跳过) made it free text, silently.
    # 很满意 3, 满意 4, 一般 2, 不满意 1, blanks 5 → n 10, rate 7/10, mean (15 + 16 + 6 + 2) / 10 = 3.9.
    "Q2 您对窗口服务满意吗": [
        "很满意",
        "满意",
        "(跳过)",
        "满意",
        "一般",
        "(空)",
        "很满意",
        "满意",
        "（跳过）",
        "不满意",
        "一般",
        "(跳过)",
        "很满意",
        "满意",
        "（空）",
    ],
    # Skipped by every respondent (a jump logic gone wrong): nothing to analyse.
    "Q3 您对补贴发放的满意程度": ["(跳过)"] * 10 + ["(空)", "（空）", "", "（跳过）", "(跳过)"],
    # Answered, but 很好 (rows 5 and 9) is on no scale: not analysed, and named.
    "Q4 您对办事指南满意吗": [
        "满意",
        "很满意",
        "满意",
        "很好",
        "一般",
        "(跳过)",
        "满意",
        "很好",
        "满意",
        "很满意",
        "(空)",
        "满意",
        "一般",
        "满意",
        "满意",
    ],
    "Q5 其他意见和建议": ["(跳过)"] * 12 + ["希望简化手续", "(空)", "无"],
}


def wjx_text_rows() -> list[list[str]]:
    columns = list(WJX_TEXT)
    return [columns] + [[WJX_TEXT[c][i] for c in columns] for i in range(15)]


def test_the_issue_a_satisfaction_question_with_skipped_answers_is_analysed(tmp_path: Path) -> None:
    # As reported: the file was read without a word, and Q2 was in no figure.
    q2 = ["满意", "(跳过)", "很满意", "一般", "(跳过)", "不满意", "满意", "（跳过）"]  # n 5: 3 of 5, mean 18/5
    rows = [["序号", "Q1 窗口服务满意度", "Q2 您对办事效率满意吗"]] + [[str(i), "满意", a] for i, a in enumerate(q2)]
    figures = summarise_survey(read_survey(write_csv(tmp_path / "issue.csv", rows)))
    assert [item.question for item in figures.items] == ["Q1 窗口服务满意度", "Q2 您对办事效率满意吗"]
    assert figures.items[1] == ItemFigures(
        "Q2 您对办事效率满意吗", "satisfaction", 5, 0.6, wilson_interval(3, 5), pytest.approx(18 / 5)
    )
    assert figures.satisfaction_rate == pytest.approx((8 + 3) / 13)
    assert figures.unanalysed == []


def test_skipped_and_empty_markers_are_blanks_in_a_text_download(tmp_path: Path) -> None:
    figures = summarise_survey(read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows())))
    assert figures.respondents == 15
    assert figures.items == [
        ItemFigures("Q1 您是否知晓该政策", "yes_no", 12, 8 / 12, wilson_interval(8, 12), None),
        ItemFigures("Q2 您对窗口服务满意吗", "satisfaction", 10, 0.7, wilson_interval(7, 10), pytest.approx(3.9)),
    ]
    assert figures.items[1].ci95 == pytest.approx((0.3968, 0.8922), abs=5e-5)
    # The pooled figures are those of the analysed items only, blanks excluded.
    assert figures.awareness_rate == pytest.approx(8 / 12)
    assert figures.satisfaction_rate == pytest.approx(0.7)
    assert figures.satisfaction_mean == pytest.approx(3.9)
    assert figures.unanalysed == [
        {"question": "Q3 您对补贴发放的满意程度", "reason": ALL_BLANK.format(n=15)},
        {
            "question": "Q4 您对办事指南满意吗",
            "reason": f"含无法识别的答案“很好”（第 5、9 行），共 2 份，整题未统计；{SATISFACTION_EXPECTED}",
        },
    ]
    # The dict (the CLI's JSON and the flow's analysis) carries the list, after the items.
    as_dict = figures.to_dict()
    assert list(as_dict)[4:6] == ["items", "unanalysed"]
    assert as_dict["unanalysed"] == figures.unanalysed
    assert as_dict["items"][1] == {
        "question": "Q2 您对窗口服务满意吗",
        "kind": "satisfaction",
        "n": 10,
        "rate": 0.7,
        "ci95": [0.3968, 0.8922],
        "mean": 3.9,
    }


@pytest.mark.rule("E-SAMPLE")  # the breakdowns by the sampling demographics
def test_a_skipped_demographic_answer_is_the_unanswered_group(tmp_path: Path) -> None:
    frame = read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows()))
    assert frame["性别"].tolist().count("") == 2
    by_sex = {row["group"]: row for row in summarise_survey(frame).breakdowns["性别"]}
    assert list(by_sex) == ["女", "男", "未填写"]
    # Rows 5 and 14 (positions 3 and 12): Q1 blank and 是, Q2 满意 and 很满意.
    assert by_sex["未填写"] == {
        "group": "未填写",
        "respondents": 2,
        "share": pytest.approx(2 / 15),
        "satisfaction_rate": 1.0,
        "awareness_rate": 1.0,
    }
    # Men: positions 0 2 5 7 9 11 14 — Q2 很满意 (跳过) (空) 满意 不满意 (跳过) （空） → 2 of 3;
    # Q1 是 否 是 是 是 是 （空） → 5 of 6.
    assert by_sex["男"]["respondents"] == 7
    assert by_sex["男"]["satisfaction_rate"] == pytest.approx(2 / 3)
    assert by_sex["男"]["awareness_rate"] == pytest.approx(5 / 6)


def test_a_question_skipped_by_all_is_listed_not_shown_as_zero(tmp_path: Path) -> None:
    # Under a 满意度 header read_survey makes the column an item: empty, it is listed, never 0 %.
    rows = [["答卷编号", "Q1 总体满意度", "Q2 是否知晓", "Q3 窗口服务满意度"]] + [
        [f"W{i}", "(跳过)" if i % 2 else "（空）", "是" if i < 3 else "否", "满意" if i < 4 else "(跳过)"]
        for i in range(6)
    ]
    figures = summarise_survey(read_survey(write_csv(tmp_path / "skipped.csv", rows)))
    assert [(item.question, item.n, item.rate) for item in figures.items] == [
        ("Q2 是否知晓", 6, 0.5),
        ("Q3 窗口服务满意度", 4, 1.0),
    ]
    assert figures.unanalysed == [{"question": "Q1 总体满意度", "reason": ALL_BLANK.format(n=6)}]
    assert figures.satisfaction_rate == 1.0 and figures.satisfaction_mean == 4.0


# --- 问卷星, 按选项序号下载 (XLSX): -3 跳过, -2 空 -----------------------------------------------


def test_minus_three_and_minus_two_are_blanks_on_a_rating_scale(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "Q1 窗口服务满意度", "Q2 每月通勤费用变化（元）", "Q3 您对补贴发放满意吗", "Q4 窗口服务评价"]
    ]
    rating = [5, 4, -3, 4, 3, -2, 1, 5, -3, 2]  # n 7: 5 4 4 3 1 5 2 → 4 of 7 at 4 or 5, mean 24/7
    cost = [20, -3, 0, -2, 15, -3, 10, 5, -20, 30]  # an amount: -3 and -2 are amounts here
    allskipped = [-3, -3, -2, -3, -3, -2, -3, -3, -3, -3]
    labels = ["很满意", "-3", "满意", "满意", "-2", "一般", "很满意", "不满意", "-3", "满意"]  # n 7: 5 of 7
    for i in range(10):
        rows.append([i + 1, rating[i], cost[i], allskipped[i], labels[i]])
    # The rating's direction is stated (E-SCALE): 5 = 很满意.
    frame = read_survey(write_xlsx(tmp_path / "wjx-numbers.xlsx", rows), scale=SatisfactionScale.last_is_best)
    figures = summarise_survey(frame)
    assert figures.items == [
        ItemFigures("Q1 窗口服务满意度", "satisfaction", 7, 4 / 7, wilson_interval(4, 7), pytest.approx(24 / 7)),
        ItemFigures("Q4 窗口服务评价", "satisfaction", 7, 5 / 7, wilson_interval(5, 7), pytest.approx(27 / 7)),
    ]
    assert frame["Q1 窗口服务满意度"].isna().tolist() == [v < 0 for v in rating]
    # Where the answer is a number of its own, -3 and -2 are kept as written.
    assert frame["Q2 每月通勤费用变化（元）"].tolist() == [str(v) for v in cost]
    assert figures.unanalysed == [{"question": "Q3 您对补贴发放满意吗", "reason": ALL_BLANK.format(n=10)}]
    assert figures.satisfaction_rate == pytest.approx(9 / 14)
    assert figures.satisfaction_mean == pytest.approx((24 + 27) / 14)


def test_minus_three_off_a_positive_scale_is_an_unrecognised_answer(tmp_path: Path) -> None:
    # Mostly satisfaction answers and -3, under a header with neither 满意 nor 是否, and an answer off
    # the scale: the column is no rating item, so -3 is not read as blank either; both are named.
    answers = ["满意", "一般", "-3", "满意", "还行", "满意"]  # rows 2–7: 4 of 6 on the scale
    rows = [["序号", "Q6 总体评价", "Q7 满意度"]] + [[str(i), a, "满意"] for i, a in enumerate(answers)]
    figures = summarise_survey(read_survey(write_csv(tmp_path / "mixed.csv", rows)))
    assert [item.question for item in figures.items] == ["Q7 满意度"]
    assert figures.unanalysed == [
        {
            "question": "Q6 总体评价",
            "reason": "含无法识别的答案“-3”（第 4 行）、“还行”（第 6 行），共 2 份，整题未统计；"
            "满意度题的答案应为 很满意/满意/一般/不满意/很不满意（未作答的留空即可），请更正后重新上传",
        }
    ]


# --- 腾讯问卷 / 金数据 (XLSX): skipped cells are empty ---------------------------------------------


def test_empty_cells_and_markers_give_the_same_figures(tmp_path: Path) -> None:
    text = read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows()))
    markers = {"(跳过)", "（跳过）", "(空)", "（空）"}
    emptied = [[None if cell in markers else cell for cell in row] for row in wjx_text_rows()]
    empty = read_survey(write_xlsx(tmp_path / "tencent.xlsx", emptied))
    from_text, from_empty = summarise_survey(text).to_dict(), summarise_survey(empty).to_dict()
    # The same figures; Q3 all empty is listed by its header (满意), Q4 still names its answers.
    assert from_text == from_empty
    # Q5 (free text) keeps what the respondents wrote; a skipped comment stays a marker there.
    assert text["Q5 其他意见和建议"].tolist()[12:] == ["希望简化手续", "(空)", "无"]


def test_a_frame_built_by_hand_reads_markers_alike(tmp_path: Path) -> None:
    from_file = summarise_survey(read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows())))
    plain = pd.DataFrame(WJX_TEXT)
    assert summarise_survey(plain).to_dict() == from_file.to_dict()


def test_the_stored_copy_gives_the_same_figures_and_list(tmp_path: Path) -> None:
    # pinggu.services.evaluation.submissions stores read_survey's frame as CSV; the analysis step reads that copy again.
    frame = read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows()))
    stored = tmp_path / "stored.csv"
    frame.to_csv(stored, index=False, encoding="utf-8")
    assert summarise_survey(read_survey(stored)).to_dict() == summarise_survey(frame).to_dict()


@pytest.mark.rule("E-PRIVACY")  # the reason reaches reports: contact data in an answer is masked
def test_an_unrecognised_answer_is_shown_masked(tmp_path: Path) -> None:
    answers = ["满意", "很满意", "满意", "请回电13812345678", "一般"]
    rows = [["序号", "Q1 您对窗口服务满意吗", "Q2 满意度"]] + [[str(i), a, "满意"] for i, a in enumerate(answers)]
    for figures in (
        summarise_survey(read_survey(write_csv(tmp_path / "phone.csv", rows))),
        summarise_survey(pd.DataFrame(rows[1:], columns=rows[0])),
    ):
        (entry,) = figures.unanalysed
        assert "13812345678" not in entry["reason"]
        assert entry["reason"].startswith("含无法识别的答案“请回电[已隐去]”（第 5 行）")


# --- the report ------------------------------------------------------------------------------------


def test_the_report_lists_the_questions_not_analysed(tmp_path: Path) -> None:
    from builders import report_context

    from pinggu.reporting.context import ReportContext, render_report

    figures = summarise_survey(read_survey(write_csv(tmp_path / "wjx.csv", wjx_text_rows()))).to_dict()
    figures.update(source_title="问卷数据（wjx.csv，15 份）", source_sha256="cd" * 32)
    context = report_context("bazhou").model_dump()
    html = render_report(ReportContext.model_validate({**context, "survey": figures}))
    assert "未能统计的题目" in html and "以下 2 道题未计入" in html
    assert "<td>Q3 您对补贴发放的满意程度</td><td>全部 15 份答案均为空或跳过" in html
    assert "含无法识别的答案“很好”（第 5、9 行）" in html
    assert "<td>Q2 您对窗口服务满意吗</td>" in html  # the analysed question is in the table
    # An analysis stored before the list existed still renders, without the section.
    del figures["unanalysed"]
    html = render_report(ReportContext.model_validate({**context, "survey": figures}))
    assert "未能统计的题目" not in html
    # Every question analysed: no section either.
    figures["unanalysed"] = []
    assert "未能统计的题目" not in render_report(ReportContext.model_validate({**context, "survey": figures}))
