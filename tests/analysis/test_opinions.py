"""Public opinions: import and counts (E-PUBLIC: ordos 7/16, minhang 9; SPEC §7) and their
personal data (E-PRIVACY: bazhou 19, ordos 21, ningxia 15, changli 22)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pinggu.analysis.opinions import HANDLING, MASK, read_opinions, summarise_opinions
from pinggu.core.errors import InputFileError
from pinggu.core.settings import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "opinions.csv"
HEADER = ["编号", "渠道", "主题", "收到日期", "内容", "处理情况"]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _where(caught: pytest.ExceptionInfo[InputFileError]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in caught.value.problems]


# --- the sample register -------------------------------------------------------------------------


@pytest.mark.rule("E-PUBLIC")
def test_sample_counts_match_plain_counting() -> None:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    summary = summarise_opinions(read_opinions(SAMPLE))
    assert summary["total"] == len(rows) == 120
    for key, column in (("by_channel", "渠道"), ("by_topic", "主题"), ("by_status", "处理情况")):
        assert summary[key] == dict(Counter(r[column] for r in rows))
        counts = list(summary[key].values())
        assert counts == sorted(counts, reverse=True)
    pending = sum(r["处理情况"] == "待处理" for r in rows)
    assert summary["pending"] == pending and summary["handled"] == len(rows) - pending
    assert summary["handled_share"] == round((len(rows) - pending) / len(rows), 4)
    months = Counter(r["收到日期"][:7] for r in rows)
    assert {m: n for m, n in summary["by_month"].items() if n} == dict(months)
    assert list(summary["by_month"]) == sorted(summary["by_month"])
    assert summary["first_received"] == min(r["收到日期"] for r in rows)
    assert summary["last_received"] == max(r["收到日期"] for r in rows)
    adopted = sum(r["处理情况"] in ("已采纳", "部分采纳") for r in rows)
    decided = sum(r["处理情况"] != "待处理" for r in rows)  # the sample has no 已答复
    assert summary["adopted"] == adopted
    assert summary["adopted_share_of_decided"] == round(adopted / decided, 4)
    for channel, by_handling in summary["channel_handling"].items():
        assert sum(by_handling.values()) == summary["by_channel"][channel]
        assert by_handling["待处理"] == sum(r["渠道"] == channel and r["处理情况"] == "待处理" for r in rows)
    for topic, by_handling in summary["topic_handling"].items():
        assert sum(by_handling.values()) == summary["by_topic"][topic]
    assert json.loads(json.dumps(summary, ensure_ascii=False)) == summary


@pytest.mark.rule("E-PUBLIC")
def test_sample_frame_keeps_rows_and_parses_dates() -> None:
    frame = read_opinions(SAMPLE)
    assert list(frame.columns) == HEADER
    assert frame.index.name == "行号" and frame.index[0] == 2 and frame.index[-1] == 121
    assert str(frame["收到日期"].dtype).startswith("datetime64")
    assert frame.loc[2, "收到日期"] == pd.Timestamp("2026-03-31")
    assert frame.loc[2, "编号"] == "Y0001"


# --- formats -----------------------------------------------------------------------------------

ROWS = [
    HEADER,
    ["A1", "信函", "补贴标准", "2026-01-05", "建议提高标准", "已采纳"],
    ["A2", "电话", "补贴标准", "2026/3/9", "咨询办理时限", "已答复"],
    ["A3", "政府网站", "办理流程", "2026年3月31日", "流程太复杂", "待处理"],
    ["A4", "信函", "办理流程", "2026.03.31", "希望简化材料", "未采纳并说明理由"],
]


@pytest.mark.rule("E-PUBLIC")
@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gbk", "xlsx"])
def test_csv_encodings_and_xlsx_read_alike(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(HEADER)
        for row in ROWS[1:]:
            # Excel date cells, as an operator's workbook has them.
            book.active.append([*row[:3], datetime.fromisoformat(str(pd.Timestamp(_iso(row[3])).date())), *row[4:]])
        path = tmp_path / "opinions.xlsx"
        book.save(path)
    else:
        path = _write_csv(tmp_path / "opinions.csv", ROWS, encoding=kind)
    frame = read_opinions(path)
    assert frame["收到日期"].dt.date.tolist() == [
        date(2026, 1, 5),
        date(2026, 3, 9),
        date(2026, 3, 31),
        date(2026, 3, 31),
    ]
    summary = summarise_opinions(frame)
    # Counted by hand from ROWS.
    assert summary["by_channel"] == {"信函": 2, "政府网站": 1, "电话": 1}
    assert summary["by_handling"] == {"已采纳": 1, "部分采纳": 0, "未采纳": 1, "已答复": 1, "待处理": 1}
    assert summary["by_month"] == {"2026-01": 1, "2026-02": 0, "2026-03": 3}  # the empty month is shown
    assert (summary["handled"], summary["pending"], summary["handled_share"]) == (3, 1, 0.75)
    # 已答复 is handled but not an adoption decision: 1 adopted of 2 decided.
    assert (summary["adopted"], summary["adopted_share_of_decided"]) == (1, 0.5)


def _iso(text: str) -> str:
    return text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")


@pytest.mark.rule("E-PUBLIC")
def test_id_column_is_optional_and_extra_columns_are_dropped(tmp_path: Path) -> None:
    rows = [[*r[1:], extra] for r, extra in zip(ROWS, ["承办人", "王明", "王明", "李华", "李华"], strict=True)]
    frame = read_opinions(_write_csv(tmp_path / "o.csv", rows))
    assert list(frame.columns) == HEADER[1:]
    assert summarise_opinions(frame)["total"] == 4


# --- privacy -----------------------------------------------------------------------------------


@pytest.mark.rule("E-PRIVACY", "E-PUBLIC")
def test_personal_data_is_masked_and_sender_columns_dropped(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "来信人", "联系电话", "身份证号"],
        [
            "B1",
            "信函",
            "补贴标准",
            "2026-01-05",
            "我是张三丰，电话13812345678，邮箱zsf@example.com",
            "已采纳",
            "张三丰",
            "13812345678",
            "110101199003071234",
        ],
        [
            "B2",
            "电话",
            "补贴标准",
            "2026-01-06",
            "身份证110101199003071234，住址不便透露，座机010-87654321",
            "待处理",
            "李四",
            "",
            "",
        ],
        ["B3", "信函", "补贴标准", "2026-01-07", "建议把补贴提高到1200元", "待处理", "", "", ""],
    ]
    frame = read_opinions(_write_csv(tmp_path / "o.csv", rows))
    assert list(frame.columns) == HEADER
    text = frame.to_csv()
    for secret in ("张三丰", "13812345678", "zsf@example.com", "110101199003071234", "010-87654321", "李四"):
        assert secret not in text
    assert frame.loc[2, "内容"] == f"我是{MASK}，电话{MASK}，邮箱{MASK}"
    assert frame.loc[4, "内容"] == "建议把补贴提高到1200元"  # an amount of money is not a phone number


@pytest.mark.rule("E-PRIVACY")
def test_problem_messages_do_not_repeat_contact_data(tmp_path: Path) -> None:
    rows = [HEADER, ["C1", "电话", "其他", "13812345678", "无", "已采纳"]]
    with pytest.raises(InputFileError) as caught:
        read_opinions(_write_csv(tmp_path / "o.csv", rows))
    assert _where(caught) == [(2, "收到日期")]
    assert "13812345678" not in str(caught.value)


# --- bad registers ----------------------------------------------------------------------------


@pytest.mark.rule("E-PUBLIC")
def test_every_bad_cell_is_reported_with_row_and_column(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["D1", "信函", "补贴标准", "2026-01-05", "好", "已采纳"],  # row 2: fine
        ["D2", "", "补贴标准", "2026-02-30", "好", "已采纳"],  # row 3: no channel, no such day
        [],  # row 4: blank, skipped but counted
        ["D1", "电话", "补贴标准", "昨天", "好", "研究中"],  # row 5: duplicate id, bad date, status
        ["D4", "电话", "补贴标准", "2026-01-05", "好", "", "多出来的"],  # row 6: no status, stray cell
    ]
    with pytest.raises(InputFileError) as caught:
        read_opinions(_write_csv(tmp_path / "o.csv", rows))
    assert _where(caught) == [
        (3, "渠道"),
        (3, "收到日期"),
        (5, "编号"),
        (5, "收到日期"),
        (5, "处理情况"),
        (6, "处理情况"),
        (6, None),
    ]
    message = str(caught.value)
    assert "第 3 行，“收到日期”列：日期不存在" in message
    assert "与第 2 行重复" in message and "待处理" in message and "第 7 列" in message


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([["编号", "渠道", "主题", "内容"], ["1", "信函", "x", "y"]], "缺少“收到日期”列"),
        ([HEADER], "只有表头"),
        ([[], HEADER], "表头"),
        ([[*HEADER, "渠道"], ["1", "信函", "x", "2026-01-01", "y", "已采纳", "电话"]], "出现了 2 次"),
    ],
)
def test_unusable_registers_are_refused_whole(tmp_path: Path, rows: list, words: str) -> None:
    with pytest.raises(InputFileError) as caught:
        read_opinions(_write_csv(tmp_path / "o.csv", rows))
    assert words in str(caught.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="不支持"):
        read_opinions(_write_csv(tmp_path / "o.xls", ROWS))
    (tmp_path / "o.xlsx").write_bytes(b"no")
    with pytest.raises(InputFileError, match="不是有效的 .xlsx"):
        read_opinions(tmp_path / "o.xlsx")
    (tmp_path / "x.csv").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(InputFileError, match="Excel"):
        read_opinions(tmp_path / "x.csv")
    with pytest.raises(InputFileError, match="找不到意见登记表“none.csv”，请检查文件路径"):
        read_opinions(tmp_path / "none.csv")


# --- summaries of hand-built frames ------------------------------------------------------------


@pytest.mark.rule("E-PUBLIC")
def test_summary_of_a_hand_built_frame_and_of_nothing() -> None:
    frame = pd.DataFrame(
        {
            "渠道": ["新闻媒体", "座谈会"],
            "主题": ["a", "a"],
            "收到日期": ["2025-12-31", "2026-02-01"],
            "内容": ["x", "y"],
            "处理情况": ["处理中", "部分采纳"],
        }
    )
    summary = summarise_opinions(frame)
    assert summary["by_month"] == {"2025-12": 1, "2026-01": 0, "2026-02": 1}
    assert summary["by_handling"]["待处理"] == 1 and summary["handled_share"] == 0.5
    empty = summarise_opinions(frame.iloc[:0])
    assert empty["total"] == 0 and empty["handled_share"] is None and empty["by_month"] == {}
    with pytest.raises(ValueError, match="未知的处理情况"):
        summarise_opinions(frame.assign(处理情况=["研究中", "已采纳"]))
    assert set(HANDLING.values()) == set(summary["by_handling"])
