"""The retention policy: what is due at each boundary, removal (and its files), idempotence, the
figures that must not change, the Retention page's permission, the command, and the privacy notices."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fellowship import audit, retention
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent, RetentionRun, User
from recruitment import equality
from recruitment.enums import Stage
from recruitment.models import (
    Application,
    ApplicationDocument,
    EqualityAggregate,
    EqualityRecord,
    InterviewScore,
)
from reports.evidence import compute_evidence
from surveys.models import Invitation, Survey
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CriterionFactory,
    RequiredDocumentFactory,
    RoundFactory,
    complete_draft,
    submitted,
)

from ..conftest import make_person

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
# The moment the tests treat as "now": a month ago, so that rows created today are never due.
ANCHOR = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
SECRET = "Marshgate sepsis pathway"


def counts(now: dt.datetime) -> dict[str, int]:
    return retention.apply_retention(dry_run=True, by=None, source="command", now=now).counts


def apply(now: dt.datetime, django_capture_on_commit_callbacks) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        return retention.apply_retention(dry_run=False, by=None, source="command", now=now).counts


def figures(cohort_number: int):
    evidence = compute_evidence(cohort_number, suppress_below=0)
    return dataclasses.replace(evidence, data=dataclasses.replace(evidence.data, generated_at=None))


def round_closed_before(moment: dt.datetime, months: int, cohort=None):
    """A round that closed exactly `months` before `moment`."""
    closes = retention.months_before(moment, months)
    return RoundFactory(
        cohort=cohort or CohortFactory(), opens_at=closes - dt.timedelta(days=60), closes_at=closes
    )


def application(rnd, *, stage=Stage.UNSUCCESSFUL, furthest=Stage.INTERVIEWED, sex="female"):
    """A submitted application with a CV, a document, a written answer, equality answers and a
    panellist's comment."""
    app = submitted(ApplicationFactory(round=rnd))
    complete_draft(app)
    app.stage, app.furthest_stage = stage, furthest
    app.registration_number = "7712345"
    app.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 " + SECRET.encode()), save=False)
    app.save()
    app.statements.update(text=SECRET)
    document = ApplicationDocument(application=app, requirement=RequiredDocumentFactory(round=rnd))
    document.file.save("reference.pdf", ContentFile(b"%PDF-1.4 reference"), save=True)
    EqualityRecord.objects.create(
        application=app, sex=sex, age_band="30-34", ethnic_group="white_british"
    )
    InterviewScore.objects.create(
        application=app,
        panellist=make_person(Role.PANELLIST),
        criterion=CriterionFactory(round=rnd),
        score=3,
        comment=f"Spoke about the {SECRET}",
    )
    return app


# The policy ------------------------------------------------------------------------------------


def test_the_policy_reads_each_period_from_the_settings(settings):
    settings.RETENTION = {
        **settings.RETENTION,
        "audit_log": {**settings.RETENTION["audit_log"], "months": 18},
    }
    assert retention.policy("audit_log").period == "18 months"
    assert retention.policy("history").period == "2 years"
    assert (
        retention.policy("unsuccessful_applications").text
        == "1 year after the recruitment round closes"
    )


def test_months_before_keeps_the_day_or_takes_the_months_last():
    moment = dt.datetime(2026, 3, 31, 2, 30, tzinfo=dt.UTC)
    assert retention.months_before(moment, 1) == dt.datetime(2026, 2, 28, 2, 30, tzinfo=dt.UTC)
    assert retention.months_before(moment, 12) == dt.datetime(2025, 3, 31, 2, 30, tzinfo=dt.UTC)
    assert retention.months_before(moment, 15) == dt.datetime(2024, 12, 31, 2, 30, tzinfo=dt.UTC)


# Boundaries, kind by kind ----------------------------------------------------------------------


def test_an_unsuccessful_application_is_due_a_day_after_its_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    rnd = round_closed_before(ANCHOR, 12)
    app = application(rnd)
    appointed = application(rnd, stage=Stage.APPOINTED, furthest=Stage.APPOINTED, sex="male")
    applicant = app.applicant

    before = counts(ANCHOR - DAY)
    assert before["unsuccessful_applications"] == 0
    assert before["interview_notes"] == 0
    assert apply(ANCHOR - DAY, django_capture_on_commit_callbacks)["unsuccessful_applications"] == 0
    app.refresh_from_db()
    assert app.applicant == applicant and app.cv

    after = counts(ANCHOR + DAY)
    assert after["unsuccessful_applications"] == 1  # never the appointed fellow's
    assert after["interview_notes"] == 1
    removed = apply(ANCHOR + DAY, django_capture_on_commit_callbacks)
    assert removed["unsuccessful_applications"] == 1
    assert removed["interview_notes"] == 1

    app.refresh_from_db()
    assert app.applicant is None and app.registration_number == "" and not app.cv
    assert app.stage == Stage.UNSUCCESSFUL and app.furthest_stage == Stage.INTERVIEWED
    assert not app.statements.exclude(text="").exists()
    assert not ApplicationDocument.objects.filter(application=app).exists()
    assert InterviewScore.objects.get(application=app).comment == ""
    assert InterviewScore.objects.get(application=app).score == 3
    # The applicant's account is theirs, not the application's: it stays.
    assert User.objects.filter(pk=applicant.pk).exists()
    appointed.refresh_from_db()
    assert appointed.applicant is not None and appointed.cv
    assert InterviewScore.objects.get(application=appointed).comment


def test_removing_an_application_deletes_its_files_from_storage_once_committed(
    django_capture_on_commit_callbacks,
):
    app = application(round_closed_before(ANCHOR, 12))
    names = [app.cv.name, app.documents.get().file.name]
    assert all(default_storage.exists(name) for name in names)
    apply(ANCHOR + DAY, django_capture_on_commit_callbacks)
    assert not any(default_storage.exists(name) for name in names)


def test_removing_an_application_leaves_nothing_that_identifies_it_in_its_history(
    django_capture_on_commit_callbacks,
):
    app = application(round_closed_before(ANCHOR, 12))
    apply(ANCHOR + DAY, django_capture_on_commit_callbacks)
    history = Application.history.filter(id=app.pk)
    assert history.exists()
    assert not history.exclude(registration_number="").exists()
    assert not history.filter(applicant__isnull=False).exists()


def test_a_draft_never_submitted_in_a_round_long_closed_loses_its_applicant_and_cv_and_stays_a_draft(
    django_capture_on_commit_callbacks,
):
    rnd = round_closed_before(ANCHOR, 12)
    draft = ApplicationFactory(round=rnd)
    draft.cv.save("draft-cv.pdf", ContentFile(b"%PDF-1.4 draft"), save=True)
    name = draft.cv.name
    assert counts(ANCHOR - DAY)["unsuccessful_applications"] == 0
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["unsuccessful_applications"] == 1
    draft.refresh_from_db()
    assert draft.applicant is None and not draft.cv and draft.stage == Stage.DRAFT
    assert not Application.history.filter(id=draft.pk, applicant__isnull=False).exists()
    assert not default_storage.exists(name)


def test_equality_answers_become_counts_a_day_after_their_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    rnd = round_closed_before(ANCHOR, 6)
    application(rnd, stage=Stage.APPOINTED, furthest=Stage.APPOINTED, sex="male")
    application(rnd, sex="female")
    assert counts(ANCHOR - DAY)["equality_records"] == 0
    assert apply(ANCHOR - DAY, django_capture_on_commit_callbacks)["equality_records"] == 0
    assert EqualityRecord.objects.count() == 2
    assert counts(ANCHOR + DAY)["equality_records"] == 2
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["equality_records"] == 2
    assert not EqualityRecord.objects.exists()
    assert EqualityAggregate.objects.filter(round=rnd, characteristic="sex").count() == 2


def test_equality_answers_stay_while_a_decision_in_the_round_is_still_to_be_made():
    rnd = round_closed_before(ANCHOR, 6)
    application(rnd)
    application(rnd, stage=Stage.OFFERED, furthest=Stage.OFFERED)
    assert counts(ANCHOR + DAY)["equality_records"] == 0


def test_survey_invitations_are_due_a_day_after_their_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    closes = retention.months_before(ANCHOR, 3)
    survey = Survey.objects.create(
        key="retention_test", title="Workshop feedback", opens_at=closes - DAY * 7, closes_at=closes
    )
    open_survey = Survey.objects.create(key="still_open", title="Open", opens_at=ANCHOR)
    person = make_person(Role.FELLOW)
    Invitation.objects.create(survey=survey, person=person, completed=True, completed_at=closes)
    Invitation.objects.create(survey=open_survey, person=person)
    assert counts(ANCHOR - DAY)["survey_invitations"] == 0
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["survey_invitations"] == 1
    assert list(Invitation.objects.values_list("survey", flat=True)) == [open_survey.pk]


def test_audit_entries_are_due_a_day_after_their_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    old = audit.record(AuditAction.VIEWED, AuditSubject.APPLICATION, by=None, reference="APP-1")
    AuditEvent.objects.filter(pk=old.pk).update(at=retention.months_before(ANCHOR, 72))
    assert counts(ANCHOR - DAY)["audit_log"] == 0
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["audit_log"] == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    # The runs themselves are in the log.
    assert AuditEvent.objects.filter(reference__startswith="retention run").count() == 2


def test_copies_of_sent_emails_are_due_a_day_after_their_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    from fellowship import outbox
    from fellowship.models import OutboxMessage

    sent = outbox.write("test", to=["a@example.org"], subject="Old", body="Sent long ago")
    waiting = outbox.write("test", to=["b@example.org"], subject="New", body="Still to go")
    OutboxMessage.objects.filter(pk=sent.pk).update(
        state="sent", sent_at=retention.months_before(ANCHOR, 3)
    )
    OutboxMessage.objects.filter(pk=waiting.pk).update(
        created_at=retention.months_before(ANCHOR, 9)
    )
    assert counts(ANCHOR - DAY)["sent_emails"] == 0
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["sent_emails"] == 1
    # A message still waiting to be sent is never removed, however old.
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_history_rows_are_due_a_day_after_their_period_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    cohort = CohortFactory()
    cohort.save()  # a second row
    first = cohort.history.order_by("history_date").first()
    type(first).objects.filter(pk=first.pk).update(history_date=retention.months_before(ANCHOR, 24))
    assert counts(ANCHOR - DAY)["history"] == 0
    assert counts(ANCHOR + DAY)["history"] == 1
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["history"] == 1
    assert cohort.history.count() == 1


# Runs ------------------------------------------------------------------------------------------


def test_a_second_run_removes_nothing(django_capture_on_commit_callbacks):
    rnd = round_closed_before(ANCHOR, 12)
    application(rnd)
    application(rnd, stage=Stage.WITHDRAWN, furthest=Stage.SUBMITTED)
    first = apply(ANCHOR + DAY, django_capture_on_commit_callbacks)
    assert first["unsuccessful_applications"] == 2 and first["equality_records"] == 2
    assert sum(counts(ANCHOR + DAY).values()) == 0
    assert sum(apply(ANCHOR + DAY, django_capture_on_commit_callbacks).values()) == 0


def test_removal_goes_in_batches_until_nothing_is_due(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(retention, "BATCH", 2)
    rnd = round_closed_before(ANCHOR, 12)
    for _ in range(5):
        application(rnd)
    assert apply(ANCHOR + DAY, django_capture_on_commit_callbacks)["unsuccessful_applications"] == 5
    assert not Application.objects.filter(applicant__isnull=False, round=rnd).exists()


def test_a_dry_run_removes_nothing_and_is_recorded():
    app = application(round_closed_before(ANCHOR, 12))
    run = retention.apply_retention(dry_run=True, by=None, source="command", now=ANCHOR + DAY)
    assert run.dry_run and run.counts["unsuccessful_applications"] == 1
    app.refresh_from_db()
    assert app.applicant is not None and app.cv
    assert RetentionRun.objects.get() == run


def test_the_report_and_the_equality_figures_do_not_change(django_capture_on_commit_callbacks):
    cohort = CohortFactory(number=7)
    rnd = round_closed_before(ANCHOR, 12, cohort=cohort)
    application(rnd, stage=Stage.APPOINTED, furthest=Stage.APPOINTED, sex="male")
    application(rnd, sex="female")
    application(rnd, stage=Stage.WITHDRAWN, furthest=Stage.SHORTLISTED, sex="female")
    application(rnd, stage=Stage.UNSUCCESSFUL, furthest=Stage.SUBMITTED, sex="prefer_not_to_say")
    ApplicationFactory(round=rnd)  # a draft, which no figure counts
    report_before = figures(7)
    funnels_before = equality.for_round(rnd, policy=equality.policy(0))
    cohort_before = equality.for_cohort(cohort, policy=equality.policy(0))

    removed = apply(ANCHOR + DAY, django_capture_on_commit_callbacks)
    assert removed["unsuccessful_applications"] == 4 and removed["equality_records"] == 4
    assert not EqualityRecord.objects.exists()

    assert figures(7) == report_before
    assert equality.for_round(rnd, policy=equality.policy(0)) == funnels_before
    assert equality.for_cohort(cohort, policy=equality.policy(0)) == cohort_before


def test_the_command_prints_the_counts_per_kind():
    application(round_closed_before(timezone.now(), 13))
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Unsuccessful applications: 1 due" in out.getvalue()
    assert RetentionRun.objects.get().source == RetentionRun.Source.COMMAND


def test_the_nightly_task_applies_the_policy():
    from fellowship.tasks import apply_retention

    app = application(round_closed_before(timezone.now(), 13))
    apply_retention.apply()
    app.refresh_from_db()
    assert app.applicant is None
    run = RetentionRun.objects.get()
    assert run.source == RetentionRun.Source.NIGHTLY and not run.dry_run and run.by is None


# The Retention page ----------------------------------------------------------------------------


def data_officer() -> User:
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["outsider", "faculty", "funder", "applicant"])
def test_only_faculty_with_the_personal_data_permission_reach_the_retention_page(role, login):
    user = make_person(role) if role != "outsider" else make_person()
    client = login(user)
    app = application(round_closed_before(timezone.now(), 13))
    assert client.get(reverse("retention")).status_code == 403
    assert client.get(reverse("retention_apply")).status_code == 403
    assert client.post(reverse("retention_check")).status_code == 403
    assert client.post(reverse("retention_apply")).status_code == 403
    assert not RetentionRun.objects.exists()
    app.refresh_from_db()
    assert app.applicant is not None


def test_the_permission_alone_without_the_faculty_role_is_refused(login):
    user = make_person(Role.FUNDER)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    assert login(user).get(reverse("retention")).status_code == 403


def test_the_page_shows_the_policy_and_what_is_due(login):
    application(round_closed_before(timezone.now(), 13))
    response = login(data_officer()).get(reverse("retention"))
    assert response.status_code == 200
    rows = {policy.kind: due for policy, due in response.context["rows"]}
    assert rows["unsuccessful_applications"] == 1
    assert "1 year after the recruitment round closes" in response.content.decode()


def test_checking_records_a_dry_run_and_removes_nothing(login):
    officer = data_officer()
    app = application(round_closed_before(timezone.now(), 13))
    response = login(officer).post(reverse("retention_check"))
    assert response.status_code == 302
    run = RetentionRun.objects.get()
    assert run.dry_run and run.by == officer and run.counts["unsuccessful_applications"] == 1
    app.refresh_from_db()
    assert app.applicant is not None


def test_removing_asks_for_confirmation_first_then_removes(
    login, django_capture_on_commit_callbacks
):
    officer = data_officer()
    client = login(officer)
    app = application(round_closed_before(timezone.now(), 13))
    confirm = client.get(reverse("retention_apply"))
    assert confirm.status_code == 200 and b"cannot be undone" in confirm.content
    app.refresh_from_db()
    assert app.applicant is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("retention_apply")).status_code == 302
    app.refresh_from_db()
    assert app.applicant is None
    run = RetentionRun.objects.get()
    assert not run.dry_run and run.by == officer
    assert client.get(reverse("retention")).context["runs"][0][0] == run


def test_the_requests_page_links_to_retention(login):
    response = login(data_officer()).get(reverse("personal_data_requests"))
    assert reverse("retention").encode() in response.content


# Privacy notices -------------------------------------------------------------------------------

PURPOSES = ["recruitment", "equality-monitoring", "surveys", "portfolios", "reports"]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_each_privacy_notice_opens_without_signing_in(client, purpose):
    response = client.get(reverse("privacy_notice", args=[purpose]))
    assert response.status_code == 200
    assert reverse("my_data").encode() in response.content


def test_the_privacy_index_opens_without_signing_in_and_links_every_notice(client):
    response = client.get(reverse("privacy_index"))
    assert response.status_code == 200
    for purpose in PURPOSES:
        assert reverse("privacy_notice", args=[purpose]).encode() in response.content


def test_an_unknown_purpose_is_not_found(client):
    assert client.get("/privacy/anything-else/").status_code == 404


def test_the_notices_show_the_periods_of_the_policy_and_follow_its_changes(client, settings):
    page = client.get(reverse("privacy_notice", args=["recruitment"])).content.decode()
    assert "1 year after the recruitment round closes" in page
    settings.RETENTION = {
        **settings.RETENTION,
        "unsuccessful_applications": {
            **settings.RETENTION["unsuccessful_applications"],
            "months": 18,
        },
        "equality_records": {**settings.RETENTION["equality_records"], "months": 9},
    }
    page = client.get(reverse("privacy_notice", args=["recruitment"])).content.decode()
    assert "18 months after the recruitment round closes" in page
    assert "1 year after the recruitment round closes" not in page.split("Comments about you")[0]
    equality_page = client.get(
        reverse("privacy_notice", args=["equality-monitoring"])
    ).content.decode()
    assert "9 months after the recruitment round closes" in equality_page


def test_the_footer_links_the_privacy_notices(client):
    assert reverse("privacy_index").encode() in client.get(reverse("home")).content


def test_the_equality_form_links_its_notice(login):
    app = submitted(ApplicationFactory())
    response = login(app.applicant).get(reverse("application_equality", args=[app.ref]))
    assert reverse("privacy_notice", args=["equality-monitoring"]).encode() in response.content
