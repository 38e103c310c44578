"""Shared pieces of the benchmarks that drive the real stack: a throwaway PostgreSQL database,
the app's environment, signed-in sessions without the sign-in pages, gunicorn, a Celery worker,
timed HTTP requests and percentiles. Run by hand; not part of the test suite.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


def app_env(database_url: str, **overrides: str) -> dict[str, str]:
    """The app's environment for a benchmark: production settings over plain HTTP on 127.0.0.1.

    Tasks run eagerly in the web process unless `overrides` name a broker.
    """
    return {
        "DJANGO_SETTINGS_MODULE": "fellowship.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-" + secrets.token_hex(16),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "MEDIA_ROOT": "/tmp/fellowship-bench-media",
        "STATIC_ROOT": "/tmp/fellowship-bench-static",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def create_database(database_url: str) -> None:
    """Drop and create the database named at the end of `database_url` (never another one)."""
    base, name = database_url.rsplit("/", 1)
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=True,
    )
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the benchmark's environment, then migrate and collect static."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def signed_in_session(user) -> str:
    """A session key for `user`, as the sign-in pages would leave it (saves 2FA round trips)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def build_drafts(count: int, *, closes_in) -> tuple:
    """An open round closing `closes_in` (a timedelta) from now and `count` complete drafts, each
    with its applicant signed in: (round, [(application ref, session key), ...])."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from fellowship.enums import Profession, Role
    from fellowship.models import Cohort, Region, RoleGrant, User
    from recruitment.enums import ApprovalMethod, RegistrationBody
    from recruitment.models import Application, Criterion, Eligibility, RecruitmentRound, Statement

    cohort, _ = Cohort.objects.get_or_create(number=99)
    region, _ = Region.objects.get_or_create(name="London")
    now = timezone.now()
    rnd = RecruitmentRound.objects.create(
        cohort=cohort,
        name="Benchmark round",
        opens_at=now - timedelta(days=30),
        closes_at=now + closes_in,
    )
    Eligibility.objects.create(round=rnd, region=region, profession=Profession.MEDICINE)
    criteria = [
        Criterion.objects.create(round=rnd, title=f"Criterion {n}", description="d", word_limit=300)
        for n in range(4)
    ]

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    first = Application(round=rnd)
    cv_name = first.cv.storage.save("cvs/bench-cv.pdf", ContentFile(pdf))
    approval_name = first.cv.storage.save("approvals/bench-approval.pdf", ContentFile(pdf))

    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", full_name=f"Bench Applicant {n}", password="!")
        for n in range(count)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.APPLICANT) for u in users)
    apps = Application.objects.bulk_create(
        Application(
            round=rnd,
            applicant=u,
            profession=Profession.MEDICINE,
            registration_body=RegistrationBody.GMC,
            registration_number=f"{1000000 + n}",
            grade="ST4",
            region=region,
            employer="Bench NHS Trust",
            approval_method=ApprovalMethod.UPLOAD,
            approval_form=approval_name,
            cv=cv_name,
        )
        for n, u in enumerate(users)
    )
    text = "I have led change in my department by working with colleagues across professions. " * 3
    Statement.objects.bulk_create(
        Statement(application=a, criterion=c, text=text) for a in apps for c in criteria
    )
    clients = [
        (application.ref, signed_in_session(user))
        for user, application in zip(users, apps, strict=True)
    ]
    return rnd, clients


def wait_for_port(
    port: int, *, seconds: float = 20, process: subprocess.Popen | None = None
) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/static/missing")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def serve(
    env: dict[str, str], *, port: int, workers: int, threads: int = 1, logfile: str | None = None
) -> subprocess.Popen:
    """gunicorn serving the app on 127.0.0.1:`port`, started and answering (output to `logfile`)."""
    command = [str(VENV_BIN / "gunicorn"), "fellowship.wsgi", "--preload", "-w", str(workers)]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    output = open(logfile, "ab") if logfile else None  # noqa: SIM115 - kept open for the server's life
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=output and subprocess.STDOUT,
    )
    if not wait_for_port(port, process=server):
        stop(server)
        raise SystemExit("gunicorn did not start")
    return server


def start_worker(
    env: dict[str, str],
    *,
    concurrency: int = 1,
    logfile: str | None = None,
    nice: int = 0,
    hostname: str | None = None,
) -> subprocess.Popen:
    """A Celery worker for the app (prefork pool, in its own process group so it can be killed
    whole), at CPU priority `nice` (10: web requests come before report rendering)."""
    command = [
        *(["nice", "-n", str(nice)] if nice else []),
        str(VENV_BIN / "celery"),
        "-A",
        "fellowship",
        "worker",
        "-l",
        "WARNING",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        *(["-n", hostname] if hostname else []),
    ]
    output = open(logfile, "ab") if logfile else subprocess.DEVNULL  # noqa: SIM115 - kept open for the worker's life
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """Stop a process we started (TERM, then KILL), whole process group if it leads one."""
    if process.poll() is not None:
        return
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.wait(5)


@dataclass
class Result:
    """One request: what was asked, how long it took and what came back."""

    name: str
    seconds: float
    status: int  # 0 when the connection failed
    body: bytes = b""
    location: str = ""
    started: float = 0.0
    retry_after: str = ""


def request(
    port: int,
    method: str,
    path: str,
    *,
    session: str | None = None,
    form: dict[str, str] | None = None,
    name: str | None = None,
    timeout: float = 30,
) -> Result:
    """One HTTP request with the session's cookies (and a CSRF token when it posts a form)."""
    headers = {"Host": "127.0.0.1"}
    cookies = [f"sessionid={session}"] if session else []
    body = None
    if form is not None:
        csrf = secrets.token_hex(16)
        cookies.append(f"csrftoken={csrf}")
        from urllib.parse import urlencode

        body = urlencode({"csrfmiddlewaretoken": csrf, **form})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        location = response.getheader("Location", "")
        retry_after = response.getheader("Retry-After", "")
        status = response.status
        conn.close()
    except OSError:
        content, location, status, retry_after = b"", "", 0, ""
    elapsed = time.perf_counter() - started
    return Result(name or path, elapsed, status, content, location, started, retry_after)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(q / 100 * len(ordered))) - 1)]


def load_average() -> str:
    """The machine's 1-minute load average and CPU count: other work skews every figure."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
