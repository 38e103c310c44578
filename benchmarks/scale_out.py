"""Scale-out: two web nodes and two Celery workers sharing one PostgreSQL, one Redis and one
S3-compatible store, as behind a load balancer.

    .venv/bin/python benchmarks/scale_out.py [--applicants 600] [--minutes 2] [--kill-burst 200]

Starts, all on 127.0.0.1: moto's S3 server (a fresh bucket), gunicorn node A and node B, and two
Celery workers (named a and b), against a throwaway database (fellowship_scaleout on the
PostgreSQL at 127.0.0.1:5432, or SCALEOUT_DATABASE_URL) and Redis database 9 on 127.0.0.1:6379
(nothing here stops either server). Requests go through a small client-side balancer: round robin
over the nodes it believes are up, and a request whose connection fails is sent to the other node
(as a load balancer's retry on a dead upstream). Then it checks:

  1. a CV uploaded through node A downloads, byte for byte, through node B, and lives in the
     bucket, not on either node's disk;
  2. a benefits report requested on node A is rendered by one of the workers (either) and its
     PDF downloads through node B;
  3. the deadline burst through both nodes: --applicants submissions arriving at random over
     --minutes: every confirmed submission stored, none twice, p95 below 500 ms;
  4. node A is killed (SIGKILL, master and workers) in the middle of a second burst of
     --kill-burst submissions: every submission is still stored exactly once (none lost), the
     ones caught by the kill retried on node B.
Prints every check with its figure and exits non-zero if any fails. Run by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import io
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _harness import (
    ROOT,
    app_env,
    build_drafts,
    create_database,
    load_average,
    percentile,
    serve,
    setup_django,
    signed_in_session,
    start_worker,
    stop,
    verdict,
)

sys.path.insert(0, str(ROOT))
from tests.object_store import KEYS, REGION, new_bucket, start_server

PORTS = {"A": 8781, "B": 8782}
DB_URL = os.environ.get(
    "SCALEOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fellowship_scaleout"
)
REDIS_URL = "redis://127.0.0.1:6379/9"
NO_MEDIA = Path("/tmp/fellowship-scaleout-media")  # must stay empty: files go to the bucket
LOGS = Path("/tmp/fellowship-scaleout")
CHECKS: list[tuple[str, str, bool]] = []


def check(name: str, figure: str, ok: bool) -> None:
    CHECKS.append((name, figure, ok))
    print(f"  {verdict(ok)}  {name}: {figure}", flush=True)


# The balancer ------------------------------------------------------------------------------------


class Balancer:
    """Round robin over the nodes believed up; a failed connection marks the node down and the
    request is sent to the next one (idempotent here: submitting twice stores once)."""

    def __init__(self) -> None:
        self.up = dict.fromkeys(PORTS, True)
        self.turn = 0
        self.lock = threading.Lock()
        self.retried = 0

    def order(self) -> list[str]:
        with self.lock:
            self.turn += 1
            names = [n for n in PORTS if self.up[n]] or list(PORTS)
            start = self.turn % len(names)
            return names[start:] + names[:start]

    def send(self, method, path, *, session=None, body=None, content_type=None, node=None):
        """(node, status, headers, body, seconds) of one request, retried on another node if its
        connection fails."""
        started = time.perf_counter()
        for attempt, name in enumerate([node] if node else self.order()):
            try:
                status, headers, content = _http(
                    PORTS[name], method, path, session, body, content_type
                )
            except OSError:
                with self.lock:
                    self.up[name] = False
                    self.retried += attempt == 0
                continue
            return name, status, headers, content, time.perf_counter() - started
        return None, 0, {}, b"", time.perf_counter() - started


def _http(port, method, path, session, body, content_type):
    csrf = secrets.token_hex(16)
    headers = {"Host": "127.0.0.1"}
    cookies = [f"sessionid={session}"] if session else []
    if body is not None:
        cookies.append(f"csrftoken={csrf}")
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        if callable(body):
            body = body(csrf)
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def form(fields: dict[str, str]):
    from urllib.parse import urlencode

    return lambda csrf: urlencode({"csrfmiddlewaretoken": csrf, **fields})


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]], boundary: str):
    def build(csrf: str) -> bytes:
        out = io.BytesIO()
        for name, value in {"csrfmiddlewaretoken": csrf, **fields}.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            out.write(f"{value}\r\n".encode())
        for name, (filename, content, mime) in files.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
            )
            out.write(content + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return out.getvalue()

    return build


# Set-up --------------------------------------------------------------------------------------------


def build(env: dict[str, str], drafts: int) -> dict:
    setup_django(env)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command

    from fellowship.enums import Role
    from fellowship.models import Cohort, RoleGrant, User

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo")
    faculty = User.objects.create(email="scaleout-faculty@example.org", full_name="Scale Faculty")
    RoleGrant.objects.create(user=faculty, role=Role.FACULTY)
    TOTP.activate(faculty, "JBSWY3DPEHPK3PXPSCALEOUTTEST")
    cohort = Cohort.objects.order_by("-number").first()
    _, clients = build_drafts(drafts, closes_in=datetime.timedelta(hours=2))
    return {"faculty": signed_in_session(faculty), "cohort": cohort.pk, "drafts": clients}


def _renders_by_worker() -> dict[str, int]:
    """How many report renders each worker has run (Celery's own counters, over the broker)."""
    from fellowship.celery import app

    stats = {}
    with contextlib.suppress(Exception):
        stats = app.control.inspect(timeout=2).stats() or {}
    return {
        worker.split("@", 1)[0]: stats[worker]
        .get("total", {})
        .get("reports.tasks.render_report", 0)
        for worker in stats
    }


def kill_node(server: subprocess.Popen) -> None:
    """SIGKILL gunicorn's workers and master at once: the node dies mid-request."""
    subprocess.run(["pkill", "-KILL", "-P", str(server.pid)], check=False)
    with contextlib.suppress(ProcessLookupError):
        os.kill(server.pid, signal.SIGKILL)
    server.wait(10)


# The checks ----------------------------------------------------------------------------------------


def cv_across_nodes(lb: Balancer, bucket, drafts) -> None:
    from recruitment.models import Application

    print("\n[1] a CV uploaded through node A, downloaded through node B", flush=True)
    ref, session = drafts[0]
    marker = secrets.token_hex(16).encode()
    cv = b"%PDF-1.4\n% scale-out CV " + marker + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    boundary = secrets.token_hex(12)
    node, status, _, page, _ = lb.send(
        "POST",
        f"/apply/{ref}/documents/",
        session=session,
        node="A",
        body=multipart({"action": "continue"}, {"cv": ("cv.pdf", cv, "application/pdf")}, boundary),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    name = Application.objects.get(ref=ref).cv.name
    if status != 302:
        errors = re.findall(rb"nhsuk-error-message[^>]*>(.*?)</", page, re.S)
        print(f"    the upload was refused: {errors[:3]}", flush=True)
    in_bucket = name in bucket.object_names() and bucket.read(name) == cv
    node_b, got, _, body, _ = lb.send("GET", f"/apply/{ref}/files/cv/", session=session, node="B")
    on_disk = [p for p in NO_MEDIA.rglob("*") if p.is_file()] if NO_MEDIA.exists() else []
    check(
        "CV uploaded on A is in the bucket and downloads identically on B",
        f"upload on {node}: {status}; object {name} in bucket: {in_bucket}; download on {node_b}: "
        f"{got}, {len(body)} bytes, identical: {body == cv}; files on the nodes' disk: {len(on_disk)}",
        status == 302 and in_bucket and got == 200 and body == cv and not on_disk,
    )


def report_across_nodes(lb: Balancer, bucket, ctx: dict) -> None:
    from reports.enums import ReportState
    from reports.models import ReportJob

    print(
        "\n[2] a report requested on node A, rendered by a worker, downloaded on node B", flush=True
    )
    # The demo data queued reports of its own: let the workers finish them first, so that the
    # counters below tell which worker took this one.
    from reports.enums import ACTIVE_STATES

    waited = time.perf_counter()
    while ReportJob.objects.filter(state__in=ACTIVE_STATES).exists():
        if time.perf_counter() - waited > 300:
            break
        time.sleep(1)
    before = _renders_by_worker()
    t0 = time.perf_counter()
    node, status, headers, _, _ = lb.send(
        "POST",
        "/reports/new/",
        session=ctx["faculty"],
        node="A",
        body=form({"cohort": str(ctx["cohort"]), "suppress_below": "5"}),
    )
    match = re.search(r"/reports/(\d+)/$", headers.get("Location", ""))
    job = None
    while match and time.perf_counter() - t0 < 300:
        job = ReportJob.objects.get(pk=int(match.group(1)))
        if job.state in (ReportState.DONE, ReportState.FAILED):
            break
        time.sleep(0.5)
    after = _renders_by_worker()
    rendered_by = sorted(w for w, n in after.items() if n > before.get(w, 0))
    done = job is not None and job.state == ReportState.DONE
    node_b, got, _, body, _ = (
        lb.send("GET", f"/reports/{job.pk}/download/pdf/", session=ctx["faculty"], node="B")
        if done
        else (None, 0, {}, b"", 0)
    )
    same = done and body == bucket.read(job.pdf.name)
    check(
        "report requested on A, rendered by a worker, downloaded on B",
        f"request on {node}: {status}; job {'done' if done else job and job.state} in "
        f"{time.perf_counter() - t0:.1f} s by worker {'/'.join(rendered_by) or '?'}; download on "
        f"{node_b}: {got}, {len(body)} bytes, the bucket's object: {same}",
        status == 302 and done and got == 200 and body.startswith(b"%PDF") and same,
    )


def burst(lb: Balancer, drafts, seconds: float, *, kill=None) -> dict:
    """Submit every draft at a random moment within `seconds` (a Poisson process); `kill` is
    called at half time. Results per ref."""
    rng = random.Random(2026)
    gaps = [rng.expovariate(len(drafts) / seconds) for _ in drafts]
    scale = seconds / sum(gaps)
    t0 = time.perf_counter()
    arrivals, at = [], 0.0
    for gap in gaps:
        at += gap * scale
        arrivals.append(at)

    def submit(item):
        (ref, session), moment = item
        time.sleep(max(0.0, t0 + moment - time.perf_counter()))
        node, status, _, _, elapsed = lb.send(
            "POST", f"/apply/{ref}/review/", session=session, body=form({"agree": "on"})
        )
        return ref, node, status, elapsed

    killer = None
    if kill is not None:
        killer = threading.Timer(seconds / 2, kill)
        killer.start()
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(submit, zip(drafts, arrivals, strict=True)))
    if killer is not None:
        killer.join()
    return {"results": results, "seconds": time.perf_counter() - t0}


def judge_burst(name: str, drafts, outcome: dict, *, latency_target: float | None) -> None:
    from recruitment.enums import Stage
    from recruitment.models import Application

    results = outcome["results"]
    statuses = Counter(status for _, _, status, _ in results)
    nodes = Counter(node for _, node, _, _ in results)
    confirmed = {ref for ref, _, status, _ in results if 200 <= status < 400}
    refs = [ref for ref, _ in drafts]
    stored = Counter(
        Application.objects.filter(ref__in=refs, stage=Stage.SUBMITTED).values_list(
            "ref", flat=True
        )
    )
    lost = len(confirmed - set(stored))
    ms = [elapsed * 1000 for *_, elapsed in results]
    p95 = percentile(ms, 95)
    figure = (
        f"{len(results)} in {outcome['seconds']:.1f} s ({len(results) / outcome['seconds']:.1f}/s); "
        f"nodes {dict(nodes)}; statuses {dict(statuses)}; {len(confirmed)} confirmed, "
        f"{sum(stored.values())} stored, {lost} lost; median {percentile(ms, 50):.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(ms, default=0):.0f} ms"
    )
    ok = (
        lost == 0
        and len(confirmed) == len(results)
        and sum(stored.values()) == len(results)
        and all(n == 1 for n in stored.values())
        and (latency_target is None or p95 < latency_target)
    )
    check(name, figure, ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=600)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--kill-burst", type=int, default=200)
    parser.add_argument("--kill-seconds", type=float, default=30)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    LOGS.mkdir(exist_ok=True)
    for log in LOGS.glob("*.log"):
        log.unlink()
    subprocess.run(["rm", "-rf", str(NO_MEDIA)], check=True)
    s3, endpoint = start_server()
    bucket = new_bucket(endpoint)
    env = app_env(
        DB_URL,
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        MEDIA_ROOT=str(NO_MEDIA),
        AWS_STORAGE_BUCKET_NAME=bucket.name,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=KEYS["access_key"],
        AWS_SECRET_ACCESS_KEY=KEYS["secret_key"],
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], check=True, capture_output=True)
    t0 = time.perf_counter()
    create_database(DB_URL)
    ctx = build(env, 1 + args.applicants + args.kill_burst)
    print(f"set-up: demo data and {len(ctx['drafts'])} drafts in {time.perf_counter() - t0:.1f} s")

    servers: dict[str, subprocess.Popen] = {}
    workers = []
    try:
        for name, port in PORTS.items():
            servers[name] = serve(
                env,
                port=port,
                workers=args.web_workers,
                threads=4,
                logfile=str(LOGS / f"node-{name}.log"),
            )
        for name in ("a", "b"):
            workers.append(
                start_worker(
                    env,
                    logfile=str(LOGS / f"worker-{name}.log"),
                    nice=10,
                    hostname=f"{name}@scaleout",
                )
            )
        print(f"two nodes (ports {PORTS['A']}, {PORTS['B']}) and two workers up; {load_average()}")
        lb = Balancer()
        drafts = ctx["drafts"]
        cv_across_nodes(lb, bucket, drafts[:1])
        report_across_nodes(lb, bucket, ctx)

        burst_drafts = drafts[1 : 1 + args.applicants]
        print(
            f"\n[3] deadline burst: {len(burst_drafts)} submissions over {args.minutes:g} min "
            f"through both nodes; {load_average()}",
            flush=True,
        )
        outcome = burst(lb, burst_drafts, args.minutes * 60)
        judge_burst(
            "deadline burst through both nodes: none lost, p95 < 500 ms",
            burst_drafts,
            outcome,
            latency_target=500,
        )

        kill_drafts = drafts[1 + args.applicants :]
        print(
            f"\n[4] node A killed half way through {len(kill_drafts)} submissions over "
            f"{args.kill_seconds:g} s",
            flush=True,
        )
        killed = {}

        def kill() -> None:
            killed["at"] = time.perf_counter()
            kill_node(servers["A"])
            print("    node A killed (SIGKILL)", flush=True)

        outcome = burst(lb, kill_drafts, args.kill_seconds, kill=kill)
        judge_burst(
            f"node A killed mid-burst: none lost ({lb.retried} requests retried on node B)",
            kill_drafts,
            outcome,
            latency_target=None,
        )
    finally:
        for server in servers.values():
            stop(server)
        for worker in workers:
            stop(worker)
        s3.terminate()

    print(f"\n{'check':<90} figure")
    for name, figure, ok in CHECKS:
        print(f"{verdict(ok)}  {name:<84} {figure}")
    return 0 if CHECKS and all(ok for _, _, ok in CHECKS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
