"""Faculty lists stay one page long however large the round: with ~120 applications in a round,
each paginated list's HTML holds at most one page of rows, the page links keep the filters, a bad
page number shows the first or last page, and the number of queries does not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent, RoleGrant, User
from fellowship.pagination import PAGE_SIZE
from projects.views.catalogue import CATALOGUE_PAGE_SIZE
from recruitment import shortlisting
from recruitment.enums import Stage
from recruitment.models import Application, ReviewerAssignment, ShortlistScore
from recruitment.views.shortlisting import SCORES_PAGE_SIZE

from .factories import (
    CohortFactory,
    CriterionFactory,
    FellowFactory,
    FundedPostFactory,
    PortfolioEntryFactory,
    RegionFactory,
    RoundFactory,
)
from .factories.projects import ApprovedProjectFactory

pytestmark = pytest.mark.django_db

APPLICATIONS = 120


def add_applications(rnd, region, count: int, *, start: int = 0) -> list[Application]:
    """`count` submitted applications, made in bulk."""
    users = User.objects.bulk_create(
        User(email=f"applicant{n}@example.org", full_name=f"Applicant {n}", password="!")
        for n in range(start, start + count)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.APPLICANT) for u in users)
    now = timezone.now()
    return Application.objects.bulk_create(
        Application(
            round=rnd,
            applicant=u,
            ref=f"NR-{n:05d}",
            region=region,
            employer="Bench NHS Trust",
            stage=Stage.SUBMITTED,
            furthest_stage=Stage.SUBMITTED,
            submitted_at=now,
        )
        for n, u in enumerate(users, start=start)
    )


@pytest.fixture
def national(person):
    rnd = RoundFactory()
    criterion = CriterionFactory(round=rnd, title="Leadership")
    region = RegionFactory(name="North East")
    reviewer = person(Role.PANELLIST)
    FundedPostFactory(cohort=rnd.cohort, region=region, places=20)
    apps = add_applications(rnd, region, APPLICATIONS)
    assignments = ReviewerAssignment.objects.bulk_create(
        ReviewerAssignment(application=a, reviewer=reviewer) for a in apps
    )
    ShortlistScore.objects.bulk_create(
        ShortlistScore(assignment=a, criterion=criterion, score=n % 5)
        for n, a in enumerate(assignments)
    )
    return rnd


def refs(html: str) -> set[str]:
    return set(re.findall(r"NR-\d{5}", html))


def test_application_list_holds_one_page_and_page_links_keep_the_filters(national, faculty_client):
    url = reverse("application_list", args=[national.pk])
    response = faculty_client.get(url, {"stage": Stage.SUBMITTED})
    html = response.content.decode()
    assert response.status_code == 200
    assert len(refs(html)) == PAGE_SIZE
    assert "stage=submitted&amp;page=2" in html
    assert 'aria-label="Pagination"' in html
    last = faculty_client.get(url, {"stage": Stage.SUBMITTED, "page": 3}).content.decode()
    assert len(refs(last)) == APPLICATIONS - 2 * PAGE_SIZE


@pytest.mark.parametrize("page", ["999", "-1", "abc", "", "2.5"])
def test_a_bad_page_number_shows_the_first_or_last_page(national, faculty_client, page):
    response = faculty_client.get(reverse("application_list", args=[national.pk]), {"page": page})
    assert response.status_code == 200
    assert refs(response.content.decode())


def test_shortlisting_page_holds_one_page_of_scores(national, faculty_client):
    url = reverse("shortlisting", args=[national.pk])
    html = faculty_client.get(url).content.decode()
    table = html.split("<h2>Scores and ranking</h2>", 1)[1]
    assert len(set(re.findall(r'id="shortlist-(\d+)"', table))) == SCORES_PAGE_SIZE
    assert "page=2" in html
    last = faculty_client.get(url, {"page": "last"}).content.decode()
    assert len(set(re.findall(r'id="shortlist-(\d+)"', last))) == APPLICATIONS % SCORES_PAGE_SIZE


def test_shortlisting_form_keeps_the_ticks_of_other_pages(national, faculty_client):
    """The top two per place are ticked to start with; those on other pages are sent with the
    form as hidden fields so that making the shortlist from any page keeps them."""
    first = faculty_client.get(reverse("shortlisting", args=[national.pk])).content.decode()
    second = faculty_client.get(
        reverse("shortlisting", args=[national.pk]), {"page": 2}
    ).content.decode()
    ticked_first = re.findall(r'value="(\d+)" id="shortlist-\d+" checked', first)
    hidden_second = re.findall(r'type="hidden" name="applications" value="(\d+)"', second)
    assert ticked_first
    assert set(ticked_first) <= set(hidden_second)


def test_catalogue_holds_one_page_and_keeps_its_filters(faculty_client):
    cohort = CohortFactory()
    region = RegionFactory()
    for n in range(CATALOGUE_PAGE_SIZE + 5):
        ApprovedProjectFactory(cohort=cohort, region=region, title=f"Project NR-{n:05d}")
    url = reverse("catalogue", args=[cohort.number])
    html = faculty_client.get(url, {"region": region.pk}).content.decode()
    assert len(refs(html)) == CATALOGUE_PAGE_SIZE
    assert f"region={region.pk}&amp;page=2" in html
    last = faculty_client.get(url, {"region": region.pk, "page": 99}).content.decode()
    assert len(refs(last)) == 5


def test_people_list_holds_one_page(national, faculty_client):
    html = faculty_client.get(reverse("person_list"), {"q": "Applicant"}).content.decode()
    assert len(re.findall(r"Applicant \d+<", html)) == PAGE_SIZE
    assert "q=Applicant&amp;page=2" in html


def test_fellow_list_holds_one_page_and_a_bad_page_is_not_a_404(faculty_client):
    cohort = CohortFactory()
    FellowFactory.create_batch(PAGE_SIZE + 3, cohort=cohort)
    url = reverse("fellow_list")
    html = faculty_client.get(url, {"cohort": cohort.pk}).content.decode()
    assert html.count("F-0") + html.count("F-1") <= PAGE_SIZE * 2
    assert f"cohort={cohort.pk}&amp;page=2" in html
    assert faculty_client.get(url, {"page": 999}).status_code == 200
    assert faculty_client.get(url, {"page": "x"}).status_code == 200


def test_audit_log_holds_one_page(faculty_client):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.VIEWED,
            subject=AuditSubject.APPLICATION,
            actor_email="someone@example.org",
            reference=f"NR-{n:05d}",
        )
        for n in range(PAGE_SIZE + 10)
    )
    html = faculty_client.get(reverse("audit_log")).content.decode()
    assert len(refs(html)) == PAGE_SIZE


# Query counts: the same with 3 rows as with 60 -----------------------------------------------


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # the first request fills per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name", ["shortlisting", "application_list", "equality_monitoring", "people", "audit"]
)
def test_query_count_does_not_grow_with_the_round(name, person, faculty_client):
    rnd = RoundFactory(closes_at=timezone.now() - timezone.timedelta(days=1))
    CriterionFactory(round=rnd)
    region = RegionFactory()
    urls = {
        "shortlisting": reverse("shortlisting", args=[rnd.pk]),
        "application_list": reverse("application_list", args=[rnd.pk]),
        "equality_monitoring": reverse("equality_monitoring", args=[rnd.pk]),
        "people": reverse("person_list"),
        "audit": reverse("audit_log"),
    }
    faculty = User.objects.get(pk=faculty_client.session["_auth_user_id"])
    from django.contrib.auth.models import Permission

    faculty.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    add_applications(rnd, region, 3)
    few = _queries(faculty_client, urls[name])
    add_applications(rnd, region, 57, start=3)
    many = _queries(faculty_client, urls[name])
    assert few == many


def _catalogue_rows(cohort, count, start):
    for n in range(start, start + count):
        ApprovedProjectFactory(cohort=cohort, title=f"Project NR-{n:05d}")


def _fellows(cohort, count, start):
    FellowFactory.create_batch(count, cohort=cohort)


def _portfolio_entries(cohort, count, start):
    for fellow in FellowFactory.create_batch(count, cohort=cohort):
        PortfolioEntryFactory(fellow=fellow)


@pytest.mark.parametrize(
    ("name", "add"),
    [
        ("catalogue", _catalogue_rows),
        ("fellow_list", _fellows),
        ("portfolio_list", _portfolio_entries),
    ],
)
def test_query_count_does_not_grow_with_the_programme(name, add, faculty_client):
    cohort = CohortFactory()
    url = reverse(name, args=[cohort.number]) if name == "catalogue" else reverse(name)
    add(cohort, 3, 0)
    few = _queries(faculty_client, url)
    add(cohort, 57, 3)
    many = _queries(faculty_client, url)
    assert few == many


def test_decided_list_pages_apart_from_the_waiting_list(national, faculty_client):
    chosen = list(Application.objects.filter(round=national).order_by("pk")[:40])
    shortlisting.make_shortlist(national, chosen, by=User.objects.filter(is_staff=False).first())
    url = reverse("shortlisting", args=[national.pk])
    html = faculty_client.get(url, {"stage": "x"}).content.decode()
    assert len(refs(html)) == SCORES_PAGE_SIZE
    assert "stage=x&amp;decided=2" in html
    assert faculty_client.get(url, {"decided": "99"}).status_code == 200
