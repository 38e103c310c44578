"""Report jobs: a request renders once, identical requests share a job, a dead worker's job is
picked up again and finishes once, failures say why, and a stored report never changes."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
from django.db import IntegrityError
from django.utils import timezone

from fellowship.enums import Role
from fellowship.models import Cohort
from reports import services, tasks
from reports.enums import ReportState
from reports.models import ReportJob

from ..conftest import make_person
from ..factories import FellowFactory
from .history import load_small_history

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def faculty():
    """Faculty who may see equality monitoring, so may ask for any threshold (tests/reports/
    test_disclosure.py tests those who may not)."""
    from django.contrib.auth.models import Permission

    person = make_person(Role.FACULTY)
    person.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    return person


@pytest.fixture
def cohort2():
    load_small_history()
    return Cohort.objects.get(number=2)


def request(cohort, faculty, capture, *, suppress_below=5, run=True):
    with capture(execute=run) as callbacks:
        job, created = services.request_report(cohort, suppress_below=suppress_below, by=faculty)
    job.refresh_from_db()
    return job, created, callbacks


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_requested_report_is_rendered_and_stored_with_the_data_it_was_built_from(
    cohort2, faculty, django_capture_on_commit_callbacks
):
    job, created, _ = request(cohort2, faculty, django_capture_on_commit_callbacks)

    assert created
    assert job.state == ReportState.DONE
    assert (job.progress, job.step, job.attempts, job.failure_reason) == (100, "Finished", 1, "")
    assert job.requested_by == faculty
    assert job.started_at <= job.finished_at
    assert stored(job.pdf).startswith(b"%PDF")
    counts = {c["table"]: c["rows"] for c in job.built_from["counts"]}
    assert job.built_from["cohorts"] == [1, 2]
    assert job.built_from["suppress_below"] == 5
    assert counts["Cohorts"] == 2
    assert counts["Fellows"] == 6 + 6  # 6 appointed in cohort 2, 6 graduates of cohort 1
    assert datetime.datetime.fromisoformat(job.built_from["generated_at"]) <= job.finished_at
    # The wording it was rendered with is kept with it (the paper's, as nobody edited it).
    from reports.wording import report_wording

    assert job.built_from["wording"] == report_wording()
    if PDFTOTEXT:  # the appendix prints the same counts
        text = subprocess.run(
            [PDFTOTEXT, "-layout", job.pdf.path, "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "Rows used" in text
        assert re.search(r"Fellows\s+12\b", text)


def test_identical_requests_while_one_is_active_share_it(
    cohort2, faculty, django_capture_on_commit_callbacks
):
    first, created_first, queued_first = request(
        cohort2, faculty, django_capture_on_commit_callbacks, run=False
    )
    second, created_second, queued_second = request(
        cohort2, make_person(Role.FACULTY), django_capture_on_commit_callbacks, run=False
    )

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk and second.requested_by == faculty
    assert (len(queued_first), len(queued_second)) == (1, 0)  # one task for the shared job
    assert first.state == ReportState.QUEUED
    # Another threshold is another report.
    other, created_other, _ = request(
        cohort2, faculty, django_capture_on_commit_callbacks, suppress_below=0, run=False
    )
    assert created_other and other.pk != first.pk
    assert ReportJob.objects.count() == 2


def test_the_database_refuses_a_second_active_job_for_the_same_report(cohort2):
    ReportJob.objects.create(cohort=cohort2, suppress_below=5, state=ReportState.RENDERING)
    with pytest.raises(IntegrityError):
        ReportJob.objects.create(cohort=cohort2, suppress_below=5)


def test_a_finished_or_failed_report_does_not_block_a_new_request(
    cohort2, faculty, django_capture_on_commit_callbacks
):
    for state in (ReportState.DONE, ReportState.FAILED):
        ReportJob.objects.create(cohort=cohort2, suppress_below=5, state=state)
    job, created, queued = request(cohort2, faculty, django_capture_on_commit_callbacks, run=False)
    assert created and len(queued) == 1 and job.state == ReportState.QUEUED


def test_threshold_out_of_range_is_refused(cohort2, faculty):
    for bad in (-1, 101):
        with pytest.raises(services.InvalidReportRequest):
            services.request_report(cohort2, suppress_below=bad, by=faculty)
    assert not ReportJob.objects.exists()


def test_redelivered_task_after_done_does_nothing(
    cohort2, faculty, django_capture_on_commit_callbacks
):
    job, _, _ = request(cohort2, faculty, django_capture_on_commit_callbacks)
    before = (job.pdf.name, stored(job.pdf), job.attempts, job.finished_at, job.built_from)

    result = tasks.render_report.delay(job_id=job.pk)  # the broker delivers the message again

    job.refresh_from_db()
    assert result.get() == ReportState.DONE
    assert (job.pdf.name, stored(job.pdf), job.attempts, job.finished_at, job.built_from) == before


def test_a_dead_workers_job_is_picked_up_again_and_completes_once(
    cohort2, django_capture_on_commit_callbacks
):
    now = timezone.now()
    # A worker claimed this job 20 minutes ago and died a third of the way through.
    dead = ReportJob.objects.create(
        cohort=cohort2,
        suppress_below=5,
        state=ReportState.RENDERING,
        attempts=1,
        progress=30,
        step="Drawing the PDF",
        started_at=now - datetime.timedelta(minutes=20),
        requested_at=now - datetime.timedelta(minutes=21),
    )
    # This one's worker is alive (it started a minute ago): it is left alone.
    alive = ReportJob.objects.create(
        cohort=cohort2,
        suppress_below=0,
        state=ReportState.RENDERING,
        attempts=1,
        started_at=now - datetime.timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stale_jobs() == 1
    tasks.render_report.delay(job_id=alive.pk)  # a duplicate message for the live job
    tasks.render_report.delay(job_id=dead.pk)  # the message redelivered after the worker died

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == ReportState.DONE and dead.attempts == 2
    assert stored(dead.pdf).startswith(b"%PDF")
    assert (alive.state, alive.attempts, alive.pdf.name) == (ReportState.RENDERING, 1, "")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stale_jobs() == 0


def test_a_job_that_keeps_killing_its_worker_fails_instead_of_looping(cohort2):
    job = ReportJob.objects.create(
        cohort=cohort2,
        suppress_below=5,
        state=ReportState.RENDERING,
        attempts=services.MAX_ATTEMPTS,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    tasks.render_report.delay(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportState.FAILED and job.attempts == services.MAX_ATTEMPTS
    assert "stopped before it finished 3 times" in job.failure_reason
    assert not job.pdf


def test_a_report_that_cannot_be_stored_fails_with_a_reason_and_leaves_no_file(
    cohort2, faculty, django_capture_on_commit_callbacks, settings, tmp_path
):
    # The uploads folder is not a folder (a full or broken disk behaves the same way).
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked

    job, created, _ = request(cohort2, faculty, django_capture_on_commit_callbacks)

    assert created
    assert job.state == ReportState.FAILED
    assert job.failure_reason == services.STORE_FAILED
    assert (job.step, job.attempts, job.pdf.name, job.xlsx.name, job.built_from) == (
        "Failed",
        1,
        "",
        "",
        {},
    )
    assert job.finished_at is not None
    # A redelivered message leaves the failed job as it is; a new request starts afresh.
    tasks.render_report.delay(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (ReportState.FAILED, 1)


def test_a_stored_report_never_changes_when_the_data_does(
    cohort2, faculty, django_capture_on_commit_callbacks
):
    job, _, _ = request(cohort2, faculty, django_capture_on_commit_callbacks)
    pdf, built = stored(job.pdf), job.built_from

    FellowFactory.create_batch(3, cohort=cohort2)
    tasks.render_report.delay(job_id=job.pk)

    job.refresh_from_db()
    assert stored(job.pdf) == pdf and job.built_from == built
    # A new request reads the new data, beside the old report.
    newer, created, _ = request(cohort2, faculty, django_capture_on_commit_callbacks)
    fellows = {c["table"]: c["rows"] for c in newer.built_from["counts"]}["Fellows"]
    assert created and newer.pk != job.pk and fellows == 12 + 3
    assert newer.pdf.name != job.pdf.name


def test_a_job_that_no_longer_exists_is_skipped():
    assert tasks.render_report.delay(job_id=123456).get() is None


def test_a_download_is_recorded(cohort2, faculty):
    job = ReportJob.objects.create(cohort=cohort2, suppress_below=5, state=ReportState.DONE)
    download = services.record_download(job, user=faculty, fmt="pdf")
    assert (download.job, download.user, download.fmt) == (job, faculty, "pdf")
    with pytest.raises(ValueError):
        services.record_download(job, user=faculty, fmt="exe")
