"""The applicant's pages: drafts save whatever is typed, the deadline holds, files and equality
answers stay private, and nobody reaches another person's application."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject, Profession, Role
from fellowship.models import AuditEvent
from recruitment.deadlines import time_left
from recruitment.enums import ApprovalMethod, RegistrationBody, Stage
from recruitment.models import (
    Application,
    ApplicationDocument,
    EqualityRecord,
    StageChange,
    Statement,
)

from ..factories import (
    PASSWORD,
    ApplicationFactory,
    CriterionFactory,
    EligibilityFactory,
    RegionFactory,
    RequiredDocumentFactory,
    RoundFactory,
    complete_draft,
    submitted,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UTC = datetime.UTC


def pdf(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent():` runs the e-mails queued for after the commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def applicant(role_users):
    return role_users["applicant"]


@pytest.fixture
def rnd():
    rnd = RoundFactory(name="Cohort 9 national recruitment")
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    CriterionFactory(
        round=rnd, title="Leadership", word_limit=10, description="Show <b>how</b> you led change."
    )
    return rnd


@pytest.fixture
def draft(rnd, applicant):
    return ApplicationFactory(round=rnd, applicant=applicant)


def url(name, application, *args):
    return reverse(name, args=[application.ref, *args])


# Starting -------------------------------------------------------------------------------------


def test_open_round_is_listed_with_a_start_link(applicant_client, rnd):
    page = applicant_client.get(reverse("round_list")).content.decode()
    assert "Cohort 9 national recruitment" in page
    assert reverse("application_start", args=[rnd.pk]) in page


def test_starting_twice_gives_the_same_application(applicant_client, rnd, applicant):
    first = applicant_client.post(reverse("application_start", args=[rnd.pk]))
    assert first.status_code == 302
    application = Application.objects.get(round=rnd, applicant=applicant)
    assert first["Location"] == url("application_eligibility", application)
    second = applicant_client.post(reverse("application_start", args=[rnd.pk]))
    assert second["Location"] == url("application_overview", application)
    assert Application.objects.filter(round=rnd, applicant=applicant).count() == 1


def test_a_closed_round_cannot_be_started(applicant_client, applicant):
    closed = RoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = applicant_client.post(reverse("application_start", args=[closed.pk]))
    assert response.status_code == 400
    assert "You can no longer apply" in response.content.decode()
    assert not Application.objects.filter(applicant=applicant).exists()


# Task list and deadline ------------------------------------------------------------------------


def test_task_list_shows_each_step_status(applicant_client, draft):
    page = applicant_client.get(url("application_overview", draft)).content.decode()
    assert page.count("Not started") >= 4
    assert "Cannot start yet" in page

    draft.profession = Profession.MEDICINE
    draft.save()
    page = applicant_client.get(url("application_overview", draft)).content.decode()
    assert "In progress" in page

    complete_draft(draft, region=draft.round.eligibilities.get().region)
    page = applicant_client.get(url("application_overview", draft)).content.decode()
    assert page.count("Completed") == 4
    assert url("application_review", draft) in page
    assert "Cannot start yet" not in page


def test_deadline_is_shown_in_london_time_with_the_time_left(applicant_client, draft):
    draft.round.closes_at = timezone.now() + datetime.timedelta(days=3, hours=4, minutes=10)
    draft.round.save()
    page = applicant_client.get(url("application_overview", draft)).content.decode()
    local = timezone.localtime(draft.round.closes_at)
    assert f"{local:%H:%M} {local.tzname()}" in page
    assert "3 days 4 hours left" in page


@pytest.mark.parametrize(
    "delta, words",
    [
        (datetime.timedelta(days=3, hours=4, minutes=59), "3 days 4 hours left"),
        (datetime.timedelta(days=1), "1 day left"),
        (datetime.timedelta(hours=5, minutes=1), "5 hours 1 minute left"),
        (datetime.timedelta(minutes=2, seconds=30), "2 minutes left"),
        (datetime.timedelta(seconds=30), "less than a minute left"),
        (datetime.timedelta(0), ""),
        (datetime.timedelta(seconds=-5), ""),
    ],
)
def test_time_left_in_words(delta, words):
    now = timezone.now()
    assert time_left(now + delta, now) == words


def test_time_left_counts_real_hours_across_the_clocks_going_back():
    # 24 Oct 2026 01:30 BST to 25 Oct 2026 01:30 GMT is 25 hours, not 24.
    now = datetime.datetime(2026, 10, 24, 0, 30, tzinfo=UTC)
    closes = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert time_left(closes, now) == "1 day 1 hour left"


# Saving steps ----------------------------------------------------------------------------------


def test_eligibility_saves_an_incomplete_draft(applicant_client, draft):
    response = applicant_client.post(
        url("application_eligibility", draft),
        {"grade": "ST4", "employer": "Northgate NHS Trust", "action": "later"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("application_overview", draft)
    draft.refresh_from_db()
    assert (draft.grade, draft.employer, draft.last_step) == (
        "ST4",
        "Northgate NHS Trust",
        "eligibility",
    )


def test_save_and_continue_goes_to_the_next_step(applicant_client, draft):
    response = applicant_client.post(
        url("application_eligibility", draft), {"grade": "ST4", "action": "continue"}
    )
    assert response["Location"] == url("application_statement", draft)


def test_malformed_registration_number_is_kept_and_flagged(applicant_client, draft):
    applicant_client.post(
        url("application_eligibility", draft),
        {
            "registration_body": RegistrationBody.GMC,
            "registration_number": "  12-34 ",
            "action": "continue",
        },
    )
    draft.refresh_from_db()
    assert draft.registration_number == "12-34"
    review = applicant_client.get(url("application_review", draft)).content.decode()
    assert "a GMC number is 7 digits" in review
    assert url("application_eligibility", draft) + "?next=review#id_registration_number" in review
    step = applicant_client.get(url("application_eligibility", draft)).content.decode()
    assert "a GMC number is 7 digits" in step  # flagged where it can be fixed, too


def test_region_choices_are_the_rounds_regions(applicant_client, draft):
    other = RegionFactory(name="Nowhere in this round")
    page = applicant_client.get(url("application_eligibility", draft)).content.decode()
    assert "North East" in page
    assert "Nowhere in this round" not in page
    response = applicant_client.post(
        url("application_eligibility", draft),
        {"region": other.pk, "grade": "ST6", "action": "continue"},
    )
    assert response.status_code == 200  # the bad choice is shown again with an error ...
    assert "There is a problem" in response.content.decode()
    draft.refresh_from_db()
    assert draft.grade == "ST6"  # ... and what was valid is saved
    assert draft.region is None


def test_statement_over_the_limit_is_saved_and_flagged(applicant_client, draft):
    criterion = draft.round.criteria.get()
    text = "one two three four five six seven eight nine ten eleven twelve"
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": text, "action": "continue"},
    )
    assert response.status_code == 200  # stopped at the step, with the text kept and saved
    assert Statement.objects.get(application=draft, criterion=criterion).text == text
    step = applicant_client.get(url("application_statement", draft)).content.decode()
    assert "Leadership must be 10 words or fewer; it has 12" in step
    assert (
        "Leadership must be 10 words or fewer; it has 12"
        in applicant_client.get(url("application_review", draft)).content.decode()
    )


def test_statement_page_has_word_limit_hint_live_count_and_escaped_description(
    applicant_client, draft
):
    page = applicant_client.get(url("application_statement", draft)).content.decode()
    assert "10 words or fewer" in page
    assert 'data-word-limit="10"' in page
    assert "js/word-count.js" in page
    assert "js/autosave.js" in page
    assert "Show &lt;b&gt;how&lt;/b&gt; you led change." in page  # faculty text is escaped
    assert "<script>" not in page.replace('<script type="module"', "")  # no inline scripts


def test_autosave_answers_json_and_saves(applicant_client, draft):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": "Half a thought", "action": "save"},
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert re.fullmatch(r"\d\d:\d\d", data["saved_time"])
    draft.refresh_from_db()
    assert data["saved_at"] == int(draft.updated_at.timestamp() * 1000)
    assert Statement.objects.get(application=draft).text == "Half a thought"


def test_page_prints_when_the_server_copy_was_saved(applicant_client, draft):
    page = applicant_client.get(url("application_statement", draft)).content.decode()
    assert f'data-saved-at="{int(draft.updated_at.timestamp() * 1000)}"' in page
    assert "data-login-url=" in page


def test_autosave_after_the_session_expired_is_sent_to_sign_in(client, draft):
    response = client.post(url("application_statement", draft), {"action": "save"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_documents_are_content_checked_and_kept_when_left_empty(applicant_client, draft):
    requirement = RequiredDocumentFactory(round=draft.round, name="Reference letter")
    response = applicant_client.post(
        url("application_documents", draft),
        {"cv": pdf(), f"document_{requirement.pk}": pdf("ref.pdf"), "action": "continue"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    cv_name = draft.cv.name
    assert cv_name.startswith("cvs/") and cv_name.endswith(".pdf")
    assert ApplicationDocument.objects.filter(application=draft, requirement=requirement).exists()

    # Nothing uploaded this time: the files stay.
    applicant_client.post(url("application_documents", draft), {"action": "continue"})
    draft.refresh_from_db()
    assert draft.cv.name == cv_name
    assert ApplicationDocument.objects.filter(application=draft).count() == 1

    # A program renamed .pdf is refused, and the stored CV is kept.
    exe = SimpleUploadedFile(
        "cv.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = applicant_client.post(
        url("application_documents", draft), {"cv": exe, "action": "continue"}
    )
    assert response.status_code == 200
    assert "The selected file must be a PDF" in response.content.decode()
    draft.refresh_from_db()
    assert draft.cv.name == cv_name


def test_oversize_cv_is_refused(applicant_client, draft, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = pdf(content=b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n")
    response = applicant_client.post(
        url("application_documents", draft), {"cv": big, "action": "continue"}
    )
    assert "The file must be smaller than" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.cv


# Employer's approval ---------------------------------------------------------------------------


def _ask_manager(client, draft, email="manager@example.nhs.uk"):
    return client.post(
        url("application_approval", draft),
        {
            "approval_method": ApprovalMethod.MANAGER_LINK,
            "manager_name": "Morgan Manager",
            "manager_email": email,
            "action": "continue",
        },
    )


def test_manager_link_is_emailed_and_the_manager_confirms_without_an_account(
    applicant_client, client, draft, applicant, sent
):
    with sent():
        response = _ask_manager(applicant_client, draft)
    assert response["Location"] == url("application_review", draft)
    draft.refresh_from_db()
    assert draft.approval_requested_at is not None
    message = mail.outbox[-1]
    assert message.to == ["manager@example.nhs.uk"]
    link = reverse("manager_approval", args=[draft.approval_token])
    assert link in message.body

    page = client.get(link)  # the manager has no account
    assert page.status_code == 200
    text = page.content.decode()
    assert applicant.get_full_name() in text and "0.4" in text and "Confirm approval" in text
    with sent():
        assert client.post(link, {"decision": "approve"}).status_code == 302
    draft.refresh_from_db()
    assert draft.approval_confirmed_at is not None
    assert mail.outbox[-1].to == [applicant.email]
    assert "Approval confirmed" in client.get(link).content.decode()


def test_saving_again_does_not_resend_but_changing_the_manager_does(
    applicant_client, client, draft, sent
):
    with sent():
        _ask_manager(applicant_client, draft)
    first_token = Application.objects.get(pk=draft.pk).approval_token
    with sent():
        _ask_manager(applicant_client, draft)
    assert len(mail.outbox) == 1
    with sent():
        _ask_manager(applicant_client, draft, email="new.manager@example.nhs.uk")
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].to == ["new.manager@example.nhs.uk"]
    assert client.get(reverse("manager_approval", args=[first_token])).status_code == 404


def test_manager_details_are_needed_to_send_the_link(applicant_client, draft):
    response = applicant_client.post(
        url("application_approval", draft),
        {"approval_method": ApprovalMethod.MANAGER_LINK, "action": "continue"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Enter your manager&#x27;s email address" in page
        or "Enter your manager's email address" in page
    )
    draft.refresh_from_db()
    assert draft.approval_method == ApprovalMethod.MANAGER_LINK  # the choice itself is saved
    assert not mail.outbox


def test_unknown_manager_token_is_a_clear_404(client):
    response = client.get(reverse("manager_approval", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_manager_cannot_confirm_after_the_deadline(applicant_client, client, draft):
    _ask_manager(applicant_client, draft)
    draft.refresh_from_db()
    draft.round.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    draft.round.save()
    link = reverse("manager_approval", args=[draft.approval_token])
    assert "The deadline has passed" in client.get(link).content.decode()
    response = client.post(link, {"decision": "approve"})
    assert "The deadline has passed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.approval_confirmed_at is None


# Review and submission -------------------------------------------------------------------------


def test_review_lists_the_problems_with_links_to_the_steps(applicant_client, draft):
    page = applicant_client.get(url("application_review", draft)).content.decode()
    assert "There is a problem" in page
    assert f'href="{url("application_eligibility", draft)}?next=review#id_profession"' in page
    assert f'href="{url("application_documents", draft)}?next=review#id_cv"' in page
    assert f'href="{url("application_approval", draft)}?next=review#id_approval_method_0"' in page


def test_incomplete_application_is_not_submitted(applicant_client, draft):
    response = applicant_client.post(url("application_review", draft), {"agree": "on"})
    assert response.status_code == 200
    assert "Select your profession" in response.content.decode()
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT


def test_submission_needs_the_declaration(applicant_client, draft):
    complete_draft(draft)
    draft.declaration_agreed = False
    draft.save()
    response = applicant_client.post(url("application_review", draft), {})
    assert "Confirm that you agree to the declaration" in response.content.decode()
    assert Application.objects.get(pk=draft.pk).stage == Stage.DRAFT


def test_submit_then_view_but_not_edit(applicant_client, draft, applicant, sent):
    complete_draft(draft)
    with sent():
        response = applicant_client.post(url("application_review", draft), {"agree": "on"})
    assert response["Location"] == url("application_overview", draft)
    draft.refresh_from_db()
    assert draft.stage == Stage.SUBMITTED
    assert draft.ref in mail.outbox[-1].body and mail.outbox[-1].to == [applicant.email]

    page = applicant_client.get(url("application_overview", draft)).content.decode()
    assert "Application submitted" in page and draft.ref in page
    assert "I led a quality improvement project." in page  # what they sent, read-only
    assert "Submitted" in page

    # Step pages no longer edit: they lead back to the read-only view, and a POST changes nothing.
    assert applicant_client.get(url("application_eligibility", draft))["Location"] == url(
        "application_overview", draft
    )
    applicant_client.post(
        url("application_eligibility", draft), {"grade": "Changed", "action": "continue"}
    )
    assert Application.objects.get(pk=draft.pk).grade == "ST5"


def test_double_submit_makes_one_submission(applicant_client, draft, sent):
    complete_draft(draft)
    with sent():
        applicant_client.post(url("application_review", draft), {"agree": "on"})
        second = applicant_client.post(url("application_review", draft), {"agree": "on"})
    assert second.status_code == 302
    assert StageChange.objects.filter(application=draft, to_stage=Stage.SUBMITTED).count() == 1
    assert sum("reference" in m.body for m in mail.outbox) == 1


def test_a_submission_one_second_late_keeps_the_draft(applicant_client, draft):
    complete_draft(draft)
    draft.round.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    draft.round.save()
    response = applicant_client.post(url("application_review", draft), {"agree": "on"})
    page = response.content.decode()
    assert (
        "The deadline was" in page and "You can no longer change or submit this application" in page
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT and draft.submitted_at is None
    assert draft.registration_number == "1234567"  # the draft is kept


def test_saving_at_the_deadline_is_refused_and_keeps_the_draft(applicant_client, draft):
    draft.grade = "ST3"
    draft.save()
    draft.round.closes_at = timezone.now()
    draft.round.save()
    response = applicant_client.post(
        url("application_eligibility", draft), {"grade": "ST7", "action": "continue"}
    )
    page = response.content.decode()
    closes = timezone.localtime(draft.round.closes_at)
    assert f"The deadline was {closes:%-d %B %Y at %H:%M} {closes.tzname()}" in page
    assert "You can no longer change or submit this application" in page
    assert 'value="ST7"' in page  # what was typed is still on the screen to copy
    assert Application.objects.get(pk=draft.pk).grade == "ST3"

    autosave = applicant_client.post(
        url("application_eligibility", draft), {"grade": "ST7", "action": "save"}
    )
    assert autosave.status_code == 409
    assert "The deadline was" in json.loads(autosave.content)["error"]


def test_after_the_deadline_a_draft_is_shown_read_only(applicant_client, draft):
    draft.round.closes_at = timezone.now() - datetime.timedelta(hours=1)
    draft.round.save()
    page = applicant_client.get(url("application_overview", draft)).content.decode()
    assert "The deadline has passed" in page
    assert url("application_eligibility", draft) not in page
    assert applicant_client.get(url("application_statement", draft))["Location"] == url(
        "application_overview", draft
    )


# Withdrawal ------------------------------------------------------------------------------------


def test_withdrawal_needs_confirming(applicant_client, draft, applicant, sent):
    submitted(draft)
    response = applicant_client.post(url("application_withdraw", draft), {"reason": "Changed jobs"})
    assert response.status_code == 200
    assert "Confirm that you want to withdraw" in response.content.decode()
    assert Application.objects.get(pk=draft.pk).stage == Stage.SUBMITTED

    with sent():
        response = applicant_client.post(
            url("application_withdraw", draft), {"reason": "Changed jobs", "confirm": "on"}
        )
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).stage == Stage.WITHDRAWN
    assert (
        StageChange.objects.get(application=draft, to_stage=Stage.WITHDRAWN).reason
        == "Changed jobs"
    )
    assert mail.outbox[-1].to == [applicant.email]
    assert "Withdrawn" in applicant_client.get(url("application_overview", draft)).content.decode()


# Equality monitoring ---------------------------------------------------------------------------


def test_equality_is_offered_after_submission_and_never_shown_back(applicant_client, draft):
    assert (
        applicant_client.get(url("application_equality", draft)).status_code == 302
    )  # a draft: not yet
    submitted(draft)
    overview = applicant_client.get(url("application_overview", draft)).content.decode()
    assert url("application_equality", draft) in overview

    response = applicant_client.post(
        url("application_equality", draft),
        {"sex": "female", "ethnic_group": "white_irish", "religion": "prefer_not_to_say"},
    )
    assert response.status_code == 302
    record = EqualityRecord.objects.get(application=draft)
    assert (record.sex, record.ethnic_group, record.age_band) == ("female", "white_irish", "")

    page = applicant_client.get(url("application_equality", draft)).content.decode()
    assert "Thank you" in page
    assert (
        "White: Irish" not in page
        and "Female" not in page
        and "<form" not in page.split("</header>")[1]
    )
    assert (
        url("application_equality", draft)
        not in applicant_client.get(url("application_overview", draft)).content.decode()
    )


def test_equality_form_offers_prefer_not_to_say_for_every_question(applicant_client, draft):
    submitted(draft)
    page = applicant_client.get(url("application_equality", draft)).content.decode()
    names = [
        "age_band",
        "disability",
        "sex",
        "gender_same_as_birth",
        "sexual_orientation",
        "ethnic_group",
        "religion",
        "marital_status",
        "pregnancy_maternity",
    ]
    for name in names:
        assert re.search(
            rf'name="{name}"[^>]*value="prefer_not_to_say"|value="prefer_not_to_say"[^>]*name="{name}"',
            page,
        ) or (name == "ethnic_group" and '<option value="prefer_not_to_say"' in page), name
    assert (
        applicant_client.post(url("application_equality", draft), {}).status_code == 302
    )  # all optional


def test_faculty_pages_through_these_views_never_show_or_link_equality(
    faculty_client, applicant_client, draft
):
    submitted(draft)
    applicant_client.post(url("application_equality", draft), {"sex": "female"})
    assert faculty_client.get(url("application_equality", draft)).status_code == 404
    page = faculty_client.get(url("application_overview", draft)).content.decode()
    assert page and url("application_equality", draft) not in page
    assert "equality monitoring questions" not in page


# Access ----------------------------------------------------------------------------------------


ALL_PAGES = [
    "application_overview",
    "application_eligibility",
    "application_statement",
    "application_documents",
    "application_approval",
    "application_review",
    "application_withdraw",
    "application_equality",
    "application_cv",
    "application_approval_form",
]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_another_applicant_gets_404(name, draft, person, login):
    submitted(draft)
    stranger = login(person(Role.APPLICANT))
    assert stranger.get(url(name, draft)).status_code == 404
    assert stranger.post(url(name, draft), {"action": "save", "grade": "X"}).status_code == 404


def test_another_applicant_cannot_download_a_document(draft, person, login):
    requirement = RequiredDocumentFactory(round=draft.round)
    document = ApplicationDocument.objects.create(
        application=draft, requirement=requirement, file=ContentFile(PDF, name="ref.pdf")
    )
    assert (
        login(person(Role.APPLICANT))
        .get(url("application_document", draft, document.pk))
        .status_code
        == 404
    )
    assert (
        login(draft.applicant).get(url("application_document", draft, document.pk)).status_code
        == 200
    )


def test_files_are_sent_as_attachments_to_the_owner_and_faculty(
    applicant_client, faculty_client, outsider_client, draft
):
    submitted(draft)
    for client in (applicant_client, faculty_client):
        response = client.get(url("application_cv", draft))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert outsider_client.get(url("application_cv", draft)).status_code == 404
    # Faculty opening the CV is in the audit log; the applicant opening their own is not.
    (event,) = AuditEvent.objects.filter(subject=AuditSubject.APPLICATION_FILE)
    assert (event.action, event.reference, event.summary) == (
        AuditAction.DOWNLOADED,
        draft.ref,
        "CV",
    )
    assert event.actor.has_role(Role.FACULTY)


def test_faculty_see_the_application_but_cannot_edit_it(faculty_client, draft):
    complete_draft(draft)
    assert faculty_client.get(url("application_overview", draft)).status_code == 200
    assert faculty_client.get(url("application_eligibility", draft))["Location"] == url(
        "application_overview", draft
    )
    faculty_client.post(
        url("application_eligibility", draft), {"grade": "Faculty edit", "action": "continue"}
    )
    faculty_client.post(url("application_review", draft), {"agree": "on"})
    draft.refresh_from_db()
    assert draft.grade == "ST5" and draft.stage == Stage.DRAFT
    assert faculty_client.get(url("application_withdraw", draft)).status_code == 404


# Returning to the draft after signing in --------------------------------------------------------


def _sign_in(client, user, **extra):
    return client.post(
        reverse("account_login") + extra.pop("query", ""),
        {"login": user.email, "password": PASSWORD, **extra},
    )


def test_signing_in_returns_to_the_draft(client, draft, applicant):
    draft.last_step = "statement"
    draft.save()
    response = _sign_in(client, applicant)
    assert response["Location"] == url("application_statement", draft)


def test_signing_in_with_next_goes_there(client, draft, applicant):
    response = _sign_in(client, applicant, query="?next=/apply/")
    assert response["Location"] == "/apply/"


def test_signing_in_without_an_open_draft_goes_home(client, draft, applicant):
    draft.round.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.round.save()
    assert _sign_in(client, applicant)["Location"] == reverse("home")


def test_home_page_lists_open_rounds_and_applications(applicant_client, draft, rnd):
    page = applicant_client.get(reverse("home")).content.decode()
    assert "Apply for the fellowship" in page
    assert "Continue your application" in page
    assert draft.ref in page
    assert "left" in page


def test_autosave_names_answers_it_could_not_store(applicant_client, draft):
    response = applicant_client.post(
        url("application_approval", draft),
        {
            "approval_method": ApprovalMethod.MANAGER_LINK,
            "manager_name": "Morgan",
            "manager_email": "not-an-email",
            "action": "save",
        },
    )
    data = json.loads(response.content)
    assert data["unsaved"] == ["Your manager's email address"]
    draft.refresh_from_db()
    assert (draft.manager_name, draft.manager_email) == ("Morgan", "")
    assert not mail.outbox  # autosave never sends the request
