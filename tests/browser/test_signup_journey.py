"""A newcomer signs up, verifies their e-mail from the outbox, signs in and reaches home."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from .helpers import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_and_reach_home(live_server, page, tmp_path):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create an account").first.click()

    page.get_by_label("Email address").fill("browser.person@example.org")
    page.get_by_label("Full name").fill("Browser Person")
    page.get_by_label("Password", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-42")
    check_page(page, "1-sign-up", tmp_path)
    page.get_by_role("button", name=re.compile("Sign up|Create", re.I)).click()

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    check_page(page, "2-verify-your-email", tmp_path)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(live_server.url + "/")
    check_page(page, "3-home", tmp_path)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Browser"

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("browser.person@example.org")
    page.get_by_label("Password").fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert "Apply for the fellowship" in page.content()
    check_page(page, "4-signed-in-again", tmp_path)
    assert (tmp_path / "3-home.png").stat().st_size > 0
