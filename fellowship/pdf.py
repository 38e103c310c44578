"""Every PDF the service makes is drawn here, by WeasyPrint, reading nothing but our static files.

WeasyPrint fetches whatever a document points at: images, stylesheets, fonts, and files linked
with `rel="attachment"`, which it embeds in the PDF. Its default fetcher reads `file:` URLs from
the server's disk and `http:` URLs from the network, so one tag in a PDF's HTML could put the
server's files into a download or make the server call an internal address. `render_pdf` gives
WeasyPrint a fetcher that serves only the application's own static files:

* `/static/...` (relative URLs resolve against `BASE_URL`, an address that can never resolve) or
  the absolute STATIC_URL, found by the staticfiles finders or in STATIC_ROOT (the collected,
  hashed files of production). No `..`, no encoded separators, nothing outside those folders.
* one fixed address, `LOGO_URL`, is the programme's logo (`Programme.logo`, uploaded by faculty),
  read through the storage API and served only if its content is a PNG or JPEG within the
  logo's size cap. The address names no file: nothing in a URL can choose which stored file is
  read, so no other upload can reach a PDF.
* everything else, `file:`, `http:`, `https:`, `ftp:` and `data:` URLs among them, is refused
  with `RefusedResource` before anything is read. WeasyPrint logs the refusal and draws the PDF
  without the resource. (Our charts are inline SVG, so no PDF needs a `data:` image.)

The PDF is tagged for screen readers (WeasyPrint's `pdf_tags`: a structure tree, the title as the
window title, the language of the HTML). WeasyPrint is slow to import (about a second), so it is
imported inside the functions that draw.

Every PDF's HTML starts from one print stylesheet, templates/includes/print_base_style.html (A4,
the running header and footer, the type, tables that fit the text area), and a view sends the PDF
with `pdf_response`: a download, never cached, never sniffed as anything else.
"""

from __future__ import annotations

import functools
import io
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse
from django.utils._os import safe_join

from .uploads import private_download

# Relative URLs in a PDF's HTML resolve against this. The .invalid top-level domain never
# resolves (RFC 2606), and the fetcher never goes to the network anyway.
BASE_URL = "https://pdf.fellowship.invalid/"
# The programme's logo, the one stored file a PDF may show (templates write it as this address).
LOGO_URL = urljoin(BASE_URL, "_programme/logo")


class RefusedResource(ValueError):
    """A PDF asked for something that is not one of the application's static files."""

    def __init__(self, url: str, why: str):
        shown = url if len(url) <= 120 else url[:117] + "..."
        super().__init__(f"Not fetched for a PDF: {shown} ({why})")
        self.url = url


def _static_prefix() -> tuple[str, str, str]:
    """(scheme, host, path) that our static files' URLs start with."""
    parts = urlsplit(urljoin(BASE_URL, settings.STATIC_URL))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return parts.scheme.lower(), parts.netloc.lower(), path


def static_file(url: str) -> Path:
    """The file of the application's own static files that `url` names.

    Raises RefusedResource for any other URL (another scheme or host, a path outside STATIC_URL,
    a `..` even percent-encoded, a backslash or NUL) and for a static file that does not exist.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        raise RefusedResource(url, "not a URL") from None
    scheme, host, prefix = _static_prefix()
    if parts.scheme.lower() != scheme or parts.netloc.lower() != host:
        raise RefusedResource(url, "only the application's static files are used")
    if not parts.path.startswith(prefix):
        raise RefusedResource(url, "only the application's static files are used")
    relative = unquote(parts.path[len(prefix) :])
    segments = relative.split("/")
    if (
        not relative
        or "\\" in relative
        or "\x00" in relative
        or any(segment in ("", ".", "..") for segment in segments)
    ):
        raise RefusedResource(url, "not a plain path inside the static files")
    try:
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            found = safe_join(settings.STATIC_ROOT, relative)
    except SuspiciousFileOperation:
        raise RefusedResource(url, "outside the static files") from None
    path = Path(found) if found else None
    if path is None or not path.is_file():
        raise RefusedResource(url, "no such static file")
    return path


def programme_logo() -> tuple[bytes, str]:
    """(content, MIME type) of the programme's logo; RefusedResource if there is none, it cannot
    be read, or it is not a PNG or JPEG within the size cap (whatever its name says)."""
    from .models import Programme, programme
    from .uploads import SENT_AS, sniff

    logo = programme().logo
    if not logo:
        raise RefusedResource(LOGO_URL, "the programme has no logo")
    try:
        with logo.open("rb") as handle:
            content = handle.read(Programme.LOGO_MAX_BYTES + 1)
    except OSError:
        raise RefusedResource(LOGO_URL, "the logo file cannot be read") from None
    kind = sniff(content[:16])
    if kind not in Programme.LOGO_KINDS or len(content) > Programme.LOGO_MAX_BYTES:
        raise RefusedResource(LOGO_URL, "the logo is not a PNG or JPEG within the size cap")
    return content, SENT_AS[kind][0]


def fetch_resource(url: str) -> tuple[bytes, str]:
    """(content, MIME type) of the static file `url` names, or of the programme's logo for
    exactly `LOGO_URL`; RefusedResource for anything else."""
    if url == LOGO_URL:
        return programme_logo()
    path = static_file(url)
    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.read_bytes(), mime_type


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """WeasyPrint's fetcher, allowed nothing but `fetch_resource` (no disk, no network)."""

        def fetch(self, url, headers=None):
            content, mime_type = fetch_resource(url)
            return URLFetcherResponse(url, content, headers={"Content-Type": mime_type})

    return StaticFilesOnly


def url_fetcher():
    """A new WeasyPrint URL fetcher that serves only the application's static files and the logo."""
    return _fetcher_class()()


def _document(html: str):
    # Its progress lines (several per page, at INFO) would drown a command's own output.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint  # slow to import: only when a PDF is made

    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())


def layout(html: str):
    """The HTML laid out in pages (a weasyprint Document, for counting pages), as `render_pdf` would."""
    return _document(html).render(pdf_tags=True)


def render_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF, fetching nothing but the application's static files."""
    return _document(html).write_pdf(pdf_tags=True)


def pdf_response(pdf: bytes, *, filename: str) -> FileResponse:
    """The PDF as a download named `filename`: private, not stored by caches, not sniffed."""
    return private_download(
        FileResponse(
            io.BytesIO(pdf), as_attachment=True, filename=filename, content_type="application/pdf"
        )
    )
