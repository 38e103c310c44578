"""Fifty faculty browsing while benefits reports render: gunicorn + PostgreSQL + Redis + a Celery worker.

    .venv/bin/python benchmarks/load_faculty.py [--users 50] [--seconds 60] [--think 1.0]

It builds a throwaway database (fellowship_load on a private PostgreSQL at 127.0.0.1:5440, or
LOAD_DATABASE_URL) with the demo programme (`load_demo`) and --users faculty accounts with an
authenticator, signed in by writing their sessions directly (no 50 two-factor sign-ins). It
serves the app with gunicorn (--workers × --threads), starts one Celery worker on a private Redis
(127.0.0.1:6390, or LOAD_REDIS_URL; the Redis must be running), then for --seconds:
  - each simulated user opens faculty pages at random (cohorts, fellows, people, recruitment
    rounds and applications, equality, matching, vetting, surveys and results, portfolios,
    posters, testimonials, reports, mentoring), pausing 0–2×--think seconds between pages;
  - one of them requests a benefits report through the web form, and when it is stored requests
    another (a different threshold), so a report renders on the worker throughout.
It prints requests, errors, p50/p95/max per page and overall, the reports rendered, and PASS/FAIL
against p95 < 500 ms and no errors; exits non-zero on a FAIL. Run by hand; not part of the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from _harness import (
    Result,
    app_env,
    create_database,
    load_average,
    percentile,
    request,
    serve,
    setup_django,
    signed_in_session,
    start_worker,
    stop,
    verdict,
)

PORT = 8766
DB_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5440/fellowship_load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6390/0")
ENV = app_env(
    DB_URL,
    REDIS_URL=REDIS_URL,
    CELERY_BROKER_URL=REDIS_URL,
    CELERY_TASK_ALWAYS_EAGER="false",
    MEDIA_ROOT="/tmp/fellowship-load-media",
)
WORKER_LOG = "/tmp/fellowship-load-worker.log"
P95_LIMIT_MS = 500


def build(users: int) -> tuple[list[str], dict[str, str], int]:
    """Demo data and `users` signed-in faculty: (session keys, page name → path, latest cohort pk)."""
    setup_django(ENV)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db.models import Count
    from django.urls import reverse

    from fellowship.enums import Role
    from fellowship.models import Cohort, RoleGrant, User
    from recruitment.models import RecruitmentRound
    from surveys.models import Survey

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo")
    faculty = User.objects.bulk_create(
        User(email=f"load-faculty{n}@example.org", full_name=f"Load Faculty {n}", password="!")
        for n in range(users)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.FACULTY) for u in faculty)
    # Equality monitoring is granted person by person; these faculty hold it.
    equality = Permission.objects.get(codename="view_equality_monitoring")
    for user in faculty:
        TOTP.activate(user, "JBSWY3DPEHPK3PXPLOADTEST")
        user.user_permissions.add(equality)
    sessions = [signed_in_session(user) for user in faculty]

    latest = Cohort.objects.order_by("-number").first()
    busiest = RecruitmentRound.objects.annotate(n=Count("applications")).order_by("-n").first()
    survey = Survey.objects.annotate(n=Count("responses")).order_by("-n").first()
    pages = {
        "home": reverse("home"),
        "cohort list": reverse("cohort_list"),
        "cohort detail": reverse("cohort_detail", args=[latest.number]),
        "fellow list": reverse("fellow_list"),
        "workshop list": reverse("workshop_list"),
        "people": reverse("person_list"),
        "recruitment rounds": reverse("round_admin_list"),
        "applications list": reverse("application_list", args=[busiest.pk]),
        "equality monitoring": reverse("equality_monitoring", args=[busiest.pk]),
        "matching list": reverse("matching_list"),
        "matching detail": reverse("matching_detail", args=[latest.number]),
        "vetting queue": reverse("review_queue"),
        "project overview": reverse("project_overview"),
        "survey list": reverse("survey_list"),
        "survey results": reverse("survey_results", args=[survey.pk]),
        "portfolio list": reverse("portfolio_list"),
        "poster gallery": reverse("poster_gallery"),
        "testimonials": reverse("testimonial_list"),
        "reports": reverse("report_list"),
        "mentoring list": reverse("mentoring_list"),
        "mentoring cohort": reverse("mentoring_cohort", args=[latest.number]),
    }
    return sessions, pages, latest.pk


def flush_private_redis() -> None:
    """Empty the benchmark's own Redis (never the shared one) so no old message is delivered."""
    host_port, db = REDIS_URL.removeprefix("redis://").rsplit("/", 1)
    host, port = host_port.split(":")
    if port == "6379":
        raise SystemExit("LOAD_REDIS_URL must name a private Redis, not the shared one on 6379")
    subprocess.run(
        ["redis-cli", "-h", host, "-p", port, "-n", db, "flushdb"], check=True, capture_output=True
    )


class Reports:
    """Requests a report through the web form, waits for the worker to store it, then another."""

    def __init__(self, session: str, cohort_pk: int) -> None:
        self.session, self.cohort_pk = session, cohort_pk
        self.rendered: list[float] = []  # seconds from request to stored
        self.failed: list[str] = []
        self.busy_seconds = 0.0
        self.requests: list[Result] = []

    def run(self, stop_at: float) -> None:
        from reports.enums import ReportState
        from reports.models import ReportJob

        threshold = 1
        while time.perf_counter() < stop_at:
            threshold += 1
            posted = request(
                PORT,
                "POST",
                "/reports/new/",
                session=self.session,
                form={"cohort": str(self.cohort_pk), "suppress_below": str(threshold)},
                name="report request (POST)",
            )
            self.requests.append(posted)
            if posted.status != 302 or "/reports/" not in posted.location:
                self.failed.append(f"request answered {posted.status}")
                time.sleep(1)
                continue
            job_id = int(posted.location.rstrip("/").rsplit("/", 1)[1])
            started = time.perf_counter()
            while True:
                job = ReportJob.objects.get(pk=job_id)
                if job.state in (ReportState.DONE, ReportState.FAILED):
                    break
                if time.perf_counter() - started > 300:
                    self.failed.append(f"job {job_id} still {job.state} after 300 s")
                    return
                time.sleep(0.25)
            took = time.perf_counter() - started
            self.busy_seconds += min(took, max(0.0, stop_at - started))
            if job.state == ReportState.DONE and job.pdf:
                self.rendered.append(took)
            else:
                self.failed.append(f"job {job_id}: {job.failure_reason or job.state}")


def browse(
    session: str, pages: dict[str, str], stop_at: float, think: float, seed: int
) -> list[Result]:
    rng = random.Random(seed)
    names = list(pages)
    results = []
    time.sleep(rng.uniform(0, 2 * think))  # users do not all arrive in the same millisecond
    while time.perf_counter() < stop_at:
        name = rng.choice(names)
        results.append(request(PORT, "GET", pages[name], session=session, name=name))
        time.sleep(rng.uniform(0, 2 * think))
    return results


def summarise(results: list[Result]) -> tuple[list[tuple], float, int]:
    by_page: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_page[r.name].append(r)
    rows = []
    for name, rs in sorted(by_page.items()):
        ms = [r.seconds * 1000 for r in rs]
        errors = sum(1 for r in rs if r.status != 200)
        rows.append((name, len(rs), errors, statistics.median(ms), percentile(ms, 95), max(ms)))
    all_ms = [r.seconds * 1000 for r in results]
    errors = sum(1 for r in results if r.status != 200)
    rows.append(
        (
            "ALL PAGES",
            len(results),
            errors,
            statistics.median(all_ms),
            percentile(all_ms, 95),
            max(all_ms),
        )
    )
    return rows, percentile(all_ms, 95), errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's pages (s)"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--no-report", action="store_true", help="browse without a report rendering"
    )
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="run the Celery worker at this CPU niceness"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    create_database(DB_URL)
    flush_private_redis()
    sessions, pages, cohort_pk = build(args.users)
    print(
        f"set-up: demo data, {len(sessions)} faculty sessions, {len(pages)} pages in {time.perf_counter() - t0:.1f} s"
    )

    worker = start_worker(ENV, concurrency=1, logfile=WORKER_LOG, nice=args.worker_nice)
    server = serve(ENV, port=PORT, workers=args.workers, threads=args.threads)
    try:
        # A server in service is warm: every page once on every worker thread before timing.
        warm = [
            request(PORT, "GET", path, session=sessions[0], name=name)
            for name, path in pages.items()
        ]
        broken = {r.name: r.status for r in warm if r.status != 200}
        if broken:
            print(f"pages not answering 200 before the load: {broken}")
        with ThreadPoolExecutor(args.workers * args.threads) as pool:
            list(
                pool.map(
                    lambda p: request(PORT, "GET", p, session=sessions[1]), list(pages.values()) * 3
                )
            )

        reports = Reports(sessions[0], cohort_pk)
        load_before = load_average()
        started = time.perf_counter()
        stop_at = started + args.seconds
        reporter = None
        if not args.no_report:
            reporter = threading.Thread(target=reports.run, args=(stop_at,), daemon=True)
            reporter.start()
        with ThreadPoolExecutor(args.users) as pool:
            batches = list(
                pool.map(
                    lambda n: browse(sessions[n], pages, stop_at, args.think, n), range(args.users)
                )
            )
        wall = time.perf_counter() - started
        if reporter is not None:
            reporter.join(timeout=300)
    finally:
        stop(server)
        stop(worker)

    results = [r for batch in batches for r in batch]
    rows, p95, errors = summarise(results)
    print(
        f"\n{args.users} faculty for {wall:.0f} s (think {args.think:.1f} s), gunicorn {args.workers}×{args.threads}: "
        f"{len(results)} requests, {len(results) / wall:.1f}/s; "
        f"machine: {load_before} before, {load_average()} after"
    )
    print(f"{'page':<24}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, n, e, p50, p95_, worst in rows:
        print(f"{name:<24}{n:>9}{e:>8}{p50:>9.0f}{p95_:>9.0f}{worst:>9.0f}")
    statuses = defaultdict(int)
    for r in results:
        statuses[r.status] += 1
    print(f"status codes: {dict(statuses)}")
    checks = {
        f"p95 over all pages below {P95_LIMIT_MS} ms ({p95:.0f} ms)": p95 < P95_LIMIT_MS,
        f"no errors ({errors} of {len(results)})": errors == 0,
    }
    if not args.no_report:
        rendered = ", ".join(f"{s:.1f}" for s in reports.rendered) or "none"
        print(
            f"reports: {len(reports.rendered)} stored during the load (request → stored, s: {rendered}); "
            f"a report was rendering {100 * reports.busy_seconds / wall:.0f}% of the time"
        )
        checks[f"reports rendered and stored while browsing ({len(reports.rendered)})"] = bool(
            reports.rendered
        )
        checks[
            f"no report failed ({len(reports.failed)}: {reports.failed[:3]})"
        ] = not reports.failed
    for name, ok in checks.items():
        print(f"  {verdict(ok)}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
