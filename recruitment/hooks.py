"""Recruitment's additions to the core's pages: the applicant's home panel and resuming a draft."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from fellowship.hooks import home_panel, resume_url

from . import equality_access  # noqa: F401  (registers the people page's equality access section)
from .deadlines import time_left
from .models import Application, RecruitmentRound


@home_panel
def applicant_panel(request) -> dict:
    user = request.user
    if not user.has_role(Role.APPLICANT):
        return {}
    now = timezone.now()
    applications = list(Application.objects.filter(applicant=user).select_related("round").order_by("-round__closes_at"))
    mine = {a.round_id: a for a in applications}
    return {
        "open_rounds": [
            {"round": r, "application": mine.get(r.pk), "time_left": time_left(r.closes_at, now)}
            for r in RecruitmentRound.objects.open_at(now).order_by("closes_at")
        ],
        "my_applications": [
            {"application": a, "open": a.round.is_open(now), "time_left": time_left(a.round.closes_at, now)}
            for a in applications
        ],
    }


@home_panel
def panellist_panel(request) -> dict:
    user = request.user
    if not user.has_role(Role.PANELLIST):
        return {}
    from .models import InterviewSlot, ReviewerAssignment

    return {
        "reviews_to_do": ReviewerAssignment.objects.filter(reviewer=user, completed_at__isnull=True).count(),
        "interviews_to_come": InterviewSlot.objects.filter(
            panel__members=user, application__isnull=False, starts_at__gte=timezone.now()
        ).count(),
    }


@resume_url
def resume_draft(user) -> str | None:
    """The step last saved of the person's draft in a round that is open now."""
    draft = (
        Application.objects.drafts()
        .filter(applicant=user, round__in=RecruitmentRound.objects.open_at(timezone.now()))
        .order_by("-updated_at")
        .first()
    )
    if draft is None:
        return None
    from .views.apply import STEP_URLS  # the step pages' names live with the steps

    return reverse(STEP_URLS.get(draft.last_step, "application_overview"), args=[draft.ref])
