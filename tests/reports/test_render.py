"""The report's HTML: an A4 print document with the paper's four columns, in British English."""

from __future__ import annotations

import pytest

from reports.defaults import OBJECTIVES
from reports.evidence import compute_evidence
from reports.render import and_list, render_html

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
    assert html.count('<table class="objective">') == len(OBJECTIVES) == 7
    assert html.count('<th scope="col" class="c-stakeholders">Stakeholders</th>') == 7
    for number, text in OBJECTIVES.items():
        assert f'id="objective-{number}"' in html
        assert f'href="#objective-{number}"' in html  # the contents list
        for stakeholder in text["stakeholders"]:
            assert stakeholder in html
    assert "Objective 6" not in html
    # Small counts are suppressed in the HTML too (not stated: 3 applicants; complementary: 6).
    assert "&lt;5" in html and "3 (9%)" not in html and "6 (18%)" not in html
    assert 'id="appendix"' in html and "Rows used" in html


def test_report_says_when_there_is_nothing_to_show_yet():
    load_small_history()
    html = render_html(compute_evidence(1))
    assert "There are no applicant records for cohort 1." in html
    assert "No mentor pairs have been published for cohort 1." in html
