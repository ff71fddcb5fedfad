"""Questionnaire import and figures (SPEC §7): satisfaction, awareness, intervals, breakdowns.

Pure pandas on purpose: the flow tasks call this, but it must stay importable and testable
without Prefect or the database.

Privacy (E-PRIVACY, bazhou 19 / ordos 21 / ningxia 15 / changli 22) is enforced at the border:
`read_survey` never returns personal-data columns, so nothing downstream (reports, artifacts,
logs) can leak what it never received. What is typed into the kept text is replaced by ``MASK``:

* contact data, in free text, demographic answers and the answers quoted in problems: mobile and
  landline numbers, ID-card numbers (18 and 15 digits), e-mail addresses, any other number of 11
  or more digits (bank cards), IPv4 addresses (four octets of 0–255, not all four single digits:
  5.2.1.3 is a clause number; 3.5 and 2026.3.1 are not addresses) and IPv6 addresses (in full or
  with ``::``). A kept id column holding any of these, or a name below, is dropped instead;
* in free text, the row's own personal data as typed in the dropped columns (its name, address …);
* in free text and demographic answers of every row, any respondent's name of three or more
  characters, and every name of ``names`` (the people file's, an office's list) of two or more.

Names are matched as whole occurrences, the longest first, but CJK text has no word boundaries:
a name is masked inside a longer string too (张伟 in 张伟明, a listed 高峰 in 早高峰).
`mask_text` masks any other text (file names, minutes, summaries) the same way, and also the names the
Chinese tagger finds (analysis.names) — not run on a questionnaire's own columns, where it would cost about a
millisecond a comment.

What cannot be caught: a two-character name that is in no list and is not the row's own (across
the file it would match ordinary words: 高峰, 田野 …, so it is not looked for); a name in no column
and no list; a name written with spaces or other characters between its characters, in pinyin or
by a nickname; a phone or ID number written in Chinese numerals or split in unusual ways; an
address other than the row's own; personal data inside images or attachments.

Blank answers. An answer is blank (never counted in an item's n) when its cell is empty — 腾讯问卷
and 金数据 leave a skipped or unanswered question empty — or holds a questionnaire platform's blank
marker: ``(跳过)`` (skipped by the jump logic) or ``(空)`` (not answered, not shown), in ASCII or
full-width brackets, as 问卷星 writes them in its text downloads. 问卷星's download by option number
writes ``-3`` for 跳过 and ``-2`` for 空: these are blank only where the item's scale cannot hold
them, i.e. in a column whose header names a satisfaction or yes/no question (contains 满意 or 是否)
or whose other answers all lie on the satisfaction scale (很满意…很不满意, or 1–5 under a 满意
header) or on 是/否 — scales of positive values only; a column of nothing but -2 and -3 is one
every respondent skipped. Anywhere else (free text, amounts) -2 and -3 are kept as written. In a demographic column the markers (not -2/-3) are blank: the group 未填写.

Nothing is dropped silently: `summarise_survey` lists in ``SurveyFigures.unanalysed`` (``{"question",
"reason"}``, the reason in Chinese, saying what to do) every question it cannot analyse:

* a question whose answers are all blank: an item (satisfaction or yes/no) without one answer, or a
  column whose header contains 满意 or 是否, or which holds a platform blank marker, with every
  answer blank or skipped — it is not among the items, so no 0 % is ever shown for it;
* a column more than half of whose answers lie on one scale (satisfaction or 是/否) but whose other
  answers are unrecognisable: the answers and their row numbers are named. (A column whose header
  has 满意度 or 是否 and an answer off its scale is refused by `read_survey` instead, as before.)

A column neither of these describes — free text, an empty column with no question hint (an unused
platform field) — is not a question the figures could use, and is not listed.

Numeric satisfaction codes (E-SCALE: changli 21, minhang 13(三), ordos 17). A column under a 满意
header whose answers are the numbers 1–5 is read only when the direction of the numbers is known,
never guessed: 问卷星's download by option number writes 1 for the first option, usually 很满意,
while a score (分值) writes 5 for the most satisfied. The direction comes, first match wins, from

1. the file's own option texts: the header pairs a code with an option, e.g. ``Q2 满意度（1=很满意，
   5=很不满意）``, ``5分为很满意``, ``1.很满意 2.满意 …`` (非常满意/非常不满意 read as 很满意/很不满意);
   pairs that agree with neither direction (``3=不满意``) or with different ones refuse the column;
2. the platform's question type where the header marks it: ``量表题`` (问卷星's 量表题 and 矩阵量表题
   export the option's score, 很满意 5 分 … 很不满意 1 分 by default — default: seed silent; a
   reverse-scored scale question has to say so in its header);
3. the direction the operator states for the file (``scale``: `SatisfactionScale`, ``1=很满意`` or
   ``5=很满意``; ``pinggu survey analyze --scale``, the survey gate's form) — for the columns 1 and 2
   leave open.

Otherwise `read_survey` refuses the file (InputFileError), naming each such column and asking for
the direction; `summarise_survey` on a frame built by hand lists such a column in ``unanalysed``.
Answers written as text (很满意 …) need no direction.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.errors import InputFileError, Problem
from rules.vocabulary import SatisfactionScale

SATISFACTION_SCALE: dict[str, int] = {
    "很满意": 5,
    "满意": 4,
    "一般": 3,
    "不满意": 2,
    "很不满意": 1,
}
YES, NO = "是", "否"

PERSONAL_DATA_COLUMNS: frozenset[str] = frozenset(
    {
        "姓名",
        "名字",
        "真实姓名",
        "受访者姓名",
        "联系人",
        "手机号",
        "手机号码",
        "手机",
        "电话",
        "电话号码",
        "联系电话",
        "联系方式",
        "固定电话",
        "座机",
        "身份证",
        "身份证号",
        "身份证号码",
        "证件号",
        "证件号码",
        "公民身份号码",
        "住址",
        "地址",
        "家庭住址",
        "居住地址",
        "详细地址",
        "通讯地址",
        "户籍地址",
        "门牌号",
        "邮箱",
        "电子邮箱",
        "电子邮件",
        "邮件",
        "email",
        "e-mail",
        "微信",
        "微信号",
        "qq",
        "qq号",
        "家庭财产",
        "财产",
        "存款",
        "家庭收入",
        "月收入",
        "年收入",
        "具体收入",
        "ip",
        "ip地址",
        "填写人ip",
        "来源ip",
    }
)
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = ("职业", "年龄段", "性别", "收入水平", "文化程度", "街镇")

# Platform exports name the respondent id differently; the first one present is the id.
_ID_COLUMNS: tuple[str, ...] = ("问卷编号", "答卷编号", "序号")
# A header not in the exact list but carrying one of these is still personal data (e.g.
# "受访者手机号（选填）", "IP地址"). Only applied to columns that are not question items, so
# "Q5 对办理地址的满意度" stays an item.
_PERSONAL_KEYWORDS: tuple[str, ...] = (
    "姓名",
    "手机",
    "电话",
    "身份证",
    "证件号",
    "住址",
    "地址",
    "邮箱",
    "email",
    "微信",
    "qq",
    "财产",
    "存款",
    "具体收入",
    "月收入",
    "年收入",
)
MASK = "[已隐去]"
# Headers naming the respondent: their values are masked wherever they occur in free text.
_NAME_KEYWORDS: tuple[str, ...] = (
    "姓名",
    "名字",
    "联系人",
    "来信人",
    "来电人",
    "反映人",
    "提出人",
    "意见人",
    "投诉人",
    "署名",
)
_MIN_NAME = 2  # a name of the row itself, or of a list of names, masked in free text
_MIN_NAME_ANYWHERE = 3  # a name of the file masked in every row's free text
_MAX_NAME = 12  # longer "names" are notes, not names
_MIN_OTHER = 4  # another personal value of the row (address, income …), masked in that row
_UNANSWERED_GROUP = "未填写"

_OCTET = r"(?:25[0-5]|2[0-4]\d|[01]?\d?\d)"
_HEX = r"[0-9A-Fa-f]"
_HEXTET = _HEX + "{1,4}"
_MASK_PATTERN = re.compile(
    "|".join(
        (
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",  # e-mail
            r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])",  # 18-digit ID (may end in X)
            r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)",  # mobile
            r"[(（]0\d{2,3}[)）][-\s]?\d{7,8}(?!\d)",  # landline, (010)12345678
            r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?:[-转]\d{1,6})?(?!\d)",  # landline, 010-12345678
            # A bare local number is only masked where the text says it is one, because a bare
            # 7-8 digit figure is as likely to be an amount of money.
            r"(?:(?<=电话|座机|手机|号码|联系)|(?<=tel|Tel|TEL))[:：\s]*\d{7,8}(?!\d)",
            r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])",  # 15-digit (old) ID
            r"(?<!\d)\d{11,}(?!\d)",  # any other long number: bank card, odd phone formats
            # IPv4: four octets of 0-255, not part of a longer dotted number. All four of one digit
            # (5.2.1.3) are left: that is a clause or version number far more often than a device.
            # The first octet is written digit first, its bounds checked behind it, because the
            # regex engine rejects a branch that opens with a character class at once at every
            # position of the text, and one that opens with a look-around only after running it.
            r"\d(?<!\d\d)(?<!\d\.\d)(?=\d|[\d.]*\d\d)\d{0,2}(?<!25[6-9])(?<!2[6-9]\d)(?<![3-9]\d\d)\."
            rf"(?:{_OCTET}\.){{2}}{_OCTET}(?!\.?\d)",
            # IPv6, in full or with "::" (2001:db8::1); a bare "::1" or "fe80::" names no device.
            # Opened by a character class for the same reason.
            rf"{_HEX}(?<![0-9A-Za-z:]{_HEX}){_HEX}{{0,3}}:"
            rf"(?:(?:{_HEXTET}:){{6}}{_HEXTET}|(?:{_HEXTET}:){{0,5}}(?::{_HEXTET}){{1,6}})(?![0-9A-Za-z:])",
        )
    )
)
# Every match of _MASK_PATTERN holds a digit (of any script), an e-mail's @ or an IPv6 colon: a
# cell without one (most comments) is skipped by one fast scan instead of the whole pattern's.
_MAY_HOLD_CONTACT = re.compile(r"[\d@:]")
# Every match of _MASK_PATTERN in ASCII text contains one of these once digits are mapped to 0
# and separators (- and whitespace) to -: an e-mail's @, nine digits in a row, digits split by a
# separator, a landline's closing bracket, the label before a bare local number, an IPv4
# address's digit-dot-digit or an IPv6 address's colon. An ASCII column where none occurs holds
# no contact data, so the costly pattern need not run per cell.
_SCREEN_TABLE = bytes.maketrans(b"0123456789\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ", b"0" * 10 + b"-" * 10)
_SCREEN_MARKERS = (b"@", b")", b"000000000", b"0-0", b"tel", b"Tel", b"TEL", b"0.0", b":")
_DISTINCT_PROBE = 1000
_LIKERT_NUMBER = re.compile(r"^[1-5](?:\.0+)?$")
# Platform blank markers (see the module docstring): text downloads, and 问卷星's option numbers.
_BLANK_MARKER = re.compile(r"^[(（]\s*(?:跳过|空)\s*[)）]$")
_BLANK_CODE = re.compile(r"^-[23](?:\.0+)?$")
_QUESTION_HINTS: tuple[str, ...] = ("满意", "是否")
_SHOWN_VALUES = 3  # unrecognisable answers named in a reason
_SHOWN_ROWS = 5  # rows named per answer
_SHOWN_LENGTH = 12  # characters of an answer shown
# E-SCALE (module docstring): what each numeric code means, by which end of the scale is 很满意.
_CODE_LABELS: dict[SatisfactionScale, dict[str, str]] = {
    SatisfactionScale.last_is_best: {str(score): label for label, score in SATISFACTION_SCALE.items()},
    SatisfactionScale.first_is_best: {str(6 - score): label for label, score in SATISFACTION_SCALE.items()},
}
_OPTION = r"非常不满意|很不满意|非常满意|很满意|不满意|满意|一般"
_SAME_OPTION = {"非常满意": "很满意", "非常不满意": "很不满意"}
# A code paired with an option in a header (NFKC-normalised): "1=很满意", "5分为很满意", "1.很满意",
# "很满意=5"; an option followed by 度/率/吗/程 is a word of the question (满意度), not an option.
_CODE_STATEMENT = re.compile(
    rf"(?<![0-9A-Za-z.])(?P<code>[1-5])\s*分?\s*(?:[=:.、]|为|表示|代表)?\s*(?P<option>{_OPTION})(?![度率吗程])"
    rf"|(?P<option2>{_OPTION})(?![度率吗程])\s*(?:[=:]|为)?\s*(?P<code2>[1-5])(?![0-9.\-–~])"
)
_SCALE_QUESTION = "量表题"
_NO_DIRECTION = (
    "答案是数字 1–5，但文件没有说明数字的方向（1 是“很满意”还是“很不满意”），不能统计；"
    "请说明方向后重新提交：提交时选择编码方向“1=很满意”或“5=很满意”（命令行 --scale），"
    "或在表头注明，如“（1=很满意，5=很不满意）”。问卷星按选项序号下载时，1 为第一个选项"
)
_Kind = Literal["satisfaction", "yes_no"]


# --------------------------------------------------------------------------- reading


def read_survey(path: Path, names: Iterable[str] = (), scale: SatisfactionScale | None = None) -> pd.DataFrame:
    """Read a questionnaire export (CSV in UTF-8/UTF-8-BOM/GBK, or XLSX), validate it, and strip personal data.

    ``names`` (the people file's, an office's name list) are masked in every kept text cell
    wherever they occur, two-character names included (module docstring). ``scale`` is the
    operator's direction of numeric satisfaction codes, for the columns the file leaves open (E-SCALE).
    """
    path = Path(path)
    raw = _read_raw(path)
    return _validate(raw, path, _name_set(names), scale)


def write_stored_copy(table: pd.DataFrame, target: Path) -> None:
    """Write a table read from a person's file (``read_survey``, ``read_opinions``: its index, ``行号``, the row
    numbers of that file) as the CSV the product keeps, each row on the line it had there — a blank line of the
    original stays an empty row — so that the copy, read again, names a row as 第 N 行 of the file the person
    has; and with no cell that Excel or WPS would run as a formula (the copy is archived and opened by the office).
    """
    from core.spreadsheet import excel_safe

    if table.index.name != "行号":
        raise ValueError("write_stored_copy needs the rows' numbers in the original (index 行号)")
    last = int(table.index.max()) if len(table) else 1
    rows = table.map(excel_safe).reindex(pd.RangeIndex(2, last + 1, name="行号"))  # the header is line 1
    rows.to_csv(target, index=False, encoding="utf-8")


def code_labels(question: str, scale: SatisfactionScale | None = None) -> dict[str, str] | str:
    """What a satisfaction question's codes 1–5 mean (code → 很满意 …), or why that is not known (E-SCALE).

    The direction comes from the header's option texts, its 量表题, then ``scale`` (module docstring);
    the reason, when none gives it, is in Chinese and asks for the direction.
    """
    stated = [
        (int(found["code"] or found["code2"]), _SAME_OPTION.get(option, option))
        for found in _CODE_STATEMENT.finditer(unicodedata.normalize("NFKC", question))
        for option in [found["option"] or found["option2"]]
    ]
    agreeing = {
        direction
        for direction, labels in _CODE_LABELS.items()
        if all(labels[str(code)] == option for code, option in stated)
    }
    if not agreeing:
        shown = "，".join(f"{code}={option}" for code, option in stated)
        return (
            f"表头对数字含义的说明（{shown}）不是“1=很满意…5=很不满意”或“5=很满意…1=很不满意”之一，"
            "无法确定数字的方向，不能统计；请改正表头后重新提交"
        )
    if len(agreeing) == 1:
        return _CODE_LABELS[agreeing.pop()]
    if _SCALE_QUESTION in question:
        return _CODE_LABELS[SatisfactionScale.last_is_best]
    if scale is not None:
        return _CODE_LABELS[SatisfactionScale(scale)]
    return _NO_DIRECTION


def _fail(path: Path, message: str, problems: list[Problem] | None = None) -> InputFileError:
    return InputFileError(message, problems=problems, path=str(path))


def _read_raw(path: Path) -> pd.DataFrame:
    """All cells as stripped strings, header included as row 0, blank lines kept for numbering."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx", ".xlsm", ".xls"}:
        shown = path.suffix or "（无扩展名）"
        raise _fail(path, f"不支持的文件类型“{shown}”：请上传 CSV 或 Excel（.xlsx）格式的问卷导出文件。")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, f"找不到问卷文件“{path.name}”，请检查路径。") from None
    except IsADirectoryError:
        raise _fail(path, f"“{path.name}”是一个文件夹，不是问卷文件。") from None
    except PermissionError:
        raise _fail(path, f"没有权限读取问卷文件“{path.name}”。") from None
    except OSError:
        raise _fail(path, f"无法读取问卷文件“{path.name}”。") from None
    if not data.strip().lstrip(b"\xef\xbb\xbf").strip():
        raise _fail(path, f"问卷文件“{path.name}”是空的，没有任何内容。")
    raw = _parse_csv(data, path) if suffix == ".csv" else _parse_excel(data, path)
    return raw.apply(_per_distinct(lambda values: values.str.strip(), unless_unique=True))


def _per_distinct(
    transform: Callable[[pd.Series], pd.Series], unless_unique: bool = False
) -> Callable[[pd.Series], pd.Series]:
    """Apply a string transform once per distinct value: answers repeat, so this is far cheaper.

    With ``unless_unique``, a column whose first values are mostly distinct (ids, phone numbers,
    names) is transformed directly: finding its distinct values would cost more than it saves.
    """

    def apply(column: pd.Series) -> pd.Series:
        mostly_distinct = (
            unless_unique
            and len(column) > 2 * _DISTINCT_PROBE
            and column.iloc[:_DISTINCT_PROBE].nunique() > _DISTINCT_PROBE // 10
        )
        if mostly_distinct:
            return transform(column)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        done = transform(pd.Series(uniques, dtype=column.dtype)).to_numpy()
        return pd.Series(done[codes], index=column.index, dtype=column.dtype, name=column.name)

    return apply


def _parse_csv(data: bytes, path: Path) -> pd.DataFrame:
    if data.startswith(b"PK\x03\x04"):
        raise _fail(path, f"“{path.name}”实际上是 Excel 文件，请把扩展名改为 .xlsx 后重新上传。")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(path, f"“{path.name}”是 UTF-16 编码的文本，请另存为 UTF-8 或 GBK 编码的 CSV 后重新上传。")
    try:
        text = data.decode("utf-8-sig")
        utf8 = data
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _fail(path, f"无法识别“{path.name}”的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV。") from None
        utf8 = text.encode("utf-8")
    if "\x00" in text:
        raise _fail(path, f"“{path.name}”不是文本格式的 CSV 文件，请从问卷平台重新导出 CSV 或 XLSX。")
    # The header's width is read first so that a longer data row can be named precisely.
    header = next(csv.reader(io.StringIO(text)), [])
    try:
        # Bytes, not a StringIO: pandas' C reader is an order of magnitude slower on text streams.
        return pd.read_csv(
            io.BytesIO(utf8),
            encoding="utf-8-sig",
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise _fail(path, f"问卷文件“{path.name}”是空的，没有任何内容。") from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not found:
            raise _fail(path, f"“{path.name}”不是有效的 CSV 文件（引号或分隔符有误），请从问卷平台重新导出。") from None
        width, line, seen = (int(g) for g in found.groups())
        reason = f"该行有 {seen} 列，多于表头的 {width} 列（可能有未加引号的逗号）"
        if sum(1 for cell in header if cell.strip()) <= 1:
            reason += "；第 1 行看起来是标题而不是列名，请删除标题行，使第 1 行为表头"
        raise _fail(path, "问卷文件的列数不一致，无法读取。", [Problem(reason=reason, row=line)]) from None


def _parse_excel(data: bytes, path: Path) -> pd.DataFrame:
    import openpyxl  # only needed for Excel input
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Exports from some platforms lack a default style; openpyxl says so, harmlessly.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [[_excel_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        if path.suffix.lower() == ".xls":
            raise _fail(
                path, f"无法读取旧版 Excel 文件“{path.name}”，请在 Excel 中另存为 .xlsx 或 CSV 后重新上传。"
            ) from None
        raise _fail(path, f"无法打开 Excel 文件“{path.name}”，文件可能已损坏，请从问卷平台重新导出。") from None
    # Trailing fully empty rows are common in Excel files and mean nothing.
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise _fail(path, f"问卷文件“{path.name}”的第一个工作表是空的，没有任何内容。")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(rows, dtype=str)


def _excel_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # Answers typed as numbers (Likert 1-5, ids) come back as floats like 5.0.
        return str(int(value))
    return str(value)


def _validate(
    raw: pd.DataFrame, path: Path, listed: frozenset[str] = frozenset(), scale: SatisfactionScale | None = None
) -> pd.DataFrame:
    header = [str(h) for h in raw.iloc[0].tolist()]
    body = raw.iloc[1:]
    # Operator-visible row numbers: the header is row 1, so data position i is row i + 2.
    body.index = pd.RangeIndex(2, len(raw) + 1, name="行号")
    body = body[(body != "").any(axis=1)]

    if not any(header):
        raise _fail(path, "第 1 行（表头）是空的：问卷文件的第 1 行必须是列名（如“问卷编号”“Q1 …”）。")
    if _looks_like_answers(header):
        raise _fail(path, "第 1 行看起来是答卷数据而不是列名：请加上表头行后重新上传。")

    problems: list[Problem] = []
    columns: list[tuple[str, int]] = []  # (name, raw position)
    for pos, name in enumerate(header):
        if name:
            columns.append((name, pos))
        elif (body[pos] != "").any():
            problems.append(Problem(reason="该列有答案但没有列名", column=f"第 {pos + 1} 列"))
    seen: dict[str, int] = {}
    for name, pos in columns:
        if name in seen:
            problems.append(
                Problem(
                    reason=f"列名与第 {seen[name] + 1} 列重复，请给每一列起不同的名字",
                    row=1,
                    column=name,
                )
            )
        else:
            seen[name] = pos
    if problems:
        raise _fail(path, "问卷文件的表头有误，无法读取。", problems)
    if body.empty:
        raise _fail(path, "问卷文件只有表头，没有任何答卷（从第 2 行起应为每份答卷一行）。")

    frame = pd.DataFrame({name: body[pos] for name, pos in columns}, index=body.index)
    out: dict[str, pd.Series] = {}
    free_text: list[str] = []
    demographics: list[str] = []
    personal: dict[str, pd.Series] = {}  # dropped personal-data columns, to mask their values in free text
    id_column = next((c for c in _ID_COLUMNS if c in frame.columns), None)
    # The listed names are known before the file's own: bad answers quoted in problems are masked with them.
    listed_only = _name_matcher(listed)

    for name in frame.columns:
        series = frame[name]
        key = _normalise_header(name)
        if key in PERSONAL_DATA_COLUMNS:
            personal[key] = series
            continue
        if name == id_column:
            problems.extend(_duplicate_ids(series, name, listed_only))
            # Some operators number questionnaires by the respondent's phone or ID number; the
            # analysis does not need the id, so such a column is dropped rather than leaked.
            if not _holds_contact_data(series):
                out[name] = series
            continue
        if name in DEMOGRAPHIC_COLUMNS:
            markers = [v for v in series.unique() if _BLANK_MARKER.match(v)]
            out[name] = series.mask(series.isin(markers), "") if markers else series
            demographics.append(name)
            continue
        item, bad = _as_item(series, name, listed_only, scale)
        if item is not None:
            out[name] = item
            continue
        if bad:
            problems.extend(bad)
            continue
        if any(word in key for word in _PERSONAL_KEYWORDS):
            personal[key] = series
            continue
        out[name] = series
        free_text.append(name)

    if problems and all(p.reason == _NO_DIRECTION for p in problems):
        raise _fail(
            path, f"问卷文件有 {len(problems)} 道满意度题以数字记录答案，但没有说明数字的方向，不作推测：", problems
        )
    if problems:
        raise _fail(path, f"问卷文件有 {len(problems)} 处问题，请修改后重新上传：", problems)
    if not any(isinstance(s.dtype, pd.CategoricalDtype) for s in out.values()):
        raise _fail(
            path,
            "没有找到可以统计的题目：满意度题的答案应为 很满意/满意/一般/不满意/很不满意（或 1–5），"
            "知晓题的答案应为 是/否。",
        )
    names, others = _split_personal(personal)
    anywhere = _name_matcher(_file_names(names) | listed)
    # A kept id holding a name is dropped, as one holding a phone number is (above).
    if id_column in out and _holds_names(out[id_column], anywhere):
        del out[id_column]
    # A demographic answer is a group label in every breakdown: contact data and names typed there
    # are masked too (the row's own values are not looked for: a label is never a sentence).
    for name in demographics:
        out[name] = _mask_cells(out[name], anywhere)
    for name in free_text:
        out[name] = _mask_personal(out[name], names, others, anywhere)
    return pd.DataFrame(out, index=frame.index)


def _holds_contact_data(series: pd.Series) -> bool:
    """Whether any cell has contact data (_MASK_PATTERN), with a one-pass screen over the column.

    The screen is exact only for ASCII (\\d and \\s also match full-width digits and spaces), so
    any other text goes straight to the pattern.
    """
    # NUL joins the cells: it is neither digit nor separator, so no marker spans two cells.
    values = series.tolist()
    joined = "\x00".join(values) if all(isinstance(v, str) for v in values) else ""
    if joined and joined.isascii():
        screened = joined.encode("ascii").translate(_SCREEN_TABLE)
        if not any(marker in screened for marker in _SCREEN_MARKERS):
            return False
    return bool(series.str.contains(_MASK_PATTERN).any())


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s:：*（）()]+", "", name).lower()


def _looks_like_answers(header: list[str]) -> bool:
    cells = [h for h in header if h]
    answers = set(SATISFACTION_SCALE) | {YES, NO} | set(_CODE_LABELS[SatisfactionScale.last_is_best])
    return sum(c in answers for c in cells) * 2 > len(cells)


def _split_personal(personal: dict[str, pd.Series]) -> tuple[list[pd.Series], list[pd.Series]]:
    """The dropped personal-data columns (by normalised header): those naming people, and the rest."""
    names = [s for key, s in personal.items() if any(word in key for word in _NAME_KEYWORDS)]
    others = [s for key, s in personal.items() if not any(word in key for word in _NAME_KEYWORDS)]
    return names, others


def _duplicate_ids(series: pd.Series, column: str, listed: _Names | None = None) -> list[Problem]:
    filled = series[series != ""]
    dupes = filled[filled.duplicated(keep=False)]
    if dupes.empty:
        return []
    first_row = dupes.reset_index().groupby(column, sort=False)["行号"].transform("first")
    first_row.index = dupes.index
    return [
        Problem(reason=f"问卷编号“{_masked(value, listed)}”与第 {first} 行重复", row=int(row), column=column)
        for row, value, first in zip(dupes.index, dupes, first_row, strict=True)
        if row != first
    ]


def _as_item(
    series: pd.Series, name: str, listed: _Names | None = None, scale: SatisfactionScale | None = None
) -> tuple[pd.Series | None, list[Problem]]:
    """The column as an item (categorical, blanks NaN), or the problems that stop it being one.

    Platform blank markers are blanks (module docstring); a column that is not an item keeps them.
    Numeric codes are read only in a known direction (E-SCALE, `code_labels`).
    """
    values = set(series.unique())
    blanks = _blank_answers(values, name)
    values -= blanks
    filled = (series != "").to_numpy() if blanks <= {""} else (~series.isin(list(blanks))).to_numpy()
    answered = series[filled]
    if "满意" in name and values and all(_LIKERT_NUMBER.match(v) for v in values):
        labels = code_labels(name, scale)
        if isinstance(labels, str):
            return None, [Problem(reason=labels, column=name)]
        answered = answered.str.slice(0, 1).map(labels)
        values = set(answered.unique())
    if values <= set(SATISFACTION_SCALE) and (values or "满意度" in name):
        return _categorical(series.index, filled, answered, list(SATISFACTION_SCALE)[::-1]), []
    if values <= {YES, NO} and (values or "是否" in name):
        return _categorical(series.index, filled, answered, [NO, YES]), []

    if "满意度" in name:
        # Numbers and labels may be mixed in one column; only what is neither is wrong.
        numeric = answered.str.match(_LIKERT_NUMBER.pattern)
        bad = answered[~answered.isin(list(SATISFACTION_SCALE)) & ~numeric]
        expected = "应为 很满意/满意/一般/不满意/很不满意 或 1–5"
        labels = code_labels(name, scale) if numeric.any() else {}
        unscaled = [Problem(reason=labels, column=name)] if isinstance(labels, str) else []
        if bad.empty and isinstance(labels, dict):
            read = answered.where(~numeric, answered.str.slice(0, 1).map(labels))
            return _categorical(series.index, filled, read, list(SATISFACTION_SCALE)[::-1]), []
    elif "是否" in name:
        bad = answered[~answered.isin([YES, NO])]
        expected = "应为 是 或 否"
        unscaled = []
    else:
        return None, []
    return None, [
        # The bad value is shown to the operator and may end in logs: mask contact data in it.
        *(
            Problem(reason=f"答案“{_masked(value, listed)}”不在量表内，{expected}", row=int(row), column=name)
            for row, value in bad.items()
        ),
        *unscaled,
    ]


def _blank_answers(values: Iterable[Any], name: str) -> set[str]:
    """Which of a column's distinct ``values`` are blank answers: "", the platforms' markers, and
    -2/-3 where the item's scale cannot hold them (the rule of the module docstring)."""
    texts = {v for v in values if isinstance(v, str)}
    blanks = {v for v in texts if v == "" or _BLANK_MARKER.match(v)}
    codes = {v for v in texts if _BLANK_CODE.match(v)}
    if codes:
        rest = texts - blanks - codes
        likert = "满意" in name
        positive_scale = all(v in SATISFACTION_SCALE or (likert and _LIKERT_NUMBER.match(v)) for v in rest) or (
            rest <= {YES, NO}
        )
        if positive_scale or any(hint in name for hint in _QUESTION_HINTS):
            blanks |= codes
    return blanks


def _categorical(index: pd.Index, filled: np.ndarray, answered: pd.Series, categories: list[str]) -> pd.Series:
    """The answers (the ``filled`` positions of ``index``, in order) as an ordered categorical, blanks NaN."""
    codes = np.full(len(index), -1, dtype=np.int8)
    # By position rather than by reindexing on the row labels: the same result, far cheaper.
    codes[filled] = pd.Categorical(answered, categories=categories, ordered=True).codes
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, ordered=True), index=index)


def mask_text(text: str, names: Iterable[str] = (), *, tagged: bool = True) -> str:
    """``text`` with contact data (phone, ID, e-mail, IP address …), every one of ``names`` and (``tagged``) every
    personal name the Chinese tagger finds (analysis.names) replaced by MASK."""
    words = _name_set(names)
    if tagged:
        words |= _name_set(_tagged_names(text))
    return _masked(text, _name_matcher(words))


def mask_tagged(text: Any) -> Any:
    """Free text with the personal names the Chinese tagger finds (analysis.names) masked; what is not text as it is."""
    if not isinstance(text, str):
        return text
    found = _name_matcher(_name_set(_tagged_names(text)))
    return _mask_names(text, found) if found is not None else text


def _tagged_names(text: str) -> set[str]:
    from analysis.names import person_names  # the tagger loads its dictionary on first use

    return set().union(*(person_names(part) for part in text.split(MASK))) if text else set()


@dataclass(frozen=True)
class _Names:
    """Names masked wherever they occur, with what finds them fast."""

    words: frozenset[str]
    lengths: tuple[int, ...]  # the words' lengths, longest first
    starts: re.Pattern[str]  # any character a word begins with


def _name_set(names: Iterable[str]) -> frozenset[str]:
    """The entries of a name list worth looking for: stripped, of _MIN_NAME to _MAX_NAME characters.

    A single character would mask that character in every word; a longer entry is a note.
    """
    # A lone string is one name, not a list of characters (each too short, so silently unmasked).
    entries = (names,) if isinstance(names, str) else names
    return frozenset(
        name
        for entry in entries
        if isinstance(entry, str) and _MIN_NAME <= len(name := entry.strip()) <= _MAX_NAME and name != MASK
    )


def _name_matcher(words: frozenset[str]) -> _Names | None:
    if not words:
        return None
    starts = re.compile("[" + "".join(re.escape(c) for c in sorted({w[0] for w in words})) + "]")
    return _Names(words, tuple(sorted({len(w) for w in words}, reverse=True)), starts)


def _file_names(names: list[pd.Series]) -> frozenset[str]:
    """The file's own names masked in every row: those long enough not to be ordinary words."""
    return frozenset(
        value
        for s in names
        for value in pd.unique(s.astype(object)).tolist()
        if isinstance(value, str) and _MIN_NAME_ANYWHERE <= len(value) <= _MAX_NAME and value != MASK
    )


def _masked(text: str, names: _Names | None) -> str:
    """`mask_text` with the names prepared once: the one implementation of every text masking here."""
    if _MAY_HOLD_CONTACT.search(text):
        text = _MASK_PATTERN.sub(MASK, text)
    return _mask_names(text, names) if names is not None else text


def _mask_cell(value: Any, names: _Names | None = None) -> Any:
    return _masked(value, names) if isinstance(value, str) else value


def _mask_values(values: pd.Series) -> pd.Series:
    return values.map(_mask_cell)


def _mask_cells(series: pd.Series, names: _Names | None) -> pd.Series:
    """A text column with contact data and ``names`` masked in every cell (once per distinct value)."""
    return _per_distinct(lambda values: values.map(lambda value: _mask_cell(value, names)))(series)


def _holds_names(series: pd.Series, names: _Names | None) -> bool:
    """Whether any cell holds one of ``names``; one scan of the joined column rules most columns out."""
    if names is None:
        return False
    values = [v for v in series.tolist() if isinstance(v, str)]
    # NUL joins the cells: no name holds it, so none spans two cells.
    if names.starts.search("\x00".join(values)) is None:
        return False
    return any(_mask_names(v, names) != v for v in dict.fromkeys(values))


def _mask_personal(
    series: pd.Series,
    names: list[pd.Series],
    others: list[pd.Series],
    anywhere: _Names | None = None,
) -> pd.Series:
    """Free text with personal data masked.

    Contact data (phone, ID, e-mail, bank-card numbers, IP addresses) by pattern; the row's own
    personal values as typed in the dropped columns — ``names`` (at least 2 characters) and
    ``others`` such as the address (at least 4); and ``anywhere`` in every row (`_file_names` of
    ``names``, for a respondent who mentions another, and the names of a list).
    """
    masked = _per_distinct(_mask_values)(series)
    if names or others:
        index = masked.index
        texts = masked.to_numpy(dtype=object, na_value="")
        # Only rows with text are looked at: in a large export most comments are blank.
        rows = np.flatnonzero(texts != "")
        own = [
            (values[rows], shortest)
            for group, shortest in ((names, _MIN_NAME), (others, _MIN_OTHER))
            for s in group
            for values in [(s if s.index.equals(index) else s.reindex(index)).to_numpy(dtype=object, na_value="")]
        ]
        changed = False
        for k, i in enumerate(rows.tolist()):
            text = texts[i]
            secrets = [v for values, shortest in own if len(v := values[k].strip()) >= shortest and v in text]
            if secrets:
                # Longest first, so that an address is masked whole before a name inside it.
                for secret in sorted(secrets, key=len, reverse=True):
                    text = text.replace(secret, MASK)
                texts[i] = text
                changed = True
        if changed:
            masked = pd.Series(texts, index=index, dtype=series.dtype, name=series.name)
    if anywhere is not None:
        masked = _per_distinct(lambda values: values.map(lambda text: _mask_names(text, anywhere)))(masked)
    return masked


def _mask_names(text: Any, names: _Names) -> Any:
    """``text`` with every whole occurrence of a name masked, the longest at a position first.

    CJK text has no word boundaries, so a name is masked inside a longer string too (张伟 in 张伟明).
    """
    if not isinstance(text, str) or len(text) < names.lengths[-1]:
        return text
    if MASK in text:
        # What is masked stays masked: a name may share characters with MASK itself.
        return MASK.join(_mask_names(part, names) for part in text.split(MASK))
    out: list[str] = []
    done = 0  # text[:done] is in out
    # Only where a name can begin is looked at: the scan for those characters runs in C.
    for start in names.starts.finditer(text):
        i = start.start()
        if i < done:
            continue
        for size in names.lengths:
            if text[i : i + size] in names.words:
                out += (text[done:i], MASK)
                done = i + size
                break
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class ItemFigures:
    """Figures for one question item (rate and interval on non-blank answers)."""

    question: str
    kind: _Kind
    n: int
    rate: float  # satisfaction: share of 很满意+满意; yes_no: share of 是; 0.0 when n == 0
    ci95: tuple[float, float]
    mean: float | None  # satisfaction only, on the 5..1 scale


@dataclass(frozen=True)
class SurveyFigures:
    """Response counts, pooled rates, per-item figures and demographic breakdowns of one survey.

    ``unanalysed``: the questions that are in no figure, each ``{"question": …, "reason": …}`` with
    the reason in Chinese (module docstring).
    """

    respondents: int
    items: list[ItemFigures]
    awareness_rate: float | None
    satisfaction_rate: float | None
    satisfaction_mean: float | None
    breakdowns: dict[str, list[dict[str, Any]]]
    unanalysed: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, floats rounded to 4 decimals."""
        figures: dict[str, Any] = _jsonable(
            {
                "respondents": self.respondents,
                "awareness_rate": self.awareness_rate,
                "satisfaction_rate": self.satisfaction_rate,
                "satisfaction_mean": self.satisfaction_mean,
                "items": [
                    {
                        "question": i.question,
                        "kind": i.kind,
                        "n": i.n,
                        "rate": i.rate,
                        "ci95": i.ci95,
                        "mean": i.mean,
                    }
                    for i in self.items
                ],
                "unanalysed": self.unanalysed,
                "breakdowns": self.breakdowns,
            }
        )
        return figures


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 4)
    return value


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0.0, 0.0) when there are no answers."""
    if n == 0:
        return (0.0, 0.0)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"successes={successes} 与 n={n} 不合理")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def summarise_survey(survey: pd.DataFrame, scale: SatisfactionScale | None = None) -> SurveyFigures:
    """Per-item figures, pooled awareness/satisfaction, and breakdowns by each demographic present.

    A question that cannot be analysed is listed in ``unanalysed`` with its reason, never dropped
    silently (module docstring); so is a numeric satisfaction column of a frame built by hand whose
    direction neither its header nor ``scale`` gives (E-SCALE).
    """
    kinds, unanalysed, codes = _item_kinds(survey, scale)
    sat_cols = [c for c, k in kinds.items() if k == "satisfaction"]
    yn_cols = [c for c, k in kinds.items() if k == "yes_no"]
    rows = len(survey)
    # One numeric matrix per kind (NaN = blank) so every figure below is a column/row reduction.
    sat = _score_matrix(survey, sat_cols, SATISFACTION_SCALE, rows, codes)
    yn = _score_matrix(survey, yn_cols, {YES: 1, NO: 0}, rows)

    items: list[ItemFigures] = []
    sat_n, sat_top, sat_sum = (~np.isnan(sat)).sum(0), (sat >= 4).sum(0), np.nansum(sat, 0)
    yn_n, yn_yes = (~np.isnan(yn)).sum(0), np.nansum(yn, 0)
    for col in kinds:
        if kinds[col] == "satisfaction":
            j = sat_cols.index(col)
            n, hits, mean = int(sat_n[j]), int(sat_top[j]), (float(sat_sum[j]) / sat_n[j] if sat_n[j] else None)
        else:
            j = yn_cols.index(col)
            n, hits, mean = int(yn_n[j]), int(yn_yes[j]), None
        items.append(
            ItemFigures(
                question=col,
                kind=kinds[col],
                n=n,
                rate=hits / n if n else 0.0,
                ci95=wilson_interval(hits, n),
                mean=mean,
            )
        )

    per_row = pd.DataFrame(
        {
            "sat_n": (~np.isnan(sat)).sum(1),
            "sat_top": (sat >= 4).sum(1),
            "sat_sum": np.nansum(sat, 1),
            "aw_n": (~np.isnan(yn)).sum(1),
            "aw_yes": np.nansum(yn, 1),
        },
        index=survey.index,
    )
    totals = per_row.sum()
    return SurveyFigures(
        respondents=rows,
        items=items,
        awareness_rate=_ratio(totals["aw_yes"], totals["aw_n"]) if yn_cols else None,
        satisfaction_rate=_ratio(totals["sat_top"], totals["sat_n"]) if sat_cols else None,
        satisfaction_mean=_ratio(totals["sat_sum"], totals["sat_n"]) if sat_cols else None,
        breakdowns={
            col: _breakdown(survey[col], per_row, rows, bool(sat_cols), bool(yn_cols))
            for col in DEMOGRAPHIC_COLUMNS
            if col in survey.columns
        },
        unanalysed=unanalysed,
    )


def _item_kinds(
    survey: pd.DataFrame, scale: SatisfactionScale | None = None
) -> tuple[dict[str, _Kind], list[dict[str, str]], dict[str, dict[str, str]]]:
    """The items and their kinds, the questions that cannot be analysed with their reasons, and what the
    numeric codes of each satisfaction column of text mean (E-SCALE)."""
    kinds: dict[str, _Kind] = {}
    unanalysed: list[dict[str, str]] = []
    codes: dict[str, dict[str, str]] = {}
    for col in survey.columns:
        if col in DEMOGRAPHIC_COLUMNS or col in _ID_COLUMNS:
            continue
        s = survey[col]
        name = str(col)
        reason: str | None = None
        if isinstance(s.dtype, pd.CategoricalDtype):
            categories = set(s.cat.categories)
            kind: _Kind | None = (
                "satisfaction"
                if categories and categories <= set(SATISFACTION_SCALE)
                else "yes_no"
                if categories and categories <= {YES, NO}
                else None
            )
            if kind is not None and not s.notna().any():
                kind, reason = None, _all_blank_reason(len(s))
        else:
            # Free text kept by read_survey, or a frame built by hand: decide by the answers.
            values = set(pd.unique(s[s.notna()]))
            answers = values - _blank_answers(values, name)
            kind = (
                "satisfaction"
                if answers and _on_satisfaction_scale(answers, name)
                else "yes_no"
                if answers and answers <= {YES, NO}
                else None
            )
            if kind == "satisfaction" and not answers <= set(SATISFACTION_SCALE):
                labels = code_labels(name, scale)
                if isinstance(labels, str):
                    kind, reason = None, labels
                else:
                    codes[name] = labels
            elif kind is None:
                reason = _unanalysed_reason(s, name, values, answers)
        if kind is not None:
            kinds[col] = kind
        elif reason is not None:
            unanalysed.append({"question": name, "reason": reason})
    return kinds, unanalysed, codes


def _on_satisfaction_scale(answers: set[Any], name: str) -> bool:
    """Whether the (non-blank) answers are a satisfaction item's, as `read_survey` reads them: labels;
    1–5 under a 满意 header; both mixed under a 满意度 header."""
    if answers <= set(SATISFACTION_SCALE):
        return True
    numbers = {v for v in answers if isinstance(v, str) and _LIKERT_NUMBER.match(v)}
    if "满意" in name and numbers == answers:
        return True
    return "满意度" in name and answers <= set(SATISFACTION_SCALE) | numbers


def _all_blank_reason(answers: int) -> str:
    return (
        f"全部 {answers} 份答案均为空或跳过，没有可统计的回答；"
        "请核对该题是否被跳题逻辑跳过、导出是否完整，必要时从问卷平台重新导出"
    )


def _unanalysed_reason(s: pd.Series, name: str, values: set[Any], answers: set[Any]) -> str | None:
    """Why a column that is not an item cannot be analysed, or None when it is no question (free text …)."""
    if not answers:
        marked = any(isinstance(v, str) and v != "" for v in values)  # a platform marker, or -2/-3
        if marked or any(hint in name for hint in _QUESTION_HINTS):
            return _all_blank_reason(len(s))
        return None
    likert = "满意" in name

    def on_scale(value: Any, kind: _Kind) -> bool:
        if kind == "yes_no":
            return value in (YES, NO)
        return value in SATISFACTION_SCALE or (likert and isinstance(value, str) and bool(_LIKERT_NUMBER.match(value)))

    # Cheap test first: most such columns are free text without one scale answer.
    if not any(on_scale(v, "satisfaction") or on_scale(v, "yes_no") for v in answers):
        return None
    counts = s[s.isin(list(answers))].value_counts()
    hits: dict[_Kind, int] = {
        kind: int(sum(n for v, n in counts.items() if on_scale(v, kind))) for kind in ("satisfaction", "yes_no")
    }
    kind: _Kind = "satisfaction" if hits["satisfaction"] >= hits["yes_no"] else "yes_no"
    if hits[kind] * 2 <= int(counts.sum()):
        return None  # mostly not on a scale: free text that happens to contain 满意 or 是
    bad_positions = np.flatnonzero(s.isin([v for v in answers if not on_scale(v, kind)]).to_numpy())
    # Operator row numbers: read_survey's index (the header is row 1); a hand-built frame's position + 2.
    numbers = s.index[bad_positions] if s.index.name == "行号" else bad_positions + 2
    rows_of: dict[Any, list[int]] = {}
    for value, number in zip(s.iloc[bad_positions].tolist(), numbers.tolist(), strict=True):
        rows_of.setdefault(value, []).append(int(number))
    shown = []
    for value, rows in list(rows_of.items())[:_SHOWN_VALUES]:
        text = mask_text(str(value))
        text = text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "…"
        where = "、".join(str(r) for r in rows[:_SHOWN_ROWS])
        more = f"等 {len(rows)} 行" if len(rows) > _SHOWN_ROWS else "行"
        shown.append(f"“{text}”（第 {where} {more}）")
    if len(rows_of) > _SHOWN_VALUES:
        shown[-1] += f"等 {len(rows_of)} 种"
    expected = (
        "满意度题的答案应为 很满意/满意/一般/不满意/很不满意" + (" 或 1–5" if likert else "")
        if kind == "satisfaction"
        else "是否题的答案应为 是 或 否"
    )
    return (
        f"含无法识别的答案{'、'.join(shown)}，共 {len(bad_positions)} 份，整题未统计；"
        f"{expected}（未作答的留空即可），请更正后重新上传"
    )


def _score_matrix(
    survey: pd.DataFrame,
    cols: list[str],
    scale: dict[str, int],
    rows: int,
    codes: dict[str, dict[str, str]] | None = None,
) -> np.ndarray:
    """Points per answer (NaN = blank); a column of ``codes`` may hold 1–5, read by its code → label map."""
    matrix = np.full((rows, len(cols)), np.nan)
    for j, col in enumerate(cols):
        s = survey[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            # Lookup by category code: no per-cell string work, which matters at a million rows.
            lut = np.array([scale[c] for c in s.cat.categories] + [np.nan], dtype=float)
            matrix[:, j] = lut[s.cat.codes.to_numpy()]
        else:
            labels = (codes or {}).get(str(col), {})
            positions, uniques = pd.factorize(s)
            lut = np.array([_points(v, scale, labels) for v in uniques] + [np.nan], dtype=float)
            matrix[:, j] = lut[positions]  # position -1 (missing) picks the trailing NaN; blank markers are NaN too
    return matrix


def _points(value: Any, scale: dict[str, int], labels: dict[str, str]) -> float:
    if value in scale:
        return float(scale[value])
    if labels and isinstance(value, str) and _LIKERT_NUMBER.match(value):
        return float(scale[labels[value[0]]])
    return float("nan")


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def _breakdown(
    groups: pd.Series, per_row: pd.DataFrame, rows: int, has_sat: bool, has_yn: bool
) -> list[dict[str, Any]]:
    # read_survey has blanked the platforms' markers; a frame built by hand may still hold them.
    markers = [v for v in pd.unique(groups[groups.notna()]) if isinstance(v, str) and _BLANK_MARKER.match(v)]
    answered = groups.notna() & (groups.astype(str) != "") & ~groups.isin(markers)
    labels = groups.astype(object).where(answered, _UNANSWERED_GROUP)
    sums = per_row.groupby(labels.to_numpy(), sort=True).agg(
        respondents=("sat_n", "size"),
        sat_n=("sat_n", "sum"),
        sat_top=("sat_top", "sum"),
        aw_n=("aw_n", "sum"),
        aw_yes=("aw_yes", "sum"),
    )
    # Blank answers to a demographic question are a group of their own, shown last.
    order = [g for g in sums.index if g != _UNANSWERED_GROUP] + (
        [_UNANSWERED_GROUP] if _UNANSWERED_GROUP in sums.index else []
    )
    return [
        {
            "group": str(group),
            "respondents": int(sums.at[group, "respondents"]),
            "share": int(sums.at[group, "respondents"]) / rows if rows else 0.0,
            "satisfaction_rate": _ratio(sums.at[group, "sat_top"], sums.at[group, "sat_n"]) if has_sat else None,
            "awareness_rate": _ratio(sums.at[group, "aw_yes"], sums.at[group, "aw_n"]) if has_yn else None,
        }
        for group in order
    ]
