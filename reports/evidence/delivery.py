"""Objectives 5 and 6: educational delivery (teaching, showcases, mentoring), policy and media
work in fellows' portfolios, publications and the speakers who built the networks."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from fellowship.enums import SpeakerSector
from fellowship.figures import count_pct
from fellowship.mentoring import sharing_counts
from fellowship.models import MentorPairing, Speaker, Workshop
from portfolio.enums import EntryKind
from portfolio.models import PortfolioEntry

from .common import _person


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
