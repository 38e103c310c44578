"""The public pages are kept in the shared cache for visitors, and never show what changed since:
a withdrawal, an edit, an erasure takes effect on the next request; browsers and proxies must ask
again before reusing a page (ETag, 304); a signed-in person's page is neither served from nor put
into the cache."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import Role
from fellowship.models import programme
from fellowship.public import caching
from portfolio import publishing
from portfolio.enums import WebsitePurpose
from portfolio.models import PublicProfile

from ..conftest import make_person
from ..factories import FellowFactory

pytestmark = pytest.mark.django_db

FELLOWS = "/fellows/"


@pytest.fixture
def published():
    user = make_person(Role.FELLOW, full_name="Wren Cachefield")
    fellow = FellowFactory(user=user, full_name="Wren Cachefield")
    PublicProfile.objects.create(fellow=fellow, show_bio=True, bio="Cache-free biography")
    publishing.give_website_consent(fellow, WebsitePurpose.PUBLIC_PROFILE, by=user)
    return fellow


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_second_visitor_is_answered_from_the_cache_without_the_database(published):
    first = Client().get(FELLOWS)
    assert "Wren Cachefield" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(FELLOWS)
    assert second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0
    assert directives(second) == {"public", "no-cache"}
    assert "Cookie" in second["Vary"]
    assert second["ETag"] == first["ETag"]


def test_withdrawing_consent_takes_the_fellow_off_the_cached_page_at_once(published):
    visitor = Client()
    assert "Wren Cachefield" in visitor.get(FELLOWS).content.decode()
    publishing.withdraw_website_consent(published, WebsitePurpose.PUBLIC_PROFILE, by=None)
    assert "Wren Cachefield" not in visitor.get(FELLOWS).content.decode()


def test_editing_the_profile_shows_on_the_next_request(published):
    visitor = Client()
    visitor.get(FELLOWS)
    profile = published.public_profile
    profile.bio = "A new biography"
    publishing.save_public_profile(profile, by=None)
    html = visitor.get(FELLOWS).content.decode()
    assert "A new biography" in html and "Cache-free biography" not in html


def test_erasing_the_fellow_takes_them_off_every_cached_page(published):
    from fellowship import privacy

    faculty = make_person(Role.FACULTY)
    visitor = Client()
    assert "Wren Cachefield" in visitor.get(FELLOWS).content.decode()
    privacy.erase_person(privacy.find_person(published.user.email), by=faculty, requested_by="x")
    assert "Wren Cachefield" not in visitor.get(FELLOWS).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_a_page_renders_is_not_kept_after_the_commit(published):
    """A page rendered inside the window between a change and its commit (from the data as it
    was) is kept under the version the change made first; the commit makes a new one."""
    visitor = Client()
    with transaction.atomic():
        publishing.withdraw_website_consent(published, WebsitePurpose.PUBLIC_PROFILE, by=None)
        during = caching.public_version()
    assert caching.public_version() != during
    assert "Wren Cachefield" not in visitor.get(FELLOWS).content.decode()


def test_the_programme_description_changes_on_the_next_request(db):
    visitor = Client()
    visitor.get("/")
    the_programme = programme()
    the_programme.description = "Brand new words"
    the_programme.save()
    assert "Brand new words" in visitor.get("/").content.decode()


def test_a_browser_copy_is_revalidated_with_its_etag(published):
    first = Client().get(FELLOWS)
    again = Client().get(FELLOWS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    publishing.withdraw_website_consent(published, WebsitePurpose.PUBLIC_PROFILE, by=None)
    changed = Client().get(FELLOWS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Wren Cachefield" not in changed.content.decode()


def test_a_forged_etag_gets_the_page(published):
    response = Client().get(FELLOWS, HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')
    assert response.status_code == 200


def test_signed_in_pages_are_neither_served_from_nor_put_into_the_cache(published, login):
    fellow = make_person(Role.FELLOW, full_name="Dora Signedin")
    assert "Sign out" not in Client().get(FELLOWS).content.decode()  # cached for visitors
    mine = login(fellow).get(FELLOWS)
    html = mine.content.decode()
    assert "Sign out" in html  # their own page, not the visitors' copy
    assert "private" in directives(mine) and "no-store" in directives(mine)
    assert "ETag" not in mine
    later = Client().get(FELLOWS).content.decode()
    assert "Sign out" not in later and fellow.email not in later


def test_each_address_is_its_own_page(published):
    Client().get(FELLOWS)
    assert "How to apply" in Client().get(reverse("public_apply")).content.decode()
    assert Client().get(FELLOWS + "?x=1")["ETag"] != Client().get(FELLOWS)["ETag"]


def test_changes_no_page_shows_leave_the_cache_alone(published):
    """An applicant saving a draft at the deadline does not empty the visitors' cache."""
    from ..factories.recruitment import ApplicationFactory

    before = caching.public_version()
    ApplicationFactory()
    # the factory makes a round, a user ... which a page may show; a draft saved again does not
    before = caching.public_version()
    from recruitment.models import Application

    application = Application.objects.latest("pk")
    application.save()
    assert caching.public_version() == before


def test_every_model_a_public_page_reads_is_watched():
    watched = {model._meta.label_lower for model in caching.shown_models()}
    assert {
        "portfolio.websiteconsent",
        "portfolio.publicprofile",
        "portfolio.poster",
        "portfolio.testimonial",
        "portfolio.consent",
        "fellowship.fellow",
        "fellowship.programme",
        "fellowship.user",
        "sites.site",
        "projects.project",
        "projects.checklistitem",
        "recruitment.recruitmentround",
        "recruitment.eligibility",
        "recruitment.criterion",
        "recruitment.requireddocument",
    } <= watched


def test_a_page_for_one_host_is_not_served_for_another(db, settings):
    """The sitemap holds absolute addresses: a request naming another allowed host must not get
    the first host's copy."""
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    first = Client().get(reverse("sitemap"), HTTP_HOST="one.example").content.decode()
    second = Client().get(reverse("sitemap"), HTTP_HOST="two.example").content.decode()
    assert "one.example" in first and "two.example" not in first
    assert "two.example" in second and "one.example" not in second
