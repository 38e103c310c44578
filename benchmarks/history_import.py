"""The programme-history import at the demo's size and ten times it, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fellowship_bench_history \\
        .venv/bin/python benchmarks/history_import.py [--repeat 3]

The database named in DATABASE_URL is dropped and created (use a throwaway name). The x1 history
is the demo's (fellowship/demo/history); x10 repeats every row ten times in the same cohorts with
every reference made unique (F-0101 becomes F-0101-3 ...), titles numbered so keys stay unique.
Each run imports into an empty programme inside a transaction that is then rolled back. Reported:
the median wall time of --repeat runs, the queries of one run, and its peak Python memory
(tracemalloc, in a separate run so tracing does not slow the timed ones).

Exits non-zero if the x10 import takes more than 11 times the x1 time, if the number of queries
grows with the rows, or if the paper-sized (x1) history takes 5 s or more. Run by hand.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, app_env, create_database, load_average, setup_django, verdict

DEMO = ROOT / "fellowship" / "demo" / "history"
REF_COLUMNS = {
    "fellows": ("ref", "project"),
    "applicants": ("ref",),
    "projects": ("ref", "supervisor"),
    "mentoring": ("mentor", "mentee"),
    "portfolio": ("fellow",),
}
TITLE_COLUMNS = {"workshops": ("title",), "portfolio": ("title",), "speakers": ("workshop",)}


def demo_tables() -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(DEMO.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            tables[path.stem] = list(csv.DictReader(handle))
    return tables


def scaled(tables: dict[str, list[dict[str, str]]], scale: int) -> dict[str, list[dict[str, str]]]:
    """`scale` copies of every row (programme and cohorts once), references and titles made unique."""
    if scale == 1:
        return tables
    refs = {row["ref"] for row in tables.get("fellows", [])} | {
        row["ref"] for row in tables.get("projects", [])
    }
    out: dict[str, list[dict[str, str]]] = {}
    for name, rows in tables.items():
        if name in ("programme", "cohorts"):
            out[name] = rows
            continue
        copies = []
        for copy in range(scale):
            for row in rows:
                row = dict(row)
                for column in REF_COLUMNS.get(name, ()):
                    if row.get(column) and (
                        column == "ref" or row[column] in refs or column != "supervisor"
                    ):
                        row[column] = f"{row[column]}-{copy}"
                for column in TITLE_COLUMNS.get(name, ()):
                    row[column] = f"{row[column]} ({copy})"
                copies.append(row)
        out[name] = copies
    return out


def as_files(tables) -> list[tuple[str, bytes]]:
    import io

    files = []
    for name, rows in tables.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["x"])
        writer.writeheader()
        writer.writerows(rows)
        files.append((f"{name}.csv", out.getvalue().encode()))
    return files


def run_once(files, *, trace: bool = False) -> tuple[float, int, int]:
    """(seconds, queries, peak bytes) of one import into the empty programme, rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from fellowship.services import import_history

    if trace:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        start = time.perf_counter()
        import_history(files, by=None, source="benchmark")
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, len(queries), peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a throwaway PostgreSQL database (it is dropped and created)."
        )
    create_database(database_url)
    setup_django(app_env(database_url))

    base = demo_tables()
    results = {}
    for scale in (1, 10):
        tables = scaled(base, scale)
        files = as_files(tables)
        rows = sum(len(rows) for rows in tables.values())
        run_once(files)  # warm caches (templates, the survey template, connections)
        timed = [run_once(files) for _ in range(args.repeat)]
        seconds = statistics.median(t for t, _, _ in timed)
        queries = timed[0][1]
        _, _, peak = run_once(files, trace=True)
        results[scale] = (seconds, queries, peak)
        print(
            f"x{scale:<3} {rows:>6} rows  {seconds:6.2f} s (median of {args.repeat})  {queries:>4} queries  peak {peak / 1e6:6.1f} MB"
        )

    (t1, q1, _), (t10, q10, _) = results[1], results[10]
    checks = [
        (f"x10 time within 11x x1 ({t10 / t1:.1f}x)", t10 <= 11 * t1),
        (f"queries do not grow with rows ({q1} -> {q10})", q10 <= q1),
        (f"paper-sized history under 5 s ({t1:.2f} s)", t1 < 5),
    ]
    print(load_average())
    for label, ok in checks:
        print(f"{verdict(ok)}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
