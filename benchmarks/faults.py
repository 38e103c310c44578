"""Faults: kill the Celery worker mid-report, stop Redis during submissions, restart PostgreSQL.

    .venv/bin/python benchmarks/faults.py [--only worker,redis,postgres] [--redis-seconds 30]

Runs against PRIVATE servers only, which it stops and starts: a PostgreSQL cluster on
127.0.0.1:5440 (FAULTS_PG_CLUSTER, default "15 faults", made with
`pg_createcluster 15 faults --port 5440 -- --auth=trust`) and a Redis on 127.0.0.1:6390
(started by this script with --save "" --appendonly no, pid file /tmp/faults-redis.pid). It
refuses the shared servers on 5432 and 6379. The app runs under gunicorn with persistent database
connections (CONN_MAX_AGE 60, health checks on), a Celery worker, and a small SMTP sink in this
process that counts every e-mail the worker or the web process sends.

  worker:   a report is requested through the web form; once the worker is rendering it, the
            whole worker is killed with SIGKILL and a new one started. The job is picked up by
            the stale-job sweep (Celery beat in production: STALE_AFTER 3 min + a 1 min beat;
            here both are shortened to --stale-seconds for the demonstration) and must be stored
            exactly once. Measures the time from the kill to the stored report.
  redis:    applicants submit applications steadily; Redis (which keeps nothing: no snapshot, no
            append-only file, unless --redis-aof) is stopped for --redis-seconds in the middle and
            a report is requested while it is down. Every submission answered 2xx/3xx must be
            stored, none may answer 500, every submission's confirmation e-mail must arrive (from
            the outbox: a task lost with Redis's memory is made good by the sweep), and the report
            must be rendered after Redis returns and the sweep runs.
  postgres: faculty browse while the PostgreSQL cluster is stopped for --pg-seconds and started
            again. Requests meanwhile must get the 503 "service unavailable" page (never a 500)
            and the app must serve 200s again by itself; measures the time to recover.

Prints each check with its figure and PASS/FAIL; exits non-zero on a FAIL. Run by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import random
import re
import signal
import socketserver
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _harness import (
    ROOT,
    VENV_BIN,
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

PORT = 8767
SMTP_PORT = 8725
PG_PORT = 5440
PG_CLUSTER = os.environ.get("FAULTS_PG_CLUSTER", "15 faults").split()
REDIS_PORT = 6390
REDIS_PIDFILE = "/tmp/faults-redis.pid"
DB_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/fellowship_faults"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
MEDIA = Path("/tmp/fellowship-faults-media")
GUNICORN_LOG = Path("/tmp/fellowship-faults-gunicorn.log")
WORKER_LOG = Path("/tmp/fellowship-faults-worker.log")
ENV = app_env(
    DB_URL,
    REDIS_URL=REDIS_URL,
    CELERY_BROKER_URL=REDIS_URL,
    CELERY_TASK_ALWAYS_EAGER="false",
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=str(SMTP_PORT),
    MEDIA_ROOT=str(MEDIA),
    LOG_LEVEL="WARNING",
)
CHECKS: list[tuple[str, str, bool]] = []


def check(name: str, figure: str, ok: bool) -> None:
    CHECKS.append((name, figure, ok))
    print(f"  {verdict(ok)}  {name}: {figure}", flush=True)


def since(t0: float) -> str:
    return f"{time.perf_counter() - t0:5.1f} s"


# Private servers --------------------------------------------------------------------------------


REDIS_AOF = {"on": False}  # --redis-aof: the queue survives a restart (append-only file)


def redis_start() -> None:
    persistence = ["--appendonly", "no"]
    if REDIS_AOF["on"]:
        persistence = ["--appendonly", "yes", "--appendfsync", "always", "--dir", "/tmp",
                       "--appenddirname", "faults-redis-aof"]  # fmt: skip
    subprocess.run(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--daemonize", "yes",
         "--save", "", *persistence, "--pidfile", REDIS_PIDFILE],
        check=True, capture_output=True,
    )  # fmt: skip
    for _ in range(50):
        if redis_up():
            return
        time.sleep(0.1)
    raise SystemExit("private Redis did not start")


def redis_up() -> bool:
    ping = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
    )
    return ping.stdout.strip() == "PONG"


def redis_stop() -> None:
    """Stop the private Redis by its own pid (its queue is in memory only, as configured)."""
    pid = int(Path(REDIS_PIDFILE).read_text().strip())
    os.kill(pid, signal.SIGTERM)
    while redis_up():
        time.sleep(0.05)


def pg(action: str) -> None:
    subprocess.run(["pg_ctlcluster", *PG_CLUSTER, action], check=True, capture_output=True)


def pg_ready() -> bool:
    return (
        subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)]).returncode == 0
    )


class SMTPSink(socketserver.ThreadingTCPServer):
    """Enough SMTP for Django's backend; keeps (recipients, subject) of every message."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", SMTP_PORT), _SMTPHandler)
        self.messages: list[tuple[tuple[str, ...], str]] = []
        self.lock = threading.Lock()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif upper.startswith("MAIL FROM"):
                recipients = []
                self.reply("250 ok")
            elif upper.startswith("RCPT TO"):
                recipients.append(verb.split(":", 1)[1].strip(" <>"))
                self.reply("250 ok")
            elif upper == "DATA":
                self.reply("354 go on")
                subject = ""
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    if data.lower().startswith(b"subject:") and not subject:
                        subject = data.decode(errors="replace").split(":", 1)[1].strip()
                with self.server.lock:
                    self.server.messages.append((tuple(recipients), subject))
                self.reply("250 stored")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def start_worker(stale_seconds: int) -> subprocess.Popen:
    """A Celery worker whose STALE_AFTER is `stale_seconds` (3 minutes in production)."""
    prelude = (
        "import datetime, sys, django; sys.path.insert(0, '.'); django.setup();"
        "import reports.services.jobs as s;"
        f"s.STALE_AFTER = datetime.timedelta(seconds={stale_seconds});"
        "from fellowship.celery import app;"
        "app.worker_main(['worker', '-l', 'WARNING', '--concurrency', '1',"
        " '--without-gossip', '--without-mingle'])"
    )
    output = WORKER_LOG.open("ab")
    return subprocess.Popen(
        [str(VENV_BIN / "python"), "-c", prelude], cwd=ROOT, env={**os.environ, **ENV},
        stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def worker_answers(timeout: float = 60) -> float | None:
    """Seconds until a Celery worker answers a ping over the broker, or None."""
    from fellowship.celery import app

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        with contextlib.suppress(Exception):
            if app.control.ping(timeout=0.5):
                return time.perf_counter() - t0
        time.sleep(0.2)
    return None


def sweep_until(job_id: int, *, every: float, timeout: float):
    """Run the stale-job sweep (Celery beat's job) every `every` s until the job finishes."""
    from reports import services
    from reports.enums import ReportState
    from reports.models import ReportJob

    t0 = time.perf_counter()
    next_sweep = t0
    while time.perf_counter() - t0 < timeout:
        job = ReportJob.objects.get(pk=job_id)
        if job.state in (ReportState.DONE, ReportState.FAILED):
            return job
        if time.perf_counter() >= next_sweep:
            services.requeue_stale_jobs()
            next_sweep += every
        time.sleep(0.2)
    return ReportJob.objects.get(pk=job_id)


def request_report(session: str, cohort_pk: int, threshold: int):
    posted = request(
        PORT, "POST", "/reports/new/", session=session,
        form={"cohort": str(cohort_pk), "suppress_below": str(threshold)},
    )  # fmt: skip
    job_id = None
    if posted.status == 302 and re.search(r"/reports/(\d+)/$", posted.location):
        job_id = int(re.search(r"/reports/(\d+)/$", posted.location).group(1))
    return posted, job_id


# The faults -------------------------------------------------------------------------------------


def fault_worker(ctx: dict, stale_seconds: int) -> None:
    from reports.enums import ReportState
    from reports.models import ReportJob

    print("\n[a] kill -9 the Celery worker while a report renders", flush=True)
    before = set(MEDIA.rglob("*.pdf"))
    worker = start_worker(stale_seconds)
    try:
        if worker_answers() is None:
            check("worker started", "no answer in 60 s", False)
            return
        posted, job_id = request_report(ctx["faculty"], ctx["cohort_pk"], 7)
        if job_id is None:
            check("report requested", f"HTTP {posted.status}", False)
            return
        t0 = time.perf_counter()
        while (
            job := ReportJob.objects.get(pk=job_id)
        ).state == ReportState.QUEUED or job.progress < 30:
            if time.perf_counter() - t0 > 60 or job.state in (ReportState.DONE, ReportState.FAILED):
                break
            time.sleep(0.05)
        state_at_kill = f"{job.state} at {job.progress}% ({job.step})"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        killed_at = time.perf_counter()
        unacked = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "hlen", "unacked"], capture_output=True, text=True
        ).stdout.strip()
        print(
            f"    killed the worker (process group {worker.pid}) with the job {state_at_kill}; "
            f"{unacked} message(s) left unacknowledged in Redis",
            flush=True,
        )
    finally:
        stop(worker)
    worker = start_worker(stale_seconds)
    try:
        job = sweep_until(job_id, every=min(5, stale_seconds), timeout=stale_seconds + 180)
        took = time.perf_counter() - killed_at
        new_pdfs = sorted(set(MEDIA.rglob("*.pdf")) - before)
        check(
            "job was rendering when the worker was killed",
            state_at_kill,
            "rendering" in state_at_kill,
        )
        check(
            "report completes after the kill (stale window shortened to "
            f"{stale_seconds} s; production ≤ 3 min + 1 min beat)",
            f"{job.state} {took:.1f} s after the kill, attempts {job.attempts}",
            job.state == ReportState.DONE,
        )
        check(
            "exactly one stored PDF for the job",
            f"{len(new_pdfs)} new PDF file(s): {[p.name for p in new_pdfs]}",
            len(new_pdfs) == 1 and job.pdf and Path(job.pdf.path) == new_pdfs[0],
        )
        # The killed attempt's message is still unacknowledged in Redis; when it comes back (after
        # the visibility timeout) the claim finds the job DONE and does nothing. Replay it now.
        from reports.services import run_report

        again = run_report(job_id)
        check(
            "a late redelivery of the killed attempt changes nothing",
            f"state {again.state}, PDF files {len(sorted(set(MEDIA.rglob('*.pdf')) - before))}",
            again.state == ReportState.DONE and again.pdf.name == job.pdf.name
            and len(sorted(set(MEDIA.rglob("*.pdf")) - before)) == 1,
        )  # fmt: skip
    finally:
        ctx["worker"] = worker


def fault_redis(ctx: dict, seconds: float, submissions: int) -> None:
    from recruitment.enums import Stage
    from recruitment.models import Application
    from reports.enums import ReportState
    from reports.models import ReportJob

    print(f"\n[b] stop Redis for {seconds:.0f} s while {submissions} applicants submit", flush=True)
    sink: SMTPSink = ctx["sink"]
    mail_before = len(sink.messages)
    drafts = ctx["drafts"][:submissions]
    emails = dict(
        Application.objects.filter(ref__in=[r for r, _ in drafts]).values_list(
            "ref", "applicant__email"
        )
    )
    lead = 10.0
    span = 2 * lead + seconds  # submissions before, during and after the outage
    gap = span / len(drafts)
    t0 = time.perf_counter()
    outage: dict[str, float] = {}
    report: dict = {}

    def saboteur() -> None:
        time.sleep(lead)
        redis_stop()
        outage["down"] = time.perf_counter()
        print(f"    {since(t0)} Redis stopped", flush=True)
        time.sleep(2)
        report["posted"], report["job_id"] = request_report(ctx["faculty"], ctx["cohort_pk"], 8)
        report["page"] = request(
            PORT, "GET", report["posted"].location or "/reports/", session=ctx["faculty"]
        )
        time.sleep(max(0.0, outage["down"] + seconds - time.perf_counter()))
        redis_start()
        outage["up"] = time.perf_counter()
        print(f"    {since(t0)} Redis started again", flush=True)

    def submit(i_job):
        i, (ref, session) = i_job
        time.sleep(max(0.0, t0 + i * gap - time.perf_counter()))
        r = request(
            PORT, "POST", f"/apply/{ref}/review/", session=session, form={"agree": "on"}, name=ref
        )
        return ref, r

    sabotage = threading.Thread(target=saboteur)
    sabotage.start()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(submit, enumerate(drafts)))
    sabotage.join()
    worker_back = worker_answers(timeout=120)
    recovered_after = (time.perf_counter() - outage["up"]) if worker_back is not None else None

    statuses = Counter(r.status for _, r in results)
    during = [r for _, r in results if outage["down"] <= r.started <= outage["up"]]
    ok_refs = {ref for ref, r in results if 200 <= r.status < 400}
    stored = set(
        Application.objects.filter(ref__in=ok_refs, stage=Stage.SUBMITTED).values_list(
            "ref", flat=True
        )
    )
    all_submitted = Application.objects.filter(
        ref__in=[r for r, _ in drafts], stage=Stage.SUBMITTED
    ).count()
    clear = [r for _, r in results if r.status == 503 and b"service is unavailable" in r.body]
    check(
        "submissions answered (status codes)",
        f"{dict(statuses)}; {len(during)} sent while Redis was down",
        not any(s >= 500 and s != 503 for s in statuses) and 0 not in statuses,
    )
    check(
        "every 2xx/3xx submission is stored (lost submissions)",
        f"{len(ok_refs)} confirmed, {len(stored)} stored, {len(ok_refs) - len(stored)} lost; "
        f"{all_submitted} submitted in the database",
        stored == ok_refs and all_submitted == len(ok_refs),
    )
    check(
        "any refusal is the clear 503 page",
        f"{len(clear)} of {statuses.get(503, 0)} 503s",
        len(clear) == statuses.get(503, 0),
    )
    ms = [r.seconds * 1000 for r in during]
    check(
        "submissions while Redis was down succeed without a long wait",
        f"{sum(1 for r in during if 200 <= r.status < 400)} of {len(during)} "
        f"confirmed; p95 {percentile(ms, 95):.0f} ms, max {max(ms, default=0):.0f} ms",
        all(200 <= r.status < 400 for r in during) and percentile(ms, 95) < 2000,
    )
    check(
        "Celery worker reconnects by itself after Redis returns",
        f"answered {recovered_after:.1f} s after Redis started"
        if recovered_after is not None
        else "no answer in 120 s",
        recovered_after is not None,
    )

    # Every submission's confirmation e-mail arrives: queued, sent directly while Redis was down,
    # or, when its task was lost with Redis's memory, sent by the outbox's sweep (Celery beat runs
    # it every minute in production; here this process runs it every 5 seconds).
    from fellowship import outbox

    deadline = time.perf_counter() + 90
    wanted = Counter(emails[ref] for ref in ok_refs)
    swept = {"tried": 0, "sent": 0}
    next_sweep = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        got = Counter(to for tos, _ in sink.messages[mail_before:] for to in tos)
        if all(got[e] >= n for e, n in wanted.items()):
            break
        if time.perf_counter() >= next_sweep:
            result = outbox.sweep()
            swept = {key: swept[key] + result[key] for key in swept}
            next_sweep = time.perf_counter() + 5
        time.sleep(0.5)
    got = Counter(to for tos, _ in sink.messages[mail_before:] for to in tos)
    missing = sum(max(0, n - got[e]) for e, n in wanted.items())
    duplicates = sum(max(0, got[e] - n) for e, n in wanted.items())
    fallbacks = GUNICORN_LOG.read_text(errors="replace").count(
        "broker unavailable, fellowship.tasks.send_outbox_message"
    )
    by_email = {emails[ref]: r for ref, r in results}
    for e, n in wanted.items():
        if got[e] < n:
            r = by_email[e]
            print(
                f"    missing: the e-mail to {e}, submitted {r.started - outage['down']:+.2f} s from the "
                f"Redis stop (answered in {r.seconds * 1000:.0f} ms)"
            )
    persistence = "append-only file" if REDIS_AOF["on"] else "no persistence"
    check(
        f"confirmation e-mails: none lost (Redis with {persistence})",
        f"{sum(wanted.values())} expected, {sum(got[e] for e in wanted)} received, {missing} missing, "
        f"{duplicates} duplicates; {fallbacks} sent directly by the web process while Redis was down, "
        f"{swept['sent']} sent by the outbox sweep",
        missing == 0,
    )

    posted, job_id, page = report["posted"], report["job_id"], report["page"]
    waiting = b"waiting to be prepared" in page.body
    check(
        "report requested while Redis was down: stored, page says it is waiting",
        f"POST {posted.status}, job {job_id}, detail page {page.status}, says waiting: {waiting}",
        job_id is not None and waiting,
    )
    if job_id is not None:
        marked = ReportJob.objects.get(pk=job_id).step
        t1 = time.perf_counter()
        job = sweep_until(job_id, every=5, timeout=180)
        check(
            "that report is rendered once Redis returns (next beat sweep; ≤ 5 min in production)",
            f"marked {marked!r}; {job.state} {time.perf_counter() - t1:.1f} s after the first sweep",
            job.state == ReportState.DONE,
        )


def fault_postgres(ctx: dict, seconds: float, users: int) -> None:
    print(
        f"\n[c] stop PostgreSQL for {seconds:.0f} s (then start it) while {users} faculty browse",
        flush=True,
    )
    pages = ctx["pages"]
    sessions = ctx["browsers"][:users]
    lead, tail = 8.0, 25.0
    t0 = time.perf_counter()
    stop_at = t0 + lead + seconds + tail
    marks: dict[str, float] = {}

    def saboteur() -> None:
        time.sleep(lead)
        marks["stop"] = time.perf_counter()
        pg("stop")
        marks["down"] = time.perf_counter()
        print(f"    {since(t0)} PostgreSQL stopped", flush=True)
        time.sleep(seconds)
        pg("start")
        while not pg_ready():
            time.sleep(0.1)
        marks["up"] = time.perf_counter()
        print(f"    {since(t0)} PostgreSQL accepting connections again", flush=True)

    def browse(n: int):
        rng = random.Random(n)
        out = []
        while time.perf_counter() < stop_at:
            name = rng.choice(list(pages))
            out.append(
                request(PORT, "GET", pages[name], session=sessions[n], name=name, timeout=30)
            )
            time.sleep(rng.uniform(0, 0.4))
        return out

    sabotage = threading.Thread(target=saboteur)
    sabotage.start()
    with ThreadPoolExecutor(users) as pool:
        results = sorted(
            (r for batch in pool.map(browse, range(users)) for r in batch), key=lambda r: r.started
        )
    sabotage.join()

    statuses = Counter(r.status for r in results)
    bad = [r for r in results if r.status != 200]
    five_hundreds = [r for r in results if r.status == 500 or r.status == 0]
    unavailable = [r for r in results if r.status == 503]
    clear = [
        r
        for r in unavailable
        if b"service is unavailable" in r.body and b"Try again" in r.body and r.retry_after
    ]
    last_bad = max((r.started + r.seconds for r in bad), default=marks["up"])
    after_up = [r for r in results if r.started > last_bad]
    check("requests during the outage (status codes)", f"{dict(statuses)}", not five_hundreds)
    check(
        "the outage shows the clear 503 page with Retry-After",
        f"{len(clear)} of {len(unavailable)} 503s show 'Sorry, the service is unavailable … "
        "Try again' with Retry-After",
        len(unavailable) > 0 and len(clear) == len(unavailable),
    )
    check(
        "the app recovers by itself after PostgreSQL returns",
        f"last error {last_bad - marks['up']:+.1f} s from PostgreSQL accepting connections "
        f"({last_bad - marks['stop']:.1f} s after the stop began); {len(after_up)} requests after it, all 200",
        last_bad - marks["up"] < 10 and len(after_up) > 0,
    )
    ms = [r.seconds * 1000 for r in unavailable]
    check(
        "the 503 answers come quickly (no hanging requests)",
        f"p95 {percentile(ms, 95):.0f} ms, max {max(ms, default=0):.0f} ms",
        percentile(ms, 95) < 2000,
    )


# Set-up -------------------------------------------------------------------------------------------


def build() -> dict:
    setup_django(ENV)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command
    from django.urls import reverse

    from fellowship.enums import Role
    from fellowship.models import Cohort, RoleGrant, User

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo")
    faculty = User.objects.bulk_create(
        User(email=f"faults-faculty{n}@example.org", full_name=f"Faults Faculty {n}", password="!")
        for n in range(21)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.FACULTY) for u in faculty)
    # The fault runs ask for reports at thresholds 7 and 8: only the equality team may.
    from django.contrib.auth.models import Permission

    equality = Permission.objects.get(codename="view_equality_monitoring")
    for user in faculty:
        TOTP.activate(user, "JBSWY3DPEHPK3PXPFAULTSTEST")
        user.user_permissions.add(equality)
    sessions = [signed_in_session(u) for u in faculty]
    latest = Cohort.objects.order_by("-number").first()
    _, drafts = build_drafts(400, closes_in=datetime.timedelta(days=1))
    pages = {
        "cohort list": reverse("cohort_list"),
        "fellow list": reverse("fellow_list"),
        "matching list": reverse("matching_list"),
        "survey list": reverse("survey_list"),
        "portfolio list": reverse("portfolio_list"),
        "reports": reverse("report_list"),
        "mentoring list": reverse("mentoring_list"),
    }
    return {
        "faculty": sessions[0],
        "browsers": sessions[1:],
        "cohort_pk": latest.pk,
        "drafts": drafts,
        "pages": pages,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="worker,redis,postgres")
    parser.add_argument("--redis-seconds", type=float, default=30)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--pg-seconds", type=float, default=10)
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument(
        "--redis-aof", action="store_true", help="run the private Redis with an append-only file"
    )
    parser.add_argument(
        "--stale-seconds", type=int, default=20, help="STALE_AFTER for the worker fault"
    )
    args = parser.parse_args()
    if PG_PORT == 5432 or REDIS_PORT == 6379:
        raise SystemExit("faults.py only stops private servers")
    only = set(args.only.split(","))
    REDIS_AOF["on"] = args.redis_aof
    if redis_up():  # started again with the persistence asked for, and empty
        redis_stop()
    subprocess.run(["rm", "-rf", "/tmp/faults-redis-aof"], check=True)

    if not pg_ready():
        pg("start")
    if not redis_up():
        redis_start()
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "flushall"], check=True, capture_output=True
    )
    GUNICORN_LOG.write_text("")
    WORKER_LOG.write_text("")
    t0 = time.perf_counter()
    create_database(DB_URL)
    ctx = build()
    from reports.services import jobs

    # The stale-job sweep in this process uses the same shortened window as the worker.
    jobs.STALE_AFTER = datetime.timedelta(seconds=args.stale_seconds)
    print(
        f"set-up: demo data, 400 drafts, faculty sessions in {time.perf_counter() - t0:.1f} s; {load_average()}"
    )

    sink = SMTPSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    ctx["sink"] = sink
    server = serve(ENV, port=PORT, workers=3, threads=4, logfile=str(GUNICORN_LOG))
    ctx["worker"] = None
    try:
        if "worker" in only:
            fault_worker(ctx, args.stale_seconds)
        if ctx["worker"] is None:
            ctx["worker"] = start_worker(args.stale_seconds)
            worker_answers()
        if "redis" in only:
            fault_redis(ctx, args.redis_seconds, args.submissions)
        if "postgres" in only:
            fault_postgres(ctx, args.pg_seconds, args.browsers)
    finally:
        stop(server)
        if ctx["worker"] is not None:
            stop(ctx["worker"])
        sink.shutdown()
        if not pg_ready():
            pg("start")
        if not redis_up():
            redis_start()

    print(f"\n{'check':<90} {'figure'}")
    for name, figure, ok in CHECKS:
        print(f"{verdict(ok)}  {name:<84} {figure}")
    return 0 if all(ok for _, _, ok in CHECKS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
