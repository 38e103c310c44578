"""Accounts: sign-up by e-mail with verification, applicant by default, MFA for sensitive roles,
and login rate limits."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from fellowship.enums import Role
from fellowship.models import User

from ..conftest import current_code
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the request's transaction to commit (the outbox
    sending its e-mail), as a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_up(client, email="new.person@example.org"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "full_name": "New Person",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )


def test_sign_up_needs_email_verification_and_makes_an_applicant(client, committed):
    with committed():  # the e-mail leaves the outbox once the sign-up is stored
        response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert user.full_name == "New Person"
    assert user.roles == {Role.APPLICANT}

    # Not verified yet: signing in leads back to the verification page, not the home page.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-Passphrase-42"}
    )
    assert response["Location"] == reverse("account_email_verification_sent")

    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 302
    assert user.emailaddress_set.get().verified


def test_sign_up_with_a_used_email_makes_no_second_account_and_tells_the_owner(client, committed):
    UserFactory(email="taken@example.org")
    with committed():
        response = sign_up(client, "taken@example.org")
    # The page does not reveal that the address is registered; the owner is told by e-mail.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert mail.outbox[-1].to == ["taken@example.org"]


def test_there_are_no_usernames(client):
    assert "username" not in client.get(reverse("account_signup")).content.decode().lower()


def test_verified_person_signs_in_with_email_and_reaches_home(client):
    user = UserFactory(roles=[Role.APPLICANT])
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert f"Hello, {user.get_short_name()}" in response.content.decode()


@pytest.mark.parametrize("role", [Role.FACULTY, Role.PANELLIST, Role.FUNDER])
def test_sensitive_roles_must_set_up_mfa_before_any_page(role, person, client):
    user = person(role, mfa=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    for name in ("home", "fellow_list", "funder_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # Setting up MFA asks for the password once more (allauth's reauthentication), then shows the QR code.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "authenticator" in page.content.decode().lower()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FELLOW, Role.SUPERVISOR, Role.ALUMNUS])
def test_other_roles_do_not_need_mfa(role, person, login):
    assert login(person(role, mfa=False)).get(reverse("home")).status_code == 200


def test_faculty_login_asks_for_the_authenticator_code(client, person):
    user = person(Role.FACULTY)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert (
        client.get(reverse("fellow_list")).status_code == 302
    )  # not signed in until the code is given

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: asked again

    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert client.get(reverse("fellow_list")).status_code == 200


def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    pages = [
        client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong"}
        ).content.decode()
        for _ in range(6)
    ]
    assert all("Too many failed login attempts" not in page for page in pages[:5])
    assert "Too many failed login attempts" in pages[5]
    # Even the right password is refused while the limit holds.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert (
        response.status_code == 200
        and "Too many failed login attempts" in response.content.decode()
    )
    assert client.get(reverse("fellow_list")).status_code == 302


def test_too_many_login_requests_from_one_address_get_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post(
            reverse("account_login"), {"login": f"x{n}@example.org", "password": "x"}
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_password_reset_sends_a_link(client, committed):
    user = UserFactory()
    with committed():
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_code_from_the_neighbouring_30_second_step_is_accepted_but_not_older():
    """A code typed just as its step ends still works (one step each way, RFC 6238 5.2)."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value, validate_totp_code

    from ..conftest import TOTP_SECRET

    step = int(time.time()) // 30

    def code(counter: int) -> str:
        return f"{hotp_value(TOTP_SECRET, counter):06d}"

    assert validate_totp_code(TOTP_SECRET, code(step - 1))
    assert validate_totp_code(TOTP_SECRET, code(step + 1))
    # A code from a minute and a half ago is refused.
    assert not validate_totp_code(TOTP_SECRET, code(int(time.time()) // 30 - 3))
