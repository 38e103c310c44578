"""A real Celery worker, fed through Redis, is killed (SIGKILL) while it renders a report; a new
worker picks the job up again and it completes exactly once.

Needs PostgreSQL and Redis (as .ci/run provides): the worker is a separate process that reads the
test database and the broker. Skipped on SQLite or without REDIS_URL.
"""

from __future__ import annotations

import datetime
import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from fellowship.celery import app
from fellowship.enums import Role
from fellowship.models import Cohort
from reports import services, tasks
from reports.enums import ReportState
from reports.models import ReportJob

from ..conftest import make_person
from ..worker import start_worker as _worker
from ..worker import stop_worker as _stop
from ..worker import wait_for_state as _wait
from .history import load_small_history

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)"),
]


def test_a_killed_worker_s_report_is_completed_once_by_another(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share: PostgreSQL")
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    load_small_history()
    faculty = make_person(Role.FACULTY)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run on this broker
    first = second = None
    try:
        job, created = services.request_report(
            Cohort.objects.get(number=2), suppress_below=5, by=faculty
        )
        assert created  # the message is on the Redis queue now (on commit)

        first = _worker("first")
        _wait(job, {ReportState.RENDERING, ReportState.DONE}, 120, first)
        first.send_signal(signal.SIGKILL)  # mid-render: no acknowledgement, no clean-up
        first.wait(timeout=20)
        job.refresh_from_db()
        assert job.state == ReportState.RENDERING, "the report finished before it could be killed"
        assert (job.attempts, job.pdf.name) == (1, "")

        # The dead worker's claim is only taken over once it is stale (3 minutes): let those
        # minutes pass for this job, then the beat task queues it again for a new worker.
        ReportJob.objects.filter(pk=job.pk).update(
            started_at=F("started_at") - datetime.timedelta(minutes=20)
        )
        second = _worker("second")
        assert services.requeue_stale_jobs() == 1
        _wait(job, {ReportState.DONE, ReportState.FAILED}, 180, second)
        assert job.state == ReportState.DONE, job.failure_reason
        assert job.attempts == 2 and job.pdf.read(5) == b"%PDF-"
        pdf_name = job.pdf.name

        # A late duplicate of the message (as Redis redelivers an unacknowledged one) changes nothing.
        tasks.render_report.delay(job_id=job.pk)
        time.sleep(3)
        job.refresh_from_db()
        assert (job.state, job.attempts, job.pdf.name) == (ReportState.DONE, 2, pdf_name)
        reports_dir = Path(settings.MEDIA_ROOT) / Path(pdf_name).parent
        assert [p.name for p in reports_dir.iterdir() if p.suffix == ".pdf"] == [
            Path(pdf_name).name
        ]
    finally:
        for worker in (first, second):
            if worker is not None:
                _stop(worker)
        app.control.purge()
        app.conf.task_always_eager = True
