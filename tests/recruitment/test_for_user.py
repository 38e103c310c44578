"""Who sees which panels, slots, interview scores and offers: `for_user()` on their querysets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from recruitment.enums import Stage
from recruitment.models import InterviewPanel, InterviewScore, InterviewSlot, Offer
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    FundedPostFactory,
    RoundFactory,
    submitted,
)

pytestmark = pytest.mark.django_db


def _panel_with_candidate(rnd, name: str, member, criterion):
    panel = InterviewPanel.objects.create(round=rnd, name=name, date=dt.date(2026, 6, 1))
    panel.members.set([member])
    application = submitted(ApplicationFactory(round=rnd))
    application.stage = Stage.SHORTLISTED
    application.save()
    start = timezone.now()
    slot = InterviewSlot.objects.create(
        panel=panel,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        application=application,
    )
    score = InterviewScore.objects.create(
        application=application, panellist=member, criterion=criterion, score=3
    )
    return panel, slot, score


@pytest.fixture
def two_panels(person):
    rnd = RoundFactory()
    criterion = CriterionFactory(round=rnd)
    mine_member, other_member = person("panellist"), person("panellist")
    mine = _panel_with_candidate(rnd, "Panel A", mine_member, criterion)
    other = _panel_with_candidate(rnd, "Panel B", other_member, criterion)
    return {"member": mine_member, "mine": mine, "other": other}


def test_a_panellist_sees_only_their_own_panels_slots_and_candidates_scores(two_panels):
    member = two_panels["member"]
    panel, slot, score = two_panels["mine"]
    assert list(InterviewPanel.objects.for_user(member)) == [panel]
    assert list(InterviewSlot.objects.for_user(member)) == [slot]
    assert list(InterviewScore.objects.for_user(member)) == [score]


def test_faculty_see_every_panel_slot_and_score(two_panels, person):
    faculty = person("faculty")
    assert InterviewPanel.objects.for_user(faculty).count() == 2
    assert InterviewSlot.objects.for_user(faculty).count() == 2
    assert InterviewScore.objects.for_user(faculty).count() == 2


@pytest.mark.parametrize("role", ["applicant", "fellow", "supervisor", "funder", None])
def test_people_on_no_panel_see_no_panel_slot_or_score(two_panels, person, role):
    someone = person(role) if role else person()
    for model in (InterviewPanel, InterviewSlot, InterviewScore):
        assert not model.objects.for_user(someone).exists()


def test_anonymous_visitors_see_nothing(two_panels):
    for model in (InterviewPanel, InterviewSlot, InterviewScore, Offer):
        assert not model.objects.for_user(AnonymousUser()).exists()


def test_a_candidate_sees_only_the_offers_made_to_them(person):
    rnd = RoundFactory()
    post = FundedPostFactory(cohort=rnd.cohort)
    faculty = person("faculty")
    offers = []
    for _ in range(2):
        application = submitted(ApplicationFactory(round=rnd))
        offers.append(
            Offer.objects.create(
                application=application,
                post=post,
                rank=1,
                made_by=faculty,
                respond_by=timezone.now() + dt.timedelta(days=7),
            )
        )
    candidate = offers[0].application.applicant
    assert list(Offer.objects.for_user(candidate)) == [offers[0]]
    assert Offer.objects.for_user(faculty).count() == 2
    assert not Offer.objects.for_user(person("panellist")).exists()
