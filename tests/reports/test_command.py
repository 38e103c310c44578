"""`manage.py benefits_report` writes the report PDF, as the programme-history contract says."""

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
        "32 (10%)",
        "19 (56%)",
        "14% (9/63)",
        "90%",
        "91 matched",
    ):
        assert figure in text, figure
    assert "Page 2 of" in text
    # Suppressed by default: cohort 4's 4 fellows who did not state their gender.
    assert "4 (12%)" not in text and "<5" in text

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
