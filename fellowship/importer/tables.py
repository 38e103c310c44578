"""The tables of the history import: columns, keys, references, and the registry apps add to."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cells import text

if TYPE_CHECKING:
    from .checks import CheckContext
    from .report import TableReport
    from .writing import WriteContext


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
