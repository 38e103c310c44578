"""The programme settings page: only faculty change the programme's details and logo; a logo must
be a real PNG or JPEG (by content, whatever its name), never SVG, and a refused file stores
nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fellowship.models import Programme, programme

pytestmark = pytest.mark.django_db

URL = reverse("programme_settings")
DETAILS = {
    "name": "Demo Fellowship in Clinical AI",
    "short_name": "DFCAI",
    "organisation": "Demo Health Education",
    "website": "https://fellowship.example",
}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'


def image_bytes(kind: str = "PNG", size=(120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 94, 184)).save(buffer, kind)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


@pytest.mark.parametrize(
    "role", ["outsider", "fellow", "funder", "alumnus", "supervisor", "applicant"]
)
def test_only_faculty_may_open_or_post_the_programme_settings(role, request, settings):
    client = request.getfixturevalue(f"{role}_client")

    assert client.get(URL).status_code == 403
    response = client.post(URL, {**DETAILS, "logo": upload("logo.png", image_bytes())})

    assert response.status_code == 403
    assert not Programme.objects.exists()
    assert stored_files(settings) == []


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, DETAILS).status_code == 302
    assert not Programme.objects.exists()


def test_faculty_save_the_programme_details_and_a_png_logo(faculty_client, settings):
    response = faculty_client.post(URL, {**DETAILS, "logo": upload("our logo.png", image_bytes())})

    assert response.status_code == 302
    saved = programme()
    assert saved.name == "Demo Fellowship in Clinical AI"
    assert Site.objects.get_current().name == "Demo Fellowship in Clinical AI"
    assert (saved.short_name, saved.organisation, saved.website) == (
        "DFCAI",
        "Demo Health Education",
        "https://fellowship.example",
    )
    # A private random name in its own folder; the name it was uploaded with is not kept.
    assert saved.logo.name.startswith("programme/") and saved.logo.name.endswith(".png")
    assert "our logo" not in saved.logo.name
    with saved.logo.open("rb") as handle:
        assert handle.read() == image_bytes()
    page = faculty_client.get(URL).content.decode()
    assert 'alt="Demo Fellowship in Clinical AI logo"' in page
    assert 'src="data:image/png;base64,' in page


def test_a_jpeg_logo_is_accepted(faculty_client):
    response = faculty_client.post(
        URL, {**DETAILS, "logo": upload("logo.jpg", image_bytes("JPEG"), "image/jpeg")}
    )
    assert response.status_code == 302
    assert programme().logo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("logo.svg", SVG, "image/svg+xml", "The selected file must be a PNG or JPEG"),
        ("logo.png", SVG, "image/png", "The selected file must be a PNG or JPEG"),
        (
            "logo.png",
            b"just some text, not an image\n" * 4,
            "image/png",
            "The selected file must be a PNG or JPEG",
        ),
        (
            "logo.png",
            b"GIF89a" + b"\x00" * 64,
            "image/png",
            "The selected file must be a PNG or JPEG",
        ),
        (
            "logo.pdf",
            b"%PDF-1.7\n%%EOF\n",
            "application/pdf",
            "The selected file must be a PNG or JPEG",
        ),
        # The right first bytes, then nothing an image decoder can read.
        (
            "logo.png",
            b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 4,
            "image/png",
            "damaged or incomplete",
        ),
        ("logo.png", b"", "image/png", "The submitted file is empty"),
        ("logo.png", image_bytes(size=(5000, 4000)), "image/png", "at most 4000 by 4000 pixels"),
    ],
)
def test_a_logo_that_is_not_a_real_png_or_jpeg_is_refused_and_nothing_is_stored(
    faculty_client, settings, name, content, content_type, message
):
    response = faculty_client.post(URL, {**DETAILS, "logo": upload(name, content, content_type)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not Programme.objects.exists()
    assert Site.objects.get_current().name != DETAILS["name"]
    assert stored_files(settings) == []


def test_a_logo_over_1_mb_is_refused(faculty_client, settings):
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * Programme.LOGO_MAX_BYTES
    response = faculty_client.post(URL, {**DETAILS, "logo": upload("logo.png", big)})

    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert stored_files(settings) == []


def test_replacing_the_logo_deletes_the_old_file_and_removing_it_deletes_it_too(
    faculty_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        faculty_client.post(URL, {**DETAILS, "logo": upload("a.png", image_bytes())})
    first = programme().logo.name
    with django_capture_on_commit_callbacks(execute=True):
        faculty_client.post(
            URL, {**DETAILS, "logo": upload("b.jpg", image_bytes("JPEG"), "image/jpeg")}
        )
    second = programme().logo.name

    assert second != first
    assert stored_files(settings) == [second]

    with django_capture_on_commit_callbacks(execute=True):
        faculty_client.post(URL, {**DETAILS, "remove_logo": "on"})

    assert not programme().logo
    assert stored_files(settings) == []


def test_saving_the_details_without_a_new_file_keeps_the_logo(faculty_client):
    faculty_client.post(URL, {**DETAILS, "logo": upload("a.png", image_bytes())})
    logo = programme().logo.name

    faculty_client.post(URL, {**DETAILS, "organisation": "Someone else"})

    assert programme().logo.name == logo
    assert programme().organisation == "Someone else"


def test_a_blank_name_is_refused(faculty_client):
    response = faculty_client.post(URL, {**DETAILS, "name": "   "})
    assert response.status_code == 200
    assert not Programme.objects.exists()
