"""From an interviewed candidate to an accepted offer: faculty (with their authenticator code) rank
and make the offer; the candidate follows the e-mailed link, accepts and is now a fellow."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Profession, Role
from fellowship.models import Fellow
from recruitment.enums import Stage
from recruitment.models import ConsensusScore, Offer

from ..conftest import make_person
from ..factories import (
    CriterionFactory,
    FundedPostFactory,
    FunderFactory,
    RegionFactory,
    RoundFactory,
    submitted,
)
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def interviewed(rnd, region, criteria, scores, *, name, agreer):
    application = submitted(round=rnd, applicant=make_person(Role.APPLICANT, full_name=name))
    application.region = region
    application.profession = Profession.MEDICINE
    application.specialty = "Radiology"
    application.stage = Stage.INTERVIEWED
    application.furthest_stage = Stage.INTERVIEWED
    application.save()
    for criterion, score in zip(criteria, scores, strict=True):
        ConsensusScore.objects.create(
            application=application, criterion=criterion, score=score, by=agreer
        )
    return application


def test_faculty_offer_and_candidate_accepts(live_server, page, tmp_path):
    base = live_server.url
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    now = timezone.now()
    region = RegionFactory(name="North East")
    rnd = RoundFactory(
        name="Cohort 9 national recruitment",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        appointable_score=4,
    )
    criteria = [
        CriterionFactory(round=rnd, title="Leadership", position=1),
        CriterionFactory(round=rnd, title="Digital skills", position=2),
    ]
    funder = FunderFactory(name="Health Education North")
    FundedPostFactory(cohort=rnd.cohort, region=region, funder=funder, places=1)
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    panellist = make_person(Role.PANELLIST)
    candidate = interviewed(rnd, region, criteria, [4, 3], name="Avery Candidate", agreer=panellist)
    interviewed(rnd, region, criteria, [3, 3], name="Blake Reserve", agreer=panellist)

    # Faculty see the ranking and make the offer to the first.
    sign_in(page, base, faculty, mfa=True)
    page.goto(base + f"/recruitment/rounds/{rnd.pk}/offers/")
    expect(page.get_by_role("heading", name="Offers")).to_be_visible()
    expect(page.locator("tr", has_text="Avery Candidate")).to_contain_text("7")
    expect(page.locator("tr", has_text="Blake Reserve")).to_contain_text("6")
    screenshot("ranking")
    page.get_by_role("button", name="Make an offer to Avery Candidate").click()
    expect(page.get_by_text("Offer made to Avery Candidate")).to_be_visible()
    expect(page.locator("tr", has_text="Avery Candidate")).to_contain_text("Waiting for a reply")
    screenshot("offer-made")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")

    # The candidate follows the link in the e-mail and accepts.
    offer = Offer.objects.get(application=candidate)
    (email,) = [m for m in mail.outbox if m.to == [candidate.applicant.email]]
    path = f"/offers/{offer.pk}/"
    assert path in email.body
    sign_in(page, base, candidate.applicant)
    page.goto(base + path)
    expect(
        page.get_by_role("heading", name="We are offering you a fellowship post")
    ).to_be_visible()
    expect(page.get_by_text("Health Education North")).to_be_visible()
    screenshot("offer")
    page.get_by_label("Yes, I accept the offer").check()
    page.get_by_role("button", name="Send my reply").click()
    expect(page.get_by_role("heading", name="You are now a fellow")).to_be_visible()
    screenshot("accepted")

    fellow = Fellow.objects.get(user=candidate.applicant)
    assert (fellow.region, fellow.funder, fellow.specialty, fellow.profession) == (
        region,
        funder,
        "Radiology",
        Profession.MEDICINE,
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.APPOINTED
