"""Supervisors' total capacities across their projects, which faculty set before the run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from fellowship.models import User

from ..enums import MatchingStatus
from ..models import MatchingRound, Project, SupervisorCapacity
from .refusals import PUBLISHED

CAPACITY_MAX = 20  # as SupervisorCapacity's validator


@dataclass
class SupervisorRow:
    supervisor: User
    projects: list[Project]
    default: int  # the sum of their projects' capacities
    saved: int | None

    @property
    def capacity(self) -> int:
        return self.saved if self.saved is not None else self.default


def supervisor_rows(matching: MatchingRound) -> list[SupervisorRow]:
    """Every supervisor (with an account) of an approved project in the cohort, by name."""
    projects = (
        Project.objects.approved()
        .filter(cohort_id=matching.cohort_id, supervisor__isnull=False)
        .select_related("supervisor")
        .order_by("title", "pk")
    )
    saved = dict(matching.supervisor_capacities.values_list("supervisor_id", "capacity"))
    rows: dict[int, SupervisorRow] = {}
    for project in projects:
        row = rows.setdefault(
            project.supervisor_id,
            SupervisorRow(project.supervisor, [], 0, saved.get(project.supervisor_id)),
        )
        row.projects.append(project)
        row.default += project.capacity
    return sorted(
        rows.values(), key=lambda r: (r.supervisor.get_full_name().casefold(), r.supervisor.pk)
    )


def set_supervisor_capacities(
    matching: MatchingRound, capacities: Mapping[int, int], *, by: User
) -> None:
    """Set supervisors' total capacities ({supervisor user id: fellows}), until publication.

    Side effects: creates or updates SupervisorCapacity rows. A changed capacity after the
    matching ran takes effect when it is run again.
    """
    known = {row.supervisor.pk for row in supervisor_rows(matching)}
    errors = []
    for supervisor_id, capacity in capacities.items():
        if supervisor_id not in known:
            errors.append(
                "Capacities can only be set for supervisors of approved projects in this cohort"
            )
        elif not isinstance(capacity, int) or not 1 <= capacity <= CAPACITY_MAX:
            errors.append(f"A supervisor's capacity must be between 1 and {CAPACITY_MAX}")
    if errors:
        raise ValidationError(sorted(set(errors)))
    with transaction.atomic():
        matching = MatchingRound.objects.select_for_update().get(pk=matching.pk)
        if matching.status == MatchingStatus.PUBLISHED:
            raise ValidationError(PUBLISHED)
        for supervisor_id, capacity in capacities.items():
            SupervisorCapacity.objects.update_or_create(
                matching=matching, supervisor_id=supervisor_id, defaults={"capacity": capacity}
            )


def set_supervisor_capacity(
    matching: MatchingRound, supervisor: User, capacity: int, *, by: User
) -> None:
    """One supervisor's total capacity; see set_supervisor_capacities."""
    set_supervisor_capacities(matching, {supervisor.pk: capacity}, by=by)
