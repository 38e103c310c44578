"""A withdrawn consent takes the quote out of every report made afterwards (PDF, HTML and the
workbook's counts), and the appendix counts testimonials by consent, with no names."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portfolio import services as portfolio_services
from portfolio.enums import QuoteAs
from reports import services
from reports.enums import ReportState
from reports.evidence import compute_evidence
from reports.render import render_html

from ..factories import CohortFactory, FellowFactory
from ..factories import portfolio as factories

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
STORY = "Zephyrine clinics changed."


def _report(cohort, faculty, capture):
    with capture(execute=True):
        job, _ = services.request_report(cohort, suppress_below=5, by=faculty)
    job.refresh_from_db()
    assert job.state == ReportState.DONE, job.failure_reason
    return job


def _pdf_text(job) -> str:
    out = subprocess.run([PDFTOTEXT, job.pdf.path, "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _workbook(job) -> dict[str, object]:
    from openpyxl import load_workbook

    with job.xlsx.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
    built = {row[0]: row[1] for row in book["Built from"].iter_rows(values_only=True) if row}
    return {"text": " ".join(str(c) for c in cells), "built": built}


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
def test_a_quote_withdrawn_is_gone_from_reports_made_afterwards(
    faculty_client, role_users, django_capture_on_commit_callbacks
):
    faculty = role_users["faculty"]
    faculty.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    cohort = CohortFactory(number=1)
    fellow = FellowFactory(cohort=cohort, full_name="Nadia Consentwell")
    testimonial = factories.TestimonialFactory(
        fellow=fellow, text=STORY, may_quote=True, quote_as=QuoteAs.NAMED
    )

    before = _report(cohort, faculty, django_capture_on_commit_callbacks)
    assert STORY in _pdf_text(before) and "Nadia Consentwell" in _pdf_text(before)
    preview = faculty_client.get(reverse("report_preview", args=[1])).content.decode()
    assert STORY in preview
    assert _workbook(before)["built"]["Testimonials that may be quoted"] == 1

    portfolio_services.withdraw_consent(testimonial.quote_consent, by=fellow.user)

    after = _report(cohort, faculty, django_capture_on_commit_callbacks)
    assert after.pk != before.pk
    text = _pdf_text(after)
    assert STORY not in text and "Nadia Consentwell" not in text
    assert "No fellow of these cohorts has yet agreed to have their testimonial quoted" in text
    preview = faculty_client.get(reverse("report_preview", args=[1])).content.decode()
    assert STORY not in preview and "Nadia Consentwell" not in preview
    book = _workbook(after)
    assert STORY not in book["text"] and "Nadia Consentwell" not in book["text"]
    assert book["built"]["Testimonials that may be quoted"] == 0
    assert book["built"]["Consents withdrawn"] == 1
    # The report made before is kept as it was made.
    assert STORY in _pdf_text(before)


def test_the_appendix_counts_testimonials_by_consent_without_names():
    one, two = CohortFactory(number=1), CohortFactory(number=2)
    names = iter(f"Fellow Person{n}" for n in range(20))

    def make(cohort=one, **kw):
        fellow = FellowFactory(cohort=cohort, full_name=next(names))
        return factories.TestimonialFactory(fellow=fellow, text=f"Story of {fellow.ref}.", **kw)

    # Hand-counted for cohorts 1..1: 7 held; 4 quotable (2 named, 2 anonymous); 1 published;
    # 2 consents withdrawn (one quote and, with it, its publication).
    make(may_quote=True, quote_as=QuoteAs.NAMED, may_publish=True)
    make(may_quote=True, quote_as=QuoteAs.NAMED)
    make(may_quote=True, quote_as=QuoteAs.ANONYMOUS)
    make(may_quote=True, quote_as=QuoteAs.ANONYMOUS)
    make(may_quote=False)
    make(may_quote=False)
    gone = make(may_quote=True, quote_as=QuoteAs.ANONYMOUS, may_publish=True)
    portfolio_services.withdraw_consent(gone.quote_consent, by=None)
    make(cohort=two, may_quote=True, may_publish=True)  # a later cohort: not in this report

    evidence = compute_evidence(1)
    t = evidence.data.testimonials
    assert (t.held, t.quoted, t.named, t.anonymous, t.published, t.withdrawn) == (7, 4, 2, 2, 1, 2)
    html = render_html(evidence)
    appendix = html.split('id="appendix"')[1]
    assert (
        "Testimonials: 7 held; 4 may be quoted (2 named, 2 anonymous); 1 may be published; "
        "2 consents withdrawn." in appendix
    )
    assert "Person" not in appendix  # counts only, no names

    from openpyxl import load_workbook

    from reports.xlsx import render_xlsx

    book = load_workbook(io.BytesIO(render_xlsx(evidence)))
    built = {row[0]: row[1] for row in book["Built from"].iter_rows(values_only=True) if row}
    assert (
        built["Testimonials held"],
        built["Testimonials that may be quoted"],
        built["… quoted with name"],
        built["… quoted anonymously"],
        built["Testimonials that may be published"],
        built["Consents withdrawn"],
    ) == (7, 4, 2, 2, 1, 2)
