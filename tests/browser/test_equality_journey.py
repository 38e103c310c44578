"""A manager gives a colleague equality monitoring with the keyboard; the colleague reads a closed
round's figures and their footnotes; a faculty member without it is told why they cannot lower the
report's threshold. Every page is checked for accessibility."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Role
from recruitment.enums import Stage
from recruitment.models import EqualityRecord

from ..conftest import make_person
from ..factories import ApplicationFactory, RoundFactory
from ..reports.history import load_small_history
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_give_access_read_the_figures_and_be_refused_a_lower_threshold(live_server, page, tmp_path):
    base = live_server.url
    load_small_history()
    manager = make_person(Role.FACULTY, full_name="Mona Manager")
    manager.user_permissions.add(Permission.objects.get(codename="manage_equality_access"))
    colleague = make_person(Role.FACULTY, full_name="Cal Colleague")
    rnd = RoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=20),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    # Only "not stated" (2) is small, so the totals would give it away: one more count is [c].
    for sex, n in (("female", 9), ("male", 8), ("non_binary", 6), ("other", 5), ("", 2)):
        for _ in range(n):
            application = ApplicationFactory(
                round=rnd, stage=Stage.SUBMITTED, furthest_stage=Stage.SUBMITTED
            )
            EqualityRecord.objects.create(application=application, sex=sex)
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    # The manager gives the colleague access, with the keyboard only.
    sign_in(page, base, manager, mfa=True)
    page.goto(f"{base}/people/{colleague.pk}/")
    checkbox = page.get_by_label("Can see equality monitoring")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.get_by_role("button", name="Save equality monitoring access").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Cal Colleague can now see equality monitoring")).to_be_visible()
    screenshot("access-given")
    page.goto(f"{base}/people/{manager.pk}/")
    expect(page.get_by_text("Nobody can change their own access")).to_be_visible()
    sign_out(page, base)

    # The colleague follows the round page's link to its figures.
    sign_in(page, base, colleague, mfa=True)
    page.goto(f"{base}/recruitment/rounds/{rnd.pk}/")
    page.get_by_role("link", name="equality monitoring").click()
    table = page.get_by_role("table", name="Applications reaching each stage, by sex", exact=True)
    expect(table).to_contain_text("[c]")
    expect(table).to_contain_text("<5")
    expect(page.get_by_text("[c] means a count hidden").first).to_be_visible()
    screenshot("equality-figures")
    sign_out(page, base)

    # Faculty without the permission cannot see every count by editing the preview's URL.
    other = make_person(Role.FACULTY, full_name="Otto Other")
    sign_in(page, base, other, mfa=True)
    response = page.goto(f"{base}/reports/preview/2/?suppress_below=0")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot choose another threshold for equality counts"
    )
    screenshot("threshold-refused")
