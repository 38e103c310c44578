"""Opening a cohort's matching, its settings while fellows rank, and the counts faculty see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum

from fellowship.enums import FellowStatus
from fellowship.models import Cohort, Fellow, User

from ..enums import MatchingStatus
from ..models import MatchingRound, Project


def open_matching(cohort: Cohort, *, by: User) -> MatchingRound:
    """Open the matching of a cohort: fellows can rank projects from now. Side effects: a MatchingRound."""
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        if MatchingRound.objects.filter(cohort=cohort).exists():
            raise ValidationError(f"The matching for {cohort} is already open")
        return MatchingRound.objects.create(cohort=cohort)


def update_settings(
    matching: MatchingRound,
    *,
    ranking_closes_at: datetime | None,
    themed_posts_any_project: bool,
    by: User,
) -> MatchingRound:
    """Change the deadline and the themed-posts rule while fellows are ranking. Side effects: saves them."""
    with transaction.atomic():
        locked = MatchingRound.objects.select_for_update().get(pk=matching.pk)
        if locked.status != MatchingStatus.RANKING:
            raise ValidationError("The settings cannot change once the matching has run")
        locked.ranking_closes_at = ranking_closes_at
        locked.themed_posts_any_project = themed_posts_any_project
        locked.save(update_fields=["ranking_closes_at", "themed_posts_any_project"])
    return locked


@dataclass
class Counts:
    fellows: int
    ranked: int
    projects: int
    places: int


def counts(matching: MatchingRound) -> Counts:
    fellows = Fellow.objects.filter(cohort_id=matching.cohort_id, status=FellowStatus.IN_POST)
    totals = fellows.aggregate(
        n=Count("pk", distinct=True),
        ranked=Count("pk", filter=Q(project_choices__isnull=False), distinct=True),
    )
    projects = Project.objects.approved().filter(cohort_id=matching.cohort_id)
    places = projects.aggregate(n=Count("pk"), places=Sum("capacity"))
    return Counts(totals["n"], totals["ranked"], places["n"], places["places"] or 0)
