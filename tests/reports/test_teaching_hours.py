"""Objective 5's teaching hours against small data worked out by hand: the workshops' recorded
lengths added up per cohort, and where some workshops have no length, a minimum that says how many
are missing rather than a false total; the same figures in the HTML, the PDF and the XLSX."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest

from reports.evidence import TeachingYear, compute_evidence, hours_number
from reports.render import render_html, render_pdf
from tests.factories import CohortFactory, WorkshopFactory

from .test_figures_paper import sheet_rows, table, text_of

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")

MARCH = [datetime.date(2025, 3, day) for day in range(3, 8)]


def two_cohorts():
    """Cohort 1: 420 + 390 + 300 = 1,110 minutes, every length recorded: 18.5 hours.
    Cohort 2: 420 + 240 = 660 minutes recorded (11 hours), and one workshop with no length."""
    c1, c2 = CohortFactory(number=1), CohortFactory(number=2)
    WorkshopFactory(cohort=c1, date=MARCH[0], title="Bootcamp", duration_minutes=420)
    WorkshopFactory(cohort=c1, date=MARCH[1], title="Fundamentals", duration_minutes=390)
    WorkshopFactory(cohort=c1, date=MARCH[1], title="Evening talk", duration_minutes=300)
    WorkshopFactory(cohort=c2, date=MARCH[2], title="Bootcamp", duration_minutes=420)
    WorkshopFactory(cohort=c2, date=MARCH[3], title="Masterclass", duration_minutes=240)
    WorkshopFactory(cohort=c2, date=MARCH[4], title="Showcase", regional_showcase=True)


def test_teaching_hours_add_up_recorded_lengths_and_say_at_least_when_some_are_missing():
    two_cohorts()

    one, two = compute_evidence(2).objective5.teaching

    assert (one.cohort, one.workshops, one.days, one.minutes, one.untimed) == (1, 3, 2, 1110, 0)
    assert one.hours == 18.5
    assert one.hours_text == "18.5 hours"
    assert (two.cohort, two.workshops, two.days, two.minutes, two.untimed) == (2, 3, 3, 660, 1)
    assert two.hours is None  # a total would be false: one workshop's length is unknown
    assert two.hours_figure == "at least 11"
    assert two.hours_text == "at least 11 hours (1 of 3 workshops without a recorded length)"


def test_the_report_prints_the_hours_in_the_text_the_table_and_the_workbook():
    two_cohorts()
    evidence = compute_evidence(2)

    words = text_of(render_html(evidence))
    assert (
        "Teaching hours: at least 11 hours (1 of 3 workshops without a recorded length)." in words
    )
    # The hours table's row for each cohort.
    assert "Teaching hours Cohort 1 18.5 Cohort 2 at least 11" in words
    rows = sheet_rows(evidence, "Objective 5")
    hours = table(rows, "Teaching hours")
    assert hours["Cohort 1"] == (18.5, None, "18.5 hours")
    assert hours["Cohort 2"] == (
        11,
        None,
        "at least 11 hours (1 of 3 workshops without a recorded length)",
    )
    missing = table(rows, "Workshops without a recorded length")
    assert missing["Cohort 1"] == (0, 3, "0")
    assert missing["Cohort 2"] == (1, 3, "1")


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
def test_the_pdf_prints_the_hours_of_the_reports_cohort():
    two_cohorts()
    pdf = render_pdf(compute_evidence(2))
    text = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Teaching hours" in text
    assert "at least 11" in " ".join(text.split())


def test_a_cohort_with_no_lengths_at_all_has_its_hours_not_recorded_rather_than_zero():
    c1 = CohortFactory(number=1)
    WorkshopFactory(cohort=c1, date=MARCH[0], title="Bootcamp")
    WorkshopFactory(cohort=c1, date=MARCH[1], title="Masterclass")

    (year,) = compute_evidence(1).objective5.teaching

    assert (year.minutes, year.untimed, year.hours) == (0, 2, None)
    assert year.hours_figure == "not recorded"
    assert year.hours_text == "not recorded (2 of 2 workshops without a recorded length)"
    words = text_of(render_html(compute_evidence(1)))
    assert "Teaching hours: not recorded (2 of 2 workshops without a recorded length)." in words


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(60, "1"), (390, "6.5"), (15, "0.3"), (20, "0.3"), (50, "0.8"), (125, "2.1"), (1110, "18.5")],
)
def test_hours_are_whole_or_one_decimal_place_rounded_half_up(minutes, shown):
    assert hours_number(minutes) == shown


def test_one_hour_is_singular():
    assert TeachingYear(1, 1, 1, 0, minutes=60).hours_text == "1 hour"
