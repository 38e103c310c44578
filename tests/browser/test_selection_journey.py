"""From the shortlist to an accepted offer: faculty (with their authenticator code) make
the shortlist; a panellist scores the shortlisted candidate on their panel and records the panel's
agreed scores; faculty make the offer; the candidate accepts and is now a fellow."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Profession, Role
from fellowship.models import Fellow
from recruitment import interviews, shortlisting
from recruitment.enums import OfferState, Stage
from recruitment.models import InterviewPanel, Offer, ReviewerAssignment

from ..conftest import make_person
from ..factories import (
    CriterionFactory,
    FundedPostFactory,
    FunderFactory,
    RegionFactory,
    RoundFactory,
    submitted,
)
from .helpers import check_page, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def applied(rnd, region, name: str):
    application = submitted(round=rnd, applicant=make_person(Role.APPLICANT, full_name=name))
    application.region = region
    application.profession = Profession.MEDICINE
    application.specialty = "Radiology"
    application.save()
    return application


def test_shortlist_interview_offer_and_acceptance(live_server, page, tmp_path):
    base = live_server.url
    shot = iter(range(1, 100))

    def screenshot(name, readme=""):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path, readme=readme)

    now = timezone.now()
    region = RegionFactory(name="North West")
    rnd = RoundFactory(
        name="National recruitment",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=14),
        appointable_score=4,
    )
    criteria = [
        CriterionFactory(round=rnd, title="Leadership", position=1),
        CriterionFactory(round=rnd, title="Digital skills", position=2),
    ]
    funder = FunderFactory(name="Health Education North West")
    FundedPostFactory(cohort=rnd.cohort, region=region, funder=funder, places=1)
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    panellist = make_person(Role.PANELLIST, full_name="Pat Panellist")
    colleague = make_person(Role.PANELLIST, full_name="Quinn Colleague")
    candidate = applied(rnd, region, "Avery Candidate")
    other = applied(rnd, region, "Blake Other")

    # Two reviewers each, and their scores of the written applications.
    shortlisting.assign_reviewers(rnd, [panellist, colleague], by=faculty)
    for application, scores in ((candidate, (4, 3)), (other, (2, 2))):
        for reviewer in (panellist, colleague):
            assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
            shortlisting.save_scores(
                assignment,
                {c.pk: (s, "") for c, s in zip(criteria, scores, strict=True)},
                by=reviewer,
            )

    # Faculty see the scores side by side and shortlist the first only.
    sign_in(page, base, faculty, mfa=True)
    page.goto(base + f"/recruitment/rounds/{rnd.pk}/shortlisting/")
    expect(page.get_by_role("heading", name="Shortlisting", exact=True)).to_be_visible()
    expect(page.locator("tr", has_text=candidate.ref)).to_contain_text("7")
    expect(page.locator("tr", has_text=other.ref)).to_contain_text("4")
    screenshot("shortlisting")
    page.get_by_label(f"Shortlist {candidate.ref}").check()
    page.get_by_label(f"Shortlist {other.ref}").uncheck()
    page.get_by_role("button", name="Make the shortlist and email applicants").click()
    expect(page.get_by_text("1 shortlisted and 1 not shortlisted")).to_be_visible()
    screenshot("shortlisted")
    sign_out(page, base)
    candidate.refresh_from_db()
    other.refresh_from_db()
    assert (candidate.stage, other.stage) == (Stage.SHORTLISTED, Stage.UNSUCCESSFUL)

    # A panel with a slot for the candidate; the colleague has scored already.
    panel = interviews.save_panel(
        InterviewPanel(
            round=rnd, name="North West panel", date=timezone.localdate(), location="Room 1"
        ),
        [panellist, colleague],
        by=faculty,
    )
    (slot,) = interviews.add_slots(panel, start=datetime.time(10, 0), count=1, minutes=30)
    interviews.allocate(slot, candidate, by=faculty)
    interviews.save_scores(
        slot, {criteria[0].pk: (4, "Clear example"), criteria[1].pk: (3, "")}, by=colleague
    )

    # The panellist scores on their own, then records the scores the panel agreed.
    sign_in(page, base, panellist, mfa=True)
    page.goto(base + "/interviews/")
    expect(page.get_by_role("heading", name="North West panel")).to_be_visible()
    screenshot("my-interviews")
    page.get_by_role("link", name="Read the application and score").click()
    expect(page.get_by_role("heading", name=f"Avery Candidate ({candidate.ref})")).to_be_visible()
    page.get_by_label("Score for Leadership").select_option("4")
    page.get_by_label("Comment on Leadership").fill("Led a regional imaging change.")
    page.get_by_label("Score for Digital skills").select_option("4")
    screenshot("interview-score", readme="panellist-interview-score")
    page.get_by_role("button", name="Save my scores").click()
    expect(page.get_by_text("Your scores are saved")).to_be_visible()
    page.get_by_role("link", name="Agree the panel's scores").click()
    expect(page.get_by_role("heading", name=re.compile("Agreed scores for Avery"))).to_be_visible()
    # The radios' labels cover their inputs, so choose by clicking the label, as a person does.
    page.locator(f"label[for=id_score_{criteria[0].pk}_4]").click()
    page.locator(f"label[for=id_score_{criteria[1].pk}_3]").click()
    expect(page.locator(f"#id_score_{criteria[0].pk}_4")).to_be_checked()
    screenshot("consensus")
    page.get_by_role("button", name="Save the agreed scores").click()
    expect(page.get_by_text(f"Agreed scores for {candidate.ref} saved")).to_be_visible()
    sign_out(page, base)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.INTERVIEWED

    # Faculty make the offer from the ranking.
    sign_in(page, base, faculty, mfa=True)
    page.goto(base + f"/recruitment/rounds/{rnd.pk}/offers/")
    expect(page.get_by_role("heading", name="Offers")).to_be_visible()
    expect(page.locator("tr", has_text="Avery Candidate")).to_contain_text("7")
    screenshot("ranking")
    page.get_by_role("button", name="Make an offer to Avery Candidate").click()
    expect(page.get_by_text("Offer made to Avery Candidate")).to_be_visible()
    screenshot("offer-made")
    sign_out(page, base)

    # The candidate signs in and accepts; the home page shows their fellowship.
    offer = Offer.objects.get(application=candidate)
    sign_in(page, base, candidate.applicant)
    page.goto(base + f"/offers/{offer.pk}/")
    expect(
        page.get_by_role("heading", name="We are offering you a fellowship post")
    ).to_be_visible()
    screenshot("offer")
    page.get_by_label("Yes, I accept the offer").check()
    page.get_by_role("button", name="Send my reply").click()
    expect(page.get_by_role("heading", name="You are now a fellow")).to_be_visible()
    screenshot("accepted")

    fellow = Fellow.objects.get(user=candidate.applicant)
    assert (fellow.cohort, fellow.region, fellow.funder) == (rnd.cohort, region, funder)
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Your fellowship")).to_be_visible()
    expect(page.locator("dl", has_text="Cohort")).to_contain_text(str(rnd.cohort))
    expect(page.locator("dl", has_text="Region")).to_contain_text("North West")
    screenshot("home")
