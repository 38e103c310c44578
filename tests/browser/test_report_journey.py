"""Faculty request a benefits report and watch it finish without reloading the page; a funder
signs in and downloads the PDF, and the download is recorded."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from fellowship.enums import Role
from fellowship.models import Cohort
from reports import services
from reports.enums import ReportState
from reports.models import ReportDownload, ReportJob

from ..conftest import make_person
from ..factories import FundedPostFactory
from ..reports.drafts import confirm_and_release
from ..reports.history import load_small_history
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_watch_and_download_a_report(live_server, page, tmp_path):
    base = live_server.url
    load_small_history()
    cohort1, cohort2 = Cohort.objects.get(number=1), Cohort.objects.get(number=2)
    faculty = make_person(Role.FACULTY, full_name="Fran Faculty")
    # Fran may see equality monitoring, so may choose the threshold (and see the internal job below).
    faculty.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    funder_user = make_person(Role.FUNDER, full_name="Fola Funder")
    FundedPostFactory(funder=funder_user.role_grants.get().funder, cohort=cohort2)
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    # Faculty request the report for cohorts 1 to 2 (the task runs in-process, as without Redis).
    sign_in(page, base, faculty, mfa=True)
    page.goto(base + "/reports/")  # faculty's long menu tucks "Reports" under "More"
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefits reports")
    page.get_by_role("link", name="Request a report").click()
    page.get_by_label("Latest cohort to cover").select_option(label="Cohort 2")
    expect(page.get_by_label("Hide equality counts below")).to_have_value("5")
    page.get_by_role("button", name="Request the report").click()
    expect(page.get_by_text("You requested the report")).to_be_visible()
    expect(page.get_by_text("Your report is ready.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Fellows")
    screenshot("faculty-report-done")
    job = ReportJob.objects.get(cohort=cohort2)
    assert job.state == ReportState.DONE and job.requested_by == faculty

    # A job still queued: the page polls its status and shows the finished report without a reload.
    waiting = ReportJob.objects.create(cohort=cohort1, suppress_below=0, requested_by=faculty)
    page.goto(f"{base}/reports/{waiting.pk}/")
    expect(page.get_by_role("status")).to_have_text("Your report is waiting to be prepared.")
    expect(page.get_by_role("link", name=re.compile("^Refresh"))).to_be_visible()
    page.evaluate("window.notReloaded = true")
    screenshot("faculty-report-queued")
    services.run_report(waiting.pk)  # a worker picks it up
    expect(page.get_by_role("status")).to_have_text("Your report is ready.", timeout=20_000)
    expect(page.get_by_role("link", name="Download the report (PDF)")).to_be_visible()
    expect(page.locator("[data-report-state-tag]")).to_have_text("Done")
    assert page.evaluate("window.notReloaded") is True
    screenshot("faculty-report-polled")
    confirm_and_release(job, by=faculty)  # funders see only released reports
    sign_out(page, base)

    # The funder sees the report that covers the cohort they fund, and downloads it.
    sign_in(page, base, funder_user, mfa=True)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("link", name="Cohorts 1 to 2", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Cohorts 1 to 1", exact=True)).to_have_count(
        0
    )  # they fund cohort 2
    page.get_by_role("link", name="Cohorts 1 to 2", exact=True).click()
    screenshot("funder-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("Benefits report cohorts 1 to 2")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    response = page.request.get(f"{base}/reports/{job.pk}/download/pdf/")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body().startswith(b"%PDF")
    assert ReportDownload.objects.filter(job=job, user=funder_user, fmt="pdf").count() == 2
