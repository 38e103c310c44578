"""The report's HTML: an A4 print document with the paper's four columns, in British English."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest

from reports.defaults import OBJECTIVES
from reports.evidence import compute_evidence
from reports.render import and_list, render_html, render_pdf

from .history import load_small_history

pytestmark = pytest.mark.django_db


def test_and_list_reads_as_english():
    assert [and_list(x) for x in ((), (1,), (1, 2), (1, 2, 3))] == [
        "",
        "1",
        "1 and 2",
        "1, 2 and 3",
    ]


def test_report_html_is_a_titled_a4_document_with_a_table_per_objective():
    load_small_history()
    html = render_html(compute_evidence(2))

    assert '<html lang="en-GB">' in html
    assert "<title>Benefits realisation report: cohorts 1 to 2</title>" in html
    assert "size: A4" in html and "counter(page)" in html and "counter(pages)" in html
    assert "string-set: section" in html  # the running header
    assert "break-inside: avoid" in html
    assert "#005eb8" in html  # NHS blue
    assert html.count('<table class="objective">') == len(OBJECTIVES) == 8
    assert html.count('<th scope="col" class="c-stakeholders">Stakeholders</th>') == 8
    for number, text in OBJECTIVES.items():
        assert f'id="objective-{number}"' in html
        assert f'href="#objective-{number}"' in html  # the contents list
        for stakeholder in text["stakeholders"]:
            assert stakeholder in html
    headings = [html.index(f'<h2 class="objective" id="objective-{n}">') for n in range(1, 9)]
    assert headings == sorted(headings)  # objectives in order, 6 between 5 and 7
    # Small counts are suppressed in the HTML too (not stated: 3 applicants; complementary: 6).
    assert "&lt;5" in html and "3 (9%)" not in html and "6 (18%)" not in html
    assert 'id="appendix"' in html and "Rows used" in html


def test_report_says_when_there_is_nothing_to_show_yet():
    load_small_history()
    html = render_html(compute_evidence(1))
    assert "There are no applicant records for cohort 1." in html
    assert "No mentor pairs have been published for cohort 1." in html


def test_report_html_draws_the_charts_inline():
    load_small_history()
    html = render_html(compute_evidence(2))
    for chart in ("chart-domains", "chart-gender", "chart-growth"):
        assert html.count(f'id="{chart}"') == 1
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    # The three figures' charts, and the three cross-cohort trends (recommend, themes, gender).
    assert html.count('<figure class="chart"><svg') == 6


PDFINFO = shutil.which("pdfinfo")


def pdf_catalogue(pdf: bytes) -> bytes:
    """The PDF's objects, with the compressed object streams inflated (the catalogue is in one)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.skipif(PDFINFO is None, reason="needs pdfinfo (poppler-utils)")
def test_report_pdf_is_tagged_with_its_title_and_language(tmp_path):
    load_small_history()
    pdf = render_pdf(compute_evidence(2))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, check=True).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    assert fields["Title"] == "Benefits realisation report: cohorts 1 to 2"
    assert fields["Tagged"] == "yes"
    assert fields["Page size"].endswith("(A4)")
    assert b"/Lang (en-GB)" in pdf_catalogue(pdf)
    assert b"/DisplayDocTitle true" in pdf_catalogue(pdf)
    # The charts are vectors: no raster image is embedded for them.
    assert b"/Subtype /Image" not in pdf_catalogue(pdf)
    structure = subprocess.run(
        [PDFINFO, "-struct", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert "Table" in structure and "H2" in structure
