"""The benefits report at ten times the paper's size: queries, evidence time, PDF time.

    .venv/bin/python benchmarks/report_scale.py [--quick] [--repeat 5] [--profile]
        [--database-url postgres://postgres@127.0.0.1:5432/fellowship_bench]

It measures the report (reports.evidence.compute_evidence, then reports.render.render_pdf) for
the latest cohort of two programmes, each imported into its own throwaway database through the
real history import (fellowship.services.import_history):
  1. the paper-sized demo history (fellowship/demo/history/, 4 cohorts);
  2. a programme ten times that size (--quick: twice): 40 cohorts' worth of applicants, fellows,
     projects, mentoring, exit survey responses, workshops and portfolio entries. The demo
     generator is fixed at the paper's four cohorts, so the paper's rows are replicated block by
     block (cohorts 1-4, 5-8, ... 37-40): fresh references (F-0101 -> F-0101-03), dates moved
     back four years per block, in-post fellows of earlier blocks graduated; the last block is the
     paper's own four cohorts, unchanged.
For each it prints the rows per table, the database queries of compute_evidence and of the
render (django.test.utils.CaptureQueriesContext; they must not grow with the rows), Django
start-up, the time to compute the evidence, to fill the HTML template and to draw the PDF with
WeasyPrint (through fellowship.pdf, as the report job does), end to end (evidence + template +
WeasyPrint), the shares of the evidence and of WeasyPrint in it, and peak memory (tracemalloc in
a separate pass, and the process's maximum RSS). The first ("cold") report of a process pays for
importing WeasyPrint and compiling the template; the "warm" figures are medians of --repeat
further runs, each timed the same way in the same process, and every share is the median of the
runs' own shares, so that the two programmes are compared like for like. Targets: paper-sized
end to end under 5 s, ten-times under 15 s (both cold and warm median), evidence under 10% of
the total (warm median), the same queries on every run and at both sizes. The script exits 1
when a target is missed. --profile prints cProfile's top entries of a warm run (printed anyway
for any scenario that fails a target).

Each programme is measured in its own Python process (so start-up and memory are its own).
The default database is a temporary SQLite file, created, migrated and deleted; --database-url
names a PostgreSQL database that is dropped and created for each programme, then dropped
(never the `fellowship` database). Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "fellowship" / "demo" / "history"
PAPER_COHORTS = 4
TABLES = (
    "cohorts",
    "applicants",
    "fellows",
    "projects",
    "mentoring",
    "exit_survey",
    "workshops",
    "portfolio",
)
TARGET_SECONDS = {1: 5.0}  # paper-sized; any larger programme: 15 s
TARGET_LARGE = 15.0
TARGET_SHARE = 0.10
REF = re.compile(r"[AFP]-\d{4}")
PROTECTED_DATABASES = {"fellowship", "postgres", "template0", "template1"}


# --- the scaled programme (standard library only) ------------------------------------------


def _shift(value: str, years: int) -> str:
    if not value or not years:
        return value
    day = dt.date.fromisoformat(value)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28).isoformat()


def scaled_tables(scale: int) -> dict[str, list[dict[str, str]]]:
    """The paper's tables replicated `scale` times as cohorts 1..4*scale (see the docstring)."""
    paper = {}
    for table in TABLES:
        with (HISTORY / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            paper[table] = list(csv.DictReader(handle))
    out: dict[str, list[dict[str, str]]] = {table: [] for table in TABLES}
    for block in range(scale):
        last = block == scale - 1
        offset = PAPER_COHORTS * block
        years = PAPER_COHORTS * (block - (scale - 1))

        def ref(value: str, *, last=last, block=block) -> str:
            return value if last or not REF.fullmatch(value) else f"{value}-{block + 1:02d}"

        def cohort(value: str, *, offset=offset) -> str:
            return str(int(value) + offset)

        for row in paper["cohorts"]:
            out["cohorts"].append(
                {
                    "number": cohort(row["number"]),
                    "start_date": _shift(row["start_date"], years),
                    "end_date": _shift(row["end_date"], years),
                }
            )
        for row in paper["applicants"]:
            out["applicants"].append(
                {**row, "ref": ref(row["ref"]), "cohort": cohort(row["cohort"])}
            )
        for row in paper["fellows"]:
            status = row["status"]
            if not last and status == "in_post":
                status = "graduated"
            out["fellows"].append(
                {
                    **row,
                    "ref": ref(row["ref"]),
                    "cohort": cohort(row["cohort"]),
                    "status": status,
                    "project": ref(row["project"]),
                }
            )
        for row in paper["projects"]:
            out["projects"].append(
                {
                    **row,
                    "ref": ref(row["ref"]),
                    "cohort": cohort(row["cohort"]),
                    "supervisor": ref(row["supervisor"]),
                }
            )
        for row in paper["mentoring"]:
            out["mentoring"].append(
                {
                    "cohort": cohort(row["cohort"]),
                    "mentor": ref(row["mentor"]),
                    "mentee": ref(row["mentee"]),
                }
            )
        for row in paper["exit_survey"]:
            out["exit_survey"].append({**row, "cohort": cohort(row["cohort"])})
        for row in paper["workshops"]:
            out["workshops"].append(
                {**row, "cohort": cohort(row["cohort"]), "date": _shift(row["date"], years)}
            )
        for row in paper["portfolio"]:
            out["portfolio"].append(
                {**row, "fellow": ref(row["fellow"]), "date": _shift(row["date"], years)}
            )
    return out


def as_files(tables: dict[str, list[dict[str, str]]]) -> list[tuple[str, bytes]]:
    files = []
    for table, rows in tables.items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files.append((f"{table}.csv", buffer.getvalue().encode("utf-8")))
    return files


# --- one programme, measured in a child process ---------------------------------------------


def measure(scale: int, database_url: str, workdir: Path, repeat: int, profile: bool) -> dict:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "fellowship.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "benchmark-only-" + secrets.token_hex(16),
            "VAR_DIR": str(workdir),
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    result: dict = {"scale": scale}

    start = time.perf_counter()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result["startup"] = time.perf_counter() - start

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    result["migrate"] = time.perf_counter() - start
    result["vendor"] = connection.vendor

    from fellowship.services import import_history

    tables = scaled_tables(scale)
    result["rows"] = {table: len(rows) for table, rows in tables.items()}
    start = time.perf_counter()
    import_history(as_files(tables), by=None, source=f"report_scale x{scale}")
    result["import"] = time.perf_counter() - start

    from fellowship.enums import SpeakerSector
    from fellowship.models import Cohort, Fellow, Speaker, Workshop

    # The history has no speakers (objective 6 lists live ones): three per workshop, one of each
    # of industry, regulator and NHS, so that the speakers' query has rows to read at each scale.
    sectors = (SpeakerSector.INDUSTRY, SpeakerSector.REGULATOR, SpeakerSector.NHS)
    Speaker.objects.bulk_create(
        Speaker(
            workshop_id=workshop_id,
            name=f"Speaker {workshop_id}-{i}",
            role_title=f"Role {i % 7}",
            affiliation=f"Organisation {(workshop_id + i) % 53}",
            sector=sector,
        )
        for workshop_id in Workshop.objects.values_list("pk", flat=True)
        for i, sector in enumerate(sectors)
    )
    from fellowship.pdf import render_pdf
    from portfolio.models import PortfolioEntry
    from projects.models import Placement
    from recruitment.models import Application
    from reports.evidence import compute_evidence
    from reports.render import render_html
    from surveys.models import Answer, Response

    result["stored"] = {
        "applications": Application.objects.count(),
        "fellows": Fellow.objects.count(),
        "placements": Placement.objects.count(),
        "survey responses": Response.objects.count(),
        "survey answers": Answer.objects.count(),
        "portfolio entries": PortfolioEntry.objects.count(),
        "workshop speakers": Speaker.objects.count(),
    }
    cohort = Cohort.objects.order_by("-number").values_list("number", flat=True).first()
    result["cohort"] = cohort

    def one_report() -> dict:
        with CaptureQueriesContext(connection) as evidence_queries:
            c0, t0 = time.process_time(), time.perf_counter()
            evidence = compute_evidence(cohort)
            t1 = time.perf_counter()
        # reports.render.render_pdf in its two steps: the template, then WeasyPrint.
        with CaptureQueriesContext(connection) as render_queries:
            html = render_html(evidence, for_pdf=True)
            t_html = time.perf_counter()
            pdf = render_pdf(html)
            t2, c2 = time.perf_counter(), time.process_time()
        return {
            "evidence": t1 - t0,
            "template": t_html - t1,
            "weasyprint": t2 - t_html,
            "render": t2 - t1,
            "total": t2 - t0,
            "cpu": c2 - c0,
            "evidence_queries": len(evidence_queries),
            "render_queries": len(render_queries),
            "pdf_bytes": len(pdf),
            "render_sql": [q["sql"][:160] for q in render_queries.captured_queries],
            "_evidence": evidence,
        }

    cold = one_report()
    warm = [one_report() for _ in range(repeat)]
    evidence = cold.pop("_evidence")
    for run in warm:
        run.pop("_evidence")
    result["cold"] = cold
    result["warm"] = {
        key: statistics.median(r[key] for r in warm)
        for key in ("evidence", "template", "weasyprint", "render", "total", "cpu")
    }
    for part in ("evidence", "weasyprint"):
        result["warm"][f"{part}_share"] = statistics.median(r[part] / r["total"] for r in warm)
        result["cold"][f"{part}_share"] = cold[part] / cold["total"]
    result["query_counts_stable"] = (
        len({(r["evidence_queries"], r["render_queries"]) for r in [cold, *warm]}) == 1
    )

    html = render_html(evidence)
    from fellowship.pdf import layout

    result["pdf_pages"] = len(layout(html).pages)

    import tracemalloc

    tracemalloc.start()
    one_report()
    result["peak_traced"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        one_report()
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
        stats.print_stats(25)
        text.write("\n--- by own time ---\n")
        stats.sort_stats("tottime").print_stats(15)
        result["profile"] = text.getvalue()

    import resource

    result["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    connection.close()
    return result


# --- the parent: databases, children, the table ----------------------------------------------


def psql(url: str, sql: str) -> None:
    base = url.rsplit("/", 1)[0]
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True, env=quiet)


def database_name(url: str) -> str:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if name in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to drop the {name!r} database: name a throwaway one")
    return name


def run_child(scale: int, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"report-scale-x{scale}-"))
    url = args.database_url
    if url:
        name = database_name(url)
        psql(url, f"DROP DATABASE IF EXISTS {name}")
        psql(url, f"CREATE DATABASE {name}")
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    out = workdir / "result.json"
    load_before = os.getloadavg()
    command = [
        sys.executable,
        __file__,
        "--child",
        str(scale),
        "--child-url",
        url,
        "--child-dir",
        str(workdir),
        "--child-out",
        str(out),
        "--repeat",
        str(args.repeat),
    ]
    if args.profile:
        command.append("--profile")
    try:
        subprocess.run(command, check=True)
        result = json.loads(out.read_text())
    finally:
        if args.database_url:
            psql(args.database_url, f"DROP DATABASE IF EXISTS {database_name(args.database_url)}")
        shutil.rmtree(workdir, ignore_errors=True)
    result["load"] = (load_before, os.getloadavg())
    return result


def target_for(scale: int) -> float:
    return TARGET_SECONDS.get(scale, TARGET_LARGE)


def verdicts(result: dict, baseline: dict | None) -> dict[str, bool]:
    checks = {
        "time": result["cold"]["total"] < target_for(result["scale"]),
        "warm time": result["warm"]["total"] < target_for(result["scale"]),
        "share": result["warm"]["evidence_share"] < TARGET_SHARE,
        "stable": result["query_counts_stable"],
    }
    if baseline is not None:
        checks["queries"] = (
            result["cold"]["evidence_queries"] == baseline["cold"]["evidence_queries"]
            and result["cold"]["render_queries"] == baseline["cold"]["render_queries"]
        )
    return checks


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def load_text(load) -> str:
    before, after = load
    return f"{before[0]:.2f}/{before[1]:.2f}/{before[2]:.2f} -> {after[0]:.2f}/{after[1]:.2f}/{after[2]:.2f}"


def print_table(results: list[dict], repeats: int) -> bool:
    names = [f"x{r['scale']} ({r['cohort']} cohorts)" for r in results]
    baseline = results[0]
    ok = True
    lines: list[tuple[str, ...]] = []

    def row(label: str, *cells: str) -> None:
        lines.append((label, *cells))

    row("", *names)
    row("database", *[r["vendor"] for r in results])
    row("load avg 1/5/15 (before -> after)", *[load_text(r["load"]) for r in results])
    for table in TABLES:
        row(f"rows: {table}", *[str(r["rows"][table]) for r in results])
    for stored in baseline["stored"]:
        row(f"stored: {stored}", *[str(r["stored"][stored]) for r in results])
    row("Django start-up", *[f"{r['startup']:.2f} s" for r in results])
    row(
        "migrate / import (not timed by target)",
        *[f"{r['migrate']:.1f} s / {r['import']:.1f} s" for r in results],
    )
    row("queries: compute_evidence", *[str(r["cold"]["evidence_queries"]) for r in results])
    row("queries: render_pdf", *[str(r["cold"]["render_queries"]) for r in results])
    row("PDF", *[f"{r['pdf_pages']} pages, {r['cold']['pdf_bytes'] // 1024} KB" for r in results])
    for when, label in (("cold", "cold (first report)"), ("warm", f"warm (median of {repeats})")):
        row(f"{label}: evidence", *[f"{r[when]['evidence']:.3f} s" for r in results])
        row(f"{label}: HTML template", *[f"{r[when]['template']:.3f} s" for r in results])
        row(f"{label}: WeasyPrint", *[f"{r[when]['weasyprint']:.3f} s" for r in results])
        row(f"{label}: end to end", *[f"{r[when]['total']:.3f} s" for r in results])
        row(f"{label}: CPU time", *[f"{r[when]['cpu']:.3f} s" for r in results])
    for part, label in (("evidence", "evidence share"), ("weasyprint", "WeasyPrint share")):
        row(
            f"{label} (warm median / cold)",
            *[
                f"{r['warm'][part + '_share']:.1%} / {r['cold'][part + '_share']:.1%}"
                for r in results
            ],
        )
    row("peak memory (tracemalloc, one report)", *[mb(r["peak_traced"]) for r in results])
    row("max RSS of the process", *[mb(r["maxrss"]) for r in results])
    row("--- targets ---", *["" for _ in results])
    for r in results:
        r["checks"] = verdicts(r, None if r is baseline else baseline)
        ok = ok and all(r["checks"].values())
    for check, label in (
        ("time", "end to end (cold) < target"),
        ("warm time", "end to end (warm median) < target"),
    ):
        row(
            label,
            *[
                f"<{target_for(r['scale']):.0f} s: {'PASS' if r['checks'][check] else 'FAIL'}"
                for r in results
            ],
        )
    row(
        "evidence < 10% of total (warm median)",
        *["PASS" if r["checks"]["share"] else "FAIL" for r in results],
    )
    row(
        "same queries on every run", *["PASS" if r["checks"]["stable"] else "FAIL" for r in results]
    )
    row(
        "queries do not grow with rows",
        *[
            "(baseline)" if r is baseline else ("PASS" if r["checks"]["queries"] else "FAIL")
            for r in results
        ],
    )
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    for r in results:
        for sql in r["cold"]["render_sql"]:
            print(f"x{r['scale']} query during the render: {sql}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 2x programme instead of 10x")
    parser.add_argument(
        "--scale", type=int, default=None, help="programme multiple (default 10, --quick 2)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="warm runs per programme (median taken)"
    )
    parser.add_argument(
        "--database-url", default="", help="a throwaway PostgreSQL database (dropped!)"
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    parser.add_argument("--child-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = measure(args.child, args.child_url, args.child_dir, args.repeat, args.profile)
        args.child_out.write_text(json.dumps(result))
        return 0

    if args.database_url:
        database_name(args.database_url)
    scale = args.scale or (2 if args.quick else 10)
    results = []
    for s in (1, scale):
        print(f"x{s}: importing {PAPER_COHORTS * s} cohorts and measuring ...", flush=True)
        results.append(run_child(s, args))
    print()
    ok = print_table(results, args.repeat)
    for r in results:
        if "profile" in r and (args.profile or not all(r["checks"].values())):
            print(f"\n=== cProfile, warm report, x{r['scale']} ===")
            print(r["profile"])
    failed = [r for r in results if not all(r["checks"].values())]
    if failed and not any("profile" in r for r in failed):
        print("\nA target was missed: run again with --profile to see where the time goes.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
