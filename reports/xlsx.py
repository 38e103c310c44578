"""The benefits report's evidence as an XLSX workbook: one sheet per objective, "Sources" (the
methodology's data sources with their rows and date ranges) and "Built from".

Each objective sheet is one table with a header row: which evidence table a row belongs to, the
item, the count and what it is out of (numbers), the percentage (a number formatted as %), and the
figure as the report prints it. A suppressed equality count has no number, only its printed `<K`.
Every row goes through the export helper (`fellowship.exports.append_row`): titles, names and
organisations that people typed are written as text, never as formulas.
openpyxl is imported inside `render_xlsx`, like WeasyPrint in `render_pdf`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils import timezone

from fellowship.exports import append_row

from .evidence import Evidence, Share
from .render import report_title

HEADER = ("Evidence", "Item", "Count", "Out of", "Percentage", "As printed")
# (evidence table, item, count, out of, printed)
Row = tuple[str, str, int | float | None, int | None, str]


def _share_rows(table: str, shares) -> Iterator[Row]:
    for s in shares:
        yield (table, s.label, s.count, s.answered, s.percent_text)


def _objective1(e: Evidence) -> Iterator[Row]:
    o = e.objective1
    yield (
        "Graduates",
        "Graduated, cohorts before " + str(e.cohort),
        o.graduates,
        None,
        str(o.graduates),
    )
    yield ("Graduates", f"In post, cohorts 1 to {e.cohort}", o.in_post, None, str(o.in_post))
    for number, count in o.in_post_by_cohort:
        yield ("Graduates", f"In post, cohort {number}", count, None, str(count))
    yield from _share_rows("Would recommend (exit survey)", o.recommend)
    yield from _share_rows("Archetype roles (exit survey, multiple pick)", o.archetypes)
    yield from _share_rows("Careers in the next 12 months (exit survey, multiple pick)", o.careers)
    if e.trends and len(e.trends.recommend) > 1:
        for v in e.trends.recommend:
            yield _cohort_share(
                "Would recommend, by cohort (exit surveys)", f"Cohort {v.cohort}", v, v.text
            )


def _cohort_share(table: str, item: str, value, printed: str) -> Row:
    """A trend's value: its numbers, or why it has none (hidden, no survey), as printed."""
    if value.share is None or value.hidden or not value.share.answered:
        return (table, item, None, None, printed)
    return (table, item, value.share.count, value.share.answered, printed)


def _objective2(e: Evidence) -> Iterator[Row]:
    o = e.objective2
    for theme in o.themes:
        a, b = theme.achieved, theme.apply
        yield ("Curriculum theme: achieved", theme.label, a.count, a.answered, a.percent_text)
        yield ("Curriculum theme: able to apply", theme.label, b.count, b.answered, b.percent_text)
    yield from _share_rows("Course component valuable (strongly agree or agree)", o.components)
    if e.trends and len(e.trends.recommend) > 1:
        for theme in e.trends.themes:
            for v in theme.by_cohort:
                yield _cohort_share(
                    "Curriculum theme achieved, by cohort (exit surveys)",
                    f"{theme.label}, cohort {v.cohort}",
                    v,
                    v.short_text,
                )


def _objective3(e: Evidence) -> Iterator[Row]:
    o = e.objective3
    yield (
        "Matched projects",
        "Matched projects",
        o.matched_projects,
        None,
        str(o.matched_projects),
    )
    yield (
        "Matched projects",
        "Host organisations",
        o.host_organisations,
        None,
        str(o.host_organisations),
    )
    for d in o.top_domains:
        yield ("Top clinical domains", d.name, d.projects, None, str(d.projects))


def _objective4(e: Evidence) -> Iterator[Row]:
    o = e.objective4
    for row in o.gender:
        yield (
            f"Gender of applicants, cohort {e.cohort}",
            row.label,
            row.applicants.count,
            o.applicants,
            row.applicants.text,
        )
    for row in o.gender:
        yield (
            f"Gender of fellows, cohort {e.cohort}",
            row.label,
            row.fellows.count,
            o.appointed,
            row.fellows.text,
        )
    # The disclosure-control footnotes, as under the report's table (a hidden count has no number).
    notes = f"Gender, cohort {e.cohort}: notes"
    if o.recruiting:
        yield (notes, f"Appears once cohort {e.cohort}'s recruitment has closed", None, None, "")
    for note in o.footnotes:
        yield (notes, note, None, None, "")
    if e.trends and len(e.trends.gender) > 1:
        table = "Gender by cohort: applicants and appointed fellows"
        for year in e.trends.gender:
            if year.recruiting or not year.applicants:
                printed = "Recruitment still open" if year.recruiting else "No applicant records"
                yield (table, f"Cohort {year.cohort}", None, None, printed)
                continue
            for row in year.rows:
                if row.label not in ("Female", "Male"):
                    continue
                # Named as the printed table's columns: "Women applying", "Men appointed".
                people = "women" if row.label == "Female" else "men"
                for who, figure, of in (
                    ("applying", row.applicants, year.applicants),
                    ("appointed", row.fellows, year.appointed),
                ):
                    yield (
                        table,
                        f"Cohort {year.cohort}, {people} {who}",
                        figure.count,
                        of,
                        figure.text,
                    )
        for note in e.trends.gender_footnotes:
            yield ("Gender by cohort: notes", note, None, None, "")
    yield (
        "Non-medic fellows",
        "Non-medic fellows",
        o.non_medic_fellows,
        o.non_medic_of,
        o.non_medic_share,
    )
    for p in o.professions:
        yield ("Non-medic fellows by profession", p.label, p.fellows, None, str(p.fellows))


def _objective5(e: Evidence) -> Iterator[Row]:
    o = e.objective5
    for t in o.teaching:
        yield ("Teaching days", f"Cohort {t.cohort}", t.days, None, str(t.days))
        yield ("Showcase days", f"Cohort {t.cohort}", t.showcase_days, None, str(t.showcase_days))
        yield ("Workshops", f"Cohort {t.cohort}", t.workshops, None, str(t.workshops))
    for t in o.teaching:
        # The count is a total only when every workshop has a length; otherwise the hours
        # recorded, which the printed text calls a minimum.
        yield ("Teaching hours", f"Cohort {t.cohort}", t.recorded_hours, None, t.hours_text)
        yield (
            "Workshops without a recorded length",
            f"Cohort {t.cohort}",
            t.untimed,
            t.workshops,
            str(t.untimed),
        )
    for s in o.showcases:
        yield (
            "Regional showcases",
            f"Cohort {s.cohort}, {s.date:%d %b %Y}: {s.title} ({s.host})",
            None,
            None,
            s.title,
        )
    yield ("Mentor pairs", f"Pairs, cohort {e.cohort}", o.mentor_pairs, None, str(o.mentor_pairs))
    for label, count in (
        ("Same region", o.shares_region),
        ("Same clinical specialty", o.shares_specialty),
        ("Same AI project domain", o.shares_domain),
        ("Region, specialty or domain", o.shares_any),
    ):
        yield (
            "Mentor pairs sharing",
            label,
            count,
            o.mentor_pairs,
            Share(label, count, o.mentor_pairs).percent_text,
        )
    for name, output in (("Policy and guidelines work", o.policy), ("Media pieces", o.media)):
        yield (name, "Entries", output.entries, None, str(output.entries))
        yield (
            name,
            "With a royal college or national body",
            output.with_national_bodies,
            output.entries,
            str(output.with_national_bodies),
        )
        yield (name, "Fellows", output.fellows, None, str(output.fellows))
        for organisation in output.organisations:
            yield (f"{name}: organisations", organisation, None, None, organisation)


def _objective6(e: Evidence) -> Iterator[Row]:
    o = e.objective6
    yield (
        "Publications",
        "With academic co-authors",
        o.publications_with_academics,
        o.publications,
        o.publications_text,
    )
    yield (
        "Regional showcases",
        f"Cohorts 1 to {e.cohort}",
        o.regional_showcases,
        None,
        str(o.regional_showcases),
    )
    for speaker in o.industry_speakers:
        yield (f"Industry speakers, cohort {e.cohort}", speaker, None, None, speaker)
    for speaker in o.regulator_speakers:
        yield (
            f"Regulatory and public sector speakers, cohort {e.cohort}",
            speaker,
            None,
            None,
            speaker,
        )


def _objective7(e: Evidence) -> Iterator[Row]:
    for g in e.objective7.growth:
        yield ("Fellows per cohort", f"Cohort {g.cohort}", g.fellows, None, str(g.fellows))
    for g in e.objective7.growth:
        yield ("Regions per cohort", f"Cohort {g.cohort}", g.regions, None, str(g.regions))
    o = e.objective7
    yield (
        "Funders with a memorandum of understanding",
        f"Funders of cohorts 1 to {e.cohort}",
        o.funders_with_mou,
        len(o.funders),
        f"{o.funders_with_mou} of {len(o.funders)}",
    )
    for f in o.funders:
        yield ("Funders: memorandum of understanding", f.name, None, None, f.mou_text)


def _objective8(e: Evidence) -> Iterator[Row]:
    o = e.objective8
    yield (
        "Alumni supervisors",
        "Alumni supervisors",
        o.alumni_supervisors,
        None,
        str(o.alumni_supervisors),
    )
    yield (
        "Alumni supervisors",
        "Projects they supervise",
        o.alumni_supervised_projects,
        None,
        str(o.alumni_supervised_projects),
    )
    for cohort, projects in o.alumni_supervised_by_cohort:
        yield (
            "Alumni-supervised projects by cohort",
            f"Cohort {cohort}",
            projects,
            None,
            str(projects),
        )
    yield ("Onward programmes", "Entries", o.onward_programmes, None, str(o.onward_programmes))
    for label, count in (
        ("Fellows accepted", o.fellows_accepted),
        ("Fellows applied, not accepted", o.fellows_applied),
    ):
        yield ("Onward programmes", label, count, None, str(count))
    for t in o.onward_by_title:
        yield ("Onward programmes: accepted", t.title, t.accepted, None, str(t.accepted))
    for t in o.onward_by_title:
        yield ("Onward programmes: applied", t.title, t.applied, None, str(t.applied))


SHEETS = (
    ("Objective 1", _objective1),
    ("Objective 2", _objective2),
    ("Objective 3", _objective3),
    ("Objective 4", _objective4),
    ("Objective 5", _objective5),
    ("Objective 6", _objective6),
    ("Objective 7", _objective7),
    ("Objective 8", _objective8),
)
BUILT_FROM = "Built from"
SOURCES = "Sources"


def render_xlsx(evidence: Evidence) -> bytes:
    """The report's evidence as an XLSX workbook (bytes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook()
    book.remove(book.active)
    for name, rows in SHEETS:
        sheet = book.create_sheet(name[:31])
        append_row(sheet, HEADER)
        for table, item, count, of, printed in rows(evidence):
            percentage = count / of if (count is not None and of) else None
            append_row(sheet, (table, item, count, of, percentage, printed))
            if percentage is not None:
                sheet.cell(sheet.max_row, 5).number_format = "0%"
        _finish(sheet, bold, get_column_letter, (36, 40, 10, 10, 12, 16))

    sheet = book.create_sheet(SOURCES)
    append_row(sheet, ("Source", "What it holds", "Rows", "First", "Last"))
    for source in evidence.sources:
        append_row(
            sheet,
            (
                source["name"],
                source["description"],
                source["rows"],
                source["first"],
                source["last"],
            ),
        )
        for column in (4, 5):
            sheet.cell(sheet.max_row, column).number_format = "d mmm yyyy"
    _finish(sheet, bold, get_column_letter, (28, 56, 10, 14, 14))

    data = evidence.data
    sheet = book.create_sheet(BUILT_FROM)
    append_row(sheet, ("Records", "Rows used"))
    for c in data.counts:
        append_row(sheet, (c.table, c.rows))
    append_row(sheet, ())
    append_row(sheet, ("Report", report_title(evidence)))
    append_row(sheet, ("Cohorts", ", ".join(str(n) for n in data.cohorts)))
    append_row(
        sheet, ("Built (UK time)", timezone.localtime(data.generated_at).replace(tzinfo=None))
    )
    sheet.cell(sheet.max_row, 2).number_format = "d mmmm yyyy hh:mm"
    append_row(sheet, ("Equality counts hidden below", data.suppress_below))
    consents = data.testimonials
    append_row(sheet, ())
    append_row(sheet, ("Testimonials held", consents.held))
    append_row(sheet, ("Testimonials that may be quoted", consents.quoted))
    append_row(sheet, ("… quoted with name", consents.named))
    append_row(sheet, ("… quoted anonymously", consents.anonymous))
    append_row(sheet, ("Testimonials that may be published", consents.published))
    append_row(sheet, ("Consents withdrawn", consents.withdrawn))
    _finish(sheet, bold, get_column_letter, (36, 40))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _finish(sheet, bold, get_column_letter, widths) -> None:
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
