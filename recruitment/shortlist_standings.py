"""The shortlisting ranking without the rows: for a round of thousands of applications, the
whole round is ranked from plain values (no model instances) and only the page shown is built in
full (recruitment.shortlisting.results builds every row; the two agree row by row, see
tests/recruitment/test_shortlisting_scale.py). `ranking` keeps a round's standings in the cache
under a fingerprint of everything they are worked out from, read on every look, so they are never
stale (tests/recruitment/test_shortlisting_cache.py changes each input in turn)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)

from fellowship.models import Region

from .enums import Stage
from .models import (
    Application,
    Criterion,
    Moderation,
    RecruitmentRound,
    ReviewerAssignment,
    ShortlistScore,
    StageChange,
)
from .shortlisting import (
    Group,
    Row,
    _full_rows,
    _group_key,
    _ordered,
    _places_and_themes,
    _rank,
    _tenth,
    decided,
    shortlistable,
)

#: How long a round's standings stay in the cache after they were worked out; any change to what
#: they are worked out from gives them a new key well before.
CACHE_SECONDS = 3600


@dataclass
class Standing:
    """One application's place in the ranking, worked out from plain values (no model instances):
    the same total, flag, group, rank and default tick as its full Row."""

    pk: int
    group: Group  # shared by the group's standings; its rows stay empty
    total: Decimal | None
    flagged: bool
    reviewer_count: int
    rank: int = 0
    selected: bool = False
    outcome: str = ""  # once the shortlist is made, as for Row


def standings(
    round: RecruitmentRound,
    *,
    applications: QuerySet[Application] | None = None,
    with_outcome: bool = False,
) -> list[Standing]:
    """Every shortlistable application (or those of `applications`) ranked exactly as `results`
    ranks them, in the order `results` lists them, but from a handful of value queries.
    `with_outcome` reads the `shortlist_outcome` annotation of `decided` and ticks the shortlisted
    ones, as `decided_results` does."""
    queryset = shortlistable(round) if applications is None else applications
    ids = queryset.values("pk")
    criterion_ids = list(round.criteria.values_list("pk", flat=True))
    places, themes = _places_and_themes(round)
    fields = ["pk", "region_id", "region__name", "specialty"]
    if with_outcome:
        fields.append("shortlist_outcome")
    # Per application and criterion: how many reviewers scored, their sum, lowest and highest
    # (the mean is the sum over the count, exactly as `fmean` gives it for whole scores).
    scores: dict[tuple[int, int], tuple[int, int, int, int]] = {
        (application_id, criterion_id): (count, total, low, high)
        for application_id, criterion_id, count, total, low, high in _plain_rows(
            ShortlistScore.objects.filter(assignment__application__in=ids)
            .values("assignment__application_id", "criterion_id")
            .annotate(count=Count("pk"), total=Sum("score"), low=Min("score"), high=Max("score"))
            .values_list(
                "assignment__application_id", "criterion_id", "count", "total", "low", "high"
            )
            .order_by()
        )
    }
    moderated = {
        (application_id, criterion_id): value
        for application_id, criterion_id, value in Moderation.objects.filter(
            application__in=ids
        ).values_list("application_id", "criterion_id", "score")
    }
    reviewer_counts: dict[int, int] = dict(
        _plain_rows(
            ReviewerAssignment.objects.filter(application__in=ids)
            .values("application_id")
            .annotate(count=Count("pk"))
            .values_list("application_id", "count")
            .order_by()
        )
    )
    margin = round.moderation_margin
    groups: dict[tuple[int | None, str], Group] = {}
    members: dict[tuple[int | None, str], dict[int, Standing]] = defaultdict(dict)
    for values in queryset.order_by("pk").values_list(*fields):
        pk, region_id, region_name, specialty = values[:4]
        key, theme = _group_key(themes, region_id, specialty)
        if key not in groups:
            region = region_name if region_id is not None else "No region"
            groups[key] = Group(region=region, theme=theme, places=places.get(key, 0))
        criterion_values: list[float] = []
        flagged = False
        for criterion_id in criterion_ids:
            if (pk, criterion_id) in moderated:
                criterion_values.append(float(moderated[(pk, criterion_id)]))
            elif (pk, criterion_id) in scores:
                count, total, low, high = scores[(pk, criterion_id)]
                criterion_values.append(total / count)
                # as needs_moderation: two or more reviewers, differing by more than the margin
                flagged = flagged or (count > 1 and high - low > margin)
        members[key][pk] = Standing(
            pk=pk,
            group=groups[key],
            total=_tenth(sum(criterion_values)) if criterion_values else None,
            flagged=flagged,
            reviewer_count=reviewer_counts.get(pk, 0),
            outcome=values[4] if with_outcome else "",
        )
    keys = {id(group): key for key, group in groups.items()}
    ordered: list[Standing] = []
    for group in _ordered(groups.values()):
        by_pk = members[keys[id(group)]]
        for pk, position in _rank({pk: s.total for pk, s in by_pk.items()}):
            standing = by_pk[pk]
            standing.rank = position
            if with_outcome:
                standing.selected = standing.outcome == Stage.SHORTLISTED
            else:
                standing.selected = standing.total is not None and position <= group.default_count
            ordered.append(standing)
    return ordered


@dataclass
class Ranking:
    """A round's standings: those waiting for the shortlist and those it was made on."""

    waiting: list[Standing]
    decided: list[Standing]


def ranking(round: RecruitmentRound) -> Ranking:
    """The round's standings (`standings` of the shortlistable applications, and of the `decided`
    ones with their outcome), from the cache while nothing they are worked out from has changed.

    The cache key holds a fingerprint of every input, read from the database on each call (a few
    aggregate queries), so a change made any way at all (a service, a bulk operation, the admin)
    gives a new key. Standings are stored only when the fingerprint is the same after working
    them out as before, so a change made meanwhile is never stored under the older key. Each
    call returns new objects: the caller may change them.
    """
    before = fingerprint(round)
    key = f"shortlist-standings:{round.pk}:{before}"
    found = cache.get(key)
    if found is not None:
        return Ranking(waiting=_unpack(found[0]), decided=_unpack(found[1]))
    result = Ranking(
        waiting=standings(round),
        decided=standings(round, applications=decided(round), with_outcome=True),
    )
    if fingerprint(round) == before:
        cache.set(key, (_pack(result.waiting), _pack(result.decided)), CACHE_SECONDS)
    return result


_Packed = tuple[list[tuple[str, str, int]], list[tuple]]


def _pack(chosen: Sequence[Standing]) -> _Packed:
    """Standings as plain tuples (groups once, totals in tenths): quick to store and to load."""
    groups: dict[int, int] = {}
    shapes: list[tuple[str, str, int]] = []
    rows = []
    for s in chosen:
        if id(s.group) not in groups:
            groups[id(s.group)] = len(shapes)
            shapes.append((s.group.region, s.group.theme, s.group.places))
        tenths = None if s.total is None else int(s.total.scaleb(1))
        rows.append(
            (
                s.pk,
                groups[id(s.group)],
                tenths,
                s.flagged,
                s.reviewer_count,
                s.rank,
                s.selected,
                s.outcome,
            )
        )
    return shapes, rows


def _unpack(packed: _Packed) -> list[Standing]:
    shapes, rows = packed
    groups = [Group(region=region, theme=theme, places=places) for region, theme, places in shapes]
    totals: dict[int, Decimal] = {}
    result = []
    for pk, group, tenths, flagged, reviewer_count, rank, selected, outcome in rows:
        if tenths is None:
            total = None
        elif tenths in totals:
            total = totals[tenths]
        else:
            total = totals[tenths] = Decimal(tenths).scaleb(-1)
        result.append(
            Standing(pk, groups[group], total, flagged, reviewer_count, rank, selected, outcome)
        )
    return result


def fingerprint(round: RecruitmentRound) -> str:
    """A digest of everything the round's standings are worked out from.

    Applications (stage, submission, region, specialty), the criteria and their order, the
    cohort's funded posts, region names and moderations are read value by value (few rows, or
    narrow ones). Reviewer assignments and stage changes are only ever added or deleted, and new
    rows get higher ids, so their count and sum of ids change with any change. Scores (the many
    rows) are summed: their count, ids, values, values weighted by id and the latest time scored.
    """
    applications = Application.objects.filter(round=round)
    places, themes = _places_and_themes(round)
    parts: list[object] = [
        round.pk,
        round.cohort_id,
        round.moderation_margin,
        _plain_rows(
            applications.annotate(
                submitted=ExpressionWrapper(
                    Q(submitted_at__isnull=False), output_field=BooleanField()
                )
            )
            .order_by("pk")
            .values_list("pk", "stage", "submitted", "region_id", "specialty")
        ),
        list(round.criteria.values_list("pk", flat=True)),
        sorted(places.items(), key=repr),
        sorted(themes.items(), key=repr),
        list(Region.objects.order_by("pk").values_list("pk", "name")),
        list(
            Moderation.objects.filter(criterion__round=round)
            .order_by("pk")
            .values_list("pk", "application_id", "criterion_id", "score", "at")
        ),
        ReviewerAssignment.objects.filter(application__round=round).aggregate(
            count=Count("pk"), ids=Sum("pk"), applications=Sum("application_id")
        ),
        StageChange.objects.filter(application__round=round).aggregate(
            count=Count("pk"), ids=Sum("pk"), latest=Max("at")
        ),
        ShortlistScore.objects.filter(criterion__round=round).aggregate(
            count=Count("pk"),
            ids=Sum("pk"),
            scores=Sum("score"),
            weighted=Sum(F("score") * F("pk")),
            assignments=Sum("assignment_id"),
            latest=Max("scored_at"),
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _plain_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list query as the database driver gives them, without Django's
    per-value converters (which cost more than the query at national scale): for whole numbers,
    text and flags, which need none."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rows_for(
    round: RecruitmentRound, criteria: list[Criterion], chosen: Iterable[Standing]
) -> dict[int, Row]:
    """Full Rows for the `chosen` standings only (a page of them), carrying their rank, tick and
    outcome from the standing. A fixed number of queries, however many are chosen."""
    by_pk = {s.pk: s for s in chosen}
    rows = _full_rows(round, criteria, Application.objects.filter(pk__in=by_pk))
    for row in rows:
        standing = by_pk[row.application.pk]
        row.rank = standing.rank
        row.selected = standing.selected
        row.outcome = standing.outcome
    return {row.application.pk: row for row in rows}


def grouped(chosen: Sequence[Standing], rows: Mapping[int, Row]) -> list[Group]:
    """The `chosen` standings' Rows in groups, in the order given (a group with none is left out)."""
    groups: list[Group] = []
    last: Group | None = None
    for standing in chosen:
        if standing.group is not last:
            last = standing.group
            groups.append(Group(region=last.region, theme=last.theme, places=last.places))
        groups[-1].rows.append(rows[standing.pk])
    return groups
