"""An alumnus offers to mentor, an incoming fellow asks for a mentor, faculty run the assignment,
read why the pair was made and publish it; the fellow then sees their mentor."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from fellowship.enums import FellowStatus, MentoringStatus, Role
from fellowship.models import MentorPairing
from projects.models import ClinicalDomain

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, RegionFactory
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offer_ask_assign_and_publish(live_server, page, tmp_path):
    base = live_server.url
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    earlier, incoming = CohortFactory(number=3), CohortFactory(number=4)
    london, wales = RegionFactory(name="London"), RegionFactory(name="Wales")
    alumnus = make_person(Role.ALUMNUS, full_name="Harriet Voss")
    FellowFactory(
        user=alumnus,
        full_name="Harriet Voss",
        cohort=earlier,
        status=FellowStatus.GRADUATED,
        region=london,
        specialty="Haematology",
    )
    fellow = make_person(Role.FELLOW, full_name="Imogen Castellano")
    FellowFactory(
        user=fellow,
        full_name="Imogen Castellano",
        cohort=incoming,
        region=london,
        specialty="Haematology",
    )
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    # Transactional tests empty the seeded domains: make the ones the offer form lists.
    for name in ("Haematology", "Radiology"):
        ClinicalDomain.objects.get_or_create(name=name)
    assert wales and incoming

    # The alumnus offers to mentor one fellow of the incoming cohort.
    sign_in(page, base, alumnus)
    page.get_by_role("link", name="Offer to mentor a fellow of Cohort 4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Offer to mentor a fellow of Cohort 4"
    )
    page.get_by_label("1 fellow", exact=True).check()
    expect(page.get_by_label("Your region")).to_have_value(str(london.pk))
    # The managed list of clinical domains shows as checkboxes; anything else goes in the box.
    page.get_by_label("Haematology", exact=True).check()
    page.get_by_label("Other AI project domains").fill("Pathology")
    screenshot("offer")
    page.get_by_role("button", name="Offer to mentor").click()
    expect(page.get_by_text("Your offer to mentor fellows of Cohort 4 is saved")).to_be_visible()
    sign_out(page, base)

    # The fellow asks for a mentor, saying the specialty matters most.
    sign_in(page, base, fellow)
    page.get_by_role("link", name="Ask for a mentor").click()
    page.get_by_role(
        "group", name="How much does it matter that your mentor works in your region?"
    ).get_by_label("Matters a little").check()
    page.get_by_role(
        "group", name="How much does it matter that your mentor shares your clinical specialty?"
    ).get_by_label("Matters most").check()
    page.get_by_role(
        "group", name="How much does it matter that your mentor knows your AI project domain?"
    ).get_by_label("Matters", exact=True).check()
    page.get_by_label("Your AI project domain").fill("Haematology")
    screenshot("request")
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_text("Your request for a mentor is saved")).to_be_visible()
    sign_out(page, base)

    # Faculty run the assignment, read why the pair was made, and publish.
    sign_in(page, base, faculty, mfa=True)
    page.goto(base + "/programme/mentoring/")
    page.get_by_role("link", name="Cohort 4").click()
    page.get_by_role("button", name="Run the assignment").click()
    expect(page.get_by_text("The assignment proposed a mentor for 1 of 1 fellow")).to_be_visible()
    pair_row = page.locator("#pairs tr", has_text="Imogen Castellano")
    expect(pair_row).to_contain_text("Harriet Voss")
    expect(pair_row).to_contain_text(
        "Same region (London), clinical specialty (Haematology) and domain (Haematology)"
    )
    expect(page.locator("#sharing")).to_contain_text("at least one of these 1 of 1")
    screenshot("proposed")
    page.get_by_role("button", name="Publish 1 pair").click()
    expect(page.get_by_text("1 pair published")).to_be_visible()
    screenshot("published")
    assert MentorPairing.objects.get().status == MentoringStatus.PUBLISHED
    assert {m.to[0] for m in mail.outbox} >= {alumnus.email, fellow.email}
    sign_out(page, base)

    # The fellow sees their mentor and how to contact them.
    sign_in(page, base, fellow)
    expect(page.get_by_text("Your mentor is Harriet Voss")).to_be_visible()
    page.get_by_role("link", name="See your mentoring").click()
    expect(page.get_by_role("link", name=alumnus.email)).to_be_visible()
    screenshot("mentor")
