"""A person's right of access and erasure: the core's part (accounts, fellow records, mentoring,
invitations, the audit log and history rows), the pages and the commands."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from fellowship import audit, privacy
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent, Erasure, Fellow, MentorRequest, User

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories.fellowship import MentorRequestFactory

pytestmark = pytest.mark.django_db

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@nhs.example"
NOTE = "Prefers a mentor who also trained in Orkney"


@pytest.fixture
def fellow():
    user = make_person(Role.FELLOW, email=EMAIL, full_name=NAME)
    fellow = FellowFactory(user=user, full_name=NAME, email=EMAIL, cohort=CohortFactory(number=3))
    MentorRequestFactory(fellow=fellow, note=NOTE)
    # A change after creation, so that the history holds an older row with the name too.
    fellow.specialty = "Radiology"
    fellow.save()
    audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=user, summary=f"{NAME} read their file"
    )
    return fellow


def data_officer():
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# Finding the person ------------------------------------------------------------------------------


def test_a_person_is_found_by_either_address_and_gathers_their_fellow_records(fellow):
    history_only = FellowFactory(email=EMAIL.upper(), full_name=NAME)
    person = privacy.find_person(" " + EMAIL.upper())
    assert person.user == fellow.user
    assert {f.pk for f in person.fellows} == {fellow.pk, history_only.pk}


def test_an_unknown_address_is_a_clear_refusal(db):
    with pytest.raises(LookupError, match="no account and no fellow record"):
        privacy.find_person("nobody@nhs.example")


# Right of access ---------------------------------------------------------------------------------


def test_the_export_holds_the_account_fellowship_and_mentoring_but_no_secrets(fellow):
    files = unzip(privacy.export_person_data(privacy.find_person(EMAIL), by=None, programme="P"))
    assert {
        "README.txt",
        "account.json",
        "fellowship.json",
        "roles.json",
        "mentor-requests.json",
    } <= set(files)
    account = json.loads(files["account.json"])
    assert account[0]["email"] == EMAIL and account[0]["full_name"] == NAME
    assert "password" not in account[0]
    everything = b"".join(files.values()).decode()
    assert "pbkdf2" not in everything and "argon2" not in everything
    assert NOTE in everything
    assert json.loads(files["fellowship.json"])[0]["ref"] == fellow.ref


def test_the_export_holds_the_audit_entries_by_and_about_the_person_only(fellow):
    officer = data_officer()
    audit.record(AuditAction.VIEWED, AuditSubject.MENTORING, by=officer, reference=fellow.ref)
    audit.record(AuditAction.VIEWED, AuditSubject.MENTORING, by=officer, reference="F-OTHER-1")
    files = unzip(privacy.export_person_data(privacy.find_person(EMAIL), by=None, programme="P"))
    entries = json.loads(files["audit-log.json"])
    assert [(e["by"], e["reference"]) for e in entries] == [
        ("you", ""),
        ("the programme team", fellow.ref),
    ]
    assert officer.email not in files["audit-log.json"].decode()


def test_producing_an_export_is_audited_without_the_address(fellow):
    officer = data_officer()
    privacy.export_person_data(privacy.find_person(EMAIL), by=officer, programme="P")
    event = AuditEvent.objects.get(subject=AuditSubject.PERSONAL_DATA)
    assert (event.actor, event.action) == (officer, AuditAction.EXPORTED)
    assert EMAIL not in event.reference + event.summary


# Erasure -----------------------------------------------------------------------------------------


def test_after_erasure_no_table_or_history_row_holds_the_name_address_or_note(fellow):
    assert EMAIL in dump() and NAME.lower() in dump()
    erasure = privacy.erase_person(
        privacy.find_person(EMAIL), by=data_officer(), requested_by="the person"
    )
    everything = dump()
    for secret in (EMAIL, NAME, NOTE, "quillfeather", "zephyrine"):
        assert secret.lower() not in everything, secret
    fellow.refresh_from_db()
    assert fellow.display_name == erasure.pseudonym
    # What the reports count stays.
    assert (fellow.cohort.number, fellow.specialty) == (3, "Radiology")
    assert MentorRequest.objects.filter(fellow=fellow).exists()


def test_the_erased_account_cannot_sign_in_and_its_sessions_end(fellow, client):
    client.force_login(fellow.user)
    privacy.erase_person(privacy.find_person(EMAIL), by=data_officer(), requested_by="the person")
    user = User.objects.get(pk=fellow.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert not user.role_grants.exists()
    assert client.get(reverse("my_data")).status_code == 302


def test_erasure_deletes_the_accounts_stored_sessions_and_no_one_elses(fellow, client):
    from django.contrib.sessions.models import Session
    from django.test import Client

    client.force_login(fellow.user)
    bystander = Client()
    bystander.force_login(make_person(Role.APPLICANT))
    mine, theirs = client.session.session_key, bystander.session.session_key
    privacy.erase_person(privacy.find_person(EMAIL), by=data_officer(), requested_by="the person")
    assert not Session.objects.filter(pk=mine).exists()
    assert Session.objects.filter(pk=theirs).exists()
    assert bystander.get(reverse("home")).status_code == 200


def test_the_audit_log_keeps_entries_naming_the_pseudonym(fellow):
    before = AuditEvent.objects.count()
    erasure = privacy.erase_person(
        privacy.find_person(EMAIL), by=data_officer(), requested_by="the person"
    )
    event = AuditEvent.objects.filter(subject=AuditSubject.APPLICATION).get()
    assert event.actor_id == fellow.user_id
    assert event.actor_email == erasure.pseudonym
    assert event.summary == f"{erasure.pseudonym} read their file"
    assert AuditEvent.objects.count() == before + 1  # the erasure's own entry


def test_the_erasure_is_recorded_without_identifying_the_person(fellow):
    officer = data_officer()
    erasure = privacy.erase_person(
        privacy.find_person(EMAIL), by=officer, requested_by="the person, by letter"
    )
    assert Erasure.objects.get() == erasure
    assert erasure.carried_out_by == officer and erasure.counts["accounts de-identified"] == 1
    assert EMAIL not in json.dumps(erasure.counts) + erasure.pseudonym + erasure.requested_by


def test_nobody_erases_themselves(fellow):
    fellow.user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    with pytest.raises(ValidationError, match="Someone else"):
        privacy.erase_person(privacy.find_person(EMAIL), by=fellow.user, requested_by="me")
    assert User.objects.filter(email=EMAIL).exists()


def test_a_fellow_without_an_account_is_erased_from_the_history_records(db):
    fellow = FellowFactory(full_name=NAME, email=EMAIL)
    privacy.erase_person(privacy.find_person(EMAIL), by=None, requested_by="the person")
    assert EMAIL not in dump() and NAME.lower() not in dump()
    assert Fellow.objects.filter(pk=fellow.pk).exists()


# Pages ---------------------------------------------------------------------------------------------


def test_faculty_without_the_permission_cannot_reach_requests(fellow, login):
    faculty = login(make_person(Role.FACULTY))
    assert faculty.get(reverse("personal_data_requests")).status_code == 403
    response = faculty.post(reverse("personal_data_erase"), {"email": EMAIL})
    assert response.status_code == 403
    assert faculty.post(reverse("personal_data_export"), {"email": EMAIL}).status_code == 403
    assert User.objects.get(pk=fellow.user_id).email == EMAIL


def test_the_permission_without_the_faculty_role_is_not_enough(fellow, login):
    user = make_person(Role.FELLOW)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    assert login(user).post(reverse("personal_data_export"), {"email": EMAIL}).status_code == 403


def test_a_data_officer_finds_exports_and_erases_a_person(fellow, login):
    client = login(data_officer())
    page = client.post(reverse("personal_data_requests"), {"email": EMAIL})
    assert page.status_code == 200 and fellow.ref in page.content.decode()
    export = client.post(reverse("personal_data_export"), {"email": EMAIL})
    assert export["Content-Type"] == "application/zip" and "account.json" in unzip(export.content)
    confirm = client.post(reverse("personal_data_erase"), {"email": EMAIL})
    assert "What the erasure does" in confirm.content.decode()
    assert User.objects.filter(email=EMAIL).exists()  # the first step only asks
    unconfirmed = client.post(
        reverse("personal_data_erase"),
        {"email": EMAIL, "requested_by": "the person", "request_received": "2026-01-02"},
    )
    assert "Confirm that you understand" in unconfirmed.content.decode()
    assert User.objects.filter(email=EMAIL).exists()
    done = client.post(
        reverse("personal_data_erase"),
        {
            "email": EMAIL,
            "requested_by": "the person",
            "request_received": "2026-01-02",
            "confirm": "on",
        },
        follow=True,
    )
    assert "The person is erased" in done.content.decode()
    assert not User.objects.filter(email=EMAIL).exists()
    assert Erasure.objects.get().requested_by == "the person"


def test_a_request_date_in_the_future_is_refused(fellow, login):
    response = login(data_officer()).post(
        reverse("personal_data_erase"),
        {"email": EMAIL, "requested_by": "x", "request_received": "2999-01-01", "confirm": "on"},
    )
    assert "today or in the past" in response.content.decode()
    assert User.objects.filter(email=EMAIL).exists()


def test_a_person_downloads_their_own_data_and_only_theirs(fellow, login):
    other = make_person(Role.FELLOW, email="other.person@nhs.example", full_name="Other Person")
    client = login(other)
    # Query strings and POST bodies name no one: the download is always the signed-in person's.
    response = client.get(reverse("my_data_download"), {"email": EMAIL})
    files = unzip(response.content)
    assert b"other.person@nhs.example" in files["account.json"]
    assert EMAIL.encode() not in b"".join(files.values())


def test_the_your_data_page_lists_what_is_held(fellow, login):
    page = login(fellow.user).get(reverse("my_data")).content.decode()
    assert "Download your data" in page and "Mentor requests: 1" in page


# Commands --------------------------------------------------------------------------------------


def test_erase_person_without_yes_changes_nothing(fellow):
    out = io.StringIO()
    call_command("erase_person", EMAIL, stdout=out)
    assert "Nothing erased" in out.getvalue()
    assert User.objects.filter(email=EMAIL).exists() and not Erasure.objects.exists()


def test_erase_person_with_yes_erases(fellow):
    out = io.StringIO()
    call_command("erase_person", EMAIL, "--yes", stdout=out)
    assert "Erased" in out.getvalue()
    assert not User.objects.filter(email=EMAIL).exists()


def test_export_person_data_writes_the_zip(fellow, tmp_path):
    target = tmp_path / "out.zip"
    call_command("export_person_data", EMAIL, "--output", str(target), stdout=io.StringIO())
    assert "account.json" in unzip(target.read_bytes())


def test_the_commands_refuse_an_unknown_address(db):
    with pytest.raises(CommandError, match="no account"):
        call_command("erase_person", "nobody@nhs.example", "--yes")
