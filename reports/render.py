"""The benefits report as HTML and as an A4 PDF, from computed Evidence.

Layout only: every figure comes from `reports.evidence`, every fixed word from the template and
`reports.defaults`. WeasyPrint is slow to import (about a second), so it is imported inside
`render_pdf`, and the HTML is self-contained (no base_url), so WeasyPrint fetches nothing.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from .defaults import OBJECTIVES
from .evidence import Evidence

TEMPLATE = "reports/benefits_report.html"


def report_title(evidence: Evidence) -> str:
    return f"Benefits realisation report: cohorts 1 to {evidence.cohort}"


def and_list(items) -> str:
    """`1, 2 and 3`."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def render_html(evidence: Evidence) -> str:
    """The report as one self-contained HTML document (print styles inline)."""
    context = {
        "title": report_title(evidence),
        "e": evidence,
        "o": {f"o{number}": text for number, text in OBJECTIVES.items()},
        "contents": [
            (f"objective-{number}", f"Objective {number}", text["title"])
            for number, text in OBJECTIVES.items()
        ],
        "cohorts": and_list(evidence.data.cohorts),
        "graduate_cohorts": and_list(evidence.objective1.graduate_cohorts),
        "non_medic_cohorts": and_list(evidence.objective4.non_medic_cohorts),
    }
    return render_to_string(TEMPLATE, context)


def render_pdf(evidence: Evidence) -> bytes:
    """The report as an A4 PDF."""
    # Its progress lines (several per page, at INFO) would drown the command's own output.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint  # slow to import: only when a PDF is made

    return weasyprint.HTML(string=render_html(evidence)).write_pdf()
