"""What the history import reports: each problem found, why it was refused, and what it counted."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REPORTED_PROBLEMS = 50


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
