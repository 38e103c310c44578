"""Ranking appointable candidates for a post, and the offer cascade. Pure Python, no Django import.

Ranking: the higher consensus score ranks first. Candidates with the same score are separated by
the tie-break keys, in order (for example the score on the round's priority criterion, then the
earlier submission). Only candidates equal on the score and on every key share a rank, and they
share it the "1, 2, 2, 4" way (standard competition ranking): a candidate's rank is one more than
the number of candidates strictly ahead. Candidates sharing a rank are listed by id, so the order
is always the same; faculty decide between them.

Offer cascade: a post has a number of places (usually one). Accepted and pending offers fill
places. While a place is free, the post is offered to the best-ranked candidate who has not had an
offer yet; a declined, lapsed or withdrawn offer frees its place and is never repeated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"
LAPSED = "lapsed"
WITHDRAWN = "withdrawn"
OFFER_STATES = frozenset({PENDING, ACCEPTED, DECLINED, LAPSED, WITHDRAWN})
# Offers that hold a place; the others have ended and free it.
HOLDING_STATES = frozenset({PENDING, ACCEPTED})

CandidateId = int | str


@dataclass(frozen=True)
class LowerFirst:
    """Wraps a tie-break value for which lower is better, such as an earlier submission time."""

    value: Any

    def __lt__(self, other: LowerFirst) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: LowerFirst) -> bool:
        return bool(other.value > self.value)


@dataclass(frozen=True)
class Candidate:
    """An appointable candidate for one post.

    ``tie_breaks`` are compared in order with higher first; wrap a value in ``LowerFirst`` when
    lower is better (``LowerFirst(submitted_at)``). A missing key (None, or a shorter tuple than
    other candidates') ranks below any value.
    """

    id: CandidateId
    score: float
    tie_breaks: tuple[Any, ...] = field(default=())


@dataclass(frozen=True)
class Ranked:
    rank: int
    candidate: Candidate

    @property
    def id(self) -> CandidateId:
        return self.candidate.id


def _present(value: Any) -> Any:
    return None if isinstance(value, LowerFirst) and value.value is None else value


def _merit(candidate: Candidate, width: int) -> tuple[tuple[Any, ...], ...]:
    """A key for which higher means better; None (missing, or a key not given) sorts lowest."""
    keys = (candidate.score, *candidate.tie_breaks)
    merit = tuple(_MISSING if _present(k) is None else (1, k) for k in keys)
    return merit + (_MISSING,) * (width - len(candidate.tie_breaks))


_MISSING = (0,)


def rank(candidates: Sequence[Candidate]) -> list[Ranked]:
    """Candidates best first with their competition rank ("1, 2, 2, 4").

    Raises ValueError when two candidates have the same id.
    """
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("each candidate can appear once")
    by_id = sorted(candidates, key=lambda c: (isinstance(c.id, str), c.id))
    width = max((len(c.tie_breaks) for c in candidates), default=0)
    # Each key is worked out once. Python's sort is stable, also with reverse=True, so equals
    # stay in id order.
    keyed = sorted(((_merit(c, width), c) for c in by_id), key=lambda pair: pair[0], reverse=True)
    result: list[Ranked] = []
    previous: tuple[tuple[Any, ...], ...] | None = None
    shared = 0
    for position, (merit, candidate) in enumerate(keyed, start=1):
        if merit != previous:
            previous, shared = merit, position
        result.append(Ranked(shared, candidate))
    return result


def _check(offers: Mapping[CandidateId, str], places: int) -> None:
    if places < 1:
        raise ValueError("a post has at least one place")
    unknown = set(offers.values()) - OFFER_STATES
    if unknown:
        raise ValueError(f"unknown offer state: {sorted(unknown)}")


def free_places(offers: Mapping[CandidateId, str], places: int = 1) -> int:
    """Places not held by an accepted or pending offer (never below zero)."""
    _check(offers, places)
    held = sum(1 for state in offers.values() if state in HOLDING_STATES)
    return max(0, places - held)


def next_offers(
    ranked: Sequence[Ranked], offers: Mapping[CandidateId, str], places: int = 1
) -> list[CandidateId]:
    """Who to offer the post to now: one candidate per free place, best-ranked first.

    ``offers`` maps candidate id to the state of that candidate's offer for this post; a candidate
    with any offer (even declined, lapsed or withdrawn) is never offered again.
    """
    free = free_places(offers, places)
    waiting = [r.id for r in ranked if r.id not in offers]
    return waiting[:free]


def next_offer(
    ranked: Sequence[Ranked], offers: Mapping[CandidateId, str], places: int = 1
) -> CandidateId | None:
    """The next candidate to offer the post to, or None when it is filled or nobody is left.

    Filled means accepted plus pending offers reach ``places``: a pending offer holds its place
    until it is accepted, declined, lapses or is withdrawn.
    """
    chosen = next_offers(ranked, offers, places)
    return chosen[0] if chosen else None
