"""The programme-history import: the framework every app registers its tables with.

A table is a named set of columns, each with a parser that turns a cell into a value or raises
`CellError`. Reading is separate from writing: first every row of every table is parsed; if
anything is wrong nothing is written. Then the tables are written in dependency order inside one
transaction, and any row that fails there (a cohort that does not exist, say) rolls it all back.
Problems are reported as `TABLE row N, column C: message`, where N is the spreadsheet row
(the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

MAX_REPORTED_PROBLEMS = 50


class CellError(ValueError):
    """A cell's value is not acceptable; the message is shown to the person importing."""


@dataclass(frozen=True)
class Problem:
    table: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The import was refused; `problems` lists every reason (the database is unchanged)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems[:MAX_REPORTED_PROBLEMS]))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        lines = [str(p) for p in self.problems[:MAX_REPORTED_PROBLEMS]]
        hidden = len(self.problems) - len(lines)
        if hidden > 0:
            lines.append(f"... and {hidden} more problems")
        return lines


# Cell parsers ---------------------------------------------------------------------------------


def text(value: str) -> str:
    return value.strip()


def required_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise CellError("is required")
    return value


def positive_int(value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise CellError(f"must be a whole number, not {value.strip()!r}") from None
    if number < 1:
        raise CellError("must be 1 or more")
    return number


def iso_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(f"must be a date written as YYYY-MM-DD, not {value!r}") from None


def yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in {"yes", "y", "true", "1"}:
        return True
    if value in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"must be yes or no, not {value!r}")


def choice(choices: Iterable[str], *, blank: bool = False) -> Callable[[str], str]:
    allowed = list(choices)

    def parse(value: str) -> str:
        value = value.strip().lower()
        if not value and blank:
            return ""
        if value not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    return parse


def multi_choice(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """A `;`-separated multiple pick; blank means the question was not answered."""
    allowed = list(choices)

    def parse(value: str) -> list[str]:
        picks = [v.strip().lower() for v in value.split(";") if v.strip()]
        wrong = [p for p in picks if p not in allowed]
        if wrong:
            raise CellError(f"{', '.join(wrong)} not one of {', '.join(allowed)}")
        return list(dict.fromkeys(picks))

    return parse


# Tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any] = text
    required: bool = False


@dataclass
class Table:
    """One table of the import: its columns and the function that writes its parsed rows.

    `write(rows, report)` receives [(row_number, {column: value})] and must call
    `report.problem(row, column, message)` for rows it cannot write and `report.count(created=...)`.
    `after` names the tables that must be written first. `column_patterns` admits families of
    columns such as `achieved:THEME`, each a (regex, parser) pair.
    """

    name: str
    columns: list[Column]
    write: Callable[[list[tuple[int, dict[str, Any]]], TableReport], None]
    after: tuple[str, ...] = ()
    column_patterns: list[tuple[str, Callable[[str], Any]]] = field(default_factory=list)
    owner: str = ""

    def column_parser(self, name: str) -> Callable[[str], Any] | None:
        for column in self.columns:
            if column.name == name:
                return column.parse
        for pattern, parse in self.column_patterns:
            if re.fullmatch(pattern, name):
                return parse
        return None


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
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.table, row, column, message))

    def made_in_service(self, row: int, model, ref: str, *, owner: str, what: str) -> bool:
        """True, with a problem reported, if `ref` names a `model` row that people made in the
        service (its `owner` field is set): the history never overwrites their work."""
        if model.objects.filter(ref=ref, **{f"{owner}__isnull": False}).exists():
            self.problem(row, "ref", f"{ref} is {what} made in this service; the history cannot overwrite it")
            return True
        return False

    def count(self, *, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1


@dataclass
class ImportResult:
    tables: list[TableReport]
    dry_run: bool = False

    @property
    def summary(self) -> list[str]:
        return [f"{t.table}: {t.created} created, {t.updated} updated" for t in self.tables]


# Reading sources ------------------------------------------------------------------------------

RawTable = tuple[list[str], Iterator[list[str]]]


def _read_csv(data: bytes) -> RawTable:
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader, [])
    return header, reader


def _read_workbook(data: bytes) -> dict[str, RawTable]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables: dict[str, RawTable] = {}
    for sheet in workbook.worksheets:
        rows = ([_cell(c) for c in row] for row in sheet.iter_rows(values_only=True))
        header = next(rows, [])
        tables[sheet.title.strip().lower()] = (header, rows)
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_sources(files: Iterable[tuple[str, bytes]]) -> dict[str, RawTable]:
    """Turn uploaded or on-disk files (name, bytes) into raw tables by name.

    Accepts CSV files named TABLE.csv, one .xlsx workbook (a sheet per table) or a .zip of CSVs.
    """
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for name, data in files:
        lower = name.lower()
        if lower.endswith(".xlsx"):
            try:
                tables.update(_read_workbook(data))
            except Exception:  # openpyxl raises many kinds for a broken workbook
                problems.append(Problem(name, None, None, "is not a readable Excel workbook (.xlsx)"))
        elif lower.endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    members = [
                        (Path(m).name, archive.read(m))
                        for m in archive.namelist()
                        if m.lower().endswith(".csv") and not Path(m).name.startswith(".")
                    ]
            except zipfile.BadZipFile:
                problems.append(Problem(name, None, None, "is not a readable zip file"))
                continue
            tables.update(read_sources(members))
        elif lower.endswith(".csv"):
            try:
                tables[Path(lower).stem] = _read_csv(data)
            except UnicodeDecodeError:
                problems.append(Problem(name, None, None, "is not a UTF-8 CSV file"))
        else:
            problems.append(Problem(name, None, None, "must be a .csv file, an .xlsx workbook or a .zip of CSV files"))
    if problems:
        raise ImportFailed(problems)
    return tables




# Parsing and writing --------------------------------------------------------------------------


def parse_table(table: Table, header: list[str], rows: Iterable[list[str]]) -> tuple[list, list[Problem]]:
    problems: list[Problem] = []
    names = [h.strip().lower() for h in header]
    parsers = []
    for name in names:
        parser = table.column_parser(name)
        if parser is None:
            problems.append(Problem(table.name, 1, name or "(blank)", "is not a column of this table"))
        parsers.append(parser)
    seen = set()
    for name in names:
        if name in seen:
            problems.append(Problem(table.name, 1, name, "appears twice"))
        seen.add(name)
    for column in table.columns:
        if column.required and column.name not in names:
            problems.append(Problem(table.name, 1, column.name, "column is missing"))
    if problems:
        return [], problems

    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, cells in enumerate(rows, start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines at the end of spreadsheets
        if len(cells) > len(names) and any(str(c).strip() for c in cells[len(names):]):
            problems.append(Problem(table.name, number, None, "has more cells than the header has columns"))
            continue
        values: dict[str, Any] = {}
        for index, name in enumerate(names):
            raw = cells[index] if index < len(cells) else ""
            try:
                values[name] = parsers[index](str(raw))
            except CellError as exc:
                problems.append(Problem(table.name, number, name, str(exc)))
        for column in table.columns:
            if column.required and column.name in values and values[column.name] in ("", None):
                problems.append(Problem(table.name, number, column.name, "is required"))
        parsed.append((number, values))
    return parsed, problems


def import_tables(raw: dict[str, RawTable], *, dry_run: bool = False) -> ImportResult:
    """Validate and write the tables all-or-nothing; raise ImportFailed listing every problem."""
    unknown = sorted(set(raw) - set(_registry))
    problems = [
        Problem(name, None, None, f"is not a table of the history import (known tables: {', '.join(_registry)})")
        for name in unknown
    ]
    parsed: dict[str, list] = {}
    for name in write_order(n for n in raw if n in _registry):
        header, rows = raw[name]
        parsed[name], table_problems = parse_table(_registry[name], header, rows)
        problems.extend(table_problems)
    if problems:
        raise ImportFailed(problems)

    reports: list[TableReport] = []
    with transaction.atomic():
        for name, rows in parsed.items():
            report = TableReport(name)
            _registry[name].write(rows, report)
            reports.append(report)
            problems.extend(report.problems)
        if problems:
            transaction.set_rollback(True)
            raise ImportFailed(problems)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(reports, dry_run=dry_run)
