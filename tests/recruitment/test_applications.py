"""The applicant's changes to a draft (recruitment.applications) and the steps' progress
(recruitment.steps)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from recruitment import applications, services
from recruitment.enums import ApprovalMethod, Stage
from recruitment.models import Application, StageChange
from recruitment.steps import COMPLETED, NOT_STARTED, step_statuses

from ..factories import (
    ApplicationFactory,
    CriterionFactory,
    UserFactory,
    complete_draft,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent():` runs the e-mails queued for after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_submitted_application_refuses_a_stale_step_save():
    application = submitted()
    stale = Application.objects.get(pk=application.pk)
    stale.stage = Stage.DRAFT  # a copy loaded in another tab before submitting
    with pytest.raises(applications.NotADraft):
        applications.save_answers(
            stale, {"grade": "Changed"}, step="eligibility", by=application.applicant
        )
    application.refresh_from_db()
    assert (application.stage, application.grade) == (Stage.SUBMITTED, "ST5")


def test_only_the_applicant_saves_their_draft():
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        applications.save_answers(
            application, {"grade": "ST3"}, step="eligibility", by=UserFactory()
        )


def test_save_answers_writes_only_the_answers_given():
    application = ApplicationFactory(grade="ST4", employer="Northgate")
    saved = applications.save_answers(
        application, {"grade": "ST5"}, step="eligibility", by=application.applicant
    )
    application.refresh_from_db()
    assert (application.grade, application.employer, application.last_step) == (
        "ST5",
        "Northgate",
        "eligibility",
    )
    assert saved.grade == "ST5"


def test_declaration_and_submission_are_saved_together(sent):
    application = complete_draft(ApplicationFactory())
    Application.objects.filter(pk=application.pk).update(declaration_agreed=False)
    with sent():
        result = applications.agree_and_submit(application, by=application.applicant)
    application.refresh_from_db()
    assert (application.stage, application.declaration_agreed) == (Stage.SUBMITTED, True)
    assert result.stage == Stage.SUBMITTED
    assert (
        StageChange.objects.filter(application=application, to_stage=Stage.SUBMITTED).count() == 1
    )
    assert mail.outbox[0].to == [application.applicant.email]


def test_a_refused_submission_keeps_the_declaration_agreed():
    application = ApplicationFactory()  # nothing filled in
    with pytest.raises(ValidationError) as refused:
        applications.agree_and_submit(application, by=application.applicant)
    assert "Select your profession" in refused.value.messages
    application.refresh_from_db()
    assert (application.stage, application.declaration_agreed) == (Stage.DRAFT, True)


def test_a_second_submission_finds_the_application_submitted():
    application = complete_draft(ApplicationFactory())
    applications.agree_and_submit(application, by=application.applicant)
    with pytest.raises(applications.NotADraft):
        applications.agree_and_submit(application, by=application.applicant)
    assert (
        StageChange.objects.filter(application=application, to_stage=Stage.SUBMITTED).count() == 1
    )


def test_an_approval_request_needs_the_managers_name_and_address_but_the_answers_save():
    application = ApplicationFactory()
    saved = applications.save_approval(
        application,
        {"approval_method": ApprovalMethod.MANAGER_LINK, "manager_name": "Sam Lee"},
        by=application.applicant,
        send=True,
    )
    assert not saved.requested
    assert set(saved.missing) == {"manager_email"}
    application.refresh_from_db()
    assert (application.manager_name, application.approval_requested_at) == ("Sam Lee", None)


def test_an_approval_request_goes_once_unless_the_manager_changes_or_it_is_asked_again(sent):
    application = ApplicationFactory()
    answers = {
        "approval_method": ApprovalMethod.MANAGER_LINK,
        "manager_name": "Sam Lee",
        "manager_email": "sam.lee@example.nhs.uk",
    }
    by = application.applicant
    with sent():
        first = applications.save_approval(application, answers, by=by, send=True)
        again_unchanged = applications.save_approval(application, answers, by=by, send=True)
        resent = applications.save_approval(application, answers, by=by, send=True, again=True)
        changed = applications.save_approval(
            application, {**answers, "manager_email": "s.lee@example.nhs.uk"}, by=by, send=True
        )
        autosaved = applications.save_approval(application, answers, by=by)
    assert [first.requested, again_unchanged.requested, resent.requested, changed.requested] == [
        True,
        False,
        True,
        True,
    ]
    assert not autosaved.requested
    assert len(mail.outbox) == 3


def test_an_application_out_of_the_selection_cannot_be_withdrawn():
    application = submitted()
    Application.objects.filter(pk=application.pk).update(stage=Stage.UNSUCCESSFUL)
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.withdraw_application(application, by=application.applicant)


def test_steps_of_a_new_draft_are_not_started_and_of_a_complete_one_completed():
    draft = ApplicationFactory()
    CriterionFactory(round=draft.round)
    found = services.problems(draft)
    assert {s["status"] for s in step_statuses(draft, (p.step for p in found))} == {NOT_STARTED}
    complete = complete_draft(ApplicationFactory())
    assert services.problems(complete) == []
    assert {s["status"] for s in step_statuses(complete, [])} == {COMPLETED}
