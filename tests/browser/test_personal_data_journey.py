"""A person downloads their own data; then, at their request, a data officer finds them, reads what
the erasure will do, confirms it, and the person can no longer sign in."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from fellowship.enums import Role
from fellowship.models import Erasure, User

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "marisol.quennell@nhs.example"


def test_a_person_downloads_their_data_and_is_later_erased_on_request(live_server, page, tmp_path):
    base = live_server.url
    fellow_user = make_person(Role.FELLOW, email=EMAIL, full_name="Marisol Quennell")
    FellowFactory(user=fellow_user, cohort=CohortFactory(number=4), full_name="Marisol Quennell")
    officer = make_person(Role.FACULTY, full_name="Dana Officer")
    # get_or_create: a transactional test earlier in the run may have flushed the permission rows.
    permission, _ = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Erasure),
        codename="manage_personal_data",
        defaults={"name": "Can export and erase a person's data, and apply retention"},
    )
    officer.user_permissions.add(permission)
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    # The person's own copy, from the header's "Your data".
    sign_in(page, base, fellow_user)
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    screenshot("your-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data (ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        assert EMAIL.encode() in archive.read("account.json")
    sign_out(page, base)

    # The data officer, at the person's request.
    sign_in(page, base, officer, mfa=True)
    page.goto(f"{base}/people/")
    page.get_by_role("link", name="Requests about a person's data").click()
    page.get_by_label("E-mail address of the person").fill(EMAIL)
    page.get_by_role("button", name="Find the person").click()
    expect(
        page.get_by_role("heading", name=f"What the service holds about {EMAIL}")
    ).to_be_visible()
    screenshot("found")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("table", name="What the erasure does")).to_contain_text(
        "Fellow records"
    )
    screenshot("confirm")
    # Without the confirmation box, nothing happens and the error says why.
    page.get_by_label("Who asked for the erasure, and how").fill("the person, by e-mail")
    page.get_by_label("Date the request was received").fill("2026-11-30")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that you understand")
    assert User.objects.filter(email=EMAIL).exists()
    page.get_by_label(
        "I understand that the person's identity and files are removed for good"
    ).check()
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("The person is erased")).to_be_visible()
    erasure = Erasure.objects.get()
    expect(page.get_by_role("table", name="Erasures carried out")).to_contain_text(
        erasure.pseudonym
    )
    screenshot("erased")
    assert not User.objects.filter(email=EMAIL).exists()
