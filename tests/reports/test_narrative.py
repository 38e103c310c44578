"""The report's narrative sections: defaults built from its figures, faculty's own text per report
(paragraphs and bullet lists only, every word escaped), preview, back to the default; the
structure of the paper; fellows' stories only as each fellow consented."""

from __future__ import annotations

import pytest
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from fellowship.models import Programme
from portfolio.enums import QuoteAs
from reports import services
from reports.enums import ReportState
from reports.evidence import compute_evidence
from reports.models import ReportJob, ReportSection
from reports.render import render_html
from reports.wording import blocks, default_sections, report_sections

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories import portfolio as portfolio_factories
from .drafts import BORNE_OUT, drawn_with_todays_words

pytestmark = pytest.mark.django_db


# Markdown-lite ----------------------------------------------------------------------------------


def test_paragraphs_are_separated_by_blank_lines_and_dashes_make_lists():
    text = "First para\ncontinues here.\n\n- one\n- two\n\nLast <b>para</b>."
    assert blocks(text) == [
        {"kind": "p", "text": "First para continues here."},
        {"kind": "ul", "items": ["one", "two"]},
        {"kind": "p", "text": "Last <b>para</b>."},
    ]


def test_a_list_may_follow_a_line_of_text_in_the_same_paragraph():
    assert blocks("Key figures:\n* a\n* b") == [
        {"kind": "p", "text": "Key figures:"},
        {"kind": "ul", "items": ["a", "b"]},
    ]


def test_blank_text_has_no_blocks():
    assert blocks("  \n\n ") == []


# Defaults ---------------------------------------------------------------------------------------


def test_executive_summary_default_states_cohorts_fellows_and_key_figures():
    summary = default_sections(
        {**BORNE_OUT, "cohorts": [1, 2, 3]}, programme_name="The Fellowship"
    )["summary"]
    assert "The Fellowship across cohorts 1 to 3" in summary
    assert "10 fellow places" in summary and "5 fellows have graduated and 5 are in post" in summary
    assert "4 clinical AI projects matched to fellows at 3 host organisations" in summary
    assert "100% of graduates who answered would recommend" in summary
    assert "2 publications recorded in fellows' portfolios, 1 with academic co-authors" in summary


def test_defaults_are_built_even_from_no_figures():
    sections = default_sections({}, programme_name="P")
    assert set(sections) == {
        "summary",
        "problem",
        "solution",
        "methodology",
        "lessons",
        "next_steps",
    }


# The report's structure -------------------------------------------------------------------------


@pytest.fixture
def named_programme():
    site = Site.objects.get_current()
    site.name = "Clinical AI Fellowship of Somewhere"
    site.save()
    Programme.objects.update_or_create(site=site, defaults={"organisation": "Somewhere NHS Trust"})


def test_report_follows_the_papers_structure_and_names_the_programme(named_programme):
    cohort = CohortFactory(number=1)
    FellowFactory(cohort=cohort)
    html = render_html(compute_evidence(1))
    order = [
        'class="cover"',
        'id="contents-heading"',
        'id="summary"',
        'id="problem"',
        'id="solution"',
        'id="methodology"',
        'id="objective-1"',
        'id="objective-8"',
        'id="reflections"',
        'id="next-steps"',
        'id="appendix"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Clinical AI Fellowship of Somewhere" in html.split('class="cover"')[1][:300]
    assert "Somewhere NHS Trust" in html
    assert (
        '<meta name="description" content="Clinical AI Fellowship of Somewhere: benefits realised'
        in html
    )
    assert "Problem identified" in html and "Lack of a sustainable, scalable model" in html
    assert "Claims checked against the figures" in html and "Data provenance" in html


def test_fellows_stories_are_quoted_only_as_each_fellow_consented():
    one, two = CohortFactory(number=1), CohortFactory(number=2)
    portfolio_factories.TestimonialFactory(
        fellow=FellowFactory(cohort=one, full_name="Nadia Named"),
        text="Named story.",
        quote_as=QuoteAs.NAMED,
    )
    portfolio_factories.TestimonialFactory(
        fellow=FellowFactory(cohort=one, full_name="Anna Anon"), text="Anonymous story."
    )
    portfolio_factories.TestimonialFactory(
        fellow=FellowFactory(cohort=one, full_name="Nora No"),
        text="Private story.",
        may_quote=False,
    )
    portfolio_factories.TestimonialFactory(
        fellow=FellowFactory(cohort=two), text="Later cohort story.", quote_as=QuoteAs.NAMED
    )
    html = render_html(compute_evidence(1))
    reflections = html.split('id="reflections"')[1].split('id="next-steps"')[0]
    assert "Named story." in reflections and "Nadia Named" in reflections
    assert "Anonymous story." in reflections and "A fellow of cohort 1" in reflections
    assert "Anna Anon" not in html
    assert "Private story." not in html and "Nora No" not in html
    assert "Later cohort story." not in html  # a report as of cohort 1 never reads cohort 2


# Editing a report's sections ------------------------------------------------------------------


@pytest.fixture
def draft():
    cohort = CohortFactory(number=1)
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=5,
        state=ReportState.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    job.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return drawn_with_todays_words(job)


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY, full_name="Fran Faculty")


def section_url(job, key="summary"):
    return reverse("report_section_edit", args=[job.pk, key])


def test_faculty_edit_a_section_for_this_report_only(draft, faculty, login):
    client = login(faculty)
    page = client.get(section_url(draft)).content.decode()
    assert "This section uses the default text" in page
    response = client.post(
        section_url(draft), {"text": "Our summary.\n\n- first\n- second", "save": "1"}
    )
    assert response.status_code == 302
    section = ReportSection.objects.get(job=draft, key="summary")
    assert section.updated_by == faculty and section.text == "Our summary.\n\n- first\n- second"
    sections = report_sections(draft, programme_name="P")
    assert sections["summary"]["edited"] and sections["summary"]["updated_by"] == "Fran Faculty"
    assert sections["summary"]["blocks"][1] == {"kind": "ul", "items": ["first", "second"]}
    other = ReportJob.objects.create(cohort=draft.cohort, suppress_below=0, state=ReportState.DONE)
    assert not report_sections(other, programme_name="P")["summary"]["edited"]


def test_preview_shows_the_text_and_saves_nothing(draft, faculty, login):
    response = login(faculty).post(
        section_url(draft), {"text": "<script>x()</script>\n\n- point", "preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Preview (not saved yet)" in page
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<li>point</li>" in page
    assert not ReportSection.objects.exists()


def test_reset_and_blank_text_go_back_to_the_default(draft, faculty, login):
    client = login(faculty)
    client.post(section_url(draft, "lessons"), {"text": "Ours", "save": "1"})
    assert (
        client.get(section_url(draft, "lessons")).content.decode().count("Use the default text")
        == 1
    )
    client.post(section_url(draft, "lessons"), {"reset": "1"})
    assert not ReportSection.objects.exists()
    client.post(section_url(draft, "lessons"), {"text": "Ours", "save": "1"})
    client.post(section_url(draft, "lessons"), {"text": "   ", "save": "1"})
    assert not ReportSection.objects.exists()
    # The default submitted unchanged stores nothing either.
    default = report_sections(draft, programme_name="x")["problem"]["default"]
    client.post(section_url(draft, "problem"), {"text": default, "save": "1"})
    assert not ReportSection.objects.exists()


def test_too_long_text_gets_a_clear_message_and_keeps_what_was_typed(draft, faculty, login):
    typed = "word " * 5000
    response = login(faculty).post(section_url(draft), {"text": typed, "save": "1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The text must be 20000 characters or fewer" in page and "There is a problem" in page
    assert "word word word" in page
    assert not ReportSection.objects.exists()


def test_section_urls_edited_by_hand_are_refused(draft, faculty, login):
    client = login(faculty)
    assert client.get(section_url(draft, "nonsense")).status_code == 404
    assert (
        client.get(reverse("report_section_edit", args=[draft.pk + 100, "summary"])).status_code
        == 404
    )
    for role in (Role.FUNDER, Role.FELLOW, Role.SUPERVISOR):
        response = login(make_person(role)).post(
            section_url(draft), {"text": "Hacked", "save": "1"}
        )
        assert response.status_code == 403, role
    with pytest.raises(KeyError):
        services.save_section(draft, "nonsense", text="x", by=faculty)
    assert not ReportSection.objects.exists()


def test_a_released_or_unfinished_report_cannot_be_reworded(draft, faculty, login):
    services.release_report(draft, by=faculty)
    response = login(faculty).post(
        section_url(draft), {"text": "Too late", "save": "1"}, follow=True
    )
    assert "can no longer change" in response.content.decode()
    queued = ReportJob.objects.create(cohort=draft.cohort, suppress_below=0)
    with pytest.raises(services.ReportNotEditable):
        services.save_section(queued, "summary", text="Too early", by=faculty)
    assert not ReportSection.objects.exists()


def test_the_report_prints_the_edited_section_escaped(faculty):
    cohort = CohortFactory(number=1)
    FellowFactory(cohort=cohort)
    job, _ = services.request_report(cohort, suppress_below=5, by=faculty)
    services.run_report(job.pk)
    job.refresh_from_db()
    services.save_section(job, "next_steps", text="- Grow to <b>ten</b> regions", by=faculty)
    from reports.services import _report_words
    from reports.wording import key_figures, report_wording

    evidence = compute_evidence(1)
    wording = report_wording()
    html = render_html(
        evidence, wording=wording, words=_report_words(job, key_figures(evidence), wording)
    )
    steps = html.split('id="next-steps"')[1].split('id="appendix"')[0]
    assert "<li>Grow to &lt;b&gt;ten&lt;/b&gt; regions</li>" in steps
