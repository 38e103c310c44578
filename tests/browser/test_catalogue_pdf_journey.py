"""A supervisor asks for the catalogue as a PDF, waits on the page while it is made, and downloads
it; asking again for the same list, while it is still being made, leads to the same PDF."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Role
from projects import catalogue
from projects.enums import ProposalStatus
from projects.models import CatalogueFile

from ..conftest import make_person
from ..factories import CohortFactory, ProjectFactory
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_for_wait_for_and_download_the_catalogue_pdf(live_server, page, tmp_path):
    base = live_server.url
    cohort = CohortFactory(number=3)
    for n in range(3):
        ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, title=f"Triage model {n}")
    supervisor = make_person(Role.SUPERVISOR, full_name="Sam Supervisor")
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    # The task runs in-process when the request commits, as it does without Redis.
    sign_in(page, base, supervisor)
    page.goto(f"{base}/projects/catalogue/3/")
    page.get_by_role("button", name="Get this list as a PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project catalogue PDF, cohort 3")
    expect(page.get_by_role("status")).to_have_text("The PDF is ready.")
    screenshot("catalogue-pdf-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the catalogue (PDF)").click()
    download = info.value
    assert download.suggested_filename == "project-catalogue-cohort-3.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # A project is approved, so the catalogue changes; someone has already asked for the new PDF
    # and no worker has taken it yet. Asking again leads to that job, and the page waits for it.
    ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, title="Newly approved")
    filters, projects = catalogue.catalogue_projects(cohort, None)
    waiting = CatalogueFile.objects.create(  # as `request_catalogue_pdf` stores it, not yet sent
        cohort=cohort,
        scope=f"cohort {cohort.pk}?",
        key=catalogue.content_key(cohort, filters, projects),
        expires_at=timezone.now() + catalogue.FRESH_FOR,
    )
    page.goto(f"{base}/projects/catalogue/3/")
    page.get_by_role("button", name="Get this list as a PDF").click()
    expect(page).to_have_url(re.compile(rf"/projects/catalogue/3/pdf/{waiting.pk}/$"))
    expect(page.get_by_text("This PDF was already being made")).to_be_visible()
    live = page.locator("[data-file-job-live]")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_text("The PDF is waiting to be made.")
    expect(page.get_by_role("link", name=re.compile("^Refresh"))).to_be_visible()
    page.evaluate("window.notReloaded = true")
    screenshot("catalogue-pdf-waiting")
    catalogue.render_catalogue_pdf(waiting.pk)  # a worker picks it up
    expect(live).to_have_text("The PDF is ready.", timeout=20_000)
    assert page.evaluate("window.notReloaded") is True
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the catalogue (PDF)").click()
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert list(CatalogueFile.objects.values_list("pk", flat=True)) == [waiting.pk]
