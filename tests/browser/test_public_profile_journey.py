"""A fellow opts in to the fellows and alumni page from their portfolio, fills their public
profile, sees it on the public page (signed out), takes it off the website, and it is gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fellowship.enums import Role
from portfolio.models import WebsiteConsent

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, RegionFactory
from .helpers import check_page, sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_fellow_opts_in_sees_their_profile_withdraws_and_it_is_gone(live_server, page, tmp_path):
    base = live_server.url
    user = make_person(Role.FELLOW, full_name="Imogen Castellano")
    fellow = FellowFactory(
        user=user,
        cohort=CohortFactory(number=4),
        full_name="Imogen Castellano",
        region=RegionFactory(name="Thames Valley"),
    )
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    sign_in(page, base, user)
    page.goto(f"{base}/portfolio/fellows/{fellow.ref}/")
    page.get_by_role("link", name="Your public profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your public profile")
    expect(page.get_by_text("Your profile is not shown on the website.")).to_be_visible()
    page.get_by_label("My short biography").check()
    page.get_by_role("textbox", name="Short biography").fill(
        "Emergency physician leading an AI triage pilot."
    )
    page.get_by_label("My region").uncheck()
    page.get_by_label("Show my profile on the fellows and alumni page").check()
    screenshot("profile-form")
    page.get_by_role("button", name="Save public profile").click()
    expect(page.get_by_text("Your public profile has been saved")).to_be_visible()
    expect(page.get_by_text("Your profile is shown on the website.")).to_be_visible()
    assert WebsiteConsent.objects.current().filter(fellow=fellow).count() == 1

    sign_out(page, base)
    page.goto(f"{base}/fellows/")
    expect(page.get_by_role("heading", name="Imogen Castellano")).to_be_visible()
    expect(page.get_by_text("Emergency physician leading an AI triage pilot.")).to_be_visible()
    expect(page.get_by_text("Thames Valley")).to_have_count(0)
    expect(page.get_by_text(user.email)).to_have_count(0)
    screenshot("public-page")

    sign_in(page, base, user)
    page.goto(f"{base}/portfolio/fellows/{fellow.ref}/public-profile/")
    page.get_by_role("link", name="Take my profile off the website").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take your profile off the website?")
    screenshot("confirm-withdrawal")
    page.get_by_role("button", name="Take it off the website").click()
    expect(
        page.get_by_text("Your profile has been taken off the fellows and alumni page")
    ).to_be_visible()
    expect(page.get_by_text("Your profile is not shown on the website.")).to_be_visible()

    sign_out(page, base)
    page.goto(f"{base}/fellows/")
    expect(page.get_by_text("No fellows are shown yet")).to_be_visible()
    expect(page.get_by_text("Imogen Castellano")).to_have_count(0)
    screenshot("gone")
    assert not WebsiteConsent.objects.current().filter(fellow=fellow).exists()
