"""Projects' additions to the home page: a supervisor's proposals, a fellow's project and milestones."""

from __future__ import annotations

from fellowship.enums import Role
from fellowship.hooks import clinical_domain_names, home_panel

from .enums import MilestoneStatus
from .models import ClinicalDomain, Project


@home_panel
def projects_panel(request) -> dict:
    user = request.user
    context: dict = {}
    if user.has_role(Role.SUPERVISOR, Role.ALUMNUS):
        context["my_proposals"] = list(
            Project.objects.filter(supervisor=user)
            .select_related("cohort")
            .order_by("-cohort__number", "title")
        )
    if user.has_role(Role.FELLOW, Role.ALUMNUS):
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
    if user.has_role(Role.FELLOW):
        fellow = fellow_record(user)
        rnd = MatchingRound.objects.filter(cohort_id=fellow.cohort_id).first() if fellow else None
        if rnd is not None and rnd.ranking_open:
            context["matching_ranking"] = {
                "matching": rnd,
                "ranked": ProjectChoice.objects.filter(fellow=fellow).count(),
            }
        elif rnd is not None and rnd.status == MatchingStatus.PUBLISHED:
            context["matching_result_ready"] = rnd
    if user.has_role(Role.SUPERVISOR, Role.ALUMNUS):
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
