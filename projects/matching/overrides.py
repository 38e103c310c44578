"""Review of the proposed allocation (blocking pairs, capacity overruns) and faculty overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import Fellow, User

from .. import allocation
from ..enums import MatchingStatus, ProposalStatus
from ..models import MatchingRound, Project, ProposedMatch
from .refusals import PUBLISHED
from .run import Built, build_instance, supervisor_key, supervisor_label


@dataclass(frozen=True)
class BlockingPair:
    fellow: Fellow
    project: Project

    def __str__(self) -> str:
        return f"{self.fellow.display_name} and {self.project.title} would both prefer each other"


@dataclass(frozen=True)
class Overrun:
    what: str  # a project's title or a supervisor's name
    placed: int
    capacity: int

    def __str__(self) -> str:
        return f"{self.what} would have {self.placed} fellows for {self.capacity} place{'s' if self.capacity != 1 else ''}"


@dataclass
class StabilityReport:
    blocking: list[BlockingPair]
    project_overruns: list[Overrun]
    supervisor_overruns: list[Overrun]

    @property
    def stable(self) -> bool:
        return not self.blocking

    @property
    def overruns(self) -> list[Overrun]:
        return self.project_overruns + self.supervisor_overruns

    @property
    def sound(self) -> bool:
        return self.stable and not self.overruns


def current_assignment(matching: MatchingRound) -> dict[int, int | None]:
    return dict(matching.proposals.values_list("fellow_id", "project_id"))


def stability_report(
    matching: MatchingRound,
    changes: Mapping[int, int | None] | None = None,
    *,
    built: Built | None = None,
    assignment: Mapping[int, int | None] | None = None,
) -> StabilityReport:
    """Blocking pairs and capacity overruns of the proposed (possibly overridden) allocation.

    `changes` ({fellow id: project id or None}) are applied first, to preview an override.
    Pass `built` and `assignment` when the caller has read them already.
    """
    built = built or build_instance(matching)
    instance = built.instance
    current = dict(assignment if assignment is not None else current_assignment(matching))
    current.update(changes or {})
    # Fellows no longer in post, and projects no longer approved, are outside the instance.
    known = {
        f: p
        for f, p in current.items()
        if f in built.fellows and (p is None or p in built.projects)
    }
    blocking = [
        BlockingPair(built.fellows[f], built.projects[p])
        for f, p in allocation.blocking_pairs(instance, known)
    ]
    on_project: dict[int, int] = {}
    on_supervisor: dict[str, int] = {}
    for project_id in known.values():
        if project_id is not None:
            on_project[project_id] = on_project.get(project_id, 0) + 1
            key = instance.project_supervisor[project_id]
            on_supervisor[key] = on_supervisor.get(key, 0) + 1
    project_overruns = [
        Overrun(built.projects[p].title, n, instance.project_capacity[p])
        for p, n in sorted(on_project.items(), key=lambda item: built.projects[item[0]].title)
        if n > instance.project_capacity[p]
    ]
    labels = {supervisor_key(p): supervisor_label(p) for p in built.projects.values()}
    supervisor_overruns = [
        Overrun(labels[key], n, instance.supervisor_capacity[key])
        for key, n in sorted(on_supervisor.items(), key=lambda item: labels[item[0]])
        if n > instance.supervisor_capacity[key]
        and not key.startswith("p")  # a project's own limit is above
    ]
    return StabilityReport(blocking, project_overruns, supervisor_overruns)


def override_projects(matching: MatchingRound) -> list[Project]:
    """The projects faculty may place a fellow on: any approved project of the cohort."""
    return list(
        Project.objects.approved()
        .filter(cohort_id=matching.cohort_id)
        .select_related("region")
        .order_by("title", "pk")
    )


def override_match(
    proposed: ProposedMatch, project: Project | None, *, reason: str, by: User
) -> ProposedMatch:
    """Place the fellow on another approved project of the cohort (or none), with a reason.

    Side effects: ProposedMatch.project, choice_rank, override_reason, overridden_by/at (its
    history keeps the earlier values). Refused once the matching is published.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for changing the allocation")
    with transaction.atomic():
        matching = MatchingRound.objects.select_for_update().get(pk=proposed.matching_id)
        if matching.status == MatchingStatus.PUBLISHED:
            raise ValidationError(PUBLISHED)
        if matching.status != MatchingStatus.PROPOSED:
            raise ValidationError("Run the matching before changing its allocation")
        locked = ProposedMatch.objects.select_for_update().get(pk=proposed.pk)
        if project is not None and (
            project.status != ProposalStatus.APPROVED or project.cohort_id != matching.cohort_id
        ):
            raise ValidationError("Choose an approved project of this cohort")
        # The choice number counts only the choices the allocation used (approved and eligible).
        ranked = build_instance(matching).instance.fellow_prefs.get(locked.fellow_id, [])
        locked.project = project
        locked.choice_rank = (
            ranked.index(project.pk) + 1 if project is not None and project.pk in ranked else None
        )
        locked.override_reason = reason
        locked.overridden_by = by
        locked.overridden_at = timezone.now()
        locked.save()
        audit.record(
            AuditAction.OVERRIDDEN,
            AuditSubject.MATCHING,
            by=by,
            reference=locked.fellow.ref,
            summary=f"Cohort {matching.cohort.number}: now "
            f"{project.ref if project is not None else 'no project'}. Reason: {reason}",
        )
    return locked
