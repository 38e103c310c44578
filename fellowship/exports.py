"""Every CSV file and XLSX workbook the service writes is made here, so that none can run a formula.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula (and Excel
also one that starts with a tab or a carriage return, or with blanks before one of those): a
person who types `=HYPERLINK("http://evil", "Click")` as their name or a portfolio title would
otherwise plant a live link, or worse, in the file faculty or a funder opens ("CSV injection",
OWASP). `safe_cell` puts a single quote before such text, so it shows as typed and never runs.

In a workbook, every text cell is also written as a string cell (`data_type "s"`), never as a
formula, whatever it starts with, and characters a workbook cannot hold (control characters a
pasted text may carry) are dropped instead of failing the download. Numbers, dates and times are
left as they are, so they still sum, sort and format.

Use `csv_bytes` / `xlsx_bytes` for plain tables, `csv_response` / `xlsx_response` to send one,
and `append_row` to fill a formatted openpyxl workbook (the benefits report's). openpyxl is
imported inside the functions that need it, as it is slow to import.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from .uploads import bytes_download

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet program runs as a formula when a cell starts with it (OWASP's list, and the
# full-width forms that some East Asian versions of Excel also read as operators).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Blanks and control characters that Excel and LibreOffice skip before deciding that a cell is a
# formula; the check looks past them.
_LEADING = "".join(chr(c) for c in range(33)) + "\u00a0\u3000"
# Characters the XLSX format cannot hold (openpyxl refuses them): control characters other than
# tab, line feed and carriage return.
_NOT_IN_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")
# How a date and time appear in a CSV file (a workbook keeps them as dates).
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"

Row = Sequence[Any]


def safe_cell(value: Any) -> Any:
    """`value` for a spreadsheet cell: text a spreadsheet would run is prefixed with `'`.

    Anything that is not text (numbers, dates, None) is returned unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_START) or value.lstrip(_LEADING).startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(rows: Iterable[Row], *, bom: bool = False) -> bytes:
    """The rows (the header first) as a UTF-8 CSV file, every cell made safe.

    `bom` starts the file with a byte-order mark, so that Excel reads it as UTF-8.
    """
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return out.getvalue().encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return safe_cell(_NOT_IN_XLSX.sub("", value))
    return value


def _cells(sheet, values: Row) -> list:
    """openpyxl cells for `values`, text forced to string cells."""
    from openpyxl.cell import Cell

    cells = []
    for value in values:
        # The sheet places the cell when it is appended (as openpyxl's WriteOnlyCell does).
        cell = Cell(sheet, row=1, column=1, value=_xlsx_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f" (formula) or "e" (an error such as #N/A)
        cells.append(cell)
    return cells


def append_row(sheet, values: Row) -> None:
    """Append `values` to an openpyxl worksheet (normal or write-only), every text a string cell."""
    sheet.append(_cells(sheet, values))


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Row]]]) -> bytes:
    """A workbook with a sheet per (name, rows), the header first; names are cut to 31 characters."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in sheets:
        sheet = book.create_sheet(name[:31])
        for row in rows:
            append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_response(rows: Iterable[Row], *, filename: str, bom: bool = True) -> HttpResponse:
    """The rows as a CSV download named `filename`."""
    return bytes_download(
        csv_bytes(rows, bom=bom), filename=filename, content_type=CSV_CONTENT_TYPE
    )


def xlsx_response(sheets: Iterable[tuple[str, Iterable[Row]]], *, filename: str) -> HttpResponse:
    """The sheets as an XLSX download named `filename`."""
    return bytes_download(xlsx_bytes(sheets), filename=filename, content_type=XLSX_CONTENT_TYPE)
