"""Recruitment's applicant services: the deadline (also across the clocks going back), word limits,
registration numbers, one submission however many clicks, withdrawal, the manager's approval,
deadline reminders, and the checks on uploaded files."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from fellowship.enums import Profession
from fellowship.uploads import check_upload
from recruitment import services
from recruitment.enums import ApprovalMethod, RegistrationBody, Stage
from recruitment.forms.apply import DocumentsForm
from recruitment.models import Application, StageChange, Statement, count_words

from ..factories import (
    ApplicationFactory,
    CriterionFactory,
    RequiredDocumentFactory,
    RoundFactory,
    UserFactory,
    complete_draft,
    submitted,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
SECOND = datetime.timedelta(seconds=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent():` runs the e-mails queued for after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def round_closing(closes_at: datetime.datetime):
    rnd = RoundFactory(opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at)
    # As stored (UTC). Python compares two datetimes of the same zone by wall clock, ignoring
    # `fold`, so the test must not keep the Europe/London value it passed in.
    rnd.refresh_from_db()
    return rnd


# The deadline ----------------------------------------------------------------------------------

CLOSES = datetime.datetime(2027, 3, 5, 17, 0, tzinfo=LONDON)  # GMT: 17:00 UTC


@pytest.mark.parametrize(
    "now, is_open",
    [
        (CLOSES - datetime.timedelta(days=1), True),
        (CLOSES - SECOND, True),
        (CLOSES, False),
        (CLOSES + SECOND, False),
    ],
    ids=["day-before", "one-second-before", "at-closing", "one-second-after"],
)
def test_deadline_just_before_at_and_after(now, is_open):
    rnd = round_closing(CLOSES)
    if is_open:
        services.ensure_open(rnd, now=now)
    else:
        with pytest.raises(
            services.DeadlinePassed, match="The deadline was 5 March 2027 at 17:00 GMT"
        ):
            services.ensure_open(rnd, now=now)


def test_a_round_not_yet_open_refuses_applications():
    rnd = RoundFactory(opens_at=CLOSES - datetime.timedelta(days=7), closes_at=CLOSES)
    with pytest.raises(ValidationError, match="not open for applications yet"):
        services.start_application(rnd, by=UserFactory(), now=CLOSES - datetime.timedelta(days=8))


def test_submission_one_second_before_is_accepted_and_at_closing_is_refused():
    rnd = round_closing(CLOSES)
    early, late = (
        complete_draft(ApplicationFactory(round=rnd)),
        complete_draft(ApplicationFactory(round=rnd)),
    )
    assert (
        services.submit_application(early, by=early.applicant, now=CLOSES - SECOND).stage
        == Stage.SUBMITTED
    )
    with pytest.raises(services.DeadlinePassed):
        services.submit_application(late, by=late.applicant, now=CLOSES)
    late.refresh_from_db()
    assert late.stage == Stage.DRAFT and late.submitted_at is None
    assert late.registration_number == "1234567"  # the draft is kept as it was


def test_saving_after_the_deadline_keeps_the_saved_draft():
    rnd = round_closing(CLOSES)
    draft = ApplicationFactory(round=rnd, grade="ST3")
    criterion = CriterionFactory(round=rnd)
    draft.grade = "ST7"
    with pytest.raises(services.DeadlinePassed):
        services.save_draft(draft, step="eligibility", now=CLOSES + SECOND)
    with pytest.raises(services.DeadlinePassed):
        services.save_statements(draft, {criterion.pk: "Too late"}, now=CLOSES)
    assert Application.objects.get(pk=draft.pk).grade == "ST3"
    assert not Statement.objects.filter(application=draft).exists()


# 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT, so 01:30 happens twice.
FIRST_0130 = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)  # 01:30 BST = 00:30 UTC
SECOND_0130 = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)  # 01:30 GMT = 01:30 UTC


def test_round_closing_at_0130_bst_on_the_night_the_clocks_go_back():
    rnd = round_closing(FIRST_0130)
    assert (
        rnd.closes_at.timestamp() == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp()
    )
    services.ensure_open(rnd, now=datetime.datetime(2026, 10, 25, 0, 29, 59, tzinfo=UTC))
    # 01:00 GMT reads earlier on the wall clock than 01:30, but it is half an hour after the deadline.
    for now in (
        datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ):
        with pytest.raises(services.DeadlinePassed, match="25 October 2026 at 01:30 BST"):
            services.ensure_open(rnd, now=now)


def test_round_closing_at_0130_gmt_on_the_night_the_clocks_go_back():
    rnd = round_closing(SECOND_0130)
    assert (
        rnd.closes_at.timestamp() == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC).timestamp()
    )
    # 01:45 BST is later on the wall clock than 01:30, but still an hour before the deadline.
    services.ensure_open(rnd, now=datetime.datetime(2026, 10, 25, 1, 45, tzinfo=LONDON, fold=0))
    services.ensure_open(rnd, now=datetime.datetime(2026, 10, 25, 1, 29, 59, tzinfo=UTC))
    with pytest.raises(services.DeadlinePassed, match="25 October 2026 at 01:30 GMT"):
        services.ensure_open(rnd, now=datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))


def test_submission_across_the_clock_change_uses_real_time():
    rnd = round_closing(FIRST_0130)
    application = complete_draft(ApplicationFactory(round=rnd))
    with pytest.raises(services.DeadlinePassed):
        services.submit_application(
            application,
            by=application.applicant,
            now=datetime.datetime(2026, 10, 25, 1, 10, tzinfo=LONDON, fold=1),
        )
    assert (
        services.submit_application(
            application,
            by=application.applicant,
            now=datetime.datetime(2026, 10, 25, 1, 10, tzinfo=LONDON, fold=0),
        ).stage
        == Stage.SUBMITTED
    )


# Word limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("", 0),
        (None, 0),
        ("   ", 0),
        ("one", 1),
        ("one two", 2),
        ("  one   two  ", 2),
        ("one\ntwo\r\nthree\tfour", 4),
        ("well-being, e.g. A&E (24/7)", 4),
        ("non\u00a0breaking", 2),  # a no-break space separates words, as in the browser
        ("em\u2003space", 2),
    ],
)
def test_words_are_runs_of_non_space_characters(text, words):
    assert count_words(text) == words


def _statement_problems(application):
    return [p for p in services.problems(application) if p.step == "statement"]


def test_statement_at_the_limit_passes_and_over_it_is_flagged_but_saved():
    application = ApplicationFactory()
    criterion = CriterionFactory(round=application.round, title="Leadership", word_limit=10)
    services.save_statements(application, {criterion.pk: " ".join(["word"] * 10)})
    assert _statement_problems(application) == []
    services.save_statements(application, {criterion.pk: " ".join(["word"] * 11)})
    assert Statement.objects.get(application=application).words == 11  # kept, not cut
    assert [p.message for p in _statement_problems(application)] == [
        "Leadership must be 10 words or fewer; it has 11"
    ]


def test_over_long_statement_blocks_submission():
    application = complete_draft(ApplicationFactory())
    criterion = application.round.criteria.get()
    services.save_statements(application, {criterion.pk: "word " * (criterion.word_limit + 1)})
    with pytest.raises(ValidationError, match="words or fewer"):
        services.submit_application(application, by=application.applicant)
    assert Application.objects.get(pk=application.pk).stage == Stage.DRAFT


def test_an_empty_statement_is_flagged():
    application = ApplicationFactory()
    CriterionFactory(round=application.round, title="Teamwork")
    assert [p.message for p in _statement_problems(application)] == [
        "Write your statement for Teamwork"
    ]


# Registration numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, number, ok",
    [
        (RegistrationBody.GMC, "1234567", True),
        (RegistrationBody.GMC, " 1234567 ", True),
        (RegistrationBody.GMC, "123456", False),
        (RegistrationBody.GMC, "12345678", False),
        (RegistrationBody.GMC, "A234567", False),
        (RegistrationBody.NMC, "12A3456E", True),
        (RegistrationBody.NMC, "12a3456e", True),
        (RegistrationBody.NMC, "1234567", False),
        (RegistrationBody.HCPC, "PH123456", True),
        (RegistrationBody.HCPC, "PH12345", True),
        (RegistrationBody.HCPC, "P123456", False),
        (RegistrationBody.GPHC, "2071234", True),
        (RegistrationBody.GPHC, "207123", False),
        (RegistrationBody.GDC, "123456", True),
        (RegistrationBody.GDC, "1234567", False),
        (RegistrationBody.GOC, "01-12345", True),
        (RegistrationBody.GOC, "D-12345", True),
        (RegistrationBody.GOC, "X-12345", False),
        (RegistrationBody.OTHER, "SSSC/123", True),
        (RegistrationBody.OTHER, "x", False),
    ],
)
def test_registration_number_rules(body, number, ok):
    assert (services.registration_problem(body, number) is None) is ok


def test_malformed_registration_number_is_saved_and_flagged():
    application = ApplicationFactory()
    application.registration_body = RegistrationBody.GMC
    application.registration_number = "12-34"
    services.save_draft(application, step="eligibility")
    application.refresh_from_db()
    assert application.registration_number == "12-34"
    assert "Enter a valid registration number: a GMC number is 7 digits, like 1234567" in [
        p.message for p in services.problems(application)
    ]


def test_profession_must_be_eligible_in_the_region():
    application = complete_draft(ApplicationFactory())
    application.profession = Profession.NURSING
    application.save()
    assert any(
        p.field == "region" and "not eligible" in p.message for p in services.problems(application)
    )


# One application, one submission ---------------------------------------------------------------


def test_one_application_per_person_per_round():
    rnd, person = RoundFactory(), UserFactory()
    assert services.start_application(rnd, by=person) == services.start_application(rnd, by=person)
    assert Application.objects.filter(round=rnd, applicant=person).count() == 1


def test_double_submit_creates_one_submission(sent):
    application = complete_draft(ApplicationFactory())
    stale_copy = Application.objects.get(
        pk=application.pk
    )  # a second tab, loaded before the first click
    with sent():
        first = services.submit_application(application, by=application.applicant)
        second = services.submit_application(stale_copy, by=application.applicant)
    assert first.submitted_at == second.submitted_at
    assert (
        StageChange.objects.filter(application=application, to_stage=Stage.SUBMITTED).count() == 1
    )
    assert len(mail.outbox) == 1
    assert application.ref in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_two_threads_submitting_at_once_create_one_submission():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite has no row locks to race on")
    application = complete_draft(ApplicationFactory())
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            copy = Application.objects.get(pk=application.pk)
            barrier.wait(timeout=10)
            results.append(services.submit_application(copy, by=application.applicant))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 2
    assert (
        StageChange.objects.filter(application=application, to_stage=Stage.SUBMITTED).count() == 1
    )
    assert Application.objects.get(pk=application.pk).stage == Stage.SUBMITTED
    assert len([m for m in mail.outbox if application.ref in m.body]) == 1


def test_submission_sends_the_reference(sent):
    application = complete_draft(ApplicationFactory())
    with sent():
        services.submit_application(application, by=application.applicant)
    assert mail.outbox[0].to == [application.applicant.email]
    assert application.ref in mail.outbox[0].body


# Withdrawal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [lambda: ApplicationFactory(), lambda: submitted()], ids=["draft", "submitted"]
)
def test_withdrawal_records_the_reason_and_emails(make, sent):
    application = make()
    with sent():
        services.withdraw_application(application, by=application.applicant, reason="New job")
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    assert (
        StageChange.objects.get(application=application, to_stage=Stage.WITHDRAWN).reason
        == "New job"
    )
    assert mail.outbox[0].to == [application.applicant.email]


def test_cannot_withdraw_twice():
    application = submitted()
    services.withdraw_application(application, by=application.applicant)
    with pytest.raises(ValidationError):
        services.withdraw_application(application, by=application.applicant)


def test_submitted_furthest_stage_is_kept_after_withdrawal():
    application = complete_draft(ApplicationFactory())
    application = services.submit_application(application, by=application.applicant)
    services.withdraw_application(application, by=application.applicant)
    application.refresh_from_db()
    assert (application.stage, application.furthest_stage) == (Stage.WITHDRAWN, Stage.SUBMITTED)


# The manager's approval ------------------------------------------------------------------------


def _with_manager(application):
    application.manager_name, application.manager_email = "Morgan Manager", "morgan@example.nhs.uk"
    application.save()
    return application


def test_manager_approval_before_the_deadline(sent):
    rnd = round_closing(CLOSES)
    application = _with_manager(ApplicationFactory(round=rnd))
    with sent():
        services.request_manager_approval(
            application, by=application.applicant, now=CLOSES - datetime.timedelta(days=2)
        )
    assert mail.outbox[0].to == ["morgan@example.nhs.uk"]
    assert application.approval_token in mail.outbox[0].body
    with sent():
        services.confirm_manager_approval(application, now=CLOSES - SECOND)
    application.refresh_from_db()
    assert application.approval_in_place
    assert mail.outbox[1].to == [application.applicant.email]


def test_manager_approval_at_or_after_the_deadline_is_refused():
    rnd = round_closing(CLOSES)
    application = _with_manager(ApplicationFactory(round=rnd))
    services.request_manager_approval(
        application, by=application.applicant, now=CLOSES - datetime.timedelta(days=2)
    )
    for now in (CLOSES, CLOSES + datetime.timedelta(hours=1)):
        with pytest.raises(services.DeadlinePassed):
            services.confirm_manager_approval(application, now=now)
    assert Application.objects.get(pk=application.pk).approval_confirmed_at is None
    with pytest.raises(services.DeadlinePassed):
        services.request_manager_approval(application, by=application.applicant, now=CLOSES)


def test_manager_request_needs_a_name_and_email():
    with pytest.raises(ValidationError):
        services.request_manager_approval(ApplicationFactory(), by=UserFactory())


def test_a_new_request_replaces_the_old_link_and_confirmation():
    application = _with_manager(ApplicationFactory())
    services.request_manager_approval(application, by=application.applicant)
    old_token = application.approval_token
    services.confirm_manager_approval(application)
    services.request_manager_approval(application, by=application.applicant)
    application.refresh_from_db()
    assert application.approval_token != old_token
    assert application.approval_confirmed_at is None
    assert application.approval_method == ApprovalMethod.MANAGER_LINK


# Deadline reminders ----------------------------------------------------------------------------


def test_reminders_48_and_24_hours_before_are_sent_once_each(sent):
    rnd = round_closing(CLOSES)
    draft = ApplicationFactory(round=rnd, created_at=CLOSES - datetime.timedelta(days=10))
    submitted(ApplicationFactory(round=rnd))  # submitted: never reminded

    def run(hours_before):
        with sent():
            return services.send_deadline_reminders(
                now=CLOSES - datetime.timedelta(hours=hours_before)
            )

    assert run(60) == 0
    assert run(47) == 1
    assert run(46) == 0 and run(30) == 0  # once only
    assert run(23) == 1
    assert run(2) == 0
    assert [m.to for m in mail.outbox] == [[draft.applicant.email]] * 2
    draft.refresh_from_db()
    assert draft.reminded_48h_at and draft.reminded_24h_at


def test_a_draft_first_reminded_inside_the_last_day_gets_one_reminder(sent):
    rnd = round_closing(CLOSES)
    ApplicationFactory(round=rnd)
    with sent():
        assert services.send_deadline_reminders(now=CLOSES - datetime.timedelta(hours=20)) == 1
        assert services.send_deadline_reminders(now=CLOSES - datetime.timedelta(hours=10)) == 0
    assert len(mail.outbox) == 1


def test_no_reminders_after_the_deadline_or_for_withdrawn_drafts():
    rnd = round_closing(CLOSES)
    withdrawn = ApplicationFactory(round=rnd)
    services.withdraw_application(withdrawn, by=withdrawn.applicant)
    assert services.send_deadline_reminders(now=CLOSES - datetime.timedelta(hours=47)) == 0
    ApplicationFactory(round=rnd)
    assert services.send_deadline_reminders(now=CLOSES + SECOND) == 0


# Files -----------------------------------------------------------------------------------------


def upload(content: bytes, name: str = "cv.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500  # a Windows program


def test_a_real_pdf_is_accepted():
    assert check_upload(upload(PDF)) == "pdf"


def test_a_renamed_exe_is_refused():
    with pytest.raises(ValidationError, match="must be a PDF") as info:
        check_upload(upload(EXE, "cv.pdf"))
    assert info.value.code == "wrong_type"


def test_an_oversize_file_is_refused(settings):
    big = b"%PDF-1.4\n" + b"0" * settings.UPLOAD_MAX_BYTES + b"\n%%EOF\n"
    with pytest.raises(ValidationError, match="smaller than 5 MB") as info:
        check_upload(upload(big))
    assert info.value.code == "too_big"


def test_a_file_of_exactly_the_limit_is_accepted(settings):
    body = b"%PDF-1.4\n"
    tail = b"\n%%EOF\n"
    exact = body + b"0" * (settings.UPLOAD_MAX_BYTES - len(body) - len(tail)) + tail
    assert check_upload(upload(exact)) == "pdf"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n1 0 obj<<>>endobj\n", b"%PDF-1.7\n" + b"\x00" * 4000],
    ids=["truncated", "no-end"],
)
def test_a_corrupt_pdf_is_refused(content):
    with pytest.raises(ValidationError, match="damaged or incomplete") as info:
        check_upload(upload(content))
    assert info.value.code == "corrupt"


def test_documents_form_checks_every_file_by_content():
    application = ApplicationFactory()
    requirement = RequiredDocumentFactory(round=application.round, name="Reference letter")
    form = DocumentsForm(
        {},
        {"cv": upload(EXE, "cv.pdf"), f"document_{requirement.pk}": upload(b"%PDF-1.4 broken")},
        instance=application,
    )
    assert not form.is_valid()
    assert "must be a PDF" in str(form.errors["cv"])
    assert "damaged" in str(form.errors[f"document_{requirement.pk}"])
    assert form.new_documents() == []


def test_documents_form_accepts_pdfs_and_an_empty_box_keeps_the_stored_file():
    application = ApplicationFactory()
    requirement = RequiredDocumentFactory(round=application.round)
    form = DocumentsForm(
        {},
        {"cv": upload(PDF), f"document_{requirement.pk}": upload(PDF, "ref.pdf")},
        instance=application,
    )
    assert form.is_valid(), form.errors
    services.save_draft(application, step="documents")
    services.save_documents(application, form.new_documents())
    application.refresh_from_db()
    stored = application.cv.name
    assert stored and application.documents.count() == 1

    form = DocumentsForm({}, {}, instance=application)
    assert form.is_valid()
    services.save_draft(application, step="documents")
    services.save_documents(application, form.new_documents())
    application.refresh_from_db()
    assert application.cv.name == stored
    assert application.documents.count() == 1


# Equality monitoring ---------------------------------------------------------------------------


def test_equality_answers_only_after_submission_and_only_by_the_applicant():
    application = ApplicationFactory()
    with pytest.raises(ValidationError):
        services.record_equality(application, {"sex": "female"}, by=application.applicant)
    submitted(application)
    with pytest.raises(ValidationError):
        services.record_equality(application, {"sex": "female"}, by=UserFactory())
    services.record_equality(application, {"sex": "female"}, by=application.applicant)
    assert services.has_equality_record(application)
