"""E-mail texts faculty edit: ((placeholders)) only, versions, preview, restore and reset."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from fellowship import emails
from fellowship.enums import AuditSubject, Role
from fellowship.models import AuditEvent, EmailText
from fellowship.notifications import notify, render_message

from ..factories import UserFactory
from ..factories.recruitment import ApplicationFactory

pytestmark = pytest.mark.django_db

KIND = "application_withdrawn"
EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "email"


def edit_url(key: str = KIND) -> str:
    return reverse("email_text_edit", args=[key])


def save(client, subject: str, body: str, key: str = KIND, **extra):
    return client.post(edit_url(key), {"subject": subject, "body": body, "action": "save", **extra})


def send_withdrawn(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(KIND, to=application.applicant.email, context={"application": application})
    return mail.outbox[-1]


# Editing ---------------------------------------------------------------------------------------


def test_faculty_edit_is_used_by_the_next_email(faculty_client, django_capture_on_commit_callbacks):
    response = save(
        faculty_client,
        "Withdrawn:   ((application_ref))",
        "Hello ((applicant_name)),\n\nYour application ((application_ref)) is withdrawn.\n\nThe ((programme_name)) office\n",
    )
    assert response.status_code == 302
    application = ApplicationFactory(applicant=UserFactory(full_name="Ada Lovelace"))

    message = send_withdrawn(application, django_capture_on_commit_callbacks)

    assert message.subject == f"Withdrawn: {application.ref}"
    assert message.body.startswith(
        f"Hello Ada Lovelace,\n\nYour application {application.ref} is withdrawn."
    )
    assert f"The {Site.objects.get_current().name} office" in message.body
    version = EmailText.objects.get()
    assert version.created_by.has_role(Role.FACULTY) and not version.is_default
    event = AuditEvent.objects.get(subject=AuditSubject.EMAIL_TEXT)
    assert event.reference == KIND and event.actor == version.created_by


def test_without_an_edit_the_default_text_is_sent(django_capture_on_commit_callbacks):
    application = ApplicationFactory(applicant=UserFactory(full_name="Ada Lovelace"))
    message = send_withdrawn(application, django_capture_on_commit_callbacks)
    assert message.subject == f"You have withdrawn application {application.ref}"
    assert "Dear Ada Lovelace," in message.body
    assert f"The {Site.objects.get_current().name} team" in message.body


def test_values_go_in_as_plain_text_and_are_never_read_as_placeholders(
    django_capture_on_commit_callbacks,
):
    name = "((programme_name)) O'Brien & <b>Co</b> {{ secret }}"
    application = ApplicationFactory(applicant=UserFactory(full_name=name))
    message = send_withdrawn(application, django_capture_on_commit_callbacks)
    assert f"Dear {name}," in message.body


def test_an_empty_optional_line_leaves_no_gap():
    _subject, body = emails.render(
        "s",
        "Decision: ((decision))\n\n((comments))\n\nNext",
        {"decision": "Approved", "comments": ""},
    )
    assert body == "Decision: Approved\n\nNext"


def test_subject_is_one_line_whatever_the_values():
    subject, _body = emails.render("Hello ((name))\n  again", "b", {"name": "A\nB"})
    assert subject == "Hello A B again"


# Hostile and mistaken input -----------------------------------------------------------------------

REFUSED = [
    ("{{ application.applicant.password }}", "“{{”"),
    ("{% load static %}{% get_static_prefix %}", "“{%”"),
    ("{# hidden #}", "“{#”"),
    ("Dear ((aplicant_name)),", "((aplicant_name)), which this e-mail does not have"),
    ("Dear ((applicant_name)), ((unknown))", "((unknown)), which this e-mail does not have"),
    ("Dear ((applicant_name", "“((” with no “))” to close it"),
    ("Dear ((applicant_name)) and ((", "“((” with no “))” to close it"),
    ("((application.applicant.password))", "((application.applicant.password)), which"),
]


@pytest.mark.parametrize(("body", "message"), REFUSED)
def test_template_language_and_unknown_or_unclosed_placeholders_are_refused(
    faculty_client, body, message
):
    response = save(faculty_client, "Subject ((application_ref))", body)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in response.context["form"].errors["body"][0]
    offered = response.context["form"].errors["body"][-1]
    assert "((applicant_name))" in offered and "((programme_name))" in offered
    assert response.context["form"]["body"].value() == body  # what they typed is kept
    assert not EmailText.objects.exists()
    assert not AuditEvent.objects.filter(subject=AuditSubject.EMAIL_TEXT).exists()


@pytest.mark.parametrize(
    "subject", ["{{ settings.SECRET_KEY }}", "Ref ((ref))", "Ref ((application_ref)", "   "]
)
def test_a_bad_or_empty_subject_is_refused(faculty_client, subject):
    response = save(faculty_client, subject, "Dear ((applicant_name))")
    assert response.status_code == 200
    assert response.context["form"].errors["subject"]
    assert not EmailText.objects.exists()


def test_an_empty_body_is_refused(faculty_client):
    response = save(faculty_client, "Subject", "  \n ")
    assert response.context["form"].errors["body"] == ["Enter the body of the e-mail"]
    assert not EmailText.objects.exists()


def test_the_service_refuses_template_language_whoever_calls_it(faculty):
    kind = emails.kinds[KIND]
    with pytest.raises(ValidationError):
        emails.save_text(
            kind, subject="Hi", body="{{ application.applicant.password }}", by=faculty
        )
    assert not EmailText.objects.exists()


def test_a_save_from_a_page_older_than_a_colleagues_save_is_refused_and_kept(
    faculty_client, faculty
):
    emails.save_text(
        emails.kinds[KIND], subject="Colleague", body="Colleague's ((applicant_name))", by=faculty
    )
    response = save(faculty_client, "Mine", "My text ((applicant_name))", based_on=0)
    assert response.status_code == 200
    assert "Someone else saved this e-mail" in response.content.decode()
    assert response.context["form"]["body"].value() == "My text ((applicant_name))"
    assert list(EmailText.objects.values_list("subject", flat=True)) == ["Colleague"]
    # Having been told, the same text saved again from this page goes through.
    based_on = response.context["form"]["based_on"].value()
    assert save(faculty_client, "Mine", "My text", based_on=based_on).status_code == 302
    assert EmailText.objects.first().subject == "Mine"


def test_preview_shows_sample_values_and_saves_nothing(faculty_client):
    response = faculty_client.post(
        edit_url(),
        {
            "subject": "About ((application_ref))",
            "body": "Dear ((applicant_name))",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert response.context["preview"] == ("About R3-0042", "Dear Ada Lovelace")
    assert response.context["form"]["body"].value() == "Dear ((applicant_name))"
    assert not EmailText.objects.exists()
    assert not AuditEvent.objects.filter(subject=AuditSubject.EMAIL_TEXT).exists()


def test_preview_of_a_bad_text_shows_the_problem_not_a_preview(faculty_client):
    response = faculty_client.post(
        edit_url(), {"subject": "S", "body": "{{ x }}", "action": "preview"}
    )
    assert response.context["preview"] is None and response.context["form"].errors


# Versions ------------------------------------------------------------------------------------------


def test_restore_and_reset_each_make_a_new_version(
    faculty_client, django_capture_on_commit_callbacks
):
    save(faculty_client, "First ((application_ref))", "First body")
    save(
        faculty_client,
        "Second ((application_ref))",
        "Second body",
        based_on=EmailText.objects.get().pk,
    )
    first = EmailText.objects.get(subject="First ((application_ref))")

    response = faculty_client.post(reverse("email_text_restore", args=[KIND, first.pk]))
    assert response.status_code == 302
    restored = EmailText.objects.first()
    assert (restored.subject, restored.restored_from) == (first.subject, first)
    assert EmailText.objects.count() == 3

    faculty_client.post(reverse("email_text_reset", args=[KIND]))
    reset = EmailText.objects.first()
    assert reset.is_default and EmailText.objects.count() == 4
    assert emails.current_text(KIND) == emails.default_text(KIND)
    application = ApplicationFactory()
    assert send_withdrawn(application, django_capture_on_commit_callbacks).subject.startswith(
        "You have withdrawn"
    )
    assert AuditEvent.objects.filter(subject=AuditSubject.EMAIL_TEXT).count() == 4

    page = faculty_client.get(edit_url()).content.decode()
    assert "Reset to default" in page and "Restored from the version of" in page


def test_a_version_of_another_email_cannot_be_restored_through_this_one(faculty_client, faculty):
    other = emails.save_text(
        emails.kinds["offer_lapsed"], subject="Lapsed", body="Body", by=faculty
    )
    response = faculty_client.post(reverse("email_text_restore", args=[KIND, other.pk]))
    assert response.status_code == 404
    assert EmailText.objects.count() == 1


def test_a_stored_version_that_no_longer_fits_is_not_restored(faculty_client):
    stale = EmailText.objects.create(kind=KIND, subject="Old", body="Hello ((retired_placeholder))")
    EmailText.objects.create(kind=KIND, subject="New", body="Hello")
    response = faculty_client.post(
        reverse("email_text_restore", args=[KIND, stale.pk]), follow=True
    )
    assert "cannot be restored" in response.content.decode()
    assert EmailText.objects.count() == 2


def test_an_unknown_email_is_not_found(faculty_client):
    assert faculty_client.get(edit_url("no_such_email")).status_code == 404
    assert (
        faculty_client.post(reverse("email_text_reset", args=["no_such_email"])).status_code == 404
    )
    assert not EmailText.objects.exists()


def test_the_list_shows_every_email_and_which_are_edited(faculty_client, faculty):
    emails.save_text(emails.kinds[KIND], subject="S", body="B", by=faculty)
    response = faculty_client.get(reverse("email_text_list"))
    rows = response.context["rows"]
    assert [kind.key for kind, _ in rows] == [kind.key for kind in emails.all_kinds()]
    assert {kind.key for kind, latest in rows if latest} == {KIND}
    assert "Edited" in response.content.decode()


def test_reset_and_restore_refuse_get(faculty_client, faculty):
    version = emails.save_text(emails.kinds[KIND], subject="S", body="B", by=faculty)
    assert faculty_client.get(reverse("email_text_reset", args=[KIND])).status_code == 405
    assert (
        faculty_client.get(reverse("email_text_restore", args=[KIND, version.pk])).status_code
        == 405
    )
    assert EmailText.objects.count() == 1


# Who may -------------------------------------------------------------------------------------------

OTHERS = ["applicant", "fellow", "alumnus", "supervisor", "panellist", "funder", "outsider"]


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_but_faculty_sees_or_changes_email_texts(role_users, login, faculty, role):
    version = emails.save_text(emails.kinds[KIND], subject="S", body="B", by=faculty)
    client = login(role_users[role])
    assert client.get(reverse("email_text_list")).status_code == 403
    assert client.get(edit_url()).status_code == 403
    assert save(client, "Hacked", "Hacked").status_code == 403
    assert (
        client.post(edit_url(), {"subject": "x", "body": "y", "action": "preview"}).status_code
        == 403
    )
    assert client.post(reverse("email_text_reset", args=[KIND])).status_code == 403
    assert client.post(reverse("email_text_restore", args=[KIND, version.pk])).status_code == 403
    assert client.get(edit_url("no_such_email")).status_code == 403
    assert list(EmailText.objects.all()) == [version]
    assert not EmailText.objects.for_user(role_users[role]).exists()


def test_someone_signed_out_is_sent_to_sign_in(client):
    assert client.get(edit_url()).status_code == 302
    assert client.post(reverse("email_text_reset", args=[KIND])).status_code == 302
    assert not EmailText.objects.exists()


@pytest.fixture
def faculty(role_users):
    return role_users[Role.FACULTY]


# The registry and the default files ----------------------------------------------------------------


def test_every_declared_email_has_default_files_using_only_its_placeholders():
    assert emails.kinds, "no e-mails declared"
    for kind in emails.all_kinds():
        subject, body = emails.default_text(kind.key)
        assert not emails.problems(kind, subject, part="subject"), kind.key
        assert not emails.problems(kind, body, part="body"), kind.key


def test_every_default_file_belongs_to_a_declared_email():
    files = {p.name for p in EMAIL_DIR.glob("*.txt")}
    expected = {f"{key}_{part}.txt" for key in emails.kinds for part in ("subject", "body")}
    assert files == expected


def test_every_default_rendered_with_samples_has_no_placeholder_left():
    for kind in emails.all_kinds():
        subject, body = emails.preview(kind, *emails.default_text(kind.key))
        assert "((" not in subject + body and "))" not in subject + body, kind.key
        assert subject and "\n" not in subject, kind.key


def test_every_email_offers_the_programme_name():
    assert all("programme_name" in kind.by_name for kind in emails.kinds.values())


def test_the_programme_name_comes_from_the_site(django_capture_on_commit_callbacks):
    Site.objects.filter(pk=settings.SITE_ID).update(name="Example Fellowship in Clinical AI")
    Site.objects.clear_cache()
    application = ApplicationFactory()
    _subject, body = render_message(KIND, {"application": application})
    assert "The Example Fellowship in Clinical AI team" in body


# allauth's own e-mails -----------------------------------------------------------------------------


def test_password_reset_email_names_the_programme_and_says_what_to_do(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # sent from the outbox on commit
        client.post(reverse("account_reset_password"), {"email": user.email})
    message = mail.outbox[-1]
    name = Site.objects.get_current().name
    assert f"Reset your {name} password" in message.subject
    assert "To choose a new password, open this link:" in message.body
    assert f"The {name} team" in message.body and "127.0.0.1:8000" not in message.body


def test_a_saved_text_that_no_longer_fits_falls_back_to_the_default(
    django_capture_on_commit_callbacks,
):
    EmailText.objects.create(kind=KIND, subject="Old", body="Hello ((retired_placeholder))")
    message = send_withdrawn(ApplicationFactory(), django_capture_on_commit_callbacks)
    assert message.subject.startswith("You have withdrawn") and "((" not in message.body
