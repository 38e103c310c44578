"""The proposal's life in projects.services: what submission needs, the states a proposal moves
through (draft → submitted → revise → resubmitted → approved), the checklist rule that blocks
approval, and the comparison of two submitted versions."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from fellowship.enums import Role
from projects import services
from projects.enums import Answer, Decision, ProposalStatus
from projects.models import ChecklistItem, Hazard, Project, ProposalVersion, Review

from ..factories import ProjectFactory, complete_proposal

pytestmark = pytest.mark.django_db


def answers(not_met: ChecklistItem | None = None) -> dict[int, tuple[str, str]]:
    return {
        item.pk: (Answer.NOT_MET, "Name the clinical safety officer")
        if item == not_met
        else (Answer.MET, "")
        for item in ChecklistItem.objects.filter(active=True)
    }


@pytest.fixture
def reviewer(person):
    return person(Role.FACULTY)


@pytest.fixture
def proposal() -> Project:
    return complete_proposal(ProjectFactory())


def status(project: Project) -> str:
    project.refresh_from_db()
    return project.status


# What submission needs ------------------------------------------------------------------------


def test_a_complete_proposal_misses_nothing(proposal):
    assert services.missing_for_submission(proposal) == []


def test_a_bare_draft_misses_every_required_part():
    missing = services.missing_for_submission(ProjectFactory())
    assert "Summary is missing" in missing
    assert "Clinical safety officer is missing" in missing
    assert "Title is missing" not in missing
    assert missing[-3:] == [
        "Add at least one hazard to the hazard log",
        "Add at least one educational aim mapped to a curriculum theme",
        "Add at least one milestone with its target month",
    ]


def test_an_incomplete_proposal_cannot_be_submitted_and_nothing_changes():
    draft = ProjectFactory()
    with pytest.raises(ValidationError) as error:
        services.submit_proposal(draft, by=draft.supervisor)
    assert "Summary is missing" in error.value.messages
    assert status(draft) == ProposalStatus.DRAFT
    assert draft.submitted_at is None
    assert not ProposalVersion.objects.exists()


# The states -----------------------------------------------------------------------------------


def test_a_proposal_goes_from_draft_to_approved_through_a_revision(
    proposal, reviewer, django_capture_on_commit_callbacks
):
    supervisor = proposal.supervisor
    with django_capture_on_commit_callbacks(execute=True):
        first = services.submit_proposal(proposal, by=supervisor)
    assert (first.number, status(proposal)) == (1, ProposalStatus.SUBMITTED)
    assert proposal.submitted_at == first.submitted_at
    assert first.snapshot["fields"]["title"] == proposal.title

    item = ChecklistItem.objects.filter(active=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_review(
            proposal, by=reviewer, answers=answers(item), decision=Decision.REVISE
        )
    assert status(proposal) == ProposalStatus.REVISE
    assert mail.outbox[-1].to == [supervisor.email]
    assert proposal.decided_at is not None

    proposal.clinical_safety_officer = "Dr Named Officer"
    proposal.save()
    second = services.submit_proposal(proposal, by=supervisor)
    assert (second.number, status(proposal)) == (2, ProposalStatus.RESUBMITTED)
    # Version 1 stays as it was submitted.
    first.refresh_from_db()
    assert first.snapshot["fields"]["clinical_safety_officer"] == "Dr Safety"
    assert second.snapshot["fields"]["clinical_safety_officer"] == "Dr Named Officer"

    review = services.record_review(
        proposal, by=reviewer, answers=answers(), decision=Decision.APPROVED
    )
    assert status(proposal) == ProposalStatus.APPROVED
    assert review.version == second
    assert Review.objects.filter(project=proposal).count() == 2


def test_a_submitted_proposal_cannot_be_submitted_again(proposal):
    services.submit_proposal(proposal, by=proposal.supervisor)
    with pytest.raises(ValidationError):
        services.submit_proposal(proposal, by=proposal.supervisor)
    assert proposal.versions.count() == 1


def test_a_draft_cannot_be_reviewed(proposal, reviewer):
    with pytest.raises(ValidationError):
        services.record_review(proposal, by=reviewer, answers=answers(), decision=Decision.APPROVED)
    assert status(proposal) == ProposalStatus.DRAFT


def test_approval_is_refused_while_any_item_is_not_met(proposal, reviewer):
    services.submit_proposal(proposal, by=proposal.supervisor)
    item = ChecklistItem.objects.filter(active=True).last()
    with pytest.raises(ValidationError) as error:
        services.record_review(
            proposal, by=reviewer, answers=answers(item), decision=Decision.APPROVED
        )
    assert (
        "A proposal cannot be approved while any checklist item is not met" in error.value.messages
    )
    assert status(proposal) == ProposalStatus.SUBMITTED
    assert not Review.objects.exists()


def test_every_item_needs_an_answer(proposal, reviewer):
    services.submit_proposal(proposal, by=proposal.supervisor)
    partial = answers()
    partial.pop(next(iter(partial)))
    with pytest.raises(ValidationError):
        services.record_review(proposal, by=reviewer, answers=partial, decision=Decision.APPROVED)
    assert status(proposal) == ProposalStatus.SUBMITTED


def test_a_declined_proposal_cannot_be_resubmitted(proposal, reviewer):
    services.submit_proposal(proposal, by=proposal.supervisor)
    item = ChecklistItem.objects.filter(active=True).first()
    services.record_review(proposal, by=reviewer, answers=answers(item), decision=Decision.DECLINED)
    assert status(proposal) == ProposalStatus.DECLINED
    with pytest.raises(ValidationError):
        services.submit_proposal(proposal, by=proposal.supervisor)


# Comparing versions ---------------------------------------------------------------------------


def test_compare_lists_only_what_changed_with_both_values(proposal):
    before = services.snapshot(proposal)
    proposal.summary = "A sharper summary."
    proposal.capacity = 2
    proposal.save()
    changes = services.compare(before, services.snapshot(proposal))
    assert [(c.item, c.before, c.after) for c in changes] == [
        ("Summary", "The summary.", "A sharper summary."),
        (services.label("capacity"), "1", "2"),
    ]


def test_compare_of_identical_versions_is_empty(proposal):
    assert services.compare(services.snapshot(proposal), services.snapshot(proposal)) == []


def test_compare_shows_a_changed_list_whole(proposal):
    before = services.snapshot(proposal)
    Hazard.objects.create(
        project=proposal, hazard="Alert fatigue", cause="Too many flags", effect="Ignored alerts",
        severity=2, likelihood=4, mitigation="Tune the threshold",
    )  # fmt: skip
    (change,) = services.compare(before, services.snapshot(proposal))
    assert change.item == "Hazard log"
    assert "Missed finding" in change.before and "Alert fatigue" not in change.before
    assert "Missed finding" in change.after and "Alert fatigue" in change.after
