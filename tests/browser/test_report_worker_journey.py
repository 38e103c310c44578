"""The funder's report journey against the app as it is deployed: PostgreSQL, a Redis broker and
a separate Celery worker process render the report that faculty request, while the page follows
the job without reloading; the funder then downloads it. Skipped without PostgreSQL and Redis
(.ci/run provides both)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fellowship.celery import app
from fellowship.enums import Role
from fellowship.models import Cohort
from reports.enums import ReportState
from reports.models import ReportDownload, ReportJob

from ..conftest import make_person
from ..factories import FundedPostFactory
from ..reports.drafts import confirm_and_release
from ..reports.history import load_small_history
from ..worker import real_worker_possible, start_worker, stop_worker
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_rendered_by_a_real_worker_is_watched_and_downloaded(
    live_server, page, tmp_path, settings
):
    if reason := real_worker_possible():
        pytest.skip(reason)
    base = live_server.url
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    load_small_history()
    faculty = make_person(Role.FACULTY, full_name="Fran Faculty")
    funder_user = make_person(Role.FUNDER, full_name="Fola Funder")
    FundedPostFactory(
        funder=funder_user.role_grants.get().funder, cohort=Cohort.objects.get(number=2)
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()
    worker = start_worker("journey")
    try:
        sign_in(page, base, faculty, mfa=True)
        page.goto(base + "/reports/new/")
        page.get_by_label("Latest cohort to cover").select_option(label="Cohort 2")
        page.get_by_role("button", name="Request the report").click()
        # The request returns at once; the worker process renders it and the page follows.
        page.wait_for_url(re.compile(r"/reports/\d+/$"))
        page.evaluate("window.notReloaded = true")
        expect(page.locator("[data-report-live]")).to_have_text(
            "Your report is ready.", timeout=120_000
        )
        assert page.evaluate("window.notReloaded") is True
        check_page(page, "01-faculty-report-done-by-worker", tmp_path)
        job = ReportJob.objects.get()
        assert (job.state, job.attempts, job.requested_by) == (ReportState.DONE, 1, faculty)
        confirm_and_release(job, by=faculty)  # funders see only released reports
        sign_out(page, base)

        sign_in(page, base, funder_user, mfa=True)
        page.goto(f"{base}/reports/{job.pk}/")
        check_page(page, "02-funder-report", tmp_path)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the report (PDF)").click()
        with open(download_info.value.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        assert ReportDownload.objects.filter(job=job, user=funder_user, fmt="pdf").count() == 1
    finally:
        stop_worker(worker)
        app.control.purge()
        app.conf.task_always_eager = True
