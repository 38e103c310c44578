"""The fit of a mentor pair explained in words: what each point was for and what was asked for but
not found. The explanation is computed with the score, so the two cannot disagree."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fellowship import mentoring
from fellowship.enums import FellowStatus, Importance, Role
from fellowship.mentor_matching import Mentee, Mentor, fit, quality, shared
from fellowship.models import Fellow, MentorPairing

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, RegionFactory

VALUES = st.sampled_from(
    [None, "", "  ", "London", "london ", "North West", "Radiology", "RADIOLOGY", "Imaging"]
)
WEIGHTS = st.integers(min_value=0, max_value=3)


@st.composite
def pairs(draw):
    mentor = Mentor(
        "m",
        1,
        region=draw(VALUES),
        specialty=draw(VALUES),
        domains=frozenset(v for v in draw(st.lists(VALUES, max_size=3)) if v is not None),
    )
    mentee = Mentee(
        "f",
        region=draw(VALUES),
        specialty=draw(VALUES),
        domain=draw(VALUES),
        region_weight=draw(WEIGHTS),
        specialty_weight=draw(WEIGHTS),
        domain_weight=draw(WEIGHTS),
    )
    return mentor, mentee


@given(pairs())
def test_fit_points_add_up_to_the_pair_quality(pair):
    mentor, mentee = pair
    explained = fit(mentor, mentee)
    assert explained.score == quality(mentor, mentee)
    assert sum(line.points for line in explained.found) == explained.score
    assert explained.out_of == mentee.region_weight + mentee.specialty_weight + mentee.domain_weight
    assert 0 <= explained.score <= explained.out_of
    assert tuple(line.attribute for line in explained.lines if line.shared) == shared(
        mentor, mentee
    )
    assert str(explained).startswith(f"Fit {explained.score} of {explained.out_of}")


@given(pairs())
def test_every_weighted_attribute_is_either_found_or_missing(pair):
    mentor, mentee = pair
    explained = fit(mentor, mentee)
    weighted = {line.attribute for line in explained.lines if line.weight}
    assert {line.attribute for line in explained.found} | {
        line.attribute for line in explained.missing
    } == weighted
    assert not {line.attribute for line in explained.found} & {
        line.attribute for line in explained.missing
    }


def test_fit_names_each_point_and_what_was_not_found():
    mentor = Mentor(
        "m",
        1,
        region="London",
        specialty="Radiology",
        domains=frozenset({"Oncology", "Cardiology"}),
    )
    mentee = Mentee("f", region="London", specialty="Radiology", domain="Imaging",
                    region_weight=3, specialty_weight=1, domain_weight=2)  # fmt: skip
    explained = fit(mentor, mentee)
    assert (explained.score, explained.out_of) == (4, 6)
    assert [(line.text, line.points) for line in explained.found] == [
        ("same region (London)", 3),
        ("same specialty (Radiology)", 1),
    ]
    assert [line.text for line in explained.missing] == [
        "project domain: the mentor offers Cardiology, Oncology, not Imaging"
    ]
    assert str(explained) == (
        "Fit 4 of 6: same region (London) (+3), same specialty (Radiology) (+1). "
        "Not found: project domain: the mentor offers Cardiology, Oncology, not Imaging"
    )


def test_fit_says_when_a_value_is_not_recorded_and_gives_no_points_for_what_does_not_matter():
    mentor = Mentor("m", 1, region="London", specialty=None, domains=frozenset({"Imaging"}))
    mentee = Mentee("f", region="London", specialty="Radiology", domain=" imaging ",
                    region_weight=0, specialty_weight=2, domain_weight=1)  # fmt: skip
    explained = fit(mentor, mentee)
    assert explained.score == 1
    assert [line.text for line in explained.found] == [
        "mentor offered the project's domain (imaging)"
    ]
    assert [line.text for line in explained.missing] == ["specialty: the mentor gave no specialty"]
    assert [line.text for line in explained.unweighted] == ["same region (London)"]


# Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def paired(db):
    """A published pair of an alumnus (London, Radiology, offering Imaging) and a fellow who asked."""
    london, north = RegionFactory(name="London"), RegionFactory(name="North West")
    first, second = CohortFactory(number=1), CohortFactory(number=2)
    mentor_user = make_person(Role.ALUMNUS, full_name="Harriet Voss")
    mentor = FellowFactory(user=mentor_user, cohort=first, status=FellowStatus.GRADUATED, region=london,
                           specialty="Radiology", ref="F-0111")  # fmt: skip
    mentee_user = make_person(Role.FELLOW, full_name="Imogen Castellano")
    mentee = FellowFactory(user=mentee_user, cohort=second, region=north, specialty="Radiology",
                           ref="A-4010", project_domain="Imaging")  # fmt: skip
    offer = mentoring.save_offer(mentor, cohort=second, capacity=1, region=london, specialty="Radiology",
                                 domains=["Imaging"], by=None)  # fmt: skip
    request = mentoring.save_request(
        mentee,
        domain=mentoring.project_domain(mentee),
        region_importance=Importance.VERY_IMPORTANT,
        specialty_importance=Importance.SOMEWHAT,
        domain_importance=Importance.IMPORTANT,
        by=None,
    )
    mentoring.run_assignment(second, by=None)
    mentoring.publish_pairs(second, by=None)
    return {"offer": offer, "request": request, "mentor_user": mentor_user, "mentee_user": mentee_user,
            "cohort": second}  # fmt: skip


def test_stored_quality_equals_the_fit_shown(paired):
    pairing = MentorPairing.objects.get(mentee=paired["request"].fellow)
    explained = mentoring.pair_fit(pairing, paired["offer"], paired["request"])
    assert explained.score == pairing.quality == 3  # specialty (1) and domain (2); regions differ


def test_fellow_sees_the_fit_of_their_mentor_in_words(paired, login):
    page = login(paired["mentee_user"]).get(reverse("my_mentoring")).content.decode()
    assert "Harriet Voss" in page
    assert "3 of 6 points" in page
    assert "Same specialty (Radiology): 1 point" in page
    assert "Mentor offered the project&#x27;s domain (Imaging): 2 points" in page
    assert "Region: the fellow is in North West, the mentor in London (3 points not given)" in page
    assert "F-0111" not in page and "A-4010" not in page


def test_faculty_see_the_fit_of_each_pair_in_words(paired, login):
    faculty = login(make_person(Role.FACULTY))
    number = paired["cohort"].number
    page = faculty.get(reverse("mentoring_cohort", args=[number])).content.decode()
    assert "3 of 6" in page
    assert "Same specialty (Radiology): 1 point" in page
    pairing = MentorPairing.objects.get(mentee=paired["request"].fellow)
    detail = faculty.get(reverse("mentoring_pair", args=[number, pairing.pk])).content.decode()
    assert "3 of 6 points" in detail
    assert (
        "Region: the fellow is in North West, the mentor in London (3 points not given)" in detail
    )


# Where the project domain comes from -------------------------------------------------------------


def _import(**tables: str):
    from fellowship.importer import import_tables, read_sources

    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in tables.items())
    )


FELLOWS = (
    "ref,cohort,region,profession,specialty,status,project\n"
    "F-0101,1,London,medicine,Radiology,graduated,P-0101\n"
    "F-0102,1,London,medicine,Oncology,graduated,\n"
)
PROJECTS = (
    "ref,cohort,title,clinical_domain,region,host_organisation\n"
    "P-0101,1,Chest X-ray triage,imaging,London,Trust A\n"
    "P-0102,1,Auto-contouring,Oncology,London,Trust B\n"
)


@pytest.mark.django_db
def test_history_import_records_each_placed_fellows_project_domain():
    from projects.models import ClinicalDomain

    ClinicalDomain.objects.get_or_create(name="Imaging")
    _import(cohorts="number\n1\n", fellows=FELLOWS, projects=PROJECTS)
    domains = dict(Fellow.objects.values_list("ref", "project_domain"))
    assert domains == {"F-0101": "Imaging", "F-0102": ""}  # the managed list's spelling

    # Moved to another project by a later import: the new project's domain.
    _import(fellows=FELLOWS.replace("graduated,P-0101", "graduated,P-0102"), projects=PROJECTS)
    assert Fellow.objects.get(ref="F-0101").project_domain == "Oncology"


@pytest.mark.django_db
def test_history_fellows_table_naming_another_project_clears_the_old_domain():
    _import(cohorts="number\n1\n", fellows=FELLOWS, projects=PROJECTS)
    _import(fellows=FELLOWS.replace("graduated,P-0101", "graduated,P-0102"))
    assert Fellow.objects.get(ref="F-0101").project_domain == ""
    _import(fellows=FELLOWS.replace("graduated,P-0101", "graduated,P-0102"))  # again: unchanged
    assert Fellow.objects.get(ref="F-0101").project_domain == ""


@pytest.mark.django_db
def test_record_project_keeps_reference_and_domain_and_writes_history_only_on_change():
    from fellowship.services import record_project

    fellow = FellowFactory()
    record_project(fellow, project_ref="P-1", project_domain="  Imaging ")
    fellow.refresh_from_db()
    assert (fellow.project_ref, fellow.project_domain) == ("P-1", "Imaging")
    versions = fellow.history.count()
    record_project(fellow, project_ref="P-1", project_domain="Imaging")
    assert fellow.history.count() == versions
    assert mentoring.project_domain(fellow) == "Imaging"
