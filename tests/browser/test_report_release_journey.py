"""Faculty reword a finished report's executive summary, rewrite a claim its figures do not bear
out, confirm the rest and release it; the funder of its cohorts then finds it and downloads it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from playwright.sync_api import expect

from fellowship.enums import Role
from fellowship.models import Cohort
from reports import services
from reports.models import ReportDownload

from ..conftest import make_person
from ..factories import FundedPostFactory
from ..reports.history import load_small_history
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOTEXT = shutil.which("pdftotext")


def test_faculty_word_check_and_release_a_report_and_a_funder_downloads_it(
    live_server, page, tmp_path
):
    base = live_server.url
    load_small_history()
    cohort = Cohort.objects.get(number=2)
    faculty = make_person(Role.FACULTY, full_name="Fran Faculty")
    funder_user = make_person(Role.FUNDER, full_name="Fola Funder")
    FundedPostFactory(funder=funder_user.role_grants.get().funder, cohort=cohort)
    job, _ = services.request_report(
        cohort, suppress_below=settings.EQUALITY_SUPPRESS_BELOW, by=faculty
    )
    services.run_report(job.pk)  # the draft (a worker makes it)
    job.refresh_from_db()
    flagged = services.unresolved_claims(job)
    assert flagged, "the small history leaves some claims unborne-out"
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    # The funder does not see the draft.
    sign_in(page, base, funder_user, mfa=True)
    page.goto(f"{base}/reports/")
    expect(page.get_by_role("link", name="Cohorts 1 to 2", exact=True)).to_have_count(0)
    assert page.request.get(f"{base}/reports/{job.pk}/download/pdf/").status == 404
    sign_out(page, base)

    # Faculty reword the executive summary, previewing it first.
    sign_in(page, base, faculty, mfa=True)
    page.goto(f"{base}/reports/{job.pk}/")
    expect(page.get_by_text("No: not released")).to_be_visible()
    screenshot("draft")
    page.get_by_role("link", name="Change executive summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Executive summary")
    page.get_by_label("Text").fill(
        "Our fellows grew in number.\n\n- Two cohorts\n- A national reach"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved yet)")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="A national reach")).to_be_visible()
    expect(page.get_by_label("Text")).to_have_value(
        "Our fellows grew in number.\n\n- Two cohorts\n- A national reach"
    )
    screenshot("section-preview")
    page.get_by_role("button", name="Save section").click()
    expect(page.get_by_text("Executive summary saved.")).to_be_visible()

    # The release waits for the claims; faculty rewrite the first with the sentence offered.
    expect(page.get_by_role("button", name="Release the report")).to_have_count(0)
    expect(page.get_by_text(f"Rewrite or confirm the {len(flagged)} claim")).to_be_visible()
    first = flagged[0]
    page.get_by_role("link", name="Rewrite or confirm").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check a claim")
    expect(page.get_by_label("Sentence for this report")).to_have_value(first["data_true"])
    screenshot("claim")
    page.get_by_label("Sentence for this report").fill("")
    page.get_by_role("button", name="Use this sentence").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the sentence for this report")
    page.get_by_label("Sentence for this report").fill(first["data_true"])
    page.get_by_role("button", name="Use this sentence").click()
    expect(page.get_by_text("The sentence for this report is saved.")).to_be_visible()
    # The others are confirmed as they stand, one through the page and the rest alike.
    if len(flagged) > 1:
        page.get_by_role("link", name="Rewrite or confirm").first.click()
        page.get_by_role("button", name="Confirm the sentence as it stands").click()
        expect(page.get_by_text("You confirmed the sentence as it stands.")).to_be_visible()
        for claim in services.unresolved_claims(job):
            services.resolve_claim(job, claim["key"], by=faculty)
        page.reload()
    screenshot("ready-to-release")
    page.get_by_role("button", name="Release the report").click()
    expect(page.get_by_text("The report is being prepared for release.")).to_be_visible()
    job.refresh_from_db()
    assert job.released_by == faculty and job.released_at is not None  # drawn again in-process
    page.reload()
    expect(page.get_by_text("Yes: released by Fran Faculty")).to_be_visible()
    screenshot("released")
    sign_out(page, base)

    # The funder finds the released report and downloads it, with the released words.
    sign_in(page, base, funder_user, mfa=True)
    page.goto(f"{base}/reports/")
    page.get_by_role("link", name="Cohorts 1 to 2", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert ReportDownload.objects.filter(job=job, user=funder_user, fmt="pdf").count() == 1
    if PDFTOTEXT:
        text = " ".join(
            subprocess.run([PDFTOTEXT, path, "-"], capture_output=True, check=True)
            .stdout.decode()
            .split()
        )
        assert "Our fellows grew in number." in text
        assert " ".join(first["data_true"].split()[:6]) in text
        assert "Confirmed by Fran Faculty" in text or len(flagged) == 1
