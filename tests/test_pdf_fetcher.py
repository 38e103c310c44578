"""PDFs read nothing but our own static files: every WeasyPrint render goes through
fellowship.pdf, whose URL fetcher serves the application's static files and refuses the server's
disk (`file:`), the network (`http:`, `https:`, `ftp:`), `data:` URLs and any path that climbs out
of the static folders, before anything is read. WeasyPrint logs a refusal and draws the PDF
without the resource.

The tests try each way in: stylesheets, images, fonts, imports, SVG images and `rel=attachment`
links (which WeasyPrint would embed in the PDF, file and all), with the URL as typed and as an
attacker would encode it. A recorder on WeasyPrint's own fetcher and on urllib proves that no
read happened; a spy on our fetcher proves it was asked and said no.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from fellowship import pdf
from fellowship.enums import Role
from portfolio.enums import EntryKind
from projects.enums import ProposalStatus

from .conftest import make_person
from .factories import (
    CohortFactory,
    FellowFactory,
    OrganisationFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    RegionFactory,
)

BASE = pdf.BASE_URL.rstrip("/")
OUR_CSS = Path(settings.BASE_DIR) / "static" / "css" / "charts.css"
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


@pytest.fixture
def fetched(monkeypatch):
    """What our fetcher was asked for: [(url, "served" or the refusal)], and every read that went
    round it (WeasyPrint's default fetcher, urllib) in `fetched.reads`."""
    asked: list[tuple[str, str]] = []
    reads: list[str] = []
    real = pdf.fetch_resource

    def spy(url):
        try:
            result = real(url)
        except pdf.RefusedResource as exc:
            asked.append((url, str(exc)))
            raise
        asked.append((url, "served"))
        return result

    from weasyprint.urls import URLFetcher

    def default_fetch(self, url, headers=None):
        reads.append(url)  # recorded, not raised: WeasyPrint would swallow an exception
        raise OSError("the default fetcher must never run")

    def urlopen(self, url, *args, **kwargs):
        reads.append(getattr(url, "full_url", url))
        raise OSError("no network for PDFs")

    monkeypatch.setattr(pdf, "fetch_resource", spy)
    monkeypatch.setattr(URLFetcher, "fetch", default_fetch)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", urlopen)

    class Record(list):
        pass

    record = Record()
    record.asked, record.reads = asked, reads
    return record


def refused(record, url: str) -> bool:
    return any(asked == url and outcome != "served" for asked, outcome in record.asked)


# The fetcher alone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file:/etc/passwd",
        f"file://{settings.BASE_DIR}/static/css/charts.css",  # our own file, but by path
        "http://127.0.0.1:1/x.css",
        "https://example.org/static/css/charts.css",
        "ftp://example.org/x.css",
        "data:text/css,body{background:url(file:///etc/passwd)}",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
        "data:image/png;base64,iVBORw0KGgo=",
        "//evil.example/static/css/charts.css",
        "http://pdf.fellowship.invalid/static/css/charts.css",  # another scheme
        "https://user@pdf.fellowship.invalid/static/css/charts.css",  # another authority
        "https://pdf.fellowship.invalid:8443/static/css/charts.css",
        f"{BASE}/static/../fellowship/settings.py",  # absolute URLs are not normalised
        f"{BASE}/static/css/../../fellowship/settings.py",
        f"{BASE}/static/%2e%2e/fellowship/settings.py",
        f"{BASE}/static/css%2f..%2f..%2ffellowship%2fsettings.py",
        f"{BASE}/static/..%5c..%5cfellowship%5csettings.py",
        f"{BASE}/static//etc/passwd",
        f"{BASE}/static/%2fetc%2fpasswd",
        f"{BASE}/static/css/charts.css%00.png",
        f"{BASE}/static/",
        f"{BASE}/static/css/no-such-file.css",
        f"{BASE}/media/cv.pdf",  # uploads are never static
        f"{BASE}/settings.py",
        "javascript:alert(1)",
        "not a url at all",
    ],
)
def test_anything_but_our_static_files_is_refused(url):
    with pytest.raises(pdf.RefusedResource, match="Not fetched for a PDF"):
        pdf.fetch_resource(url)


def test_our_static_css_is_served_from_the_static_folder():
    content, mime_type = pdf.fetch_resource(f"{BASE}/static/css/charts.css")
    assert content == OUR_CSS.read_bytes() and mime_type == "text/css"
    assert pdf.static_file(f"{BASE}/static/css/charts.css?v=2#x") == OUR_CSS.resolve()


def test_collected_static_files_are_served_and_nothing_beside_them(settings, tmp_path):
    """Production serves the collected, hashed copies in STATIC_ROOT."""
    root = tmp_path / "collected"
    (root / "css").mkdir(parents=True)
    (root / "css" / "app.0123abcd.css").write_text("p { color: red }")
    (tmp_path / "secret.txt").write_text("not static")
    settings.STATIC_ROOT = root
    assert pdf.fetch_resource(f"{BASE}/static/css/app.0123abcd.css")[0] == b"p { color: red }"
    for url in (f"{BASE}/static/../secret.txt", f"{BASE}/static/css/%2e%2e/%2e%2e/secret.txt"):
        with pytest.raises(pdf.RefusedResource):
            pdf.fetch_resource(url)


def test_an_absolute_static_url_is_read_from_disk_not_fetched(settings, fetched):
    settings.STATIC_URL = "https://cdn.example.org/static/"
    content, _ = pdf.fetch_resource("https://cdn.example.org/static/css/charts.css")
    assert content == OUR_CSS.read_bytes()
    with pytest.raises(pdf.RefusedResource):
        pdf.fetch_resource(f"{BASE}/static/css/charts.css")  # no longer our static address
    assert fetched.reads == []


# Rendering ------------------------------------------------------------------------------------

HOSTILE_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>t</title>
<link rel="stylesheet" href="/static/css/charts.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="http://127.0.0.1:1/x.css">
<link rel="stylesheet" href="/static/../../settings.py">
<link rel="stylesheet" href="/static/%2e%2e/%2e%2e/fellowship/settings.py">
<style>
@import url("ftp://example.org/a.css");
@font-face { font-family: Leak; src: url("file:///etc/passwd"); }
body { background: url("data:image/png;base64,iVBORw0KGgo="); font-family: Leak; }
</style></head>
<body><p>Still drawn.</p>
<img src="file:///etc/passwd" alt="">
<img src="https://example.org/tracker.png" alt="">
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<a rel="attachment" href="/static/../../fellowship/settings.py">settings</a>
<svg width="10" height="10"><image href="file:///etc/hostname" width="10" height="10"/></svg>
<object data="file:///etc/hostname"></object>
<embed src="http://127.0.0.1:1/x.svg">
</body></html>"""


def test_a_pdf_with_hostile_resources_reads_none_of_them_and_still_renders(fetched, caplog):
    out = pdf.render_pdf(HOSTILE_HTML)

    assert out.startswith(b"%PDF")
    assert fetched.reads == []  # WeasyPrint's own fetcher and urllib never ran
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.css",
        f"{BASE}/settings.py",  # /static/../../settings.py, as WeasyPrint resolves it
        f"{BASE}/static/%2e%2e/%2e%2e/fellowship/settings.py",
        "ftp://example.org/a.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://example.org/tracker.png",
        f"{BASE}/fellowship/settings.py",
    ):
        assert refused(fetched, url), f"{url} was not asked for and refused: {fetched.asked}"
    assert (f"{BASE}/static/css/charts.css", "served") in fetched.asked
    assert not [
        url for url, outcome in fetched.asked if outcome == "served" and "charts" not in url
    ]
    assert b"/EmbeddedFile" not in out  # no file was attached to the PDF
    assert "Not fetched for a PDF" in caplog.text  # WeasyPrint logged the refusals and went on


@pytest.mark.skipif(PDFINFO is None, reason="needs pdfinfo (poppler-utils)")
def test_every_pdf_is_tagged_for_screen_readers(tmp_path):
    path = tmp_path / "tagged.pdf"
    path.write_bytes(pdf.render_pdf("<html lang='en'><title>T</title><p>Hello</p></html>"))
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info


# What people type never reaches the fetcher ---------------------------------------------------

PLANTED = (
    '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:1/x.css">'
    '<a rel="attachment" href="file:///etc/passwd">x</a>'
)


@pytest.fixture
def helper_used(monkeypatch):
    """How many fetchers fellowship.pdf made: each PDF view must draw through it."""
    calls = []
    real = pdf.url_fetcher

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(pdf, "url_fetcher", counting)
    return calls


def assert_nothing_fetched(data: bytes, fetched, helper_used, tmp_path) -> None:
    assert data.startswith(b"%PDF")
    assert helper_used, "the PDF was not drawn through fellowship.pdf"
    assert fetched.reads == []
    assert not [url for url, _ in fetched.asked if "passwd" in url or "127.0.0.1" in url]
    assert b"/EmbeddedFile" not in data
    if PDFTOTEXT:  # the tags are printed as the text they are
        path = tmp_path / "out.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            [PDFTOTEXT, str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert '<img src="file:///etc/passwd">' in text.replace("\n", "")


@pytest.mark.django_db
def test_a_portfolio_title_with_tags_is_printed_not_fetched(login, fetched, helper_used, tmp_path):
    fellow_user = make_person(Role.FELLOW)
    fellow = FellowFactory(user=fellow_user)
    PortfolioEntryFactory(fellow=fellow, title=PLANTED)
    got = login(fellow_user).get(reverse("portfolio_pdf", args=[fellow.ref]))
    assert got.status_code == 200
    assert_nothing_fetched(b"".join(got.streaming_content), fetched, helper_used, tmp_path)


@pytest.mark.django_db
def test_a_project_title_with_tags_is_printed_not_fetched(login, fetched, helper_used, tmp_path):
    cohort = CohortFactory(number=3)
    ProjectFactory(
        cohort=cohort,
        title=PLANTED,
        status=ProposalStatus.APPROVED,
        region=RegionFactory(),
        host_organisation=OrganisationFactory(),
    )
    got = catalogue_pdf(login(make_person(Role.FACULTY)))
    assert got.status_code == 200
    assert_nothing_fetched(b"".join(got.streaming_content), fetched, helper_used, tmp_path)


@pytest.mark.django_db
def test_an_onward_programme_title_with_tags_is_printed_not_fetched_in_the_report(
    fetched, helper_used, tmp_path
):
    from reports.evidence import compute_evidence
    from reports.render import render_pdf

    from .reports.history import load_small_history

    load_small_history()
    fellow = FellowFactory(cohort=CohortFactory(number=2))
    PortfolioEntryFactory(
        fellow=fellow,
        kind=EntryKind.ONWARD_PROGRAMME,
        title=PLANTED,
        date=datetime.date(2024, 1, 1),
    )
    assert_nothing_fetched(render_pdf(compute_evidence(2)), fetched, helper_used, tmp_path)


def catalogue_pdf(client):
    """The catalogue of cohort 3 as a PDF: asked for, made in-process on commit, downloaded."""
    from django.test import TestCase

    from .projects.test_catalogue_pdf import get_pdf

    return get_pdf(client, 3, TestCase.captureOnCommitCallbacks)


# One print stylesheet, one way to send a PDF ----------------------------------------------------

# No space to break at: 80 characters of one word, and a long link.
UNBROKEN = "Pneumothoraxdetectionandtriageinemergencydepartmentchestradiographsacrosssites"
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 8 + "?query=" + "x" * 60


@pytest.fixture
def programme_record():
    from django.contrib.sites.models import Site

    from fellowship.models import Programme

    site = Site.objects.get_current()
    site.name = "Northern Fellowship in Testing"
    site.save()
    return Programme.objects.create(site=site, short_name="NFT")


def running_header(page) -> str:
    from .reports.test_layout import TOP_MARGIN

    return " ".join(w.text for w in page.words if w.bottom < TOP_MARGIN)


def pdf_pages(response, tmp_path):
    from .reports.test_layout import read_pages

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    return read_pages(b"".join(response.streaming_content), tmp_path)


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
@pytest.mark.django_db
def test_catalogue_pdf_keeps_long_titles_inside_the_margins_under_the_programmes_name(
    login, programme_record, tmp_path
):
    from .reports.test_layout import clashes, outside_margins

    cohort = CohortFactory(number=3)
    for n in range(12):
        ProjectFactory(
            cohort=cohort,
            title=f"{UNBROKEN} {n}",
            summary=f"See {LONG_URL} for the protocol. " * 3,
            status=ProposalStatus.APPROVED,
            region=RegionFactory(),
            host_organisation=OrganisationFactory(name=UNBROKEN),
        )
    got = catalogue_pdf(login(make_person(Role.FACULTY)))
    pages = pdf_pages(got, tmp_path)
    assert len(pages) > 1
    assert not outside_margins(pages), "\n".join(outside_margins(pages)[:20])
    assert not clashes(pages), "\n".join(clashes(pages)[:20])
    for page in pages:  # the running header names the programme on every page
        assert running_header(page).startswith("Northern Fellowship in Testing")


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
@pytest.mark.django_db
def test_portfolio_pdf_keeps_long_links_and_names_inside_the_margins(
    login, programme_record, tmp_path
):
    from .reports.test_layout import clashes, outside_margins

    fellow_user = make_person(Role.FELLOW)
    fellow = FellowFactory(user=fellow_user)
    for n in range(15):
        PortfolioEntryFactory(
            fellow=fellow, title=f"{UNBROKEN} {n}", url=LONG_URL, organisation=UNBROKEN
        )
    got = login(fellow_user).get(reverse("portfolio_pdf", args=[fellow.ref]))
    pages = pdf_pages(got, tmp_path)
    assert len(pages) > 1
    assert not outside_margins(pages), "\n".join(outside_margins(pages)[:20])
    assert not clashes(pages), "\n".join(clashes(pages)[:20])
    assert running_header(pages[0]).startswith("Northern Fellowship in Testing")


def test_every_pdf_template_starts_from_the_shared_print_stylesheet():
    templates = Path(settings.BASE_DIR) / "templates"
    for name in (
        "projects/catalogue_pdf.html",
        "portfolio/portfolio_pdf.html",
        "reports/_report_style.html",
    ):
        text = (templates / name).read_text()
        assert '{% include "includes/print_base_style.html" %}' in text, name
        assert "size: A4" not in text, f"{name} sets its own page size"
