"""Invitations, the services: a link that works once, for one address, for exactly the roles named.

Each test attacks one promise the way an insider would: replaying an old link, editing the token,
accepting with another account, asking for a role the inviter cannot give, inviting twice.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from fellowship import invitations
from fellowship.enums import AuditSubject, FellowStatus, InvitationState, Role
from fellowship.invitations import InvitationRefused
from fellowship.models import AuditEvent, Fellow, InvitationBatch, PersonInvitation, RoleGrant, User

from ..factories import CohortFactory, FellowFactory, FunderFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/invitation/(?P<token>[^/\s]+)/)")


# Helpers (test_access.py builds its world with these too) -------------------------------------


def read_link(email: str) -> tuple[str, str]:
    """(path, token) of the accept link in the latest e-mail to `email`."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email] and "/invitation/" in m.body)
    match = LINK.search(message.body)
    return match.group(1), match["token"]


def invite_and_read_token(by, email="new.person@example.org", roles=(Role.FELLOW,), **kwargs):
    """Invite through the service, send the e-mail, and return (invitation, token from the e-mail)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation = invitations.invite(email, roles, by=by, **kwargs)
    return invitation, read_link(invitation.email)[1]


def resend_and_read_token(invitation, by) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations.resend(invitation, by=by)
    return read_link(invitation.email)[1]


def run_batch_now(by, emails, roles=(Role.FELLOW,), fellows=None, **kwargs) -> InvitationBatch:
    """Start a bulk invitation and run its job (tasks run eagerly in the tests)."""
    entries = list(zip(emails, fellows or [None] * len(emails), strict=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = invitations.start_batch(entries, roles, by=by, **kwargs)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def faculty(person):
    return person(Role.FACULTY)


# The link ---------------------------------------------------------------------------------------


def test_the_database_holds_only_a_hash_of_the_links_secret(faculty):
    invitation, token = invite_and_read_token(faculty)
    selector, secret = token.split(".")
    invitation.refresh_from_db()
    assert invitation.selector == selector
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(invitation, f.attname)) for f in PersonInvitation._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    assert len(secret) >= 43  # 256 bits from secrets.token_urlsafe


def test_the_link_expires_after_the_configured_days(faculty, settings):
    settings.INVITATION_VALID_DAYS = 3
    before = timezone.now()
    invitation, token = invite_and_read_token(faculty)
    assert before + timedelta(days=3) <= invitation.expires_at <= timezone.now() + timedelta(days=3)
    PersonInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert PersonInvitation.objects.get(pk=invitation.pk).state == InvitationState.EXPIRED
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_with_new_account(
            token, full_name="Late Person", password="a-long-Passphrase-42"
        )
    assert refused.value.reason == InvitationRefused.EXPIRED
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the secret
        lambda t: t.split(".")[0] + "." + "A" * 43,  # the right selector, a guessed secret
        lambda t: "A" * 16 + "." + t.split(".")[1],  # the right secret, another selector
        lambda t: t.split(".")[0],  # the selector alone
        lambda t: t + "x",
        lambda t: "",
        lambda t: t.replace(".", "\x00"),
        lambda t: "é" * 16 + "." + t.split(".")[1],
        lambda t: t * 50,
    ],
)
def test_a_tampered_or_unknown_token_is_refused_without_telling_why(faculty, tamper):
    _invitation, token = invite_and_read_token(faculty)
    with pytest.raises(InvitationRefused) as refused:
        invitations.find(tamper(token))
    assert refused.value.reason == InvitationRefused.UNKNOWN


def test_a_token_cannot_open_another_invitation(faculty):
    _first, first_token = invite_and_read_token(faculty, "one@example.org")
    second, _second_token = invite_and_read_token(faculty, "two@example.org")
    crossed = second.selector + "." + first_token.split(".")[1]
    with pytest.raises(InvitationRefused) as refused:
        invitations.find(crossed)
    assert refused.value.reason == InvitationRefused.UNKNOWN


# Inviting ---------------------------------------------------------------------------------------


def test_the_email_names_the_roles_the_inviter_the_expiry_and_a_working_link(faculty, client):
    funder = FunderFactory(name="North Health Education")
    invitation, _token = invite_and_read_token(
        faculty, "Contact@Example.org", roles=[Role.FUNDER, Role.PANELLIST], funder=funder
    )
    message = mail.outbox[-1]
    assert message.to == ["contact@example.org"]
    assert "Panellist and Funder" in message.subject
    assert (
        "- Panellist" in message.body
        and "- Funder, acting for North Health Education" in message.body
    )
    assert faculty.get_full_name() in message.body
    assert timezone.localtime(invitation.expires_at).strftime("%-d %B %Y") in message.body
    assert "authenticator app" in message.body  # panellists and funders must use MFA
    path, _ = read_link("contact@example.org")
    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()


def test_inviting_the_same_address_and_roles_again_resends_instead_of_duplicating(faculty):
    first, first_token = invite_and_read_token(faculty)
    again, again_token = invite_and_read_token(faculty, "NEW.person@example.org ")
    assert again.pk == first.pk
    assert PersonInvitation.objects.count() == 1
    assert again.send_count == 2
    assert again_token != first_token
    with pytest.raises(InvitationRefused):
        invitations.find(first_token)
    # An expired, unanswered one is revived rather than doubled.
    PersonInvitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    revived, _ = invite_and_read_token(faculty)
    assert revived.pk == first.pk and revived.state == InvitationState.PENDING
    assert PersonInvitation.objects.count() == 1
    # Other roles are another invitation.
    other, _ = invite_and_read_token(faculty, roles=[Role.ALUMNUS])
    assert other.pk != first.pk


def test_resending_gives_a_new_link_and_expiry_and_the_old_link_stops_working(faculty, settings):
    invitation, old_token = invite_and_read_token(faculty)
    PersonInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    new_token = resend_and_read_token(PersonInvitation.objects.get(pk=invitation.pk), faculty)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(
        days=settings.INVITATION_VALID_DAYS - 1
    )
    with pytest.raises(InvitationRefused) as refused:
        invitations.find(old_token)
    assert refused.value.reason == InvitationRefused.UNKNOWN
    assert invitations.find(new_token).pk == invitation.pk


def test_revoking_stops_the_link_and_cannot_be_undone_by_resending(faculty):
    invitation, token = invite_and_read_token(faculty)
    invitations.revoke(invitation, by=faculty)
    with pytest.raises(InvitationRefused) as refused:
        invitations.find(token)
    assert refused.value.reason == InvitationRefused.REVOKED
    with pytest.raises(ValidationError):
        invitations.resend(invitation, by=faculty)
    with pytest.raises(ValidationError):
        invitations.revoke(invitation, by=faculty)


@pytest.mark.parametrize(
    "role",
    [Role.APPLICANT, Role.FELLOW, Role.PANELLIST, Role.SUPERVISOR, Role.FUNDER, Role.ALUMNUS],
)
def test_only_people_who_manage_people_can_invite(person, role):
    with pytest.raises(PermissionDenied):
        invitations.invite("someone@example.org", [Role.FELLOW], by=person(role))
    with pytest.raises(PermissionDenied):
        invitations.start_batch([("someone@example.org", None)], [Role.FELLOW], by=person(role))
    assert not PersonInvitation.objects.exists() and not InvitationBatch.objects.exists()


def test_the_faculty_role_is_refused_unless_the_inviter_may_give_it(faculty, person, settings):
    import rules

    invitation, _ = invite_and_read_token(faculty, roles=[Role.FACULTY])
    assert invitation.roles == [Role.FACULTY]
    # Someone who manages people but may not give the faculty role cannot invite to it.
    rules.remove_perm("fellowship.grant_faculty_role")
    rules.add_perm("fellowship.grant_faculty_role", rules.always_deny)
    try:
        with pytest.raises(PermissionDenied):
            invitations.invite("other@example.org", [Role.FELLOW, Role.FACULTY], by=faculty)
        invitations.invite("other@example.org", [Role.FELLOW], by=faculty)
    finally:
        rules.remove_perm("fellowship.grant_faculty_role")
        from fellowship import rules as r

        rules.add_perm("fellowship.grant_faculty_role", r.is_faculty)


@pytest.mark.parametrize(
    ("email", "roles", "funder"),
    [
        ("not-an-address", [Role.FELLOW], False),
        ("a@b", [Role.FELLOW], False),
        ("x" * 250 + "@example.org", [Role.FELLOW], False),
        ("ok@example.org", [], False),
        ("ok@example.org", [Role.APPLICANT], False),
        ("ok@example.org", ["superuser"], False),
        ("ok@example.org", [Role.FUNDER], False),  # the funder role names its funder
        ("ok@example.org", [Role.PANELLIST], True),  # only the funder role does
    ],
)
def test_bad_addresses_and_roles_are_refused(faculty, email, roles, funder):
    with pytest.raises(ValidationError):
        invitations.invite(email, roles, by=faculty, funder=FunderFactory() if funder else None)
    assert not PersonInvitation.objects.exists()


def test_a_person_who_already_holds_every_role_is_not_invited(faculty, person):
    holder = person(Role.SUPERVISOR)
    with pytest.raises(ValidationError, match="already has"):
        invitations.invite(holder.email, [Role.SUPERVISOR], by=faculty)
    invitation, _ = invite_and_read_token(
        faculty, holder.email, roles=[Role.SUPERVISOR, Role.ALUMNUS]
    )
    assert invitation.roles == [Role.ALUMNUS, Role.SUPERVISOR]


def test_every_invite_resend_revoke_and_accept_is_audited(faculty):
    invitation, _ = invite_and_read_token(faculty)
    token = resend_and_read_token(invitation, faculty)
    user = invitations.accept_with_new_account(
        token, full_name="New Person", password="a-long-Passphrase-42"
    )
    other, _ = invite_and_read_token(faculty, "other@example.org")
    invitations.revoke(other, by=faculty)
    events = list(AuditEvent.objects.filter(subject=AuditSubject.INVITATION).order_by("pk"))
    assert [(e.actor_id, e.reference) for e in events] == [
        (faculty.pk, str(invitation.pk)),
        (faculty.pk, str(invitation.pk)),
        (user.pk, str(invitation.pk)),
        (faculty.pk, str(other.pk)),
        (faculty.pk, str(other.pk)),
    ]
    assert "accepted" in events[2].summary and "Revoked" in events[4].summary


# Accepting --------------------------------------------------------------------------------------


def test_a_new_account_gets_exactly_the_invited_roles_and_nothing_else(faculty):
    _invitation, token = invite_and_read_token(faculty, roles=[Role.SUPERVISOR, Role.ALUMNUS])
    user = invitations.accept_with_new_account(
        token, full_name=" Dr New Person ", password="a-long-Passphrase-42"
    )
    user.forget_roles()
    assert user.roles == {Role.SUPERVISOR, Role.ALUMNUS}  # not even the applicant role of sign-up
    assert user.full_name == "Dr New Person"
    assert user.check_password("a-long-Passphrase-42")
    assert RoleGrant.objects.filter(user=user).count() == 2
    assert set(RoleGrant.objects.filter(user=user).values_list("granted_by", flat=True)) == {
        faculty.pk
    }


def test_an_existing_account_keeps_its_roles_and_gains_only_the_invited_ones(faculty, person):
    applicant = person(Role.APPLICANT)
    _invitation, token = invite_and_read_token(faculty, applicant.email, roles=[Role.PANELLIST])
    invitations.accept(token, applicant)
    applicant.forget_roles()
    assert applicant.roles == {Role.APPLICANT, Role.PANELLIST}


def test_accepting_marks_the_address_verified_and_primary(faculty):
    unverified = UserFactory(email="unverified@example.org", verified=False)
    EmailAddress.objects.create(
        user=unverified, email="unverified@example.org", verified=False, primary=False
    )
    _invitation, token = invite_and_read_token(faculty, "unverified@example.org")
    invitations.accept(token, unverified)
    address = EmailAddress.objects.get(user=unverified)
    assert address.verified and address.primary

    _invitation, token = invite_and_read_token(faculty, "brand.new@example.org")
    user = invitations.accept_with_new_account(
        token, full_name="Brand New", password="a-long-Passphrase-42"
    )
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "brand.new@example.org",
        True,
        True,
    )


def test_an_invitation_is_accepted_once(faculty, person):
    _invitation, token = invite_and_read_token(faculty)
    invitations.accept_with_new_account(token, full_name="First", password="a-long-Passphrase-42")
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_with_new_account(
            token, full_name="Second", password="a-long-Passphrase-42"
        )
    assert refused.value.reason == InvitationRefused.ACCEPTED
    with pytest.raises(InvitationRefused):
        invitations.accept(token, User.objects.get(email="new.person@example.org"))
    assert User.objects.filter(email="new.person@example.org").count() == 1


def test_an_invitation_cannot_be_accepted_by_an_account_with_another_address(faculty, person):
    _invitation, token = invite_and_read_token(faculty, "invited@example.org", roles=[Role.FACULTY])
    intruder = person(Role.APPLICANT)
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept(token, intruder)
    assert refused.value.reason == InvitationRefused.WRONG_EMAIL
    intruder.forget_roles()
    assert intruder.roles == {Role.APPLICANT}
    assert PersonInvitation.objects.get().state == InvitationState.PENDING
    # An unverified second address of the intruder's does not count as theirs.
    EmailAddress.objects.create(user=intruder, email="invited@example.org", verified=False)
    with pytest.raises(InvitationRefused):
        invitations.accept(token, intruder)


def test_a_new_account_cannot_be_made_for_an_address_that_has_one(faculty, person):
    owner = person(Role.APPLICANT, email="owner@example.org")
    _invitation, token = invite_and_read_token(faculty, "OWNER@example.org", roles=[Role.PANELLIST])
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_with_new_account(
            token, full_name="Impostor", password="a-long-Passphrase-42"
        )
    assert refused.value.reason == InvitationRefused.ACCOUNT_EXISTS
    assert owner.check_password("correct-horse-battery-staple")
    assert User.objects.filter(email__iexact="owner@example.org").count() == 1


def test_the_funder_role_is_scoped_to_the_funder_named(faculty):
    mine, theirs = FunderFactory(), FunderFactory()
    _invitation, token = invite_and_read_token(faculty, roles=[Role.FUNDER], funder=mine)
    user = invitations.accept_with_new_account(
        token, full_name="Funder Contact", password="a-long-Passphrase-42"
    )
    user.forget_roles()
    assert user.funder_ids == {mine.pk}
    assert user.has_perm("fellowship.view_funder", mine)
    assert not user.has_perm("fellowship.view_funder", theirs)


def test_a_faculty_invitation_dies_with_the_inviters_power_to_give_it(faculty):
    _invitation, token = invite_and_read_token(faculty, roles=[Role.FACULTY])
    RoleGrant.objects.filter(user=faculty, role=Role.FACULTY).delete()
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_with_new_account(
            token, full_name="Accomplice", password="a-long-Passphrase-42"
        )
    assert refused.value.reason == InvitationRefused.INVITER_CANNOT_GRANT
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_an_imported_fellow_is_linked_to_the_account_that_accepts(faculty):
    fellow = FellowFactory(user=None, full_name="", status=FellowStatus.GRADUATED)
    _invitation, token = invite_and_read_token(faculty, roles=[Role.ALUMNUS], fellow=fellow)
    assert f"fellowship record {fellow.ref}" in mail.outbox[-1].body
    user = invitations.accept_with_new_account(
        token, full_name="Old Fellow", password="a-long-Passphrase-42"
    )
    fellow.refresh_from_db()
    assert fellow.user == user and fellow.full_name == "Old Fellow"
    # Now it has an account, nobody can be invited to it again.
    with pytest.raises(ValidationError, match="already has an account"):
        invitations.invite("someone.else@example.org", [Role.ALUMNUS], by=faculty, fellow=fellow)


def test_a_fellow_record_taken_meanwhile_is_not_handed_to_a_second_account(faculty, person):
    fellow = FellowFactory(user=None)
    _first, first_token = invite_and_read_token(faculty, "first@example.org", fellow=fellow)
    _second, second_token = invite_and_read_token(faculty, "second@example.org", fellow=fellow)
    first = invitations.accept_with_new_account(
        first_token, full_name="First", password="a-long-Passphrase-42"
    )
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_with_new_account(
            second_token, full_name="Second", password="a-long-Passphrase-42"
        )
    assert refused.value.reason == InvitationRefused.FELLOW_TAKEN
    assert Fellow.objects.get(pk=fellow.pk).user == first
    assert not User.objects.filter(email="second@example.org").exists()  # rolled back whole


def test_a_fellow_record_needs_the_fellow_or_alumnus_role(faculty):
    with pytest.raises(ValidationError):
        invitations.invite(
            "x@example.org", [Role.PANELLIST], by=faculty, fellow=FellowFactory(user=None)
        )


def test_a_switched_off_account_cannot_accept(faculty, person):
    former = person(Role.APPLICANT, is_active=False)
    _invitation, token = invite_and_read_token(faculty, former.email, roles=[Role.SUPERVISOR])
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept(token, former)
    assert refused.value.reason == InvitationRefused.INACTIVE


# Many at once -----------------------------------------------------------------------------------


def test_a_bulk_invitation_counts_what_it_sent_and_what_it_could_not(faculty, person):
    holder = person(Role.FELLOW)
    cohort = CohortFactory()
    imported = FellowFactory(user=None, cohort=cohort)
    batch = run_batch_now(
        faculty,
        ["a@example.org", holder.email, "b@example.org"],
        fellows=[imported, None, None],
        description="Fellows of cohort",
    )
    assert (batch.done, batch.total, batch.sent_count) == (3, 3, 2)
    assert batch.is_finished
    assert batch.problems == [(holder.email, f"{holder.email} already has this role")]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert PersonInvitation.objects.get(email="a@example.org").fellow == imported
    assert PersonInvitation.objects.filter(batch=batch).count() == 2

    # Running the job again (a redelivered message) sends nothing more.
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations.run_batch(batch.pk)
    assert mail.outbox == []


def test_a_bulk_invitation_resends_a_pending_invitation_instead_of_duplicating(faculty):
    invite_and_read_token(faculty, "a@example.org")
    batch = run_batch_now(faculty, ["a@example.org"])
    assert batch.outcomes == [invitations.RESENT]
    assert PersonInvitation.objects.count() == 1


def test_a_bulk_job_picks_up_where_it_stopped(faculty):
    with TestCase.captureOnCommitCallbacks(execute=False):  # the job is queued, never run
        batch = invitations.start_batch(
            [("a@example.org", None), ("b@example.org", None)], [Role.FELLOW], by=faculty
        )
    InvitationBatch.objects.filter(pk=batch.pk).update(done=1, outcomes=[invitations.INVITED])
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = invitations.run_batch(batch.pk)
    assert (batch.done, batch.is_finished) == (2, True)
    assert [m.to for m in mail.outbox] == [["b@example.org"]]


def test_a_bulk_invitation_refuses_too_many_or_none(faculty, settings):
    with pytest.raises(ValidationError):
        invitations.start_batch([], [Role.FELLOW], by=faculty)
    too_many = [(f"p{n}@example.org", None) for n in range(invitations.MAX_BATCH + 1)]
    with pytest.raises(ValidationError):
        invitations.start_batch(too_many, [Role.FELLOW], by=faculty)
    assert not InvitationBatch.objects.exists()


def test_accept_page_link_is_built_from_the_site_address(faculty, settings):
    settings.SITE_URL = "https://fellowship.example.nhs.uk"
    _invitation, token = invite_and_read_token(faculty)
    assert (
        f"https://fellowship.example.nhs.uk{reverse('invitation_accept', args=[token])}"
        in mail.outbox[-1].body
    )
