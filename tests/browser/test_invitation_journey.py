"""Faculty invite a fellow imported without an account; the fellow opens the link from the e-mail,
sets a password and lands on their home page as a fellow, linked to their fellowship record."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from fellowship.enums import Role
from fellowship.models import Fellow, User

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faculty_invite_a_fellow_who_accepts_and_reaches_home(live_server, page, tmp_path):
    base = live_server.url
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    imported = FellowFactory(
        ref="C4-017", full_name="Nia Okoro", user=None, cohort=CohortFactory(number=4)
    )

    # Faculty find the fellow without an account in the fellows list and invite her.
    sign_in(page, base, faculty, mfa=True)
    page.get_by_role("link", name="Fellows", exact=True).click()
    page.get_by_role("link", name="Invite Nia Okoro (C4-017) to make an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    expect(page.get_by_label("Fellow", exact=True)).to_be_checked()
    expect(page.get_by_label("Fellowship record")).to_have_value(str(imported.pk))
    page.get_by_label("Email address").fill("nia.okoro@example.org")
    check_page(page, "1-invite", tmp_path)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nia.okoro@example.org")).to_be_visible()
    expect(
        page.get_by_role(
            "cell", name="nia.okoro@example.org Fellowship record of Nia Okoro (C4-017)"
        )
    ).to_be_visible()
    check_page(page, "2-invitations", tmp_path)

    # Several supervisors at once: one background job, whose page counts what it sent.
    page.get_by_role("link", name="Invite several people").click()
    page.get_by_label("Supervisor", exact=True).check()
    page.get_by_label("People to invite").fill("ada@example.org\nbram@example.org\n")
    check_page(page, "2a-invite-several", tmp_path)
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations sent")
    expect(page.get_by_text("2 of 2 done")).to_be_visible()
    check_page(page, "2b-sent-together", tmp_path)
    sign_out(page, base)

    # The fellow opens the link in the e-mail, which names her role.
    message = next(m for m in mail.outbox if m.to == ["nia.okoro@example.org"])
    assert message.to == ["nia.okoro@example.org"] and "Fellow" in message.subject
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    page.get_by_label("Full name").fill("Nia Okoro")
    page.get_by_label("Create a password").fill("a-long-Passphrase-42")
    page.get_by_label("Type the password again").fill("a-long-Passphrase-42")
    check_page(page, "3-accept", tmp_path)
    page.get_by_role("button", name="Create account and accept").click()

    page.wait_for_url(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nia")
    expect(
        page.get_by_text("Your account is ready and you have accepted the invitation")
    ).to_be_visible()
    check_page(page, "4-home", tmp_path)
    user = User.objects.get(email="nia.okoro@example.org")
    assert user.roles == {Role.FELLOW}
    assert Fellow.objects.get(pk=imported.pk).user == user

    # The link has done its work: opening it again says so.
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation has been accepted")
