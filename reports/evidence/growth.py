"""Objectives 7 and 8: the programme's growth and its funders, alumni who became supervisors,
and fellows' onward programmes."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery

from fellowship.enums import FunderKind
from fellowship.models import Fellow, FundedPost, Funder
from portfolio.enums import EntryKind
from portfolio.models import PortfolioEntry
from projects.models import Project

from .common import FellowCounts, _person


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
