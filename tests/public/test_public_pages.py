"""The public website: open to anyone, cacheable only for visitors, never personal, never a
channel for script in the programme's description."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fellowship.models import programme
from portfolio.enums import QuoteAs
from projects.models import ChecklistItem

from ..factories import FellowFactory, UserFactory
from ..factories.portfolio import TestimonialFactory
from ..factories.recruitment import CriterionFactory, EligibilityFactory, RoundFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "home",
    "public_apply",
    "public_supervisors",
    "accessibility_statement",
    "sitemap",
    "robots",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def set_description(text: str) -> None:
    the_programme = programme()
    the_programme.description = text
    the_programme.save()


@pytest.fixture
def world():
    """A round open now with its criteria and eligibility, and a fellow with an e-mail address."""
    rnd = RoundFactory()
    CriterionFactory(round=rnd, title="Leadership", description="Show how you have led change.")
    EligibilityFactory(round=rnd)
    user = UserFactory(email="secret.fellow@example.nhs.uk")
    fellow = FellowFactory(user=user)
    TestimonialFactory(fellow=fellow, may_publish=True, quote_as=QuoteAs.ANONYMOUS)
    ChecklistItem.objects.create(group="risk", text="A hazard log is kept")
    return {"round": rnd, "fellow": fellow}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_opens_for_visitors_and_is_cacheable(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]  # stored, but asked again before each use
    assert response["ETag"]
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_signed_in_people_never_get_a_publicly_cacheable_page(login, person, world, name):
    response = login(person())
    response = response.get(reverse(name))
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert "private" in response["Cache-Control"]


def test_a_visitor_with_a_session_gets_a_private_page(client, world, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    assert "private" in client.get(reverse("home"))["Cache-Control"]


@pytest.mark.parametrize("name", ["home", "public_apply", "public_supervisors"])
def test_no_public_page_shows_an_email_address(client, world, name):
    html = client.get(reverse(name)).content.decode()
    assert not EMAIL.findall(html)


@pytest.mark.parametrize("name", ["home", "public_apply", "public_supervisors"])
def test_every_public_page_is_described_for_search_and_previews(client, world, name):
    html = client.get(reverse(name)).content.decode()
    assert re.search(r'<meta name="description" content="[^"]{20,}"', html)
    assert re.search(r'<meta property="og:title" content="[^"]+"', html)
    assert re.search(r'<meta property="og:description" content="[^"]{20,}"', html)


def test_home_shows_publishable_quote_credited_by_cohort(client, world):
    html = client.get(reverse("home")).content.decode()
    assert "The fellowship changed how our department adopts AI." in html
    assert f"A fellow of cohort {world['fellow'].cohort.number}" in html


def test_named_quote_shows_the_fellows_name_only_when_they_chose_named(client, db):
    fellow = FellowFactory(full_name="Ada Lovelace")
    TestimonialFactory(fellow=fellow, may_publish=True, quote_as=QuoteAs.NAMED)
    assert "Ada Lovelace" in client.get(reverse("home")).content.decode()


def test_quote_disappears_when_website_consent_is_withdrawn(client, world):
    from portfolio.services import withdraw_consent

    testimonial = world["fellow"].testimonial
    withdraw_consent(testimonial.publish_consent, by=None)
    html = client.get(reverse("home")).content.decode()
    assert "The fellowship changed how our department adopts AI." not in html


def test_quote_not_consented_for_the_website_is_never_shown(client, db):
    TestimonialFactory(text="Only for reports", may_publish=False)
    assert "Only for reports" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_description_never_carries_script(client, db, hostile):
    set_description(f"Welcome.\n\n{hostile}")
    html = client.get(reverse("home")).content.decode()
    description = html.split('class="app-programme-description">', 1)[1].split("</div>", 1)[0]
    # Tags arrive as inert text at most: no element, no handler, no script link.
    for tag in ("<script", "<img", "<iframe"):
        assert tag not in description
    assert not re.search(r"<[a-z][^>]*javascript:", description, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\bon[a-z]+=", description, re.IGNORECASE)


def test_description_markdown_becomes_html(client, db):
    set_description("Read **this** and [our paper](https://example.nhs.uk/paper).")
    html = client.get(reverse("home")).content.decode()
    assert "<strong>this</strong>" in html
    assert 'href="https://example.nhs.uk/paper"' in html


def test_apply_page_shows_the_open_round_criteria_and_eligibility(client, world):
    html = client.get(reverse("public_apply")).content.decode()
    assert "Leadership" in html
    assert "Show how you have led change." in html
    assert "Medicine: from" in html
    # Reviewers' scoring guidance is for reviewers only.
    assert "0 none, 1 weak" not in html
    assert "next=/apply/" in html


def test_apply_page_offers_the_interest_list_when_no_round_is_open(client, db):
    RoundFactory(
        opens_at=timezone.now() + datetime.timedelta(days=30),
        closes_at=timezone.now() + datetime.timedelta(days=60),
    )
    html = client.get(reverse("public_apply")).content.decode()
    assert reverse("interest_signup") in html
    assert "expected to open" in html


def test_supervisors_page_lists_active_checklist_items_only(client, world):
    ChecklistItem.objects.create(group="roles", text="Retired point", active=False)
    html = client.get(reverse("public_supervisors")).content.decode()
    assert "A hazard log is kept" in html
    assert "Retired point" not in html


def test_robots_allows_the_public_pages_and_names_the_sitemap(client, db):
    text = client.get(reverse("robots")).content.decode()
    assert "Allow: /apply-for-the-fellowship/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    xml = client.get(reverse("sitemap")).content.decode()
    assert "http://testserver/for-supervisors/" in xml
