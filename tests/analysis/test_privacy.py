"""E-PRIVACY (bazhou 19, ordos 21, ningxia 15, changli 22): respondents' and senders' personal data
never leaves the import.

A questionnaire export and an opinion register full of personal data — name, phone, ID number and
address columns, and the same data typed into free text — go through every way out of the analysis:
the cleaned frames (stored as CSV artifacts), the figures (reports), and ``pinggu survey analyze
--json``. None of the personal values may appear in any of them, in any of the formats they were
typed in.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pinggu.analysis.opinions import MASK, read_opinions, summarise_opinions
from pinggu.analysis.privacy import mask_text
from pinggu.analysis.survey_figures import summarise_survey
from pinggu.analysis.survey_reading import read_survey
from pinggu.cli import app

pytestmark = pytest.mark.rule("E-PRIVACY")

runner = CliRunner()

# Respondents: (name, mobile, 18-digit ID, address). Compound surnames, so that a name found in an
# output can only have come from the input. Some IDs end in X, as real ones do.
PEOPLE = [
    ("欧阳明华", "13812345678", "110101199003071234", "幸福路88号2单元301室"),
    ("司马春燕", "13998765432", "32010219851212567X", "长江街道明珠小区5栋"),
    ("上官婉清", "15011112222", "440301197701013456", "城关镇南大街17号"),
    ("诸葛红梅", "18622223333", "51010719660606789X", "西山乡杏花村三组"),
    ("慕容雪芳", "17733334444", "210102200102034567", "东湖镇滨湖花园9-1-202"),
    ("东方晓明", "13544445555", "370202195509098765", "北区街道建设路6号"),
    ("黎昕", "19955556666", "620102198808084321", "南区街道光明巷3号"),
]
LANDLINE = "0571-87654321"
EMAIL = "ouyang.mh@example.com"


def _spaced(phone: str) -> str:
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def _dashed(phone: str) -> str:
    return f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}"


def _comment(i: int) -> str:
    """Free text as respondents write it: own name, contact data in several formats, another's name."""
    name, phone, id_number, address = PEOPLE[i]
    other = PEOPLE[(i + 1) % len(PEOPLE)][0]
    return [
        f"我是{name}，电话{phone}，身份证号{id_number}，住{address}，希望简化办理流程",
        f"联系我：{_spaced(phone)}（{name}）",
        f"手机 {_dashed(phone)}，身份证 {id_number.lower()}，补贴 1200 元",
        f"座机 {LANDLINE}，邮箱 {EMAIL}",
        f"同意{other}的意见，{name}",
        "",
        f"{id_number}",
    ][i % 7]


def secrets() -> list[str]:
    """Every personal value, in every format it appears in the input files."""
    values = [LANDLINE, "87654321", EMAIL]
    for name, phone, id_number, address in PEOPLE:
        values += [name, phone, _spaced(phone), _dashed(phone), id_number, id_number.lower(), address]
    return values


def assert_no_personal_data(*texts: str) -> None:
    leaked = [(secret, n) for n, text in enumerate(texts) for secret in secrets() if secret in text]
    assert not leaked, f"personal data leaked: {leaked}"


# --- the questionnaire ------------------------------------------------------------------------------

SURVEY_HEADER = [
    "问卷编号",
    "姓名",
    "手机号",
    "身份证号",
    "住址",
    "地址",
    "受访者手机号（选填）",
    "电子邮箱",
    "性别",
    "年龄段",
    "职业",
    "Q1 是否知晓该政策",
    "Q2 满意度",
    "Q3 满意度",
    "Q4 意见建议",
]


def survey_rows() -> list[list[str]]:
    rows = [SURVEY_HEADER]
    occupations = ["企业职工", "退休人员", f"个体户 {PEOPLE[2][1]}", "学生", "农民", "自由职业", "企业职工"]
    for i, (name, phone, id_number, address) in enumerate(PEOPLE):
        rows.append(
            [
                f"R{i + 1:03d}",
                name,
                phone,
                id_number,
                address,
                address,
                _spaced(phone),
                EMAIL,
                "男" if i % 2 else "女",
                "30-44" if i % 3 else "60及以上",
                occupations[i],
                "是" if i % 3 else "否",
                ["很满意", "满意", "一般", "不满意", ""][i % 5],
                "满意",
                _comment(i),
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        # As spreadsheets hold them: phone numbers as numbers, blanks as empty cells.
        sheet.append([int(v) if v.isdigit() and len(v) == 11 else (v or None) for v in row])
    workbook.save(path)
    return path


@pytest.fixture(params=["utf-8", "gbk", "xlsx"])
def survey_file(request, tmp_path: Path) -> Path:
    if request.param == "xlsx":
        return write_xlsx(tmp_path / "survey.xlsx", survey_rows())
    return write_csv(tmp_path / f"survey-{request.param}.csv", survey_rows(), request.param)


def test_the_test_data_is_full_of_personal_data(survey_file: Path) -> None:
    # Guard against a vacuous test: the input does contain every secret, in the free text too.
    text = "\n".join(",".join(row) for row in survey_rows())
    assert all(value in text for person in PEOPLE for value in person)
    comments = [row[-1] for row in survey_rows()[1:]]
    name, phone, id_number, address = PEOPLE[0]
    assert all(value in comments[0] for value in PEOPLE[0])  # own name, phone, ID and address
    assert _spaced(PEOPLE[1][1]) in comments[1] and _dashed(PEOPLE[2][1]) in comments[2]
    assert PEOPLE[5][0] in comments[4]  # another respondent's name
    assert comments[6] == PEOPLE[6][2]  # a bare 18-digit ID number


def test_survey_frame_figures_and_cli_json_hold_no_personal_data(survey_file: Path) -> None:
    frame = read_survey(survey_file)
    # Only the answers, the demographics, the id and the comment survive; contact columns never do.
    assert list(frame.columns) == [
        "问卷编号",
        "性别",
        "年龄段",
        "职业",
        "Q1 是否知晓该政策",
        "Q2 满意度",
        "Q3 满意度",
        "Q4 意见建议",
    ]
    figures = summarise_survey(frame)
    result = runner.invoke(app, ["survey", "analyze", str(survey_file), "--json"])
    assert result.exit_code == 0, result.output
    text_result = runner.invoke(app, ["survey", "analyze", str(survey_file)])
    assert text_result.exit_code == 0, text_result.output
    assert_no_personal_data(
        frame.to_csv(),
        frame.to_csv(index=False, encoding="utf-8"),
        frame.to_json(force_ascii=False, date_format="iso"),
        json.dumps(figures.to_dict(), ensure_ascii=False),
        repr(figures),
        result.stdout,
        text_result.output,
    )
    # The rest of the comment is kept: masking removes the personal data, not the opinion.
    comments = frame["Q4 意见建议"].tolist()
    assert comments[0] == f"我是{MASK}，电话{MASK}，身份证号{MASK}，住{MASK}，希望简化办理流程"
    assert comments[2] == f"手机 {MASK}，身份证 {MASK}，补贴 1200 元"  # an amount of money stays
    assert comments[4] == f"同意{MASK}的意见，{MASK}"  # another respondent's name is personal data too


def test_personal_data_in_a_demographic_answer_is_masked(survey_file: Path) -> None:
    figures = summarise_survey(read_survey(survey_file)).to_dict()
    groups = [row["group"] for row in figures["breakdowns"]["职业"]]
    assert f"个体户 {MASK}" in groups


def test_an_id_column_of_phone_numbers_is_dropped(tmp_path: Path) -> None:
    rows = survey_rows()
    for row, (_, phone, _, _) in zip(rows[1:], PEOPLE, strict=True):
        row[0] = phone  # numbered by the respondent's phone
    frame = read_survey(write_csv(tmp_path / "ids.csv", rows))
    assert "问卷编号" not in frame.columns
    assert_no_personal_data(frame.to_csv(), json.dumps(summarise_survey(frame).to_dict(), ensure_ascii=False))


def test_bad_file_messages_hold_no_personal_data(tmp_path: Path) -> None:
    rows = survey_rows()
    rows[3][SURVEY_HEADER.index("Q2 满意度")] = PEOPLE[2][1]  # a phone typed into an answer cell
    rows[4][SURVEY_HEADER.index("Q1 是否知晓该政策")] = f"是，{PEOPLE[3][2]}"
    result = runner.invoke(app, ["survey", "analyze", str(write_csv(tmp_path / "bad.csv", rows)), "--json"])
    assert result.exit_code == 1
    assert "第 4 行" in result.output and "Q2 满意度" in result.output and "第 5 行" in result.output
    assert_no_personal_data(result.output)


# --- the opinion register --------------------------------------------------------------------------

OPINION_HEADER = ["编号", "来信人", "联系电话", "身份证号", "住址", "渠道", "主题", "收到日期", "内容", "处理情况"]


def opinion_rows(numbered_by_phone: bool = False) -> list[list[str]]:
    rows = [OPINION_HEADER]
    channels = ["信函", "电话", "电子邮件", "政府网站", "座谈会", "新闻媒体", "电话"]
    for i, (name, phone, id_number, address) in enumerate(PEOPLE):
        channel = channels[i]
        if i == 1:
            channel = f"电话（{phone}）"  # the channel written with the caller's number
        if i == 2:
            channel = f"电子邮件 {EMAIL}"
        rows.append(
            [
                phone if numbered_by_phone else f"Y{i + 1:03d}",
                name,
                phone,
                id_number,
                address,
                channel,
                f"{name}反映补贴标准" if i % 2 else "办理流程",
                f"2026-0{i % 9 + 1}-1{i % 9}",
                _comment(i) or f"{name}来信，地址{address}",
                ["已采纳", "部分采纳", "未采纳", "已答复", "待处理"][i % 5],
            ]
        )
    return rows


@pytest.mark.parametrize("kind", ["utf-8", "gbk", "xlsx"])
def test_opinions_frame_and_figures_hold_no_personal_data(tmp_path: Path, kind: str) -> None:
    rows = opinion_rows()
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "opinions.xlsx", rows)
    else:
        path = write_csv(tmp_path / f"opinions-{kind}.csv", rows, kind)
    frame = read_opinions(path)
    assert list(frame.columns) == ["编号", "渠道", "主题", "收到日期", "内容", "处理情况"]
    figures = summarise_opinions(frame)
    assert_no_personal_data(
        frame.to_csv(), frame.to_json(force_ascii=False, date_format="iso"), json.dumps(figures, ensure_ascii=False)
    )
    assert figures["total"] == len(PEOPLE)
    assert "政府网站" in figures["by_channel"]  # ordinary channels are kept as written


def test_opinions_numbered_by_phone_keep_no_phone(tmp_path: Path) -> None:
    frame = read_opinions(write_csv(tmp_path / "opinions.csv", opinion_rows(numbered_by_phone=True)))
    assert_no_personal_data(frame.to_csv(), json.dumps(summarise_opinions(frame), ensure_ascii=False))


def test_two_character_names_are_masked_in_their_own_row_only(tmp_path: Path) -> None:
    # 高峰 is a name and an ordinary word (高峰期, rush hour): masked where its bearer signs, kept in
    # another respondent's sentence. A three-character name is masked in every row.
    rows = [
        ["问卷编号", "姓名", "Q1 满意度", "意见"],
        ["1", "高峰", "满意", "高峰建议延长办理时间"],
        ["2", "钱学明", "一般", "早高峰时窗口排队太久"],
        ["3", "孙丽", "满意", "同意钱学明的意见"],
    ]
    frame = read_survey(write_csv(tmp_path / "names.csv", rows))
    assert frame["意见"].tolist() == [f"{MASK}建议延长办理时间", "早高峰时窗口排队太久", f"同意{MASK}的意见"]


def test_the_id_column_screen_never_misses_contact_data() -> None:
    # read_survey screens a whole id column in one pass before running the contact-data pattern
    # per cell; the screen must say "maybe" for every cell the pattern would mask.
    import random

    import pandas as pd

    from pinggu.analysis.privacy import _MASK_PATTERN, _holds_contact_data

    typed = [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 13812345678",
        "+86-138-1234-5678",
        "110101199003071234",
        "11010119900307123X",
        "110101900307123",
        "0571-87654321",
        "(0571)87654321",
        "010 12345678",
        "01087654321",
        "tel:1234567",
        "TEL 12345678",
        "a@b.cn",
        "6222020200112233445",
        "１３８１２３４５６７８",
        "电话1234567",
        "（010）12345678",
        "138\t1234\t5678",
        "192.168.1.23",
        "10.0.0.5",
        "2001:db8::1",
        "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        "dead::beef",  # an IPv6 address without a digit: caught by its colon
    ]
    rng = random.Random(3)
    alphabet = "0123456789-  ()@.telTELRx+\t:abcdf"
    generated = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(3000)]
    for text in typed + generated:
        expected = bool(_MASK_PATTERN.search(text))
        assert _holds_contact_data(pd.Series(["R0000001", text, "R0000002"])) is expected, text
    assert all(_MASK_PATTERN.search(text) for text in typed)
    assert not _holds_contact_data(pd.Series([f"R{i:07d}" for i in range(1000)]))


# --- IP addresses, names from a list, mask_text --------------------------------------------------

# A name the file does not hold: the people file's or an office's list names it (pinggu.services.evaluation.submissions).
LISTED = "钱坤"


def test_ip_addresses_and_listed_names_are_masked_in_survey_free_text_and_demographics(tmp_path: Path) -> None:
    rows = [
        ["问卷编号", "姓名", "Q1 满意度", "职业", "意见"],
        ["1", "欧阳明华", "满意", "企业职工", f"从 192.168.1.23 提交；{LISTED}说补贴太少"],
        ["2", "黎昕", "一般", f"个体户 {LISTED}", "IPv6 2001:db8::1，版本 3.5，2026.3.1 起执行，按 5.2.1.3 条"],
        ["3", "高峰", "满意", "学生", "高峰期排队，王先生建议延长"],
    ]
    path = write_csv(tmp_path / "ips.csv", rows)
    # Without the list the two-character name of another person stays: the gap the list closes.
    assert read_survey(path)["意见"].tolist()[0] == f"从 {MASK} 提交；{LISTED}说补贴太少"
    # Blank, one-character and over-long entries are ignored; entries are stripped.
    frame = read_survey(path, names=[f"  {LISTED} ", "", "  ", "王", "李" * 13])
    assert frame["意见"].tolist() == [
        f"从 {MASK} 提交；{MASK}说补贴太少",
        f"IPv6 {MASK}，版本 3.5，2026.3.1 起执行，按 5.2.1.3 条",  # versions, dates, clause numbers stay
        f"{MASK}期排队，王先生建议延长",
    ]
    assert frame["职业"].tolist() == ["企业职工", f"个体户 {MASK}", "学生"]
    assert frame["问卷编号"].tolist() == ["1", "2", "3"]


def test_a_survey_id_column_holding_a_listed_name_is_dropped(tmp_path: Path) -> None:
    rows = [["问卷编号", "Q1 满意度"], [f"{LISTED}-01", "满意"], ["R002", "一般"]]
    path = write_csv(tmp_path / "ids.csv", rows)
    assert "问卷编号" in read_survey(path).columns
    assert list(read_survey(path, [LISTED]).columns) == ["Q1 满意度"]


def test_ip_addresses_and_listed_names_are_masked_in_opinions(tmp_path: Path) -> None:
    rows = [
        ["编号", "来信人", "IP地址", "渠道", "主题", "收到日期", "内容", "处理情况"],
        [
            "Y001",
            "欧阳明华",
            "10.0.0.5",
            "政府网站",
            f"{LISTED}反映补贴",
            "2026-03-01",
            f"从 10.0.0.5 和 fe80::1ff:fe23:4567:890a 提交，{LISTED}同意，版本 3.5",
            "已答复",
        ],
        ["Y002", "黎昕", "", "电话", "补贴标准", "2026.3.1", "张伟明说 2026.3.1 起执行", "待处理"],
    ]
    path = write_csv(tmp_path / "opinions.csv", rows)
    frame = read_opinions(path, [LISTED, "张伟"])
    assert list(frame.columns) == ["编号", "渠道", "主题", "收到日期", "内容", "处理情况"]
    assert frame["主题"].tolist() == [f"{MASK}反映补贴", "补贴标准"]
    # A listed name is masked inside a longer string too: CJK text has no word boundaries.
    assert frame["内容"].tolist() == [f"从 {MASK} 和 {MASK} 提交，{MASK}同意，版本 3.5", f"{MASK}明说 2026.3.1 起执行"]
    rows[1][0] = f"{LISTED}01"  # numbered by a listed name: the number is dropped
    assert "编号" not in read_opinions(write_csv(tmp_path / "named.csv", rows), [LISTED]).columns


def test_mask_text_masks_contact_data_ip_addresses_and_names() -> None:
    assert (
        mask_text(f"座谈会上{LISTED}（13812345678，qk@example.com，192.0.2.44）说版本 3.5 于 2026.3.1 上线", [LISTED])
        == f"座谈会上{MASK}（{MASK}，{MASK}，{MASK}）说版本 3.5 于 2026.3.1 上线"
    )
    assert mask_text("IP 2001:db8::1，端口 8080") == f"IP {MASK}，端口 8080"
    assert mask_text(f"{LISTED}-13812345678-问卷.xlsx", [LISTED]) == f"{MASK}-{MASK}-问卷.xlsx"  # a file name
    # Longest first; a shorter name inside a longer string is still masked.
    assert mask_text("张伟明和张伟", ["张伟", "张伟明"]) == f"{MASK}和{MASK}"
    assert mask_text("张伟明和张伟", ["张伟"], tagged=False) == f"{MASK}明和{MASK}"
    assert mask_text("张伟明和张伟", ["张伟"]) == f"{MASK}和{MASK}"  # the tagger finds 张伟明 (pinggu.analysis.names)
    # Entries stripped; blank, one-character and over-long ones ignored; a lone string is one name.
    assert mask_text("王先生和李四", ["", "  ", "王", "  李四 ", "李四" * 7]) == f"王先生和{MASK}"
    assert mask_text(f"{LISTED}说", LISTED) == f"{MASK}说"
    # What is masked stays masked, whatever the names share with the mask itself.
    assert mask_text("电话 13812345678 隐去了", ["隐去"]) == f"电话 {MASK} {MASK}了"
    assert mask_text("没有个人信息的意见", [LISTED]) == "没有个人信息的意见"


@pytest.mark.parametrize(
    "text",
    ["3.5", "2026.3.1", "2026.03.31", "V2.10.3", "1.2.3", "5.2.1.3", "256.1.1.1", "1.2.3.4.5", "12:30:45", "::1"],
)
def test_version_numbers_dates_and_clause_numbers_are_not_ip_addresses(text: str) -> None:
    assert mask_text(f"第 {text} 项") == f"第 {text} 项"


@pytest.mark.parametrize(
    "ip",
    [
        "192.168.1.23",
        "10.0.0.5",
        "192.168.001.023",
        "2001:db8::1",
        "fe80::1ff:fe23:4567:890a",
        "2001:0db8:0:0:0:ff00:42:8329",
    ],
)
def test_ip_addresses_are_masked(ip: str) -> None:
    assert mask_text(f"来自 {ip}，") == f"来自 {MASK}，"
