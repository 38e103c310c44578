"""The programme's logo on the report's cover: the PDF fetcher serves exactly one stored file, the
programme's logo, at one fixed address, and only while its content is a PNG or JPEG within the
cap. Every other way of naming a stored file (the logo's own path, `..`, another upload, `file:`)
is refused, and without a logo the cover is as before."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from PIL import Image

from fellowship import pdf
from fellowship.models import Programme
from reports.evidence import compute_evidence
from reports.render import render_html, render_pdf
from tests.factories import CohortFactory, FunderFactory

from .test_pdf_fetcher import BASE, fetched, refused  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PDFIMAGES = shutil.which("pdfimages")
NAME = "Northern Fellowship in Testing"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 30), (0, 94, 184)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def with_logo(settings):
    site = Site.objects.get_current()
    site.name = NAME
    site.save()
    record = Programme.objects.create(site=site)
    record.logo.save("logo.png", ContentFile(png()))
    return record


def test_the_logo_address_serves_the_programmes_logo_as_an_image(with_logo):
    content, mime_type = pdf.fetch_resource(pdf.LOGO_URL)
    assert (content, mime_type) == (png(), "image/png")
    assert f"{BASE}/_programme/logo" == pdf.LOGO_URL


def test_without_a_logo_the_logo_address_is_refused():
    with pytest.raises(pdf.RefusedResource, match="no logo"):
        pdf.fetch_resource(pdf.LOGO_URL)


def test_no_other_address_reaches_the_logo_or_any_other_upload(with_logo, settings):
    mou = FunderFactory(mou=ContentFile(b"%PDF-1.7 secret\n%%EOF\n", name="mou.pdf")).mou
    media = settings.MEDIA_ROOT
    logo = with_logo.logo.name
    for url in (
        f"{pdf.LOGO_URL}/../../media/{mou.name}",
        f"{pdf.LOGO_URL}/..%2f..%2f{mou.name}",
        f"{pdf.LOGO_URL}?name={mou.name}",
        f"{pdf.LOGO_URL}#x",
        f"{pdf.LOGO_URL}/",
        f"{pdf.LOGO_URL}%00",
        f"{BASE}/_programme/../{mou.name}",
        f"{BASE}/_programme/{logo}",
        f"{BASE}/_programme/{mou.name}",
        f"{BASE}/_programme/LOGO",
        f"{BASE}/_programme/logo.png",
        f"{BASE}/media/{logo}",
        f"{BASE}/{logo}",
        f"{BASE}/{mou.name}",
        f"{BASE}/static/../{logo}",
        "http://pdf.fellowship.invalid/_programme/logo",
        "https://pdf.fellowship.invalid:443/_programme/logo",
        "https://user@pdf.fellowship.invalid/_programme/logo",
        "https://evil.example/_programme/logo",
        f"file://{media}/{logo}",
        f"file://{media}/{mou.name}",
        f"file:{media}/{logo}",
    ):
        with pytest.raises(pdf.RefusedResource):
            pdf.fetch_resource(url)


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
        b"%PDF-1.7 not an image\n%%EOF\n",
        b"just text\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * (Programme.LOGO_MAX_BYTES + 1),
    ],
)
def test_a_stored_logo_that_is_not_a_png_or_jpeg_within_the_cap_is_refused(with_logo, content):
    """The stored file is checked again when read: storage changed behind the form's back."""
    with with_logo.logo.open("wb") as handle:
        handle.write(content)
    with pytest.raises(pdf.RefusedResource, match="not a PNG or JPEG"):
        pdf.fetch_resource(pdf.LOGO_URL)


def test_a_logo_missing_from_storage_is_refused_and_the_report_still_renders(with_logo, fetched):  # noqa: F811
    with_logo.logo.storage.delete(with_logo.logo.name)
    CohortFactory(number=1)

    out = render_pdf(compute_evidence(1))

    assert out.startswith(b"%PDF")
    assert refused(fetched, pdf.LOGO_URL)
    assert fetched.reads == []


def images_in(pdf_bytes: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    listing = subprocess.run(
        [PDFIMAGES, "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return listing.splitlines()[2:]  # after the two header lines


@pytest.mark.skipif(PDFIMAGES is None, reason="needs pdfimages (poppler-utils)")
def test_the_report_pdf_shows_the_logo_on_its_cover_and_reads_nothing_else(
    with_logo,
    fetched,  # noqa: F811
    tmp_path,
):
    CohortFactory(number=1)
    evidence = compute_evidence(1)

    html = render_html(evidence, for_pdf=True)
    out = render_pdf(evidence)

    assert f'<img src="{pdf.LOGO_URL}" alt="{NAME} logo">' in html
    (image,) = images_in(out, tmp_path)
    assert image.split()[0] == "1"  # on the cover, page 1
    assert (pdf.LOGO_URL, "served") in fetched.asked
    assert not [
        url
        for url, outcome in fetched.asked
        if outcome == "served" and url != pdf.LOGO_URL and "/static/" not in url
    ]
    assert fetched.reads == []


@pytest.mark.skipif(PDFIMAGES is None, reason="needs pdfimages (poppler-utils)")
def test_without_a_logo_the_cover_is_as_before(tmp_path):
    CohortFactory(number=1)
    evidence = compute_evidence(1)

    assert (
        "<img"
        not in render_html(evidence, for_pdf=True)
        .split('<section class="cover">')[1]
        .split("</section>")[0]
    )
    assert images_in(render_pdf(evidence), tmp_path) == []


def test_the_html_report_carries_the_logo_inline_so_the_file_stands_alone(with_logo):
    CohortFactory(number=1)
    html = render_html(compute_evidence(1))
    assert f'alt="{NAME} logo"' in html
    assert '<img src="data:image/png;base64,' in html
    assert pdf.LOGO_URL not in html
