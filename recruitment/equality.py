"""Equality monitoring aggregates: the only code that reads EqualityRecord.

Everything here returns counts per group, never a row per person. For each characteristic it
builds the selection funnel (applied, longlisted, shortlisted, interviewed, offered, appointed):
an application has "reached" every funnel stage up to its `furthest_stage`, so one that was
shortlisted and then withdrew still counts as applied, longlisted and shortlisted.

Published counts go through the disclosure-control policy (fellowship.suppression, read from the
settings by `policy()`): a count below the threshold shows as `<K`, a count hidden so that the
stage totals cannot give a small one away shows as `[c]`, and shown counts are rounded when the
policy rounds. A reader knows that a group's count never grows from one stage to the next, and
the policy takes that into account. A rate, an adverse-impact ratio or a relative likelihood that
needs a hidden count is not shown; the others are worked out from the counts as published.

A round's figures are worked out only once the round has closed (`for_round` returns None
before): while applications are still coming in, two looks a little apart would differ by the
person who had just applied. A cohort's figures likewise wait until every round of it has closed.

Applications without an equality record (the form is optional) count as "Not stated", with
blank and "prefer not to say" answers, so the groups add up to the stage totals. Every group of
the vocabulary is a row even when nobody is in it, so an empty group looks like a small one.

`funnel_by()` costs two aggregate queries (stage totals, and the characteristic by stage);
`monitoring()` costs three for every characteristic together (stage totals, all the answers by
stage, the summarised counts). Choosing the cells to hide is kept in the cache under a keyed digest
of the counts it is worked out from. The reports app can call `funnel_by()` or `monitoring()` with
any queryset of applications (a round, a cohort).

Once a round's reports are out, the retention policy keeps its equality answers only as counts
(`summarise`, EqualityAggregate); the funnels add those counts to the rows that remain. The counts
are per round, so a funnel of part of a summarised round (one region, say) would count the whole
round's answers: pass whole rounds or cohorts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, TextChoices
from django.utils import timezone
from django.utils.crypto import salted_hmac

from fellowship.figures import pct
from fellowship.suppression import Figure, Policy, publish_table

from . import stats
from .enums import (
    FUNNEL,
    AgeBand,
    MaritalStatus,
    Religion,
    Sex,
    SexualOrientation,
    Stage,
    YesNoPrefer,
)
from .models import Application, EqualityAggregate, EqualityRecord, RecruitmentRound

#: How long a published funnel stays in the cache; its key changes with any count it is made from.
CACHE_SECONDS = 3600


def policy(threshold: int | None = None) -> Policy:
    """The disclosure-control policy of the settings (EQUALITY_SUPPRESS_BELOW, EQUALITY_ROUND_TO).

    `threshold` replaces the setting's, for a report made below it for the equality team's own use.
    """
    below = settings.EQUALITY_SUPPRESS_BELOW if threshold is None else threshold
    return Policy(below, settings.EQUALITY_ROUND_TO)


NOT_STATED = "not_stated"
NOT_STATED_LABEL = "Not stated"
# Answers that mean nobody told us, in the form's and the import's vocabularies.
_NOT_STATED_WORDS = {
    "",
    "prefer not to say",
    "prefer not to answer",
    "not stated",
    "not known",
    "unknown",
    "declined",
}

# Short spellings the history import may hold.
_SYNONYMS = {"y": "yes", "n": "no", "f": "female", "m": "male", "woman": "female", "man": "male"}

STAGE_LABELS = {
    Stage.SUBMITTED: "Applied",
    Stage.LONGLISTED: "Longlisted",
    Stage.SHORTLISTED: "Shortlisted",
    Stage.INTERVIEWED: "Interviewed",
    Stage.OFFERED: "Offered",
    Stage.APPOINTED: "Appointed",
}

# The five ONS high-level ethnic groups, in the order the census publishes them.
ETHNIC_GROUPS = (
    ("asian", "Asian"),
    ("black", "Black"),
    ("mixed", "Mixed"),
    ("white", "White"),
    ("other", "Other"),
)
# Checked in this order: "White and Black African" is Mixed, "any other Asian background" is Asian.
_ETHNIC_KEYWORDS = (
    ("mixed", ("mixed", "multiple")),
    ("black", ("black", "african", "caribbean")),
    ("asian", ("asian", "indian", "pakistani", "bangladeshi", "chinese")),
    ("white", ("white", "irish", "gypsy", "traveller", "roma")),
)


def _normalise(value: str) -> str:
    return re.sub(r"[\s_-]+", " ", (value or "").strip().lower())


def is_not_stated(value: str) -> bool:
    return _normalise(value) in _NOT_STATED_WORDS


def ethnic_group(value: str) -> str:
    """The ONS high-level group of an answer (a form choice or the import's free text)."""
    if is_not_stated(value):
        return NOT_STATED
    words = set(re.findall(r"[a-z]+", value.lower()))
    for group, keywords in _ETHNIC_KEYWORDS:
        if words.intersection(keywords):
            return group
    return "other"


@dataclass(frozen=True)
class Characteristic:
    """A protected characteristic: the EqualityRecord field and how its answers are grouped."""

    field: str
    label: str
    groups: tuple[tuple[str, str], ...]  # (key, label) in display order; "Not stated" comes last
    # Raw answer -> group key, for grouped characteristics; None matches the vocabulary.
    to_group: Callable[[str], str] | None = None

    def group_of(self, raw: str) -> str:
        """The group of an answer: the form's value, or the import's spelling of it.

        An answer outside the vocabulary joins its "Other" group where there is one (so a rare
        free-text answer never gets a row of its own), and is a group of its own otherwise.
        """
        if self.to_group is not None:
            return self.to_group(raw)
        if is_not_stated(raw):
            return NOT_STATED
        normalised = _SYNONYMS.get(_normalise(raw), _normalise(raw))
        for key, label in self.groups:
            if normalised in (_normalise(key), _normalise(label)):
                return key
        return "other" if "other" in dict(self.groups) else raw.strip()


def _stated(choices: type[TextChoices]) -> tuple[tuple[str, str], ...]:
    return tuple((value, label) for value, label in choices.choices if value != "prefer_not_to_say")


CHARACTERISTICS: dict[str, Characteristic] = {
    c.field: c
    for c in (
        Characteristic("sex", "Sex", _stated(Sex)),
        Characteristic(
            "gender_same_as_birth",
            "Gender identity the same as sex registered at birth",
            _stated(YesNoPrefer),
        ),
        Characteristic("age_band", "Age", _stated(AgeBand)),
        Characteristic("disability", "Disability", _stated(YesNoPrefer)),
        Characteristic("ethnic_group", "Ethnic group", ETHNIC_GROUPS, ethnic_group),
        Characteristic("religion", "Religion or belief", _stated(Religion)),
        Characteristic("sexual_orientation", "Sexual orientation", _stated(SexualOrientation)),
        Characteristic("marital_status", "Marriage or civil partnership", _stated(MaritalStatus)),
        Characteristic("pregnancy_maternity", "Pregnancy and maternity", _stated(YesNoPrefer)),
    )
}


# The published shapes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A group's success rate from one funnel stage to the next, and its adverse-impact ratio."""

    from_stage: str
    to_stage: str
    reached: int | None  # how many reached to_stage; None when hidden
    of: int | None  # how many were at from_stage; None when hidden
    impact_ratio: float | None  # against the most successful stated group; None when not shown
    suppressed: bool

    @property
    def value(self) -> float | None:
        """None when a count it needs is hidden, or when nobody was at from_stage."""
        if self.suppressed or self.reached is None or self.of is None:
            return None
        return stats.rate(self.reached, self.of)

    @property
    def adverse(self) -> bool:
        """Below four-fifths of the most successful group's rate."""
        # With a little tolerance: (2/3) / (5/6) is exactly four-fifths, but not in floating point.
        return self.impact_ratio is not None and self.impact_ratio < stats.FOUR_FIFTHS - 1e-9

    @property
    def text(self) -> str:
        return "–" if self.value is None else pct(self.reached or 0, self.of or 0)

    @property
    def impact_text(self) -> str:
        return "–" if self.impact_ratio is None else f"{self.impact_ratio:.2f}"


@dataclass(frozen=True)
class Likelihood:
    """How many times as likely this group is as everyone else to be appointed from shortlisting."""

    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    too_small: bool
    suppressed: bool

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.ratio is not None

    @property
    def text(self) -> str:
        return "–" if not self.shown else f"{self.ratio:.2f}"

    @property
    def interval_text(self) -> str:
        if not self.shown or self.low is None or self.high is None:
            return "–"
        return f"{self.low:.2f} to {self.high:.2f}"

    @property
    def p_text(self) -> str:
        if self.suppressed or self.p_value is None:
            return "–"
        return "<0.001" if self.p_value < 0.001 else f"{self.p_value:.3f}"

    @property
    def note(self) -> str:
        """Plain words for the person reading the table."""
        if self.suppressed:
            return "Not shown: it needs a count that is hidden in the table above."
        if self.ratio is None:
            return "Cannot be worked out: nobody to compare with, or nobody else was appointed."
        if self.too_small:
            return "Too few people to conclude: a difference this size could be chance."
        if self.p_value is not None and self.p_value < 0.05:
            more = "more" if self.ratio > 1 else "less"
            return f"{more.capitalize()} likely to be appointed than others, and unlikely to be chance alone."
        return "No clear difference: what difference there is could be chance."


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    stated: bool
    counts: tuple[Figure, ...]  # one per funnel stage
    rates: tuple[Rate, ...]  # one per step from a stage to the next
    likelihood: Likelihood | None  # of appointment from shortlisting; None for "Not stated"


@dataclass(frozen=True)
class Funnel:
    """One characteristic's selection funnel, ready to publish."""

    characteristic: str
    label: str
    stages: tuple[tuple[str, str], ...]  # (stage, label)
    groups: tuple[Group, ...]
    # Everyone reaching each stage: published as it is, since it is not equality data.
    totals: tuple[int, ...]
    policy: Policy

    @property
    def threshold(self) -> int:
        return self.policy.threshold

    @property
    def footnotes(self) -> list[str]:
        """What the symbols of the counts table mean (and that counts are rounded, if they are)."""
        return self.policy.footnotes(figure for group in self.groups for figure in group.counts)

    @property
    def any_rate_hidden(self) -> bool:
        return any(rate.suppressed for group in self.groups for rate in group.rates)

    @property
    def steps(self) -> tuple[tuple[str, str], ...]:
        """(from label, to label) for each step of the funnel."""
        return tuple(
            (self.stages[i][1], self.stages[i + 1][1]) for i in range(len(self.stages) - 1)
        )

    @property
    def any_suppressed(self) -> bool:
        return any(figure.suppressed for group in self.groups for figure in group.counts)

    @property
    def adverse(self) -> list[tuple[Group, Rate]]:
        return [(group, rate) for group in self.groups for rate in group.rates if rate.adverse]

    @property
    def too_small(self) -> bool:
        """Whether no group's likelihood of appointment can be concluded from."""
        shown = [
            g.likelihood for g in self.groups if g.likelihood is not None and g.likelihood.shown
        ]
        return not shown or all(likelihood.too_small for likelihood in shown)

    @property
    def notes(self) -> list[str]:
        """Plain-words notes for anyone publishing the table."""
        notes = []
        if not self.totals or not self.totals[0]:
            return ["Nobody has applied yet."]
        if not self.totals[-1]:
            notes.append(
                "Nobody has been appointed yet, so the likelihood of appointment from shortlisting "
                "cannot be worked out yet."
            )
        elif self.too_small:
            notes.append(
                "The numbers are too small to conclude whether any group is more or less likely to be appointed. "
                "Differences this size can happen by chance."
            )
        for group, rate in self.adverse:
            notes.append(
                f"{group.label}: the rate from {STAGE_LABELS[rate.from_stage].lower()} to "
                f"{STAGE_LABELS[rate.to_stage].lower()} is {rate.impact_text} of the most successful group's, "
                "below four-fifths (0.8). Check what happens at this stage."
            )
        return notes


# Building them --------------------------------------------------------------------------------


def _funnel_index(stage: str) -> int:
    return FUNNEL.index(stage)


def _reached(by_furthest: Counter[str]) -> list[int]:
    """Counts reaching each funnel stage, from counts by furthest stage."""
    return [
        sum(n for stage, n in by_furthest.items() if _funnel_index(stage) >= i)
        for i in range(len(FUNNEL))
    ]


def submitted_only(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Applications that entered the funnel (drafts never did)."""
    return applications.filter(furthest_stage__in=FUNNEL)


def stage_totals(applications: QuerySet[Application]) -> list[int]:
    """How many applications reached each funnel stage (one aggregate query)."""
    rows = submitted_only(applications).order_by().values("furthest_stage").annotate(n=Count("pk"))
    return _reached(Counter({row["furthest_stage"]: row["n"] for row in rows}))


def funnel_by(
    characteristic: str,
    applications: QuerySet[Application],
    *,
    policy: Policy,
    totals: list[int] | None = None,
) -> Funnel:
    """The funnel of `applications` by one characteristic (a field of EqualityRecord).

    Two aggregate queries: the stage totals (skipped when `totals` is given) and the answers by
    furthest stage. `policy` is the disclosure-control policy (`policy()`; a threshold of 0
    publishes every count).
    """
    spec = CHARACTERISTICS[characteristic]
    totals = stage_totals(applications) if totals is None else list(totals)
    # Rounds whose records the retention policy has removed left their counts behind: read with
    # the rows, in the same query.
    rows = (
        EqualityRecord.objects.filter(application__in=submitted_only(applications).values("pk"))
        .order_by()
        .values_list(characteristic, "application__furthest_stage")
        .annotate(n=Count("pk"))
        .union(
            EqualityAggregate.objects.filter(
                round__in=applications.values("round_id"), characteristic=characteristic
            )
            .order_by()
            .values_list("answer", "furthest_stage", "count"),
            all=True,
        )
    )
    by_group: dict[str, Counter[str]] = {}
    for answer, furthest_stage, n in rows:
        key = spec.group_of(answer)
        if key != NOT_STATED:
            by_group.setdefault(key, Counter())[furthest_stage] += n
    return _funnel(spec, by_group, totals, policy)


def _funnel(
    spec: Characteristic, by_group: dict[str, Counter[str]], totals: list[int], policy: Policy
) -> Funnel:
    """The published funnel from the stated groups' counts by furthest stage and the totals."""
    stated = {key: _reached(counter) for key, counter in by_group.items()}
    # Everyone else (blank, "prefer not to say", or no record at all) is "Not stated".
    not_stated = [
        total - sum(reached[i] for reached in stated.values()) for i, total in enumerate(totals)
    ]
    # Every group of the vocabulary is a row, even when empty, so that a row never tells that
    # someone of a rare group applied (an empty row shows <K like a small one); then any answers
    # from the import outside the vocabulary; "Not stated" last.
    zero = [0] * len(FUNNEL)
    unknown = sorted(key for key in stated if key not in dict(spec.groups))
    keys = [key for key, _ in spec.groups] + unknown + [NOT_STATED]
    names = [label for _, label in spec.groups] + unknown + [NOT_STATED_LABEL]
    table = [stated.get(key, zero) for key in keys[:-1]] + [not_stated]
    return _published(spec, keys, names, table, totals, policy)


def _published(
    spec: Characteristic,
    keys: list[str],
    labels: list[str],
    table: list[list[int]],
    totals: list[int],
    policy: Policy,
) -> Funnel:
    """`_publish`, kept in the cache under a keyed digest of everything it is worked out from (so
    never stale, and the key gives no count away): choosing the cells to hide is the costly part
    of the page, and the counts seldom change once a round has closed."""
    parts = (spec.field, keys, labels, table, list(totals), policy.threshold, policy.round_to)
    digest = salted_hmac("recruitment.equality.funnel", repr(parts), algorithm="sha256").hexdigest()
    key = f"equality-funnel:{digest}"
    found = cache.get(key)
    if found is None:
        found = _publish(spec, keys, labels, table, totals, policy)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _publish(
    spec: Characteristic,
    keys: list[str],
    labels: list[str],
    table: list[list[int]],
    totals: list[int],
    policy: Policy,
) -> Funnel:
    # The stage totals are published, so the groups of a stage form a line with a total; and a
    # group's count never grows along its row, which a reader knows too.
    figures = publish_table(
        table, policy, rows_have_totals=False, columns_have_totals=True, monotone_rows=True
    )
    # Everything below is worked out from the counts as published (rounded, if the policy
    # rounds), so that no rate or likelihood gives away more than the counts do.
    shown = [[figure.count for figure in row] for row in figures]
    steps = range(len(FUNNEL) - 1)

    def step_hidden(r: int, i: int) -> bool:
        return shown[r][i] is None or shown[r][i + 1] is None

    def published(r: int, i: int) -> tuple[int | None, int | None]:
        return (None, None) if step_hidden(r, i) else (shown[r][i + 1], shown[r][i])

    rates = [
        [None if step_hidden(r, i) else stats.rate(shown[r][i + 1], shown[r][i]) for i in steps]
        for r in range(len(table))
    ]
    # Adverse-impact ratios against the most successful stated group whose rate is shown.
    ratios: list[list[float | None]] = [[None] * len(steps) for _ in keys]
    for i in steps:
        stated_rates = {key: rates[r][i] for r, key in enumerate(keys) if key != NOT_STATED}
        for key, ratio in stats.adverse_impact_ratios(stated_rates).items():
            ratios[keys.index(key)][i] = ratio
    shortlisted, appointed = FUNNEL.index(Stage.SHORTLISTED), FUNNEL.index(Stage.APPOINTED)
    groups = []
    for r, key in enumerate(keys):
        group_rates = tuple(
            Rate(FUNNEL[i], FUNNEL[i + 1], *published(r, i), ratios[r][i], step_hidden(r, i))
            for i in steps
        )
        likelihood = None
        if key != NOT_STATED:
            mine_short, mine_appointed = shown[r][shortlisted], shown[r][appointed]
            if mine_short is None or mine_appointed is None:
                likelihood = Likelihood(None, None, None, None, True, True)
            else:
                # Everyone else, from the published totals: comparing with the other stated
                # groups alone would let the interval give away a hidden "Not stated" count.
                # (Rounded counts can overshoot a total by a little: never below nobody.)
                rest_short = max(totals[shortlisted] - mine_short, 0)
                rest_appointed = min(max(totals[appointed] - mine_appointed, 0), rest_short)
                result = stats.relative_likelihood(
                    mine_appointed, mine_short, rest_appointed, rest_short
                )
                likelihood = Likelihood(
                    result.ratio, result.low, result.high, result.p_value, result.too_small, False
                )
        groups.append(
            Group(key, labels[r], key != NOT_STATED, tuple(figures[r]), group_rates, likelihood)
        )
    return Funnel(
        characteristic=spec.field,
        label=spec.label,
        stages=tuple((stage, STAGE_LABELS[stage]) for stage in FUNNEL),
        groups=tuple(groups),
        totals=tuple(totals),
        policy=policy,
    )


def monitoring(
    applications: QuerySet[Application],
    *,
    policy: Policy,
    characteristics: Iterable[str] | None = None,
) -> list[Funnel]:
    """Every characteristic's funnel for these applications, from three aggregate queries
    whatever the number of characteristics: the stage totals, the answers to every question
    together by furthest stage, and the counts summarised by the retention policy. The same
    funnels as `funnel_by` gives one by one."""
    names = list(characteristics or CHARACTERISTICS)
    totals = stage_totals(applications)
    rows = list(
        EqualityRecord.objects.filter(application__in=submitted_only(applications).values("pk"))
        .order_by()
        .values(*names, "application__furthest_stage")
        .annotate(n=Count("pk"))
        .values_list("application__furthest_stage", "n", *names)
    )
    # Rounds whose records the retention policy has removed left their counts behind.
    summarised = list(
        EqualityAggregate.objects.filter(
            round__in=applications.values("round_id"), characteristic__in=names
        ).values_list("characteristic", "answer", "furthest_stage", "count")
    )
    funnels = []
    for column, name in enumerate(names, start=2):
        spec = CHARACTERISTICS[name]
        # Counts by answer and stage first, so that each distinct answer is grouped once.
        answers: Counter[tuple[str, str]] = Counter()
        for row in rows:
            answers[(row[column], row[0])] += row[1]
        for characteristic, answer, furthest_stage, n in summarised:
            if characteristic == name:
                answers[(answer, furthest_stage)] += n
        group_of: dict[str, str] = {}
        by_group: dict[str, Counter[str]] = {}
        for (answer, furthest_stage), n in answers.items():
            if answer not in group_of:
                group_of[answer] = spec.group_of(answer)
            if group_of[answer] != NOT_STATED:
                by_group.setdefault(group_of[answer], Counter())[furthest_stage] += n
        funnels.append(_funnel(spec, by_group, totals, policy))
    return funnels


def summarise(records: QuerySet[EqualityRecord]) -> int:
    """Keep these records only as counts (EqualityAggregate, per round, characteristic, answer and
    furthest stage), then delete them; how many were deleted. Call it in a transaction.

    The funnels read the counts beside the remaining rows, so they do not change. Records of
    applications never submitted are deleted without counts: no figure counts them.
    """
    pks = list(records.values_list("pk", flat=True))
    counted = EqualityRecord.objects.filter(pk__in=pks, application__furthest_stage__in=FUNNEL)
    for characteristic in CHARACTERISTICS:
        rows = (
            counted.order_by()
            .values("application__round_id", characteristic, "application__furthest_stage")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            aggregate, _ = EqualityAggregate.objects.select_for_update().get_or_create(
                round_id=row["application__round_id"],
                characteristic=characteristic,
                answer=row[characteristic],
                furthest_stage=row["application__furthest_stage"],
                defaults={"count": 0},
            )
            aggregate.count += row["n"]
            aggregate.save(update_fields=["count"])
    return EqualityRecord.objects.filter(pk__in=pks).delete()[0]


def round_closed(round: RecruitmentRound, *, now=None) -> bool:
    """Whether the round's deadline has passed, so its equality figures may be worked out."""
    return round.closes_at <= (now or timezone.now())


def cohort_closed(cohort, *, now=None) -> bool:
    """Whether every recruitment round of the cohort has closed (true of a cohort with none)."""
    return not RecruitmentRound.objects.filter(
        cohort=cohort, closes_at__gt=now or timezone.now()
    ).exists()


def for_round(round: RecruitmentRound, *, policy: Policy, now=None) -> list[Funnel] | None:
    """The round's funnels, or None while it is still open."""
    if not round_closed(round, now=now):
        return None
    return monitoring(Application.objects.filter(round=round), policy=policy)


def for_cohort(cohort, *, policy: Policy, now=None) -> list[Funnel] | None:
    """The cohort's funnels (all its rounds together), or None while any of its rounds is open."""
    if not cohort_closed(cohort, now=now):
        return None
    return monitoring(Application.objects.filter(round__cohort=cohort), policy=policy)
