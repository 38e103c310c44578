"""A fellow adds a publication with its DOI and a graduation poster to their portfolio, sees the
poster previewed, and downloads the portfolio as a PDF for their appraisal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fellowship.enums import Role
from portfolio.models import PortfolioEntry, Poster

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories.portfolio import png_bytes
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fellow_adds_a_publication_and_a_poster_and_downloads_the_pdf(live_server, page, tmp_path):
    base = live_server.url
    user = make_person(Role.FELLOW, full_name="Imogen Castellano")
    fellow = FellowFactory(user=user, cohort=CohortFactory(number=4), full_name="Imogen Castellano")
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    sign_in(page, base, user)
    page.get_by_role("link", name="Your portfolio").first.click()
    page.wait_for_url(f"{base}/portfolio/fellows/{fellow.ref}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    expect(page.get_by_text("You have not added any entries yet")).to_be_visible()
    screenshot("empty-portfolio")

    # A mistake first: an awarded prize dated in the future is refused, and what was typed is kept.
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_label("What kind of entry is it?").select_option(label="Prize")
    page.get_by_label("Title").fill("Best poster, AI in healthcare summit")
    page.get_by_label("Date").fill("2099-01-01")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "An awarded prize cannot be dated in the future"
    )
    expect(page.get_by_label("Title")).to_have_value("Best poster, AI in healthcare summit")
    screenshot("entry-error")
    assert not PortfolioEntry.objects.exists()

    # The publication, with its DOI typed as people do.
    page.get_by_label("What kind of entry is it?").select_option(label="Publication")
    page.get_by_label("Title").fill("Real-world evaluation of chest X-ray triage")
    page.get_by_label("Date").fill("2024-03-01")
    page.get_by_label("Organisation").fill("BMJ Health & Care Informatics")
    page.get_by_label("Link").fill("doi:10.1136/bmjhci-2024-100")
    page.get_by_label("Written with academic co-authors").check()
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_url(f"{base}/portfolio/fellows/{fellow.ref}/")
    expect(page.get_by_text("Your entry has been added")).to_be_visible()
    doi = page.get_by_role("link", name="DOI: 10.1136/bmjhci-2024-100")
    expect(doi).to_have_attribute("href", "https://doi.org/10.1136/bmjhci-2024-100")
    entry = PortfolioEntry.objects.get()
    assert entry.academic_coauthors and entry.url == "https://doi.org/10.1136/bmjhci-2024-100"

    # The graduation poster, previewed in the page through the permission-checked view.
    poster_file = tmp_path / "poster.png"
    poster_file.write_bytes(png_bytes((400, 560)))
    page.get_by_role("link", name="Upload your poster").click()
    page.get_by_label("Poster title").fill("AI triage of chest X-rays: what changed for patients")
    page.get_by_label("Poster", exact=True).set_input_files(poster_file)
    page.get_by_role("button", name="Save poster").click()
    page.wait_for_url(f"{base}/portfolio/fellows/{fellow.ref}/")
    preview = page.get_by_role("img", name=re.compile("Graduation poster"))
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 400
    assert Poster.objects.get(fellow=fellow).file_kind == "png"
    screenshot("portfolio-with-poster", readme="fellow-portfolio")

    # The PDF for appraisal.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your portfolio (PDF)").click()
    download = info.value
    assert download.suggested_filename == "portfolio-imogen-castellano.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    response = page.request.get(f"{base}/portfolio/fellows/{fellow.ref}/pdf/")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
