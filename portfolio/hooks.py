"""Portfolio's addition to the home page: a fellow's or alumnus's own portfolio at a glance, and
links to the portfolios a supervisor or the faculty read."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fellowship import rules as core
from fellowship.dates import fellowship_month
from fellowship.enums import FellowStatus
from fellowship.hooks import Task, home_panel, home_tasks

from . import rules as r
from .models import PortfolioEntry, Poster, Testimonial
from .services import fellow_for


@home_panel
def portfolio_panel(request) -> dict:
    user = request.user
    panel: dict = {}
    if core.holds_fellowship.test(user):
        fellow = fellow_for(user)
        if fellow is not None:
            panel["own"] = {
                "fellow": fellow,
                "entries": PortfolioEntry.objects.filter(fellow=fellow).count(),
                "poster": Poster.objects.filter(fellow=fellow).exists(),
                "testimonial": Testimonial.objects.filter(fellow=fellow).exists(),
            }
    if core.runs_programme.test(user):
        panel["faculty"] = True
    elif r.supervises_placed_fellows(user):
        panel["supervises"] = True
    return {"portfolio_panel": panel} if panel else {}


# From this month of the fellowship year, fellows are reminded of their graduation poster and testimonial.
GRADUATION_PROMPTS_FROM_MONTH = 10


@home_tasks
def portfolio_tasks(user) -> list[Task]:
    """A fellow's portfolio prompts: a first entry, and near graduation the poster and testimonial."""
    if not core.holds_fellowship.test(user):
        return []
    fellow = fellow_for(user)
    if fellow is None:
        return []
    tasks = [
        Task(
            int(not PortfolioEntry.objects.filter(fellow=fellow).exists()),
            "portfolio to start: record your first publication, talk, award or piece of work",
            "",
            reverse("entry_create", args=[fellow.ref]),
        )
    ]
    month = fellowship_month(fellow.cohort.start_date, timezone.localdate())
    near_the_end = fellow.status == FellowStatus.GRADUATED or (
        fellow.status == FellowStatus.IN_POST
        and month is not None
        and month >= GRADUATION_PROMPTS_FROM_MONTH
    )
    if near_the_end:
        tasks += [
            Task(
                int(not Poster.objects.filter(fellow=fellow).exists()),
                "graduation poster to add to your portfolio",
                "",
                reverse("poster_edit", args=[fellow.ref]),
            ),
            Task(
                int(not Testimonial.objects.filter(fellow=fellow).exists()),
                "testimonial to write about your fellowship",
                "",
                reverse("testimonial_edit", args=[fellow.ref]),
            ),
        ]
    return tasks
