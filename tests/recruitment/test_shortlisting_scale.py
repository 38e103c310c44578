"""The shortlisting page at national scale: the light ranking (plain values, no model instances)
gives every application the same rank, total, tick, flag and group as the full results table, and
the faculty's page builds full rows only for the page it shows."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import Role
from recruitment import shortlist_standings, shortlisting
from recruitment.enums import Stage
from recruitment.models import Moderation, ReviewerAssignment, ShortlistScore
from recruitment.views.shortlisting import SCORES_PAGE_SIZE

from ..factories import CriterionFactory, FundedPostFactory, RegionFactory, RoundFactory, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd():
    rnd = RoundFactory(moderation_margin=1, reviewers_per_application=2)
    for title in ("Leadership", "Digital skills", "Research"):
        CriterionFactory(round=rnd, title=title)
    return rnd


def _apply(rnd, region, specialty=""):
    application = submitted(round=rnd)
    application.region = region
    application.specialty = specialty
    application.save()
    return application


def _mixed_round(rnd, person, *, count=40, seed=7):
    """Applications across regions (and none), themed and unthemed, with missing, partial, tied,
    differing (flagged) and moderated scores."""
    chance = random.Random(seed)
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    FundedPostFactory(cohort=rnd.cohort, region=north, places=2)
    FundedPostFactory(cohort=rnd.cohort, region=north, places=1, specialty_theme="Haematology")
    FundedPostFactory(cohort=rnd.cohort, region=south, places=1, specialty_theme=" Cardiology ")
    reviewers = [person(Role.PANELLIST) for _ in range(3)]
    moderator = person(Role.FACULTY)
    criteria = list(rnd.criteria.all())
    applications = []
    for _ in range(count):
        application = _apply(
            rnd,
            chance.choice([north, north, south, None]),
            chance.choice(["Haematology", " haematology", "CARDIOLOGY", "Renal", ""]),
        )
        applications.append(application)
        for reviewer in chance.sample(reviewers, chance.choice([0, 1, 2, 2, 3])):
            assignment = ReviewerAssignment.objects.create(
                application=application, reviewer=reviewer
            )
            for criterion in criteria:
                if chance.random() < 0.85:
                    ShortlistScore.objects.create(
                        assignment=assignment, criterion=criterion, score=chance.choice([1, 2, 4])
                    )
        for criterion in criteria:
            if chance.random() < 0.15:
                Moderation.objects.create(
                    application=application,
                    criterion=criterion,
                    score=chance.randint(0, 4),
                    reason="Settled",
                    by=moderator,
                )
    return applications


def _compare(standings, groups, *, outcome=False):
    rows = [row for group in groups for row in group.rows]
    group_of = {row.application.pk: group for group in groups for row in group.rows}
    assert [s.pk for s in standings] == [row.application.pk for row in rows]
    for standing, row in zip(standings, rows, strict=True):
        group = group_of[row.application.pk]
        assert standing.rank == row.rank, row.application.pk
        assert standing.total == row.total, row.application.pk
        assert standing.selected == row.selected, row.application.pk
        assert standing.flagged == row.flagged, row.application.pk
        assert standing.reviewer_count == len(row.reviewers), row.application.pk
        assert (standing.group.region, standing.group.theme, standing.group.places) == (
            group.region,
            group.theme,
            group.places,
        )
        if outcome:
            assert standing.outcome == row.outcome
    return rows


def test_the_light_ranking_equals_the_full_results_row_by_row(rnd, person):
    _mixed_round(rnd, person)
    _, groups = shortlisting.results(rnd)
    rows = _compare(shortlist_standings.standings(rnd), groups)
    # The round really has every case the ranking must get right.
    ranks = [(id(g), r.rank) for g in groups for r in g.rows]
    assert len(ranks) > len(set(ranks)), "no ties"
    assert any(r.flagged for r in rows)
    assert any(r.total is None for r in rows)
    assert any(not r.complete and r.total is not None for r in rows)
    assert any(res.moderation for r in rows for res in r.results)
    assert any(r.selected for r in rows) and any(not r.selected for r in rows)
    assert {g.theme for g in groups} >= {"", "Haematology", "Cardiology"}
    assert "No region" in {g.region for g in groups}
    # a mean of three reviewers, rounded to a tenth
    assert any(r.total is not None and r.total % 1 not in (0, Decimal("0.5")) for r in rows)


def test_the_light_ranking_equals_the_decided_results_once_the_shortlist_is_made(rnd, person):
    applications = _mixed_round(rnd, person, count=30, seed=11)
    faculty = person(Role.FACULTY)
    chosen = [a for a in applications if a.pk % 3 == 0]
    shortlisting.make_shortlist(rnd, chosen, by=faculty)
    _apply(rnd, None)  # one still waiting, which is not in the decided list
    _, groups = shortlisting.decided_results(rnd)
    decided = shortlist_standings.standings(
        rnd, applications=shortlisting.decided(rnd), with_outcome=True
    )
    rows = _compare(decided, groups, outcome=True)
    assert {r.application.pk for r in rows if r.selected} == {a.pk for a in chosen}
    assert {r.outcome for r in rows} == {Stage.SHORTLISTED, Stage.UNSUCCESSFUL}


def test_page_rows_are_the_full_rows_with_the_ranking_of_the_whole_round(rnd, person):
    _mixed_round(rnd, person, count=12, seed=3)
    criteria, groups = shortlisting.results(rnd)
    full = [row for group in groups for row in group.rows]
    standings = shortlist_standings.standings(rnd)
    page = standings[5:9]
    paged = shortlist_standings.grouped(page, shortlist_standings.rows_for(rnd, criteria, page))
    rows = [row for group in paged for row in group.rows]
    for row, expected in zip(rows, full[5:9], strict=True):
        assert row.application == expected.application
        assert (row.rank, row.selected, row.total, row.flagged) == (
            expected.rank,
            expected.selected,
            expected.total,
            expected.flagged,
        )
        assert [(r.criterion, r.scores, r.moderation, r.flagged) for r in row.results] == [
            (r.criterion, r.scores, r.moderation, r.flagged) for r in expected.results
        ]
        assert row.reviewers == expected.reviewers


def test_page_shows_one_page_of_rows_and_counts_from_the_whole_round(rnd, person, faculty_client):
    _mixed_round(rnd, person, count=SCORES_PAGE_SIZE + 5, seed=5)
    _, groups = shortlisting.results(rnd)
    rows = [row for group in groups for row in group.rows]
    url = reverse("shortlisting", args=[rnd.pk])
    first = faculty_client.get(url).content.decode()
    second = faculty_client.get(url, {"page": 2}).content.decode()
    on_first = [int(pk) for pk in re.findall(r'id="shortlist-(\d+)"', first)]
    on_second = [int(pk) for pk in re.findall(r'id="shortlist-(\d+)"', second)]
    assert on_first == [r.application.pk for r in rows[:SCORES_PAGE_SIZE]]
    assert on_second == [r.application.pk for r in rows[SCORES_PAGE_SIZE:]]
    hidden = {
        int(pk) for pk in re.findall(r'type="hidden" name="applications" value="(\d+)"', first)
    }
    assert hidden == {r.application.pk for r in rows[SCORES_PAGE_SIZE:] if r.selected}
    flagged = sum(1 for r in rows if r.flagged)
    assert f"{len(rows)} applications waiting for the shortlist" in first
    if flagged:
        assert f"{flagged} to moderate" in first
    needing = [r for r in rows if len(r.reviewers) < rnd.reviewers_per_application]
    assert first.count(" of 2 reviewers</li>") == min(len(needing), SCORES_PAGE_SIZE)


def test_shortlisting_page_queries_do_not_grow_with_the_round(rnd, person, faculty_client):
    url = reverse("shortlisting", args=[rnd.pk])
    reviewers = [person(Role.PANELLIST), person(Role.PANELLIST), person(Role.FACULTY)]
    region = RegionFactory(name="North")
    FundedPostFactory(cohort=rnd.cohort, region=region, places=1)
    criteria = list(rnd.criteria.all())

    def add(count):
        for n in range(count):
            application = _apply(rnd, region)
            if n % 3 == 2:
                continue  # one in three without reviewers
            for reviewer in reviewers[:2]:
                assignment = ReviewerAssignment.objects.create(
                    application=application, reviewer=reviewer
                )
                for criterion in criteria:
                    ShortlistScore.objects.create(
                        assignment=assignment, criterion=criterion, score=2
                    )
            Moderation.objects.create(
                application=application, criterion=criteria[0], score=3, reason="r", by=reviewers[2]
            )

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    add(3)
    worked_out = queries()  # the standings are worked out, then come from the cache
    cached = queries()
    assert cached < worked_out
    add(57)  # 60 applications, three pages
    assert queries() == worked_out
    assert queries() == cached
    assert queries(page=2) == cached
