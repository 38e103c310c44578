"""Report jobs: request a benefits report, render it once (even if a worker dies), record downloads.

A job moves QUEUED → RENDERING → DONE or FAILED. The worker claims a job under a row lock and
counts the attempt; every later write checks that the claim is still its own, so a worker that
was given up for dead and comes back cannot overwrite the report a second worker stored. A DONE
job's files and `built_from` are never written again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fellowship.audit import record
from fellowship.enums import AuditAction, AuditSubject

from .enums import ACTIVE_STATES, ReportFormat, ReportState
from .models import ReportDownload, ReportJob

logger = logging.getLogger(__name__)

# A RENDERING job not finished this long after it started belongs to a worker that died (a report
# takes well under a minute: 5 s at ten times the paper's size), and a QUEUED job this old lost its
# message: both are run again. With the beat sweep every minute, a killed worker's report is
# finished within about 4 minutes. Should a live render ever take longer, the claim under lock
# still lets only one attempt store its result.
STALE_AFTER = datetime.timedelta(minutes=3)
# A job whose worker died this many times (out of memory, say) fails instead of looping for ever.
MAX_ATTEMPTS = 3
MAX_SUPPRESS_BELOW = 100

STORE_FAILED = "The report was made but could not be stored. Try again; if it fails again, tell the service team."
UNEXPECTED = "Something went wrong while the report was being made. Try again; if it fails again, tell the service team."
# The step of a QUEUED job whose message could not be sent because the broker was down.
UNSENT = "Waiting for the report service"
GAVE_UP = "The report stopped before it finished {n} times, so it will not be tried again. Request it again, or tell the service team."


class InvalidReportRequest(ValueError):
    """The request cannot be made: the threshold is out of range."""


class _ClaimLost(Exception):
    """Another worker has claimed the job since this one did: stop, and write nothing."""


# Requesting -----------------------------------------------------------------------------------


def request_report(cohort, *, suppress_below: int, by) -> tuple[ReportJob, bool]:
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

    from .tasks import render_report

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


# Rendering ------------------------------------------------------------------------------------


def run_report(job_id: int) -> ReportJob | None:
    """Render job `job_id` if it is due: the body of the `render_report` task.

    Claims the job (QUEUED, or RENDERING but stale because its worker died) and renders it:
    evidence, PDF, workbook if `reports.xlsx` is installed. Side effects: sets state RENDERING,
    started_at and attempts+1, then progress and step as it goes; stores the PDF (and XLSX) files
    and `built_from`, and sets DONE and finished_at, in one transaction. On an error, deletes any
    file it stored, sets FAILED with a plain failure_reason and logs the traceback. A job that is
    DONE, FAILED, being rendered by a live worker, or gone is returned untouched, so a redelivered
    message does nothing. Returns the job (None if it no longer exists).
    """
    job, attempt = _claim(job_id)
    if attempt is None:
        return job
    try:
        _progress(job, attempt, 10, "Computing the evidence")
        from .evidence import compute_evidence

        evidence = compute_evidence(job.cohort.number, suppress_below=job.suppress_below)
        _progress(job, attempt, 30, "Drawing the PDF")
        from .render import render_pdf
        from .wording import report_wording

        # The wording is read once and kept with the report, so the stored PDF and its record agree.
        wording = report_wording()
        pdf = render_pdf(evidence, wording=wording)
        xlsx = None
        render_xlsx = _xlsx_renderer()
        if render_xlsx is not None:
            _progress(job, attempt, 80, "Building the workbook")
            xlsx = render_xlsx(evidence)
        _progress(job, attempt, 90, "Storing the report")
        _store(job, attempt, evidence, pdf, xlsx, wording)
    except _ClaimLost:
        logger.warning(
            "Report job %s: attempt %s was superseded; its work is discarded", job_id, attempt
        )
    except Exception as exc:
        logger.exception("Report job %s failed on attempt %s", job_id, attempt)
        _fail(job_id, attempt, _reason(exc))
    job.refresh_from_db()
    return job


def _claim(job_id: int) -> tuple[ReportJob | None, int | None]:
    """Lock the job and take it if it is due: (job, this attempt's number) or (job, None)."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update().select_related("cohort").filter(pk=job_id).first()
        )
        if job is None:
            logger.warning("Report job %s no longer exists", job_id)
            return None, None
        stale = job.state == ReportState.RENDERING and (
            job.started_at is None or job.started_at < now - STALE_AFTER
        )
        if job.state != ReportState.QUEUED and not stale:
            return job, None
        if stale and job.attempts >= MAX_ATTEMPTS:
            job.state = ReportState.FAILED
            job.failure_reason = GAVE_UP.format(n=job.attempts)
            job.finished_at = now
            job.save(update_fields=["state", "failure_reason", "finished_at"])
            return job, None
        job.state = ReportState.RENDERING
        job.attempts += 1
        job.started_at = now
        job.progress = 0
        job.step = "Starting"
        job.failure_reason = ""
        job.save(
            update_fields=["state", "attempts", "started_at", "progress", "step", "failure_reason"]
        )
        return job, job.attempts


def _mine(job_id: int, attempt: int):
    return ReportJob.objects.filter(pk=job_id, state=ReportState.RENDERING, attempts=attempt)


def _progress(job: ReportJob, attempt: int, progress: int, step: str) -> None:
    # A plain UPDATE, committed at once, so that the status page sees it while the work goes on.
    if not _mine(job.pk, attempt).update(progress=progress, step=step):
        raise _ClaimLost


def _xlsx_renderer():
    try:
        from .xlsx import render_xlsx
    except ImportError:
        return None
    return render_xlsx


def built_from(evidence) -> dict:
    """What the report was built from, as stored on the job and printed in its appendix."""
    data = evidence.data
    return {
        "cohorts": list(data.cohorts),
        # A list, not a mapping: the appendix's order is kept (PostgreSQL's jsonb sorts keys).
        "counts": [{"table": c.table, "rows": c.rows} for c in data.counts],
        "generated_at": data.generated_at.isoformat(),
        "suppress_below": data.suppress_below,
    }


def _store(
    job: ReportJob,
    attempt: int,
    evidence,
    pdf: bytes,
    xlsx: bytes | None,
    wording: dict | None = None,
) -> None:
    """Write the files, then mark the job DONE in one transaction; delete the files if that fails."""
    stem = f"benefits-report-cohorts-1-{evidence.cohort}"
    stored = []
    try:
        job.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        stored.append(job.pdf.name)
        if xlsx is not None:
            job.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            stored.append(job.xlsx.name)
        with transaction.atomic():
            if not _mine(job.pk, attempt).select_for_update().exists():
                raise _ClaimLost
            _mine(job.pk, attempt).update(
                pdf=job.pdf.name,
                xlsx=job.xlsx.name if xlsx is not None else "",
                built_from={**built_from(evidence), "wording": wording or {}},
                state=ReportState.DONE,
                progress=100,
                step="Finished",
                finished_at=timezone.now(),
            )
    except BaseException:
        storage = job.pdf.storage
        for name in stored:
            storage.delete(name)
        raise


def _reason(exc: Exception) -> str:
    from .evidence import UnknownCohort

    if isinstance(exc, UnknownCohort):
        return f"{exc}. Import the programme history or create the cohort, then request the report again."
    if isinstance(exc, OSError):
        return STORE_FAILED
    return UNEXPECTED


def _fail(job_id: int, attempt: int, reason: str) -> None:
    _mine(job_id, attempt).update(
        state=ReportState.FAILED, failure_reason=reason, step="Failed", finished_at=timezone.now()
    )


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


# Downloading ----------------------------------------------------------------------------------


def record_download(job: ReportJob, *, user, fmt: str) -> ReportDownload:
    """Record that `user` downloaded the `fmt` file of a finished job.

    Side effects: creates a ReportDownload and logs it to the audit log.
    """
    if fmt not in ReportFormat.values:
        raise ValueError(f"Unknown report format {fmt!r}")
    download = ReportDownload.objects.create(job=job, user=user, fmt=fmt)
    record(
        AuditAction.DOWNLOADED,
        AuditSubject.REPORT,
        by=user,
        reference=f"job {job.pk}",
        summary=f"{fmt.upper()} of the report as of cohort {job.cohort.number}",
    )
    return download
