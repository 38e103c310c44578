"""Live demo data for reports: the benefits report as of the cohort before the newest,
requested and released by faculty1, so that faculty and the funders of those cohorts find it.

Built through the same services the report pages use. The draft is drawn at once (not on commit)
so that faculty1 can resolve its claims, each rewritten with the data-true sentence the editor
offers, and release it; the released report is drawn again when load_demo's transaction commits
(in-process when there is no task queue, else on a worker). Called by `manage.py load_demo`.
"""

from __future__ import annotations

from django.conf import settings

from fellowship.management.commands.load_demo import DOMAIN
from fellowship.models import Cohort, User

from . import services
from .enums import ReportState


def build_demo() -> list[str]:
    faculty = User.objects.filter(email=f"faculty1@{DOMAIN}").first()
    # The newest cohort is still being recruited and matched: the report covers the ones before it.
    cohorts = list(Cohort.objects.filter(fellows__isnull=False).distinct().order_by("-number")[:2])
    cohort = cohorts[-1] if cohorts else None
    if faculty is None or cohort is None:
        return []
    job, _ = services.request_report(
        cohort, suppress_below=settings.EQUALITY_SUPPRESS_BELOW, by=faculty
    )
    job = services.run_report(job.pk)
    if job is None or job.state != ReportState.DONE:
        return [
            f"Benefits report: cohorts 1 to {cohort.number} could not be drawn, so it is not released."
        ]
    claims = services.unresolved_claims(job)
    for claim in claims:
        services.resolve_claim(job, claim["key"], text=claim["data_true"], by=faculty)
    services.release_report(job, by=faculty)
    return [
        f"Benefits report: cohorts 1 to {cohort.number}, requested and released by faculty1 "
        f"({len(claims)} claims the figures do not bear out rewritten); funder1 and funder2 fund "
        "fellows in those cohorts and may download it."
    ]
