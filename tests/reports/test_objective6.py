"""Objective 6: co-authored publications, regional showcases and cohort N's industry and regulator
speakers, in the evidence, the XLSX workbook and the PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fellowship.enums import SpeakerSector
from fellowship.models import Speaker
from portfolio.enums import EntryKind
from reports.evidence import compute_evidence
from reports.render import render_pdf
from reports.xlsx import render_xlsx
from tests.factories import (
    CohortFactory,
    FellowFactory,
    OrganisationFactory,
    PortfolioEntryFactory,
    WorkshopFactory,
)

from .test_evidence import EXPECTED_QUERIES

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def speaker(workshop, name, affiliation, role, sector):
    return Speaker.objects.create(
        workshop=workshop, name=name, affiliation=affiliation, role_title=role, sector=sector
    )


@pytest.fixture
def two_cohorts():
    """Cohorts 1 and 2 (and a cohort 3 that the report for cohort 2 must not read)."""
    c1, c2, c3 = (CohortFactory(number=n) for n in (1, 2, 3))
    f1, f2, f3 = FellowFactory(cohort=c1), FellowFactory(cohort=c2), FellowFactory(cohort=c3)
    # Publications: 2 of 3 with academic co-authors in cohorts 1-2; a grant and cohort 3 not counted.
    PortfolioEntryFactory(fellow=f1, academic_coauthors=True)
    PortfolioEntryFactory(fellow=f2, academic_coauthors=True)
    PortfolioEntryFactory(fellow=f2, academic_coauthors=False)
    PortfolioEntryFactory(fellow=f2, kind=EntryKind.GRANT, academic_coauthors=False)
    PortfolioEntryFactory(fellow=f3, academic_coauthors=True)
    # Regional showcases: one per cohort (cohort 3's is out of scope), plus an ordinary workshop.
    host = OrganisationFactory(name="Guy's and St Thomas' NHS Foundation Trust")
    WorkshopFactory(cohort=c1, regional_showcase=True, host_organisation=host)
    showcase = WorkshopFactory(cohort=c2, regional_showcase=True, host_organisation=host)
    WorkshopFactory(cohort=c3, regional_showcase=True, host_organisation=host)
    ordinary = WorkshopFactory(cohort=c2)
    # Cohort 2's speakers: one speaker at two workshops is listed once.
    speaker(ordinary, "A. Person", "Skin Analytics", "Medical Director", SpeakerSector.INDUSTRY)
    speaker(showcase, "A. Person", "Skin Analytics", "Medical Director", SpeakerSector.INDUSTRY)
    speaker(ordinary, "B. Person", "Hardian Health", "CEO", SpeakerSector.INDUSTRY)
    speaker(showcase, "C. Person", "MHRA", "AI Airlock team", SpeakerSector.REGULATOR)
    speaker(ordinary, "D. Person", "King's College London", "Professor", SpeakerSector.ACADEMIA)
    speaker(ordinary, "E. Person", "", "", SpeakerSector.INDUSTRY)  # nothing to list
    # A speaker of cohort 1 (and of cohort 3) is not one of cohort 2's speakers.
    speaker(
        WorkshopFactory(cohort=c1),
        "F. Person",
        "Microsoft Health",
        "Partner",
        SpeakerSector.INDUSTRY,
    )
    speaker(
        WorkshopFactory(cohort=c3),
        "G. Person",
        "NHS Shared Business Services",
        "AI procurement",
        SpeakerSector.REGULATOR,
    )


def test_objective_6_figures(two_cohorts):
    o6 = compute_evidence(2).objective6
    assert (o6.publications_with_academics, o6.publications) == (2, 3)
    assert o6.publications_text == "2 of 3"
    assert o6.regional_showcases == 2
    assert o6.industry_speakers == ("Hardian Health: CEO", "Skin Analytics: Medical Director")
    assert o6.regulator_speakers == ("MHRA: AI Airlock team",)
    assert not any("Microsoft" in s for s in o6.industry_speakers)

    # Cohort 1's report lists cohort 1's speaker only.
    o6_1 = compute_evidence(1).objective6
    assert o6_1.industry_speakers == ("Microsoft Health: Partner",)
    assert o6_1.regulator_speakers == ()
    assert (o6_1.publications_with_academics, o6_1.publications, o6_1.regional_showcases) == (
        1,
        1,
        1,
    )


def test_the_appendix_counts_speakers(two_cohorts):
    counts = {c.table: c.rows for c in compute_evidence(2).data.counts}
    assert counts["Speakers"] == 7  # cohorts 1 and 2, not cohort 3's


def test_more_speakers_and_publications_cost_no_more_queries(two_cohorts):
    # No exit survey here, so fewer queries than EXPECTED_QUERIES (which the histories pin): the
    # point is that the count does not grow with the rows.
    with CaptureQueriesContext(connection) as before:
        compute_evidence(2)
    cohort = CohortFactory(number=2)
    for i in range(5):
        workshop = WorkshopFactory(cohort=cohort, regional_showcase=True)
        speaker(workshop, f"Extra {i}", f"Company {i}", "Engineer", SpeakerSector.INDUSTRY)
        speaker(workshop, f"Other {i}", f"Agency {i}", "Adviser", SpeakerSector.REGULATOR)
        PortfolioEntryFactory(fellow=FellowFactory(cohort=cohort), academic_coauthors=True)
    with CaptureQueriesContext(connection) as after:
        o6 = compute_evidence(2).objective6
    assert len(after) == len(before) <= EXPECTED_QUERIES
    assert len(o6.industry_speakers) == 7 and len(o6.regulator_speakers) == 6


def test_the_workbook_has_an_objective_6_sheet(two_cohorts):
    book = load_workbook(io.BytesIO(render_xlsx(compute_evidence(2))))
    names = book.sheetnames
    assert names.index("Objective 6") == names.index("Objective 5") + 1
    rows = list(book["Objective 6"].iter_rows(values_only=True))
    assert rows[1][:4] == ("Publications", "With academic co-authors", 2, 3)
    assert rows[1][5] == "2 of 3"
    assert rows[2][:3] == ("Regional showcases", "Cohorts 1 to 2", 2)
    items = [r[1] for r in rows if r[0].startswith("Industry speakers")]
    assert items == ["Hardian Health: CEO", "Skin Analytics: Medical Director"]
    items = [r[1] for r in rows if r[0].startswith("Regulatory")]
    assert items == ["MHRA: AI Airlock team"]


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
def test_the_pdf_has_objective_6_between_5_and_7(two_cohorts, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(compute_evidence(2)))
    result = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, check=True)
    text = re.sub(r"\s+", " ", result.stdout.decode())
    body = text.split("Appendix: the data this report was built from")[1]  # after the contents
    assert "Objective 6" in text
    assert body.index("Objective 5") < body.index("Objective 6") < body.index("Objective 7")
    for phrase in (
        "Hardian Health: CEO",
        "Skin Analytics: Medical Director",
        "MHRA: AI Airlock team",
        "Regional showcase workshops foster collaboration",
    ):
        # A cell may run over a page break: the running header and the repeated table head then
        # come between two of its words.
        words = r"\s(?:.{0,300}?\s)?".join(re.escape(word) for word in phrase.split())
        assert re.search(words, text), phrase
    assert "Microsoft Health" not in text
    assert "A. Person" not in text  # speakers are listed by organisation and role, not by name
