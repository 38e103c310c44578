"""What a fellow reads about their result: why they did not get the projects they ranked higher."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import ProposedMatch
from .run import NO_CHOICES


@dataclass
class Explanation:
    """One line of a fellow's explanation: a project they ranked higher and why they did not get it."""

    rank: int | None
    ref: str
    title: str
    kind: str
    taken_by: list[str]


def explanation(proposed: ProposedMatch) -> list[Explanation]:
    """The stored reasons, in the fellow's order; after an override, only for projects ranked above theirs."""
    lines = [
        Explanation(
            r.get("rank"),
            r.get("project", ""),
            r.get("title", ""),
            r["kind"],
            list(r.get("taken_by", [])),
        )
        for r in proposed.reasons
        if r.get("kind") != NO_CHOICES
    ]
    if proposed.is_overridden:
        lines = [
            line
            for line in lines
            if proposed.choice_rank is None
            or (line.rank is not None and line.rank < proposed.choice_rank)
        ]
    return lines


def ranked_nothing(proposed: ProposedMatch) -> bool:
    return any(r.get("kind") == NO_CHOICES for r in proposed.reasons)
