"""Every home page lists the person's pending tasks, each with a count and a link to the list that
resolves it, and nobody else's: a task count is itself information, so an applicant or a funder
never sees how many proposals, applications or offers the programme team has in hand."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fellowship.dates import fellowship_month
from fellowship.enums import FellowStatus, Role
from fellowship.models import Fellow
from projects.enums import MilestoneStatus, ProposalStatus
from projects.models import Milestone, Placement
from recruitment.enums import Stage
from recruitment.models import (
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    Offer,
    ReviewerAssignment,
    ShortlistScore,
)
from reports.enums import ReportState
from reports.models import ReportDownload, ReportJob

from ..conftest import make_person
from ..factories import (
    ApplicationFactory,
    CohortFactory,
    CriterionFactory,
    FellowFactory,
    FundedPostFactory,
    FunderFactory,
    ProjectFactory,
    RoundFactory,
    submitted,
)
from ..factories.portfolio import PortfolioEntryFactory
from ..reports.drafts import release

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def tasks(client) -> dict[str, tuple[int, str]]:
    """The home page's tasks: label -> (count, link)."""
    page = client.get(reverse("home")).content.decode()
    section = page.split('id="tasks-heading"', 1)[1].split("</section>", 1)[0]
    found = re.findall(r'<li><a href="([^"]+)"><strong>(\d+)</strong> ([^<]+)</a></li>', section)
    return {
        html.unescape(label).strip(): (int(count), html.unescape(url))
        for url, count, label in found
    }


def test_nothing_waiting_says_so(login):
    faculty = make_person(Role.FACULTY)
    assert tasks(login(faculty)) == {}
    page = login(faculty).get(reverse("home")).content.decode()
    assert "Your next tasks" in page
    assert "Nothing is waiting for you" in page


def test_a_proposal_awaiting_review_is_a_faculty_task_in_the_singular(login):
    ProjectFactory(status=ProposalStatus.SUBMITTED)
    found = tasks(login(make_person(Role.FACULTY)))
    assert found["project proposal to review"] == (1, reverse("review_queue"))
    ProjectFactory(status=ProposalStatus.RESUBMITTED)
    ProjectFactory(status=ProposalStatus.DRAFT)  # not for review
    assert tasks(login(make_person(Role.FACULTY)))["project proposals to review"][0] == 2


def test_fellows_without_an_account_and_without_a_project_link_to_two_different_lists(login):
    cohort = CohortFactory()
    no_account = FellowFactory(
        cohort=cohort, status=FellowStatus.IN_POST, user=None, project_ref="P-1"
    )
    no_project = FellowFactory(
        cohort=cohort, status=FellowStatus.IN_POST, user=make_person(Role.FELLOW), project_ref=""
    )
    FellowFactory(
        cohort=cohort, status=FellowStatus.GRADUATED, user=None, project_ref=""
    )  # not in post
    client = login(make_person(Role.FACULTY))
    found = tasks(client)
    count, account_url = found["fellow in post without an account"]
    assert count == 1
    count, project_url = found["fellow in post without an AI project"]
    assert count == 1
    assert account_url != project_url
    listed = client.get(account_url).content.decode()
    assert no_account.ref in listed and no_project.ref not in listed
    listed = client.get(project_url).content.decode()
    assert no_project.ref in listed and no_account.ref not in listed


def test_applications_of_a_closed_round_not_yet_with_reviewers_are_to_check(login):
    rnd = RoundFactory(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=1)
    )
    first, second = (
        submitted(ApplicationFactory(round=rnd)),
        submitted(ApplicationFactory(round=rnd)),
    )
    ReviewerAssignment.objects.create(application=second, reviewer=make_person(Role.PANELLIST))
    still_open = RoundFactory()
    submitted(ApplicationFactory(round=still_open))  # the round is still taking applications
    client = login(make_person(Role.FACULTY))
    count, url = tasks(client)[f"application to check for eligibility in {rnd}"]
    assert count == 1
    listed = client.get(url).content.decode()
    assert (
        first.ref in listed and second.ref in listed
    )  # the list of submitted applications of that round
    assert not any(str(still_open) in label for label in tasks(client))


def test_reviewers_who_differ_by_more_than_the_margin_make_a_shortlist_to_moderate(login):
    rnd = RoundFactory(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=1)
    )
    criterion = CriterionFactory(round=rnd)
    application = submitted(ApplicationFactory(round=rnd))
    for score in (0, 4):
        assignment = ReviewerAssignment.objects.create(
            application=application, reviewer=make_person(Role.PANELLIST)
        )
        ShortlistScore.objects.create(assignment=assignment, criterion=criterion, score=score)
    client = login(make_person(Role.FACULTY))
    count, url = tasks(client)[f"application to moderate before the shortlist for {rnd}"]
    assert (count, url) == (1, reverse("shortlisting", args=[rnd.pk]))

    from recruitment.shortlisting import moderate

    moderate(
        application, criterion, score=2, reason="Agreed at moderation", by=make_person(Role.FACULTY)
    )
    assert not any("moderate" in label for label in tasks(client))


def test_offers_waiting_for_a_reply_are_a_faculty_task(login):
    faculty = make_person(Role.FACULTY)
    application = submitted()
    application.stage = Stage.OFFERED
    application.save()
    Offer.objects.create(
        application=application,
        post=FundedPostFactory(cohort=application.round.cohort, region=application.region),
        rank=1,
        made_by=faculty,
        respond_by=NOW + datetime.timedelta(days=7),
    )
    count, url = tasks(login(faculty))[
        f"offer waiting for the candidate's reply in {application.round}"
    ]
    assert (count, url) == (1, reverse("offers", args=[application.round.pk]))


def test_a_panellist_is_not_told_to_finish_reviews_that_have_closed(login):
    panellist = make_person(Role.PANELLIST)
    open_review = submitted()
    closed_review = submitted()
    closed_review.stage = Stage.SHORTLISTED  # the shortlist is made: scores are closed
    closed_review.save()
    ReviewerAssignment.objects.create(application=open_review, reviewer=panellist)
    ReviewerAssignment.objects.create(application=closed_review, reviewer=panellist)
    found = tasks(login(panellist))
    assert found["application to score for shortlisting"] == (1, reverse("my_reviews"))
    open_review.stage = Stage.INELIGIBLE
    open_review.save()
    assert "application to score for shortlisting" not in tasks(login(panellist))


def test_a_panellist_has_interviews_to_score_and_interviews_to_come(login):
    panellist = make_person(Role.PANELLIST)
    rnd = RoundFactory(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=10)
    )
    criterion = CriterionFactory(round=rnd)
    panel = InterviewPanel.objects.create(round=rnd, name="Panel A", date=timezone.localdate())
    panel.members.add(panellist)

    def slot(hours: int):
        application = submitted(ApplicationFactory(round=rnd))
        application.stage = Stage.SHORTLISTED
        application.save()
        start = NOW + datetime.timedelta(hours=hours)
        return InterviewSlot.objects.create(
            panel=panel,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=30),
            application=application,
        )

    done = slot(-3)
    slot(-2)
    slot(48)
    InterviewScore.objects.create(
        application=done.application, panellist=panellist, criterion=criterion, score=3
    )
    found = tasks(login(panellist))
    assert found["interview to score"] == (1, reverse("my_interviews"))
    assert found["interview panel to come"] == (1, reverse("my_interviews"))
    panel.date = timezone.localdate() - datetime.timedelta(days=1)
    panel.save()
    assert "interview panel to come" not in tasks(login(panellist))
    page = login(panellist).get(reverse("home")).content.decode()
    assert "to finish" not in page


def test_a_funder_is_told_of_a_new_report_until_they_download_it(login):
    funder = FunderFactory()
    cohort = CohortFactory(number=3)
    FellowFactory(cohort=cohort, funder=funder)
    contact = make_person(Role.FUNDER, funder=funder)
    job = ReportJob.objects.create(
        cohort=cohort, suppress_below=5, state=ReportState.DONE, progress=100, finished_at=NOW
    )
    job.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    assert "new benefits report to read" not in tasks(login(contact))  # not released yet
    release(job, by=make_person(Role.FACULTY))
    assert tasks(login(contact))["new benefits report to read"] == (1, reverse("report_list"))
    ReportDownload.objects.create(job=job, user=contact, fmt="pdf")
    assert "new benefits report to read" not in tasks(login(contact))


def test_a_funder_of_other_cohorts_is_not_told_of_a_report_it_cannot_read(login):
    other = FunderFactory()
    FellowFactory(cohort=CohortFactory(number=6), funder=other)
    job = ReportJob.objects.create(
        cohort=CohortFactory(number=2), suppress_below=5, state=ReportState.DONE, finished_at=NOW
    )
    release(job, by=make_person(Role.FACULTY))
    assert tasks(login(make_person(Role.FUNDER, funder=other))) == {}


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.FUNDER, Role.FELLOW, Role.SUPERVISOR, Role.PANELLIST]
)
def test_nobody_but_the_faculty_learns_how_much_work_the_programme_team_has(login, role):
    ProjectFactory(status=ProposalStatus.SUBMITTED)
    FellowFactory(status=FellowStatus.IN_POST, user=None)
    closed = RoundFactory(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=1)
    )
    submitted(ApplicationFactory(round=closed))
    found = tasks(login(make_person(role)))
    for label in found:
        assert not re.search(
            "proposal to review|without an account|to check|moderate|offer waiting|invitation",
            label,
        )


def test_a_fellow_has_surveys_milestones_and_a_portfolio_to_start(login):
    from surveys.models import Invitation, Survey

    cohort = CohortFactory(start_date=timezone.localdate() - datetime.timedelta(days=100))
    user = make_person(Role.FELLOW)
    fellow = FellowFactory(cohort=cohort, user=user, status=FellowStatus.IN_POST)
    survey = Survey.objects.create(title="Workshop 1 feedback", key="workshop-1")
    Invitation.objects.create(survey=survey, person=user)
    project = ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED)
    Placement.objects.create(project=project, fellow=fellow)
    month = fellowship_month(cohort.start_date, timezone.localdate())
    Milestone.objects.create(project=project, title="Baseline audit", target_month=month)
    Milestone.objects.create(
        project=project, title="Done already", target_month=1, status=MilestoneStatus.DONE
    )
    Milestone.objects.create(project=project, title="Later", target_month=12)
    client = login(user)
    found = tasks(client)
    assert found["survey to answer"] == (1, reverse("my_surveys"))
    assert found["milestone of your AI project due for an update"] == (
        1,
        reverse("project_milestones", args=[project.ref]),
    )
    start = "portfolio to start: record your first publication, talk, award or piece of work"
    assert found[start] == (1, reverse("entry_create", args=[fellow.ref]))
    # Not yet near graduation: no poster or testimonial prompt.
    assert not any("poster" in label or "testimonial" in label for label in found)
    PortfolioEntryFactory(fellow=fellow)
    assert start not in tasks(client)
    nav = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("my_surveys")}"' in nav.split("</header>")[0]


def test_a_fellow_near_graduation_is_asked_for_a_poster_and_testimonial(login):
    cohort = CohortFactory(start_date=timezone.localdate() - datetime.timedelta(days=320))
    user = make_person(Role.FELLOW)
    fellow = FellowFactory(cohort=cohort, user=user, status=FellowStatus.IN_POST)
    found = tasks(login(user))
    assert found["graduation poster to add to your portfolio"] == (
        1,
        reverse("poster_edit", args=[fellow.ref]),
    )
    assert found["testimonial to write about your fellowship"] == (
        1,
        reverse("testimonial_edit", args=[fellow.ref]),
    )


@pytest.mark.parametrize(
    ("start", "today", "month"),
    [
        ("2026-10-01", "2026-09-30", None),
        ("2026-10-01", "2026-10-01", 1),
        ("2026-10-15", "2026-11-14", 1),
        ("2026-10-15", "2026-11-15", 2),
        ("2026-10-01", "2027-09-30", 12),
        ("2026-01-31", "2026-03-01", 2),
    ],
)
def test_the_month_of_the_fellowship_year(start, today, month):
    as_date = datetime.date.fromisoformat
    assert fellowship_month(as_date(start), as_date(today)) == month
    assert fellowship_month(None, as_date(today)) is None


def test_the_funder_home_and_the_funder_page_count_fellows_the_same_way(login):
    funder = FunderFactory()
    for number, statuses in {
        1: ["graduated", "graduated"],
        4: ["in_post", "graduated", "withdrawn"],
    }.items():
        cohort = CohortFactory(number=number)
        for status in statuses:
            FellowFactory(cohort=cohort, funder=funder, status=status)
    FellowFactory(cohort=CohortFactory(number=2), funder=FunderFactory())  # someone else's
    contact = make_person(Role.FUNDER, funder=funder)
    client = login(contact)
    home = client.get(reverse("home")).content.decode()
    detail = client.get(reverse("funder_detail", args=[funder.pk])).content.decode()
    for row in ("Cohort 1", "Cohort 4"):
        assert row in home and row in detail
    assert "Cohort 2" not in home
    rows = list(Fellow.objects.filter(funder=funder).counts_by_funder_and_cohort())
    assert [(r["cohort__number"], r["in_post"], r["graduated"], r["total"]) for r in rows] == [
        (1, 0, 2, 2),
        (4, 1, 1, 3),
    ]
    assert "1 fellow in post, 3 graduated" in home


def test_a_supervisor_ranks_the_fellows_who_chose_their_project_once(login):
    from projects.models import FellowRanking, ProjectChoice

    from ..factories.projects import ApprovedProjectFactory, MatchingRoundFactory

    supervisor = make_person(Role.SUPERVISOR)
    matching = MatchingRoundFactory()
    project = ApprovedProjectFactory(cohort=matching.cohort, supervisor=supervisor)
    fellow = FellowFactory(cohort=matching.cohort)
    ProjectChoice.objects.create(fellow=fellow, project=project, rank=1)
    label = f"ranking of the fellows who chose your projects in {matching.cohort}"
    url = reverse("fellow_ranking", args=[matching.cohort.number, supervisor.pk])
    assert tasks(login(supervisor))[label] == (1, url)
    FellowRanking.objects.create(matching=matching, supervisor=supervisor, fellow=fellow, rank=1)
    assert label not in tasks(login(supervisor))
