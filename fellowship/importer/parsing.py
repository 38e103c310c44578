"""Row validation: each row of a table read against its columns, keys checked within the table."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from .cells import MAX_CELL_CHARS, CellError
from .report import Problem
from .sources import Budget, RawTable
from .tables import Column, Rows, Table


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
