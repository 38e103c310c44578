"""Funders read the released benefits reports covering any cohort they fund, whether they pay for
a post in it or for a fellow of it (the programme history gives fellows a funder and no post), and
nothing else: not by the list, the detail page, the status poll or a download URL edited by hand."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import FellowStatus, Role
from fellowship.models import Cohort
from reports.enums import ReportState
from reports.evidence import compute_evidence
from reports.models import ReportJob
from reports.render import in_post_cohorts, render_html

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, FundedPostFactory, FunderFactory
from .drafts import release

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stored report\n%%EOF\n"


def finished(cohort, *, suppress_below=5, state=ReportState.DONE) -> ReportJob:
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=suppress_below,
        state=state,
        progress=100 if state == ReportState.DONE else 40,
        finished_at=timezone.now() if state == ReportState.DONE else None,
    )
    if state == ReportState.DONE:
        job.pdf.save("report.pdf", ContentFile(PDF))
        job.xlsx.save("report.xlsx", ContentFile(b"PK\x03\x04 workbook"))
    return job


def urls(job) -> list[str]:
    return [
        reverse("report_detail", args=[job.pk]),
        reverse("report_status", args=[job.pk]),
        reverse("report_download", args=[job.pk, "pdf"]),
        reverse("report_download", args=[job.pk, "xlsx"]),
    ]


@pytest.fixture
def programme(login):
    """Cohorts 1-5 with a finished report as of each; three funders and a contact of each.

    `history` funds fellows of cohorts 1-4 (imported history: no posts), `posts` pays for posts in
    cohort 5 only, `nothing` funds nothing. Another funder's fellows fill every cohort, and some
    fellows have no funder at all: neither may open a report to anyone else.
    """
    cohorts = {n: CohortFactory(number=n) for n in range(1, 6)}
    history, posts, nothing, other = (
        FunderFactory(name=name)
        for name in ("History funder", "Posts funder", "No funder", "Other")
    )
    for n in range(1, 5):
        FellowFactory(cohort=cohorts[n], funder=history, status=FellowStatus.GRADUATED)
    FellowFactory(cohort=cohorts[4], funder=history, status=FellowStatus.IN_POST)
    FellowFactory(cohort=cohorts[4], funder=history, status=FellowStatus.WITHDRAWN)
    FundedPostFactory(funder=posts, cohort=cohorts[5])
    for n in range(1, 6):
        FellowFactory(cohort=cohorts[n], funder=other)
        FellowFactory(cohort=cohorts[n], funder=None)
    faculty = make_person(Role.FACULTY)
    reports = {n: release(finished(cohorts[n]), by=faculty) for n in range(1, 6)}
    return {
        "cohorts": cohorts,
        "funders": {"history": history, "posts": posts, "nothing": nothing},
        "clients": {
            key: login(make_person(Role.FUNDER, funder=funder))
            for key, funder in (("history", history), ("posts", posts), ("nothing", nothing))
        },
        "reports": reports,
        # Never for a funder: an internal report (another threshold), unfinished ones, and a
        # finished one faculty have not released.
        "never": [
            finished(cohorts[2]),
            finished(cohorts[5], suppress_below=0),
            finished(cohorts[4], state=ReportState.RENDERING),
            finished(cohorts[3], state=ReportState.FAILED),
        ],
    }


def test_cohorts_a_funder_funds_are_those_of_its_posts_and_of_its_fellows(programme):
    funders = programme["funders"]

    def numbers(*funders_):
        ids = {f.pk for f in funders_}
        return sorted(Cohort.objects.funded_by(ids).values_list("number", flat=True))

    assert numbers(funders["history"]) == [1, 2, 3, 4]
    assert numbers(funders["posts"]) == [5]
    assert numbers(funders["nothing"]) == []
    assert numbers(funders["history"], funders["posts"]) == [1, 2, 3, 4, 5]
    assert numbers() == []


@pytest.mark.parametrize(
    ("funder", "visible"),
    [
        ("history", [1, 2, 3, 4, 5]),  # a report as of cohort N covers cohorts 1..N
        ("posts", [5]),
        ("nothing", []),
    ],
)
def test_funder_sees_exactly_the_reports_covering_cohorts_it_funds(programme, funder, visible):
    client = programme["clients"][funder]
    reports = programme["reports"]
    page = client.get(reverse("report_list")).content.decode()
    for n, job in reports.items():
        shown = n in visible
        assert (reverse("report_detail", args=[job.pk]) in page) is shown, (funder, n)
        for url in urls(job):
            response = client.get(url)
            assert response.status_code == (200 if shown else 404), (funder, url)
            if shown and url == reverse("report_download", args=[job.pk, "pdf"]):
                assert b"".join(response.streaming_content) == PDF
    for job in programme["never"]:
        assert reverse("report_detail", args=[job.pk]) not in page
        for url in urls(job):
            assert client.get(url).status_code == 404, (funder, url)
    # An id past every report is not found either, like any other.
    assert (
        client.get(
            reverse("report_detail", args=[ReportJob.objects.latest("pk").pk + 1])
        ).status_code
        == 404
    )
    empty = "There are no finished reports for the cohorts you fund yet"
    assert (empty in page) is (not visible)


def test_funder_home_page_counts_the_fellows_it_funds_per_cohort_and_links_its_reports(programme):
    page = programme["clients"]["history"].get("/").content.decode()
    assert reverse("report_list") in page
    assert "5 finished reports cover the cohorts you fund" in page
    # Cohorts 1-3: one graduate each; cohort 4: one graduate, one in post and one withdrawn.
    assert "2 fellows in post" not in page and "1 fellow in post, 4 graduated" in page
    rows = [
        f'<th scope="row">Cohort {n}</th><td class="nhsuk-table__cell--numeric">{in_post}</td>'
        f'<td class="nhsuk-table__cell--numeric">{graduated}</td><td class="nhsuk-table__cell--numeric">{total}</td>'
        for n, in_post, graduated, total in ((1, 0, 1, 1), (2, 0, 1, 1), (3, 0, 1, 1), (4, 1, 1, 3))
    ]
    for row in rows:
        assert row in page
    assert "Cohort 5</th>" not in page  # it funds no fellow there: another funder's do not count
    # Counts only: no fellow's reference or name reaches the page.
    from fellowship.models import Fellow

    for fellow in Fellow.objects.all():
        assert fellow.ref not in page and (not fellow.full_name or fellow.full_name not in page)


def test_home_page_of_a_funder_of_nothing_shows_no_counts_and_no_reports(programme):
    page = programme["clients"]["nothing"].get("/").content.decode()
    assert '<th scope="row">Cohort' not in page
    assert "0 finished reports cover the cohorts you fund" in page


# Fellows in post when cohorts overlap ------------------------------------------------------------


@pytest.fixture
def overlapping():
    """Cohort 4 (September to August) still has fellows in post when cohort 5 starts in March."""
    four = CohortFactory(
        number=4, start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2025, 8, 31)
    )
    five = CohortFactory(
        number=5, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2026, 2, 28)
    )
    for cohort, status, count in (
        (four, FellowStatus.IN_POST, 3),
        (four, FellowStatus.GRADUATED, 2),
        (five, FellowStatus.IN_POST, 2),
        (five, FellowStatus.WITHDRAWN, 1),
    ):
        FellowFactory.create_batch(count, cohort=cohort, status=status)
    return four, five


def test_fellows_in_post_are_counted_in_every_overlapping_cohort(overlapping):
    o1 = compute_evidence(5).objective1
    assert (o1.in_post, o1.in_post_by_cohort) == (5, ((4, 3), (5, 2)))
    assert (o1.graduates, o1.graduate_cohorts) == (2, (4,))
    # The report as of cohort 4 never reads cohort 5.
    earlier = compute_evidence(4).objective1
    assert (earlier.in_post, earlier.in_post_by_cohort) == (3, ((4, 3),))
    html = render_html(compute_evidence(5))
    assert "5 fellows are in post: 3 in cohort 4 and 2 in cohort 5." in html
    assert "3 fellows are in post in cohort 4." in render_html(compute_evidence(4))


def test_in_post_wording_names_each_cohort():
    assert in_post_cohorts(()) == ""
    assert in_post_cohorts(((5, 6),)) == " in cohort 5"
    assert (
        in_post_cohorts(((3, 1), (4, 34), (5, 6)))
        == ": 1 in cohort 3, 34 in cohort 4 and 6 in cohort 5"
    )
