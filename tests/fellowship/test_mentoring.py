"""Mentoring services: alumni offer, fellows ask, faculty assign, pin, change and publish."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from fellowship import mentoring
from fellowship.enums import AuditAction, AuditSubject, FellowStatus, Importance, MentoringStatus
from fellowship.models import AuditEvent, MentorOffer, MentorPairing, MentorRequest, programme

from ..factories import CohortFactory, FellowFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

MATTERS_MOST, DOES_NOT_MATTER = Importance.VERY_IMPORTANT, Importance.NOT_IMPORTANT


@pytest.fixture
def p():
    """Two cohorts (alumni of 1 mentor fellows of 2) and two regions."""
    return SimpleNamespace(
        earlier=CohortFactory(number=1),
        incoming=CohortFactory(number=2),
        london=RegionFactory(name="London"),
        yorkshire=RegionFactory(name="Yorkshire and the Humber"),
    )


def alumnus(p, region, specialty="", **fields):
    return FellowFactory(
        cohort=p.earlier,
        status=FellowStatus.GRADUATED,
        region=region,
        specialty=specialty,
        # Once a fellow has an account, pages show the account's name.
        user=UserFactory(full_name=fields.get("full_name", "")),
        **fields,
    )


def fellow(p, region, specialty="", **fields):
    return FellowFactory(
        cohort=p.incoming,
        region=region,
        specialty=specialty,
        user=UserFactory(full_name=fields.get("full_name", "")),
        **fields,
    )


def offer(p, mentor, *, capacity=1, domains=()):
    return mentoring.save_offer(
        mentor,
        cohort=p.incoming,
        capacity=capacity,
        region=mentor.region,
        specialty=mentor.specialty,
        domains=domains,
        by=None,
    )


def ask(mentee, *, region=1, specialty=1, domain=1, project_domain=""):
    return mentoring.save_request(
        mentee,
        domain=project_domain,
        region_importance=region,
        specialty_importance=specialty,
        domain_importance=domain,
        by=None,
    )


# Offers and requests ------------------------------------------------------------------------------


def test_alumnus_offer_is_saved_then_changed_in_place_with_domains_tidied(p):
    mentor = alumnus(p, p.london, "Radiology")
    offer(p, mentor, capacity=1, domains=["Radiology"])

    changed = offer(p, mentor, capacity=3, domains=[" radiology ", "Radiology", "Oncology", ""])

    assert MentorOffer.objects.count() == 1
    assert (changed.capacity, changed.domains, changed.region) == (
        3,
        ["radiology", "Oncology"],
        p.london,
    )


@pytest.mark.parametrize("capacity", [0, 4])
def test_offer_must_be_for_one_to_three_fellows(p, capacity):
    with pytest.raises(ValidationError, match="between 1 and 3"):
        offer(p, alumnus(p, p.london), capacity=capacity)
    assert not MentorOffer.objects.exists()


def test_only_alumni_of_an_earlier_cohort_can_offer(p):
    in_post = fellow(p, p.london)
    with pytest.raises(ValidationError, match="Only alumni"):
        offer(p, in_post)
    same_cohort = FellowFactory(cohort=p.incoming, status=FellowStatus.GRADUATED, region=p.london)
    with pytest.raises(ValidationError, match="earlier cohorts"):
        offer(p, same_cohort)
    assert not MentorOffer.objects.exists()


def test_request_records_what_matters_and_is_changed_in_place(p):
    mentee = fellow(p, p.london)
    ask(mentee, region=MATTERS_MOST, project_domain="Radiology")
    ask(mentee, region=DOES_NOT_MATTER, project_domain="  Oncology ")

    request = MentorRequest.objects.get()
    assert (request.region_importance, request.domain) == (DOES_NOT_MATTER, "Oncology")


def test_only_fellows_in_post_can_ask_and_importance_must_be_a_choice(p):
    graduated = FellowFactory(cohort=p.incoming, status=FellowStatus.GRADUATED, region=p.london)
    with pytest.raises(ValidationError, match="in post"):
        ask(graduated)
    with pytest.raises(ValidationError, match="how much the region matters"):
        ask(fellow(p, p.london), region=7)
    assert not MentorRequest.objects.exists()


# The assignment ----------------------------------------------------------------------------------


def test_run_pairs_each_fellow_by_what_matters_most_to_them_and_records_what_they_share(p):
    london_radiologist = alumnus(p, p.london, "Radiology")
    yorkshire_cardiologist = alumnus(
        p, p.yorkshire, "Cardiology", full_name="Yorkshire Cardiologist"
    )
    offer(p, london_radiologist, domains=["Radiology"])
    offer(p, yorkshire_cardiologist, domains=["Cardiovascular"])
    # A Yorkshire radiologist for whom region matters most; a London cardiologist for whom specialty does.
    a = fellow(p, p.yorkshire, "Radiology")
    b = fellow(p, p.london, "cardiology")
    ask(a, region=MATTERS_MOST, specialty=DOES_NOT_MATTER, domain=DOES_NOT_MATTER)
    ask(b, region=Importance.SOMEWHAT, specialty=MATTERS_MOST, domain=DOES_NOT_MATTER)

    result = mentoring.run_assignment(p.incoming, by=None)

    # Both would like the Yorkshire cardiologist (3 each); a gets them, since b still gains 1 from London.
    assert (result.matched, result.total_quality) == (2, 4)
    pair_a = MentorPairing.objects.get(mentee=a)
    pair_b = MentorPairing.objects.get(mentee=b)
    assert (pair_a.mentor, pair_b.mentor) == (yorkshire_cardiologist, london_radiologist)
    assert (
        pair_a.shares_region,
        pair_a.shares_specialty,
        pair_a.shares_domain,
        pair_a.quality,
    ) == (True, False, False, 3)
    assert (
        pair_b.shares_region,
        pair_b.shares_specialty,
        pair_b.shares_domain,
        pair_b.quality,
    ) == (True, False, False, 1)
    assert pair_a.status == MentoringStatus.PROPOSED and not pair_a.pinned


def test_run_keeps_pinned_pairs_and_replaces_the_rest(p):
    near, far = alumnus(p, p.london, "Radiology"), alumnus(p, p.yorkshire, "Cardiology")
    offers = [offer(p, near), offer(p, far)]
    londoner, yorkshire_fellow = (
        fellow(p, p.london, "Radiology"),
        fellow(p, p.yorkshire, "Cardiology"),
    )
    requests = [ask(londoner, region=MATTERS_MOST), ask(yorkshire_fellow, region=MATTERS_MOST)]
    # Faculty pin the Londoner to the far mentor, against the fit.
    mentoring.pin_pair(offers[1], requests[0], note="Asked for by name", by=None)

    mentoring.run_assignment(p.incoming, by=None)
    mentoring.run_assignment(p.incoming, by=None)  # idempotent

    pinned = MentorPairing.objects.get(mentee=londoner)
    assert (pinned.mentor, pinned.pinned, pinned.note) == (far, True, "Asked for by name")
    assert (
        MentorPairing.objects.get(mentee=yorkshire_fellow).mentor == near
    )  # far's only place is taken
    assert MentorPairing.objects.count() == 2


def test_a_removed_pair_is_not_proposed_again_until_faculty_pin_it(p):
    near, far = alumnus(p, p.london, "Radiology"), alumnus(p, p.yorkshire, "Cardiology")
    offers = [offer(p, near), offer(p, far)]
    londoner = fellow(p, p.london, "Radiology")
    request = ask(londoner, region=MATTERS_MOST)
    mentoring.run_assignment(p.incoming, by=None)
    best = MentorPairing.objects.get(mentee=londoner)
    assert best.mentor == near

    mentoring.remove_pair(best, by=None)
    mentoring.run_assignment(p.incoming, by=None)
    # The best fit was removed by faculty, so the fellow gets the other mentor rather than it.
    assert MentorPairing.objects.get(mentee=londoner).mentor == far

    mentoring.pin_pair(offers[0], request, by=None)
    mentoring.run_assignment(p.incoming, by=None)
    assert MentorPairing.objects.get(mentee=londoner).mentor == near
    # Faculty's hand changes are in the audit log, under the mentee's reference.
    events = AuditEvent.objects.filter(subject=AuditSubject.MENTORING).order_by("pk")
    assert [(e.action, e.reference, e.summary) for e in events] == [
        (AuditAction.OVERRIDDEN, londoner.ref, f"Removed: mentor {near.ref}"),
        (AuditAction.OVERRIDDEN, londoner.ref, f"Paired by hand: mentor {near.ref}"),
    ]


def test_run_respects_capacity_and_leaves_the_rest_without_a_mentor(p):
    offer(p, alumnus(p, p.london), capacity=2)
    mentees = [fellow(p, p.london) for _ in range(3)]
    for mentee in mentees:
        ask(mentee)

    result = mentoring.run_assignment(p.incoming, by=None)

    assert result.matched == 2 and MentorPairing.objects.count() == 2
    assert sum(1 for mentor in result.pairs.values() if mentor is None) == 1


def test_run_pairs_people_who_share_nothing_rather_than_leave_a_fellow_alone(p):
    offer(p, alumnus(p, p.yorkshire, "Cardiology"))
    mentee = fellow(p, p.london, "Radiology")
    ask(mentee)

    mentoring.run_assignment(p.incoming, by=None)

    pair = MentorPairing.objects.get()
    assert not pair.shares_any and pair.quality == 0
    assert "No shared region" in mentoring.reason(pair)


def test_run_needs_offers_and_requests(p):
    with pytest.raises(ValidationError, match="No alumni have offered"):
        mentoring.run_assignment(p.incoming, by=None)
    offer(p, alumnus(p, p.london))
    with pytest.raises(ValidationError, match="No fellows of Cohort 2 have asked"):
        mentoring.run_assignment(p.incoming, by=None)


def test_pinning_to_a_mentor_with_no_place_left_is_refused(p):
    mentor_offer = offer(p, alumnus(p, p.london, full_name="Dr Full"))
    first, second = ask(fellow(p, p.london)), ask(fellow(p, p.london))
    mentoring.pin_pair(mentor_offer, first, by=None)

    with pytest.raises(ValidationError, match="Dr Full offered 1 place and already has 1 mentee"):
        mentoring.pin_pair(mentor_offer, second, by=None)
    assert MentorPairing.objects.count() == 1


def test_changing_a_pairs_mentor_pins_it_and_recomputes_what_it_shares(p):
    far, near = alumnus(p, p.yorkshire), alumnus(p, p.london)
    offer(p, far)
    mentee = fellow(p, p.london)
    ask(mentee)
    mentoring.run_assignment(p.incoming, by=None)
    pair = MentorPairing.objects.get()
    assert (pair.mentor, pair.shares_region) == (far, False)
    near_offer = offer(p, near)  # offered after the run

    mentoring.change_pair(pair, offer=near_offer, pinned=False, note="Same city", by=None)

    pair.refresh_from_db()
    assert (pair.mentor, pair.pinned, pair.shares_region, pair.note) == (
        near,
        True,
        True,
        "Same city",
    )


def test_withdrawing_an_offer_removes_its_proposed_pairs(p):
    mentor_offer = offer(p, alumnus(p, p.london))
    ask(fellow(p, p.london))
    mentoring.run_assignment(p.incoming, by=None)

    mentoring.withdraw_offer(mentor_offer, by=None)

    assert not MentorOffer.objects.exists() and not MentorPairing.objects.exists()


def test_lowering_capacity_drops_unpinned_pairs_beyond_it(p):
    mentor = alumnus(p, p.london)
    offer(p, mentor, capacity=2)
    for _ in range(2):
        ask(fellow(p, p.london))
    mentoring.run_assignment(p.incoming, by=None)

    offer(p, mentor, capacity=1)

    assert MentorPairing.objects.count() == 1


# Publishing ------------------------------------------------------------------------------------


def test_publishing_emails_each_fellow_their_mentor_and_each_mentor_their_mentees(
    p, django_capture_on_commit_callbacks
):
    mentor = alumnus(p, p.london, "Radiology", full_name="Dr Mentor")
    offer(p, mentor, capacity=2, domains=["Radiology"])
    mentees = [fellow(p, p.london, "Radiology", full_name=f"Fellow {n}") for n in (1, 2)]
    for mentee in mentees:
        ask(mentee, project_domain="Radiology")
    mentoring.run_assignment(p.incoming, by=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert mentoring.publish_pairs(p.incoming, by=None) == 2

    assert all(
        pair.status == MentoringStatus.PUBLISHED and pair.published_at
        for pair in MentorPairing.objects.all()
    )
    to_mentees = [m for m in mail.outbox if m.subject.startswith("Your mentor")]
    assert sorted(m.to[0] for m in to_mentees) == sorted(f.user.email for f in mentees)
    assert "Dr Mentor" in to_mentees[0].body and mentor.user.email in to_mentees[0].body
    assert (
        "Same region (London), clinical specialty (Radiology) and domain (Radiology)"
        in to_mentees[0].body
    )
    (to_mentor,) = [m for m in mail.outbox if m.to == [mentor.user.email]]
    assert "Fellow 1" in to_mentor.body and "Fellow 2" in to_mentor.body


def test_publishing_twice_is_refused_and_publishing_fixes_offers_and_requests(
    p, django_capture_on_commit_callbacks
):
    mentor = alumnus(p, p.london)
    mentor_offer = offer(p, mentor)
    mentee = fellow(p, p.london)
    request = ask(mentee)
    mentoring.run_assignment(p.incoming, by=None)
    mentoring.publish_pairs(p.incoming, by=None)
    mail.outbox.clear()

    with pytest.raises(ValidationError, match="have been published"):
        mentoring.publish_pairs(p.incoming, by=None)
    with pytest.raises(ValidationError, match="have been published"):
        mentoring.run_assignment(p.incoming, by=None)
    with pytest.raises(ValidationError, match="have been published"):
        mentoring.withdraw_offer(mentor_offer, by=None)
    with pytest.raises(ValidationError, match="have been published"):
        mentoring.withdraw_request(request, by=None)
    with pytest.raises(ValidationError, match="no longer be changed"):
        mentoring.change_pair(MentorPairing.objects.get(), pinned=True, note="", by=None)
    assert not mail.outbox


def test_publishing_nothing_is_refused(p):
    with pytest.raises(ValidationError, match="no proposed pairs"):
        mentoring.publish_pairs(p.incoming, by=None)


def test_fellows_without_an_account_are_paired_but_not_emailed(
    p, django_capture_on_commit_callbacks
):
    offer(p, alumnus(p, p.london))
    ask(FellowFactory(cohort=p.incoming, region=p.london, user=None))
    mentoring.run_assignment(p.incoming, by=None)

    with django_capture_on_commit_callbacks(execute=True):
        mentoring.publish_pairs(p.incoming, by=None)

    assert [m.subject for m in mail.outbox] == [
        f"Your mentee in Cohort 2 of the {programme().name}"
    ]


def test_sharing_counts_counts_each_kind_and_any(p):
    mentors = [alumnus(p, p.london) for _ in range(4)]
    mentees = [fellow(p, p.london) for _ in range(4)]
    flags = [(True, True, False), (False, False, True), (False, False, False), (True, False, False)]
    for mentor, mentee, (region, specialty, domain) in zip(mentors, mentees, flags, strict=True):
        MentorPairing.objects.create(
            cohort=p.incoming,
            mentor=mentor,
            mentee=mentee,
            shares_region=region,
            shares_specialty=specialty,
            shares_domain=domain,
        )

    counts = mentoring.sharing_counts(MentorPairing.objects.filter(cohort=p.incoming))

    assert counts == {"region": 2, "specialty": 1, "domain": 1, "any": 3, "total": 4}
    assert mentoring.sharing_counts(MentorPairing.objects.published())["total"] == 0
