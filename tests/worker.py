"""A real Celery worker in its own process, for tests that need one (PostgreSQL and Redis only)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def real_worker_possible() -> str | None:
    """Why a real worker cannot run here, or None if it can."""
    if not os.environ.get("REDIS_URL"):
        return "needs a Redis broker (REDIS_URL)"
    if connection.vendor != "postgresql":
        return "the worker process needs a database it can share: PostgreSQL"
    return None


def start_worker(name: str) -> subprocess.Popen:
    """`celery worker` in its own process, on the test database, broker and media folder."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fellowship", "worker", "--pool", "solo",
         "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel", "WARNING", "--hostname", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for_state(job, states: set[str], timeout: float, worker: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in states:
            return job
        if worker.poll() is not None:
            pytest.fail(f"the worker exited early: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.02)
    pytest.fail(f"job {job.pk} still {job.state} ({job.step}) after {timeout} s")


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
