"""Shortlisting: reviewers assigned around conflicts of interest, independent scores of
the written application, moderation where reviewers differ, and the shortlist made in bulk.

Each operation takes the acting person as the keyword-only `by`, validates, changes state inside a
transaction, writes its record (assignment, conflict, score, moderation, stage change) and queues
its e-mails with `notify`, which sends them after the commit.

Scores can change until the shortlist is made: once an application has left the submitted or
longlisted stage, its written scores are closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import FundedPost, User
from fellowship.notifications import notify

from . import conflicts as pure
from .enums import SCORE_MAX, SCORE_MIN, ConflictReason, Stage
from .models import (
    Application,
    Conflict,
    Criterion,
    Moderation,
    RecruitmentRound,
    ReviewerAssignment,
    ShortlistScore,
    StageChange,
)
from .ranking import Candidate, rank
from .services import _change_stage

# Applications that are in the running for the shortlist; ineligible, withdrawn and the rest are untouched.
SHORTLISTABLE = (Stage.SUBMITTED, Stage.LONGLISTED)
REVIEWER_ROLES = (Role.PANELLIST, Role.FACULTY)


def reviewers() -> QuerySet[User]:
    """Everyone who may review at shortlisting: people holding the panellist or faculty role."""
    return (
        User.objects.filter(is_active=True, role_grants__role__in=REVIEWER_ROLES)
        .distinct()
        .order_by("full_name", "email")
    )


def shortlistable(round: RecruitmentRound) -> QuerySet[Application]:
    return Application.objects.filter(
        round=round, stage__in=SHORTLISTABLE, submitted_at__isnull=False
    )


# Assigning reviewers --------------------------------------------------------------------------


@dataclass
class AssignmentReport:
    """What `assign_reviewers` did: new assignments, conflicts it recorded, and applications short of reviewers."""

    created: int = 0
    conflicts_recorded: int = 0
    short: list[Application] = field(default_factory=list)


_ALREADY_ASSIGNED = "already assigned"


def assign_reviewers(
    round: RecruitmentRound, chosen: Iterable[User], *, by: User
) -> AssignmentReport:
    """Give every shortlistable application of the round `round.reviewers_per_application` reviewers
    from `chosen`, counting the reviewers it already has.

    A pairing is removed when a Conflict row exists (declared, or recorded earlier) or when the
    reviewer's organisation is the applicant's employer (recruitment.conflicts); a conflicted
    pairing is never assigned. Reviewers with the fewest assignments are chosen first.
    Side effects: creates ReviewerAssignment rows; creates a Conflict row (same employer) for every
    pairing removed by the employer comparison that had none; e-mails `shortlist_assigned` to
    each reviewer given new applications.
    """
    people = {user.pk: user for user in chosen}
    if not people:
        raise ValidationError("Choose at least one reviewer")
    per_application = round.reviewers_per_application
    with transaction.atomic():
        applications = list(
            shortlistable(round)
            .select_for_update(of=("self",))
            .order_by("pk")
            .prefetch_related("reviewer_assignments")
        )
        by_pk = {a.pk: a for a in applications}
        assigned = {
            a.pk: {ra.reviewer_id for ra in a.reviewer_assignments.all()} for a in applications
        }
        # reviewer -> applications with a Conflict row
        recorded: dict[int, set[int]] = defaultdict(set)
        for application_id, person_id in Conflict.objects.filter(
            application__in=applications
        ).values_list("application_id", "person_id"):
            recorded[person_id].add(application_id)

        def conflict(reviewer_id: int, application_id: int) -> str | None:
            reason = pure.conflict_reason(
                recorded[reviewer_id],
                application_id,
                people[reviewer_id].organisation,
                by_pk[application_id].employer,
            )
            if reason is None and reviewer_id in assigned[application_id]:
                return _ALREADY_ASSIGNED
            return reason

        report = AssignmentReport()
        new_conflicts: list[Conflict] = []
        new_assignments: list[ReviewerAssignment] = []
        # assign_reviewers gives one number of reviewers to every application, so applications are
        # grouped by how many more they need; the most needy go first.
        needs: dict[int, list[int]] = defaultdict(list)
        for a in applications:
            need = per_application - len(assigned[a.pk])
            if need > 0:
                needs[need].append(a.pk)
        seen_conflicts: set[tuple[int, int]] = set()
        for need in sorted(needs, reverse=True):
            result = pure.assign_reviewers(
                needs[need], sorted(people), per_application=need, conflicts=conflict
            )
            for application_id, reviewer_id, reason in result.excluded:
                if (
                    reason == pure.SAME_EMPLOYER
                    and (application_id, reviewer_id) not in seen_conflicts
                ):
                    seen_conflicts.add((application_id, reviewer_id))
                    new_conflicts.append(
                        Conflict(
                            application_id=application_id,
                            person_id=reviewer_id,
                            reason=ConflictReason.SAME_EMPLOYER,
                            note="Found automatically when assigning reviewers: same employing organisation.",
                            recorded_by=by,
                        )
                    )
            for application_id, picked in result.assignments.items():
                for reviewer_id in picked:
                    new_assignments.append(
                        ReviewerAssignment(
                            application_id=application_id, reviewer_id=reviewer_id, assigned_by=by
                        )
                    )
            report.short.extend(by_pk[a] for a in result.short)
        Conflict.objects.bulk_create(new_conflicts, ignore_conflicts=True)
        ReviewerAssignment.objects.bulk_create(new_assignments)
        report.created = len(new_assignments)
        report.conflicts_recorded = len(new_conflicts)
        counts: dict[int, int] = defaultdict(int)
        for assignment in new_assignments:
            counts[assignment.reviewer_id] += 1
        for reviewer_id, count in counts.items():
            notify(
                "shortlist_assigned",
                to=people[reviewer_id].email,
                context={"reviewer": people[reviewer_id], "round": round, "count": count},
            )
    report.short.sort(key=lambda a: a.pk)
    return report


# Scoring by reviewers -------------------------------------------------------------------------


def can_still_score(assignment: ReviewerAssignment) -> bool:
    return assignment.application.stage in SHORTLISTABLE


def save_scores(
    assignment: ReviewerAssignment, scores: Mapping[int, tuple[int | None, str]], *, by: User
) -> int:
    """Save the reviewer's score and comment for each criterion id in `scores` (a blank score is
    left unsaved, so a reviewer can score some criteria now and the rest later).

    Only the assigned reviewer may score, only while the application is still in the running, and
    never with a conflict recorded. Returns the number of scores saved. Side effects: creates or
    updates ShortlistScore rows (their history keeps every change); sets the assignment's
    completed_at once every criterion has a score (and clears it otherwise).
    """
    if assignment.reviewer_id != by.pk:
        raise ValidationError("Only the assigned reviewer can score this application")
    if not can_still_score(assignment):
        raise ValidationError("The shortlist has been made, so scores can no longer change")
    if Conflict.objects.filter(application_id=assignment.application_id, person=by).exists():
        raise ValidationError("You have a conflict of interest with this application")
    criteria = {c.pk: c for c in Criterion.objects.filter(round_id=assignment.application.round_id)}
    saved = 0
    now = timezone.now()
    with transaction.atomic():
        for criterion_id, (score, comment) in scores.items():
            if criterion_id not in criteria:
                raise ValidationError("That criterion is not part of this round")
            if score is None:
                continue
            if not SCORE_MIN <= score <= SCORE_MAX:
                raise ValidationError(f"Scores are from {SCORE_MIN} to {SCORE_MAX}")
            ShortlistScore.objects.update_or_create(
                assignment=assignment,
                criterion_id=criterion_id,
                defaults={"score": score, "comment": comment, "scored_at": now},
            )
            saved += 1
        complete = assignment.scores.count() >= len(criteria)
        assignment.completed_at = (assignment.completed_at or now) if complete else None
        assignment.save(update_fields=["completed_at"])
        if saved:
            audit.record(
                AuditAction.CHANGED,
                AuditSubject.SHORTLIST_SCORE,
                by=by,
                reference=assignment.application.ref,
                summary=f"{saved} criteri{'on' if saved == 1 else 'a'} scored",
            )
    return saved


def declare_conflict(assignment: ReviewerAssignment, *, by: User, note: str) -> Conflict:
    """The reviewer declares a conflict of interest with the application they were given.

    Side effects: records a Conflict (declared, with the reviewer's note), which keeps the pairing
    from ever being assigned again; deletes the assignment and any scores given under it, so the
    faculty's page shows the application needs another reviewer.
    """
    if assignment.reviewer_id != by.pk:
        raise ValidationError("Only the assigned reviewer can declare a conflict")
    if not note.strip():
        raise ValidationError("Tell us why you have a conflict of interest")
    with transaction.atomic():
        conflict, _ = Conflict.objects.update_or_create(
            application_id=assignment.application_id,
            person=by,
            defaults={
                "reason": ConflictReason.DECLARED,
                "note": note.strip(),
                "recorded_by": by,
                "recorded_at": timezone.now(),
            },
        )
        assignment.delete()
    return conflict


# Moderation and the results table -------------------------------------------------------------


def moderate(
    application: Application, criterion: Criterion, *, score: int, reason: str, by: User
) -> Moderation:
    """Faculty settle the score for one criterion of an application, with the reason.

    Side effects: creates or replaces the Moderation row with who and when (its history keeps the
    earlier ones). The moderated score replaces the reviewers' mean for that criterion.
    """
    if criterion.round_id != application.round_id:
        raise ValidationError("That criterion is not part of this application's round")
    if application.stage not in SHORTLISTABLE:
        raise ValidationError("The shortlist has been made, so scores can no longer change")
    if not reason.strip():
        raise ValidationError("Give the reason for the moderated score")
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError(f"Scores are from {SCORE_MIN} to {SCORE_MAX}")
    with transaction.atomic():
        moderation, _ = Moderation.objects.update_or_create(
            application=application,
            criterion=criterion,
            defaults={"score": score, "reason": reason.strip(), "by": by, "at": timezone.now()},
        )
        audit.record(
            AuditAction.OVERRIDDEN,
            AuditSubject.SHORTLIST_SCORE,
            by=by,
            reference=application.ref,
            summary=f"Moderated {criterion.title} to {score}: {reason.strip()}",
        )
    return moderation


def needs_moderation(scores: Sequence[int], margin: int) -> bool:
    """Whether two reviewers' scores for a criterion differ by more than the round's margin."""
    return len(scores) > 1 and max(scores) - min(scores) > margin


def _tenth(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class CriterionResult:
    criterion: Criterion
    scores: list[tuple[User, int]]  # (reviewer, score), by reviewer
    moderation: Moderation | None
    flagged: bool  # reviewers differ by more than the margin and nobody has moderated yet

    @property
    def value(self) -> float | None:
        """The moderated score where one exists, else the mean of the reviewers' scores."""
        if self.moderation is not None:
            return float(self.moderation.score)
        if not self.scores:
            return None
        return fmean(score for _, score in self.scores)

    @property
    def shown(self) -> Decimal | None:
        value = self.value
        return None if value is None else _tenth(value)


@dataclass
class Row:
    application: Application
    results: list[CriterionResult]
    reviewers: list[ReviewerAssignment]
    group: tuple[str, str] = ("", "")
    rank: int | None = None
    selected: bool = False
    # Once the shortlist is made: Stage.SHORTLISTED or Stage.UNSUCCESSFUL, as decided then.
    outcome: str = ""

    @property
    def total(self) -> Decimal | None:
        values = [r.value for r in self.results if r.value is not None]
        return _tenth(sum(values)) if values else None

    @property
    def complete(self) -> bool:
        return all(r.value is not None for r in self.results)

    @property
    def flagged(self) -> bool:
        return any(r.flagged for r in self.results)


@dataclass
class Group:
    region: str
    theme: str
    places: int
    rows: list[Row] = field(default_factory=list)

    @property
    def default_count(self) -> int:
        return 2 * self.places


def decided(round: RecruitmentRound) -> QuerySet[Application]:
    """The round's applications the shortlist was made on, each annotated with `shortlist_outcome`
    (shortlisted or unsuccessful, as decided then, whatever stage they have reached since)."""
    decision = StageChange.objects.filter(
        application=OuterRef("pk"),
        from_stage__in=SHORTLISTABLE,
        to_stage__in=(Stage.SHORTLISTED, Stage.UNSUCCESSFUL),
    ).order_by("-at", "-pk")
    return (
        Application.objects.filter(round=round)
        .annotate(shortlist_outcome=Subquery(decision.values("to_stage")[:1]))
        .filter(shortlist_outcome__isnull=False)
    )


def decided_results(round: RecruitmentRound) -> tuple[list[Criterion], list[Group]]:
    """As `results`, for the applications the shortlist was made on: the scores and ranking as
    they stood (scores close with the shortlist), each row with its outcome and ticked if
    shortlisted."""
    criteria, groups = results(round, applications=decided(round))
    for group in groups:
        for row in group.rows:
            row.outcome = row.application.shortlist_outcome
            row.selected = row.outcome == Stage.SHORTLISTED
    return criteria, groups


def results(
    round: RecruitmentRound, *, applications: QuerySet[Application] | None = None
) -> tuple[list[Criterion], list[Group]]:
    """Every shortlistable application's (or those of `applications`) scores per criterion and
    reviewer, with totals, flags and its rank in its group (region, and the funded post's
    specialty theme where the region has themed posts). A fixed number of queries, however many
    applications there are.

    The default selection is the top 2 × places of each group (posts for the round's cohort);
    candidates tied at the cut-off are all selected.
    """
    criteria = list(round.criteria.all())
    places, themes = _places_and_themes(round)
    groups: dict[tuple[int | None, str], Group] = {}
    for row in _full_rows(
        round, criteria, shortlistable(round) if applications is None else applications
    ):
        application = row.application
        key, theme = _group_key(themes, application.region_id, application.specialty)
        if key not in groups:
            region = application.region.name if application.region else "No region"
            groups[key] = Group(region=region, theme=theme, places=places.get(key, 0))
        groups[key].rows.append(row)
    for group in groups.values():
        rows = {row.application.pk: row for row in group.rows}
        ranked = _rank({pk: row.total for pk, row in rows.items()})
        group.rows = []
        for pk, position in ranked:
            row = rows[pk]
            row.rank = position
            row.selected = row.total is not None and position <= group.default_count
            group.rows.append(row)
    return criteria, _ordered(groups.values())


def _places_and_themes(
    round: RecruitmentRound,
) -> tuple[dict[tuple[int | None, str], int], dict[int | None, list[str]]]:
    """Places per group key (region, casefolded theme) from the cohort's funded posts, and each
    region's specialty themes in the order they are matched."""
    places: dict[tuple[int | None, str], int] = defaultdict(int)
    themes: dict[int | None, set[str]] = defaultdict(set)
    for region_id, specialty_theme, count in FundedPost.objects.filter(
        cohort_id=round.cohort_id
    ).values_list("region_id", "specialty_theme", "places"):
        theme = specialty_theme.strip()
        places[(region_id, theme.casefold())] += count
        if theme:
            themes[region_id].add(theme)
    return places, {region: sorted(names) for region, names in themes.items()}


def _group_key(
    themes: Mapping[int | None, list[str]], region_id: int | None, specialty: str
) -> tuple[tuple[int | None, str], str]:
    """The application's group: (region, casefolded theme) as key, and the theme as shown."""
    wanted = specialty.strip().casefold()
    theme = next((t for t in themes.get(region_id, ()) if t.casefold() == wanted), "")
    return (region_id, theme.casefold()), theme


def _rank(totals: Mapping[int, Decimal | None]) -> list[tuple[int, int]]:
    """(application pk, rank) best first; a total of None (nothing scored yet) ranks below every
    score. `totals` is in application pk order, which orders candidates sharing a rank."""
    candidates = [
        Candidate(id=pk, score=None if total is None else float(total))  # type: ignore[arg-type]
        for pk, total in totals.items()
    ]
    return [(item.id, item.rank) for item in rank(candidates)]  # type: ignore[misc]


def _ordered(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (g.region == "No region", g.region, g.theme))


def _full_rows(
    round: RecruitmentRound, criteria: list[Criterion], applications: QuerySet[Application]
) -> list[Row]:
    """A Row (application, reviewers, every score, moderations, flags) for each application, in
    pk order, unranked. A fixed number of queries."""
    applications_list = list(
        applications.select_related("applicant", "region")
        .prefetch_related(
            Prefetch(
                "reviewer_assignments",
                queryset=ReviewerAssignment.objects.select_related("reviewer").prefetch_related(
                    "scores"
                ),
            ),
            "moderations",
        )
        .order_by("pk")
    )
    rows = []
    for application in applications_list:
        assignments = list(application.reviewer_assignments.all())
        moderations = {m.criterion_id: m for m in application.moderations.all()}
        by_criterion: dict[int, list[tuple[User, int]]] = defaultdict(list)
        for assignment in assignments:
            for score in assignment.scores.all():
                by_criterion[score.criterion_id].append((assignment.reviewer, score.score))
        rows.append(
            Row(
                application=application,
                reviewers=assignments,
                results=[
                    CriterionResult(
                        criterion=c,
                        scores=by_criterion[c.pk],
                        moderation=moderations.get(c.pk),
                        flagged=c.pk not in moderations
                        and needs_moderation(
                            [s for _, s in by_criterion[c.pk]], round.moderation_margin
                        ),
                    )
                    for c in criteria
                ],
            )
        )
    return rows


# The shortlist --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortlistReport:
    shortlisted: int
    unsuccessful: int


def make_shortlist(
    round: RecruitmentRound, chosen: Iterable[Application], *, by: User
) -> ShortlistReport:
    """Shortlist the chosen applications and close the others in the running.

    Every submitted or longlisted application of the round becomes shortlisted (if chosen) or
    unsuccessful (if not); ineligible, withdrawn and other applications are untouched. Raises
    ValidationError when nothing is chosen or a chosen application is not in the running.
    Side effects: changes each stage with a StageChange; e-mails `shortlist_shortlisted` to those
    shortlisted and `shortlist_unsuccessful` to the others (after the commit); scores close.
    """
    chosen_pks = {a.pk for a in chosen}
    if not chosen_pks:
        raise ValidationError("Choose at least one application to shortlist")
    with transaction.atomic():
        applications = list(
            shortlistable(round)
            .select_for_update(of=("self",))
            .select_related("applicant", "round")
            .order_by("pk")
        )
        if not chosen_pks <= {a.pk for a in applications}:
            raise ValidationError(
                "Some of the chosen applications are no longer waiting for shortlisting"
            )
        now = timezone.now()
        shortlisted = unsuccessful = 0
        for application in applications:
            if application.pk in chosen_pks:
                _change_stage(application, Stage.SHORTLISTED, by=by, reason="Shortlisted", at=now)
                kind = "shortlist_shortlisted"
                shortlisted += 1
            else:
                _change_stage(
                    application, Stage.UNSUCCESSFUL, by=by, reason="Not shortlisted", at=now
                )
                kind = "shortlist_unsuccessful"
                unsuccessful += 1
            application.save(update_fields=["stage", "furthest_stage", "updated_at"])
            if application.applicant:
                notify(
                    kind,
                    to=application.applicant.email,
                    context={"application": application, "round": round},
                )
    return ShortlistReport(shortlisted=shortlisted, unsuccessful=unsuccessful)
