"""Projects' additions to the home page: a supervisor's proposals, a fellow's project and milestones."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fellowship import rules as r
from fellowship.dates import fellowship_month
from fellowship.hooks import Task, clinical_domain_names, home_panel, home_tasks, seeded_rows

from .enums import MilestoneStatus
from .models import ClinicalDomain, Project

# The quality checklist and the clinical domains come with the migrations.
seeded_rows("projects.checklistitem")
seeded_rows("projects.clinicaldomain")


@home_panel
def projects_panel(request) -> dict:
    user = request.user
    context: dict = {}
    if r.supervises_projects.test(user):
        context["my_proposals"] = list(
            Project.objects.filter(supervisor=user)
            .select_related("cohort")
            .order_by("-cohort__number", "title")
        )
    if r.holds_fellowship.test(user):
        context["my_projects"] = list(
            Project.objects.filter(placements__fellow__user=user)
            .select_related("host_organisation", "region")
            .prefetch_related("milestones")
            .order_by("-cohort__number")
        )
        context["open_milestone_statuses"] = [
            s for s in MilestoneStatus if s != MilestoneStatus.DONE
        ]
    return context


@home_panel
def matching_panel(request) -> dict:
    """Matching: a fellow ranking projects or reading a published result; a supervisor ranking fellows."""
    from .enums import MatchingStatus, ProposalStatus
    from .matching import fellow_record
    from .models import MatchingRound, ProjectChoice

    user = request.user
    context: dict = {}
    if r.is_fellow.test(user):
        fellow = fellow_record(user)
        rnd = MatchingRound.objects.filter(cohort_id=fellow.cohort_id).first() if fellow else None
        if rnd is not None and rnd.ranking_open:
            context["matching_ranking"] = {
                "matching": rnd,
                "ranked": ProjectChoice.objects.filter(fellow=fellow).count(),
            }
        elif rnd is not None and rnd.status == MatchingStatus.PUBLISHED:
            context["matching_result_ready"] = rnd
    if r.supervises_projects.test(user):
        # Rounds still ranking in which fellows chose one of this person's approved projects.
        context["matching_to_rank"] = list(
            MatchingRound.objects.filter(
                status=MatchingStatus.RANKING,
                cohort__projects__supervisor=user,
                cohort__projects__status=ProposalStatus.APPROVED,
                cohort__projects__choices__isnull=False,
            )
            .select_related("cohort")
            .distinct()
            .order_by("-cohort__number")
        )
    return context


@clinical_domain_names
def domain_names() -> list[str]:
    """The managed list of clinical domains, for the mentor offer form's checkboxes."""
    return list(ClinicalDomain.objects.values_list("name", flat=True))


@home_tasks
def project_tasks(user) -> list[Task]:
    """Faculty: proposals to vet. Supervisors: proposals to revise, fellows to rank. Fellows:
    milestones due on their project and projects to rank."""
    from .enums import AWAITING_REVIEW, MatchingStatus, ProposalStatus
    from .matching import fellow_record
    from .models import MatchingRound, Milestone, ProjectChoice

    tasks: list[Task] = []
    if user.has_perm("projects.vet"):
        tasks.append(
            Task(
                Project.objects.filter(status__in=AWAITING_REVIEW).count(),
                "project proposal to review",
                "project proposals to review",
                reverse("review_queue"),
            )
        )
    if r.supervises_projects.test(user):
        tasks.append(
            Task(
                Project.objects.filter(supervisor=user, status=ProposalStatus.DRAFT).count(),
                "draft project proposal to finish and submit",
                "draft project proposals to finish and submit",
                reverse("proposal_list"),
            )
        )
        tasks.append(
            Task(
                Project.objects.filter(supervisor=user, status=ProposalStatus.REVISE).count(),
                "project proposal to revise and resubmit",
                "project proposals to revise and resubmit",
                reverse("proposal_list"),
            )
        )
        to_rank = (
            MatchingRound.objects.filter(
                status=MatchingStatus.RANKING,
                cohort__projects__supervisor=user,
                cohort__projects__status=ProposalStatus.APPROVED,
                cohort__projects__choices__isnull=False,
            )
            .exclude(fellow_rankings__supervisor=user)
            .distinct()
        )
        for rnd in to_rank.select_related("cohort"):
            tasks.append(
                Task(
                    1,
                    f"ranking of the fellows who chose your projects in {rnd.cohort}",
                    "",
                    reverse("fellow_ranking", args=[rnd.cohort.number, user.pk]),
                )
            )
    if r.is_fellow.test(user):
        fellow = fellow_record(user)
        if fellow is not None:
            rnd = MatchingRound.objects.filter(cohort_id=fellow.cohort_id).first()
            if (
                rnd is not None
                and rnd.ranking_open
                and not ProjectChoice.objects.filter(fellow=fellow).exists()
            ):
                tasks.append(
                    Task(1, "list of projects to rank for matching", "", reverse("project_choices"))
                )
            month = fellowship_month(fellow.cohort.start_date, timezone.localdate())
            due = Milestone.objects.filter(project__placements__fellow=fellow).exclude(
                status=MilestoneStatus.DONE
            )
            due = (
                due.filter(target_month__lte=month)
                if month is not None
                else due.filter(status=MilestoneStatus.LATE)
            )
            project = Project.objects.filter(placements__fellow=fellow).first()
            if project is not None:
                tasks.append(
                    Task(
                        due.count(),
                        "milestone of your AI project due for an update",
                        "milestones of your AI project due for an update",
                        reverse("project_milestones", args=[project.ref]),
                    )
                )
    return tasks
