"""The faculty pages at a national round: their HTML size, query count and speed under load.

    .venv/bin/python benchmarks/national_scale.py [--applications 600] [--seconds 30] [--users 20]

It builds a throwaway database (fellowship_national on PostgreSQL at 127.0.0.1:5432, or
NATIONAL_DATABASE_URL) holding one closed round of --applications submitted applications, built
in bulk: equality answers, three reviewers each with a score per criterion, so that the
shortlisting page has content. Then:
  - in this process, with Django's test client, it fetches every faculty page once and records
    its HTML size and the number of database queries it made;
  - it serves the app with gunicorn as the production image does (3 sync workers; --workers and
    --threads to change it), with the cache on Redis, shared by every process as in
    production (--local-cache for a cache per process), and --users faculty open those pages at
    random for --seconds, pausing 0–2×--think seconds between pages; it reports p50/p95 per page.
Targets: every page under 300 KB of HTML and p95 under 300 ms. Query counts must not grow with
the round: compare the figures of a run at 600 with one at 6,000 (`--expect-queries FILE` checks
this run against a saved run, `--save-queries FILE` saves it). Prints a table and PASS/FAIL;
exits non-zero on a miss. Run by hand; not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from _harness import (
    app_env,
    build_drafts,
    create_database,
    load_average,
    percentile,
    request,
    serve,
    setup_django,
    signed_in_session,
    stop,
    verdict,
)

PORT = 8771
DB_URL = os.environ.get(
    "NATIONAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fellowship_national"
)
ENV = app_env(DB_URL, MEDIA_ROOT="/tmp/fellowship-national-media")
# The cache shared by every worker process, as in production (several processes, REDIS_URL set);
# --local-cache gives each process its own memory instead.
SHARED_CACHE = {"REDIS_URL": "redis://127.0.0.1:6379/6", "CACHE_KEY_PREFIX": "national-scale"}
SIZE_LIMIT = 300 * 1024
P95_LIMIT_MS = 300
REVIEWERS = 3


def build(applications: int):
    """The round, its applications with equality answers and scores, and one faculty user."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Permission
    from django.urls import reverse
    from django.utils import timezone

    from fellowship.enums import Role
    from fellowship.models import RoleGrant, User
    from recruitment.enums import Stage
    from recruitment.models import (
        Application,
        EqualityRecord,
        ReviewerAssignment,
        ShortlistScore,
    )

    rnd, _ = build_drafts(applications, closes_in=timedelta(days=1))
    now = timezone.now()
    Application.objects.filter(round=rnd).update(
        stage=Stage.SUBMITTED, furthest_stage=Stage.SUBMITTED, submitted_at=now
    )
    rnd.closes_at = now - timedelta(days=1)
    rnd.save(update_fields=["closes_at"])
    apps = list(Application.objects.filter(round=rnd).order_by("pk"))
    sexes, ages = ("female", "male", ""), ("25_34", "35_44", "45_54", "")
    EqualityRecord.objects.bulk_create(
        EqualityRecord(application=a, sex=sexes[n % 3], age_band=ages[n % 4])
        for n, a in enumerate(apps)
    )
    faculty = User.objects.create(email="national@example.org", full_name="National Faculty")
    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{n}@example.org", full_name=f"Reviewer {n}", password="!")
        for n in range(10)
    )
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=faculty, role=Role.FACULTY)]
        + [RoleGrant(user=u, role=Role.PANELLIST) for u in reviewers]
    )
    TOTP.activate(faculty, "JBSWY3DPEHPK3PXPNATIONAL")
    faculty.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    assignments = ReviewerAssignment.objects.bulk_create(
        ReviewerAssignment(application=a, reviewer=reviewers[(n + k) % len(reviewers)])
        for n, a in enumerate(apps)
        for k in range(REVIEWERS)
    )
    criteria = list(rnd.criteria.all())
    ShortlistScore.objects.bulk_create(
        ShortlistScore(assignment=s, criterion=c, score=(s.pk + c.pk) % 5)
        for s in assignments
        for c in criteria
    )
    pages = {
        "shortlisting": reverse("shortlisting", args=[rnd.pk]),
        "application list": reverse("application_list", args=[rnd.pk]),
        "equality": reverse("equality_monitoring", args=[rnd.pk]),
        "catalogue": reverse("catalogue", args=[rnd.cohort.number]),
        "fellows": reverse("fellow_list"),
        "people": reverse("person_list"),
        "audit log": reverse("audit_log"),
        "invitations": reverse("invitation_list"),
        "matching": reverse("matching_list"),
        "vetting queue": reverse("review_queue"),
        "portfolios": reverse("portfolio_list"),
        "surveys": reverse("survey_list"),
    }
    return faculty, pages


def measure_in_process(faculty, pages: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Each page's (status, HTML bytes, queries) through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.cookies["sessionid"] = signed_in_session(faculty)
    figures = {}
    for name, path in pages.items():
        client.get(path)  # warm caches (templates, settings) so the count is the steady one
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        figures[name] = (response.status_code, len(response.content), len(queries))
    return figures


def browse(session: str, pages: dict[str, str], stop_at: float, seed: int, think: float):
    """One user opening pages at random, pausing 0–2×`think` seconds between them."""
    rng = random.Random(seed)
    results = []
    time.sleep(rng.uniform(0, 2 * think))  # users do not all arrive in the same millisecond
    while time.perf_counter() < stop_at:
        name = rng.choice(list(pages))
        results.append(request(PORT, "GET", pages[name], session=session, name=name))
        time.sleep(rng.uniform(0, 2 * think))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages (s)")
    # As the production image runs it (Dockerfile): three sync workers.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save-queries", help="write this run's query counts to a JSON file")
    parser.add_argument("--expect-queries", help="fail if counts differ from this saved run")
    parser.add_argument(
        "--local-cache", action="store_true", help="each process its own cache, not Redis"
    )
    args = parser.parse_args()

    if not args.local_cache:
        ENV.update(SHARED_CACHE)
    create_database(DB_URL)
    setup_django(ENV)
    started = time.perf_counter()
    faculty, pages = build(args.applications)
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    with connection.cursor() as cursor:  # as autovacuum would, in time: the planner's statistics
        cursor.execute("ANALYZE")
    print(f"Built {args.applications} applications in {time.perf_counter() - started:.0f} s")
    figures = measure_in_process(faculty, pages)
    expected = {}
    if args.expect_queries:
        with open(args.expect_queries) as f:
            expected = json.load(f)
    if args.save_queries:
        with open(args.save_queries, "w") as f:
            json.dump({name: q for name, (_, _, q) in figures.items()}, f, indent=1)

    from django.db import connections

    connections.close_all()
    server = serve(ENV, port=PORT, workers=args.workers, threads=args.threads)
    try:
        sessions = [signed_in_session(faculty) for _ in range(args.users)]
        stop_at = time.perf_counter() + args.seconds
        with ThreadPoolExecutor(args.users) as pool:
            batches = pool.map(
                lambda n: browse(sessions[n], pages, stop_at, n, args.think), range(args.users)
            )
            results = [r for batch in batches for r in batch]
    finally:
        stop(server)

    by_page = defaultdict(list)
    for r in results:
        by_page[r.name].append(r)
    ok = True
    cache_kind = "each process its own" if args.local_cache else "shared (Redis)"
    print(
        f"\n{args.applications} applications, {args.users} users for {args.seconds:.0f} s, "
        f"gunicorn {args.workers} workers × {args.threads} threads, cache {cache_kind}, "
        f"{load_average()}"
    )
    head = f"{'page':<18} {'status':>6} {'KB':>7} {'queries':>8} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}  verdict"
    print(head)
    print("-" * len(head))
    for name in pages:
        status, size, queries = figures[name]
        rs = by_page.get(name, [])
        ms = [r.seconds * 1000 for r in rs]
        errors = sum(1 for r in rs if r.status != 200)
        p50 = statistics.median(ms) if ms else 0.0
        p95 = percentile(ms, 95)
        same = name not in expected or expected[name] == queries
        good = status == 200 and size < SIZE_LIMIT and p95 < P95_LIMIT_MS and not errors and same
        ok &= good
        note = "" if same else f" (queries were {expected[name]})"
        print(
            f"{name:<18} {status:>6} {size / 1024:>7.1f} {queries:>8} {len(rs):>8} {errors:>6} "
            f"{p50:>7.0f} {p95:>7.0f}  {verdict(good)}{note}"
        )
    print(
        f"\nTargets: HTML < {SIZE_LIMIT // 1024} KB, p95 < {P95_LIMIT_MS} ms, no errors, same queries"
    )
    print(verdict(ok))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
