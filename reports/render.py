"""The benefits report as HTML and as an A4 PDF, from computed Evidence and the report's wording.

Layout only: every figure comes from `reports.evidence`, every fixed word from the template, and
the stakeholders, benefits realised and faculty's evidence notes from `reports.wording` (the
paper's wording unless faculty edited it). A report job passes its own words too (`words`): its
narrative sections, and its claims as faculty rewrote or confirmed them; the fellows' stories are
the testimonials their fellows agreed may be quoted, read when the report is drawn.

The wording is read when the report is rendered; a
report job passes the wording it recorded (`report_wording()`) so its files and its record agree,
and the appendix prints whose wording each objective used.

Charts are inline SVG (`reports.charts`), which WeasyPrint draws as vectors. The PDF is drawn by
the PDF helper (`fellowship.pdf.render_pdf`): the HTML is self-contained, and the helper's fetcher
would serve nothing but our static files anyway. The PDF is tagged for screen readers (a structure
tree, the title shown as the window title, the language of the HTML). It does not claim PDF/UA
conformance (`pdf_variant="pdf/ua-1"`), which no validator here has checked.
"""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from fellowship import pdf
from fellowship.models import programme

from . import charts
from .evidence import Evidence

TEMPLATE = "reports/benefits_report.html"
# The programme the Benefits Realisation Paper is about, as its objectives' titles name it.
PAPER_NAME = "NHS Fellowship in Clinical AI"

Wording = dict[str, dict[str, Any]]


def report_title(evidence: Evidence) -> str:
    return f"Benefits realisation report: cohorts 1 to {evidence.cohort}"


def and_list(items) -> str:
    """`1, 2 and 3`."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def in_post_cohorts(by_cohort: tuple[tuple[int, int], ...]) -> str:
    """What follows "N fellows are in post": ` in cohort 5`, or `: 34 in cohort 4 and 6 in cohort 5`."""
    if len(by_cohort) == 1:
        return f" in cohort {by_cohort[0][0]}"
    if not by_cohort:
        return ""
    return ": " + and_list(f"{count} in cohort {number}" for number, count in by_cohort)


def report_charts(evidence: Evidence) -> dict[str, str]:
    """The report's charts as SVG, keyed by where they go; a chart with nothing to draw is left out."""
    out: dict[str, str] = {}
    o3, o4, o7 = evidence.objective3, evidence.objective4, evidence.objective7
    if o3.top_domains:
        out["domains"] = charts.bar_chart(
            chart_id="chart-domains",
            title=f"Top {len(o3.top_domains)} clinical domains by matched projects",
            desc="Matched projects per clinical domain, as of cohort "
            f"{evidence.cohort}: "
            + "; ".join(f"{d.name} {d.projects}" for d in o3.top_domains)
            + ".",
            bars=[(d.name, charts.Bar(d.projects, str(d.projects))) for d in o3.top_domains],
        )
    if o4.applicants:

        def bar(figure, total: int) -> charts.Bar:
            # A hidden count (<K or [c]) has no bar, only its symbol: its length would give it away.
            if figure.suppressed or figure.count is None or not total:
                return charts.Bar(None, figure.text)
            return charts.Bar(100 * figure.count / total, figure.text)

        out["gender"] = charts.grouped_bar_chart(
            chart_id="chart-gender",
            title=f"Gender of cohort {evidence.cohort}'s applicants and appointed fellows",
            desc="Each group's share of applicants and of fellows: "
            + "; ".join(
                f"{row.label}: applicants {row.applicants.text}, fellows {row.fellows.text}"
                for row in o4.gender
            )
            + "."
            + "".join(f" {note}" for note in o4.footnotes),
            categories=[row.label for row in o4.gender],
            series=[
                charts.Series("Applicants", charts.NHS_BLUE),
                charts.Series("Fellows", charts.NHS_AQUA_GREEN),
            ],
            bars=[
                [bar(row.applicants, o4.applicants), bar(row.fellows, o4.appointed)]
                for row in o4.gender
            ],
            scale_max=100,
        )
    if o7.growth:
        out["growth"] = charts.grouped_bar_chart(
            chart_id="chart-growth",
            title="Fellows and regions per cohort",
            desc="; ".join(
                f"Cohort {g.cohort}: {g.fellows} fellows in {g.regions} regions" for g in o7.growth
            )
            + ".",
            categories=[f"Cohort {g.cohort}" for g in o7.growth],
            series=[
                charts.Series("Fellows", charts.NHS_BLUE),
                charts.Series("Regions", charts.NHS_AQUA_GREEN),
            ],
            bars=[
                [charts.Bar(g.fellows, str(g.fellows)), charts.Bar(g.regions, str(g.regions))]
                for g in o7.growth
            ],
        )
    out.update(charts.trend_charts(evidence.trends))
    # Built here from escaped text only (see reports.charts), so safe to place as markup.
    return {key: mark_safe(svg) for key, svg in out.items()}  # noqa: S308


def fellows_stories(cohort: int, *, limit: int = 6) -> list[dict[str, str]]:
    """Testimonials of fellows of cohorts 1..`cohort` who agreed to be quoted, each credited as
    its fellow chose (by name, or only by cohort); the newest first."""
    from portfolio.models import Testimonial

    quotes = (
        Testimonial.objects.quotable()
        .filter(fellow__cohort__number__lte=cohort)
        .select_related("fellow__cohort", "fellow__user")
        .order_by("-updated_at", "pk")[:limit]
    )
    from .wording import paragraphs

    return [{"paragraphs": paragraphs(t.text), "attribution": t.attribution} for t in quotes]


def default_words(evidence: Evidence, wording: Wording, *, programme_name: str) -> dict[str, Any]:
    """The words of a report not drawn by a job (the preview): default narrative sections, and
    every claim its figures do not bear out left as the paper words it, unresolved."""
    from .wording import check_claims, key_figures, report_sections

    figures = key_figures(evidence)
    flagged = check_claims(figures, wording)
    return {
        "figures": figures,
        "sections": report_sections(None, programme_name=programme_name, figures=figures),
        "flagged": flagged,
        "unresolved": [c["key"] for c in flagged],
        "wording": wording,
    }


def render_html(
    evidence: Evidence,
    *,
    wording: Wording | None = None,
    words: dict[str, Any] | None = None,
    back_url: str | None = None,
    style_nonce: str | None = None,
    for_pdf: bool = False,
) -> str:
    """The report as one self-contained HTML document (print styles inline).

    `wording` is `reports.wording.report_wording()` as recorded by a job (default: read it now).
    `words` are the report's own words as a job draws them (`services._report_words`: narrative
    sections, claims); by default, the defaults built from the evidence.
    `back_url` adds a screen-only link back to the service, and `style_nonce` the CSP nonce that
    lets a browser apply the inline styles, for the browser preview.
    `for_pdf` points the cover's logo at the PDF fetcher's logo address; otherwise the logo is
    inlined as a data URL, so the HTML file stands alone.
    """
    from .defaults import PROBLEMS
    from .wording import claims_record

    if wording is None:
        from .wording import report_wording

        wording = report_wording()
    the_programme = programme()
    name = the_programme.name
    if words is None:
        words = default_words(evidence, wording, programme_name=name)
    if name and name != PAPER_NAME:
        # The paper's objectives name its own programme: this report names the one it is about.
        wording = {
            key: {**text, "title": text["title"].replace(PAPER_NAME, name)}
            for key, text in wording.items()
        }
    by_objective = {f"o{number}": text for number, text in wording.items()}
    sections = words["sections"]
    context = {
        "title": report_title(evidence),
        "programme": the_programme,  # its name heads every page
        "e": evidence,
        "o": by_objective,
        "sections": sections,
        "problems": [
            (number, PROBLEMS[number], wording[str(number)]["title"])
            for number in sorted(PROBLEMS)
            if str(number) in wording
        ],
        "sources": getattr(evidence, "sources", None) or [],
        "stories": fellows_stories(evidence.cohort),
        "claims": claims_record(words["flagged"]),
        "changes": words.get("changes"),
        "unresolved_claims": len(words["unresolved"]),
        "wording": [wording[key] for key in sorted(wording, key=int)],
        "any_edited": any(w["edited"] for w in wording.values()),
        "contents": [
            ("summary", sections["summary"]["heading"], ""),
            *(
                [("changes", "What changed since the last report", "")]
                if words.get("changes")
                else []
            ),
            ("problem", sections["problem"]["heading"], ""),
            ("solution", sections["solution"]["heading"], ""),
            ("methodology", sections["methodology"]["heading"], ""),
            *[
                (f"objective-{number}", f"Objective {number}", text["title"])
                for number, text in sorted(wording.items(), key=lambda item: int(item[0]))
            ],
            ("reflections", "Reflections: fellows’ stories and lessons learned", ""),
            ("next-steps", sections["next_steps"]["heading"], ""),
        ],
        "charts": report_charts(evidence),
        "cohorts": and_list(evidence.data.cohorts),
        "graduate_cohorts": and_list(evidence.objective1.graduate_cohorts),
        "in_post_cohorts": in_post_cohorts(evidence.objective1.in_post_by_cohort),
        "non_medic_cohorts": and_list(evidence.objective4.non_medic_cohorts),
        "back_url": back_url,
        "style_nonce": style_nonce,
        "logo_src": logo_src(the_programme, for_pdf=for_pdf),
    }
    return render_to_string(TEMPLATE, context)


def logo_src(the_programme, *, for_pdf: bool) -> str:
    """Where the cover's `<img>` finds the programme's logo: the PDF fetcher's fixed address, or
    for HTML a data URL of the checked image; "" when there is no usable logo."""
    if not the_programme.logo:
        return ""
    if for_pdf:
        return pdf.LOGO_URL
    try:
        content, mime_type = pdf.programme_logo()
    except pdf.RefusedResource:
        return ""
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"


def render_pdf(
    evidence: Evidence, *, wording: Wording | None = None, words: dict[str, Any] | None = None
) -> bytes:
    """The report as an A4 PDF, tagged for screen readers, with its title and language."""
    return pdf.render_pdf(render_html(evidence, wording=wording, words=words, for_pdf=True))
