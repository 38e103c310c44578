"""`manage.py benefits_report` writes the report PDF, as the programme-history contract says, or
the workbook or HTML page its output's extension names (the same files the web job makes)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .history import load_demo_history, load_small_history

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(path) -> str:
    result = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True)
    # One space between words, so a figure split over columns still reads as one phrase.
    return re.sub(r"[ \t]+", " ", result.stdout.decode())


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
def test_benefits_report_writes_the_demo_report_pdf(tmp_path):
    load_demo_history()
    output = tmp_path / "report.pdf"
    out = io.StringIO()
    call_command("benefits_report", "--cohort", "4", "--output", str(output), stdout=out)

    assert output.read_bytes().startswith(b"%PDF")
    assert "cohorts 1 to 4" in out.getvalue()
    text = pdf_text(output)
    for heading in ("Contents", *(f"Objective {n}" for n in range(1, 9)), "Appendix"):
        assert heading in text, heading
    for column in ("Stakeholders", "Evidence", "Benefit realised"):
        assert column in text
    for figure in (
        "162 (53%)",
        "114 (37%)",
        "19 (56%)",
        "14% (9/63)",
        "90%",
        "91 matched",
    ):
        assert figure in text, figure
    assert "Page 2 of" in text
    # Suppressed by default: cohort 4's 4 fellows who did not state their gender, and the 32
    # applicants who did not (beside the total they would tell that no one else applied).
    assert "4 (12%)" not in text and "<5" in text and "32 (10%)" not in text and "[c]" in text

    unsuppressed = tmp_path / "unsuppressed.pdf"
    call_command(
        "benefits_report",
        "--cohort",
        "4",
        "--output",
        str(unsuppressed),
        "--suppress-below",
        "0",
        stdout=io.StringIO(),
    )
    text = pdf_text(unsuppressed)
    assert "4 (12%)" in text and "<5" not in text
    assert "suppression was turned off" in text


def test_an_unknown_cohort_is_a_clear_error_and_writes_nothing(tmp_path):
    load_small_history()
    output = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="There is no cohort 9"):
        call_command("benefits_report", "--cohort", "9", "--output", str(output))
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_negative_threshold_or_missing_folder_is_refused(tmp_path):
    load_small_history()
    with pytest.raises(CommandError, match="0 or more"):
        call_command(
            "benefits_report",
            "--cohort",
            "2",
            "--output",
            str(tmp_path / "r.pdf"),
            "--suppress-below",
            "-1",
        )
    with pytest.raises(CommandError, match="no such folder"):
        call_command(
            "benefits_report", "--cohort", "2", "--output", str(tmp_path / "nope" / "r.pdf")
        )


# Output formats -------------------------------------------------------------------------------


def workbook_rows(data: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    # The build time is the moment each was made; everything else must be the same.
    return {
        sheet.title: [
            row for row in sheet.iter_rows(values_only=True) if row[0] != "Built (UK time)"
        ]
        for sheet in book.worksheets
    }


def test_an_xlsx_output_is_the_workbook_the_web_job_stores(
    tmp_path, django_capture_on_commit_callbacks
):
    from fellowship.enums import Role
    from fellowship.models import Cohort
    from reports import services

    from ..conftest import make_person

    load_small_history()
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = services.request_report(
            Cohort.objects.get(number=2), suppress_below=5, by=make_person(Role.FACULTY)
        )
    services.run_report(job.pk)
    job.refresh_from_db()
    with job.xlsx.open("rb") as handle:
        stored = handle.read()

    output = tmp_path / "report.xlsx"
    out = io.StringIO()
    call_command("benefits_report", "--cohort", "2", "--output", str(output), stdout=out)

    data = output.read_bytes()
    assert data.startswith(b"PK")  # a workbook, not a PDF with the wrong name
    assert workbook_rows(data) == workbook_rows(stored)
    assert f"Wrote {output}" in out.getvalue() and "cohorts 1 to 2" in out.getvalue()


def test_an_html_output_is_the_self_contained_report(tmp_path):
    from reports.evidence import compute_evidence
    from reports.render import render_html

    load_small_history()
    output = tmp_path / "report.html"
    call_command("benefits_report", "--cohort", "2", "--output", str(output), stdout=io.StringIO())

    html = output.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    expected = render_html(compute_evidence(2))
    # The same page but for the moment it was built (printed in the appendix).
    stamp = re.compile(r"\d{1,2} \w+ \d{4},? (at )?\d{1,2}:\d{2}( ?[ap]m)?")
    assert stamp.sub("", html) == stamp.sub("", expected)
    assert "<script" not in html.lower() and "nonce=" not in html  # nothing but the report
    assert "Benefits realisation report: cohorts 1 to 2" in html


def test_the_extension_chooses_the_format_whatever_its_case(tmp_path):
    load_small_history()
    output = tmp_path / "REPORT.PDF"
    call_command("benefits_report", "--cohort", "2", "--output", str(output), stdout=io.StringIO())
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "name", ["report.docx", "report", "report.pdf.exe", "report.htm", "report.xls", ".xlsx"]
)
def test_an_output_in_another_format_is_refused_and_writes_nothing(tmp_path, name):
    load_small_history()
    with pytest.raises(CommandError, match=r"\.pdf, \.xlsx or \.html"):
        call_command("benefits_report", "--cohort", "2", "--output", str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_output_is_refused(tmp_path):
    load_small_history()
    (tmp_path / "out.pdf").mkdir()
    with pytest.raises(CommandError, match="is a folder"):
        call_command("benefits_report", "--cohort", "2", "--output", str(tmp_path / "out.pdf"))
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]
