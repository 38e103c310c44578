"""Accounts: sign-up by e-mail with verification, applicant by default, MFA for sensitive roles,
and login rate limits."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.urls import reverse

from fellowship.enums import Role
from fellowship.models import User

from ..conftest import TOTP_SECRET
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email="new.person@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "full_name": "New Person", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"},
    )


def test_sign_up_needs_email_verification_and_makes_an_applicant(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert user.full_name == "New Person"
    assert user.roles == {Role.APPLICANT}

    # Not verified yet: signing in leads back to the verification page, not the home page.
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "a-long-Passphrase-42"})
    assert response["Location"] == reverse("account_email_verification_sent")

    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 302
    assert user.emailaddress_set.get().verified


def test_sign_up_with_a_used_email_is_refused(client):
    UserFactory(email="taken@example.org")
    response = sign_up(client, "taken@example.org")
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert User.objects.filter(email="taken@example.org").count() == 1


def test_there_are_no_usernames(client):
    assert "username" not in client.get(reverse("account_signup")).content.decode().lower()


def test_verified_person_signs_in_with_email_and_reaches_home(client):
    user = UserFactory(roles=[Role.APPLICANT])
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert f"Hello, {user.get_short_name()}" in response.content.decode()


@pytest.mark.parametrize("role", [Role.FACULTY, Role.PANELLIST, Role.FUNDER])
def test_sensitive_roles_must_set_up_mfa_before_any_page(role, person, login):
    user = person(role, mfa=False)
    c = login(user)
    for name in ("home", "fellow_list", "funder_list"):
        response = c.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert c.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FELLOW, Role.SUPERVISOR, Role.ALUMNUS])
def test_other_roles_do_not_need_mfa(role, person, login):
    assert login(person(role, mfa=False)).get(reverse("home")).status_code == 200


def current_code() -> str:
    counter = list(yield_hotp_counters_from_time())[1]
    return f"{hotp_value(TOTP_SECRET, counter):06d}"


def test_faculty_login_asks_for_the_authenticator_code(client, person):
    user = person(Role.FACULTY)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in until the code is given

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: asked again

    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert client.get(reverse("fellow_list")).status_code == 200


def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    statuses = [
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"}).status_code for _ in range(7)
    ]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]
    # Even the right password is refused while the limit holds.
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 429


def test_password_reset_sends_a_link(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
