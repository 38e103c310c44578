"""The deadline burst: 600 applicants submitting in the final minutes, against gunicorn and PostgreSQL.

    .venv/bin/python benchmarks/deadline_burst.py [--applicants 600] [--minutes 10] [--workers 5]

It builds a throwaway database (fellowship_bench on the PostgreSQL at 127.0.0.1:5432, or
BENCH_DATABASE_URL), a round closing shortly after the burst, 600 complete drafts with signed-in
sessions, and serves the app with gunicorn. Then it:
  1. submits every draft through the real review page (POST, CSRF and session cookies), arriving
     at random (a Poisson process) over --minutes, with --doubles of them submitted twice at the
     same moment (a double click or a second tab); --minutes 2 squeezes the burst five-fold;
  2. waits for the deadline and sends --late more submissions one second after it;
  3. checks the database: exactly one submission per applicant, none lost, none late.
It prints throughput, median, 95th-percentile and worst latency, and exits non-zero if a check
fails or p95 is 500 ms or more. Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from _harness import app_env, build_drafts, create_database, serve, setup_django

PORT = 8765
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fellowship_bench")
ENV = app_env(DB_URL)


def setup(applicants: int, late: int, burst_seconds: int):
    setup_django(ENV)
    rnd, clients = build_drafts(applicants + late, closes_in=timedelta(seconds=burst_seconds))
    return rnd, clients[:applicants], clients[applicants:]


def submit(ref: str, session_key: str) -> tuple[float, int, bool]:
    csrf = secrets.token_hex(16)
    body = f"csrfmiddlewaretoken={csrf}&agree=on"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "Host": "127.0.0.1",
    }
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    started = time.perf_counter()
    conn.request("POST", f"/apply/{ref}/review/", body=body, headers=headers)
    response = conn.getresponse()
    page = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    refused_late = b"deadline" in page.lower() and response.status == 200
    return elapsed, response.status, refused_late


def warm_up(ref: str, session_key: str, requests: int = 40) -> None:
    """A server in service is warm: load each worker's templates and connections before timing."""
    for _ in range(requests):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        conn.request(
            "GET",
            f"/apply/{ref}/review/",
            headers={"Cookie": f"sessionid={session_key}", "Host": "127.0.0.1"},
        )
        conn.getresponse().read()
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=600)
    parser.add_argument("--doubles", type=int, default=50)
    parser.add_argument("--late", type=int, default=20)
    parser.add_argument(
        "--minutes", type=float, default=10, help="the burst's length: 600 in the final 10 minutes"
    )
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    create_database(DB_URL)
    t0 = time.perf_counter()
    burst = args.minutes * 60
    rnd, on_time, late = setup(args.applicants, args.late, int(burst) + 60)
    print(
        f"set-up: {len(on_time)} drafts and {len(late)} late drafts in {time.perf_counter() - t0:.1f} s"
    )
    server = serve(ENV, port=PORT, workers=args.workers)
    try:
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(lambda job: warm_up(*job), late[: args.workers] or on_time[:1]))
        rng = random.Random(args.seed)
        # Arrival times of a Poisson process over the burst; each double arrives with its twin.
        gaps = [rng.expovariate(len(on_time) / burst) for _ in on_time]
        arrivals = [sum(gaps[: i + 1]) for i in range(len(gaps))]
        jobs = [(at, job) for at, job in zip(arrivals, on_time, strict=True)]
        jobs += [
            (at, job)
            for at, job in zip(arrivals[: args.doubles], on_time[: args.doubles], strict=True)
        ]
        jobs.sort(key=lambda item: item[0])
        started = time.perf_counter()

        def arrive(item):
            at, job = item
            time.sleep(max(0.0, started + at - time.perf_counter()))
            return submit(*job)

        with ThreadPoolExecutor(200) as pool:
            results = list(pool.map(arrive, jobs))
        wall = time.perf_counter() - started
        from django.utils import timezone

        wait = (rnd.closes_at - timezone.now()).total_seconds() + 1
        if wait > 0:
            print(f"waiting {wait:.0f} s for the deadline to pass ...")
            time.sleep(wait)
        late_results = [submit(*job) for job in late]
    finally:
        server.terminate()
        server.wait(10)

    from recruitment.enums import Stage
    from recruitment.models import Application, StageChange

    slowest = sorted(
        zip((r[0] for r in results), (at for at, _ in jobs), strict=True), reverse=True
    )[:10]
    print("slowest (latency s, arrival s):", [(round(lat, 2), round(at, 1)) for lat, at in slowest])
    latencies = sorted(r[0] * 1000 for r in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    statuses = {s: sum(1 for r in results if r[1] == s) for s in {r[1] for r in results}}
    submitted = Application.objects.filter(round=rnd, stage=Stage.SUBMITTED)
    on_time_refs = {ref for ref, _ in on_time}
    late_refs = {ref for ref, _ in late}
    checks = {
        "every on-time applicant submitted once": set(submitted.values_list("ref", flat=True))
        == on_time_refs,
        "one submission record each (doubles made one)": StageChange.objects.filter(
            application__round=rnd, to_stage=Stage.SUBMITTED
        ).count()
        == len(on_time_refs),
        "none submitted after the deadline": not submitted.filter(
            submitted_at__gte=rnd.closes_at
        ).exists(),
        "late submissions refused, drafts kept": Application.objects.filter(
            ref__in=late_refs, stage=Stage.DRAFT
        ).count()
        == len(late_refs)
        and all(r[2] for r in late_results),
        "p95 below 500 ms": p95 < 500,
    }
    print(
        f"requests: {len(results)} in {wall:.1f} s ({len(results) / wall:.1f} requests/s on average, {args.workers} gunicorn workers)"
    )
    print(f"status codes: {statuses}")
    print(
        f"latency ms: median {statistics.median(latencies):.0f}, p95 {p95:.0f}, max {latencies[-1]:.0f}"
    )
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
