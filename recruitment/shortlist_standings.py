"""The shortlisting ranking without the rows: for a round of thousands of applications, the
whole round is ranked from plain values (no model instances) and only the page shown is built in
full (recruitment.shortlisting.results builds every row; the two agree row by row, see
tests/recruitment/test_shortlisting_scale.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet, Sum

from .enums import Stage
from .models import (
    Application,
    Criterion,
    Moderation,
    RecruitmentRound,
    ReviewerAssignment,
    ShortlistScore,
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
    shortlistable,
)


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
        for application_id, criterion_id, count, total, low, high in ShortlistScore.objects.filter(
            assignment__application__in=ids
        )
        .values("assignment__application_id", "criterion_id")
        .annotate(count=Count("pk"), total=Sum("score"), low=Min("score"), high=Max("score"))
        .values_list("assignment__application_id", "criterion_id", "count", "total", "low", "high")
        .order_by()
    }
    moderated = {
        (application_id, criterion_id): value
        for application_id, criterion_id, value in Moderation.objects.filter(
            application__in=ids
        ).values_list("application_id", "criterion_id", "score")
    }
    reviewer_counts: dict[int, int] = dict(
        ReviewerAssignment.objects.filter(application__in=ids)
        .values("application_id")
        .annotate(count=Count("pk"))
        .values_list("application_id", "count")
        .order_by()
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
