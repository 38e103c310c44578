"""Matching fellows to AI projects (issue 5/9): ranking, the allocation, review, overrides, publication.

The flow for one cohort, with its MatchingRound:

1. Faculty open the matching (status RANKING). Fellows in post rank the approved projects they are
   *eligible* for: projects in the region of their post; a fellow in a themed post (Fellow.post_theme,
   such as Haematology) only projects whose funder theme is the same (compared case-insensitively,
   trimmed), unless the round lets themed posts rank any project in their region. Fellows rank
   until `ranking_closes_at` (or until the matching runs, if no deadline is set).
2. Supervisors (or faculty on their behalf) rank the fellows who chose their projects, and faculty
   set each supervisor's total capacity across their projects (by default the sum of their
   projects' capacities). Supervisors may rank until the matching runs, so after the fellows'
   deadline too.
3. Faculty run the matching: projects.allocation.allocate (SPA-student) gives the fellow-optimal
   stable allocation. Each fellow gets a ProposedMatch with the project, the choice number and,
   for every project they ranked higher, why not (stored as JSON so the explanation does not
   change when people edit their rankings later). Status → PROPOSED. Running again replaces the
   proposed allocation, overrides included.
4. Faculty review, and may override a fellow's line with a reason; the review and override pages
   say which stability guarantees an override breaks (blocking pairs) and which capacities it
   exceeds.
5. Faculty publish: each matched fellow gets a Placement, Fellow.project_ref follows it, fellows
   and supervisors are e-mailed. Status → PUBLISHED; nothing can change after that.

Projects without a supervisor account (history projects known only by `supervisor_name`) are
their own "supervisor": their capacity is the project's capacity, and the fellows who chose them
are ranked by fellow reference (no one can log in to rank them).

What the allocation sees is rebuilt from the database each time (`build_instance`): fellows in
post in the cohort, their choices of projects still approved and still eligible (anything else is
ignored), supervisors' rankings and capacities. Every query is ordered, so the same data always
gives the same allocation.

Every operation here validates and raises ValidationError with a message for the user, changes
state in one transaction and queues e-mail with `notify` (sent after the commit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject, FellowStatus, Role
from fellowship.models import Cohort, Fellow, User
from fellowship.notifications import notify
from fellowship.services import record_project

from . import allocation
from .enums import MatchingStatus, ProposalStatus
from .models import (
    FellowRanking,
    MatchingRound,
    Placement,
    Project,
    ProjectChoice,
    ProposedMatch,
    SupervisorCapacity,
)

NO_CHOICES = "no_choices"  # the reason kind of a fellow who ranked nothing
CAPACITY_MAX = 20  # as SupervisorCapacity's validator

RANKING_CLOSED = "Ranking has closed for this matching"
PUBLISHED = "This matching has been published, so it cannot change"


# Eligibility -------------------------------------------------------------------------------------


def _theme(value: str) -> str:
    return value.strip().casefold()


def is_eligible(fellow: Fellow, project: Project, matching: MatchingRound) -> bool:
    """Whether the fellow may rank the project: approved, same cohort and region, and theme if themed."""
    if project.status != ProposalStatus.APPROVED or project.cohort_id != matching.cohort_id:
        return False
    if project.region_id is None or project.region_id != fellow.region_id:
        return False
    theme = _theme(fellow.post_theme)
    if theme and not matching.themed_posts_any_project:
        return _theme(project.funder_theme) == theme
    return True


def eligible_projects(fellow: Fellow, matching: MatchingRound) -> list[Project]:
    """The approved projects of the matching's cohort the fellow may rank, by title."""
    projects = (
        Project.objects.approved()
        .filter(cohort_id=matching.cohort_id, region_id=fellow.region_id)
        .select_related("host_organisation", "region", "clinical_domain", "supervisor")
        .order_by("title", "pk")
    )
    # The theme is compared in Python: trimming and case-folding alike on every database.
    return [p for p in projects if is_eligible(fellow, p, matching)]


def matching_for(cohort: Cohort | int) -> MatchingRound | None:
    cohort_id = cohort.pk if isinstance(cohort, Cohort) else cohort
    return MatchingRound.objects.filter(cohort_id=cohort_id).select_related("cohort").first()


def fellow_record(user: User) -> Fellow | None:
    """The person's latest fellowship in post, which is the one they rank projects for."""
    if not user.is_authenticated:
        return None
    return (
        Fellow.objects.filter(user=user, status=FellowStatus.IN_POST)
        .select_related("cohort", "region")
        .order_by("-cohort__number")
        .first()
    )


# Turning rank selects into an order --------------------------------------------------------------


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
    if by.pk != fellow.user_id and not by.has_role(Role.FACULTY):
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


# Supervisors rank fellows, faculty set capacities -----------------------------------------------


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
    if by.pk != supervisor.pk and not by.has_role(Role.FACULTY):
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


# Setting up --------------------------------------------------------------------------------------


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


# The allocation ----------------------------------------------------------------------------------


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


# Review and overrides ----------------------------------------------------------------------------


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


# Publication -------------------------------------------------------------------------------------


def publish_matching(matching: MatchingRound, *, by: User) -> MatchingRound:
    """Publish the proposed allocation.

    Side effects: a Placement for each matched fellow (created, or moved to the new project);
    Fellow.project_ref and Fellow.project_domain (the project's clinical domain, which mentor
    matching compares) through fellowship.services.record_project; status → PUBLISHED with
    published_at and published_by; e-mails `matching_published_fellow` to each fellow (their
    project, or that they were not matched, with the link to the explanation) and
    `matching_published_supervisor` to each supervisor with the fellows placed on their projects.
    Publishing twice is refused.
    """
    with transaction.atomic():
        matching = (
            MatchingRound.objects.select_for_update().select_related("cohort").get(pk=matching.pk)
        )
        if matching.status == MatchingStatus.PUBLISHED:
            raise ValidationError("This matching has already been published")
        if matching.status != MatchingStatus.PROPOSED:
            raise ValidationError("Run the matching before publishing it")
        proposals = list(
            matching.proposals.select_related(
                "fellow__user",
                "project__supervisor",
                "project__host_organisation",
                "project__clinical_domain",
            ).order_by("fellow__ref")
        )
        now = timezone.now()
        placed: dict[int, list[ProposedMatch]] = {}
        for proposed in proposals:
            if proposed.project is None:
                continue
            Placement.objects.update_or_create(
                fellow=proposed.fellow, defaults={"project": proposed.project, "placed_at": now}
            )
            domain = proposed.project.clinical_domain
            record_project(
                proposed.fellow,
                project_ref=proposed.project.ref,
                project_domain=domain.name if domain is not None else "",
            )
            if proposed.project.supervisor_id:
                placed.setdefault(proposed.project.supervisor_id, []).append(proposed)
        matching.status = MatchingStatus.PUBLISHED
        matching.published_at = now
        matching.published_by = by
        matching.save(update_fields=["status", "published_at", "published_by"])
        audit.record(
            AuditAction.PUBLISHED,
            AuditSubject.MATCHING,
            by=by,
            reference=f"cohort {matching.cohort.number}",
            summary=f"{sum(1 for p in proposals if p.project is not None)} fellows placed, "
            f"{sum(1 for p in proposals if p.project is None)} not matched",
        )

        for proposed in proposals:
            user = proposed.fellow.user
            if user is None or not user.email:
                continue
            notify(
                "matching_published_fellow",
                to=user.email,
                context={
                    "fellow": proposed.fellow,
                    "proposed": proposed,
                    "project": proposed.project,
                    "cohort": matching.cohort,
                },
            )
        for rows in placed.values():
            supervisor = rows[0].project.supervisor
            if not supervisor.email:
                continue
            notify(
                "matching_published_supervisor",
                to=supervisor.email,
                context={"supervisor": supervisor, "placements": rows, "cohort": matching.cohort},
            )
    return matching


# What a fellow reads -----------------------------------------------------------------------------


@dataclass
class Explanation:
    """One line of a fellow's explanation: a project they ranked higher and why they did not get it."""

    rank: int | None
    ref: str
    title: str
    kind: str
    taken_by: list[str]


def explanation(proposed: ProposedMatch) -> list[Explanation]:
    """The stored reasons, in the fellow's order; after an override, only for projects ranked above theirs."""
    lines = [
        Explanation(
            r.get("rank"),
            r.get("project", ""),
            r.get("title", ""),
            r["kind"],
            list(r.get("taken_by", [])),
        )
        for r in proposed.reasons
        if r.get("kind") != NO_CHOICES
    ]
    if proposed.is_overridden:
        lines = [
            line
            for line in lines
            if proposed.choice_rank is None
            or (line.rank is not None and line.rank < proposed.choice_rank)
        ]
    return lines


def ranked_nothing(proposed: ProposedMatch) -> bool:
    return any(r.get("kind") == NO_CHOICES for r in proposed.reasons)
