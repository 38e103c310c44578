"""Saving a draft proposal through projects.services.save_proposal_draft: what validates is
saved, field by field and list by list, and nothing is saved once the proposal is submitted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.forms.proposals import ProposalForm, proposal_formsets
from projects.models import Project

from ..factories import ProjectFactory, complete_proposal
from .test_proposals import blank_row, post_data

pytestmark = pytest.mark.django_db


def bound(project: Project, data: dict):
    form = ProposalForm(data, instance=Project(pk=project.pk, cohort_id=project.cohort_id))
    form.is_valid()
    return form, proposal_formsets(project, data)


def test_a_draft_keeps_the_fields_and_lists_that_validate():
    project = ProjectFactory()
    data = post_data(project, summary="Triage of chest X-rays", capacity="50")
    h, m = blank_row(data, "hazards"), blank_row(data, "milestones")
    data.update({
        f"hazards-{h}-hazard": "Missed pneumothorax",  # no cause, effect or mitigation
        f"milestones-{m}-title": "Baseline audit", f"milestones-{m}-target_month": "3",
    })  # fmt: skip
    form, formsets = bound(project, data)
    saved = services.save_proposal_draft(project, form, formsets, by=project.supervisor)
    project.refresh_from_db()
    assert project.summary == "Triage of chest X-rays"
    assert project.capacity == 1  # 50 did not validate: the saved value stays
    assert project.milestones.get().title == "Baseline audit"
    assert not project.hazards.exists()
    assert list(saved.unsaved) == ["hazards"]


def test_a_submitted_proposal_cannot_be_saved_as_a_draft():
    project = complete_proposal(ProjectFactory())
    form, formsets = bound(project, post_data(project, summary="Changed"))
    services.submit_proposal(project, by=project.supervisor)
    with pytest.raises(ValidationError):
        services.save_proposal_draft(project, form, formsets, by=project.supervisor)
    project.refresh_from_db()
    assert project.summary != "Changed"
