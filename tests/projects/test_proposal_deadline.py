"""The deadline for project proposals: faculty set it on the cohort; after it a first submission
is refused (with the deadline named) and the cohort is no longer offered for new drafts; a
proposal sent back for revision may still be resubmitted; the public page for supervisors says
when proposals close."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fellowship.models import Cohort
from projects import services
from projects.enums import Answer, Decision, ProposalStatus
from projects.forms.proposals import ProposalForm
from projects.models import ChecklistItem, ProposalVersion

from ..factories import CohortFactory, ProjectFactory, complete_proposal

pytestmark = pytest.mark.django_db

CLOSES = timezone.make_aware(datetime.datetime(2027, 1, 15, 17, 0))


@pytest.fixture
def cohort():
    return CohortFactory(number=31, proposals_close_at=CLOSES)


@pytest.fixture
def proposal(cohort, role_users):
    return complete_proposal(ProjectFactory(cohort=cohort, supervisor=role_users["supervisor"]))


def test_a_first_submission_before_the_deadline_is_accepted(proposal):
    version = services.submit_proposal(
        proposal, by=proposal.supervisor, now=CLOSES - datetime.timedelta(minutes=1)
    )
    assert version.number == 1


def test_a_first_submission_after_the_deadline_is_refused_and_changes_nothing(proposal):
    with pytest.raises(ValidationError) as refused:
        services.submit_proposal(
            proposal, by=proposal.supervisor, now=CLOSES + datetime.timedelta(seconds=1)
        )
    assert refused.value.messages == [
        "Proposals for Cohort 31 closed on 15 January 2027 at 17:00 GMT"
    ]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    assert not ProposalVersion.objects.filter(project=proposal).exists()


def test_a_proposal_sent_back_for_revision_may_be_resubmitted_after_the_deadline(
    proposal, role_users
):
    services.submit_proposal(
        proposal, by=proposal.supervisor, now=CLOSES - datetime.timedelta(days=1)
    )
    not_met = ChecklistItem.objects.filter(active=True).first()
    answers = {
        item.pk: (Answer.NOT_MET, "Name the officer") if item == not_met else (Answer.MET, "")
        for item in ChecklistItem.objects.filter(active=True)
    }
    services.record_review(
        proposal, by=role_users["faculty"], answers=answers, decision=Decision.REVISE
    )
    version = services.submit_proposal(
        proposal, by=proposal.supervisor, now=CLOSES + datetime.timedelta(days=10)
    )
    assert version.number == 2


def test_without_a_deadline_there_is_no_limit(role_users):
    proposal = complete_proposal(ProjectFactory(cohort=CohortFactory(number=32)))
    far = timezone.now() + datetime.timedelta(days=3650)
    assert services.submit_proposal(proposal, by=proposal.supervisor, now=far).number == 1


def test_the_supervisor_is_told_on_the_page_and_cannot_submit(proposal, supervisor_client):
    Cohort.objects.filter(pk=proposal.cohort_id).update(
        proposals_close_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = supervisor_client.get(reverse("proposal_detail", args=[proposal.ref])).content.decode()
    assert "Proposals have closed" in page
    assert reverse("proposal_submit", args=[proposal.ref]) not in page
    # ... and posting the form anyway (an old tab, a crafted request) submits nothing.
    response = supervisor_client.post(reverse("proposal_submit", args=[proposal.ref]))
    assert response.status_code == 200
    assert "Proposals for Cohort 31 closed on" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


def test_the_deadline_is_shown_before_submitting(proposal, supervisor_client):
    Cohort.objects.filter(pk=proposal.cohort_id).update(
        proposals_close_at=timezone.now() + datetime.timedelta(days=7)
    )
    page = supervisor_client.get(reverse("proposal_detail", args=[proposal.ref])).content.decode()
    assert "Proposals for Cohort 31 close on" in page
    assert reverse("proposal_submit", args=[proposal.ref]) in page


def test_a_closed_cohort_is_not_offered_for_new_drafts_but_a_draft_keeps_its_own(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(
        proposals_close_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    still_open = CohortFactory(
        number=33, proposals_close_at=timezone.now() + datetime.timedelta(days=1)
    )
    offered = list(ProposalForm().fields["cohort"].queryset)
    assert still_open in offered and cohort not in offered
    draft = ProjectFactory(cohort=cohort)
    assert cohort in ProposalForm(instance=draft).fields["cohort"].queryset


def test_faculty_set_the_deadline_on_the_cohort_in_uk_time(faculty_client, cohort):
    response = faculty_client.post(
        reverse("cohort_update", args=[cohort.number]),
        {"number": cohort.number, "proposals_close_at": "2027-06-30T17:00"},
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    # 17:00 on a summer day in the UK is 16:00 UTC.
    assert cohort.proposals_close_at == datetime.datetime(2027, 6, 30, 16, 0, tzinfo=datetime.UTC)
    page = faculty_client.get(reverse("cohort_detail", args=[cohort.number])).content.decode()
    assert "30 June 2027 at 17:00 BST" in page


@pytest.mark.parametrize("role", ["supervisor", "fellow", "applicant"])
def test_nobody_else_can_change_the_deadline(role, request, cohort):
    client = request.getfixturevalue(f"{role}_client")
    response = client.post(
        reverse("cohort_update", args=[cohort.number]),
        {"number": cohort.number, "proposals_close_at": "2030-01-01T00:00"},
    )
    assert response.status_code in (403, 404)
    cohort.refresh_from_db()
    assert cohort.proposals_close_at == CLOSES


def test_the_page_for_supervisors_says_when_proposals_close(db):
    assert "No deadline for project proposals" in Client().get("/for-supervisors/").content.decode()
    closed = CohortFactory(
        number=34, proposals_close_at=timezone.now() - datetime.timedelta(days=1)
    )
    later = CohortFactory(
        number=36, proposals_close_at=timezone.now() + datetime.timedelta(days=60)
    )
    sooner = CohortFactory(
        number=35, proposals_close_at=timezone.now() + datetime.timedelta(days=30)
    )
    page = Client().get("/for-supervisors/").content.decode()
    assert f"Project proposals for {sooner} close on" in page
    assert str(later) not in page and str(closed) not in page
