"""Reading a small operator table (CSV in UTF-8/GBK, or the first sheet of an XLSX) as text cells."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pinggu.core.errors import InputFileError, Problem


def read_grid(path: Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (row 1) and the non-blank data rows with their spreadsheet row numbers."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputFileError(
            f"不支持的{what}文件类型“{path.suffix or path.name}”：请提供 .csv 或 .xlsx 文件", path=str(path)
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"找不到{what}“{path.name}”，请检查文件路径：{path}", path=str(path)) from None
    except OSError as exc:
        raise InputFileError(f"无法读取{what}“{path.name}”：{exc.strerror or exc}", path=str(path)) from None
    grid = _csv_grid(path, data, what) if suffix == ".csv" else _xlsx_grid(path, data, what)
    if not grid or not any(grid[0]):
        raise InputFileError(f"{what}“{path.name}”的第 1 行（表头）是空的；第 1 行应为列名", path=str(path))
    rows = [(number, cells) for number, cells in enumerate(grid[1:], start=2) if any(cells)]
    return grid[0], rows


def _csv_grid(path: Path, data: bytes, what: str) -> list[list[str]]:
    if data.startswith(b"PK\x03\x04"):
        raise InputFileError(f"“{path.name}”实际上是 Excel 文件，请把扩展名改为 .xlsx", path=str(path))
    text = decoded_text(data)
    if text is None:
        raise InputFileError(f"无法识别{what}“{path.name}”的编码：请另存为 UTF-8 或 GBK 编码的 CSV", path=str(path))
    try:
        return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputFileError(f"{what}“{path.name}”不是有效的 CSV：{exc}", path=str(path)) from None


def decoded_text(data: bytes) -> str | None:
    """Text an office wrote, in UTF-8 (with or without BOM) or GBK/GB18030; None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _xlsx_grid(path: Path, data: bytes, what: str) -> list[list[str]]:
    import warnings

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [[_cell_text(value) for value in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, IndexError):
        raise InputFileError(f"无法打开{what}“{path.name}”：不是有效的 .xlsx 文件", path=str(path)) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def locate_columns(
    path: Path,
    header: list[str],
    columns: dict[str, tuple[str, ...]],
    *,
    what: str,
    expected: str,
    optional: tuple[str, ...] = (),
) -> dict[str, int]:
    """Position of each named column in the header row, by any of its accepted spellings (spaces
    ignored); a missing (unless optional) or repeated column refuses the file, naming each problem."""
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    cleaned = [re.sub(r"\s+", "", cell) for cell in header]
    for name, spellings in columns.items():
        found = [pos for pos, cell in enumerate(cleaned) if cell in spellings]
        if len(found) > 1:
            problems.append(
                Problem(f"“{name}”列出现了 {len(found)} 次（第 {'、'.join(str(p + 1) for p in found)} 列）", 1, name)
            )
        elif found:
            positions[name] = found[0]
        elif name not in optional:
            problems.append(Problem(f"缺少“{name}”列", 1, name))
    if problems:
        shown = "、".join(cell for cell in header if cell) or "（无）"
        raise InputFileError(
            f"{what}“{path.name}”的表头有误（文件中的表头：{shown}）；第 1 行应为 {expected}：",
            problems=problems,
            path=str(path),
        )
    return positions


# A cell starting with one of these is run as a formula when an office opens the CSV in Excel or WPS
# (OWASP "CSV injection": =cmd|'/C calc'!A0). A leading apostrophe makes Excel show it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> object:
    """A text cell Excel shows but never runs: text starting with = + - @ (or a tab/CR) gets a leading
    apostrophe; numbers and other text are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
