"""The decision catalog (决策事项目录) an operator supplies, read and validated.

Pure: pandas, pydantic and openpyxl only, so the CLI, a flow task and the tests share it without
a Prefect server or a database. Every bad row is reported with its spreadsheet row number, column
and reason; whether bad rows block the whole import is the caller's choice.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pinggu.core.errors import InputFileError, Problem
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EVALUATION_TYPES

CATALOG_COLUMNS: dict[str, str] = {
    "编号": "code",
    "决策名称": "title",
    "规则": "profile",
    "决策机关": "decision_body",
    "承办单位": "lead_unit",
    "决策类别": "category",
    "普遍影响": "broad_impact",
    "决策日期": "decided_on",
    "实施起始日": "starts_on",
    "实施终止日": "ends_on",
    "执行进度": "progress_percent",
    "涉及财政资金": "uses_fiscal_funds",
    "上级组织评估": "superior_evaluates",
    "社会关注度": "public_attention",
    "最近评估类型": "last_evaluation_type",
    "最近评估完成日": "last_evaluation_on",
    "协助上级评估": "assists_superior",
}
"""Chinese header of the catalog template -> CatalogRow field."""

_HEADER_OF = {name: header for header, name in CATALOG_COLUMNS.items()}
# Keyed by header; a whole-row problem (header None) is not in it and sorts last.
_COLUMN_ORDER: dict[str | None, int] = {header: position for position, header in enumerate(CATALOG_COLUMNS)}
_REQUIRED_FIELDS = frozenset({"code", "title", "profile", "decision_body", "lead_unit", "category", "starts_on"})
# Columns added after the template was first published: a catalog without them reads them as blank.
_OPTIONAL_HEADERS = frozenset({"协助上级评估"})

# A catalog may write a type's id, its Chinese name or another name its spreadsheets use (执行评估: SPEC §2).
_EVALUATION_TYPES: dict[str, str] = {
    name: spec.id.value for spec in EVALUATION_TYPES.values() for name in (spec.id, spec.name, *spec.aliases)
}
_YES_NO = {"是": True, "否": False, "": False}
_Attention = Literal["高", "中", "低"]
_ATTENTION_LEVELS = get_args(_Attention)

# The same separator on both sides, so "2024-08/30" is a typo, not a date.
_DATE_PATTERN = (
    r"^(?P<y>\d{4})\s*(?:(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
    # Exports from Excel or pandas often carry a midnight time; the date is what counts.
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_HINT = "请写成 2024-08-30、2024/08/30 或 2024年8月30日"
_PROGRESS_PATTERN = r"^(?P<n>[+-]?\d+)(?:\.0+)?\s*[%％]?$"


def _known_evaluation_type(value: str) -> str:
    if value not in EVALUATION_TYPE_NAMES:
        raise ValueError(f"未知的评估类型：{value}")
    return value


_NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_EvaluationType = Annotated[str, AfterValidator(_known_evaluation_type)]


class CatalogRow(BaseModel):
    """One decision of the catalog, validated; field names are the Decision table's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: _NonBlank
    title: _NonBlank
    profile: _NonBlank
    decision_body: _NonBlank
    lead_unit: _NonBlank
    category: _NonBlank
    broad_impact: bool = False
    decided_on: date | None = None
    starts_on: date
    ends_on: date | None = None
    progress_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    uses_fiscal_funds: bool = False
    superior_evaluates: bool = False
    assists_superior: bool = False
    public_attention: _Attention | None = None
    last_evaluation_type: _EvaluationType | None = None
    last_evaluation_on: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CatalogRow:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("实施终止日早于实施起始日")
        # The 12-month exemption (bazhou 16, changli 63) needs both the type and the date.
        if (self.last_evaluation_type is None) != (self.last_evaluation_on is None):
            raise ValueError("最近评估类型与最近评估完成日须同时填写或同时留空")
        return self


@dataclass
class CatalogParse:
    """What read_catalog found: the good rows, and every problem of the bad ones."""

    rows: list[CatalogRow]
    problems: list[Problem]
    bad_rows: list[int]
    total_rows: int


def read_catalog(path: Path, known_profiles: Iterable[str]) -> CatalogParse:
    """Read and validate a catalog file; every bad row is reported, none is silently dropped."""
    path = Path(path)
    header_row, header, records = _read_grid(path)
    _check_header(path, header)
    numbers = [number for number, _ in records]
    if not numbers:
        raise InputFileError(f"目录文件“{path.name}”只有表头（第 {header_row} 行），没有决策事项", path=path)
    width = len(header)
    frame = pd.DataFrame([(cells + [""] * width)[:width] for _, cells in records], columns=header, dtype=object)
    for optional in _OPTIONAL_HEADERS - set(header):
        frame[optional] = ""

    parsers = _parsers(sorted(set(known_profiles)))
    values: dict[str, pd.Series] = {}
    errors: dict[str, pd.Series] = {}
    for header_name, name in CATALOG_COLUMNS.items():
        raw = frame[header_name]
        values[name], errors[name] = parsers.get(name, _parse_text)(raw)
        if name in _REQUIRED_FIELDS:
            errors[name] = errors[name].mask(raw == "", "必须填写")

    found: list[tuple[int, str | None, str]] = [
        (index, _HEADER_OF[name], reason)
        for name, column_errors in errors.items()
        for index, reason in column_errors.dropna().items()
    ]
    found += _dates_out_of_order(values)
    found += _unpaired_evaluation(frame)
    found += _duplicate_codes(values["code"], numbers)
    found += [
        (index, None, reason) for index, (_, cells) in enumerate(records) if (reason := _unheaded_cells(header, cells))
    ]
    # In the order the operator reads the sheet: by row, then left to right; whole-row ones last.
    found.sort(key=lambda item: (item[0], _COLUMN_ORDER.get(item[1], len(_COLUMN_ORDER))))

    bad = {index for index, _, _ in found}
    fields = list(CATALOG_COLUMNS.values())
    rows = [
        CatalogRow(**dict(zip(fields, cells, strict=True)))
        for index, *cells in zip(frame.index, *(values[name] for name in fields), strict=True)
        if index not in bad
    ]
    return CatalogParse(
        rows=rows,
        problems=[Problem(reason, numbers[index], column) for index, column, reason in found],
        bad_rows=[numbers[index] for index in sorted(bad)],
        total_rows=len(frame),
    )


# --- reading the file into (row number, stripped cells) --------------------------------------


def _read_grid(path: Path) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header row number, header cells, and the non-blank data rows with their row numbers."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv_rows(path)
    elif suffix == ".xlsx":
        grid = _xlsx_rows(path)
    else:
        raise InputFileError(
            f"不支持的目录文件类型“{suffix or path.name}”：请提供 .csv 或 .xlsx 文件"
            "（旧版 .xls 请在 Excel 中另存为 .xlsx）",
            path=path,
        )
    # Row numbers count every line, blank ones too, so they match what the operator sees.
    rows = [(number, cells) for number, cells in enumerate(grid, start=1) if any(cells)]
    if not rows:
        raise InputFileError(f"目录文件“{path.name}”是空的", path=path)
    (header_row, header), *records = rows
    return header_row, header, records


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"找不到目录文件“{path.name}”，请检查文件路径：{path}", path=path) from None
    except OSError as exc:
        raise InputFileError(f"无法读取目录文件“{path.name}”：{exc.strerror or exc}", path=path) from exc
    text = _decode(path, data)
    try:
        return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputFileError(f"目录文件“{path.name}”不是有效的 CSV：{exc}", path=path) from exc


def _decode(path: Path, data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; GB18030 is its superset, so it reads GBK too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"无法识别目录文件“{path.name}”的编码：请另存为 UTF-8 或 GBK 编码的 CSV", path=path)


def _xlsx_rows(path: Path) -> list[list[str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise InputFileError(f"无法读取目录文件“{path.name}”：不是有效的 .xlsx 文件（{exc}）", path=path) from exc
    try:
        # Cells, not values: a percentage cell holds 0.55 and only its format says "55%".
        return [[_cell_text(cell) for cell in row] for row in workbook.worksheets[0].iter_rows(min_row=1)]
    finally:
        workbook.close()


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        if "%" in (cell.number_format or ""):
            value = round(value * 100, 9)
            return f"{int(value) if float(value).is_integer() else value}%"
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def _check_header(path: Path, header: list[str]) -> None:
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:
            seen.setdefault(name, []).append(position)
    repeated = {name: positions for name, positions in seen.items() if len(positions) > 1}
    if repeated:
        listed = "；".join(
            f"“{name}”出现在第 {'、'.join(map(str, positions))} 列" for name, positions in repeated.items()
        )
        raise InputFileError(f"目录文件“{path.name}”的表头重复：{listed}", path=path)
    missing = [name for name in CATALOG_COLUMNS if name not in seen and name not in _OPTIONAL_HEADERS]
    if missing:
        raise InputFileError(
            f"目录文件“{path.name}”缺少列：{'、'.join(missing)}。"
            f"文件中的表头是：{'、'.join(seen) or '（无）'}；请按目录模板填写表头",
            path=path,
            missing=missing,
        )


def _unheaded_cells(header: list[str], cells: list[str]) -> str | None:
    """Why a row has values no header names (None if it has none): they would be lost."""
    columns = [
        str(position)
        for position, cell in enumerate(cells, start=1)
        if cell and (position > len(header) or not header[position - 1])
    ]
    if not columns:
        return None
    return f"第 {'、'.join(columns)} 列有内容但没有表头（名称里的逗号是否漏了引号？），请删去多余内容或补上表头"


# --- parsing columns (vectorised over the whole column) --------------------------------------

_Parsed = tuple[pd.Series, pd.Series]  # values (None where blank), reasons (None where fine)


def _nones(raw: pd.Series) -> pd.Series:
    # Spelled out: pd.Series(None, dtype=object) would hold NaN, which is neither None nor a value.
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _parse_text(raw: pd.Series) -> _Parsed:
    return raw.where(raw != "", None), _nones(raw)


def _parse_choice(raw: pd.Series, allowed: dict[str, Any], reason: Callable[[pd.Series], pd.Series]) -> _Parsed:
    """Map each cell through `allowed`; cells not in it get `reason(bad cells)`."""
    values = raw.map(allowed)
    unknown = values.isna() & (raw != "")
    errors = _nones(raw)
    errors[unknown] = reason(raw[unknown])
    return values.astype(object).where(~values.isna(), None), errors


def _parse_yes_no(raw: pd.Series) -> _Parsed:
    return _parse_choice(raw, _YES_NO, lambda bad: "应填“是”或“否”（留空视为“否”），实际为“" + bad + "”")


def _parse_attention(raw: pd.Series) -> _Parsed:
    return _parse_choice(
        raw,
        {level: level for level in _ATTENTION_LEVELS},
        lambda bad: "应填“高”“中”“低”之一或留空，实际为“" + bad + "”",
    )


def _parse_evaluation_type(raw: pd.Series) -> _Parsed:
    specs = EVALUATION_TYPES.values()
    known = "、".join([*(s.name for s in specs), *(a for s in specs for a in s.aliases), *EVALUATION_TYPES])
    return _parse_choice(
        raw.str.lower(),
        _EVALUATION_TYPES,
        lambda bad: "未知的评估类型“" + raw[bad.index] + f"”，可填：{known}",
    )


def _profile_parser(known: list[str]) -> Callable[[pd.Series], _Parsed]:
    listed = "、".join(known) or "（无）"
    return lambda raw: _parse_choice(
        raw, {profile: profile for profile in known}, lambda bad: "未知的规则“" + bad + f"”，可用的规则：{listed}"
    )


def _parse_progress(raw: pd.Series) -> _Parsed:
    number = pd.to_numeric(raw.str.extract(_PROGRESS_PATTERN)["n"], errors="coerce")
    errors = _nones(raw)
    malformed = number.isna() & (raw != "")
    errors[malformed] = "应为 0 到 100 的整数（可带 %），实际为“" + raw[malformed] + "”"
    outside = number.notna() & ((number < 0) | (number > 100))
    errors[outside] = "应在 0 到 100 之间，实际为“" + raw[outside] + "”"
    fine = number.notna() & ~outside
    values = _nones(raw)
    values[fine] = [int(n) for n in number[fine]]
    return values, errors


def _parse_dates(raw: pd.Series) -> _Parsed:
    parts = raw.str.extract(_DATE_PATTERN)
    matched = parts["y"].notna()
    month = parts["m"].fillna(parts["m2"]).str.zfill(2)
    day = parts["d"].fillna(parts["d2"]).str.zfill(2)
    iso = parts["y"] + "-" + month + "-" + day
    stamps = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    errors = _nones(raw)
    malformed = ~matched & (raw != "")
    errors[malformed] = "日期格式无法识别：“" + raw[malformed] + f"”，{_DATE_HINT}"
    impossible = matched & stamps.isna()
    errors[impossible] = "日期不存在：“" + raw[impossible] + "”"
    values = _nones(raw)
    values[stamps.notna()] = stamps[stamps.notna()].dt.date
    return values, errors


def _parsers(known_profiles: list[str]) -> dict[str, Callable[[pd.Series], _Parsed]]:
    return {
        "profile": _profile_parser(known_profiles),
        "broad_impact": _parse_yes_no,
        "uses_fiscal_funds": _parse_yes_no,
        "superior_evaluates": _parse_yes_no,
        "assists_superior": _parse_yes_no,
        "decided_on": _parse_dates,
        "starts_on": _parse_dates,
        "ends_on": _parse_dates,
        "last_evaluation_on": _parse_dates,
        "progress_percent": _parse_progress,
        "public_attention": _parse_attention,
        "last_evaluation_type": _parse_evaluation_type,
    }


# --- checks across columns and rows ----------------------------------------------------------


def _dates_out_of_order(values: dict[str, pd.Series]) -> list[tuple[int, str, str]]:
    return [
        (index, "实施终止日", f"实施终止日 {ends} 早于实施起始日 {starts}")
        for index, starts, ends in zip(values["starts_on"].index, values["starts_on"], values["ends_on"], strict=True)
        if starts is not None and ends is not None and ends < starts
    ]


def _unpaired_evaluation(frame: pd.DataFrame) -> list[tuple[int, str, str]]:
    # Judged on what was written, so a misspelt type is not also reported as missing.
    typed = frame["最近评估类型"] != ""
    dated = frame["最近评估完成日"] != ""
    undated = [
        (index, "最近评估完成日", "填写了最近评估类型，也须填写最近评估完成日") for index in frame.index[typed & ~dated]
    ]
    untyped = [
        (index, "最近评估类型", "填写了最近评估完成日，也须填写最近评估类型") for index in frame.index[dated & ~typed]
    ]
    return undated + untyped


def _duplicate_codes(codes: pd.Series, numbers: list[int]) -> list[tuple[int, str, str]]:
    present = codes.dropna()
    repeated = present.duplicated(keep="first")
    first_row = {code: numbers[index] for index, code in present[~repeated].items()}
    return [(index, "编号", f"编号“{code}”与第 {first_row[code]} 行重复") for index, code in present[repeated].items()]
