"""The programme-history import: the framework every app registers its tables with.

A table is a named set of columns, each with a parser that turns a cell into a value or raises
`CellError`. The import runs in three passes, and nothing is written until the first two pass:

1. Read and parse every table of every file, streaming (CSV through a text wrapper, each
   worksheet's XML through an incremental parser), counting decompressed bytes and rows against
   the caps in settings (`HISTORY_IMPORT_MAX_BYTES`, `HISTORY_IMPORT_MAX_ROWS`).
2. Check keys (a `ref` or cohort `number` twice in one table names both rows), references to
   other tables (resolved in the same import or the database, one query per target table) and
   each table's own rules.
3. Write the tables in dependency order inside one transaction, in bulk: existing rows are
   fetched by key once per table, new ones created with `bulk_create` and changed ones saved with
   `bulk_update`, so the number of queries does not grow with the number of rows.

Problems are reported as `TABLE row N, column C: message`, where N is the spreadsheet row (the
header is row 1). A dry run does the writing inside the transaction and rolls it back, so it
counts exactly what an import would create, update and leave unchanged; the `fingerprint` of
the rows it read lets a later import refuse if the database changed in between.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, NamedTuple

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

MAX_REPORTED_PROBLEMS = 50
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_COLUMNS = 16_384  # Excel's widest sheet (column XFD)
SMALL_INT_MAX = 32_767  # PostgreSQL smallint: cohort numbers
LOOKUP_CHUNK = 10_000  # keys per `__in` query (SQLite allows 32,766 parameters)
UPDATE_BATCH = 1_000


class CellError(ValueError):
    """A cell's value is not acceptable; the message is shown to the person importing."""


@dataclass(frozen=True)
class Problem:
    table: str
    row: int | None
    column: str | None
    message: str
    file: str = ""  # set for problems with the file itself (too large, malformed)

    def __str__(self) -> str:
        where = self.table
        if self.file and self.file != self.table:
            where = f"{self.file}, {self.table}" if self.table else self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The import was refused; `problems` lists every reason (the database is unchanged)."""

    def __init__(self, problems: list[Problem], *, skipped: list[str] | None = None) -> None:
        super().__init__("\n".join(str(p) for p in problems[:MAX_REPORTED_PROBLEMS]))
        self.problems = problems
        self.skipped = skipped or []

    @property
    def messages(self) -> list[str]:
        lines = [str(p) for p in self.problems[:MAX_REPORTED_PROBLEMS]]
        hidden = len(self.problems) - len(lines)
        if hidden > 0:
            lines.append(f"... and {hidden} more problems")
        return lines


class ImportChanged(Exception):
    """The database changed between the dry run that was previewed and the import (nothing written)."""


# Cell parsers ---------------------------------------------------------------------------------


def text(value: str) -> str:
    return value.strip()


def required_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise CellError("is required")
    return value


def whole_number(*, minimum: int = 1, maximum: int = SMALL_INT_MAX) -> Callable[[str], int]:
    """A whole number the database can hold (cohort numbers are small integers)."""

    def parse(value: str) -> int:
        value = value.strip()
        if not re.fullmatch(r"[+-]?\d+", value):
            raise CellError(f"must be a whole number, not {value[:40]!r}")
        if len(value.lstrip("+-0")) > len(str(maximum)) or int(value) > maximum:
            raise CellError(f"is too large to store: at most {maximum}")
        number = int(value)
        if number < minimum:
            raise CellError(f"must be {minimum} or more")
        return number

    return parse


positive_int = whole_number()


def iso_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(f"must be a date written as YYYY-MM-DD, not {value[:40]!r}") from None


def yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in {"yes", "y", "true", "1"}:
        return True
    if value in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"must be yes or no, not {value[:40]!r}")


def choice(choices: Iterable[str], *, blank: bool = False) -> Callable[[str], str]:
    allowed = list(choices)

    def parse(value: str) -> str:
        value = value.strip().lower()
        if not value and blank:
            return ""
        if value not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}, not {value[:40]!r}")
        return value

    return parse


def multi_choice(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """A `;`-separated multiple pick; blank means the question was not answered."""
    allowed = list(choices)

    def parse(value: str) -> list[str]:
        picks = [v.strip().lower() for v in value.split(";") if v.strip()]
        wrong = [p[:40] for p in picks if p not in allowed]
        if wrong:
            raise CellError(f"{', '.join(wrong)} not one of {', '.join(allowed)}")
        return list(dict.fromkeys(picks))

    return parse


def email_address(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = value.strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(
            f"must be an e-mail address such as name@example.nhs.uk, not {value[:60]!r}"
        ) from None
    return value


# Tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any] = text
    required: bool = False
    max_length: int | None = None  # the database column's size, checked before parsing


@dataclass(frozen=True)
class Reference:
    """`column` names a row of `table` by its key: it must be in the same import or the database."""

    column: str
    table: str


Rows = list[tuple[int, dict[str, Any]]]


@dataclass
class Table:
    """One table of the import: its columns, key, references, checks and bulk writer.

    `key` names the columns that identify a row (two rows with the same key are a problem);
    `noun` is what one row is called in messages ("fellow F-0101"); `existing(keys)` returns
    the keys already in the database (for references from other tables); `check(rows, ctx)`
    reports problems of the table's own rules before anything is written; `write(rows, ctx,
    report)` writes the rows in bulk and counts them with `report.created/updated/unchanged`.
    `after` names the tables that must be written first. `column_patterns` admits families of
    columns such as `achieved:THEME`, each a (regex, parser) pair.
    """

    name: str
    columns: list[Column]
    write: Callable[[Rows, WriteContext, TableReport], None]
    key: tuple[str, ...] = ()
    noun: str = ""
    references: tuple[Reference, ...] = ()
    existing: Callable[[set], set] | None = None
    check: Callable[[Rows, CheckContext], None] | None = None
    after: tuple[str, ...] = ()
    column_patterns: list[tuple[str, Callable[[str], Any]]] = field(default_factory=list)
    owner: str = ""

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        for pattern, parse in self.column_patterns:
            if re.fullmatch(pattern, name):
                return Column(name, parse)
        return None

    def key_of(self, values: dict[str, Any]) -> Hashable | None:
        if not self.key or values.get(self.key[0]) in (None, ""):
            return None
        return values[self.key[0]] if len(self.key) == 1 else tuple(values.get(k) for k in self.key)


_registry: dict[str, Table] = {}


def register(table: Table) -> Table:
    """Called from each app's history.py; a table name belongs to one app."""
    _registry[table.name] = table
    return table


def registered_tables() -> dict[str, Table]:
    return dict(_registry)


def write_order(names: Iterable[str]) -> list[str]:
    """Tables in an order where every table comes after those it names in `after`."""
    chosen = set(names)
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in ordered or name not in chosen:
            return
        if name in path:
            raise RuntimeError(f"history tables depend on each other in a loop: {path}")
        for before in _registry[name].after:
            visit(before, (*path, name))
        ordered.append(name)

    for name in sorted(chosen, key=lambda n: list(_registry).index(n)):
        visit(name)
    return ordered


@dataclass
class TableReport:
    table: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.table, row, column, message))

    def count(self, *, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1

    @property
    def line(self) -> str:
        return f"{self.table}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    tables: list[TableReport]
    dry_run: bool = False
    skipped: list[str] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def summary(self) -> list[str]:
        return [t.line for t in self.tables]


# Reading sources ------------------------------------------------------------------------------


class Source(NamedTuple):
    """A file to import: its name and how to open it (binary, read from the start)."""

    name: str
    open: Callable[[], BinaryIO]


def read_sources(files: Iterable[tuple[str, Any]]) -> list[Source]:
    """The files to import as `Source`s; accepts (name, bytes) pairs, (name, opener) pairs or Sources.

    Nothing is read here: reading streams each file during the import.
    """
    sources = []
    for name, data in files:
        if isinstance(data, bytes | bytearray):
            sources.append(Source(name, lambda data=bytes(data): io.BytesIO(data)))
        else:
            sources.append(Source(name, data))
    return sources


def path_source(path: Path) -> Source:
    return Source(path.name, lambda: path.open("rb"))


class TooMuch(Exception):
    """The import is over one of its caps; reading stops here."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Budget:
    """The decompressed bytes and data rows one import may read (settings caps)."""

    def __init__(self) -> None:
        self.max_bytes = int(getattr(settings, "HISTORY_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
        self.max_rows = int(getattr(settings, "HISTORY_IMPORT_MAX_ROWS", 200_000))
        self.bytes = 0
        self.rows = 0

    def take_bytes(self, count: int, file: str, table: str = "") -> None:
        self.bytes += count
        if self.bytes > self.max_bytes:
            raise TooMuch(Problem(table, None, None, self.bytes_message(), file=file))

    def bytes_message(self) -> str:
        return f"the files expand to more than {self.max_bytes:,} bytes when decompressed; nothing was read further"

    def take_row(self, file: str, table: str, row: int) -> None:
        self.rows += 1
        if self.rows > self.max_rows:
            message = (
                f"the import holds more than {self.max_rows:,} rows, the most it takes at once"
            )
            raise TooMuch(Problem(table, row, None, message, file=file))


class _Counted(io.RawIOBase):
    """A binary stream that counts what is read from it against the budget (declared sizes can lie)."""

    def __init__(self, stream: BinaryIO, budget: Budget, file: str, table: str = "") -> None:
        self._stream, self._budget, self._file, self._table = stream, budget, file, table

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        self._budget.take_bytes(len(data), self._file, self._table)
        buffer[: len(data)] = data
        return len(data)


@dataclass
class RawTable:
    """A table as read: its name (trimmed, lower case), where it came from, header and rows.

    `rows` yields (spreadsheet row number, cells) lazily while the file is open; a cell is a
    string, or a `CellError` for a cell the file itself marks as wrong (an #N/A).
    """

    name: str
    file: str
    label: str  # as named in the file: "Notes" sheet, "notes.csv"
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def _iter_tables(
    sources: list[Source], budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    for source in sources:
        lower = source.name.lower()
        try:
            if lower.endswith(".csv"):
                with source.open() as stream:
                    yield from _csv_tables(
                        stream, source.name, Path(source.name).stem, budget, problems
                    )
            elif lower.endswith(".xlsx"):
                with source.open() as stream:
                    yield from _xlsx_tables(stream, source.name, budget, problems)
            elif lower.endswith(".zip"):
                with source.open() as stream:
                    yield from _zip_tables(stream, source.name, budget, problems)
            else:
                problems.append(
                    Problem(
                        "",
                        None,
                        None,
                        "must be a .csv file, an .xlsx workbook or a .zip of CSV files",
                        file=source.name,
                    )
                )
        except TooMuch:
            raise
        except Exception as exc:
            logger.info("history import could not read %s: %r", source.name, exc)
            problems.append(
                Problem("", None, None, f"could not be read ({_describe(exc)})", file=source.name)
            )


def _describe(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "it is not a complete zip or .xlsx file"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text: save it as CSV UTF-8"
    return type(exc).__name__


def _zip_tables(
    stream: BinaryIO, name: str, budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    with zipfile.ZipFile(stream) as archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv")
            and not PurePosixPath(info.filename).name.startswith(".")
            and "__MACOSX" not in info.filename
        ]
        _check_declared(archive.infolist(), name, budget)
        for info in members:
            label = f"{name}/{info.filename}"
            with archive.open(info) as member:
                yield from _csv_tables(
                    member, label, PurePosixPath(info.filename).stem, budget, problems
                )


def _check_declared(infos: list[zipfile.ZipInfo], name: str, budget: Budget) -> None:
    declared = sum(info.file_size for info in infos)
    if budget.bytes + declared > budget.max_bytes:
        raise TooMuch(Problem("", None, None, budget.bytes_message(), file=name))


def _csv_tables(
    stream: BinaryIO, file: str, stem: str, budget: Budget, problems: list[Problem]
) -> Iterator[RawTable]:
    table = stem.strip().lower()
    buffered = io.BufferedReader(_Counted(stream, budget, file, table), buffer_size=64 * 1024)
    wrapper = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
    reader = csv.reader(wrapper)
    state = {"row": 1}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        while True:
            state["row"] += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = (
                    f"a cell is longer than {MAX_CELL_CHARS:,} characters"
                    if "field larger" in str(exc)
                    else f"is not readable as CSV ({exc})"
                )
                problems.append(Problem(table, state["row"], None, message, file=file))
                return
            except UnicodeDecodeError:
                problems.append(
                    Problem(
                        table,
                        None,
                        None,
                        "is not UTF-8 text: save the file as CSV UTF-8",
                        file=file,
                    )
                )
                return
            yield state["row"], cells

    try:
        header = next(reader, [])
    except csv.Error:
        problems.append(
            Problem(
                table,
                1,
                None,
                f"the header is not readable as CSV (a cell over {MAX_CELL_CHARS:,} characters?)",
                file=file,
            )
        )
        return
    except UnicodeDecodeError:
        problems.append(
            Problem(table, None, None, "is not UTF-8 text: save the file as CSV UTF-8", file=file)
        )
        return
    yield RawTable(table, file, Path(file).name, header, rows())


# XLSX, read part by part with an incremental XML parser -------------------------------------

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
        return io.BufferedReader(_Counted(self.archive.open(info), self.budget, self.file, table))

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


def _xlsx_tables(
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
            _check_declared(archive.infolist(), file, budget)
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


# Parsing ----------------------------------------------------------------------------------------


@dataclass
class ParsedTable:
    table: Table
    file: str
    rows: Rows = field(default_factory=list)  # rows with no problem of form
    numbers: list[int] = field(default_factory=list)  # every data row, good or bad
    keys: dict[Hashable, int] = field(default_factory=dict)  # key -> first row with it (any row)
    complete: bool = True  # header usable: the table's own checks can run


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_table(
    table: Table, raw: RawTable, problems: list[Problem], budget: Budget
) -> ParsedTable:
    parsed = ParsedTable(table, raw.file)
    names = [str(h).strip().lower() for h in raw.header]
    columns: list[Column | None] = []
    for index, name in enumerate(names):
        if not name:
            columns.append(None)  # no header: ignored unless a row has a value there
            continue
        column = table.column(name)
        if column is None:
            problems.append(Problem(table.name, 1, name[:60], "is not a column of this table"))
        elif name in names[:index]:
            problems.append(Problem(table.name, 1, name, "appears twice"))
            column = None
        columns.append(column)
    present = {c.name for c in columns if c is not None}
    for column in table.columns:
        if column.required and column.name not in present:
            problems.append(Problem(table.name, 1, column.name, "column is missing"))
            parsed.complete = False
    unnamed_reported: set[int] = set()
    for number, cells in raw.rows:
        if not any(isinstance(c, CellError) or str(c).strip() for c in cells):
            continue  # empty rows
        budget.take_row(raw.file, table.name, number)
        parsed.numbers.append(number)
        values: dict[str, Any] = {}
        ok = True
        for index in range(max(len(cells), len(columns))):
            raw_value = cells[index] if index < len(cells) else ""
            column = columns[index] if index < len(columns) else None
            if column is None:
                has_value = isinstance(raw_value, CellError) or str(raw_value).strip()
                if (
                    has_value
                    and (index >= len(names) or not names[index])
                    and index not in unnamed_reported
                ):
                    unnamed_reported.add(index)
                    problems.append(
                        Problem(
                            table.name,
                            number,
                            _letter(index),
                            "has a value but the column has no header",
                        )
                    )
                    ok = False
                continue
            if isinstance(raw_value, CellError):
                message: str | None = str(raw_value)
            else:
                raw_text = str(raw_value)
                message = _cell_limits(raw_text, column)
                if message is None and column.required and not raw_text.strip():
                    message = "is required"
                if message is None:
                    try:
                        values[column.name] = column.parse(raw_text)
                    except CellError as exc:
                        message = str(exc)
            if message is not None:
                problems.append(Problem(table.name, number, column.name, message))
                ok = False
        key = table.key_of(values)
        if key is not None:
            if key in parsed.keys:
                what = f"{table.noun} {_show_key(key)}" if table.noun else _show_key(key)
                problems.append(
                    Problem(
                        table.name,
                        number,
                        table.key[0],
                        f"{what} appears twice, in rows {parsed.keys[key]} and {number}",
                    )
                )
                ok = False
            else:
                parsed.keys[key] = number
        if ok:
            parsed.rows.append((number, values))
    return parsed


def _show_key(key: Hashable) -> str:
    if isinstance(key, tuple):
        return ", ".join(str(k) for k in key)
    return str(key)


def _cell_limits(raw: str, column: Column) -> str | None:
    if len(raw) > MAX_CELL_CHARS:
        return f"is longer than {MAX_CELL_CHARS:,} characters (Excel's limit for a cell)"
    if "\x00" in raw:
        return "contains a NUL character"
    if column.max_length is not None and len(raw.strip()) > column.max_length:
        return f"is longer than {column.max_length} characters"
    return None


# Checking ---------------------------------------------------------------------------------------


class CheckContext:
    """What a table's check may ask: the other tables of this import, and where to report."""

    def __init__(self, parsed: dict[str, ParsedTable], problems: list[Problem]) -> None:
        self.parsed = parsed
        self._problems = problems

    def problem(self, table: str, row: int | None, column: str | None, message: str) -> None:
        self._problems.append(Problem(table, row, column, message))

    def rows(self, table: str) -> Rows:
        return self.parsed[table].rows if table in self.parsed else []

    def imported(self, table: str) -> bool:
        return table in self.parsed


def _check_references(parsed: dict[str, ParsedTable], problems: list[Problem]) -> None:
    wanted: dict[str, set] = {}
    for item in parsed.values():
        for reference in item.table.references:
            if reference.table not in _registry:
                continue  # the app with that table is not installed
            for _, values in item.rows:
                value = values.get(reference.column)
                if value not in (None, ""):
                    wanted.setdefault(reference.table, set()).add(value)
    found: dict[str, set] = {}
    for target, values in wanted.items():
        in_import = set(parsed[target].keys) if target in parsed else set()
        missing = values - in_import
        existing = _registry[target].existing
        found[target] = in_import | (existing(missing) if missing and existing else set())
    for item in parsed.values():
        for reference in item.table.references:
            if reference.table not in _registry:
                continue
            target = _registry[reference.table]
            for row, values in item.rows:
                value = values.get(reference.column)
                if value not in (None, "") and value not in found[reference.table]:
                    problems.append(
                        Problem(
                            item.table.name,
                            row,
                            reference.column,
                            f"{target.noun} {value} is not in the {target.name} table or the database",
                        )
                    )


# Writing ----------------------------------------------------------------------------------------


class WriteContext:
    """Shared by the table writers of one import: who imports, and the fingerprint of what was read.

    The fingerprint hashes the current state of every row the import looked at (and the keys it
    did not find), so a dry run and a later import from the same files agree unless the database
    changed in between.
    """

    def __init__(self, by=None) -> None:
        self.by = by
        self._hash = hashlib.sha256()
        self._new: set[tuple[str, Any]] = set()
        self.cache: dict[str, Any] = {}

    def created(self, model, objects: Iterable) -> None:
        self._new.update((model._meta.label, obj.pk) for obj in objects)

    def ident(self, obj) -> Any:
        """The row's primary key, or "new" for a row this import made (its key differs between runs)."""
        return "new" if (obj._meta.label, obj.pk) in self._new else obj.pk

    def saw(self, *parts: Any) -> None:
        self._hash.update(repr(parts).encode())
        self._hash.update(b"\x1e")

    @property
    def fingerprint(self) -> str:
        return self._hash.hexdigest()


def in_chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _has_history(model) -> bool:
    return hasattr(model, "history") and hasattr(model._meta, "simple_history_manager_attribute")


def bulk_create(model, objects: list, ctx: WriteContext) -> list:
    if not objects:
        return []
    if _has_history(model):
        from simple_history.utils import bulk_create_with_history

        made = bulk_create_with_history(objects, model, default_user=ctx.by)
    else:
        made = model.objects.bulk_create(objects)
    ctx.created(model, made)
    return made


def bulk_update(model, objects: list, fields: list[str], ctx: WriteContext) -> None:
    if not objects:
        return
    if _has_history(model):
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(
            objects, model, fields, batch_size=UPDATE_BATCH, default_user=ctx.by
        )
    else:
        model.objects.bulk_update(objects, fields, batch_size=UPDATE_BATCH)


def sync(
    model,
    existing: Iterable,
    key: Callable[[Any], Hashable],
    wanted: dict[Hashable, dict[str, Any]],
    ctx: WriteContext,
    report: TableReport | None = None,
    *,
    on_create: Callable[[Hashable], dict[str, Any]] | None = None,
    on_change: dict[str, Any] | None = None,
) -> dict[Hashable, Any]:
    """Make the rows of `model` keyed by `key` hold `wanted` ({key: {attname: value}}), in bulk.

    `existing` is the candidates already in the database (one query by the caller). Rows found
    with different values are updated, absent ones created (with `on_create(key)` added), others
    left alone; each is counted in `report`. Returns every wanted row by key.
    """
    current: dict[Hashable, Any] = {}
    for obj in existing:
        current.setdefault(key(obj), obj)
    label = model._meta.label
    create, update, fields = [], [], set()
    result = {}
    for k, values in wanted.items():
        obj = current.get(k)
        if obj is None:
            ctx.saw(label, "absent")  # the key may hold ids of rows this import makes
            obj = model(**values, **(on_create(k) if on_create else {}))
            create.append(obj)
            if report:
                report.created += 1
        else:
            before = [getattr(obj, f) for f in values]
            ident = ctx.ident(obj)
            ctx.saw(label, ident, before if ident != "new" else None)
            changed = [f for f, old in zip(values, before, strict=True) if old != values[f]]
            if changed:
                for f in changed:
                    setattr(obj, f, values[f])
                for f, v in (on_change or {}).items():
                    setattr(obj, f, v)
                    changed.append(f)
                update.append(obj)
                fields.update(changed)
                if report:
                    report.updated += 1
            elif report:
                report.unchanged += 1
        result[k] = obj
    bulk_create(model, create, ctx)
    bulk_update(model, update, sorted(fields), ctx)
    return result


def named(model, names: Iterable[str], ctx: WriteContext, **defaults) -> dict[str, Any]:
    """Rows of `model` by name (matched ignoring case, keyed by lower-case name), the missing ones
    created: one query to read the names and one to create the new ones.

    Reference lists (regions, funders, organisations, domains) are short, so every name is read
    and compared in Python: SQLite's LOWER() folds only ASCII letters, so "À" and "à" would not
    meet in the database and the unique name would then be created twice.
    """
    wanted: dict[str, str] = {}
    for name in names:
        if name:
            wanted.setdefault(name.lower(), name)
    found: dict[str, Any] = {}
    if wanted:
        for obj in model.objects.order_by("pk"):
            found.setdefault(obj.name.lower(), obj)
    new = [model(name=wanted[k], **defaults) for k in wanted if k not in found]
    for obj in bulk_create(model, new, ctx):
        found[obj.name.lower()] = obj
    for k in sorted(wanted):
        ctx.saw(model._meta.label, k, ctx.ident(found[k]))
    return {k: found[k] for k in wanted}


# The import -------------------------------------------------------------------------------------


def import_tables(
    sources: Iterable[Source] | Iterable[tuple[str, Any]],
    *,
    dry_run: bool = False,
    by=None,
    expected_fingerprint: str | None = None,
) -> ImportResult:
    """Read, check and write the tables all-or-nothing; raise ImportFailed listing every problem.

    With `expected_fingerprint` (from a dry run's result), raise ImportChanged, writing nothing,
    if the rows the import reads are not as they were then.
    """
    sources = read_sources(sources)
    problems: list[Problem] = []
    skipped: list[str] = []
    parsed: dict[str, ParsedTable] = {}
    budget = Budget()
    complete = True
    try:
        for raw in _iter_tables(sources, budget, problems):
            table = _registry.get(raw.name)
            if table is None:
                skipped.append(raw.label)
            elif raw.name in parsed:
                problems.append(
                    Problem(
                        raw.name,
                        None,
                        None,
                        f"appears twice, in {parsed[raw.name].file} and {raw.file}",
                    )
                )
            else:
                parsed[raw.name] = parse_table(table, raw, problems, budget)
    except TooMuch as over:
        problems.append(over.problem)
        complete = False
    if complete:
        _check_references(parsed, problems)
        context = CheckContext(parsed, problems)
        for name in write_order(parsed):
            item = parsed[name]
            if item.table.check and item.complete:
                item.table.check(item.rows, context)
    if problems:
        # Table by table in writing order, row by row: the order in which a person fixes them.
        order = {name: index for index, name in enumerate(write_order(parsed))}
        problems.sort(key=lambda p: (order.get(p.table, -1), p.row or 0))
        raise ImportFailed(problems, skipped=skipped)

    reports: list[TableReport] = []
    ctx = WriteContext(by)
    with transaction.atomic():
        for name in write_order(parsed):
            report = TableReport(name)
            _registry[name].write(parsed[name].rows, ctx, report)
            reports.append(report)
            problems.extend(report.problems)
        if problems:
            transaction.set_rollback(True)
            raise ImportFailed(problems, skipped=skipped)
        if expected_fingerprint is not None and ctx.fingerprint != expected_fingerprint:
            transaction.set_rollback(True)
            raise ImportChanged()
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(reports, dry_run=dry_run, skipped=skipped, fingerprint=ctx.fingerprint)
