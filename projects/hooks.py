"""Projects' additions to the home page: a supervisor's proposals, a fellow's project and milestones."""

from __future__ import annotations

from fellowship.enums import Role
from fellowship.hooks import home_panel

from .enums import MilestoneStatus
from .models import Project


@home_panel
def projects_panel(request) -> dict:
    user = request.user
    context: dict = {}
    if user.has_role(Role.SUPERVISOR, Role.ALUMNUS):
        context["my_proposals"] = list(
            Project.objects.filter(supervisor=user).select_related("cohort").order_by("-cohort__number", "title")
        )
    if user.has_role(Role.FELLOW, Role.ALUMNUS):
        context["my_projects"] = list(
            Project.objects.filter(placements__fellow__user=user)
            .select_related("host_organisation", "region")
            .prefetch_related("milestones")
            .order_by("-cohort__number")
        )
        context["open_milestone_statuses"] = [s for s in MilestoneStatus if s != MilestoneStatus.DONE]
    return context
