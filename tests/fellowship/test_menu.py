"""The menu and the home page's sections are decided by the rules' predicates, role by role: the
programme team's menu replaces everyone else's, anyone else sees the entries of all their roles,
and a superuser without a role is given no one's pages."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fellowship.context_processors import PROGRAMME_MENU, navigation
from fellowship.enums import Role
from fellowship.rules import home_sections

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory

pytestmark = pytest.mark.django_db


def menu(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item["label"] for item in navigation(request)["nav_items"]]


def test_programme_team_sees_the_programme_menu_only():
    user = make_person(Role.FACULTY, Role.APPLICANT, mfa=False)
    assert menu(user) == ["Home", *(label for label, _ in PROGRAMME_MENU), "Your account"]
    assert home_sections(user) == {"programme_team", "applying"}


@pytest.mark.parametrize(
    ("roles", "entries", "sections"),
    [
        ((Role.APPLICANT,), ["Apply"], {"applying"}),
        ((Role.PANELLIST,), ["Your shortlisting", "Your interviews"], {"reviewing"}),
        ((Role.SUPERVISOR,), ["Your proposals", "Your fellows' portfolios"], {"supervising"}),
        ((Role.FUNDER,), ["Funders", "Reports"], {"funded"}),
        (
            (Role.APPLICANT, Role.PANELLIST),
            ["Apply", "Your shortlisting", "Your interviews"],
            {"applying", "reviewing"},
        ),
    ],
)
def test_each_role_adds_its_own_entries(roles, entries, sections):
    user = make_person(*roles, mfa=False)
    assert menu(user) == ["Home", *entries, "Your account"]
    assert home_sections(user) == sections


def test_a_fellow_sees_their_own_cohorts_catalogue():
    user = make_person(Role.FELLOW, mfa=False)
    FellowFactory(user=user, cohort=CohortFactory(number=8))
    labels = menu(user)
    assert "Project catalogue" in labels
    request = RequestFactory().get("/")
    request.user = user
    urls = {i["label"]: i["url"] for i in navigation(request)["nav_items"]}
    assert urls["Project catalogue"] == reverse("catalogue", args=[8])
    assert home_sections(user) == {"own_fellowship"}


def test_a_fellow_not_yet_in_a_cohort_gets_no_catalogue_entry():
    user = make_person(Role.FELLOW, mfa=False)
    assert "Project catalogue" not in menu(user)
    assert "Your portfolio" in menu(user)


def test_a_superuser_without_a_role_is_given_no_ones_pages(client):
    user = make_person(is_superuser=True, is_staff=True)
    assert menu(user) == ["Home", "Your account"]
    assert home_sections(user) == set()
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Programme team" not in page
    assert "Your account has no role yet" in page
