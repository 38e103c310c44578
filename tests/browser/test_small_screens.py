"""On a 375 px phone the widest pages do not scroll sideways: wide tables scroll inside their own
focusable, labelled box, and words on the faculty's home tiles wrap whole, never mid-word."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fellowship.enums import Profession, Role
from recruitment import shortlisting
from recruitment.models import ReviewerAssignment

from ..conftest import make_person
from ..factories import (
    CriterionFactory,
    FundedPostFactory,
    RegionFactory,
    RoundFactory,
    submitted,
)
from .helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}

PAGE_WIDTH_JS = "() => document.documentElement.scrollWidth"

# Every wide box that scrolls sideways: its tag, whether it can take the keyboard focus (or holds
# something that can) and its accessible name.
SCROLLERS_JS = """() => [...document.querySelectorAll('.app-table-wrap')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => ({
    focusable: el.tabIndex >= 0 || !!el.querySelector('a[href], button, input, select, textarea'),
    role: el.getAttribute('role'),
    name: el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') &&
          document.getElementById(el.getAttribute('aria-labelledby'))?.textContent.trim()) || '',
  }))"""

# Words of the tiles' headings split across two lines: each word laid out in one box, or not.
BROKEN_WORDS_JS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def fits(page) -> None:
    """The page is no wider than the phone, and each wide table scrolls in a box a keyboard user
    can reach and a screen reader names."""
    width = page.evaluate(PAGE_WIDTH_JS)
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"
    for box in page.evaluate(SCROLLERS_JS):
        assert box["focusable"], f"a table on {page.url} scrolls but cannot take the focus"
        assert box["name"], f"a table's scrolling box on {page.url} has no name"


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def round_with_scores():
    """A closed round with five criteria, scored by two reviewers: the widest recruitment tables."""
    now = timezone.now()
    region = RegionFactory(name="North East and Yorkshire")
    rnd = RoundFactory(
        name="Cohort 9 national recruitment",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=14),
    )
    criteria = [
        CriterionFactory(round=rnd, title=title, position=n)
        for n, title in enumerate(
            [
                "Motivation and fit",
                "Leadership and change",
                "Digital and data skills",
                "Collaboration across organisations",
                "Communication with the public",
            ],
            start=1,
        )
    ]
    FundedPostFactory(cohort=rnd.cohort, region=region, places=1)
    faculty = make_person(Role.FACULTY, full_name="Fay Faculty")
    reviewers = [
        make_person(Role.PANELLIST, full_name="Pat Panellist-Longname"),
        make_person(Role.PANELLIST, full_name="Quinn Colleague-Longname"),
    ]
    applications = []
    for n in range(4):
        application = submitted(
            round=rnd, applicant=make_person(Role.APPLICANT, full_name=f"Applicant Number {n}")
        )
        application.region = region
        application.profession = Profession.MEDICINE
        application.save()
        applications.append(application)
    shortlisting.assign_reviewers(rnd, reviewers, by=faculty)
    for n, application in enumerate(applications):
        for reviewer in reviewers:
            assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
            shortlisting.save_scores(
                assignment, {c.pk: (1 + (n + c.pk) % 4, "") for c in criteria}, by=reviewer
            )
    return rnd, faculty, applications


def test_shortlisting_and_applications_fit_a_phone_before_and_after_the_shortlist(
    live_server, phone, round_with_scores
):
    rnd, faculty, applications = round_with_scores
    base = live_server.url
    sign_in(phone, base, faculty, mfa=True)

    phone.goto(f"{base}/recruitment/rounds/{rnd.pk}/shortlisting/")
    expect(phone.get_by_role("heading", name="Scores and ranking")).to_be_visible()
    fits(phone)
    phone.goto(f"{base}/recruitment/rounds/{rnd.pk}/applications/")
    fits(phone)

    shortlisting.make_shortlist(rnd, applications[:2], by=faculty)
    phone.goto(f"{base}/recruitment/rounds/{rnd.pk}/shortlisting/")
    expect(phone.get_by_role("heading", name="Shortlist made")).to_be_visible()
    fits(phone)
    # The ranking stays readable by keyboard: the box scrolls with the arrow keys once focused.
    region = phone.get_by_role("region", name="Shortlist outcome in North East and Yorkshire")
    region.focus()
    expect(region).to_be_focused()


# Tiles four to a row, as the faculty's home page had them: the narrowest card headings we draw.
TILES = (
    """<ul class="nhsuk-grid-row nhsuk-card-group" id="tiles">"""
    + "".join(
        f"""<li class="nhsuk-grid-column-one-quarter nhsuk-card-group__item">
      <div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
        <p class="nhsuk-heading-l nhsuk-u-margin-bottom-1">12</p>
        <h3 class="nhsuk-card__heading nhsuk-heading-xs"><a class="nhsuk-card__link" href="#">{text}</a></h3>
      </div></div></li>"""
        for text in (
            "fellows in post without an account",
            "fellows in post without a project",
            "funders without a memorandum of understanding",
            "workshops still to come",
        )
    )
    + "</ul>"
)


def test_tile_headings_wrap_whole_words_at_every_width(live_server, page):
    page.goto(live_server.url + "/accounts/login/")  # any page: our stylesheets are what is tested
    page.evaluate(
        "(html) => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", TILES
    )
    for width in range(320, 1300, 16):
        page.set_viewport_size({"width": width, "height": 900})
        broken = page.evaluate(BROKEN_WORDS_JS, "#tiles .nhsuk-card__heading")
        assert broken == [], f"words broken mid-word at {width} px: {broken}"
        sticking_out = page.evaluate(
            "() => [...document.querySelectorAll('#tiles .nhsuk-card__heading')]"
            ".filter(h => h.scrollWidth > h.clientWidth + 1).map(h => h.textContent.trim())"
        )
        assert sticking_out == [], f"words wider than their tile at {width} px: {sticking_out}"
        assert page.evaluate(PAGE_WIDTH_JS) <= width
