"""Requesting a report job and queueing it: once on commit, and again for a job whose worker died
or whose message was lost (`requeue_stale_jobs`, run by Celery beat)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fellowship.audit import record
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import Cohort, User

from ..enums import ACTIVE_STATES, ReportState
from ..models import ReportJob

# The package's logger: its log lines keep the name they had before it was split.
logger = logging.getLogger("reports.services")

# A RENDERING job not finished this long after it started belongs to a worker that died (a report
# takes well under a minute: 5 s at ten times the paper's size), and a QUEUED job this old lost its
# message: both are run again. With the beat sweep every minute, a killed worker's report is
# finished within about 4 minutes. Should a live render ever take longer, the claim under lock
# still lets only one attempt store its result.
STALE_AFTER = datetime.timedelta(minutes=3)
MAX_SUPPRESS_BELOW = 100
# The step of a QUEUED job whose message could not be sent because the broker was down.
UNSENT = "Waiting for the report service"


class InvalidReportRequest(ValueError):
    """The request cannot be made: the threshold is out of range."""


def request_report(cohort: Cohort, *, suppress_below: int, by: User) -> tuple[ReportJob, bool]:
    """Ask for the benefits report as of `cohort` with equality counts below `suppress_below` hidden.

    Returns (job, created). If an identical job (same cohort and threshold) is queued or rendering,
    that job is returned and nothing is written. Otherwise side effects: creates a QUEUED ReportJob
    requested by `by`, logs it to the audit log, and when the transaction commits, queues the
    `render_report` task for it.
    Raises InvalidReportRequest for a threshold outside 0–100, and PermissionDenied for a threshold
    other than the policy's (EQUALITY_SUPPRESS_BELOW) unless `by` may make internal reports
    (`reports.request_internal_report`: faculty who may see equality monitoring).
    """
    if not 0 <= suppress_below <= MAX_SUPPRESS_BELOW:
        raise InvalidReportRequest(f"The threshold must be between 0 and {MAX_SUPPRESS_BELOW}")
    if suppress_below != settings.EQUALITY_SUPPRESS_BELOW and not (
        by is not None and by.has_perm("reports.request_internal_report")
    ):
        raise PermissionDenied(
            "Only faculty who may see equality monitoring can choose another equality threshold"
        )
    identical = {"cohort": cohort, "suppress_below": suppress_below, "state__in": ACTIVE_STATES}
    with transaction.atomic():
        active = ReportJob.objects.select_for_update().filter(**identical).first()
        if active is not None:
            return active, False
        try:
            # A savepoint: a concurrent identical request may win the race to the partial unique
            # constraint, and then this one shares that job.
            with transaction.atomic():
                job = ReportJob.objects.create(
                    cohort=cohort, suppress_below=suppress_below, requested_by=by
                )
        except IntegrityError:
            return ReportJob.objects.get(**identical), False
        _queue(job.pk)
    record(
        AuditAction.CHANGED,
        AuditSubject.REPORT,
        by=by,
        reference=f"job {job.pk}",
        summary=f"Requested: as of cohort {cohort.number}, equality counts below "
        f"{suppress_below} suppressed"
        + (
            ""
            if suppress_below == settings.EQUALITY_SUPPRESS_BELOW
            else " (internal: not the policy's)"
        ),
    )
    return job, True


def _queue(job_id: int) -> None:
    """On commit, send `render_report` for the job; if the broker is down, mark the job instead.

    The job is stored either way and its page says it is waiting; `requeue_stale_jobs` (Celery
    beat) sends a marked job again on its next run, without waiting for STALE_AFTER.
    """
    from fellowship.tasks import enqueue

    from ..tasks import render_report

    def send() -> None:
        sent = enqueue(render_report, fallback=lambda: _mark_unsent(job_id), job_id=job_id)
        if sent:
            ReportJob.objects.filter(pk=job_id, state=ReportState.QUEUED, step=UNSENT).update(
                step=""
            )

    transaction.on_commit(send)


def _mark_unsent(job_id: int) -> None:
    logger.warning("Report job %s is stored but not queued: the broker is unavailable", job_id)
    ReportJob.objects.filter(pk=job_id, state=ReportState.QUEUED).update(step=UNSENT)


def requeue_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Queue `render_report` again for jobs whose worker died or whose message was lost.

    Run by Celery beat. Side effects: on commit, queues the task for every RENDERING job started
    more than STALE_AFTER ago, every QUEUED job requested more than STALE_AFTER ago, and every
    QUEUED job whose message could not be sent (the broker was down); the task claims each under
    a lock, so a job queued twice still renders once. Returns how many it queued.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    ids = list(
        ReportJob.objects.filter(
            Q(state=ReportState.QUEUED, step=UNSENT)
            | Q(state=ReportState.QUEUED, requested_at__lt=cutoff)
            | Q(state=ReportState.RENDERING, started_at__lt=cutoff)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        _queue(job_id)
    return len(ids)
