"""Questionnaire import and figures (SPEC §7; rules E-PRIVACY, E-SAMPLE)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pinggu.analysis.privacy import PERSONAL_DATA_COLUMNS
from pinggu.analysis.survey_figures import ItemFigures, summarise_survey, wilson_interval
from pinggu.analysis.survey_reading import DEMOGRAPHIC_COLUMNS, SATISFACTION_SCALE, read_survey
from pinggu.core.errors import InputFileError
from pinggu.core.settings import SAMPLES_DIR
from pinggu.rules.vocabulary import SatisfactionScale

SAMPLE = SAMPLES_DIR / "survey.csv"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample_frame() -> pd.DataFrame:
    return read_survey(SAMPLE)


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _problems(exc: pytest.ExceptionInfo[InputFileError]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in exc.value.problems]


# --------------------------------------------------------------------------- sample file


@pytest.mark.rule("E-SAMPLE")
def test_sample_figures_match_plain_counting(sample_rows, sample_frame) -> None:
    figures = summarise_survey(sample_frame)

    top_two, sat_n, sat_sum = 0, 0, 0
    yes, aw_n = 0, 0
    points = {"很满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1}
    per_item: dict[str, list[str]] = defaultdict(list)
    for row in sample_rows:
        for header, answer in row.items():
            answer = answer.strip()
            if not answer:
                continue
            if header.endswith("满意度"):
                per_item[header].append(answer)
                sat_n += 1
                sat_sum += points[answer]
                top_two += answer in ("很满意", "满意")
            elif "是否" in header:
                per_item[header].append(answer)
                aw_n += 1
                yes += answer == "是"

    assert figures.respondents == len(sample_rows) == 600
    assert figures.awareness_rate == pytest.approx(yes / aw_n)
    assert figures.satisfaction_rate == pytest.approx(top_two / sat_n)
    assert figures.satisfaction_mean == pytest.approx(sat_sum / sat_n)
    assert [i.question for i in figures.items] == list(per_item)
    assert [i.kind for i in figures.items] == ["yes_no"] + ["satisfaction"] * 8
    for item in figures.items:
        answers = per_item[item.question]
        assert item.n == len(answers)
        hits = sum(a in ("很满意", "满意", "是") for a in answers)
        assert item.rate == pytest.approx(hits / len(answers))
        assert item.ci95[0] < item.rate < item.ci95[1]
        if item.kind == "satisfaction":
            assert item.mean == pytest.approx(sum(points[a] for a in answers) / len(answers))
        else:
            assert item.mean is None

    # Breakdown by gender, counted by hand.
    by_sex = {r["group"]: r for r in figures.breakdowns["性别"]}
    counts = Counter(r["性别"] for r in sample_rows)
    assert {g: r["respondents"] for g, r in by_sex.items()} == dict(counts)
    women = [r for r in sample_rows if r["性别"] == "女"]
    w_yes = sum(r["Q1 是否知晓该政策"] == "是" for r in women)
    w_n = sum(r["Q1 是否知晓该政策"] != "" for r in women)
    assert by_sex["女"]["awareness_rate"] == pytest.approx(w_yes / w_n)
    assert by_sex["女"]["share"] == pytest.approx(len(women) / 600)
    # Every demographic column of the sample gets a breakdown covering every respondent.
    assert set(figures.breakdowns) == set(DEMOGRAPHIC_COLUMNS)
    for rows in figures.breakdowns.values():
        assert sum(r["respondents"] for r in rows) == 600


def test_sample_frame_shape(sample_frame) -> None:
    assert len(sample_frame) == 600
    assert sample_frame.index[0] == 2  # operator row numbers: header is row 1
    assert sample_frame["问卷编号"].iloc[0] == "R00001"
    assert list(sample_frame["Q2 满意度"].cat.categories) == list(SATISFACTION_SCALE)[::-1]
    json.dumps(summarise_survey(sample_frame).to_dict())  # serialisable as is


# --------------------------------------------------------------------------- known answers


KNOWN = [
    ["问卷编号", "性别", "Q1 是否知晓", "Q2 满意度", "Q3 满意度（1-5分，5分=很满意）", "备注"],
    ["A1", "男", "是", "很满意", "5", ""],
    ["A2", "男", " 是 ", "满意", "4", ""],
    ["A3", "男", "否", "一般", "4", ""],
    ["A4", "女", "", "不满意", "1", ""],
    ["A5", "女", "是", "", "3", ""],
]


def test_known_answers(tmp_path: Path) -> None:
    figures = summarise_survey(read_survey(_write_csv(tmp_path / "known.csv", KNOWN)))
    q1, q2, q3 = figures.items
    assert (q1.kind, q1.n, q1.rate, q1.mean) == ("yes_no", 4, 0.75, None)
    assert (q2.kind, q2.n, q2.rate, q2.mean) == ("satisfaction", 4, 0.5, 3.5)
    # Numeric codes, the header stating 5分=很满意 (E-SCALE): 5..1 read as 很满意..很不满意.
    assert (q3.kind, q3.n, q3.rate, q3.mean) == ("satisfaction", 5, 0.6, 3.4)
    # Wilson 95 % for 2 of 4, by hand: centre 0.5, half-width
    # 1.96·sqrt(0.25/4 + 1.96²/64) / (1 + 1.96²/4) = 0.3500 → (0.1500, 0.8500).
    assert q2.ci95 == pytest.approx((0.1500, 0.8500), abs=5e-5)
    assert figures.awareness_rate == 0.75
    assert figures.satisfaction_rate == pytest.approx(5 / 9)  # (2 + 3) / (4 + 5)
    assert figures.satisfaction_mean == pytest.approx(31 / 9)  # (14 + 17) / 9
    by_sex = {row["group"]: row for row in figures.breakdowns["性别"]}
    men, women = by_sex["男"], by_sex["女"]
    assert men == {
        "group": "男",
        "respondents": 3,
        "share": 0.6,
        "satisfaction_rate": pytest.approx(5 / 6),
        "awareness_rate": pytest.approx(2 / 3),
    }
    assert women["group"] == "女" and women["awareness_rate"] == 1.0
    assert women["satisfaction_rate"] == pytest.approx(0 / 3)
    as_dict = figures.to_dict()
    assert as_dict["satisfaction_rate"] == 0.5556
    assert as_dict["items"][1]["ci95"] == [0.15, 0.85]


def test_wilson_interval_reference_values() -> None:
    # Textbook values (Newcombe 1998 / Agresti–Coull) for the Wilson score interval.
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=5e-5)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=5e-5)
    assert wilson_interval(0, 0) == (0.0, 0.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_no_answers_gives_empty_figures(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度", "Q2 是否知晓"], ["1", "满意", ""], ["2", "很满意", ""]]
    figures = summarise_survey(read_survey(_write_csv(tmp_path / "s.csv", rows)))
    # An item without one answer is in no figure (never a 0 % rate) but listed with its reason.
    assert figures.items == [ItemFigures("Q1 满意度", "satisfaction", 2, 1.0, wilson_interval(2, 2), 4.5)]
    assert figures.unanalysed == [
        {
            "question": "Q2 是否知晓",
            "reason": "全部 2 份答案均为空或跳过，没有可统计的回答；"
            "请核对该题是否被跳题逻辑跳过、导出是否完整，必要时从问卷平台重新导出",
        }
    ]
    assert figures.awareness_rate is None
    assert figures.breakdowns == {}


def test_summarise_accepts_a_plain_frame(tmp_path: Path) -> None:
    # A frame built by hand (strings, blanks as "" or None) gives the same figures.
    plain = pd.DataFrame({name: [row[i].strip() or None for row in KNOWN[1:]] for i, name in enumerate(KNOWN[0])})
    plain["Q3 满意度（1-5分，5分=很满意）"] = ["很满意", "满意", "满意", "很不满意", "一般"]
    from_file = summarise_survey(read_survey(_write_csv(tmp_path / "known.csv", KNOWN)))
    assert summarise_survey(plain).to_dict() == from_file.to_dict()


# --------------------------------------------------------------------------- encodings


def test_gbk_bom_and_xlsx_read_like_utf8(tmp_path: Path, sample_rows, sample_frame) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(text.encode("utf-8-sig"))
    xlsx = tmp_path / "export.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(sample_rows[0]))
    for row in sample_rows:
        # As spreadsheets store them: phone numbers as numbers, blank answers as empty cells.
        sheet.append([int(v) if k == "手机号" else (v or None) for k, v in row.items()])
    workbook.save(xlsx)

    for path in (gbk, bom, xlsx):
        pd.testing.assert_frame_equal(read_survey(path), sample_frame)


def test_xlsx_numeric_likert(tmp_path: Path) -> None:
    path = tmp_path / "likert.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [["问卷编号", "Q1 满意度"], [1, 5], [2, 4.0], [3, None], [4, 1]]:
        sheet.append(row)
    workbook.save(path)
    frame = read_survey(path, scale=SatisfactionScale.last_is_best)  # stated by the operator (E-SCALE)
    assert frame["Q1 满意度"].tolist()[:2] == ["很满意", "满意"]
    assert frame["Q1 满意度"].isna().tolist() == [False, False, True, False]
    assert frame["问卷编号"].tolist() == ["1", "2", "3", "4"]


# --------------------------------------------------------------------------- bad inputs


def test_answers_outside_scale_are_all_reported(tmp_path: Path) -> None:
    rows = [
        ["问卷编号", "Q1 是否知晓", "Q2 满意度", "Q3 满意度"],
        ["1", "是", "满意", "很满意"],
        ["2", "不知道", "非常满意", "满意"],
        ["", "", "", ""],  # a blank line still counts as a spreadsheet row
        ["3", "否", "一般", "6"],
    ]
    with pytest.raises(InputFileError) as exc:
        read_survey(_write_csv(tmp_path / "bad.csv", rows))
    assert CJK.search(exc.value.message)
    assert _problems(exc) == [(3, "Q1 是否知晓"), (3, "Q2 满意度"), (5, "Q3 满意度")]
    assert "非常满意" in exc.value.problems[1].reason
    assert "第 5 行" in str(exc.value) and "“6”" in str(exc.value)
    assert exc.value.context["path"].endswith("bad.csv")


def test_duplicate_respondent_ids(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度"], ["R1", "满意"], ["R2", "满意"], ["R1", "一般"]]
    with pytest.raises(InputFileError) as exc:
        read_survey(_write_csv(tmp_path / "dup.csv", rows))
    assert _problems(exc) == [(4, "问卷编号")]
    assert "第 2 行" in exc.value.problems[0].reason


def test_duplicate_column_names(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度", "Q1 满意度"], ["R1", "满意", "一般"]]
    with pytest.raises(InputFileError, match="表头") as exc:
        read_survey(_write_csv(tmp_path / "dupcol.csv", rows))
    assert _problems(exc) == [(1, "Q1 满意度")]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.csv", b"", "空"),
        ("blank.csv", b"\xef\xbb\xbf\r\n  \r\n", "空"),
        ("header_only.csv", "问卷编号,Q1 满意度\n".encode(), "没有任何答卷"),
        ("header_and_blank_lines.csv", "问卷编号,Q1 满意度\n,\n\n".encode(), "没有任何答卷"),
        ("no_header.csv", "很满意,满意,是\n满意,一般,否\n".encode(), "表头"),
        ("no_items.csv", "问卷编号,意见\n1,很好\n".encode(), "没有找到可以统计的题目"),
        ("answers.txt", "问卷编号,Q1 满意度\n1,满意\n".encode(), "不支持的文件类型"),
        ("noext", b"x", "不支持的文件类型"),
        ("utf16.csv", "问卷编号".encode("utf-16"), "UTF-8"),
        ("binary.csv", b"\x00\x01\x02abc\x00", "不是文本"),
        ("fake.xlsx", b"not a zip at all", "无法打开"),
        ("old.xls", b"\xd0\xcf\x11\xe0 old binary excel", ".xlsx"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as exc:
        read_survey(path)
    assert words in exc.value.message
    assert CJK.search(exc.value.message)
    assert "Traceback" not in str(exc.value) and "Error" not in str(exc.value)


def test_missing_file_and_ragged_row(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="找不到"):
        read_survey(tmp_path / "nope.csv")
    path = tmp_path / "ragged.csv"
    path.write_text("问卷编号,Q1 满意度\n1,满意\n2,一般,多余\n", encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        read_survey(path)
    assert _problems(exc) == [(3, None)]


def test_empty_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputFileError, match="空"):
        read_survey(path)


# --------------------------------------------------------------------------- privacy


# E-PRIVACY: respondents' names, phone numbers, ID numbers, addresses, income and family
# property are personal data and never reach reports, artifacts or logs
# (bazhou 19, ordos 21, ningxia 15, changli 22).
@pytest.mark.rule("E-PRIVACY")
def test_sample_personal_data_never_leaves_read_survey(sample_rows, sample_frame) -> None:
    assert not set(sample_frame.columns) & PERSONAL_DATA_COLUMNS
    assert not {"姓名", "手机号", "身份证号"} & set(sample_frame.columns)
    frame_text = sample_frame.to_csv()
    figures_text = json.dumps(summarise_survey(sample_frame).to_dict(), ensure_ascii=False)
    typed_phones = [r["Q10 意见建议"] for r in sample_rows if re.search(r"\d{11}", r["Q10 意见建议"])]
    assert typed_phones  # the sample does have phone numbers typed into the comment column
    for row in sample_rows:
        for secret in (row["姓名"], row["手机号"], row["身份证号"]):
            assert secret not in frame_text
            assert secret not in figures_text
    assert not re.search(r"\d{11}", frame_text)


# E-PRIVACY (bazhou 19, ordos 21, ningxia 15, changli 22): contact data typed into free text.
@pytest.mark.rule("E-PRIVACY")
def test_personal_data_in_free_text_is_masked(tmp_path: Path) -> None:
    rows = [
        [
            "问卷编号",
            "姓名",
            "联系电话",
            "家庭住址",
            "受访者手机号（选填）",
            "Q1 满意度",
            "Q2 对办理地址的满意度",
            "意见",
        ],
        [
            "1",
            "张三丰",
            "13812345678",
            "幸福路 8 号",
            "13900000000",
            "满意",
            "一般",
            "我是张三丰，手机 138-1234-5678，身份证 11010119900307123X，邮箱 zsf@example.com",
        ],
        ["2", "李四", "", "", "", "很满意", "满意", "座机 (0571)87654321，旧身份证 110101900307123，补贴 1200 元"],
    ]
    frame = read_survey(_write_csv(tmp_path / "pii.csv", rows))
    assert list(frame.columns) == ["问卷编号", "Q1 满意度", "Q2 对办理地址的满意度", "意见"]
    text = frame.to_csv() + json.dumps(summarise_survey(frame).to_dict(), ensure_ascii=False)
    for secret in (
        "张三丰",
        "138-1234-5678",
        "13812345678",
        "11010119900307123X",
        "zsf@example.com",
        "87654321",
        "110101900307123",
        "幸福路",
        "13900000000",
    ):
        assert secret not in text
    assert frame["意见"].tolist()[1].endswith("补贴 1200 元")  # ordinary numbers stay


# E-PRIVACY (bazhou 19, ordos 21, ningxia 15, changli 22): an id column that is really a
# phone number is not kept, and duplicate-id messages do not repeat it.
@pytest.mark.rule("E-PRIVACY")
def test_phone_numbers_used_as_ids_are_dropped(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度"], ["13812345678", "满意"], ["13812345678", "一般"]]
    with pytest.raises(InputFileError) as exc:
        read_survey(_write_csv(tmp_path / "ids.csv", rows))
    assert _problems(exc) == [(3, "问卷编号")]
    assert "13812345678" not in str(exc.value)
    rows[2][0] = "13912345678"
    frame = read_survey(_write_csv(tmp_path / "ids.csv", rows))
    assert list(frame.columns) == ["Q1 满意度"]


# E-PRIVACY (bazhou 19, ordos 21, ningxia 15, changli 22): error messages end in logs.
@pytest.mark.rule("E-PRIVACY")
def test_bad_cell_message_masks_personal_data(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度"], ["1", "满意"], ["2", "13812345678"]]
    with pytest.raises(InputFileError) as exc:
        read_survey(_write_csv(tmp_path / "leak.csv", rows))
    assert _problems(exc) == [(3, "Q1 满意度")]
    assert "13812345678" not in str(exc.value)
