"""Offers: ranking per post with ties, offer and acceptance (a fellow is made), decline and lapse
with the next candidate proposed and offered once faculty confirm, deadlines, themed posts,
outcome e-mails with feedback, and who may see what."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Profession, Role
from fellowship.models import Fellow
from recruitment import offers
from recruitment.enums import OfferState, Stage
from recruitment.models import ConsensusScore, Offer, StageChange
from recruitment.tasks import lapse_expired_offers

from ..conftest import make_person
from ..factories import (
    CriterionFactory,
    FundedPostFactory,
    FunderFactory,
    RegionFactory,
    RoundFactory,
    submitted,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY, full_name="Fay Faculty")


@pytest.fixture
def world():
    """A closed round with two criteria, in one region with one post of one place."""
    region = RegionFactory(name="North East")
    rnd = RoundFactory(
        opens_at=NOW - datetime.timedelta(days=60),
        closes_at=NOW - datetime.timedelta(days=30),
        appointable_score=4,
        offer_response_days=7,
    )
    leadership = CriterionFactory(round=rnd, title="Leadership", position=1)
    digital = CriterionFactory(round=rnd, title="Digital skills", position=2)
    funder = FunderFactory(name="Health Education North")
    post = FundedPostFactory(cohort=rnd.cohort, region=region, funder=funder, places=1)
    return {
        "round": rnd,
        "region": region,
        "criteria": (leadership, digital),
        "post": post,
        "funder": funder,
    }


def interviewed(
    world,
    scores,
    *,
    name="Candidate",
    specialty="Radiology",
    region=None,
    submitted_at=None,
    user=None,
):
    """An interviewed application with these consensus scores, one per criterion in order."""
    applicant = user or make_person(Role.APPLICANT, full_name=name)
    application = submitted(round=world["round"], applicant=applicant)
    application.region = region or world["region"]
    application.specialty = specialty
    application.stage = Stage.INTERVIEWED
    application.furthest_stage = Stage.INTERVIEWED
    application.submitted_at = submitted_at or NOW - datetime.timedelta(days=40)
    application.save()
    agreer = make_person(Role.PANELLIST)
    for criterion, score in zip(world["criteria"], scores, strict=True):
        ConsensusScore.objects.create(
            application=application,
            criterion=criterion,
            score=score,
            by=agreer,
            note=f"Note on {criterion.title}",
        )
    return application


def rows(world):
    (post,) = [p for p in offers.rank_round(world["round"]) if p.post.pk == world["post"].pk]
    return post


# Ranking --------------------------------------------------------------------------------------


def test_ranking_breaks_ties_by_first_criterion_then_earlier_application_and_shows_ties(
    world, login, faculty
):
    early = NOW - datetime.timedelta(days=45)
    late = NOW - datetime.timedelta(days=35)
    best = interviewed(world, [4, 4], name="Best")
    strong_first = interviewed(world, [4, 2], name="Strong First", submitted_at=late)
    earlier = interviewed(world, [3, 3], name="Earlier", submitted_at=early)
    later = interviewed(world, [3, 3], name="Later", submitted_at=late)
    tie_a = interviewed(world, [1, 4], name="Tie A", submitted_at=late)
    tie_b = interviewed(world, [1, 4], name="Tie B", submitted_at=late)
    interviewed(world, [1, 2], name="Not Appointable")  # total 3 < 4

    ranking = rows(world)
    assert [(r.rank, r.application.pk, r.tied) for r in ranking.rows] == [
        (1, best.pk, False),
        (2, strong_first.pk, False),
        (3, earlier.pk, False),
        (4, later.pk, False),
        (5, min(tie_a.pk, tie_b.pk), True),
        (5, max(tie_a.pk, tie_b.pk), True),
    ]
    assert ranking.next_ids == [best.pk]

    response = login(faculty).get(reverse("offers", args=[world["round"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 (tied)" in html
    assert "Not Appointable" not in html
    assert "Make an offer to Best" in html
    assert (
        html.index("Best")
        < html.index("Strong First")
        < html.index("Earlier")
        < html.index("Later")
    )


def test_blank_appointable_score_lets_any_total_through_but_needs_every_criterion(world):
    world["round"].appointable_score = None
    world["round"].save()
    low = interviewed(world, [0, 0], name="Low")
    partial = interviewed(world, [4, 4], name="Partial")
    partial.consensus_scores.filter(criterion=world["criteria"][1]).delete()
    assert [r.application.pk for r in rows(world).rows] == [low.pk]


def test_themed_post_is_only_offered_to_its_specialty(world, faculty):
    themed = FundedPostFactory(
        cohort=world["round"].cohort,
        region=world["region"],
        funder=FunderFactory(),
        specialty_theme="Haematology",
        places=1,
    )
    radiologist = interviewed(world, [4, 4], name="Radiologist", specialty="Radiology")
    haematologist = interviewed(world, [3, 3], name="Haem", specialty="  haematology ")
    elsewhere = interviewed(
        world,
        [4, 4],
        name="Elsewhere",
        specialty="Haematology",
        region=RegionFactory(name="South West"),
    )

    (standing,) = [p for p in offers.rank_round(world["round"]) if p.post.pk == themed.pk]
    assert [r.application.pk for r in standing.rows] == [haematologist.pk]
    assert standing.next_ids == [haematologist.pk]
    # The open post in the region takes any specialty from that region only.
    assert [r.application.pk for r in rows(world).rows] == [radiologist.pk, haematologist.pk]
    assert elsewhere.pk not in {r.application.pk for r in rows(world).rows}

    with pytest.raises(ValidationError):
        offers.make_offer(radiologist, themed, by=faculty)
    offer = offers.make_offer(haematologist, themed, by=faculty)
    assert offer.post == themed


def test_accepting_a_themed_post_records_the_theme_on_the_fellow(world, faculty):
    themed = FundedPostFactory(
        cohort=world["round"].cohort,
        region=world["region"],
        funder=FunderFactory(),
        specialty_theme="Haematology",
        places=1,
    )
    haematologist = interviewed(world, [3, 3], name="Haem", specialty="Haematology")
    offer = offers.make_offer(haematologist, themed, by=faculty)
    offers.accept_offer(offer, by=haematologist.applicant)
    # Matching reads the theme: a themed post takes projects of that theme only.
    assert Fellow.objects.get(user=haematologist.applicant).post_theme == "Haematology"


# Making and accepting an offer ------------------------------------------------------------------


def test_offer_then_accept_creates_the_fellow_and_records_each_stage(
    world, faculty, login, django_capture_on_commit_callbacks
):
    candidate = interviewed(world, [4, 3], name="Avery Candidate", specialty="Radiology")
    candidate.profession = Profession.MEDICINE
    candidate.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(faculty).post(
            reverse("offers", args=[world["round"].pk]),
            {"post": world["post"].pk, "application": candidate.pk},
        )
    assert response.status_code == 302
    offer = Offer.objects.get(application=candidate)
    assert offer.state == OfferState.PENDING
    assert offer.rank == 1
    assert offer.made_by == faculty
    assert abs(
        offer.respond_by - (offer.made_at + datetime.timedelta(days=7))
    ) < datetime.timedelta(seconds=1)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFERED
    (email,) = mail.outbox
    assert email.to == [candidate.applicant.email]
    assert reverse("offer_respond", args=[offer.pk]) in email.body

    client = login(candidate.applicant)
    page = client.get(reverse("offer_respond", args=[offer.pk]))
    assert page.status_code == 200
    assert "North East" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("offer_respond", args=[offer.pk]), {"decision": "accept"})
    assert response.status_code == 302
    offer.refresh_from_db()
    candidate.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED and offer.responded_at
    assert candidate.stage == Stage.APPOINTED and candidate.furthest_stage == Stage.APPOINTED
    fellow = Fellow.objects.get(user=candidate.applicant)
    assert (
        fellow.cohort,
        fellow.region,
        fellow.profession,
        fellow.specialty,
        fellow.funder,
        fellow.ref,
    ) == (
        world["round"].cohort,
        world["region"],
        Profession.MEDICINE,
        "Radiology",
        world["funder"],
        candidate.ref,
    )
    assert candidate.applicant.has_role(Role.FELLOW)
    assert list(
        StageChange.objects.filter(application=candidate).values_list(
            "from_stage", "to_stage", "by"
        )
    ) == [
        (Stage.INTERVIEWED, Stage.OFFERED, faculty.pk),
        (Stage.OFFERED, Stage.APPOINTED, candidate.applicant.pk),
    ]
    assert {m.to[0] for m in mail.outbox} == {candidate.applicant.email, faculty.email}
    assert (
        "You are now a fellow"
        in client.get(reverse("offer_respond", args=[offer.pk])).content.decode()
    )
    # The place is filled: nobody else is proposed.
    assert rows(world).next_ids == []


def test_only_the_candidate_next_in_line_can_be_offered(world, faculty):
    interviewed(world, [4, 4], name="First")
    second = interviewed(world, [3, 3], name="Second")
    with pytest.raises(ValidationError):
        offers.make_offer(second, world["post"], by=faculty)
    assert not Offer.objects.exists()
    second.refresh_from_db()
    assert second.stage == Stage.INTERVIEWED


def test_a_candidate_never_holds_two_live_offers(world, faculty):
    other = FundedPostFactory(
        cohort=world["round"].cohort, region=world["region"], funder=FunderFactory(), places=1
    )
    only = interviewed(world, [4, 4])
    offers.make_offer(only, world["post"], by=faculty)
    standing = {p.post.pk: p for p in offers.rank_round(world["round"])}
    assert standing[other.pk].next_ids == []  # busy with the first offer
    with pytest.raises(ValidationError):
        offers.make_offer(only, other, by=faculty)


# Decline, lapse and the cascade ---------------------------------------------------------------


def test_decline_then_next_candidate_is_proposed_and_offered_after_faculty_confirm(
    world, faculty, login, django_capture_on_commit_callbacks
):
    first = interviewed(world, [4, 4], name="First Choice")
    second = interviewed(world, [3, 3], name="Second Choice")
    offer = offers.make_offer(first, world["post"], by=faculty)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(first.applicant).post(
            reverse("offer_respond", args=[offer.pk]),
            {"decision": "decline", "reason": "Moving abroad"},
        )
    assert response.status_code == 302
    offer.refresh_from_db()
    first.refresh_from_db()
    assert offer.state == OfferState.DECLINED
    assert first.stage == Stage.WITHDRAWN
    assert first.stage_changes.last().reason == "declined the offer: Moving abroad"
    assert {m.to[0] for m in mail.outbox} == {first.applicant.email, faculty.email}

    # Proposed, not offered, until faculty confirm.
    page = login(faculty).get(reverse("offers", args=[world["round"].pk])).content.decode()
    assert "Offer the post to the next candidate: <strong>Second Choice</strong>" in page
    assert not Offer.objects.filter(application=second).exists()
    login(faculty).post(
        reverse("offers", args=[world["round"].pk]),
        {"post": world["post"].pk, "application": second.pk},
    )
    assert Offer.objects.get(application=second).rank == 2
    second.refresh_from_db()
    assert second.stage == Stage.OFFERED


def test_lapse_task_is_idempotent_and_proposes_the_next_candidate(
    world, faculty, django_capture_on_commit_callbacks
):
    first = interviewed(world, [4, 4], name="Slow")
    second = interviewed(world, [3, 3], name="Next")
    offer = offers.make_offer(
        first, world["post"], by=faculty, now=NOW - datetime.timedelta(days=8)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert lapse_expired_offers() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert lapse_expired_offers() == 0
    offer.refresh_from_db()
    first.refresh_from_db()
    assert offer.state == OfferState.LAPSED
    assert first.stage == Stage.WITHDRAWN
    assert first.stage_changes.filter(to_stage=Stage.WITHDRAWN).count() == 1
    lapsed = [m for m in mail.outbox if m.subject.startswith("Offer lapsed")]
    assert len(lapsed) == 1 and lapsed[0].to == [faculty.email]
    standing = rows(world)
    assert standing.cascading and standing.next_ids == [second.pk]


def test_a_pending_offer_inside_its_deadline_does_not_lapse(world, faculty):
    offer = offers.make_offer(interviewed(world, [4, 4]), world["post"], by=faculty)
    assert offers.lapse_expired_offers() == 0
    offer.refresh_from_db()
    assert offer.state == OfferState.PENDING


def test_reply_after_the_deadline_is_refused(world, faculty, login):
    candidate = interviewed(world, [4, 4])
    offer = offers.make_offer(
        candidate, world["post"], by=faculty, now=NOW - datetime.timedelta(days=8)
    )
    client = login(candidate.applicant)
    assert (
        "This offer has ended"
        in client.get(reverse("offer_respond", args=[offer.pk])).content.decode()
    )
    response = client.post(reverse("offer_respond", args=[offer.pk]), {"decision": "accept"})
    assert response.status_code == 400
    assert "deadline to reply to this offer has passed" in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == OfferState.PENDING
    assert not Fellow.objects.exists()
    with pytest.raises(ValidationError):
        offers.decline_offer(offer, by=candidate.applicant)


def test_an_answered_offer_cannot_be_answered_again(world, faculty):
    candidate = interviewed(world, [4, 4])
    offer = offers.make_offer(candidate, world["post"], by=faculty)
    offers.decline_offer(offer, by=candidate.applicant)
    with pytest.raises(ValidationError):
        offers.accept_offer(offer, by=candidate.applicant)


# Outcomes -------------------------------------------------------------------------------------


def test_outcomes_tell_interviewed_candidates_without_offers_with_feedback(
    world, faculty, login, django_capture_on_commit_callbacks
):
    appointed = interviewed(world, [4, 4], name="Winner")
    offers.make_offer(appointed, world["post"], by=faculty)
    loser = interviewed(world, [2, 3], name="Runner Up")
    weak = interviewed(world, [1, 1], name="Not Appointable")

    client = login(faculty)
    assert client.get(reverse("send_outcomes", args=[world["round"].pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("send_outcomes", args=[world["round"].pk]))
    assert response.status_code == 302
    for application in (loser, weak):
        application.refresh_from_db()
        assert application.stage == Stage.UNSUCCESSFUL
        assert application.stage_changes.last().by == faculty
    appointed.refresh_from_db()
    assert appointed.stage == Stage.OFFERED
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {loser.applicant.email, weak.applicant.email}
    body = by_person[loser.applicant.email].body
    assert "Leadership: 2 out of 4" in body
    assert "Digital skills: 3 out of 4" in body
    assert "Note on Leadership" in body
    # Sending again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert offers.send_outcomes(world["round"], by=faculty) == 0


# Who may see what -----------------------------------------------------------------------------


def test_another_applicant_gets_404_on_an_offer(world, faculty, login):
    candidate = interviewed(world, [4, 4])
    offer = offers.make_offer(candidate, world["post"], by=faculty)
    url = reverse("offer_respond", args=[offer.pk])
    assert login(make_person(Role.APPLICANT)).get(url).status_code == 404
    assert login(make_person(Role.APPLICANT)).post(url, {"decision": "accept"}).status_code == 404
    assert login(faculty).get(url).status_code == 404
    offer.refresh_from_db()
    assert offer.state == OfferState.PENDING


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.PANELLIST, Role.FELLOW, Role.FUNDER])
def test_only_faculty_see_the_offers_page(world, login, role):
    user = make_person(role) if role else make_person()
    client = login(user)
    assert client.get(reverse("offers", args=[world["round"].pk])).status_code == 403
    assert client.post(reverse("send_outcomes", args=[world["round"].pk])).status_code == 403


def test_offers_page_query_count_does_not_grow_with_candidates(
    world, faculty, login, django_assert_max_num_queries
):
    for n in range(6):
        interviewed(world, [4, n % 5])
    client = login(faculty)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("offers", args=[world["round"].pk])).status_code == 200
