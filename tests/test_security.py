"""Security of the whole service: response headers, production cookies and HSTS, the deployment
checks, login rate limits, templates that the Content-Security-Policy would break, and every view
that sends a stored file.

Covered elsewhere, not repeated here:
- MFA for faculty, panellists and funders: tests/fellowship/test_accounts.py
  (test_sensitive_roles_must_set_up_mfa_before_any_page, test_other_roles_do_not_need_mfa,
  test_faculty_login_asks_for_the_authenticator_code).
- Failed logins locked out after five: test_accounts.py::test_repeated_failed_logins_are_rate_limited.
- Content checks of uploads through their forms: tests/portfolio/test_entries.py (HTML as .pdf,
  truncated PDF, too big), tests/recruitment/test_apply_views.py (documents, oversize CV).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.static import serve

from fellowship.enums import Role
from fellowship.uploads import check_upload
from portfolio.forms import EntryForm
from recruitment.models import ApplicationDocument, InterviewPanel, InterviewSlot
from reports.enums import ReportState
from reports.models import ReportJob

from .factories import (
    PASSWORD,
    CohortFactory,
    FellowFactory,
    FundedPostFactory,
    RequiredDocumentFactory,
    UserFactory,
    submitted,
)
from .factories.portfolio import PortfolioEntryFactory, PosterFactory, pdf_bytes, png_bytes

ROOT = Path(__file__).resolve().parents[1]
PDF = pdf_bytes("stored file")
PRODUCTION_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "MEDIA_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "STATICFILES_DIRS",
]


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production start: DEBUG off, a real secret, a host name; the tests'
    own variables (and any DEBUG or database of the caller) removed."""
    drop = {
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # fmt: skip; the last is set for the browser tests
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="fellowship.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="fellowship.example.nhs.uk",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def production():
    """The security settings exactly as fellowship.settings makes them in production."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {PRODUCTION_NAMES!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values = json.loads(out.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def production_overrides(production) -> dict:
    names = PRODUCTION_NAMES[:9]  # the request-handling ones; paths stay the tests' own
    return {name: production[name] for name in names}


def csp_directives(header: str) -> dict[str, list[str]]:
    return {parts[0]: parts[1:] for parts in (d.split() for d in header.split(";") if d.strip())}


# Headers ----------------------------------------------------------------------------------------


PAGES = [
    ("anonymous", "account_login"),
    ("applicant", "home"),
    ("faculty", "fellow_list"),
    ("fellow", "home"),
    ("faculty", "mfa_index"),
    ("panellist", "my_interviews"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name"), PAGES)
def test_pages_carry_the_security_headers(who, name, role_users, login):
    client = Client() if who == "anonymous" else login(role_users[who])
    response = client.get(reverse(name))
    assert response.status_code == 200

    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'self'" in csp["script-src"]
    # Inline scripts only by nonce (django-csp adds 'nonce-…' when a page uses one).
    assert set(csp["script-src"]) - {"'self'"} <= {
        s for s in csp["script-src"] if s.startswith("'nonce-")
    }
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name"), PAGES)
def test_every_script_on_a_page_is_our_own_file_or_carries_the_pages_nonce(
    who, name, role_users, login
):
    client = Client() if who == "anonymous" else login(role_users[who])
    response = client.get(reverse(name))
    found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    nonce = found.group(1) if found else None  # no nonce in the header: no inline script may run
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        src = re.search(r'\bsrc="([^"]+)"', tag)
        if src:
            assert src.group(1).startswith(settings.STATIC_URL), tag  # 'self', no other host
        elif not re.search(r'type="application/(ld\+)?json"', tag):  # data, never executed
            assert nonce and f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)


def test_hsts_is_sent_over_https_under_production_settings(production, db):
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    with override_settings(**production_overrides(production)):
        client = Client()
        response = client.get(reverse("account_login"), secure=True)
        assert response.status_code == 200
        assert (
            response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        )
        # Plain HTTP is sent to HTTPS; behind the proxy, its X-Forwarded-Proto counts as HTTPS.
        plain = client.get(reverse("account_login"))
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        proxied = client.get(reverse("account_login"), headers={"x-forwarded-proto": "https"})
        assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied


def test_no_hsts_over_plain_http_in_development(db, settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get(reverse("account_login"))


def test_session_and_csrf_cookies_are_secure_and_http_only_under_production_settings(
    production, db
):
    user = UserFactory(roles=[Role.APPLICANT])
    with override_settings(**production_overrides(production)):
        client = Client()
        page = client.get(reverse("account_login"), secure=True)
        csrf = page.cookies[settings.CSRF_COOKIE_NAME]
        assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_check_deploy_passes_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Login rate limits ------------------------------------------------------------------------------


def test_login_rate_limits_are_configured_for_failures_per_account_and_per_address():
    limits = settings.ACCOUNT_RATE_LIMITS
    assert limits is not False
    failed = dict(rule.rsplit("/", 1)[::-1] for rule in limits["login_failed"].split(","))
    assert set(failed) == {"key", "ip"}  # per account and per address
    assert int(failed["key"].split("/")[0]) <= 5
    assert limits["login"].endswith("/ip") and limits["reset_password"]


@pytest.mark.django_db
def test_a_flood_of_logins_from_one_address_gets_429_with_a_clear_message(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for n in range(3):
        client.post(reverse("account_login"), {"login": f"x{n}@example.org", "password": "x"})
    response = client.post(reverse("account_login"), {"login": "x@example.org", "password": "x"})
    assert response.status_code == 429
    page = response.content.decode()
    # Our own page in the service's layout, saying what to do next.
    assert "<h1>Too many attempts</h1>" in page and "Wait a few minutes, then try again" in page
    assert 'class="nhsuk-header' in page
    # The limit is per address: another address still gets the form.
    other = Client(REMOTE_ADDR="10.9.8.7").get(reverse("account_login"))
    assert other.status_code == 200


# Templates the CSP would break ------------------------------------------------------------------


def template_files() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine["DIRS"]]
    dirs += [ROOT / app / "templates" for app in ("fellowship", "recruitment", "projects",
                                                  "surveys", "portfolio", "reports")]  # fmt: skip
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*.html"))


# Rendered by WeasyPrint into PDFs on the server, never sent to a browser: inline styles are fine.
PDF_ONLY = {"projects/catalogue_pdf.html", "portfolio/portfolio_pdf.html"}


def csp_problems(name: str, text: str) -> list[str]:
    """What in a template the Content-Security-Policy would block (or a nonce would be needed for)."""
    problems = []
    for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
        data_only = re.search(r'type="application/(ld\+)?json"', tag)  # never executed
        if "src=" not in tag and "nonce=" not in tag and not data_only:
            problems.append(f"{name}: inline script without a nonce: {tag}")
    for handler in re.findall(r"\son[a-z]+\s*=", text, re.IGNORECASE):
        problems.append(f"{name}: inline event handler{handler}")
    if re.search(r"\sstyle\s*=", text, re.IGNORECASE):
        problems.append(f"{name}: style= attribute")
    if re.search(r"(href|action|src)\s*=\s*[\"']?\s*javascript:", text, re.IGNORECASE):
        problems.append(f"{name}: javascript: URL")
    if name not in PDF_ONLY:
        for tag in re.findall(r"<style\b[^>]*>", text, re.IGNORECASE):
            if "nonce" not in tag:
                problems.append(f"{name}: <style> without a nonce")
    return problems


def test_templates_have_no_inline_script_handler_or_style_that_the_csp_would_block():
    files = template_files()
    assert len(files) > 50
    problems = []
    for path in files:
        name = (
            path.relative_to(ROOT / "templates").as_posix()
            if path.is_relative_to(ROOT / "templates")
            else str(path)
        )
        problems += csp_problems(name, path.read_text(encoding="utf-8"))
    assert problems == []


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script type="module">go()</script>',
        '<button onclick="go()">Go</button>',
        '<body onload = "go()">',
        '<p style="color: red">',
        '<a href="javascript:go()">',
        "<style>p { color: red }</style>",
    ],
)
def test_the_template_scan_catches_what_the_csp_would_block(markup):
    assert csp_problems("page.html", markup)


@pytest.mark.parametrize(
    "markup",
    [
        '<script type="module" src="{% static \'js/app.js\' %}"></script>',
        '<script nonce="{{ request.csp_nonce }}">go()</script>',
        '<script type="application/json">{"a": 1}</script>',
        '<style nonce="{{ style_nonce }}">p {}</style>',
        "<p>Based on the reviewers' scores</p>",
    ],
)
def test_the_template_scan_passes_what_the_csp_allows(markup):
    assert csp_problems("page.html", markup) == []


# Stored files -----------------------------------------------------------------------------------


@pytest.fixture
def stored(role_users, person):
    """One stored file of every kind, each with the people who may and may not fetch it."""
    applicant, faculty, panellist = (role_users[r] for r in ("applicant", "faculty", "panellist"))
    application = submitted(applicant=applicant)  # CV and employer approval form stored
    document = ApplicationDocument.objects.create(
        application=application,
        requirement=RequiredDocumentFactory(round=application.round),
        file=ContentFile(PDF, name="reference.pdf"),
    )
    panel = InterviewPanel.objects.create(
        round=application.round, name="Panel A", date=dt.date(2026, 6, 1)
    )
    panel.members.add(panellist)
    start = timezone.now()
    slot = InterviewSlot.objects.create(
        panel=panel,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        application=application,
    )
    funder = role_users["funder"].role_grants.get(role=Role.FUNDER).funder
    funder.mou.save("mou.pdf", ContentFile(PDF))
    fellow = FellowFactory(user=role_users["fellow"], funder=funder)
    entry = PortfolioEntryFactory(fellow=fellow, title="Certificate")
    entry.evidence.save("certificate.pdf", ContentFile(PDF))
    PosterFactory(fellow=fellow)  # a PNG: previewed in the page
    FundedPostFactory(funder=funder, cohort=fellow.cohort)
    job = ReportJob.objects.create(
        cohort=fellow.cohort, suppress_below=5, state=ReportState.DONE, progress=100,
        requested_by=faculty, finished_at=timezone.now(), released_at=timezone.now(),
    )  # fmt: skip
    job.pdf.save("report.pdf", ContentFile(PDF))
    job.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04 workbook"))

    other_applicant = person("applicant")
    other_panellist = person("panellist")
    other_funder = person("funder")
    other_fellow = FellowFactory(user=person("fellow"), cohort=CohortFactory()).user
    app_files = [application.cv.name, application.approval_form.name, document.file.name]
    ref = application.ref
    return [
        # (url, people who get the file, strangers who get 404, content type, disposition)
        (reverse("application_cv", args=[ref]), [applicant, faculty], [other_applicant, other_fellow], "application/pdf", "attachment"),
        (reverse("application_approval_form", args=[ref]), [applicant, faculty], [other_applicant, panellist], "application/pdf", "attachment"),
        (reverse("application_document", args=[ref, document.pk]), [applicant, faculty], [other_applicant, other_funder], "application/pdf", "attachment"),
        (reverse("panel_cv", args=[slot.pk]), [panellist], [other_panellist], "application/pdf", "attachment"),
        (reverse("funder_mou", args=[funder.pk]), [faculty, role_users["funder"]], [other_funder], "application/pdf", "attachment"),
        (reverse("entry_evidence", args=[fellow.ref, entry.pk]), [fellow.user, faculty], [other_fellow, applicant], "application/pdf", "attachment"),
        (reverse("poster_file", args=[fellow.ref]) + "?download", [fellow.user, faculty], [other_fellow, applicant], "image/png", "attachment"),
        # The one deliberate inline file: a poster image previewed in the portfolio page.
        (reverse("poster_file", args=[fellow.ref]), [fellow.user], [other_fellow], "image/png", "inline"),
        (reverse("portfolio_pdf", args=[fellow.ref]), [fellow.user], [other_fellow], "application/pdf", "attachment"),
        (reverse("report_download", args=[job.pk, "pdf"]), [faculty, role_users["funder"]], [other_funder], "application/pdf", "attachment"),
        (reverse("report_download", args=[job.pk, "xlsx"]), [faculty], [other_funder], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ], app_files  # fmt: skip


@pytest.mark.django_db
def test_stored_files_go_only_to_permitted_people_as_unsniffable_downloads(stored, login):
    cases, _ = stored
    for url, allowed, strangers, content_type, disposition in cases:
        for user in allowed:
            response = login(user).get(url)
            assert response.status_code == 200, (url, user)
            assert response["Content-Type"] == content_type, url
            assert response["Content-Disposition"].startswith(f"{disposition};"), url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["Cache-Control"] == "private, no-store", url
            if disposition == "inline":  # nothing in it may run, even opened on its own
                assert response["Content-Security-Policy"] == "default-src 'none'"
        for user in strangers:
            assert login(user).get(url).status_code == 404, (url, user)
        assert Client().get(url).status_code == 302  # signed out: to the login page


@pytest.mark.django_db
def test_people_without_any_report_permission_are_refused_report_downloads(
    stored, role_users, login
):
    cases, _ = stored
    url = next(c[0] for c in cases if "/download/pdf/" in c[0])
    # A permission on the whole report area, not on the report: refusing it reveals nothing.
    assert login(role_users["applicant"]).get(url).status_code == 403


@pytest.mark.django_db
def test_a_file_uploaded_under_an_html_name_is_sent_as_what_its_content_is(
    fellow_client, role_users
):
    fellow = FellowFactory(user=role_users["fellow"])
    upload = SimpleUploadedFile("notes.html", PDF, content_type="text/html")
    form = EntryForm(
        {"kind": "publication", "title": "Notes", "date": "2024-06-01"},
        {"evidence": upload},
        instance=fellow.portfolio_entries.model(fellow=fellow),
    )
    assert form.is_valid(), form.errors  # the content is a real PDF
    entry = form.save()
    response = fellow_client.get(reverse("entry_evidence", args=[fellow.ref, entry.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'


@pytest.mark.parametrize(
    ("name", "content", "kinds", "code"),
    [
        ("cv.pdf", b"<html><script>alert(1)</script></html>", ("pdf",), "wrong_type"),
        ("cv.pdf", b"<svg onload=alert(1)>", ("pdf",), "wrong_type"),
        ("cv.pdf", b"%PDF-1.4\n<html>no end of file marker", ("pdf",), "corrupt"),
        ("photo.png", b"GIF89a" + b"\0" * 20, ("pdf", "png", "jpeg"), "wrong_type"),
        ("cv.pdf", png_bytes(), ("pdf",), "wrong_type"),
        ("cv.pdf", b"", ("pdf",), "empty"),
    ],
)
def test_uploads_are_checked_by_content_not_name(name, content, kinds, code):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content), kinds=kinds)
    assert error.value.code == code


def test_uploads_are_size_limited(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("cv.pdf", PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n")
    with pytest.raises(ValidationError) as error:
        check_upload(big)
    assert error.value.code == "too_big"
    assert check_upload(SimpleUploadedFile("cv.pdf", PDF)) == "pdf"


def test_uploads_are_stored_outside_static_and_have_no_url_in_production(production):
    media = Path(production["MEDIA_ROOT"]).resolve()
    static_dirs = [Path(production["STATIC_ROOT"]), *map(Path, production["STATICFILES_DIRS"])]
    assert all(not media.is_relative_to(d.resolve()) for d in static_dirs)
    assert all(not d.resolve().is_relative_to(media) for d in static_dirs)
    assert production["MEDIA_URL"] is None or production["MEDIA_URL"] == "None"
    assert getattr(settings, "WHITENOISE_ROOT", None) is None  # WhiteNoise serves static files only


def test_no_url_serves_files_straight_from_disk():
    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    callbacks = list(views(get_resolver().url_patterns))
    assert callbacks and serve not in callbacks  # no static(MEDIA_URL, ...) in any urls.py
    source = "\n".join(p.read_text() for p in ROOT.glob("*/urls*.py"))
    assert "MEDIA_URL" not in source and "static(" not in source


@pytest.mark.django_db
def test_a_stored_files_path_is_not_reachable_by_url(stored, role_users, login):
    _, names = stored
    faculty = login(role_users["faculty"])
    for name in names:
        assert (Path(settings.MEDIA_ROOT) / name).is_file()
        for prefix in ("/media/", settings.MEDIA_URL, "/static/", "/"):
            assert faculty.get(prefix + name).status_code == 404, prefix + name
