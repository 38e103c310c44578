"""Objectives 3 and 4: matched AI projects and their clinical domains, and the diversity of
applicants and fellows (gender under the disclosure-control policy, non-medic professions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession
from fellowship.figures import share
from fellowship.models import Cohort
from fellowship.suppression import Figure, Policy, publish_table, with_share
from projects.models import Project
from recruitment import equality
from recruitment.enums import FUNNEL, Stage
from recruitment.models import Application

TOP_DOMAINS = 5
# The paper's order for the gender tables: men, women, any other stated group, then not stated.
_GENDER_ORDER = ("male", "female")


@dataclass(frozen=True)
class DomainCount:
    name: str
    projects: int


@dataclass(frozen=True)
class Objective3:
    matched_projects: int  # approved projects of cohorts 1..N with at least one fellow placed
    host_organisations: int  # distinct hosts of those projects
    top_domains: tuple[DomainCount, ...]


@dataclass(frozen=True)
class GenderRow:
    label: str
    applicants: Figure
    fellows: Figure


@dataclass(frozen=True)
class ProfessionCount:
    label: str
    fellows: int


@dataclass(frozen=True)
class Objective4:
    applicants: int  # cohort N's applications that were submitted
    appointed: int  # of those, appointed
    gender: tuple[GenderRow, ...]  # empty while a round of cohort N is open
    policy: Policy
    recruiting: bool  # a recruitment round of cohort N is still open: no equality figures yet
    non_medic_fellows: int
    non_medic_of: int  # fellows of the cohorts in which non-medics appear
    non_medic_cohorts: tuple[int, ...]
    non_medic_share: str  # `14% (9/63)`
    professions: tuple[ProfessionCount, ...]  # non-medic professions with any fellow

    @property
    def threshold(self) -> int:
        return self.policy.threshold

    @property
    def any_suppressed(self) -> bool:
        return any(row.applicants.suppressed or row.fellows.suppressed for row in self.gender)

    @property
    def footnotes(self) -> list[str]:
        """What the gender table's symbols mean (and that counts are rounded, if they are)."""
        return self.policy.footnotes(
            figure for row in self.gender for figure in (row.applicants, row.fellows)
        )


@dataclass(frozen=True)
class GenderYear:
    """One cohort's applicants and appointed fellows by gender, published under the policy."""

    cohort: int
    recruiting: bool  # a round still open: no figures yet
    applicants: int
    appointed: int
    rows: tuple[GenderRow, ...]

    def row(self, label: str) -> GenderRow | None:
        return next((r for r in self.rows if r.label == label), None)


def _objective3(n: int) -> Objective3:
    matched = Project.objects.approved().filter(cohort__number__lte=n, placements__isnull=False)
    totals = matched.aggregate(
        projects=Count("pk", distinct=True), hosts=Count("host_organisation", distinct=True)
    )
    domains = (
        matched.exclude(clinical_domain=None)
        .order_by()
        .values("clinical_domain__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "clinical_domain__name")[:TOP_DOMAINS]
    )
    return Objective3(
        matched_projects=totals["projects"],
        host_organisations=totals["hosts"],
        top_domains=tuple(DomainCount(d["clinical_domain__name"], d["n"]) for d in domains),
    )


def _gender_year(cohort: Cohort, rules: Policy) -> GenderYear:
    """Cohort's applicants and appointed fellows by sex, published under the policy (3 queries).

    Read only through recruitment.equality (raw: policy 0), once the cohort's recruitment has
    closed. The report publishes two columns of the selection funnel, applied and appointed, with
    their totals; the policy hides what those two columns (and that nobody is appointed without
    applying) would give away.
    """
    applications = Application.objects.filter(round__cohort=cohort)
    recruiting = not equality.cohort_closed(cohort)
    funnel = equality.funnel_by(
        "sex", applications.none() if recruiting else applications, policy=Policy(0)
    )
    appointed_at = FUNNEL.index(Stage.APPOINTED)
    applicants = funnel.totals[0] if funnel.totals else 0
    appointed = funnel.totals[appointed_at] if funnel.totals else 0
    groups = sorted(
        funnel.groups,
        key=lambda g: (
            not g.stated,
            _GENDER_ORDER.index(g.key) if g.key in _GENDER_ORDER else len(_GENDER_ORDER),
        ),
    )
    published = publish_table(
        [[g.counts[0].count or 0, g.counts[appointed_at].count or 0] for g in groups],
        rules,
        rows_have_totals=False,
        columns_have_totals=True,
        monotone_rows=True,
    )
    rows = tuple(
        GenderRow(g.label, with_share(applied, applicants), with_share(fellows, appointed))
        for g, (applied, fellows) in zip(groups, published, strict=True)
    )
    return GenderYear(
        cohort=cohort.number,
        recruiting=recruiting,
        applicants=applicants,
        appointed=appointed,
        rows=rows if applicants else (),
    )


def _objective4(cohort: Cohort, rules: Policy, people: dict[str, Any]) -> Objective4:
    year = _gender_year(cohort, rules)
    # Non-medics: people, each once, among the people of the cohorts in which non-medics appear.
    non_medics = people["non_medics"]
    of = people["non_medic_of"]
    return Objective4(
        applicants=year.applicants,
        appointed=year.appointed,
        gender=year.rows,
        policy=rules,
        recruiting=year.recruiting,
        non_medic_fellows=non_medics,
        non_medic_of=of,
        non_medic_cohorts=people["non_medic_cohorts"],
        non_medic_share=share(non_medics, of),
        professions=tuple(
            ProfessionCount(label, people[f"profession_{value}"])
            for value, label in Profession.choices
            if value in NON_MEDICAL_PROFESSIONS and people[f"profession_{value}"]
        ),
    )
