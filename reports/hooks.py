"""Reports' addition to the home page: how many finished reports a funder may read."""

from __future__ import annotations

from fellowship.enums import Role
from fellowship.hooks import home_panel

from .enums import ReportState
from .models import ReportJob


@home_panel
def funder_reports(request) -> dict:
    user = request.user
    if not user.has_role(Role.FUNDER) or user.has_role(Role.FACULTY):
        return {}
    return {
        "funder_reports": ReportJob.objects.for_user(user).filter(state=ReportState.DONE).count()
    }
