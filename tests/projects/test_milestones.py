"""Milestones through the year: the project's supervisor, its placed fellows and faculty update
them (everyone else gets a 404), and the faculty's overview shows every project's progress with
overdue milestones picked out."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.enums import MilestoneStatus, ProposalStatus
from projects.models import Milestone, Placement
from projects.views.vetting import is_overdue, month_end

from ..factories import CohortFactory, FellowFactory, ProjectFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def project(role_users):
    """An approved project in cohort 1, supervised by the supervisor, with the fellow placed on it."""
    cohort = CohortFactory(number=1)
    project = ProjectFactory(
        cohort=cohort, status=ProposalStatus.APPROVED, supervisor=role_users["supervisor"]
    )
    fellow = FellowFactory(cohort=cohort, user=role_users["fellow"])
    Placement.objects.create(project=project, fellow=fellow)
    Milestone.objects.create(project=project, title="Baseline audit", target_month=3)
    Milestone.objects.create(project=project, title="Silent deployment", target_month=8)
    return project


def update(client, milestone, status, note=""):
    prefix = f"milestone-{milestone.pk}"
    return client.post(
        reverse("project_milestones", args=[milestone.project.ref]),
        {"milestone": milestone.pk, f"{prefix}-status": status, f"{prefix}-note": note},
    )


# Updating --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "fellow", "faculty"])
def test_supervisor_placed_fellow_and_faculty_update_a_milestone(
    request, role, role_users, project
):
    client = request.getfixturevalue(f"{role}_client")
    milestone = project.milestones.get(title="Baseline audit")
    assert client.get(reverse("project_milestones", args=[project.ref])).status_code == 200
    response = update(client, milestone, MilestoneStatus.AT_RISK, "  Waiting for data access  ")
    assert response.status_code == 302
    assert response["Location"] == reverse("project_milestones", args=[project.ref])
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.AT_RISK
    assert milestone.note == "Waiting for data access"
    assert milestone.updated_by == role_users[role]
    assert milestone.updated_at is not None
    # The other milestone is left alone.
    other = project.milestones.get(title="Silent deployment")
    assert other.updated_by is None and other.status == MilestoneStatus.NOT_STARTED


def test_page_shows_who_last_updated_each_milestone_in_london_time(
    supervisor_client, role_users, project
):
    Milestone.objects.filter(title="Baseline audit").update(
        updated_by=role_users["fellow"],
        updated_at=datetime.datetime(2024, 7, 1, 11, 30, tzinfo=UTC),
        note="Audit under way",
    )
    html = supervisor_client.get(reverse("project_milestones", args=[project.ref])).content.decode()
    assert f"1 July 2024, 12:30 by {role_users['fellow'].get_full_name()}" in html
    assert "Audit under way" in html
    assert "Not updated yet" in html


def test_a_status_is_required(supervisor_client, project):
    milestone = project.milestones.first()
    response = update(supervisor_client, milestone, "")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Select the milestone&#x27;s status" in html
    assert f'href="#id_milestone-{milestone.pk}-status_0"' in html
    milestone.refresh_from_db()
    assert milestone.updated_at is None


@pytest.mark.parametrize("role", ["outsider", "applicant", "alumnus", "panellist", "funder"])
def test_others_get_not_found(request, role, project):
    client = request.getfixturevalue(f"{role}_client")
    url = reverse("project_milestones", args=[project.ref])
    milestone = project.milestones.first()
    assert client.get(url).status_code == 404
    assert update(client, milestone, MilestoneStatus.DONE).status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED


def test_a_fellow_on_another_project_and_another_supervisor_get_not_found(login, person, project):
    other_fellow = person("fellow")
    FellowFactory(user=other_fellow, cohort=project.cohort)
    Placement.objects.create(
        project=ProjectFactory(cohort=project.cohort, status=ProposalStatus.APPROVED),
        fellow=other_fellow.fellowships.get(),
    )
    other_supervisor = person("supervisor")
    ProjectFactory(supervisor=other_supervisor, status=ProposalStatus.APPROVED)
    milestone = project.milestones.first()
    for user in (other_fellow, other_supervisor):
        client = login(user)
        assert client.get(reverse("project_milestones", args=[project.ref])).status_code == 404
        assert update(client, milestone, MilestoneStatus.DONE).status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED


def test_a_milestone_of_another_project_cannot_be_updated_through_this_one(
    supervisor_client, project
):
    stranger = Milestone.objects.create(
        project=ProjectFactory(status=ProposalStatus.APPROVED), title="Not yours", target_month=2
    )
    response = supervisor_client.post(
        reverse("project_milestones", args=[project.ref]),
        {"milestone": stranger.pk, f"milestone-{stranger.pk}-status": MilestoneStatus.DONE},
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.status == MilestoneStatus.NOT_STARTED


# Overdue ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2024, 9, 1), 1, datetime.date(2024, 10, 1)),
        (datetime.date(2024, 9, 1), 4, datetime.date(2025, 1, 1)),
        (datetime.date(2024, 9, 1), 12, datetime.date(2025, 9, 1)),
        (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2023, 8, 31), 6, datetime.date(2024, 2, 29)),
    ],
)
def test_month_end_moves_on_whole_calendar_months(start, months, end):
    assert month_end(start, months) == end


def test_a_milestone_is_overdue_once_its_target_month_has_passed_and_it_is_not_done():
    start = datetime.date(2024, 9, 1)
    milestone = Milestone(target_month=3, status=MilestoneStatus.ON_TRACK)  # month 3 is November
    assert not is_overdue(milestone, start, datetime.date(2024, 11, 30))
    assert is_overdue(milestone, start, datetime.date(2024, 12, 1))
    milestone.status = MilestoneStatus.DONE
    assert not is_overdue(milestone, start, datetime.date(2025, 6, 1))
    milestone.status = MilestoneStatus.LATE
    assert not is_overdue(milestone, None, datetime.date(2025, 6, 1))  # no start date, no judgement


def test_overview_highlights_overdue_milestones(faculty_client, project):
    today = timezone.localdate()
    project.cohort.start_date = today - datetime.timedelta(days=130)  # about four months in
    project.cohort.end_date = project.cohort.start_date + datetime.timedelta(days=364)
    project.cohort.save()
    Milestone.objects.filter(title="Baseline audit").update(status=MilestoneStatus.ON_TRACK)
    Milestone.objects.create(
        project=project, title="Data access agreed", target_month=1, status=MilestoneStatus.DONE
    )
    response = faculty_client.get(reverse("project_overview"))
    assert response.status_code == 200
    overdue = [(p.title, m.title) for p, m in response.context["overdue"]]
    assert overdue == [(project.title, "Baseline audit")]
    html = response.content.decode()
    assert "Overdue milestones" in html
    assert html.count('nhsuk-tag--red">Overdue</strong>') == 1
    assert "1 overdue" in html
    # The same on the project's own page.
    page = faculty_client.get(reverse("project_milestones", args=[project.ref])).content.decode()
    assert page.count('nhsuk-tag--red">Overdue</strong>') == 1


def test_overview_counts_each_status(faculty_client, project):
    Milestone.objects.filter(title="Baseline audit").update(status=MilestoneStatus.DONE)
    Milestone.objects.filter(title="Silent deployment").update(status=MilestoneStatus.AT_RISK)
    Milestone.objects.create(
        project=project, title="Evaluation", target_month=11, status=MilestoneStatus.AT_RISK
    )
    response = faculty_client.get(reverse("project_overview"))
    row = response.context["projects"][0]
    assert (row.on_track_count, row.at_risk_count, row.late_count, row.done_count) == (0, 2, 0, 1)
    assert response.context["totals"] == {"on_track": 0, "at_risk": 2, "late": 0, "done": 1}


def test_overview_defaults_to_the_latest_cohort_with_approved_projects(faculty_client, project):
    CohortFactory(number=2)  # no projects yet
    ProjectFactory(cohort=CohortFactory(number=5), title="Draft in cohort 5")
    later = ProjectFactory(
        cohort=CohortFactory(number=4), status=ProposalStatus.APPROVED, title="Approved in cohort 4"
    )
    ProjectFactory(cohort=later.cohort, title="Draft in cohort 4")
    response = faculty_client.get(reverse("project_overview"))
    assert response.context["cohort"].number == 4
    assert [p.title for p in response.context["projects"]] == ["Approved in cohort 4"]
    response = faculty_client.get(reverse("project_overview"), {"cohort": 1})
    assert [p.title for p in response.context["projects"]] == [project.title]


def test_overview_without_approved_projects_says_so(faculty_client):
    html = faculty_client.get(reverse("project_overview")).content.decode()
    assert "No projects have been approved yet" in html


@pytest.mark.parametrize(
    "role", ["outsider", "applicant", "fellow", "alumnus", "supervisor", "panellist", "funder"]
)
def test_only_faculty_see_the_overview(request, role, project):
    assert (
        request.getfixturevalue(f"{role}_client").get(reverse("project_overview")).status_code
        == 403
    )


def test_overview_uses_a_fixed_number_of_queries(faculty_client, project):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(reverse("project_overview")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(5):
        other = ProjectFactory(cohort=project.cohort, status=ProposalStatus.APPROVED)
        Placement.objects.create(project=other, fellow=FellowFactory(cohort=project.cohort))
        for month in (2, 6, 10):
            Milestone.objects.create(
                project=other,
                title=f"Step {n}.{month}",
                target_month=month,
                status=MilestoneStatus.LATE,
            )
    assert queries() == few


def test_milestones_page_uses_a_fixed_number_of_queries(supervisor_client, role_users, project):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert (
                supervisor_client.get(reverse("project_milestones", args=[project.ref])).status_code
                == 200
            )
        return len(ctx.captured_queries)

    few = queries()
    for month in range(1, 8):
        Milestone.objects.create(
            project=project,
            title=f"Step {month}",
            target_month=month,
            updated_by=role_users["fellow"],
            updated_at=timezone.now(),
        )
    assert queries() == few
