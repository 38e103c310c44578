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
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fellowship.enums import (
    NON_MEDICAL_PROFESSIONS,
    FellowStatus,
    FunderKind,
    Profession,
    SpeakerSector,
)
from fellowship.figures import count_pct, pct, share
from fellowship.mentoring import sharing_counts
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
from fellowship.suppression import Figure, Policy, publish_table, with_share
from portfolio.enums import EntryKind
from portfolio.models import PortfolioEntry
from portfolio.services import consent_counts, evidence_counts
from projects.models import Project
from recruitment import equality
from recruitment.enums import FUNNEL, Stage
from recruitment.models import Application
from surveys.builder import EXIT_SURVEY
from surveys.enums import Agreement, YesNo
from surveys.models import Response, Survey
from surveys.services import QuestionResult, SurveyResults, results

TOP_DOMAINS = 5
# The paper's order for the gender tables: men, women, any other stated group, then not stated.
_GENDER_ORDER = ("male", "female")
_VALUABLE = (Agreement.STRONGLY_AGREE.value, Agreement.AGREE.value)


class UnknownCohort(LookupError):
    """The report was asked for a cohort that does not exist."""


# The shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A share of those who answered one question (or one row of a grid): `90%`."""

    label: str
    count: int
    answered: int

    @property
    def percent_text(self) -> str:
        return pct(self.count, self.answered)

    @property
    def text(self) -> str:
        """`90%`, with the numbers it came from for the appendix-minded: `90% (19/21)`."""
        return share(self.count, self.answered)


@dataclass(frozen=True)
class ThemeRating:
    """One curriculum theme: % who achieved its learning objectives, % able to apply it."""

    label: str
    achieved: Share
    apply: Share


@dataclass(frozen=True)
class ExitSurveyUsed:
    """Which exit survey the survey figures come from."""

    cohort: int
    title: str
    responses: int
    hidden: bool  # too few responses to publish anything (anonymous survey)


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
class Showcase:
    cohort: int
    date: datetime.date
    title: str
    host: str


@dataclass(frozen=True)
class TeachingYear:
    """One cohort's formal educational delivery: its workshops, the days they took and their hours.

    A day counts once however many workshops (sessions) it held. Hours are the sum of the
    workshops' recorded lengths; `untimed` workshops have none, so `hours` is then None (a total
    would be false) and `hours_text` says "at least" the recorded hours and how many are missing.
    """

    cohort: int
    workshops: int
    days: int
    showcase_days: int
    minutes: int = 0  # recorded lengths, summed
    untimed: int = 0  # workshops without a recorded length

    @property
    def recorded_hours(self) -> float:
        """Hours of the workshops with a recorded length, to one decimal place (half up)."""
        return float(hours_number(self.minutes))

    @property
    def hours(self) -> float | None:
        """Teaching hours, when every workshop's length is recorded; otherwise None."""
        return self.recorded_hours if self.workshops and not self.untimed else None

    @property
    def hours_figure(self) -> str:
        """The hours as a table prints them: `6.5`, `at least 6` or `not recorded`."""
        if not self.untimed:
            return hours_number(self.minutes)
        if self.untimed == self.workshops:
            return "not recorded"
        return f"at least {hours_number(self.minutes)}"

    @property
    def hours_text(self) -> str:
        """The hours in a sentence: `13 hours`, or `at least 6 hours (1 of 3 workshops without a
        recorded length)`, or `not recorded (3 of 3 workshops without a recorded length)`."""
        if not self.untimed:
            return f"{hours_number(self.minutes)} hour{'' if self.minutes == 60 else 's'}"
        missing = f"{self.untimed} of {self.workshops} workshop{'' if self.workshops == 1 else 's'} without a recorded length"
        if self.untimed == self.workshops:
            return f"not recorded ({missing})"
        return f"at least {hours_number(self.minutes)} hour{'' if self.minutes == 60 else 's'} ({missing})"


def hours_number(minutes: int) -> str:
    """Minutes as hours: whole hours plain (`7`), others to one decimal place (`6.5`, `2.3`)."""
    if minutes % 60 == 0:
        return str(minutes // 60)
    tenths = (minutes * 10 + 30) // 60  # half up, in whole numbers: 15 minutes is 0.3, not 0.2
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class PortfolioOutput:
    """Policy work or media pieces in fellows' portfolios, and the bodies they were with."""

    entries: int
    with_national_bodies: int  # with a royal college or national body
    fellows: int  # distinct people
    organisations: tuple[str, ...]  # as recorded, de-duplicated ignoring case, sorted


@dataclass(frozen=True)
class Objective5:
    showcases: tuple[Showcase, ...]  # regional showcase workshops of cohorts 1..N
    showcase_hosts: tuple[str, ...]  # distinct, in order of first showcase
    mentor_pairs: int  # published pairs in cohort N
    shares_region: int
    shares_specialty: int
    shares_domain: int
    shares_any: int
    teaching: tuple[TeachingYear, ...] = ()  # cohorts 1..N, oldest first
    policy: PortfolioOutput = PortfolioOutput(0, 0, 0, ())
    media: PortfolioOutput = PortfolioOutput(0, 0, 0, ())

    @property
    def teaching_this_year(self) -> TeachingYear | None:
        """The report's cohort's own year (the last one), if it has any workshops."""
        return self.teaching[-1] if self.teaching else None

    @property
    def shares_any_text(self) -> str:
        return count_pct(self.shares_any, self.mentor_pairs)

    @property
    def cohort_showcases(self) -> dict[int, int]:
        return dict(Counter(s.cohort for s in self.showcases))


@dataclass(frozen=True)
class Objective6:
    publications: int  # publication portfolio entries of fellows of cohorts 1..N
    publications_with_academics: int  # of those, with academic co-authors
    regional_showcases: int  # regional showcase workshops of cohorts 1..N
    # Speakers at cohort N's workshops as "Affiliation: role", de-duplicated, sorted (no names).
    industry_speakers: tuple[str, ...]
    regulator_speakers: tuple[str, ...]  # regulator, government or other public sector

    @property
    def publications_text(self) -> str:
        """`7 of 12`: publications with academic co-authors, of all publications."""
        return f"{self.publications_with_academics} of {self.publications}"


@dataclass(frozen=True)
class CohortGrowth:
    cohort: int
    fellows: int
    regions: int


@dataclass(frozen=True)
class FunderRow:
    """A funder of posts in cohorts 1..N, and whether a memorandum of understanding is on file."""

    name: str
    kind: str  # the kind's label, e.g. "NHS education body"
    has_mou: bool
    mou_signed_on: datetime.date | None

    @property
    def mou_text(self) -> str:
        if not self.has_mou:
            return "No"
        return f"Yes, signed {self.mou_signed_on:%-d %B %Y}" if self.mou_signed_on else "Yes"


@dataclass(frozen=True)
class Objective7:
    growth: tuple[CohortGrowth, ...]
    funders: tuple[FunderRow, ...] = ()

    @property
    def funders_with_mou(self) -> int:
        return sum(1 for f in self.funders if f.has_mou)


@dataclass(frozen=True)
class OnwardProgramme:
    """One onward programme, its titles merged ignoring case, punctuation and status words.

    `accepted` and `applied` count people (a person with two entries for one programme counts
    once); an application is never counted as an acceptance.
    """

    title: str
    accepted: int
    applied: int

    @property
    def entries(self) -> int:
        """People with an entry for it, accepted or applied (accepted wins for one who has both)."""
        return self.accepted + self.applied


@dataclass(frozen=True)
class Objective8:
    alumni_supervised_projects: int  # approved projects of cohorts 1..N supervised by an alumnus
    alumni_supervisors: int  # distinct alumni among their supervisors: each person once
    alumni_supervised_by_cohort: tuple[tuple[int, int], ...]  # (project cohort, projects)
    onward_programmes: int  # onward_programme portfolio entries of fellows of cohorts 1..N
    fellows_on_onward_programmes: int  # distinct people with any onward programme entry
    onward_by_title: tuple[OnwardProgramme, ...]
    fellows_accepted: int = 0  # distinct people accepted onto at least one onward programme
    fellows_applied: int = 0  # distinct people who applied and are accepted onto none

    @property
    def onward_accepted(self) -> int:
        """Acceptances: people per programme, summed over programmes."""
        return sum(t.accepted for t in self.onward_by_title)

    @property
    def onward_applied(self) -> int:
        return sum(t.applied for t in self.onward_by_title)


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
class GenderYear:
    """One cohort's applicants and appointed fellows by gender, published under the policy."""

    cohort: int
    recruiting: bool  # a round still open: no figures yet
    applicants: int
    appointed: int
    rows: tuple[GenderRow, ...]

    def row(self, label: str) -> GenderRow | None:
        return next((r for r in self.rows if r.label == label), None)


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


# Building it ----------------------------------------------------------------------------------

# Fellows of cohorts 1..N by (cohort number, profession, status).
FellowCounts = dict[tuple[int, str, str], int]


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


def _person(prefix: str = "") -> Coalesce:
    """Who a fellowship record belongs to, the same in every cohort: their account if they have
    one (positive), else the record itself (negative, so never equal to an account's id)."""
    return Coalesce(
        F(f"{prefix}user_id"),
        ExpressionWrapper(Value(0) - F(f"{prefix}pk"), output_field=BigIntegerField()),
        output_field=BigIntegerField(),
    )


def _people(n: int, fellows: FellowCounts) -> dict[str, Any]:
    """Distinct people among the fellows of cohorts 1..n (one aggregate query): a person with a
    place in two cohorts (say, withdrawn and back again) counts once in a total across cohorts."""
    non_medic_cohorts = sorted(
        {
            number
            for (number, profession, _status) in fellows
            if profession in NON_MEDICAL_PROFESSIONS
        }
    )
    person = _person()
    in_scope = Q(cohort__number__in=non_medic_cohorts)
    non_medic = in_scope & Q(profession__in=list(NON_MEDICAL_PROFESSIONS))
    counts = Fellow.objects.filter(cohort__number__lte=n).aggregate(
        graduates=Count(
            person, distinct=True, filter=Q(status=FellowStatus.GRADUATED, cohort__number__lt=n)
        ),
        in_post=Count(person, distinct=True, filter=Q(status=FellowStatus.IN_POST)),
        non_medic_of=Count(person, distinct=True, filter=in_scope),
        non_medics=Count(person, distinct=True, filter=non_medic),
        **{
            f"profession_{value.value}": Count(person, distinct=True, filter=Q(profession=value))
            for value in NON_MEDICAL_PROFESSIONS
        },
    )
    counts["non_medic_cohorts"] = tuple(non_medic_cohorts)
    return counts


def _fellow_counts(n: int) -> FellowCounts:
    """Fellows of cohorts 1..n by (cohort, profession, status): one aggregate query."""
    rows = (
        Fellow.objects.filter(cohort__number__lte=n)
        .order_by()
        .values("cohort__number", "profession", "status")
        .annotate(n=Count("pk"))
    )
    return {(r["cohort__number"], r["profession"], r["status"]): r["n"] for r in rows}


def _exit_surveys(n: int) -> dict[int, tuple[ExitSurveyUsed, SurveyResults | None]]:
    """Each cohort's newest exit survey that anyone answered, with its results (None if hidden),
    by cohort number: one query, and 3 for each surveyed cohort's results."""
    found = (
        Survey.objects.sent()
        .filter(key=EXIT_SURVEY, cohort__number__lte=n)
        .annotate(answered=Count("responses"))
        .filter(answered__gt=0)
        .select_related("cohort")
        .order_by("-cohort__number", "-created_at")
    )
    newest: dict[int, Survey] = {}
    for survey in found:
        newest.setdefault(survey.cohort.number, survey)
    out = {}
    for number, survey in sorted(newest.items()):
        outcome = results(survey)
        used = ExitSurveyUsed(
            cohort=number,
            title=survey.title,
            responses=outcome.responses,
            hidden=outcome.hidden,
        )
        out[number] = (used, None if outcome.hidden else outcome)
    return out


def _question(outcome: SurveyResults | None, key: str) -> QuestionResult | None:
    if outcome is None:
        return None
    return next((q for q in outcome.questions if q.question.key == key), None)


def _option_shares(outcome: SurveyResults | None, key: str) -> tuple[Share, ...]:
    question = _question(outcome, key)
    if question is None:
        return ()
    return tuple(Share(o.label, o.count, o.answered) for o in question.options)


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


def _objective5(n: int) -> Objective5:
    showcases = tuple(
        Showcase(w["cohort__number"], w["date"], w["title"], w["host_organisation__name"] or "")
        for w in Workshop.objects.filter(cohort__number__lte=n, regional_showcase=True)
        .order_by("date", "title")
        .values("cohort__number", "date", "title", "host_organisation__name")
    )
    hosts = tuple(dict.fromkeys(s.host for s in showcases if s.host))
    pairs = sharing_counts(MentorPairing.objects.published().filter(cohort__number=n))
    teaching = {
        row["cohort__number"]: TeachingYear(
            row["cohort__number"],
            row["workshops"],
            row["days"],
            row["showcase_days"],
            minutes=row["minutes"] or 0,
            untimed=row["untimed"],
        )
        for row in Workshop.objects.filter(cohort__number__lte=n)
        .order_by()
        .values("cohort__number")
        .annotate(
            workshops=Count("pk"),
            # A day counts once however many workshops (sessions) it held.
            days=Count("date", distinct=True),
            showcase_days=Count("date", distinct=True, filter=Q(regional_showcase=True)),
            minutes=Sum("duration_minutes"),
            untimed=Count("pk", filter=Q(duration_minutes__isnull=True)),
        )
    }
    policy, media = _portfolio_outputs(n)
    return Objective5(
        showcases=showcases,
        showcase_hosts=hosts,
        mentor_pairs=pairs["total"],
        shares_region=pairs["region"],
        shares_specialty=pairs["specialty"],
        shares_domain=pairs["domain"],
        shares_any=pairs["any"],
        teaching=tuple(teaching[number] for number in sorted(teaching)),
        policy=policy,
        media=media,
    )


def _portfolio_outputs(n: int) -> tuple[PortfolioOutput, PortfolioOutput]:
    """Policy work and media pieces of fellows of cohorts 1..n: entries, those with a royal
    college or national body, distinct people, and the organisations recorded (one query)."""
    rows = (
        PortfolioEntry.objects.filter(
            kind__in=(EntryKind.POLICY, EntryKind.MEDIA), fellow__cohort__number__lte=n
        )
        .order_by()
        .values("kind", "national_body", "organisation", person=_person("fellow__"))
        .annotate(entries=Count("pk"))
    )
    entries: Counter[str] = Counter()
    national: Counter[str] = Counter()
    people: dict[str, set[int]] = defaultdict(set)
    organisations: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        kind = row["kind"]
        entries[kind] += row["entries"]
        if row["national_body"]:
            national[kind] += row["entries"]
        people[kind].add(row["person"])
        name = " ".join(row["organisation"].split())
        if name:
            organisations[kind].setdefault(name.casefold(), name)

    def output(kind: str) -> PortfolioOutput:
        names = organisations[kind].values()
        return PortfolioOutput(
            entries=entries[kind],
            with_national_bodies=national[kind],
            fellows=len(people[kind]),
            organisations=tuple(sorted(names, key=lambda t: (t.casefold(), t))),
        )

    return output(EntryKind.POLICY), output(EntryKind.MEDIA)


# The paper's two lists of speakers: industry, and regulatory and public sector (government too).
_SPEAKER_GROUPS = {
    SpeakerSector.INDUSTRY: SpeakerSector.INDUSTRY,
    SpeakerSector.REGULATOR: SpeakerSector.REGULATOR,
    SpeakerSector.GOVERNMENT: SpeakerSector.REGULATOR,
}


def _speaker_text(affiliation: str, role: str) -> str:
    """`Hardian Health: CEO`; either part alone if the other is blank."""
    return ": ".join(
        part for part in (" ".join(affiliation.split()), " ".join(role.split())) if part
    )


def _objective6(n: int, portfolio: dict[str, int], objective5: Objective5) -> Objective6:
    """Co-authored publications (from the shared portfolio counts), regional showcases (objective
    5's list) and cohort N's industry and regulator speakers (one query). Speakers are listed by
    organisation and role, as the paper lists them; one with neither recorded is left out."""
    # Listed once each, ignoring case and spacing.
    speakers: dict[str, dict[str, str]] = {SpeakerSector.INDUSTRY: {}, SpeakerSector.REGULATOR: {}}
    rows = (
        Speaker.objects.filter(workshop__cohort__number=n, sector__in=list(_SPEAKER_GROUPS))
        .order_by()
        .values_list("sector", "affiliation", "role_title")
        .distinct()
    )
    for sector, affiliation, role in rows:
        text = _speaker_text(affiliation, role)
        if text:
            speakers[_SPEAKER_GROUPS[sector]].setdefault(text.casefold(), text)

    def listed(sector: str) -> tuple[str, ...]:
        return tuple(sorted(speakers[sector].values(), key=lambda t: (t.casefold(), t)))

    return Objective6(
        publications=portfolio["publications"],
        publications_with_academics=portfolio["publications_with_academics"],
        regional_showcases=len(objective5.showcases),
        industry_speakers=listed(SpeakerSector.INDUSTRY),
        regulator_speakers=listed(SpeakerSector.REGULATOR),
    )


def _objective7(n: int, numbers: tuple[int, ...], fellows: FellowCounts) -> Objective7:
    regions = dict(
        Fellow.objects.filter(cohort__number__lte=n)
        .order_by()
        .values("cohort__number")
        .annotate(regions=Count("region", distinct=True))
        .values_list("cohort__number", "regions")
    )
    per_cohort = Counter()
    for (number, _profession, _status), count in fellows.items():
        per_cohort[number] += count
    # Funders of posts in cohorts 1..n: named on a fellow's post or on a funded post line.
    funders = (
        Funder.objects.filter(
            Q(fellows__cohort__number__lte=n)
            | Q(pk__in=FundedPost.objects.filter(cohort__number__lte=n).values("funder_id"))
        )
        .distinct()
        .order_by("name")
        .values_list("name", "kind", "mou", "mou_signed_on")
    )
    kinds = dict(FunderKind.choices)
    return Objective7(
        growth=tuple(CohortGrowth(c, per_cohort[c], regions.get(c, 0)) for c in numbers),
        funders=tuple(
            FunderRow(name, kinds.get(kind, kind), bool(mou), signed)
            for name, kind, mou, signed in funders
        ),
    )


# Words that say where an onward programme entry stands, not which programme it is.
_ACCEPTED = (
    r"accepted|acceptance|admitted|appointed|awarded|enrolled|joined|offered|selected|successful"
)
_APPLIED = r"applied|application|applying|applicant|pending|submitted|shortlisted|interview(?:ed)?"
_STATUS = rf"(?:{_ACCEPTED}|{_APPLIED})"
# "Accepted onto the ...", "Application to ...", "Applied for a place on the ..."
_STATUS_PREFIX = re.compile(
    rf"^{_STATUS}\s+(?:(?:on|onto|to|for|into|in|at|with|as)\s+)+(?:(?:the|a|an|place|on)\s+)*",
    re.IGNORECASE,
)
# "... (applied)", "... [application submitted]", "... - accepted 2024", "... application"
_STATUS_SUFFIX = re.compile(
    rf"\s*(?:\([^()]*\b{_STATUS}\b[^()]*\)|\[[^\[\]]*\b{_STATUS}\b[^\[\]]*\]"
    rf"|[-–—:,;]\s*{_STATUS}\b.*|\s(?:{_APPLIED})$)$",
    re.IGNORECASE,
)
_APPLIED_WORDS = re.compile(rf"\b(?:{_APPLIED})\b", re.IGNORECASE)
_ACCEPTED_WORDS = re.compile(rf"\b(?:{_ACCEPTED})\b", re.IGNORECASE)


def onward_programme(title: str) -> tuple[str, str, bool]:
    """An onward programme entry's title as (key, name, applied).

    "Accepted onto the Topol Digital Fellowship", "Topol Digital Fellowship (applied)" and
    "topol digital fellowship" are one programme: key `topol digital fellowship`, name `Topol
    Digital Fellowship`. `applied` is true when the title's status words say the fellow applied
    and none says they were accepted: an application is not an acceptance. A title without status
    words is an acceptance (what the portfolio's onward programme entry records); "Applied" that
    begins a programme's name ("Applied Health Research ...") is part of the name, not a status.
    """
    name = " ".join(title.split())
    status = []
    while match := _STATUS_PREFIX.match(name):
        status.append(match.group(0))
        name = name[match.end() :]
    while (match := _STATUS_SUFFIX.search(name)) and match.start() > 0:
        status.append(match.group(0))
        name = name[: match.start()]
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).strip(" -–—:,;.") or title.strip()
    said = " ".join(status)
    applied = bool(_APPLIED_WORDS.search(said)) and not _ACCEPTED_WORDS.search(said)
    key = " ".join(re.sub(r"\W+", " ", name.casefold().replace("&", " and ")).split())
    return key, name, applied


def _objective8(n: int, counts: dict[str, int]) -> Objective8:
    alumni = Fellow.objects.filter(ref=OuterRef("supervisor_name")).values("user_id")[:1]
    supervised = (
        Project.objects.approved()
        .filter(cohort__number__lte=n)
        .with_alumnus_flag()
        .filter(alumnus_supervisor=True)
        .order_by()
        .values("cohort__number", "supervisor_id", "supervisor_name")
        .annotate(projects=Count("pk"), named_user=Subquery(alumni))
    )
    # Each alumnus once, however many cohorts or projects they supervise: by account, else by
    # the account of the fellow record their name refers to, else by that record.
    by_cohort: Counter[int] = Counter()
    supervisors = set()
    for row in supervised:
        by_cohort[row["cohort__number"]] += row["projects"]
        if row["supervisor_id"]:
            supervisors.add(("account", row["supervisor_id"]))
        elif row["named_user"]:
            supervisors.add(("account", row["named_user"]))
        else:
            supervisors.add(("record", row["supervisor_name"]))

    entries = (
        PortfolioEntry.objects.filter(
            kind=EntryKind.ONWARD_PROGRAMME, fellow__cohort__number__lte=n
        )
        .order_by()
        .values("title", person=_person("fellow__"))
        .annotate(n=Count("pk"))
    )
    # Per programme (titles merged): who was accepted, who applied (and was not accepted).
    accepted: dict[str, set[int]] = defaultdict(set)
    applied: dict[str, set[int]] = defaultdict(set)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for row in entries:
        key, name, is_application = onward_programme(row["title"])
        (applied if is_application else accepted)[key].add(row["person"])
        names[key][name] += row["n"]
    programmes = []
    for key, spellings in names.items():
        # The programme's name as most entries spell it (alphabetically first on a tie).
        name = min(spellings, key=lambda t: (-spellings[t], t.casefold(), t))
        programmes.append(
            OnwardProgramme(name, len(accepted[key]), len(applied[key] - accepted[key]))
        )
    programmes.sort(key=lambda p: (-p.accepted, -p.applied, p.title.casefold()))
    anyone_accepted = set().union(*accepted.values()) if accepted else set()
    anyone_applied = set().union(*applied.values()) if applied else set()
    return Objective8(
        alumni_supervised_projects=sum(by_cohort.values()),
        alumni_supervisors=len(supervisors),
        alumni_supervised_by_cohort=tuple(sorted(by_cohort.items())),
        onward_programmes=counts["onward_programmes"],
        fellows_on_onward_programmes=len(anyone_accepted | anyone_applied),
        onward_by_title=tuple(programmes),
        fellows_accepted=len(anyone_accepted),
        fellows_applied=len(anyone_applied - anyone_accepted),
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
