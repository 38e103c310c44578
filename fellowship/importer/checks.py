"""Checks across tables before anything is written: references, and what each table's check asks."""

from __future__ import annotations

from .parsing import ParsedTable
from .report import Problem
from .tables import Rows, _registry


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


def check_references(parsed: dict[str, ParsedTable], problems: list[Problem]) -> None:
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
