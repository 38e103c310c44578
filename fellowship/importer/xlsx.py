"""Reading the worksheets of an .xlsx workbook part by part, with an incremental XML parser."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from .cells import CellError
from .report import Problem
from .sources import Budget, Counted, RawTable, TooMuch, check_declared

MAX_COLUMNS = 16_384  # Excel's widest sheet (column XFD)
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BUILTIN_DATE_FORMATS = {
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    45,
    46,
    47,
    50,
    51,
    52,
    53,
    54,
    55,
    56,
    57,
    58,
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id in either OOXML dialect)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Workbook:
    """The parts of one .xlsx needed to read its sheets; every part is read through the budget."""

    def __init__(self, archive: zipfile.ZipFile, file: str, budget: Budget) -> None:
        self.archive, self.file, self.budget = archive, file, budget

    def open(self, part: str, table: str = ""):
        try:
            info = self.archive.getinfo(part)
        except KeyError:
            raise _Malformed(f"the part {part} is missing") from None
        return io.BufferedReader(Counted(self.archive.open(info), self.budget, self.file, table))

    def has(self, part: str) -> bool:
        try:
            self.archive.getinfo(part)
        except KeyError:
            return False
        return True

    def events(self, part: str, table: str = "", events=("end",)):
        from defusedxml.ElementTree import iterparse

        with self.open(part, table) as stream:
            yield from iterparse(stream, events=events, forbid_dtd=True)

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) for `part`."""
        folder = PurePosixPath(part).parent
        rels = str(folder / "_rels" / (PurePosixPath(part).name + ".rels"))
        if not self.has(rels):
            return {}
        found = {}
        for _, element in self.events(rels):
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                if element.get("TargetMode") == "External":
                    continue
                resolved = (
                    target.lstrip("/") if target.startswith("/") else _normalise(folder / target)
                )
                found[element.get("Id", "")] = (element.get("Type", ""), resolved)
        return found


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


class _Malformed(Exception):
    pass


def xlsx_tables(
    stream: BinaryIO, file: str, budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        problems.append(
            Problem("", None, None, "is not a readable Excel workbook (.xlsx)", file=file)
        )
        return
    with archive:
        try:
            check_declared(archive.infolist(), file, budget)
            book = _Workbook(archive, file, budget)
            main = next(
                (
                    target
                    for kind, target in book.relationships("").values()
                    if kind.endswith("/officeDocument")
                ),
                "xl/workbook.xml",
            )
            sheets, date1904 = [], False
            for _, element in book.events(main):
                tag = _local(element.tag)
                if tag == "sheet":
                    sheets.append((element.get("name", ""), _attr(element, "id") or ""))
                elif tag == "workbookPr":
                    date1904 = element.get("date1904", "0").lower() in ("1", "true")
            rels = book.relationships(main)
            shared = _shared_strings(book, rels)
            dates = _date_styles(book, rels)
        except TooMuch:
            raise
        except (
            _Malformed,
            ParseError,
            DefusedXmlException,
            KeyError,
            ValueError,
            zipfile.BadZipFile,
            EOFError,
            OSError,
        ) as exc:
            problems.append(
                Problem(
                    "",
                    None,
                    None,
                    f"is not a readable Excel workbook: {_malformed(exc)}",
                    file=file,
                )
            )
            return
        for title, rel_id in sheets:
            table = title.strip().lower()
            kind, part = rels.get(rel_id, ("", ""))
            if not kind.endswith("/worksheet"):
                continue  # chart sheets and dialog sheets hold no table
            yield from _sheet(book, part, title, table, shared, dates, date1904, problems)


def _malformed(exc: Exception) -> str:
    if isinstance(exc, _Malformed):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"the part {exc.args[0] if exc.args else ''} is missing"
    if isinstance(exc, zipfile.BadZipFile | EOFError | OSError):
        return "a part of it is damaged"
    return f"a part of it is not well-formed XML ({type(exc).__name__})"


def _unreadable() -> tuple[type[BaseException], ...]:
    """What reading a worksheet raises when its parts are malformed (not when a cap is reached)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    return (
        _Malformed,
        ParseError,
        DefusedXmlException,
        ValueError,
        zipfile.BadZipFile,
        EOFError,
        OSError,
    )


def _unreadable_sheet(table: str, book, exc: BaseException) -> Problem:
    message = f"the worksheet is not readable: {_malformed(exc)}"
    return Problem(table, None, None, message, file=book.file)


def _sheet(book, part, title, table, shared, dates, date1904, problems) -> Iterator[RawTable]:
    rows = _sheet_rows(book, part, table, shared, dates, date1904)
    try:
        first = next(rows, None)
    except TooMuch:
        raise
    except _unreadable() as exc:
        problems.append(_unreadable_sheet(table, book, exc))
        return
    header_row, header = first if first else (1, [])

    def rest() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from rows
        except TooMuch:
            raise
        except _unreadable() as exc:
            problems.append(_unreadable_sheet(table, book, exc))

    if header_row != 1:
        problems.append(
            Problem(table, header_row, None, "the header must be on row 1", file=book.file)
        )
    yield RawTable(table, book.file, f"{title} (sheet)", [str(h) for h in header], rest())


def _shared_strings(book: _Workbook, rels: dict) -> list[str]:
    part = next((target for kind, target in rels.values() if kind.endswith("/sharedStrings")), None)
    if not part or not book.has(part):
        return []
    strings: list[str] = []
    pieces: list[str] = []
    skip = 0
    for event, element in book.events(part, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag in ("rPh", "phoneticPr"):
                skip += 1
            continue
        if tag in ("rPh", "phoneticPr"):
            skip -= 1
        elif tag == "t" and not skip:
            pieces.append(element.text or "")
        elif tag == "si":
            strings.append("".join(pieces))
            pieces = []
            element.clear()
    return strings


def _date_styles(book: _Workbook, rels: dict) -> set[int]:
    """Indexes of the cell styles that show a number as a date (Excel stores dates as numbers)."""
    from openpyxl.styles.numbers import is_date_format

    part = next((target for kind, target in rels.values() if kind.endswith("/styles")), None)
    if not part or not book.has(part):
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = False
    for event, element in book.events(part, events=("start", "end")):
        tag = _local(element.tag)
        if tag == "cellXfs":
            in_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif event == "end" and tag == "xf" and in_xfs:
            formats.append(int(element.get("numFmtId", "0")))
    return {
        index
        for index, fmt in enumerate(formats)
        if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt]))
    }


def _column_index(reference: str) -> int:
    letters = re.match(r"[A-Za-z]{1,3}", reference)
    if not letters:
        raise _Malformed(f"the cell reference {reference[:20]!r} is not valid")
    index = 0
    for ch in letters.group(0).upper():
        index = index * 26 + (ord(ch) - 64)
    if index > MAX_COLUMNS:
        raise _Malformed(f"the cell reference {reference[:20]!r} is beyond the last column")
    return index - 1


def _sheet_rows(book, part, table, shared, dates, date1904) -> Iterator[tuple[int, list[Any]]]:
    row_number = 0
    cells: dict[int, Any] = {}
    next_column = 0
    parent = None
    for event, element in book.events(part, table, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                parent = element
            elif tag == "row":
                given = element.get("r")
                row_number = int(given) if given and given.isdigit() else row_number + 1
                cells, next_column = {}, 0
            continue
        if tag == "c":
            reference = element.get("r")
            column = _column_index(reference) if reference else next_column
            next_column = column + 1
            cells[column] = _cell_value(element, shared, dates, date1904)
        elif tag == "row":
            width = max(cells) + 1 if cells else 0
            yield row_number, [cells.get(i, "") for i in range(width)]
            if parent is not None:
                parent.remove(element)  # keep memory flat: the parser holds one row at a time
            else:
                element.clear()


def _cell_value(element, shared: list[str], dates: set[int], date1904: bool) -> Any:
    kind = element.get("t", "n")
    value = None
    inline: list[str] = []
    for child in element.iter():
        tag = _local(child.tag)
        if tag == "v":
            value = child.text or ""
        elif tag == "t":
            inline.append(child.text or "")
    if kind == "inlineStr":
        return "".join(inline)
    if value is None:
        return ""
    if kind == "s":
        try:
            return shared[int(value)]
        except (ValueError, IndexError):
            return CellError("refers to text the workbook does not hold (a damaged cell)")
    if kind in ("str", "d"):
        return value[:10] if kind == "d" and value.endswith("T00:00:00") else value
    if kind == "b":
        return "yes" if value.strip() in ("1", "true") else "no"
    if kind == "e":
        return CellError(f"holds the spreadsheet error {value[:20]}")
    return _number(value, element.get("s"), dates, date1904)


def _number(value: str, style: str | None, dates: set[int], date1904: bool) -> str:
    value = value.strip()
    if re.fullmatch(r"[+-]?\d+", value):
        if style and style.isdigit() and int(style) in dates and len(value) < 8:
            return _excel_date(float(value), date1904) or value
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if style and style.isdigit() and int(style) in dates:
        return _excel_date(number, date1904) or value
    if number.is_integer() and abs(number) < 1e300:
        return str(int(number))
    return value


def _excel_date(serial: float, date1904: bool) -> str | None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    try:
        moment = from_excel(serial, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    except (ValueError, OverflowError, TypeError):
        return None
    if isinstance(moment, datetime):
        return (
            moment.date().isoformat()
            if moment.time() == datetime.min.time()
            else moment.isoformat()
        )
    if isinstance(moment, date):
        return moment.isoformat()
    return None
