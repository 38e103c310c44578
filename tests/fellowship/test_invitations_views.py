"""Invitations, the pages: faculty invite, resend and revoke; nobody else reaches those pages, by
link or by edited URL; the person invited accepts by the e-mailed link and nothing else."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import InvitationState, Role
from fellowship.models import Fellow, InvitationBatch, PersonInvitation, User

from ..conftest import ROLE_NAMES
from ..factories import PASSWORD, CohortFactory, FellowFactory, FunderFactory
from .test_invitations import invite_and_read_token, read_link, run_batch_now

pytestmark = pytest.mark.django_db

NOT_FACULTY = [r for r in ROLE_NAMES if r != Role.FACULTY] + ["outsider"]


@pytest.fixture
def faculty(role_users):
    return role_users["faculty"]


@pytest.fixture
def pending(faculty):
    """An invitation another faculty member sent, and its token."""
    return invite_and_read_token(faculty, "pending@example.org")


# Who reaches the faculty pages ------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_FACULTY)
def test_nobody_but_faculty_reaches_any_invitation_page(role, role_users, login, pending):
    invitation, _ = pending
    batch = run_batch_now(role_users["faculty"], ["batch@example.org"])
    c = login(role_users[role])
    pages = [
        reverse("invitation_list"),
        reverse("invitation_list") + "?state=all",
        reverse("invitation_create"),
        reverse("invitation_create") + "?role=faculty",
        reverse("invitation_bulk"),
        reverse("invitation_batch", args=[batch.pk]),
    ]
    assert {url: c.get(url).status_code for url in pages} == dict.fromkeys(pages, 403)
    posts = {
        reverse("invitation_create"): {"email": "mine@example.org", "roles": ["faculty"]},
        reverse("invitation_bulk"): {"roles": ["faculty"], "people": "mine@example.org"},
        reverse("invitation_resend", args=[invitation.pk]): {},
        reverse("invitation_revoke", args=[invitation.pk]): {},
    }
    assert {url: c.post(url, data).status_code for url, data in posts.items()} == dict.fromkeys(
        posts, 403
    )
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING and invitation.send_count == 1
    assert PersonInvitation.objects.count() == 2  # the pending one and the batch's, nothing new
    assert InvitationBatch.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, pending):
    invitation, _ = pending
    for url in (reverse("invitation_list"), reverse("invitation_revoke", args=[invitation.pk])):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("account_login")
        )
    assert PersonInvitation.objects.get().state == InvitationState.PENDING


def test_faculty_may_revoke_or_resend_a_colleagues_invitation_by_its_url(
    person, login, pending, django_capture_on_commit_callbacks
):
    invitation, old_token = pending
    colleague = login(person(Role.FACULTY))
    assert colleague.get(reverse("invitation_revoke", args=[invitation.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = colleague.post(
            reverse("invitation_resend", args=[invitation.pk]), {"state": "pending"}
        )
    assert response.status_code == 302 and response["Location"].endswith("?state=pending")
    assert read_link("pending@example.org")[1] != old_token
    colleague.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert PersonInvitation.objects.get().state == InvitationState.REVOKED
    # Revoking again, or resending what is revoked, explains itself rather than failing.
    page = colleague.post(reverse("invitation_revoke", args=[invitation.pk]), follow=True)
    assert page.status_code == 200 and "already revoked" in page.content.decode()


def test_an_edited_url_for_an_invitation_that_does_not_exist_is_404(login, faculty):
    c = login(faculty)
    assert c.post(reverse("invitation_revoke", args=[999999])).status_code == 404
    assert c.get(reverse("invitation_batch", args=[999999])).status_code == 404


# Inviting through the pages ---------------------------------------------------------------------


def test_faculty_invite_one_person_and_the_email_goes_out(
    login, faculty, django_capture_on_commit_callbacks
):
    c = login(faculty)
    funder = FunderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            reverse("invitation_create"),
            {"email": "contact@example.org", "roles": ["funder"], "funder": funder.pk},
        )
    assert response.status_code == 302
    invitation = PersonInvitation.objects.get()
    assert (invitation.email, invitation.roles, invitation.funder) == (
        "contact@example.org",
        ["funder"],
        funder,
    )
    assert mail.outbox[-1].to == ["contact@example.org"] and "Funder" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    "data",
    [
        {"email": "x@example.org", "roles": ["funder"]},
        {"email": "x@example.org", "roles": ["panellist"], "funder": "FUNDER"},
        {"email": "x@example.org", "roles": ["applicant"]},
        {"email": "x@example.org", "roles": ["supervisor"], "fellow": "FELLOW"},
        {"email": "not an address", "roles": ["fellow"]},
    ],
)
def test_the_invite_form_explains_what_is_wrong(login, faculty, data):
    data = {
        k: (
            str(FunderFactory().pk)
            if v == "FUNDER"
            else str(FellowFactory(user=None).pk)
            if v == "FELLOW"
            else v
        )
        for k, v in data.items()
    }
    response = login(faculty).post(reverse("invitation_create"), data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not PersonInvitation.objects.exists()


def test_an_entry_point_fills_in_the_form(login, faculty):
    fellow = FellowFactory(user=None, status="graduated")
    funder = FunderFactory()
    c = login(faculty)
    page = c.get(reverse("invitation_create") + f"?fellow={fellow.pk}").content.decode()
    assert 'value="alumnus" checked' in page and 'value="fellow" checked' not in page
    assert f'<option value="{fellow.pk}" selected>' in page
    page = c.get(reverse("invitation_create") + f"?role=funder&funder={funder.pk}").content.decode()
    assert f'<option value="{funder.pk}" selected>' in page
    # Nonsense in the query string is ignored, not a 500.
    for query in (
        "?fellow=99999999999999999999",
        "?role=superuser",
        "?funder=-1",
        "?fellow=%C2%B2",
    ):
        assert c.get(reverse("invitation_create") + query).status_code == 200


def test_bulk_invite_fellows_of_a_cohort_by_reference(
    login, faculty, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    one, two = FellowFactory(user=None, cohort=cohort), FellowFactory(user=None, cohort=cohort)
    c = login(faculty)
    page = c.get(
        reverse("invitation_bulk") + f"?cohort={cohort.number}&role=fellow"
    ).content.decode()
    assert one.ref in page and two.ref in page
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            reverse("invitation_bulk"),
            {
                "roles": ["fellow"],
                "people": f"{one.ref}, one@example.org\n\n{two.ref}\ttwo@example.org\nthree@example.org\n",
                "description": f"Fellows of {cohort}",
            },
        )
    batch = InvitationBatch.objects.get()
    assert response["Location"] == reverse("invitation_batch", args=[batch.pk])
    assert (batch.done, batch.total, batch.sent_count) == (3, 3, 3)
    assert PersonInvitation.objects.get(email="two@example.org").fellow == two
    page = c.get(response["Location"]).content.decode()
    assert "3 of 3 done" in page and f"Fellows of {cohort}" in page


@pytest.mark.parametrize(
    ("people", "problem"),
    [
        ("NO-SUCH-REF, a@example.org", "no fellow with the reference NO-SUCH-REF"),
        ("a@example.org\nA@example.org", "given twice"),
        ("not-an-address", "correct format"),
        ("one two three", "Line 1"),
        ("   \n  ", "required"),
    ],
)
def test_bulk_invite_refuses_a_bad_list_before_sending_anything(login, faculty, people, problem):
    response = login(faculty).post(
        reverse("invitation_bulk"), {"roles": ["fellow"], "people": people}
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not InvitationBatch.objects.exists() and mail.outbox == []


def test_the_list_filters_by_state_and_pins_its_queries(login, faculty, person):
    for n in range(3):
        invite_and_read_token(
            faculty, f"pending{n}@example.org", roles=[Role.FUNDER], funder=FunderFactory()
        )
    revoked, _ = invite_and_read_token(
        faculty, "revoked@example.org", fellow=FellowFactory(user=None)
    )
    revoked.revoked_at = timezone.now()
    revoked.save()
    c = login(faculty)
    pending_page = c.get(reverse("invitation_list")).content.decode()
    assert "pending0@example.org" in pending_page and "revoked@example.org" not in pending_page
    revoked_page = c.get(reverse("invitation_list") + "?state=revoked").content.decode()
    assert "revoked@example.org" in revoked_page and "pending0@example.org" not in revoked_page
    assert c.get(reverse("invitation_list") + "?state=<script>").status_code == 200

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert c.get(reverse("invitation_list") + "?state=all").status_code == 200
        return len(captured)

    few = queries()
    for n in range(5):
        invite_and_read_token(
            faculty, f"more{n}@example.org", roles=[Role.FUNDER], funder=FunderFactory()
        )
    assert queries() == few


# Accepting through the page ---------------------------------------------------------------------


def test_a_new_person_sets_a_password_and_lands_home_with_the_role(client, faculty):
    _invitation, _token = invite_and_read_token(faculty, roles=[Role.SUPERVISOR])
    path, _ = read_link("new.person@example.org")
    response = client.post(
        path,
        {
            "full_name": "Dr New",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Hello, New" in home.content.decode()
    user = User.objects.get(email="new.person@example.org")
    assert user.roles == {Role.SUPERVISOR}
    # The link now says it has been used.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "has been accepted" in again.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {
            "full_name": "New",
            "password1": "a-long-Passphrase-42",
            "password2": "different-Passphrase-42",
        },
        {"full_name": "New", "password1": "short", "password2": "short"},
        {
            "full_name": "New",
            "password1": "new.person@example.org",
            "password2": "new.person@example.org",
        },
        {
            "full_name": "   ",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    ],
)
def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(client, faculty, data):
    invite_and_read_token(faculty)
    path, _ = read_link("new.person@example.org")
    response = client.post(path, data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert PersonInvitation.objects.get().state == InvitationState.PENDING


def test_someone_with_an_account_signs_in_first_and_comes_back(client, faculty, person):
    applicant = person(Role.APPLICANT)
    invite_and_read_token(faculty, applicant.email, roles=[Role.SUPERVISOR])
    path, _ = read_link(applicant.email)
    page = client.get(path)
    assert (
        "Sign in to accept" in page.content.decode()
        and "Create your account" not in page.content.decode()
    )
    # Posting a new password for the existing address changes nothing.
    client.post(
        path,
        {
            "full_name": "X",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert not User.objects.get(pk=applicant.pk).check_password("a-long-Passphrase-42")
    signed_in = client.post(
        reverse("account_login") + f"?next={path}", {"login": applicant.email, "password": PASSWORD}
    )
    assert signed_in["Location"] == path
    assert "Accept invitation" in client.get(path).content.decode()
    assert client.post(path)["Location"] == reverse("home")
    applicant.forget_roles()
    assert applicant.roles == {Role.APPLICANT, Role.SUPERVISOR}


def test_a_signed_in_person_with_another_address_is_refused(login, faculty, person):
    invite_and_read_token(faculty, "invited@example.org", roles=[Role.PANELLIST])
    path, _ = read_link("invited@example.org")
    intruder = person(Role.FELLOW)
    c = login(intruder)
    for response in (c.get(path), c.post(path)):
        assert response.status_code == 403
        assert "for someone else" in response.content.decode()
        assert "invited@example.org" not in response.content.decode()  # the page does not reveal it
    intruder.forget_roles()
    assert intruder.roles == {Role.FELLOW}
    assert PersonInvitation.objects.get().state == InvitationState.PENDING


def test_a_bad_link_gets_a_clear_page_not_an_error(client, faculty):
    invitation, token = invite_and_read_token(faculty)
    assert client.get(reverse("invitation_accept", args=["nonsense"])).status_code == 404
    assert client.get(reverse("invitation_accept", args=[token[:-2]])).status_code == 404
    assert client.get("/invitation/%00" + token + "/").status_code == 404
    assert client.post(reverse("invitation_accept", args=["x" * 5000])).status_code == 404
    PersonInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    expired = client.get(reverse("invitation_accept", args=[token]))
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    PersonInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    revoked = client.post(reverse("invitation_accept", args=[token]), {"full_name": "X"})
    assert revoked.status_code == 410 and "withdrawn" in revoked.content.decode()


@pytest.mark.parametrize("role", [Role.PANELLIST, Role.FUNDER, Role.FACULTY])
def test_accepting_a_role_that_needs_mfa_leads_to_mfa_set_up_first(client, faculty, role):
    funder = FunderFactory() if role == Role.FUNDER else None
    invite_and_read_token(faculty, roles=[role], funder=funder)
    path, _ = read_link("new.person@example.org")
    client.post(
        path,
        {
            "full_name": "New",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    for name in ("home", "fellow_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_an_imported_fellow_accepts_and_sees_their_own_record(client, faculty):
    fellow = FellowFactory(user=None, full_name="")
    invite_and_read_token(faculty, roles=[Role.FELLOW], fellow=fellow)
    path, _ = read_link("new.person@example.org")
    client.post(
        path,
        {
            "full_name": "Nia Fellow",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert Fellow.objects.get(pk=fellow.pk).user.email == "new.person@example.org"
    assert client.get(reverse("fellow_detail", args=[fellow.pk])).status_code == 200


# Entry points -----------------------------------------------------------------------------------


def test_entry_points_are_offered_to_faculty_only(login, role_users, faculty):
    funder = role_users["funder"].role_grants.get(role=Role.FUNDER).funder
    imported = FellowFactory(user=None)
    c = login(faculty)
    assert (
        f"{reverse('invitation_create')}?fellow={imported.pk}"
        in c.get(reverse("fellow_list")).content.decode()
    )
    assert (
        "Invite a contact for this funder"
        in c.get(reverse("funder_detail", args=[funder.pk])).content.decode()
    )
    assert "Invite someone" in c.get(reverse("person_list")).content.decode()
    funder_page = (
        login(role_users["funder"]).get(reverse("funder_detail", args=[funder.pk])).content.decode()
    )
    assert "Invite a contact" not in funder_page
