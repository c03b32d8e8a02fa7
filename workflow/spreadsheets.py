"""Lists as .xlsx: one way to write a sheet people can filter, print and send on.

Every list view (inbox, nominations, a decision's list, a campaign's results, a trail) is
exported through ``table_workbook`` so they all look the same in Excel.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflow.clock import VIETNAM

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
DATE_FORMAT = "DD/MM/YYYY"
WIDEST = 60  # characters: a longer cell wraps inside a column this wide
WRAPPED = Alignment(wrap_text=True, vertical="top")
# Excel refuses to open a file with control characters in a cell.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: list[str] = field(default_factory=list)  # title lines above the header row


def cell_value(value: Any) -> Any:
    """What a cell may hold: NFC text (so Vietnamese sorts and searches the same everywhere),
    numbers, dates; formulas are neutralised because exported text comes from users."""
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return value.astimezone(VIETNAM).replace(tzinfo=None) if value.tzinfo else value
    if value is None or isinstance(value, bool | int | Decimal | date):
        return value
    text = unicodedata.normalize("NFC", str(value)).translate(_CONTROL)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_sheet(ws: Worksheet, sheet: Sheet) -> int:
    """Fill ``ws``; return the row number of the header (data follows it)."""
    ws.title = sheet.title[:31]
    for line in sheet.caption:
        ws.append([cell_value(line)])
        ws.cell(ws.max_row, 1).font = HEADER_FONT
    if sheet.caption:
        ws.append([])
    ws.append([cell_value(h) for h in sheet.headers])
    header_row = ws.max_row
    for col in range(1, len(sheet.headers) + 1):
        cell = ws.cell(header_row, col)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [len(h) for h in sheet.headers]
    for row in sheet.rows:
        ws.append([cell_value(v) for v in row])
        for i, value in enumerate(row[: len(widths)]):
            length = len(str(value or ""))
            widths[i] = max(widths[i], min(length, WIDEST))
            if isinstance(value, date):
                ws.cell(ws.max_row, i + 1).number_format = DATE_FORMAT
            elif length > WIDEST:  # a rule's reasons, an error list: read whole, not cut off
                ws.cell(ws.max_row, i + 1).alignment = WRAPPED
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, width + 2)
    ws.freeze_panes = f"A{header_row + 1}"
    if sheet.rows:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.headers))}{ws.max_row}"
    return header_row


def fill_in_rows(ws: Worksheet, rows: range, pick: Mapping[int, str], text: Sequence[int]) -> None:
    """A template's rows to fill in: the columns of ``pick`` (1-based) offer a list (a
    formula: quoted words, or a range of another sheet), those of ``text`` keep what is typed
    as text (Excel would turn the id "001185000001" into 1185000001, a date into a number)."""
    for column, formula in pick.items():
        letter = get_column_letter(column)
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        rule.add(f"{letter}{rows.start}:{letter}{rows.stop - 1}")
        ws.add_data_validation(rule)
    for column in text:
        letter = get_column_letter(column)
        for row in rows:
            ws[f"{letter}{row}"].number_format = "@"


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_workbook(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    for i, sheet in enumerate(sheets):
        write_sheet(wb.active if i == 0 else wb.create_sheet(), sheet)  # type: ignore[arg-type]
    return workbook_bytes(wb)
