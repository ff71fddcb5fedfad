"""Tables as an Excel workbook an office filters, sorts and prints: one sheet per table, Chinese headers in a
frozen first row with an autofilter, dates as real Excel dates (yyyy-mm-dd), the rows that need attention
(逾期) filled, every column's width set. Written with openpyxl in streaming (write-only) mode, so ten thousand
rows take about a second and little memory."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HIGHLIGHT = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")  # Excel's light red
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)

Value = str | int | float | date | None


@dataclass(frozen=True)
class Column:
    """A column: its header and its width in Excel's character units."""

    header: str
    width: float = 12


@dataclass(frozen=True)
class Sheet:
    """One table: the sheet's name (at most 31 characters), its columns, its rows, and which rows to fill."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    highlighted: Sequence[bool] = field(default_factory=tuple)  # parallel to rows; missing: not filled


def _cell(sheet: WriteOnlyWorksheet, value: Value, fill: PatternFill | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if fill is not None:
        cell.fill = fill
    return cell


def workbook_bytes(sheets: Sequence[Sheet], *, title: str = "", subject: str = "") -> bytes:
    """The sheets as one .xlsx file's bytes (title and subject go into the file's properties)."""
    book = Workbook(write_only=True)
    book.properties.title, book.properties.subject = title or None, subject or None
    for table in sheets:
        sheet = book.create_sheet(title=table.title[:31])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(table.columns), 1))}{len(table.rows) + 1}"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            header.append(cell)
        sheet.append(header)
        marks = list(table.highlighted) + [False] * (len(table.rows) - len(table.highlighted))
        for row, marked in zip(table.rows, marks, strict=True):
            fill = HIGHLIGHT if marked else None
            sheet.append([_cell(sheet, value, fill) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
