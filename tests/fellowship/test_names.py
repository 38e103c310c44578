"""People are shown by name on every page; a fellow's reference only where faculty need it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fellowship import mentoring
from fellowship.enums import FellowStatus, Importance, Role

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_display_name_is_the_account_name_once_there_is_one_and_the_imported_name_before():
    imported = FellowFactory(full_name="Harriet Voss", ref="F-0101")
    assert imported.display_name == "Harriet Voss"
    imported.user = make_person(Role.ALUMNUS, full_name="Dr Harriet Voss-Keane")
    imported.save()
    assert imported.display_name == "Dr Harriet Voss-Keane"
    imported.user.full_name = ""
    assert imported.display_name == "Harriet Voss"


def test_display_name_never_falls_back_to_the_reference():
    nameless = FellowFactory(full_name="", ref="F-0111")
    assert nameless.display_name == "Name not recorded"
    nameless.user = make_person(Role.FELLOW, full_name="", email="only.email@example.org")
    assert nameless.display_name == "only.email@example.org"


@pytest.fixture
def pair():
    """A published pair: an imported alumnus mentor known only by name and a fellow with an account."""
    london = RegionFactory(name="London")
    first, second = CohortFactory(number=1), CohortFactory(number=2)
    alumnus_user = make_person(Role.ALUMNUS, full_name="Harriet Voss")
    mentor = FellowFactory(
        user=alumnus_user, full_name="H. Voss (history)", cohort=first, region=london,
        status=FellowStatus.GRADUATED, ref="F-0111",
    )  # fmt: skip
    fellow_user = make_person(Role.FELLOW, full_name="Imogen Castellano")
    mentee = FellowFactory(
        user=fellow_user, full_name="", cohort=second, region=london, ref="A-4010"
    )
    mentoring.save_offer(mentor, cohort=second, capacity=1, region=london, specialty="Radiology",
                         domains=[], by=None)  # fmt: skip
    mentoring.save_request(mentee, domain="", region_importance=Importance.IMPORTANT,
                           specialty_importance=Importance.SOMEWHAT, domain_importance=Importance.NOT_IMPORTANT,
                           by=None)  # fmt: skip
    mentoring.run_assignment(second, by=None)
    mentoring.publish_pairs(second, by=None)
    return {
        "mentor": mentor,
        "mentee": mentee,
        "alumnus": alumnus_user,
        "fellow": fellow_user,
        "cohort": second,
    }


REFS = ("F-0111", "A-4010")


def visible(response) -> str:
    """The page's text as a person reads it (references inside link addresses are not shown)."""
    return re.sub(r"<[^>]*>", " ", response.content.decode())


def test_fellow_sees_their_mentor_by_name_and_no_reference(pair, login):
    c = login(pair["fellow"])
    for url in (reverse("my_mentoring"), "/", reverse("fellow_detail", args=[pair["mentee"].pk])):
        page = visible(c.get(url))
        assert not any(ref in page for ref in REFS), url
    mine = c.get(reverse("my_mentoring")).content.decode()
    assert "Harriet Voss, Cohort 1 alumnus" in mine
    assert (
        "Imogen Castellano"
        in c.get(reverse("fellow_detail", args=[pair["mentee"].pk])).content.decode()
    )


def test_alumnus_sees_their_mentee_by_name_and_no_reference(pair, login):
    page = visible(login(pair["alumnus"]).get(reverse("my_mentoring")))
    assert "Imogen Castellano" in page
    assert not any(ref in page for ref in REFS)


def test_faculty_see_mentors_and_mentees_by_name_with_the_reference_as_a_second_line(pair, login):
    c = login(make_person(Role.FACULTY))
    page = c.get(reverse("mentoring_cohort", args=[pair["cohort"].number])).content.decode()
    assert 'Harriet Voss<br><span class="nhsuk-body-s">F-0111, Cohort 1</span>' in page
    assert 'Imogen Castellano<br><span class="nhsuk-body-s">A-4010, London' in page


def test_faculty_fellow_list_shows_every_fellow_by_name_never_a_blank_cell(pair, login):
    FellowFactory(full_name="Only Imported", ref="F-0200", cohort=pair["cohort"])
    FellowFactory(full_name="", ref="F-0201", cohort=pair["cohort"])
    page = login(make_person(Role.FACULTY)).get(reverse("fellow_list")).content.decode()
    for name, ref in (
        ("Harriet Voss", "F-0111"),  # the account's name, not the imported one
        ("Imogen Castellano", "A-4010"),  # an account, no imported name
        ("Only Imported", "F-0200"),
        ("Name not recorded", "F-0201"),
    ):
        assert f'>{name}</a><br><span class="nhsuk-body-s">{ref}</span>' in page
    assert "H. Voss (history)" not in page
    assert "<td></td>" not in page


def test_faculty_see_the_reference_on_a_fellow_page_and_the_fellow_does_not(pair, login):
    url = reverse("fellow_detail", args=[pair["mentee"].pk])
    faculty_page = login(make_person(Role.FACULTY)).get(url).content.decode()
    assert "<h1>Imogen Castellano</h1>" in faculty_page and "A-4010" in faculty_page
    own_page = login(pair["fellow"]).get(url).content.decode()
    assert "<h1>Imogen Castellano</h1>" in own_page and "A-4010" not in visible(
        login(pair["fellow"]).get(url)
    )


def test_another_fellow_cannot_read_a_fellow_page_by_editing_the_url(pair, login):
    other = make_person(Role.FELLOW, full_name="Someone Else")
    FellowFactory(user=other, cohort=pair["cohort"])
    response = login(other).get(reverse("fellow_detail", args=[pair["mentee"].pk]))
    assert response.status_code in (403, 404)
    assert "Imogen Castellano" not in response.content.decode()
