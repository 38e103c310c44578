"""The methodology's data sources and the appendix's "built from" counts, including the
testimonial consents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from fellowship.models import (
    Cohort,
    Fellow,
    FundedPost,
    Funder,
    HistoryImport,
    MentorPairing,
    Speaker,
    Workshop,
)
from fellowship.suppression import Policy
from portfolio.models import PortfolioEntry
from portfolio.services import consent_counts
from projects.models import Project
from recruitment import equality
from recruitment.models import Application
from surveys.builder import EXIT_SURVEY
from surveys.models import Response

# A data source of the methodology: {"name", "rows", "first", "last", "description"}; first and
# last are dates (None when the source records none).
Source = dict[str, Any]


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


@dataclass(frozen=True)
class TestimonialConsents:
    """The fellows' testimonials counted by consent, for the appendix: counts only, no names.

    `quoted` are those the fellows' stories may quote (current consent and some text), `named`
    and `anonymous` split them by credit, `published` may also go on the website; `withdrawn`
    counts consents withdrawn and not given again (once per testimonial and purpose)."""

    held: int = 0
    quoted: int = 0
    named: int = 0
    anonymous: int = 0
    published: int = 0
    withdrawn: int = 0


@dataclass(frozen=True)
class DataUsed:
    """What the report was built from, for its appendix."""

    cohorts: tuple[int, ...]
    counts: tuple[TableCount, ...]
    generated_at: datetime.datetime
    suppress_below: int
    round_to: int = 0  # equality counts shown rounded to the nearest multiple (0: not rounded)
    policy_threshold: int = 0  # the policy's threshold when it was built (EQUALITY_SUPPRESS_BELOW)
    testimonials: TestimonialConsents = field(default_factory=TestimonialConsents)

    @property
    def internal(self) -> bool:
        """Built at another equality threshold than the policy's: for the equality team alone."""
        return self.suppress_below != self.policy_threshold


def _day(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def _sources(n: int) -> list[Source]:
    """The methodology's data sources for cohorts 1..n: each one's rows and date range (one
    aggregate query each). Anonymous survey responses carry no date, so a survey's range is the
    time it was open, never a response's day."""
    in_scope = Q(cohort__number__lte=n)
    exit_responses = Response.objects.filter(survey__key=EXIT_SURVEY, survey__cohort__number__lte=n)
    workshop_responses = Response.objects.filter(survey__workshop__cohort__number__lte=n)
    funders = Funder.objects.filter(
        Q(fellows__cohort__number__lte=n)
        | Q(pk__in=FundedPost.objects.filter(cohort__number__lte=n).values("funder_id"))
    ).distinct()
    specs = (
        (
            "History imports",
            "Imports of the programme office's records (every cohort)",
            HistoryImport.objects.all(),
            "imported_at",
            "imported_at",
        ),
        (
            "Cohorts",
            f"Cohorts 1 to {n}: their start and end",
            Cohort.objects.filter(number__lte=n),
            "start_date",
            "end_date",
        ),
        (
            "Applicants",
            "Application records of the cohorts' recruitment rounds",
            Application.objects.filter(round__cohort__number__lte=n),
            Coalesce("submitted_at", "created_at"),
            Coalesce("submitted_at", "created_at"),
        ),
        (
            "Fellows",
            "Fellows' places, by the dates of their cohorts",
            Fellow.objects.filter(in_scope),
            "cohort__start_date",
            "cohort__end_date",
        ),
        (
            "Projects",
            "AI project proposals",
            Project.objects.filter(in_scope),
            Coalesce("submitted_at", "created_at"),
            Coalesce("decided_at", "submitted_at", "created_at"),
        ),
        (
            "Mentor pairs (published)",
            "Alumni mentor pairs published by the faculty",
            MentorPairing.objects.published().filter(in_scope),
            Coalesce("published_at", "created_at"),
            Coalesce("published_at", "created_at"),
        ),
        (
            "Exit survey responses",
            "Anonymous exit survey answers (dates: when the surveys were open)",
            exit_responses,
            "survey__opens_at",
            "survey__closes_at",
        ),
        (
            "Workshop survey responses",
            "Post-session workshop survey answers (dates: the workshops)",
            workshop_responses,
            "survey__workshop__date",
            "survey__workshop__date",
        ),
        (
            "Workshops",
            "Teaching days and regional showcases",
            Workshop.objects.filter(in_scope),
            "date",
            "date",
        ),
        (
            "Speakers",
            "Guest speakers at workshops (dates: their workshops)",
            Speaker.objects.filter(workshop__cohort__number__lte=n),
            "workshop__date",
            "workshop__date",
        ),
        (
            "Portfolio entries",
            "Fellows' portfolio entries (dated ones)",
            PortfolioEntry.objects.filter(fellow__cohort__number__lte=n),
            "date",
            "date",
        ),
        (
            "Funders",
            "Funders of posts (dates: memoranda of understanding signed)",
            funders,
            "mou_signed_on",
            "mou_signed_on",
        ),
    )
    out = []
    for name, description, queryset, first, last in specs:
        # Counted over distinct primary keys, so that a join (funders) never counts a row twice.
        row = (
            queryset.model.objects.filter(pk__in=queryset.values("pk"))
            .order_by()
            .aggregate(rows=Count("pk"), first=Min(first), last=Max(last))
        )
        out.append(
            {
                "name": name,
                "description": description,
                "rows": row["rows"],
                "first": _day(row["first"]),
                "last": _day(row["last"]),
            }
        )
    return out


# The appendix's "built from" counts, taken from the methodology's sources.
_DATA_USED = (
    "Applicants",
    "Fellows",
    "Projects",
    "Mentor pairs (published)",
    "Exit survey responses",
    "Workshops",
    "Speakers",
    "Portfolio entries",
)


def _data_used(numbers: tuple[int, ...], rules: Policy, sources: list[Source]) -> DataUsed:
    rows = {source["name"]: source["rows"] for source in sources}
    counts = (("Cohorts", len(numbers)), *((name, rows[name]) for name in _DATA_USED))
    return DataUsed(
        cohorts=numbers,
        counts=tuple(TableCount(table, rows) for table, rows in counts),
        generated_at=timezone.now(),
        suppress_below=rules.threshold,
        round_to=rules.round_to,
        policy_threshold=equality.policy().threshold,
        testimonials=_testimonial_consents(numbers),
    )


def _testimonial_consents(numbers: tuple[int, ...]) -> TestimonialConsents:
    """Testimonials of fellows of these cohorts by consent, read when the report is built (the
    same current consents the fellows' stories quote)."""
    counts = consent_counts(list(numbers))
    return TestimonialConsents(
        held=counts["held"],
        quoted=counts["quoted"],
        named=counts["named"],
        anonymous=counts["anonymous"],
        published=counts["published"],
        withdrawn=counts["withdrawn_quote"] + counts["withdrawn_publish"],
    )
