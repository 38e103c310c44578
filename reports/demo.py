"""Live demo data for reports: the benefits report as of the cohort before the newest,
requested by faculty1, so that faculty and the funders of those cohorts find a report ready.

Built through the same service the report page uses; the report renders when load_demo's
transaction commits (in-process when there is no task queue, else on a worker). Called by
`manage.py load_demo`.
"""

from __future__ import annotations

from django.conf import settings

from fellowship.management.commands.load_demo import DOMAIN
from fellowship.models import Cohort, User

from . import services


def build_demo() -> list[str]:
    faculty = User.objects.filter(email=f"faculty1@{DOMAIN}").first()
    # The newest cohort is still being recruited and matched: the report covers the ones before it.
    cohorts = list(Cohort.objects.filter(fellows__isnull=False).distinct().order_by("-number")[:2])
    cohort = cohorts[-1] if cohorts else None
    if faculty is None or cohort is None:
        return []
    services.request_report(cohort, suppress_below=settings.EQUALITY_SUPPRESS_BELOW, by=faculty)
    return [
        f"Benefits report: cohorts 1 to {cohort.number}, requested by faculty1; funder1 and funder2 "
        "fund fellows in those cohorts and may download it."
    ]
