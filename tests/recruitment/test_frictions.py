"""Small frictions on the recruitment pages: a statement over its word limit is stopped at its step
(and kept), Change links return to "Check your answers", the manager may decline with a reason,
the applicant can download an approval form to sign, a made shortlist stays readable, and the
round form's hints describe the right moments."""

from __future__ import annotations

import datetime
import html
import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject, Profession, Role
from fellowship.models import AuditEvent
from recruitment import shortlisting
from recruitment.enums import ApprovalMethod, Stage
from recruitment.forms.faculty import RoundForm
from recruitment.models import Application, ReviewerAssignment, Statement

from ..conftest import make_person
from ..factories import (
    ApplicationFactory,
    CriterionFactory,
    EligibilityFactory,
    FundedPostFactory,
    RegionFactory,
    RoundFactory,
    complete_draft,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def applicant(role_users):
    return role_users["applicant"]


@pytest.fixture
def rnd():
    rnd = RoundFactory(name="Cohort 9 national recruitment")
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    CriterionFactory(round=rnd, title="Leadership", word_limit=10, position=1)
    return rnd


@pytest.fixture
def draft(rnd, applicant):
    return ApplicationFactory(round=rnd, applicant=applicant)


def url(name, application, *args):
    return reverse(name, args=[application.ref, *args])


def page_text(response) -> str:
    return html.unescape(response.content.decode())


TWELVE_WORDS = "one two three four five six seven eight nine ten eleven twelve"


# A statement over its word limit ------------------------------------------------------------


def test_statement_over_the_limit_stops_at_the_step_with_the_count_and_keeps_the_text(
    applicant_client, draft
):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": TWELVE_WORDS, "action": "continue"},
    )
    assert response.status_code == 200  # not moved on to the next step
    page = page_text(response)
    message = "Your statement is 12 words. Cut it to 10 words or fewer"
    assert "There is a problem" in page  # the error summary
    assert page.count(message) == 2  # in the summary and on the field
    assert f'href="#id_criterion_{criterion.pk}"' in page
    assert f"\n{TWELVE_WORDS}</textarea>" in page  # what they typed is still in the box
    assert "We have saved what you wrote" in page
    # Saved as a draft too, so closing the tab loses nothing.
    assert Statement.objects.get(application=draft, criterion=criterion).text == TWELVE_WORDS


def test_statement_over_the_limit_does_not_go_back_to_overview_with_come_back_later(
    applicant_client, draft
):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": TWELVE_WORDS, "action": "later"},
    )
    assert response.status_code == 200
    assert "Cut it to 10 words or fewer" in page_text(response)
    assert Statement.objects.get(application=draft).text == TWELVE_WORDS


def test_each_over_long_statement_is_named_when_there_are_several(applicant_client, draft):
    CriterionFactory(round=draft.round, title="Digital skills", word_limit=10, position=2)
    first, second = draft.round.criteria.order_by("position")
    response = applicant_client.post(
        url("application_statement", draft),
        {
            f"criterion_{first.pk}": TWELVE_WORDS,
            f"criterion_{second.pk}": TWELVE_WORDS + " thirteen",
            "action": "continue",
        },
    )
    page = page_text(response)
    assert "Your statement for Leadership is 12 words. Cut it to 10 words or fewer" in page
    assert "Your statement for Digital skills is 13 words. Cut it to 10 words or fewer" in page
    # The step's own "before you can submit" list does not repeat them.
    assert "Leadership must be 10 words or fewer" not in page


def test_statement_within_the_limit_moves_on(applicant_client, draft):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": "ten words " * 5, "action": "continue"},
    )
    assert response["Location"] == url("application_documents", draft)


def test_autosave_keeps_an_over_long_statement_without_calling_it_unsaved(applicant_client, draft):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": TWELVE_WORDS, "action": "save"},
    )
    assert response.status_code == 200
    assert response.json()["unsaved"] == []
    assert Statement.objects.get(application=draft).text == TWELVE_WORDS


def test_submission_still_refuses_an_over_long_statement(applicant_client, draft):
    complete_draft(draft)
    Statement.objects.filter(application=draft).update(text=TWELVE_WORDS)
    response = applicant_client.post(url("application_review", draft), {"agree": "on"})
    assert "Leadership must be 10 words or fewer; it has 12" in page_text(response)
    assert Application.objects.get(pk=draft.pk).stage == Stage.DRAFT


# Change links return to "Check your answers" ------------------------------------------------


def test_change_links_on_check_your_answers_carry_next_review(applicant_client, draft):
    page = applicant_client.get(url("application_review", draft)).content.decode()
    for step in ("eligibility", "statement", "documents", "approval"):
        assert f'href="{url(f"application_{step}", draft)}?next=review#' in page


def test_a_step_opened_from_check_your_answers_returns_there_when_saved(applicant_client, draft):
    step = applicant_client.get(url("application_eligibility", draft) + "?next=review")
    page = page_text(step)
    assert '<input type="hidden" name="next" value="review">' in page
    assert "Back to check your answers" in page
    assert "Save and return to check your answers" in page
    response = applicant_client.post(
        url("application_eligibility", draft),
        {"grade": "ST5", "action": "continue", "next": "review"},
    )
    assert response["Location"] == url("application_review", draft)
    assert Application.objects.get(pk=draft.pk).grade == "ST5"


def test_without_next_a_step_carries_on_to_the_following_step(applicant_client, draft):
    response = applicant_client.post(
        url("application_eligibility", draft), {"grade": "ST5", "action": "continue"}
    )
    assert response["Location"] == url("application_statement", draft)


@pytest.mark.parametrize(
    "next_value",
    [
        "https://evil.example/phish",
        "//evil.example/",
        "/apply/SOMEONE-ELSE/review/",
        "review/../../admin/",
        "REVIEW",
        "",
    ],
)
def test_a_crafted_next_is_ignored(applicant_client, draft, rnd, next_value):
    other = ApplicationFactory(round=rnd)
    response = applicant_client.post(
        url("application_eligibility", draft) + f"?next={next_value}",
        {"grade": "ST5", "action": "continue", "next": next_value},
    )
    assert response["Location"] == url("application_statement", draft)
    assert other.ref not in response["Location"]
    page = page_text(
        applicant_client.get(url("application_eligibility", draft), {"next": next_value})
    )
    assert 'name="next"' not in page
    assert "evil.example" not in page


def test_a_step_with_an_error_keeps_next_review_for_the_retry(applicant_client, draft):
    criterion = draft.round.criteria.get()
    response = applicant_client.post(
        url("application_statement", draft),
        {f"criterion_{criterion.pk}": TWELVE_WORDS, "action": "continue", "next": "review"},
    )
    assert '<input type="hidden" name="next" value="review">' in page_text(response)


# The manager approves or declines with a reason --------------------------------------------------


def _asked(draft, client, sent):
    with sent():
        client.post(
            url("application_approval", draft),
            {
                "approval_method": ApprovalMethod.MANAGER_LINK,
                "manager_name": "Morgan Manager",
                "manager_email": "morgan@example.nhs.uk",
                "action": "continue",
            },
        )
    draft.refresh_from_db()
    return reverse("manager_approval", args=[draft.approval_token])


def test_manager_page_offers_approve_or_decline(applicant_client, client, draft, sent):
    link = _asked(draft, applicant_client, sent)
    page = page_text(client.get(link))
    assert "Yes, I approve their release in principle" in page
    assert "No, I do not approve" in page
    assert "Why do you not approve?" in page


def test_manager_declines_with_a_reason_and_the_applicant_is_told(
    applicant_client, client, draft, applicant, sent
):
    link = _asked(draft, applicant_client, sent)
    reason = "We can't release staff from the ward until the new rota starts."
    with sent():
        response = client.post(link, {"decision": "decline", "reason": reason})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.approval_declined_at is not None and draft.approval_confirmed_at is None
    assert draft.approval_decline_reason == reason
    assert "You did not approve their release" in page_text(client.get(link))

    message = mail.outbox[-1]
    assert message.to == [applicant.email]
    assert draft.ref in message.subject
    assert reason in message.body  # as written, not HTML-escaped
    assert url("application_approval", draft) in message.body
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGED, subject=AuditSubject.APPLICATION, reference=draft.ref
    ).exists()

    # The applicant sees the decision and the reason, and cannot submit until it is sorted out.
    overview = page_text(applicant_client.get(url("application_overview", draft)))
    assert "Your manager did not approve your release" in overview and reason in overview
    review = page_text(applicant_client.get(url("application_review", draft)))
    assert "Morgan Manager did not approve your release" in review and reason in review
    approval = page_text(applicant_client.get(url("application_approval", draft)))
    assert "Not approved" in approval and reason in approval


def test_faculty_see_the_decline_and_its_reason(
    applicant_client, client, faculty_client, draft, sent
):
    link = _asked(draft, applicant_client, sent)
    with sent():
        client.post(link, {"decision": "decline", "reason": "No backfill this year."})
    page = page_text(faculty_client.get(url("application_detail", draft)))
    assert "Declined by Morgan Manager" in page
    assert "No backfill this year." in page


def test_declining_needs_a_reason_and_keeps_the_choice(applicant_client, client, draft, sent):
    link = _asked(draft, applicant_client, sent)
    outbox = len(mail.outbox)
    with sent():
        response = client.post(link, {"decision": "decline", "reason": "   "})
    assert response.status_code == 400
    page = page_text(response)
    assert "There is a problem" in page
    assert "Enter the reason you do not approve" in page
    assert 'value="decline" checked' in page
    draft.refresh_from_db()
    assert draft.approval_declined_at is None and draft.approval_confirmed_at is None
    assert len(mail.outbox) == outbox


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}, {"decision": "approve; drop"}])
def test_a_crafted_decision_changes_nothing(applicant_client, client, draft, sent, data):
    link = _asked(draft, applicant_client, sent)
    response = client.post(link, data)
    assert response.status_code == 400
    assert "Select whether you approve their release" in page_text(response)
    draft.refresh_from_db()
    assert draft.approval_declined_at is None and draft.approval_confirmed_at is None


def test_an_answer_cannot_be_changed_by_posting_again(applicant_client, client, draft, sent):
    link = _asked(draft, applicant_client, sent)
    with sent():
        client.post(link, {"decision": "approve"})
    confirmed_at = Application.objects.get(pk=draft.pk).approval_confirmed_at
    client.post(link, {"decision": "decline", "reason": "Changed my mind"})
    draft.refresh_from_db()
    assert draft.approval_confirmed_at == confirmed_at
    assert draft.approval_declined_at is None and draft.approval_decline_reason == ""


def test_manager_cannot_decline_after_the_deadline(applicant_client, client, draft, sent):
    link = _asked(draft, applicant_client, sent)
    draft.round.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    draft.round.save()
    response = client.post(link, {"decision": "decline", "reason": "No"})
    assert "The deadline has passed" in page_text(response)
    draft.refresh_from_db()
    assert draft.approval_declined_at is None


def test_asking_again_after_a_decline_clears_it(applicant_client, client, draft, sent):
    link = _asked(draft, applicant_client, sent)
    with sent():
        client.post(link, {"decision": "decline", "reason": "Talk to me first."})
    with sent():
        applicant_client.post(
            url("application_approval", draft),
            {
                "approval_method": ApprovalMethod.MANAGER_LINK,
                "manager_name": "Morgan Manager",
                "manager_email": "morgan@example.nhs.uk",
                "action": "resend",
            },
        )
    draft.refresh_from_db()
    assert draft.approval_declined_at is None and draft.approval_decline_reason == ""
    assert client.get(link).status_code == 404  # the old link no longer works
    new_link = reverse("manager_approval", args=[draft.approval_token])
    assert "No, I do not approve" in page_text(client.get(new_link))


# The approval form to download and sign ---------------------------------------------------------


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


def test_applicant_downloads_a_prefilled_approval_form(
    applicant_client, draft, applicant, tmp_path
):
    draft.manager_name = "Morgan Manager"
    draft.manager_email = "morgan@example.nhs.uk"
    draft.save()
    response = applicant_client.get(url("application_approval_form_pdf", draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    text = _pdf_text(pdf, tmp_path)
    for expected in (
        applicant.get_full_name(),
        draft.ref,
        str(draft.round),
        "0.4 of full time",
        "Morgan Manager",
        "morgan@example.nhs.uk",
        "Signature",
        "Date",
    ):
        assert expected in text, expected


def test_approval_step_links_to_the_form_to_sign(applicant_client, draft):
    page = applicant_client.get(url("application_approval", draft)).content.decode()
    assert url("application_approval_form_pdf", draft) in page


@pytest.mark.parametrize("who", ["faculty", "outsider", "panellist"])
def test_nobody_else_downloads_the_approval_form(draft, role_users, login, who):
    response = login(role_users[who]).get(url("application_approval_form_pdf", draft))
    assert response.status_code == 404


def test_another_applicant_cannot_download_the_approval_form(draft, login):
    other = make_person(Role.APPLICANT)
    assert login(other).get(url("application_approval_form_pdf", draft)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_for_the_form(client, draft):
    response = client.get(url("application_approval_form_pdf", draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# A made shortlist stays readable ----------------------------------------------------------------


@pytest.fixture
def scored_round():
    now = timezone.now()
    region = RegionFactory(name="North West")
    rnd = RoundFactory(
        opens_at=now - datetime.timedelta(days=60), closes_at=now - datetime.timedelta(days=14)
    )
    criterion = CriterionFactory(round=rnd, title="Leadership")
    FundedPostFactory(cohort=rnd.cohort, region=region, places=1)
    faculty = make_person(Role.FACULTY)
    reviewer = make_person(Role.PANELLIST, full_name="Pat Panellist")
    applications = []
    for name in ("Avery Best", "Blake Second"):
        application = submitted(round=rnd, applicant=make_person(Role.APPLICANT, full_name=name))
        application.region = region
        application.profession = Profession.MEDICINE
        application.save()
        applications.append(application)
    shortlisting.assign_reviewers(rnd, [reviewer], by=faculty)
    for application, score in zip(applications, (4, 2), strict=True):
        assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
        shortlisting.save_scores(assignment, {criterion.pk: (score, "")}, by=reviewer)
    return rnd, faculty, applications


def test_once_shortlisted_the_page_shows_the_ranking_scores_and_outcome(
    faculty_client, scored_round
):
    rnd, faculty, (best, second) = scored_round
    shortlisting.make_shortlist(rnd, [best], by=faculty)
    response = faculty_client.get(reverse("shortlisting", args=[rnd.pk]))
    page = page_text(response)
    assert "No applications are waiting" not in page
    assert "The shortlist has been made: 1 shortlisted, 1 not shortlisted" in page
    assert "Shortlist made" in page
    assert "Pat Panellist: 4" in page and "Pat Panellist: 2" in page
    rows = page.split("<tbody")[1]
    assert rows.index(best.ref) < rows.index(second.ref)  # best first
    best_row = rows[rows.index(best.ref) :].split("</tr>")[0]
    second_row = rows[rows.index(second.ref) :].split("</tr>")[0]
    assert "Shortlisted" in best_row and "Not shortlisted" in second_row
    # Read-only: nothing to tick, moderate or submit.
    assert 'name="applications"' not in page
    assert "Moderate" not in page
    assert "Make the shortlist and email applicants" not in page


def test_the_outcome_stays_after_a_candidate_moves_on(faculty_client, scored_round):
    rnd, faculty, (best, _) = scored_round
    shortlisting.make_shortlist(rnd, [best], by=faculty)
    Application.objects.filter(pk=best.pk).update(stage=Stage.WITHDRAWN)
    page = page_text(faculty_client.get(reverse("shortlisting", args=[rnd.pk])))
    assert best.ref in page and "1 shortlisted, 1 not shortlisted" in page


def test_before_the_shortlist_the_page_is_unchanged(faculty_client, scored_round):
    rnd, _, _ = scored_round
    page = page_text(faculty_client.get(reverse("shortlisting", args=[rnd.pk])))
    assert "Shortlist made" not in page
    assert "Make the shortlist and email applicants" in page


def test_panellists_cannot_see_the_shortlisting_page(panellist_client, scored_round):
    rnd, faculty, (best, _) = scored_round
    shortlisting.make_shortlist(rnd, [best], by=faculty)
    assert panellist_client.get(reverse("shortlisting", args=[rnd.pk])).status_code == 403


# Hints on the round form --------------------------------------------------------------------------


def test_round_form_hints_describe_opening_and_closing():
    form = RoundForm()
    opens, closes = form.fields["opens_at"].help_text, form.fields["closes_at"].help_text
    assert "closing day" not in opens and "opening day" in opens
    assert "closing day" in closes and "opening day" not in closes
