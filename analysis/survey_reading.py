"""Questionnaire import (SPEC §7): `read_survey` reads a platform's export (CSV or Excel), validates it, drops
personal data and types the items; the answer scales and columns the figures share (pinggu.analysis.survey_figures);
`code_labels`, the direction of numeric satisfaction codes; and `write_stored_copy`, the copy the product keeps.

Pure pandas on purpose: the flow tasks call this, but it must stay importable and testable
without Prefect or the database.

Privacy (E-PRIVACY) is enforced at the border: `read_survey` never returns personal-data columns, and what is
typed into the text it keeps is masked. Which columns those are, what is masked and what cannot be caught:
pinggu.analysis.privacy, whose code this module calls.

Blank answers. An answer is blank (never counted in an item's n) when its cell is empty — 腾讯问卷
and 金数据 leave a skipped or unanswered question empty — or holds a questionnaire platform's blank
marker: ``(跳过)`` (skipped by the jump logic) or ``(空)`` (not answered, not shown), in ASCII or
full-width brackets, as 问卷星 writes them in its text downloads. 问卷星's download by option number
writes ``-3`` for 跳过 and ``-2`` for 空: these are blank only where the item's scale cannot hold
them, i.e. in a column whose header names a satisfaction or yes/no question (contains 满意 or 是否)
or whose other answers all lie on the satisfaction scale (很满意…很不满意, or 1–5 under a 满意
header) or on 是/否 — scales of positive values only; a column of nothing but -2 and -3 is one
every respondent skipped. Anywhere else (free text, amounts) -2 and -3 are kept as written. In a demographic column the markers (not -2/-3) are blank: the group 未填写.

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
the direction; `summarise_survey` (pinggu.analysis.survey_figures) on a frame built by hand lists such a column in
``unanalysed``. Answers written as text (很满意 …) need no direction.

The underscored names the figures read (blank answers, scale patterns) are shared within analysis/, not beyond it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pinggu.analysis.privacy import (
    _PERSONAL_KEYWORDS,
    PERSONAL_DATA_COLUMNS,
    _file_names,
    _holds_contact_data,
    _holds_names,
    _mask_cells,
    _mask_personal,
    _masked,
    _name_matcher,
    _name_set,
    _Names,
    _normalise_header,
    _per_distinct,
    _split_personal,
)
from pinggu.core.errors import InputFileError, Problem
from pinggu.rules.vocabulary import SatisfactionScale

SATISFACTION_SCALE: dict[str, int] = {
    "很满意": 5,
    "满意": 4,
    "一般": 3,
    "不满意": 2,
    "很不满意": 1,
}
YES, NO = "是", "否"
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = ("职业", "年龄段", "性别", "收入水平", "文化程度", "街镇")
# Platform exports name the respondent id differently; the first one present is the id.
_ID_COLUMNS: tuple[str, ...] = ("问卷编号", "答卷编号", "序号")
_LIKERT_NUMBER = re.compile(r"^[1-5](?:\.0+)?$")
# Platform blank markers (see the module docstring): text downloads, and 问卷星's option numbers.
_BLANK_MARKER = re.compile(r"^[(（]\s*(?:跳过|空)\s*[)）]$")
_BLANK_CODE = re.compile(r"^-[23](?:\.0+)?$")
_QUESTION_HINTS: tuple[str, ...] = ("满意", "是否")
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


def read_survey(path: Path, names: Iterable[str] = (), scale: SatisfactionScale | None = None) -> pd.DataFrame:
    """Read a questionnaire export (CSV in UTF-8/UTF-8-BOM/GBK, or XLSX), validate it, and strip personal data.

    ``names`` (the people file's, an office's name list) are masked in every kept text cell
    wherever they occur, two-character names included (pinggu.analysis.privacy). ``scale`` is the
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
    from pinggu.core.spreadsheet import excel_safe

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


def _looks_like_answers(header: list[str]) -> bool:
    cells = [h for h in header if h]
    answers = set(SATISFACTION_SCALE) | {YES, NO} | set(_CODE_LABELS[SatisfactionScale.last_is_best])
    return sum(c in answers for c in cells) * 2 > len(cells)


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
