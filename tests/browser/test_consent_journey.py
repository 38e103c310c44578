"""A fellow sees the consent they gave for their testimonial, with the words they agreed to,
withdraws it after a confirmation page, and sees it marked withdrawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fellowship.enums import Role
from portfolio.enums import QuoteAs
from portfolio.models import Consent

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories import portfolio as factories
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fellow_sees_their_consent_withdraws_it_and_sees_it_withdrawn(live_server, page, tmp_path):
    base = live_server.url
    user = make_person(Role.FELLOW, full_name="Imogen Castellano")
    fellow = FellowFactory(user=user, cohort=CohortFactory(number=4), full_name="Imogen Castellano")
    factories.TestimonialFactory(
        fellow=fellow,
        text="The fellowship changed how my team adopts AI.",
        may_quote=True,
        quote_as=QuoteAs.NAMED,
        may_publish=True,
    )
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    sign_in(page, base, user)
    page.goto(f"{base}/portfolio/fellows/{fellow.ref}/#consents")
    expect(page.get_by_role("heading", name="Your consent")).to_be_visible()
    consents = page.get_by_role("table", name="Consents you have given, newest first")
    expect(consents).to_contain_text("I agree that the programme may quote my testimonial")
    expect(consents.get_by_text("Current")).to_have_count(2)
    screenshot("consents")

    page.get_by_role("link", name="Withdraw your consent to quote it in reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw your consent to quote it in reports?"
    )
    expect(page.get_by_text("Publishing on the website is withdrawn too")).to_be_visible()
    screenshot("confirm-withdrawal")
    page.get_by_role("button", name="Withdraw consent").click()

    page.wait_for_url(f"{base}/portfolio/fellows/{fellow.ref}/#consents")
    expect(page.get_by_text("You withdrew your consent to quote it in reports")).to_be_visible()
    expect(consents.get_by_text("Withdrawn")).to_have_count(2)
    expect(consents.get_by_role("link", name="Withdraw")).to_have_count(0)
    expect(page.get_by_text("You have not agreed to the programme quoting")).to_be_visible()
    screenshot("withdrawn")
    assert not Consent.objects.current().filter(testimonial__fellow=fellow).exists()
