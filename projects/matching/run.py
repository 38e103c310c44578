"""The run: the allocation.Instance rebuilt from the database, allocated, and stored as the proposed
matching with each fellow's reasons."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fellowship.enums import FellowStatus
from fellowship.models import Fellow, User

from .. import allocation
from ..enums import MatchingStatus
from ..models import FellowRanking, MatchingRound, Project, ProjectChoice, ProposedMatch
from .eligibility import is_eligible
from .refusals import PUBLISHED

NO_CHOICES = "no_choices"  # the reason kind of a fellow who ranked nothing


def supervisor_key(project: Project) -> str:
    """The supervisor's id in the allocation: their account, or the project itself if it has none."""
    return f"u{project.supervisor_id}" if project.supervisor_id else f"p{project.pk}"


def supervisor_label(project: Project) -> str:
    if project.supervisor_id:
        return project.supervisor.get_full_name()
    return project.supervisor_display or f"the supervisor of {project.title}"


@dataclass
class Built:
    """The allocation.Instance of a matching, with the objects behind its ids.

    Fellow ids are Fellow pks, project ids Project pks, supervisor ids `supervisor_key`.
    """

    matching: MatchingRound
    instance: allocation.Instance
    fellows: dict[int, Fellow]
    projects: dict[int, Project]

    def fellow_name(self, pk: int) -> str:
        return self.fellows[pk].display_name


def build_instance(matching: MatchingRound) -> Built:
    """Read the matching's fellows, choices, projects, rankings and capacities (a fixed number of queries).

    Choices of projects no longer approved or no longer eligible are ignored; so are rankings of
    fellows no longer in post and rankings by people who no longer supervise an approved project.
    """
    fellows = {
        f.pk: f
        for f in Fellow.objects.filter(cohort_id=matching.cohort_id, status=FellowStatus.IN_POST)
        .select_related("user", "region")
        .order_by("ref", "pk")
    }
    projects = {
        p.pk: p
        for p in Project.objects.approved()
        .filter(cohort_id=matching.cohort_id)
        .select_related("supervisor", "host_organisation", "region", "clinical_domain")
        .order_by("title", "pk")
    }
    prefs: dict[int, list[int]] = {pk: [] for pk in fellows}
    for fellow_id, project_id in (
        ProjectChoice.objects.filter(fellow_id__in=fellows, project_id__in=projects)
        .order_by("fellow_id", "rank")
        .values_list("fellow_id", "project_id")
    ):
        if is_eligible(fellows[fellow_id], projects[project_id], matching):
            prefs[fellow_id].append(project_id)

    project_capacity = {pk: p.capacity for pk, p in projects.items()}
    project_supervisor = {pk: supervisor_key(p) for pk, p in projects.items()}
    supervisor_capacity: dict[str, int] = {}
    for pk, p in projects.items():
        key = project_supervisor[pk]
        supervisor_capacity[key] = supervisor_capacity.get(key, 0) + p.capacity
    for supervisor_id, capacity in matching.supervisor_capacities.values_list(
        "supervisor_id", "capacity"
    ):
        key = f"u{supervisor_id}"
        if key in supervisor_capacity:
            supervisor_capacity[key] = capacity

    supervisor_prefs: dict[str, list[int]] = {}
    for supervisor_id, fellow_id in (
        FellowRanking.objects.filter(matching=matching)
        .order_by("supervisor_id", "rank")
        .values_list("supervisor_id", "fellow_id")
    ):
        key = f"u{supervisor_id}"
        if key in supervisor_capacity and fellow_id in fellows:
            supervisor_prefs.setdefault(key, []).append(fellow_id)
    # A project without a supervisor account ranks the fellows who chose it by their reference.
    for pk, p in projects.items():
        if not p.supervisor_id:
            chose = [f for f, ranked in prefs.items() if pk in ranked]
            supervisor_prefs[project_supervisor[pk]] = sorted(
                chose, key=lambda f: (fellows[f].ref, f)
            )

    instance = allocation.Instance(
        fellow_prefs=prefs,
        project_capacity=project_capacity,
        project_supervisor=project_supervisor,
        supervisor_capacity=supervisor_capacity,
        supervisor_prefs=supervisor_prefs,
    )
    return Built(matching=matching, instance=instance, fellows=fellows, projects=projects)


def _reasons(built: Built, result: allocation.Allocation, fellow_id: int) -> list[dict]:
    if not built.instance.fellow_prefs[fellow_id]:
        return [{"kind": NO_CHOICES, "project": "", "title": "", "taken_by": []}]
    ranks = {pk: i for i, pk in enumerate(built.instance.fellow_prefs[fellow_id], start=1)}
    reasons = []
    for reason in result.explain(fellow_id):
        project = built.projects[reason.project]
        reasons.append(
            {
                "rank": ranks[reason.project],
                "project": project.ref,
                "title": project.title,
                "kind": reason.kind,
                "taken_by": [built.fellow_name(f) for f in reason.taken_by],
            }
        )
    return reasons


def run_matching(matching: MatchingRound, *, by: User) -> list[ProposedMatch]:
    """Run the allocation and store it as the proposed matching (closing the ranking).

    Side effects: replaces the matching's ProposedMatch rows (one per fellow in post, matched or
    not, with the choice number and the reasons for each better choice); status → PROPOSED;
    ran_at and ran_by. Overrides of an earlier run are discarded. Refused once published.
    """
    with transaction.atomic():
        matching = (
            MatchingRound.objects.select_for_update().select_related("cohort").get(pk=matching.pk)
        )
        if matching.status == MatchingStatus.PUBLISHED:
            raise ValidationError(PUBLISHED)
        built = build_instance(matching)
        if not built.fellows:
            raise ValidationError(f"There are no fellows in post in {matching.cohort} to match")
        result = allocation.allocate(built.instance)
        matching.proposals.all().delete()
        created = []
        for fellow_id in built.fellows:  # in fellow reference order
            project_id = result.assignment[fellow_id]
            prefs = built.instance.fellow_prefs[fellow_id]
            created.append(
                ProposedMatch.objects.create(
                    matching=matching,
                    fellow_id=fellow_id,
                    project_id=project_id,
                    allocated_project_id=project_id,
                    choice_rank=prefs.index(project_id) + 1 if project_id is not None else None,
                    reasons=_reasons(built, result, fellow_id),
                )
            )
        matching.status = MatchingStatus.PROPOSED
        matching.ran_at = timezone.now()
        matching.ran_by = by
        matching.save(update_fields=["status", "ran_at", "ran_by"])
    return created
