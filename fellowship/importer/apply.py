"""The import itself: read and check every table, then write them all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from .checks import CheckContext, check_references
from .parsing import ParsedTable, parse_table
from .reading import iter_tables
from .report import ImportChanged, ImportFailed, ImportResult, Problem, TableReport
from .sources import Budget, Source, TooMuch, read_sources
from .tables import _registry, write_order
from .writing import WriteContext


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
        for raw in iter_tables(sources, budget, problems):
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
        check_references(parsed, problems)
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
