"""The shortlisting page keeps a round's standings in the cache: a second look with nothing
changed works nothing out again, and a change to anything the ranking is worked out from (made
through a service or in bulk, behind the services' back) shows on the very next look."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db.models import F
from django.urls import reverse

from fellowship.enums import Role
from fellowship.models import FundedPost, Region
from recruitment import services, shortlist_standings, shortlisting
from recruitment.enums import Stage
from recruitment.models import (
    Application,
    Criterion,
    Moderation,
    RecruitmentRound,
    ReviewerAssignment,
    ShortlistScore,
)

from ..factories import CriterionFactory, FundedPostFactory, RegionFactory, RoundFactory, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(person):
    """Five applications in one region (one place: the top two are ticked), two reviewers each
    but the last, with distinct totals, one pair of differing scores and one moderation."""
    rnd = RoundFactory(moderation_margin=1, reviewers_per_application=2)
    first, second = (CriterionFactory(round=rnd, title=t) for t in ("Leadership", "Research"))
    north = RegionFactory(name="North")
    post = FundedPostFactory(cohort=rnd.cohort, region=north, places=1)
    reviewers = [person(Role.PANELLIST) for _ in range(3)]
    faculty = person(Role.FACULTY)
    applications = []
    # (scores of the first reviewer, of the second); None: not assigned
    plan = [((4, 4), (4, 3)), ((3, 3), (3, 3)), ((2, 2), (4, 2)), ((1, 1), (1, 1)), ((0, 0), None)]
    for first_scores, second_scores in plan:
        application = submitted(round=rnd)
        application.region = north
        application.save()
        applications.append(application)
        for reviewer, scores in zip(reviewers, (first_scores, second_scores), strict=False):
            if scores is None:
                continue
            assignment = ReviewerAssignment.objects.create(
                application=application, reviewer=reviewer
            )
            for criterion, score in zip((first, second), scores, strict=True):
                ShortlistScore.objects.create(
                    assignment=assignment, criterion=criterion, score=score
                )
    Moderation.objects.create(
        application=applications[1], criterion=first, score=1, reason="Settled", by=faculty
    )
    return SimpleNamespace(
        round=rnd,
        criteria=(first, second),
        north=north,
        post=post,
        reviewers=reviewers,
        faculty=faculty,
        applications=applications,
    )


def _plain(chosen):
    return [
        (
            s.pk,
            s.rank,
            s.total,
            s.flagged,
            s.reviewer_count,
            s.selected,
            s.outcome,
            (s.group.region, s.group.theme, s.group.places),
        )
        for s in chosen
    ]


def cached(world):
    """What the page gets (through the cache), read with the round as the page reads it."""
    found = shortlist_standings.ranking(RecruitmentRound.objects.get(pk=world.round.pk))
    return _plain(found.waiting), _plain(found.decided)


def worked_out(world):
    """The standings worked out afresh, without the cache."""
    rnd = RecruitmentRound.objects.get(pk=world.round.pk)
    return (
        _plain(shortlist_standings.standings(rnd)),
        _plain(
            shortlist_standings.standings(
                rnd, applications=shortlisting.decided(rnd), with_outcome=True
            )
        ),
    )


def test_a_second_look_with_nothing_changed_comes_from_the_cache(world, monkeypatch):
    first = cached(world)
    assert first == worked_out(world)

    def refuse(*args, **kwargs):
        raise AssertionError("the standings were worked out again")

    monkeypatch.setattr(shortlist_standings, "standings", refuse)
    assert cached(world) == first


def test_what_the_cache_gives_can_be_changed_by_the_caller_without_changing_the_cache(world):
    first = shortlist_standings.ranking(world.round)
    for standing in first.waiting:
        standing.selected = not standing.selected
    assert cached(world) == worked_out(world)


def _assignment(world, n, reviewer=0):
    return ReviewerAssignment.objects.get(
        application=world.applications[n], reviewer=world.reviewers[reviewer]
    )


def _score(world, n, reviewer=0, criterion=0):
    return ShortlistScore.objects.get(
        assignment=_assignment(world, n, reviewer), criterion=world.criteria[criterion]
    )


def reviewer_scores_an_unscored_criterion(world):
    ShortlistScore.objects.filter(pk=_score(world, 3, reviewer=1, criterion=1).pk).delete()
    cached(world)  # the page is looked at between the two changes
    assignment = _assignment(world, 3, reviewer=1)
    shortlisting.save_scores(assignment, {world.criteria[1].pk: (4, "")}, by=world.reviewers[1])


def reviewer_changes_a_score(world):
    assignment = _assignment(world, 3)
    shortlisting.save_scores(assignment, {world.criteria[0].pk: (4, "")}, by=world.reviewers[0])


def score_changed_in_bulk(world):
    ShortlistScore.objects.filter(pk=_score(world, 4).pk).update(score=4)


def scores_swapped_in_bulk_keeping_their_sum(world):
    # 1 and 4 trade places: the sum of all scores and the latest time scored stay the same
    low, high = _score(world, 3), _score(world, 0)
    ShortlistScore.objects.filter(pk=low.pk).update(score=high.score)
    ShortlistScore.objects.filter(pk=high.pk).update(score=low.score)


def reviewer_declares_a_conflict(world):
    shortlisting.declare_conflict(
        _assignment(world, 0, reviewer=1), by=world.reviewers[1], note="My trainee"
    )


def reviewers_assigned(world):
    report = shortlisting.assign_reviewers(world.round, [world.reviewers[2]], by=world.faculty)
    assert report.created == 1


def faculty_moderate(world):
    shortlisting.moderate(
        world.applications[2], world.criteria[0], score=4, reason="Agreed", by=world.faculty
    )


def moderation_changed_in_bulk(world):
    Moderation.objects.update(score=0)


def moderation_deleted(world):
    Moderation.objects.all().delete()


def applicant_withdraws(world):
    application = world.applications[0]
    services.withdraw_application(application, by=application.applicant)


def stage_changed_in_bulk(world):
    Application.objects.filter(pk=world.applications[1].pk).update(stage=Stage.INELIGIBLE)


def another_application_submitted(world):
    application = submitted(round=world.round)
    application.region = world.north
    application.save()


def region_changed_in_bulk(world):
    south = RegionFactory(name="South")
    Application.objects.filter(pk=world.applications[0].pk).update(region=south)


def specialty_changed_in_bulk(world):
    FundedPostFactory(
        cohort=world.round.cohort, region=world.north, places=1, specialty_theme="Renal"
    )
    cached(world)  # the page is looked at between the two changes
    Application.objects.filter(pk=world.applications[3].pk).update(specialty="renal ")


def region_renamed(world):
    Region.objects.filter(pk=world.north.pk).update(name="North East")


def funded_places_changed(world):
    FundedPost.objects.filter(pk=world.post.pk).update(places=F("places") + 1)


def funded_post_added(world):
    FundedPostFactory(cohort=world.round.cohort, region=world.north, places=1)


def moderation_margin_changed(world):
    RecruitmentRound.objects.filter(pk=world.round.pk).update(moderation_margin=0)


def criterion_leaves_the_round(world):
    other = RoundFactory(cohort=world.round.cohort)
    Criterion.objects.filter(pk=world.criteria[1].pk).update(round=other)


def shortlist_made(world):
    shortlisting.make_shortlist(world.round, world.applications[:2], by=world.faculty)


CHANGES = [
    reviewer_scores_an_unscored_criterion,
    reviewer_changes_a_score,
    score_changed_in_bulk,
    scores_swapped_in_bulk_keeping_their_sum,
    reviewer_declares_a_conflict,
    reviewers_assigned,
    faculty_moderate,
    moderation_changed_in_bulk,
    moderation_deleted,
    applicant_withdraws,
    stage_changed_in_bulk,
    another_application_submitted,
    region_changed_in_bulk,
    specialty_changed_in_bulk,
    region_renamed,
    funded_places_changed,
    funded_post_added,
    moderation_margin_changed,
    criterion_leaves_the_round,
    shortlist_made,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_shows_on_the_next_look(world, change):
    before = cached(world)
    assert before == worked_out(world)
    change(world)
    after = cached(world)
    assert after == worked_out(world)
    assert after != before, "the change should move the standings"


def test_the_page_shows_a_moderation_made_after_it_was_first_seen(world, faculty_client):
    url = reverse("shortlisting", args=[world.round.pk])
    assert "1 to moderate" in faculty_client.get(url).content.decode()
    shortlisting.moderate(
        world.applications[2], world.criteria[0], score=4, reason="Agreed", by=world.faculty
    )
    page = faculty_client.get(url).content.decode()
    assert "to moderate" not in page
    assert f"{len(world.applications)} applications waiting for the shortlist" in page
    shortlisting.make_shortlist(world.round, world.applications[:2], by=world.faculty)
    page = faculty_client.get(url).content.decode()
    assert "The shortlist has been made: 2 shortlisted, 3 not shortlisted." in page
    assert "applications waiting for the shortlist" not in page


def test_standings_worked_out_during_a_change_are_not_stored_under_the_older_key(
    world, monkeypatch
):
    """A moderation changes while the standings are worked out and is then put back exactly as
    it was: the standings of the changed moderation must not be given for the state put back."""
    moderation = Moderation.objects.get()
    work_out = shortlist_standings.standings

    def racing(*args, **kwargs):
        Moderation.objects.filter(pk=moderation.pk).update(score=4)
        return work_out(*args, **kwargs)

    monkeypatch.setattr(shortlist_standings, "standings", racing)
    during = cached(world)
    monkeypatch.setattr(shortlist_standings, "standings", work_out)
    Moderation.objects.filter(pk=moderation.pk).update(score=moderation.score, at=moderation.at)
    after = cached(world)
    assert after == worked_out(world)
    assert after != during
