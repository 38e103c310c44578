"""Ranking with ties and the offer cascade."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitment.ranking import (
    Candidate,
    LowerFirst,
    free_places,
    next_offer,
    next_offers,
    rank,
)

MONDAY = datetime(2025, 3, 3, 9, 0)


def ranks(ranked):
    return [(r.id, r.rank) for r in ranked]


def test_higher_score_ranks_first():
    ranked = rank([Candidate("a", 60), Candidate("b", 75), Candidate("c", 70)])
    assert ranks(ranked) == [("b", 1), ("c", 2), ("a", 3)]


def test_equal_scores_share_a_rank_competition_style():
    ranked = rank([Candidate("d", 50), Candidate("c", 70), Candidate("b", 70), Candidate("a", 80)])
    # 1, 2, 2, 4 — and the tied pair listed by id, whatever the input order.
    assert ranks(ranked) == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_tie_break_on_priority_criterion_then_earlier_submission():
    ranked = rank(
        [
            Candidate("late", 70, (8, LowerFirst(MONDAY + timedelta(days=2)))),
            Candidate("early", 70, (8, LowerFirst(MONDAY))),
            Candidate("priority", 70, (9, LowerFirst(MONDAY + timedelta(days=5)))),
            Candidate("best", 72, (1, LowerFirst(MONDAY + timedelta(days=9)))),
        ]
    )
    assert ranks(ranked) == [("best", 1), ("priority", 2), ("early", 3), ("late", 4)]


def test_shared_rank_only_when_every_key_is_equal():
    ranked = rank(
        [
            Candidate("y", 70, (8, LowerFirst(MONDAY))),
            Candidate("x", 70, (8, LowerFirst(MONDAY))),
            Candidate("z", 70, (7, LowerFirst(MONDAY))),
        ]
    )
    assert ranks(ranked) == [("x", 1), ("y", 1), ("z", 3)]


def test_missing_tie_break_ranks_below_any_value():
    ranked = rank(
        [
            Candidate("none", 70, (None,)),
            Candidate("low", 70, (0,)),
            Candidate("no time", 70, (0, LowerFirst(None))),
            Candidate("time", 70, (0, LowerFirst(MONDAY))),
        ]
    )
    # A key left off counts as missing, so "low" and "no time" are equal on every key.
    assert ranks(ranked) == [("time", 1), ("low", 2), ("no time", 2), ("none", 4)]


def test_rank_refuses_duplicates_and_handles_empty():
    assert rank([]) == []
    with pytest.raises(ValueError):
        rank([Candidate("a", 1), Candidate("a", 2)])


def test_integer_ids():
    assert ranks(rank([Candidate(12, 5), Candidate(3, 5)])) == [(3, 1), (12, 1)]


RANKED = rank([Candidate(name, score) for name, score in [("a", 90), ("b", 80), ("c", 70)]])


def test_first_offer_goes_to_the_top_candidate():
    assert next_offer(RANKED, {}) == "a"


def test_pending_or_accepted_offer_fills_the_post():
    assert next_offer(RANKED, {"a": "pending"}) is None
    assert next_offer(RANKED, {"a": "accepted"}) is None


def test_cascade_after_a_decline_and_after_a_lapse():
    assert next_offer(RANKED, {"a": "declined"}) == "b"
    assert next_offer(RANKED, {"a": "lapsed"}) == "b"
    assert next_offer(RANKED, {"a": "declined", "b": "lapsed"}) == "c"
    assert next_offer(RANKED, {"a": "withdrawn", "b": "pending"}) is None


def test_exhausted_list():
    assert next_offer(RANKED, {"a": "declined", "b": "lapsed", "c": "withdrawn"}) is None
    assert next_offer([], {}) is None


def test_several_places():
    assert next_offers(RANKED, {}, places=2) == ["a", "b"]
    assert next_offer(RANKED, {"a": "accepted"}, places=2) == "b"
    assert next_offer(RANKED, {"a": "accepted", "b": "pending"}, places=2) is None
    assert next_offer(RANKED, {"a": "accepted", "b": "declined"}, places=2) == "c"
    assert free_places({"a": "accepted", "b": "declined"}, places=2) == 1
    # More holding offers than places (faculty over-offered): none free, not negative.
    assert free_places({"a": "accepted", "b": "pending"}, places=1) == 0


def test_offers_to_someone_not_on_the_list_still_hold_places():
    assert next_offer(RANKED, {"withdrawn from list": "accepted"}) is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        next_offer(RANKED, {"a": "maybe"})
    with pytest.raises(ValueError):
        next_offer(RANKED, {}, places=0)


candidate_lists = st.lists(
    st.builds(
        Candidate,
        id=st.integers(0, 1000),
        score=st.integers(0, 5),
        tie_breaks=st.tuples(st.integers(0, 2), st.integers(0, 2).map(LowerFirst)),
    ),
    unique_by=lambda c: c.id,
    max_size=12,
)


@given(candidate_lists)
def test_ranking_properties(candidates):
    ranked = rank(candidates)
    assert sorted(r.id for r in ranked) == sorted(c.id for c in candidates)
    assert rank(list(reversed(candidates))) == ranked  # deterministic, input order ignored
    for position, entry in enumerate(ranked, start=1):
        ahead = [r for r in ranked if r.rank < entry.rank]
        assert entry.rank == len(ahead) + 1 <= position
    for before, after in pairwise(ranked):
        a, b = before.candidate, after.candidate
        merit_a = (a.score, a.tie_breaks[0], -a.tie_breaks[1].value)
        merit_b = (b.score, b.tie_breaks[0], -b.tie_breaks[1].value)
        assert merit_a >= merit_b
        assert (before.rank == after.rank) == (merit_a == merit_b)


@given(
    candidate_lists,
    st.integers(1, 3),
    st.lists(st.sampled_from(["accepted", "declined", "lapsed", "withdrawn"]), max_size=40),
)
def test_cascade_never_repeats_and_follows_rank_order(candidates, places, outcomes):
    ranked = rank(candidates)
    offers: dict = {}
    made = []
    outcomes = iter(outcomes)
    while True:
        chosen = next_offer(ranked, offers, places)
        if chosen is None:
            # Filled or exhausted, nothing else.
            held = sum(state in ("pending", "accepted") for state in offers.values())
            assert held >= places or len(offers) == len(ranked)
            # Resolve a pending offer, if any, and carry on; stop once nothing is pending.
            pending = [c for c, state in offers.items() if state == "pending"]
            if not pending:
                break
            offers[pending[0]] = next(outcomes, "accepted")
            continue
        assert chosen not in offers
        offers[chosen] = "pending"
        made.append(chosen)
    assert len(made) == len(set(made))
    assert made == [r.id for r in ranked][: len(made)]
    accepted = sum(state == "accepted" for state in offers.values())
    assert accepted <= places
    assert accepted == places or len(made) == len(ranked)
