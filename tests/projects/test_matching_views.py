"""Matching through its pages: fellows' and supervisors' rank selects, the faculty's setup, run,
review, override and publication, the fellow's result, and who may do any of it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from projects import matching
from projects.enums import MatchingStatus
from projects.models import (
    FellowRanking,
    MatchingRound,
    Placement,
    ProjectChoice,
    SupervisorCapacity,
)

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories.projects import ApprovedProjectFactory
from .test_matching import build_world

pytestmark = pytest.mark.django_db

NOT_FACULTY = ["outsider", "applicant", "fellow", "alumnus", "supervisor", "panellist", "funder"]


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY, full_name="Fran Faculty")


@pytest.fixture
def staff(login, faculty):
    return login(faculty)


def url(name: str, w: dict, **kwargs) -> str:
    if name in ("project_choices", "matching_result", "matching_list"):
        return reverse(name)
    return reverse(name, kwargs={"number": w["cohort"].number, **kwargs})


def choices_of(fellow) -> list[int]:
    return list(
        ProjectChoice.objects.filter(fellow=fellow)
        .order_by("rank")
        .values_list("project_id", flat=True)
    )


def rank_data(**ranks) -> dict:
    """{'rank-<pk>': '<rank>'} from keyword pairs of pk=rank ('' for not ranked)."""
    return {f"rank-{pk}": str(rank) for pk, rank in ranks.items()}


def selected(html: str, name: str) -> str:
    """The value of the selected option of a select, as the page shows it."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    match = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return match.group(1) if match else ""


# Fellows rank projects -------------------------------------------------------------------------


def test_fellow_sees_eligible_projects_with_rank_selects(world, login):
    response = login(world["f1"].user).get(url("project_choices", world))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("p1", "p2", "p3"):
        project = world[key]
        assert f'name="rank-{project.pk}"' in html
        assert reverse("proposal_detail", args=[project.ref]) in html
    assert '<option value="">Not ranked</option>' in html or "Not ranked" in html
    assert selected(html, f"rank-{world['p1'].pk}") == "1"
    assert selected(html, f"rank-{world['p2'].pk}") == "2"
    assert selected(html, f"rank-{world['p3'].pk}") == ""
    assert "Ada Supervisor" in html  # the supervisor of each project


def test_fellow_saves_a_ranking(world, login):
    f1 = world["f1"]
    data = rank_data(**{str(world["p3"].pk): 1, str(world["p1"].pk): 2, str(world["p2"].pk): ""})
    response = login(f1.user).post(url("project_choices", world), data)
    assert response.status_code == 302
    assert choices_of(f1) == [world["p3"].pk, world["p1"].pk]


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ((1, 3, ""), "no project has rank 2"),
        ((1, 1, 2), "Rank 1 is given to more than one project"),
        ((1, 9, ""), "Choose a rank from the list"),
    ],
)
def test_bad_ranking_shows_errors_keeps_input_and_saves_nothing(world, login, ranks, message):
    f1 = world["f1"]
    before = choices_of(f1)
    pks = [world["p1"].pk, world["p2"].pk, world["p3"].pk]
    data = {f"rank-{pk}": str(rank) for pk, rank in zip(pks, ranks, strict=True)}
    response = login(f1.user).post(url("project_choices", world), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert html.count("nhsuk-error-summary") >= 1
    assert "<title>Error:" in html
    assert choices_of(f1) == before
    if message.startswith("Rank 1"):
        # What they chose is shown again, and the summary links to the selects at fault.
        assert selected(html, f"rank-{pks[2]}") == "2"
        assert f'href="#id_rank-{pks[0]}"' in html


def test_closed_ranking_shows_the_saved_ranking_read_only(world, login):
    MatchingRound.objects.filter(pk=world["matching"].pk).update(
        ranking_closes_at=timezone.now() - datetime.timedelta(hours=1)
    )
    c = login(world["f1"].user)
    response = c.get(url("project_choices", world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ranking is closed" in html
    assert "<select" not in html
    assert html.index("P1 chest X-ray") < html.index("P2 sepsis")
    before = choices_of(world["f1"])
    response = c.post(url("project_choices", world), rank_data(**{str(world["p3"].pk): 1}))
    assert response.status_code == 302
    assert choices_of(world["f1"]) == before


def test_fellow_without_a_matching_is_told_ranking_has_not_opened(login):
    fellow = FellowFactory(user=make_person(Role.FELLOW))
    response = login(fellow.user).get(reverse("project_choices"))
    assert response.status_code == 200
    assert "Ranking has not opened" in response.content.decode()


# Supervisors rank fellows ----------------------------------------------------------------------


def test_supervisor_ranks_the_fellows_who_chose_their_projects(world, login):
    b = world["b"]
    page = url("fellow_ranking", world, pk=b.pk)
    c = login(b)
    html = c.get(page).content.decode()
    assert f'name="rank-{world["f2"].pk}"' in html
    assert f'name="rank-{world["f1"].pk}"' not in html
    response = c.post(page, rank_data(**{str(world["f2"].pk): 1}))
    assert response.status_code == 302
    ranking = FellowRanking.objects.get(matching=world["matching"], supervisor=b)
    assert (ranking.fellow, ranking.rank, ranking.ranked_by) == (world["f2"], 1, b)


def test_supervisor_cannot_open_another_supervisors_ranking(world, login):
    page = url("fellow_ranking", world, pk=world["a"].pk)
    assert login(world["b"]).get(page).status_code == 403
    assert login(world["b"]).post(page, rank_data(**{str(world["f2"].pk): 1})).status_code == 403
    assert login(world["f1"].user).get(page).status_code == 403


def test_faculty_ranks_for_a_supervisor(world, staff, faculty):
    a = world["a"]
    f1, f2, f3 = world["f1"], world["f2"], world["f3"]
    response = staff.post(
        url("fellow_ranking", world, pk=a.pk),
        rank_data(**{str(f1.pk): 1, str(f2.pk): 2, str(f3.pk): ""}),
    )
    assert response.status_code == 302
    rows = list(FellowRanking.objects.filter(supervisor=a).order_by("rank"))
    assert [(r.fellow, r.ranked_by) for r in rows] == [(f1, faculty), (f2, faculty)]


def test_bad_fellow_ranking_changes_nothing(world, staff):
    a = world["a"]
    before = list(FellowRanking.objects.filter(supervisor=a).values_list("fellow_id", "rank"))
    response = staff.post(
        url("fellow_ranking", world, pk=a.pk),
        rank_data(**{str(world["f1"].pk): 2, str(world["f2"].pk): 3}),
    )
    assert response.status_code == 200
    assert "no fellow has rank 1" in response.content.decode()
    assert (
        list(FellowRanking.objects.filter(supervisor=a).values_list("fellow_id", "rank")) == before
    )


# Faculty: setup ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_FACULTY)
def test_only_faculty_run_or_publish(world, role_users, login, role):
    c = login(role_users[role])
    assert c.post(url("matching_run", world)).status_code == 403
    assert c.post(url("matching_publish", world)).status_code == 403
    assert world["matching"].proposals.count() == 0


def test_fellow_cannot_run_or_publish(world, login):
    c = login(world["f1"].user)
    assert c.post(url("matching_run", world)).status_code == 403
    assert c.post(url("matching_publish", world)).status_code == 403


def test_run_and_publish_are_post_only(world, staff):
    assert staff.get(url("matching_run", world)).status_code == 405
    assert staff.get(url("matching_publish", world)).status_code == 405


def test_faculty_opens_a_matching_for_a_cohort(staff):
    cohort = CohortFactory()
    page = reverse("matching_detail", args=[cohort.number])
    response = staff.get(page)
    assert response.status_code == 200
    assert "Open matching for" in response.content.decode()
    assert staff.post(page, {"open": "1"}).status_code == 302
    assert MatchingRound.objects.get(cohort=cohort).status == MatchingStatus.RANKING
    # A second click changes nothing.
    assert staff.post(page, {"open": "1"}).status_code == 302
    assert MatchingRound.objects.filter(cohort=cohort).count() == 1
    listing = staff.get(reverse("matching_list")).content.decode()
    assert "Fellows are ranking projects" in listing


def test_detail_counts_and_settings(world, staff):
    page = url("matching_detail", world)
    html = staff.get(page).content.decode()
    assert "Fellows who have ranked" in html
    response = staff.post(
        page, {"ranking_closes_at": "2030-01-31T23:59", "themed_posts_any_project": "on"}
    )
    assert response.status_code == 302
    rnd = MatchingRound.objects.get(pk=world["matching"].pk)
    assert rnd.themed_posts_any_project
    assert (
        timezone.localtime(rnd.ranking_closes_at).strftime("%Y-%m-%d %H:%M") == "2030-01-31 23:59"
    )
    response = staff.post(page, {"ranking_closes_at": "not a date"})
    assert response.status_code == 200
    assert "Enter a real date and time" in response.content.decode()
    assert MatchingRound.objects.get(pk=rnd.pk).themed_posts_any_project


def test_capacities_are_saved_and_bad_ones_change_nothing(world, staff):
    a, b = world["a"], world["b"]
    page = url("matching_supervisors", world)
    html = staff.get(page).content.decode()
    assert f'name="capacity-{a.pk}" value="2"' in html  # the sum of A's projects' places
    response = staff.post(page, {f"capacity-{a.pk}": "0", f"capacity-{b.pk}": "1"})
    assert response.status_code == 200
    assert "Ada Supervisor must be able to take at least 1 fellow" in response.content.decode()
    assert not SupervisorCapacity.objects.exists()
    assert staff.post(page, {f"capacity-{a.pk}": "1", f"capacity-{b.pk}": "1"}).status_code == 302
    assert dict(SupervisorCapacity.objects.values_list("supervisor_id", "capacity")) == {
        a.pk: 1,
        b.pk: 1,
    }


# Faculty: run, review, override, publish --------------------------------------------------------


def test_run_then_review_the_allocation(world, staff):
    response = staff.post(url("matching_run", world))
    assert response.status_code == 302
    assert response["Location"] == url("matching_allocation", world)
    html = staff.get(url("matching_allocation", world)).content.decode()
    assert "2 of 3 fellows matched" in html
    assert "Stable" in html
    assert "Fellow 3: every project they ranked was full" in html
    assert (
        "Choice 1, P1 chest X-ray: full, its places went to fellows its supervisor ranked higher (Fellow 2)"
        in html
    )


def grow(w: dict, n: int) -> None:
    """Add n fellows and n projects in London; each fellow ranks a new project then p3."""
    for i in range(n):
        project = ApprovedProjectFactory(cohort=w["cohort"], region=w["london"], supervisor=w["b"])
        fellow = FellowFactory(
            cohort=w["cohort"],
            region=w["london"],
            user=make_person(Role.FELLOW),
            ref=f"G-{len(str(i))}-{i}",
        )
        matching.save_choices(fellow, [project.pk, w["p3"].pk], by=fellow.user)


def test_allocation_page_query_count_does_not_grow_with_fellows(
    world, staff, faculty, django_assert_num_queries
):
    page = url("matching_allocation", world)
    matching.run_matching(world["matching"], by=faculty)
    with CaptureQueriesContext(connection) as small:
        assert staff.get(page).status_code == 200
    matching.override_match(
        world["matching"].proposals.get(fellow=world["f3"]),
        world["p3"],
        reason="Near home",
        by=faculty,
    )
    # A bigger cohort: reopen ranking (as a fresh round would be), add fellows and projects, run again.
    MatchingRound.objects.filter(pk=world["matching"].pk).update(status=MatchingStatus.RANKING)
    grow(world, 6)
    matching.run_matching(world["matching"], by=faculty)
    matching.override_match(
        world["matching"].proposals.get(fellow=world["f3"]),
        world["p3"],
        reason="Near home",
        by=faculty,
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff.get(page)
    assert "Near home" in response.content.decode()
    assert len(small.captured_queries) == 12  # including the programme, named in the footer


def test_override_requires_a_reason_and_previews_what_it_breaks(world, staff, faculty):
    matching.run_matching(world["matching"], by=faculty)
    line = world["matching"].proposals.get(fellow=world["f2"])
    page = url("matching_override", world, pk=line.pk)
    assert staff.get(page).status_code == 200

    preview = staff.post(page, {"project": world["p3"].pk, "reason": "", "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert (
        "This allocation would not be stable: Fellow 1 and P1 chest X-ray would both prefer each other"
        in html
    )
    assert "There is a problem" not in html

    response = staff.post(page, {"project": world["p3"].pk, "reason": "  "})
    assert response.status_code == 200
    assert "Give a reason for changing the allocation" in response.content.decode()
    line.refresh_from_db()
    assert line.project == world["p1"]

    response = staff.post(page, {"project": world["p3"].pk, "reason": "Caring responsibilities"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.project, line.override_reason, line.overridden_by) == (
        world["p3"],
        "Caring responsibilities",
        faculty,
    )
    html = staff.get(url("matching_allocation", world)).content.decode()
    assert (
        "This allocation is not stable: Fellow 1 and P1 chest X-ray would both prefer each other"
        in html
    )
    assert "Caring responsibilities" in html


def test_publish_places_fellows_and_refuses_a_second_time(world, staff, faculty):
    matching.run_matching(world["matching"], by=faculty)
    assert staff.post(url("matching_publish", world)).status_code == 302
    assert Placement.objects.count() == 2
    response = staff.post(url("matching_publish", world), follow=True)
    assert "already been published" in response.content.decode()
    assert Placement.objects.count() == 2
    line = world["matching"].proposals.get(fellow=world["f3"])
    response = staff.post(
        url("matching_override", world, pk=line.pk), {"project": world["p3"].pk, "reason": "Late"}
    )
    assert response.status_code == 200
    assert "cannot change" in response.content.decode()
    line.refresh_from_db()
    assert line.project is None


# Fellows read their result ---------------------------------------------------------------------


def test_result_waits_for_publication_then_explains(world, login, faculty):
    c = login(world["f1"].user)
    assert "not published yet" in c.get(reverse("matching_result")).content.decode()
    matching.run_matching(world["matching"], by=faculty)
    assert "not published yet" in c.get(reverse("matching_result")).content.decode()
    matching.publish_matching(world["matching"], by=faculty)
    html = c.get(reverse("matching_result")).content.decode()
    assert "This was your choice number 2." in html
    assert "P2 sepsis" in html
    assert "Your choice 1: P1 chest X-ray" in html
    assert "Its place went to a fellow its supervisor ranked higher than you." in html
    # Who the supervisor ranked higher stays with faculty.
    assert world["f2"].display_name not in html
    unmatched = login(world["f3"].user).get(reverse("matching_result")).content.decode()
    assert "could not match you" in unmatched


# The home page -----------------------------------------------------------------------------------


def test_home_shows_matching_tasks(world, login, faculty):
    assert (
        "Rank the projects</a>: you have ranked 2 projects"
        in login(world["f1"].user).get("/").content.decode()
    )
    home = login(world["a"]).get("/").content.decode()
    assert reverse("fellow_ranking", args=[world["cohort"].number, world["a"].pk]) in home
    matching.run_matching(world["matching"], by=faculty)
    matching.publish_matching(world["matching"], by=faculty)
    assert "See your matching result" in login(world["f1"].user).get("/").content.decode()


def test_cohorts_whose_fellows_all_have_projects_offer_no_matching(staff, world):
    placed = CohortFactory()
    fellow = FellowFactory(cohort=placed)
    Placement.objects.create(
        fellow=fellow, project=ApprovedProjectFactory(cohort=placed, region=fellow.region)
    )
    html = staff.get(reverse("matching_list")).content.decode()
    assert f'Open matching<span class="nhsuk-u-visually-hidden"> for {placed}</span>' not in html
    assert "Every fellow in post has a project" in html


def test_rank_projects_is_in_the_menu_only_while_the_cohort_has_a_matching(world, login):
    with_matching = login(world["f1"].user).get(reverse("home")).content.decode()
    assert "Rank projects" in with_matching
    other = FellowFactory(cohort=CohortFactory(), user=make_person(Role.FELLOW))
    assert "Rank projects" not in login(other.user).get(reverse("home")).content.decode()
