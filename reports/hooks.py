"""Reports' additions to the home page: how many released reports a funder may read, and the
reports a person has not downloaded yet (funders: released ones; faculty: finished ones)."""

from __future__ import annotations

from django.urls import reverse

from fellowship import rules as r
from fellowship.hooks import Task, home_panel, home_tasks

from .enums import ReportState
from .models import ReportJob


@home_panel
def funder_reports(request) -> dict:
    user = request.user
    if not r.funds_fellows.test(user) or r.runs_programme.test(user):
        return {}
    return {
        "funder_reports": ReportJob.objects.for_user(user)
        .filter(state=ReportState.DONE, released_at__isnull=False)
        .count()
    }


@home_tasks
def report_tasks(user) -> list[Task]:
    """Funders: reports on their cohorts that faculty released and they have not downloaded yet.
    Faculty: the reports they asked for that are ready and not downloaded yet."""
    finished = (
        ReportJob.objects.for_user(user)
        .filter(state=ReportState.DONE)
        .exclude(downloads__user=user)
    )
    if r.runs_programme.test(user):
        finished = finished.filter(requested_by=user)
    elif r.funds_fellows.test(user):
        finished = finished.filter(released_at__isnull=False)
    else:
        return []
    return [
        Task(
            finished.count(),
            "new benefits report to read",
            "new benefits reports to read",
            reverse("report_list"),
        )
    ]
