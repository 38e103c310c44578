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
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from fellowship.enums import NON_MEDICAL_PROFESSIONS, FellowStatus, Profession, SpeakerSector
from fellowship.figures import count_pct, pct, share
from fellowship.mentoring import sharing_counts
from fellowship.models import Cohort, Fellow, MentorPairing, Speaker, Workshop
from fellowship.suppression import Figure, Policy, publish_table, with_share
from portfolio.enums import EntryKind
from portfolio.models import PortfolioEntry
from portfolio.services import evidence_counts
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
class Objective5:
    showcases: tuple[Showcase, ...]  # regional showcase workshops of cohorts 1..N
    showcase_hosts: tuple[str, ...]  # distinct, in order of first showcase
    mentor_pairs: int  # published pairs in cohort N
    shares_region: int
    shares_specialty: int
    shares_domain: int
    shares_any: int

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
    regulator_speakers: tuple[str, ...]  # regulator or public sector

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
class Objective7:
    growth: tuple[CohortGrowth, ...]


@dataclass(frozen=True)
class OnwardProgramme:
    title: str
    entries: int


@dataclass(frozen=True)
class Objective8:
    alumni_supervised_projects: int  # approved projects of cohorts 1..N supervised by an alumnus
    alumni_supervisors: int  # distinct alumni among their supervisors
    alumni_supervised_by_cohort: tuple[tuple[int, int], ...]  # (project cohort, projects)
    onward_programmes: int  # onward_programme portfolio entries of fellows of cohorts 1..N
    fellows_on_onward_programmes: int
    onward_by_title: tuple[OnwardProgramme, ...]


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


@dataclass(frozen=True)
class DataUsed:
    """What the report was built from, for its appendix."""

    cohorts: tuple[int, ...]
    counts: tuple[TableCount, ...]
    generated_at: datetime.datetime
    suppress_below: int
    round_to: int = 0  # equality counts shown rounded to the nearest multiple (0: not rounded)
    policy_threshold: int = 0  # the policy's threshold when it was built (EQUALITY_SUPPRESS_BELOW)

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
    survey_used, survey = _latest_exit_survey(cohort_number)
    portfolio = evidence_counts(list(numbers))
    objective5 = _objective5(cohort_number)
    return Evidence(
        cohort=cohort_number,
        objective1=_objective1(cohort_number, fellows, survey_used, survey),
        objective2=_objective2(survey_used, survey),
        objective3=_objective3(cohort_number),
        objective4=_objective4(cohort, fellows, rules),
        objective5=objective5,
        objective6=_objective6(cohort_number, portfolio, objective5),
        objective7=_objective7(cohort_number, numbers, fellows),
        objective8=_objective8(cohort_number, portfolio),
        data=_data_used(cohort_number, numbers, rules),
    )


def _fellow_counts(n: int) -> FellowCounts:
    """Fellows of cohorts 1..n by (cohort, profession, status): one aggregate query."""
    rows = (
        Fellow.objects.filter(cohort__number__lte=n)
        .order_by()
        .values("cohort__number", "profession", "status")
        .annotate(n=Count("pk"))
    )
    return {(r["cohort__number"], r["profession"], r["status"]): r["n"] for r in rows}


def _latest_exit_survey(n: int) -> tuple[ExitSurveyUsed | None, SurveyResults | None]:
    """The newest exit survey of cohorts 1..n that anyone answered, and its results (4 queries)."""
    survey = (
        Survey.objects.sent()
        .filter(key=EXIT_SURVEY, cohort__number__lte=n)
        .annotate(answered=Count("responses"))
        .filter(answered__gt=0)
        .select_related("cohort")
        .order_by("-cohort__number", "-created_at")
        .first()
    )
    if survey is None:
        return None, None
    outcome = results(survey)
    used = ExitSurveyUsed(
        cohort=survey.cohort.number,
        title=survey.title,
        responses=outcome.responses,
        hidden=outcome.hidden,
    )
    return used, None if outcome.hidden else outcome


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
    n: int, fellows: FellowCounts, used: ExitSurveyUsed | None, outcome: SurveyResults | None
) -> Objective1:
    graduates = Counter()
    # A cohort's fellows may still be in post when the next cohort starts: count every cohort's.
    in_post = Counter()
    for (number, _profession, status), count in fellows.items():
        if status == FellowStatus.GRADUATED and number < n:
            graduates[number] += count
        if status == FellowStatus.IN_POST:
            in_post[number] += count
    return Objective1(
        graduates=sum(graduates.values()),
        graduate_cohorts=tuple(sorted(graduates)),
        in_post=sum(in_post.values()),
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


def _objective4(cohort: Cohort, fellows: FellowCounts, rules: Policy) -> Objective4:
    # Cohort N's counts by sex, read only through recruitment.equality (raw: policy 0), once the
    # cohort's recruitment has closed. The report publishes two columns of the selection funnel,
    # applied and appointed, with their totals; the policy hides what those two columns (and
    # that nobody is appointed without applying) would give away.
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
    gender = tuple(
        GenderRow(g.label, with_share(applied, applicants), with_share(fellows, appointed))
        for g, (applied, fellows) in zip(groups, published, strict=True)
    )

    by_cohort: dict[int, Counter[str]] = defaultdict(Counter)
    for (number, profession, _status), count in fellows.items():
        by_cohort[number][profession] += count
    non_medic_cohorts = tuple(
        sorted(
            number
            for number, professions in by_cohort.items()
            if any(professions[p] for p in NON_MEDICAL_PROFESSIONS)
        )
    )
    of = sum(sum(by_cohort[number].values()) for number in non_medic_cohorts)
    per_profession = Counter()
    for professions in by_cohort.values():
        for profession, count in professions.items():
            if profession in NON_MEDICAL_PROFESSIONS:
                per_profession[profession] += count
    non_medics = sum(per_profession.values())
    return Objective4(
        applicants=applicants,
        appointed=appointed,
        gender=gender if applicants else (),
        policy=rules,
        recruiting=recruiting,
        non_medic_fellows=non_medics,
        non_medic_of=of,
        non_medic_cohorts=non_medic_cohorts,
        non_medic_share=share(non_medics, of),
        professions=tuple(
            ProfessionCount(label, per_profession[value])
            for value, label in Profession.choices
            if per_profession[value]
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
    return Objective5(
        showcases=showcases,
        showcase_hosts=hosts,
        mentor_pairs=pairs["total"],
        shares_region=pairs["region"],
        shares_specialty=pairs["specialty"],
        shares_domain=pairs["domain"],
        shares_any=pairs["any"],
    )


def _speaker_text(affiliation: str, role: str) -> str:
    """`Hardian Health: CEO`; either part alone if the other is blank."""
    return ": ".join(part for part in (affiliation.strip(), role.strip()) if part)


def _objective6(n: int, portfolio: dict[str, int], objective5: Objective5) -> Objective6:
    """Co-authored publications (from the shared portfolio counts), regional showcases (objective
    5's list) and cohort N's industry and regulator speakers (one query). Speakers are listed by
    organisation and role, as the paper lists them; one with neither recorded is left out."""
    speakers: dict[str, set[str]] = {SpeakerSector.INDUSTRY: set(), SpeakerSector.REGULATOR: set()}
    rows = (
        Speaker.objects.filter(workshop__cohort__number=n, sector__in=list(speakers))
        .order_by()
        .values_list("sector", "affiliation", "role_title")
        .distinct()
    )
    for sector, affiliation, role in rows:
        text = _speaker_text(affiliation, role)
        if text:
            speakers[sector].add(text)

    def listed(sector: str) -> tuple[str, ...]:
        return tuple(sorted(speakers[sector], key=lambda t: (t.casefold(), t)))

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
    return Objective7(
        growth=tuple(CohortGrowth(c, per_cohort[c], regions.get(c, 0)) for c in numbers)
    )


def _objective8(n: int, counts: dict[str, int]) -> Objective8:
    supervised = (
        Project.objects.approved()
        .filter(cohort__number__lte=n)
        .with_alumnus_flag()
        .filter(alumnus_supervisor=True)
    )
    by_cohort = (
        supervised.order_by()
        .values("cohort__number")
        .annotate(
            projects=Count("pk"),
            by_account=Count("supervisor", distinct=True),
            by_name=Count("supervisor_name", distinct=True, filter=Q(supervisor__isnull=True)),
        )
        .order_by("cohort__number")
    )
    rows = list(by_cohort)
    titles = (
        PortfolioEntry.objects.filter(
            kind=EntryKind.ONWARD_PROGRAMME, fellow__cohort__number__lte=n
        )
        .order_by()
        .values("title")
        .annotate(n=Count("pk"))
        .order_by("-n", "title")
    )
    return Objective8(
        alumni_supervised_projects=sum(r["projects"] for r in rows),
        # Distinct within each cohort; an alumnus supervising in two cohorts counts twice (rare).
        alumni_supervisors=sum(r["by_account"] + r["by_name"] for r in rows),
        alumni_supervised_by_cohort=tuple((r["cohort__number"], r["projects"]) for r in rows),
        onward_programmes=counts["onward_programmes"],
        fellows_on_onward_programmes=counts["fellows_on_onward_programmes"],
        onward_by_title=tuple(OnwardProgramme(t["title"], t["n"]) for t in titles),
    )


def _data_used(n: int, numbers: tuple[int, ...], rules: Policy) -> DataUsed:
    in_scope = Q(cohort__number__lte=n)
    counts = (
        ("Cohorts", len(numbers)),
        ("Applicants", Application.objects.filter(round__cohort__number__lte=n).count()),
        ("Fellows", Fellow.objects.filter(in_scope).count()),
        ("Projects", Project.objects.filter(in_scope).count()),
        ("Mentor pairs (published)", MentorPairing.objects.published().filter(in_scope).count()),
        (
            "Exit survey responses",
            Response.objects.filter(survey__key=EXIT_SURVEY, survey__cohort__number__lte=n).count(),
        ),
        ("Workshops", Workshop.objects.filter(in_scope).count()),
        ("Speakers", Speaker.objects.filter(workshop__cohort__number__lte=n).count()),
        (
            "Portfolio entries",
            PortfolioEntry.objects.filter(fellow__cohort__number__lte=n).count(),
        ),
    )
    return DataUsed(
        cohorts=numbers,
        counts=tuple(TableCount(table, rows) for table, rows in counts),
        generated_at=timezone.now(),
        suppress_below=rules.threshold,
        round_to=rules.round_to,
        policy_threshold=equality.policy().threshold,
    )
