"""The public website under a crowd of visitors: its pages beside a static file, on one server.

    .venv/bin/python benchmarks/public_load.py [--users 50] [--seconds 30] [--repeats 1]

It builds a throwaway database (fellowship_public_load on PostgreSQL at 127.0.0.1:5432, or
PUBLIC_LOAD_DATABASE_URL), loads the demo programme into it and serves the app with gunicorn as
the production image does (production settings, 3 sync workers, the cache on Redis and shared by
the workers; --workers, --threads and --local-cache to compare). Then, one target at a time and
with the same set-up for each, --users visitors who are not signed in fetch the target back to
back for --seconds:
  - the public home page (/), the how-to-apply page, the fellows and alumni page;
  - a static file (the site's CSS, served by WhiteNoise in the same gunicorn): the baseline.
For each it reports requests, throughput, p50/p95/max and errors, and the ratio of each page's p95
and throughput to the static file's (medians over --repeats runs). Before the load it checks that
each page answers 200 with the programme's name, `Cache-Control: public, no-cache`, an ETag and
`Vary: Cookie`, and that every answer under load is a 200 of the expected size.
Target: 0 errors and every public page's p95 under 500 ms at 50 visitors. Prints PASS/FAIL and
exits non-zero on a miss. Run by hand; not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _harness import (
    app_env,
    create_database,
    load_average,
    percentile,
    request,
    serve,
    setup_django,
    stop,
    verdict,
)

PORT = 8772
DB_URL = os.environ.get(
    "PUBLIC_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fellowship_public_load"
)
P95_LIMIT_MS = 500
PAGES = {
    "home": "/",
    "how to apply": "/apply-for-the-fellowship/",
    "fellows and alumni": "/fellows/",
}


def static_path() -> str:
    """The address of the site's stylesheet as the pages link it (hashed by the manifest)."""
    from django.templatetags.static import static

    return static("css/app.css")


def check(path: str, name: str, *, expect: str | None) -> int:
    """One request to `path`: 200, the expected text and cache headers; returns its size."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    problems = []
    if response.status != 200:
        problems.append(f"status {response.status}")
    if expect and expect.encode() not in body:
        problems.append(f"no {expect!r} in the page")
    if expect:
        control = {p.strip() for p in (response.getheader("Cache-Control") or "").split(",")}
        if control != {"public", "no-cache"}:
            problems.append(f"Cache-Control {control}")
        if not response.getheader("ETag"):
            problems.append("no ETag")
        if "Cookie" not in (response.getheader("Vary") or ""):
            problems.append("no Vary: Cookie")
        if response.getheader("Set-Cookie"):
            problems.append("sets a cookie")
    if problems:
        raise SystemExit(f"{name} ({path}): {', '.join(problems)}")
    return len(body)


def load(path: str, *, users: int, seconds: float, size: int) -> dict:
    """`users` visitors fetching `path` back to back for `seconds`: throughput and latency."""
    deadline = time.monotonic() + seconds
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()

    def visitor() -> None:
        nonlocal errors
        mine, bad = [], 0
        while time.monotonic() < deadline:
            result = request(PORT, "GET", path)
            if result.status != 200 or len(result.body) != size:
                bad += 1
            mine.append(result.seconds)
        with lock:
            timings.extend(mine)
            errors += bad

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        for _ in range(users):
            pool.submit(visitor)
    elapsed = time.monotonic() - started
    return {
        "requests": len(timings),
        "rps": len(timings) / elapsed,
        "p50": percentile(timings, 50) * 1000,
        "p95": percentile(timings, 95) * 1000,
        "max": max(timings, default=0) * 1000,
        "errors": errors,
    }


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--local-cache", action="store_true", help="each worker its own memory, not Redis"
    )
    args = parser.parse_args()

    overrides = {"LOG_LEVEL": "ERROR"}
    if not args.local_cache:
        overrides |= {"REDIS_URL": "redis://127.0.0.1:6379/5", "CACHE_KEY_PREFIX": "public-load"}
    env = app_env(DB_URL, MEDIA_ROOT="/tmp/fellowship-public-load-media", **overrides)
    create_database(DB_URL)
    setup_django(env)
    from django.core.management import call_command

    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from fellowship.models import programme

    name = programme().name
    targets = {**PAGES, "static file (baseline)": static_path()}
    server = serve(env, port=PORT, workers=args.workers, threads=args.threads)
    try:
        sizes = {
            label: check(path, label, expect=None if label.startswith("static") else name)
            for label, path in targets.items()
        }
        for path in targets.values():  # warm each worker's templates and the page cache
            for _ in range(args.workers * args.threads):
                request(PORT, "GET", path)
        results = {}
        for label, path in targets.items():
            runs = [
                load(path, users=args.users, seconds=args.seconds, size=sizes[label])
                for _ in range(args.repeats)
            ]
            results[label] = median_of(runs)
    finally:
        stop(server)

    baseline = results["static file (baseline)"]
    print(
        f"\n{args.users} visitors not signed in, {args.seconds:.0f} s per target, "
        f"{args.repeats} run(s) (medians); gunicorn {args.workers} workers × {args.threads} "
        f"threads; cache: {'each worker its own' if args.local_cache else 'Redis'}; {load_average()}"
    )
    print(
        f"{'target':<24}{'bytes':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'max ms':>9}{'errors':>8}{'p95 ×':>8}{'req/s ×':>9}"
    )
    ok = True
    for label, r in results.items():
        p95_ratio = r["p95"] / baseline["p95"] if baseline["p95"] else 0
        rps_ratio = r["rps"] / baseline["rps"] if baseline["rps"] else 0
        print(
            f"{label:<24}{sizes[label]:>8}{r['requests']:>10.0f}{r['rps']:>9.1f}{r['p50']:>9.1f}"
            f"{r['p95']:>9.1f}{r['max']:>9.1f}{r['errors']:>8.0f}{p95_ratio:>8.2f}{rps_ratio:>9.2f}"
        )
        if r["errors"] or (label in PAGES and r["p95"] >= P95_LIMIT_MS):
            ok = False
    print(f"\nTarget: 0 errors, public pages p95 < {P95_LIMIT_MS} ms: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
