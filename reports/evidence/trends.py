"""The cohort-by-cohort trends: each cohort's exit survey and gender figures side by side."""

from __future__ import annotations

from dataclasses import dataclass

from fellowship.models import Cohort
from fellowship.suppression import Policy
from surveys.enums import YesNo
from surveys.services import SurveyResults

from .common import ExitSurveyUsed, Share, _question
from .graduates import _grid_shares
from .projects_diversity import GenderYear, Objective4, _gender_year


@dataclass(frozen=True)
class CohortShare:
    """One cohort's value in a trend: a share, or why there is none (no survey, hidden)."""

    cohort: int
    share: Share | None
    hidden: bool = False  # answered by too few to publish (anonymous survey)

    @property
    def text(self) -> str:
        """`95% (20/21)`, or why there is no figure."""
        if self.hidden:
            return "Hidden (too few answers)"
        return self.share.text if self.share and self.share.answered else "No survey"

    @property
    def short_text(self) -> str:
        """`95%`, `Hidden` or `–` (no survey), for a table of several cohorts."""
        if self.hidden:
            return "Hidden"
        return self.share.percent_text if self.share and self.share.answered else "–"


@dataclass(frozen=True)
class ThemeTrend:
    label: str
    by_cohort: tuple[CohortShare, ...]


@dataclass(frozen=True)
class Trends:
    """Cross-cohort trends: each cohort's own exit survey, and each cohort's recruitment."""

    recommend: tuple[CohortShare, ...]  # strongly recommend or recommend
    themes: tuple[ThemeTrend, ...]  # achieved the learning objectives of each theme
    gender: tuple[GenderYear, ...]
    policy: Policy

    @property
    def gender_footnotes(self) -> list[str]:
        return self.policy.footnotes(
            figure
            for year in self.gender
            for row in year.rows
            for figure in (row.applicants, row.fellows)
        )


_RECOMMENDED = ("strongly_recommend", "recommend")


def _trends(
    cohorts: list[Cohort],
    surveys: dict[int, tuple[ExitSurveyUsed, SurveyResults | None]],
    objective4: Objective4,
    rules: Policy,
) -> Trends:
    """Each cohort's own exit survey (recommendation, themes achieved) and recruitment by gender.

    The last cohort's gender figures are objective 4's; each earlier cohort's costs 3 queries.
    """
    recommend = []
    themes: dict[str, list[CohortShare]] = {}
    labels: dict[str, str] = {}
    numbers = [c.number for c in cohorts]
    for number in numbers:
        used, outcome = surveys.get(number, (None, None))
        hidden = bool(used and used.hidden)
        question = _question(outcome, "recommend")
        chosen = None
        if question is not None and question.answered:
            picked = sum(o.count for o in question.options if o.value in _RECOMMENDED)
            chosen = Share("Strongly recommend or recommend", picked, question.answered)
        recommend.append(CohortShare(number, chosen, hidden))
        for key, achieved in _grid_shares(outcome, "achieved", (YesNo.YES.value,)).items():
            labels.setdefault(key, achieved.label)
            themes.setdefault(key, [])
            themes[key].append(CohortShare(number, achieved))
    # Every theme has a value for every cohort (hidden or "no survey" where it has none); a theme
    # no cohort's survey answered is left out.
    theme_trends = []
    for key, values in themes.items():
        if not any(v.share and v.share.answered for v in values):
            continue
        by_number = {v.cohort: v for v in values}
        theme_trends.append(
            ThemeTrend(
                labels[key],
                tuple(
                    by_number.get(
                        number,
                        CohortShare(
                            number, None, bool(surveys.get(number) and surveys[number][0].hidden)
                        ),
                    )
                    for number in numbers
                ),
            )
        )
    gender = [_gender_year(c, rules) for c in cohorts[:-1]]
    gender.append(
        GenderYear(
            cohorts[-1].number,
            objective4.recruiting,
            objective4.applicants,
            objective4.appointed,
            objective4.gender,
        )
    )
    return Trends(
        recommend=tuple(recommend),
        themes=tuple(theme_trends),
        gender=tuple(gender),
        policy=rules,
    )
