"""Objectives 1 and 2: graduates and fellows in post, and what their exit survey says of the
fellowship and its curriculum."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from fellowship.enums import FellowStatus
from surveys.enums import Agreement, YesNo
from surveys.services import SurveyResults

from .common import ExitSurveyUsed, FellowCounts, Share, _option_shares, _question

_VALUABLE = (Agreement.STRONGLY_AGREE.value, Agreement.AGREE.value)


@dataclass(frozen=True)
class ThemeRating:
    """One curriculum theme: % who achieved its learning objectives, % able to apply it."""

    label: str
    achieved: Share
    apply: Share


@dataclass(frozen=True)
class Objective1:
    graduates: int  # status graduated, cohorts before N
    graduate_cohorts: tuple[int, ...]
    in_post: int  # status in_post when built, in any of cohorts 1..N (cohorts overlap)
    in_post_by_cohort: tuple[tuple[int, int], ...]  # (cohort, fellows in post), oldest first
    survey: ExitSurveyUsed | None
    recommend: tuple[Share, ...]
    archetypes: tuple[Share, ...]  # multiple pick: may add up to more than 100%
    careers: tuple[Share, ...]  # multiple pick


@dataclass(frozen=True)
class Objective2:
    survey: ExitSurveyUsed | None
    themes: tuple[ThemeRating, ...]
    components: tuple[Share, ...]  # answered strongly agree or agree


def _objective1(
    n: int,
    fellows: FellowCounts,
    used: ExitSurveyUsed | None,
    outcome: SurveyResults | None,
    people: dict[str, Any],
) -> Objective1:
    graduates = Counter()
    # A cohort's fellows may still be in post when the next cohort starts: count every cohort's.
    in_post = Counter()
    for (number, _profession, status), count in fellows.items():
        if status == FellowStatus.GRADUATED and number < n:
            graduates[number] += count
        if status == FellowStatus.IN_POST:
            in_post[number] += count
    # The totals count people, each once (the per-cohort figures count places in that cohort).
    return Objective1(
        graduates=people["graduates"],
        graduate_cohorts=tuple(sorted(graduates)),
        in_post=people["in_post"],
        in_post_by_cohort=tuple(sorted(in_post.items())),
        survey=used,
        recommend=_option_shares(outcome, "recommend"),
        archetypes=_option_shares(outcome, "archetypes"),
        careers=_option_shares(outcome, "career_next_12_months"),
    )


def _grid_shares(
    outcome: SurveyResults | None, key: str, picked: tuple[str, ...]
) -> dict[str, Share]:
    """Each row of a grid question: the share of those who answered the row that chose `picked`."""
    question = _question(outcome, key)
    if question is None:
        return {}
    return {
        row.key: Share(
            row.label, sum(o.count for o in row.options if o.value in picked), row.answered
        )
        for row in question.rows
    }


def _objective2(used: ExitSurveyUsed | None, outcome: SurveyResults | None) -> Objective2:
    achieved = _grid_shares(outcome, "achieved", (YesNo.YES.value,))
    apply = _grid_shares(outcome, "apply", (YesNo.YES.value,))
    themes = tuple(
        ThemeRating(share_.label, share_, apply.get(key, Share(share_.label, 0, 0)))
        for key, share_ in achieved.items()
    )
    components = tuple(_grid_shares(outcome, "valuable", _VALUABLE).values())
    return Objective2(survey=used, themes=themes, components=components)
