"""The evidence of the benefits report: the figures for objectives 1–8, from every app.

`compute_evidence(N)` reads cohorts 1..N and returns plain dataclasses holding each figure twice:
as the numbers it came from and as the report prints it (whole percentages rounded half up,
`162 (53%)`, `14% (9/63)`, `<5`). The renderer only lays them out.

Query discipline: every figure is aggregated in the database, so the number of queries is the
same whatever the number of fellows, applicants, projects or responses (tests pin it). Equality
monitoring is read only through `recruitment.equality`; survey results only through
`surveys.services.results`; portfolio counts through `portfolio.services.evidence_counts`.

Published equality counts (objective 4's gender table) go through the disclosure-control policy
(fellowship.suppression), the same as the equality monitoring pages: the table is two columns of
the cohort's selection funnel by sex (applied, appointed) with their totals, a small count shows
as `<K`, a count hidden so that the totals cannot give a small one away as `[c]`, and shown
counts are rounded when the policy rounds. They appear only once every recruitment round of the
cohort has closed. Nothing else in the report is equality data, so nothing else is suppressed.

The figures are computed per group of objectives (`graduates`: 1 and 2, `projects_diversity`: 3
and 4, `delivery`: 5 and 6, `growth`: 7 and 8), the cohort-by-cohort `trends` and the
methodology's `sources`, over what they share (`common`); this module puts them together and
names everything callers import from `reports.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fellowship.models import Cohort
from portfolio.services import evidence_counts
from recruitment import equality

from .common import (
    ExitSurveyUsed,
    FellowCounts,
    Share,
    UnknownCohort,
    _exit_surveys,
    _fellow_counts,
    _people,
)
from .delivery import (
    Objective5,
    Objective6,
    PortfolioOutput,
    Showcase,
    TeachingYear,
    _objective5,
    _objective6,
    hours_number,
)
from .graduates import Objective1, Objective2, ThemeRating, _objective1, _objective2
from .growth import (
    CohortGrowth,
    FunderRow,
    Objective7,
    Objective8,
    OnwardProgramme,
    _objective7,
    _objective8,
    onward_programme,
)
from .projects_diversity import (
    TOP_DOMAINS,
    DomainCount,
    GenderRow,
    GenderYear,
    Objective3,
    Objective4,
    ProfessionCount,
    _objective3,
    _objective4,
)
from .sources import DataUsed, Source, TableCount, TestimonialConsents, _data_used, _sources
from .trends import CohortShare, ThemeTrend, Trends, _trends

__all__ = [
    "TOP_DOMAINS",
    "CohortGrowth",
    "CohortShare",
    "DataUsed",
    "DomainCount",
    "Evidence",
    "ExitSurveyUsed",
    "FellowCounts",
    "FunderRow",
    "GenderRow",
    "GenderYear",
    "Objective1",
    "Objective2",
    "Objective3",
    "Objective4",
    "Objective5",
    "Objective6",
    "Objective7",
    "Objective8",
    "OnwardProgramme",
    "PortfolioOutput",
    "ProfessionCount",
    "Share",
    "Showcase",
    "Source",
    "TableCount",
    "TeachingYear",
    "TestimonialConsents",
    "ThemeRating",
    "ThemeTrend",
    "Trends",
    "UnknownCohort",
    "compute_evidence",
    "hours_number",
    "onward_programme",
]


@dataclass(frozen=True)
class Evidence:
    cohort: int
    objective1: Objective1
    objective2: Objective2
    objective3: Objective3
    objective4: Objective4
    objective5: Objective5
    objective6: Objective6
    objective7: Objective7
    objective8: Objective8
    data: DataUsed
    trends: Trends | None = None
    # The methodology's data sources, each with its row count and date range (see `_sources`).
    sources: list[Source] = field(default_factory=list)


def compute_evidence(cohort_number: int, *, suppress_below: int | None = None) -> Evidence:
    """The report's evidence for cohorts 1..`cohort_number` (raises UnknownCohort if there is none).

    `suppress_below` is the small-number threshold for equality counts (default: the setting
    EQUALITY_SUPPRESS_BELOW; 0 publishes every count); the rest of the disclosure-control policy
    (rounding) comes from the settings. Reads only; a fixed number of queries.
    """
    rules = equality.policy(suppress_below)  # raises ValueError for a negative threshold
    cohorts = list(Cohort.objects.filter(number__lte=cohort_number).order_by("number"))
    if not cohorts or cohorts[-1].number != cohort_number:
        raise UnknownCohort(f"There is no cohort {cohort_number}")
    cohort = cohorts[-1]
    numbers = tuple(c.number for c in cohorts)

    fellows = _fellow_counts(cohort_number)
    people = _people(cohort_number, fellows)
    surveys = _exit_surveys(cohort_number)
    survey_used, survey = surveys[max(surveys)] if surveys else (None, None)
    portfolio = evidence_counts(list(numbers))
    objective4 = _objective4(cohort, rules, people)
    objective5 = _objective5(cohort_number)
    sources = _sources(cohort_number)
    return Evidence(
        cohort=cohort_number,
        objective1=_objective1(cohort_number, fellows, survey_used, survey, people),
        objective2=_objective2(survey_used, survey),
        objective3=_objective3(cohort_number),
        objective4=objective4,
        objective5=objective5,
        objective6=_objective6(cohort_number, portfolio, objective5),
        objective7=_objective7(cohort_number, numbers, fellows),
        objective8=_objective8(cohort_number, portfolio),
        data=_data_used(numbers, rules, sources),
        trends=_trends(cohorts, surveys, objective4, rules),
        sources=sources,
    )
