"""Rankings: fellows rank the projects they are eligible for, supervisors rank the fellows who chose
their projects; and turning rank selects into an order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from fellowship import rules as r
from fellowship.enums import FellowStatus
from fellowship.models import Fellow, User

from ..enums import MatchingStatus
from ..models import FellowRanking, MatchingRound, Project, ProjectChoice
from .eligibility import eligible_projects, is_eligible
from .refusals import RANKING_CLOSED


def ranking_order(ranks: Mapping[int, int | None], *, noun: str = "project") -> list[int]:
    """The ids in rank order, from {id: rank or None (not ranked)}.

    Ranks must run 1, 2, 3 ... without gaps or repeats. Raises ValidationError with one message
    per problem, in words for the person ranking.
    """
    given = {key: rank for key, rank in ranks.items() if rank is not None}
    errors = []
    if any(rank < 1 for rank in given.values()):
        errors.append("Ranks start at 1")
    seen: dict[int, int] = {}
    for rank in given.values():
        seen[rank] = seen.get(rank, 0) + 1
    repeated = sorted(rank for rank, count in seen.items() if count > 1)
    for rank in repeated:
        errors.append(
            f"You gave rank {rank} to more than one {noun}. Give each {noun} a different rank"
        )
    if not errors:
        missing = [r for r in range(1, len(given) + 1) if r not in seen]
        if missing:
            errors.append(
                f"Ranks must run 1, 2, 3 and so on without gaps: no {noun} has rank {missing[0]}"
            )
    if errors:
        raise ValidationError(errors)
    return [key for key, _ in sorted(given.items(), key=lambda item: item[1])]


def _no_repeats(ids: Sequence[int], noun: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValidationError(f"Each {noun} can be ranked only once")


# Fellows rank projects ---------------------------------------------------------------------------


def save_choices(
    fellow: Fellow, project_ids_in_order: Sequence[int], *, by: User
) -> list[ProjectChoice]:
    """Replace the fellow's ranking of projects with `project_ids_in_order` (best first; may be empty).

    Only while ranking is open, only projects the fellow is eligible for. Side effects: deletes
    the fellow's ProjectChoice rows and creates the new ones, in one transaction.
    """
    ids = list(project_ids_in_order)
    _no_repeats(ids, "project")
    if by.pk != fellow.user_id and not r.is_faculty.test(by):
        raise ValidationError("Only the fellow can rank their projects")
    if fellow.status != FellowStatus.IN_POST:
        raise ValidationError("Only fellows in post rank projects")
    with transaction.atomic():
        matching = (
            MatchingRound.objects.select_for_update().filter(cohort_id=fellow.cohort_id).first()
        )
        if matching is None:
            raise ValidationError("Ranking has not opened for your cohort yet")
        if not matching.ranking_open:
            raise ValidationError(RANKING_CLOSED)
        eligible = {p.pk for p in eligible_projects(fellow, matching)}
        if any(pk not in eligible for pk in ids):
            raise ValidationError(
                "You can only rank approved projects in your region that your post allows"
            )
        ProjectChoice.objects.filter(fellow=fellow).delete()
        return ProjectChoice.objects.bulk_create(
            ProjectChoice(fellow=fellow, project_id=pk, rank=rank)
            for rank, pk in enumerate(ids, start=1)
        )


# Supervisors rank fellows -------------------------------------------------------------------------


def supervised_projects(matching: MatchingRound, supervisor: User) -> list[Project]:
    return list(
        Project.objects.approved()
        .filter(cohort_id=matching.cohort_id, supervisor=supervisor)
        .order_by("title", "pk")
    )


@dataclass
class Candidate:
    """A fellow who chose one or more of a supervisor's projects, with their rank for each."""

    fellow: Fellow
    choices: list[tuple[Project, int]] = field(default_factory=list)
    rank: int | None = None  # the supervisor's rank, if given


def candidates(matching: MatchingRound, supervisor: User) -> list[Candidate]:
    """Fellows in post who chose (and may still choose) the supervisor's approved projects.

    In the supervisor's saved order first, then the rest by fellow reference.
    """
    projects = {p.pk: p for p in supervised_projects(matching, supervisor)}
    choices = (
        ProjectChoice.objects.filter(
            project_id__in=projects,
            fellow__cohort_id=matching.cohort_id,
            fellow__status=FellowStatus.IN_POST,
        )
        .select_related("fellow__user", "fellow__region")
        .order_by("fellow__ref", "rank")
    )
    by_fellow: dict[int, Candidate] = {}
    for choice in choices:
        project = projects[choice.project_id]
        if not is_eligible(choice.fellow, project, matching):
            continue
        row = by_fellow.setdefault(choice.fellow_id, Candidate(choice.fellow))
        row.choices.append((project, choice.rank))
    saved = dict(
        FellowRanking.objects.filter(matching=matching, supervisor=supervisor).values_list(
            "fellow_id", "rank"
        )
    )
    rows = list(by_fellow.values())
    for row in rows:
        row.rank = saved.get(row.fellow.pk)
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.fellow.ref))


def save_fellow_ranking(
    matching: MatchingRound, supervisor: User, fellow_ids_in_order: Sequence[int], *, by: User
) -> list[FellowRanking]:
    """Replace the supervisor's ranking of the fellows who chose their projects (best first).

    Fellows left out rank below those listed. Allowed until the matching runs. Side effects:
    deletes the supervisor's FellowRanking rows and creates the new ones (ranked_by = `by`).
    """
    ids = list(fellow_ids_in_order)
    _no_repeats(ids, "fellow")
    if by.pk != supervisor.pk and not r.is_faculty.test(by):
        raise ValidationError("Only the supervisor or the programme team can rank these fellows")
    with transaction.atomic():
        matching = MatchingRound.objects.select_for_update().get(pk=matching.pk)
        if matching.status != MatchingStatus.RANKING:
            raise ValidationError(RANKING_CLOSED)
        allowed = {row.fellow.pk for row in candidates(matching, supervisor)}
        if any(pk not in allowed for pk in ids):
            raise ValidationError("You can only rank fellows who chose one of your projects")
        FellowRanking.objects.filter(matching=matching, supervisor=supervisor).delete()
        return FellowRanking.objects.bulk_create(
            FellowRanking(
                matching=matching, supervisor=supervisor, fellow_id=pk, rank=rank, ranked_by=by
            )
            for rank, pk in enumerate(ids, start=1)
        )
