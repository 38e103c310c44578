"""Projects' part of a person's data (see fellowship.personal_data): a supervisor's proposals, their
versions, reviews, milestones, capacities and rankings; a fellow's placement, project choices,
the rankings supervisors gave them and their line of the published allocation.

A project is the programme's record, not its supervisor's: the catalogue lists it and the report
counts it (matched projects, host organisations, domains, and objective 8's alumni supervisors,
each counted once by account). So `Project.supervisor` is an `acts` link: the project stays, its
supervisor link points at the pseudonymous account (which keeps objective 8's count of people
right), and the supervisor's name is replaced wherever the project copied it (the recorded
supervisor name and the frozen versions). A live project needs another supervisor first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fellowship.models import Fellow
from fellowship.personal_data import (
    DE_IDENTIFIED,
    KEPT,
    Erasure,
    Part,
    Person,
    PlanLine,
    holder,
    record,
    records,
)

from .enums import MatchingStatus, ProposalStatus
from .models import (
    FellowRanking,
    Milestone,
    Placement,
    Project,
    ProjectChoice,
    ProposalVersion,
    ProposedMatch,
    Review,
    SupervisorCapacity,
)

# Proposals that ended: declined or withdrawn. An approved project is live until its cohort ends.
ENDED = (ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN)


def live_projects(user) -> Any:
    """The projects `user` supervises that still need a supervisor: not declined or withdrawn,
    and, once approved, until the end of their cohort (a cohort with no end date has not ended)."""
    today = timezone.localdate()
    ended = Q(status__in=ENDED) | Q(
        status=ProposalStatus.APPROVED, cohort__end_date__isnull=False, cohort__end_date__lt=today
    )
    return Project.objects.filter(supervisor=user).exclude(ended)


@holder
class ProjectsData:
    own = {
        "projects.Placement.fellow": "placement on a project",
        "projects.ProjectChoice.fellow": "projects chosen in the matching, by rank",
        "projects.FellowRanking.fellow": "rankings supervisors gave the fellow in the matching",
        "projects.ProposedMatch.fellow": "the fellow's line of the matching's allocation",
    }
    acts = {
        "projects.Project.supervisor": (
            "the project stays in the catalogue and the report (which counts alumni supervisors"
            " once each, by account): it names the pseudonym as its supervisor"
        ),
        "projects.ProposalVersion.submitted_by": "who submitted a version of a proposal",
        "projects.Review.reviewer": "the vetting of a proposal must show that someone vetted it",
        "projects.Milestone.updated_by": "who last updated a project's milestone",
        "projects.SupervisorCapacity.supervisor": (
            "a matching's inputs stay so that its published allocation can still be explained"
        ),
        "projects.FellowRanking.supervisor": (
            "a matching's inputs stay so that its published allocation can still be explained"
        ),
        "projects.FellowRanking.ranked_by": "who ranked fellows on a supervisor's behalf",
        "projects.MatchingRound.ran_by": "who ran a matching",
        "projects.MatchingRound.published_by": "who published a matching",
        "projects.ProposedMatch.overridden_by": "who changed a fellow's allocated project",
        "projects.CatalogueFile.requested_by": "who asked for a catalogue PDF",
    }

    # Querysets of the person's records -----------------------------------------------------------

    @staticmethod
    def _supervised(person: Person):
        if person.user is None:
            return Project.objects.none()
        return Project.objects.filter(supervisor=person.user).select_related("cohort")

    @staticmethod
    def _matches_naming(person: Person):
        """Allocation lines of the person's matchings: theirs, and others' whose reasons may name
        them (a better choice "taken by" them)."""
        cohorts = {fellow.cohort_id for fellow in person.fellows}
        return ProposedMatch.objects.filter(
            Q(fellow__in=person.fellow_ids) | Q(matching__cohort__in=cohorts)
        )

    # Right of access ---------------------------------------------------------------------------------

    def export(self, person: Person) -> Iterator[Part]:
        user = person.user
        if user is not None:
            supervised = self._supervised(person)
            yield Part("projects-supervised", records(supervised, exclude=["supervisor"]))
            yield Part(
                "proposal-versions",
                records(
                    ProposalVersion.objects.filter(project__supervisor=user).select_related(
                        "project"
                    ),
                    exclude=["submitted_by"],
                ),
            )
            # Reviews of their proposals: the decision and comments they were sent, not who vetted.
            yield Part(
                "proposal-reviews-received",
                [
                    record(
                        review,
                        exclude=["reviewer"],
                        extra={
                            "version": review.version.number,
                            "checklist": [
                                {
                                    "item": answer.item.text,
                                    "answer": answer.get_answer_display(),
                                    "comment": answer.comment,
                                }
                                for answer in review.answers.all()
                            ],
                        },
                    )
                    for review in Review.objects.filter(project__supervisor=user)
                    .exclude(decision="")
                    .select_related("project", "version")
                    .prefetch_related("answers__item")
                ],
            )
            yield Part(
                "proposal-reviews-given",
                [
                    {
                        "project": review.project.ref,
                        "version": review.version.number,
                        "decision": review.get_decision_display(),
                        "comments": review.comments,
                        "decided_at": review.decided_at,
                    }
                    for review in Review.objects.filter(reviewer=user).select_related(
                        "project", "version"
                    )
                ],
            )
            yield Part(
                "supervisor-capacities",
                records(
                    SupervisorCapacity.objects.filter(supervisor=user).select_related(
                        "matching__cohort"
                    ),
                    exclude=["supervisor"],
                ),
            )
            # Their ranking of the fellows who chose their projects: by fellow reference only.
            yield Part(
                "fellow-rankings-given",
                [
                    {
                        "matching": str(ranking.matching),
                        "fellow": ranking.fellow.ref,
                        "rank": ranking.rank,
                    }
                    for ranking in FellowRanking.objects.filter(supervisor=user).select_related(
                        "matching__cohort", "fellow"
                    )
                ],
            )
        placed = Placement.objects.filter(fellow__in=person.fellow_ids).select_related(
            "project", "fellow"
        )
        yield Part("placements", records(placed))
        yield Part(
            "milestones",
            records(
                Milestone.objects.filter(
                    Q(project__placements__fellow__in=person.fellow_ids)
                    | Q(project__in=self._supervised(person))
                )
                .distinct()
                .select_related("project"),
                exclude=["updated_by"],
            ),
        )
        yield Part(
            "project-choices",
            records(
                ProjectChoice.objects.filter(fellow__in=person.fellow_ids).select_related(
                    "project", "fellow"
                )
            ),
        )
        published = Q(matching__status=MatchingStatus.PUBLISHED)
        # Supervisors' rankings of the fellow and the allocation, once the matching is published:
        # the rank and the reasons, never which fellows took a better choice.
        yield Part(
            "rankings-received",
            [
                {"matching": str(ranking.matching), "rank": ranking.rank}
                for ranking in FellowRanking.objects.filter(
                    published, fellow__in=person.fellow_ids
                ).select_related("matching__cohort")
            ],
        )
        yield Part(
            "allocation",
            [
                {
                    "matching": str(match.matching),
                    "project": str(match.project) if match.project else None,
                    "choice_rank": match.choice_rank,
                    "why_not_better_choices": [
                        {key: value for key, value in reason.items() if key != "taken_by"}
                        for reason in match.reasons
                    ],
                }
                for match in ProposedMatch.objects.filter(
                    published, fellow__in=person.fellow_ids
                ).select_related("matching__cohort", "project")
            ],
        )

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        if person.user is None:
            return []
        return [
            f"Give {project.title} another supervisor first"
            for project in live_projects(person.user)
        ]

    def plan(self, person: Person) -> list[PlanLine]:
        fellows = person.fellow_ids
        return [
            PlanLine(
                "projects supervised",
                self._supervised(person).count(),
                DE_IDENTIFIED,
                "the projects stay in the catalogue and the report; they name the pseudonym as supervisor",
            ),
            PlanLine(
                "placement, project choices and the matching's allocation",
                Placement.objects.filter(fellow__in=fellows).count()
                + ProjectChoice.objects.filter(fellow__in=fellows).count()
                + ProposedMatch.objects.filter(fellow__in=fellows).count(),
                DE_IDENTIFIED,
                "the report counts matched projects; the fellow record they point at no longer names the person",
            ),
            PlanLine(
                "proposal reviews, capacities and rankings given",
                (
                    Review.objects.filter(reviewer=person.user).count()
                    + SupervisorCapacity.objects.filter(supervisor=person.user).count()
                    + FellowRanking.objects.filter(supervisor=person.user).count()
                )
                if person.user
                else 0,
                KEPT,
                "vetting and matching records show that someone acted; they name the pseudonym",
            ),
        ]

    def erase(self, person: Person, erasure: Erasure) -> None:
        pseudonym = erasure.pseudonym
        if person.user is not None:
            # The supervisor's name as the project recorded it (a fellow reference, which marks an
            # alumnus supervisor for objective 8, is not a name and stays).
            supervised = list(self._supervised(person))
            refs = set(
                Fellow.objects.filter(ref__in=[p.supervisor_name for p in supervised]).values_list(
                    "ref", flat=True
                )
            )
            renamed = [p for p in supervised if p.supervisor_name and p.supervisor_name not in refs]
            for project in renamed:
                project.supervisor_name = pseudonym
                project.save(update_fields=["supervisor_name"])
            erasure.scrubbed(Project, [p.pk for p in renamed], ["supervisor_name"])
            versions = ProposalVersion.objects.filter(project__in=[p.pk for p in supervised])
            for version in versions:
                snapshot = erasure.pseudonymise(version.snapshot)
                if snapshot != version.snapshot:
                    version.snapshot = snapshot
                    version.save(update_fields=["snapshot"])
            erasure.count("projects de-identified", len(supervised))
        # Other fellows' allocation lines say whose better choice took a project, by name; the
        # reasons faculty gave for a change may name the fellow too.
        changed = []
        for match in self._matches_naming(person):
            reasons = erasure.pseudonymise(match.reasons)
            override = erasure.pseudonymise(match.override_reason)
            if (reasons, override) != (match.reasons, match.override_reason):
                match.reasons, match.override_reason = reasons, override
                match.save(update_fields=["reasons", "override_reason"])
                changed.append(match.pk)
        erasure.scrubbed(ProposedMatch, changed, ["reasons", "override_reason"])
        erasure.count("allocation lines de-identified", len(changed))


__all__ = ["ProjectsData", "live_projects"]
