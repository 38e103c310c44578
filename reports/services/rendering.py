"""Rendering a report job once, even if a worker dies: claim it under a row lock, draw the PDF
and workbook, store them with what they were built from, or fail it with a plain reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fellowship.audit import record
from fellowship.enums import AuditAction, AuditSubject

from ..enums import ReportState
from ..models import ReportJob
from ..wording import claims_record

# `jobs.STALE_AFTER` is read when a job is claimed, so a benchmark that shortens it there (as
# benchmarks/faults.py does) shortens it for the claim too.
from . import jobs
from .release import changes_since_last_report

if TYPE_CHECKING:
    from ..evidence import Evidence

# The package's logger: its log lines keep the name they had before it was split.
logger = logging.getLogger("reports.services")

# A job whose worker died this many times (out of memory, say) fails instead of looping for ever.
MAX_ATTEMPTS = 3

STORE_FAILED = "The report was made but could not be stored. Try again; if it fails again, tell the service team."
UNEXPECTED = "Something went wrong while the report was being made. Try again; if it fails again, tell the service team."
GAVE_UP = "The report stopped before it finished {n} times, so it will not be tried again. Request it again, or tell the service team."


class _ClaimLost(Exception):
    """Another worker has claimed the job since this one did: stop, and write nothing."""


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
    if job is None or attempt is None:
        return job
    try:
        _progress(job, attempt, 10, "Computing the evidence")
        from ..evidence import compute_evidence

        evidence = compute_evidence(job.cohort.number, suppress_below=job.suppress_below)
        _progress(job, attempt, 30, "Drawing the PDF")
        from ..render import render_pdf
        from ..wording import key_figures, report_wording

        # The wording is read once and kept with the report, so the stored PDF and its record agree.
        wording = report_wording()
        figures = key_figures(evidence)
        words = _report_words(job, figures, wording)
        pdf = render_pdf(evidence, wording=words["wording"], words=words)
        xlsx = None
        render_xlsx = _xlsx_renderer()
        if render_xlsx is not None:
            _progress(job, attempt, 80, "Building the workbook")
            xlsx = render_xlsx(evidence)
        _progress(job, attempt, 90, "Storing the report")
        _store(job, attempt, evidence, pdf, xlsx, wording, words=words)
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
            job.started_at is None or job.started_at < now - jobs.STALE_AFTER
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


def _mine(job_id: int, attempt: int) -> QuerySet[ReportJob]:
    return ReportJob.objects.filter(pk=job_id, state=ReportState.RENDERING, attempts=attempt)


def _progress(job: ReportJob, attempt: int, progress: int, step: str) -> None:
    # A plain UPDATE, committed at once, so that the status page sees it while the work goes on.
    if not _mine(job.pk, attempt).update(progress=progress, step=step):
        raise _ClaimLost


def _xlsx_renderer() -> Callable[..., bytes] | None:
    try:
        from ..xlsx import render_xlsx
    except ImportError:
        return None
    return render_xlsx


def built_from(evidence: Evidence) -> dict[str, Any]:
    """What the report was built from, as stored on the job and printed in its appendix."""
    data = evidence.data
    return {
        "cohorts": list(data.cohorts),
        # A list, not a mapping: the appendix's order is kept (PostgreSQL's jsonb sorts keys).
        "counts": [{"table": c.table, "rows": c.rows} for c in data.counts],
        "generated_at": data.generated_at.isoformat(),
        "suppress_below": data.suppress_below,
    }


def _report_words(
    job: ReportJob, figures: dict[str, Any], wording: dict[str, Any]
) -> dict[str, Any]:
    """The report's own words as this render uses them: narrative sections, the claims its
    figures do not bear out and how faculty resolved them, and the wording with rewritten claims."""
    from fellowship.models import programme

    from ..wording import apply_decisions, check_claims, report_sections

    decisions = list(job.claim_decisions.select_related("decided_by"))
    flagged = check_claims(figures, wording, {d.key: d for d in decisions})
    return {
        "changes": changes_since_last_report(job, figures),
        "figures": figures,
        "sections": report_sections(job, programme_name=programme().name, figures=figures),
        "flagged": flagged,
        "unresolved": [c["key"] for c in flagged if not c["resolved"]],
        "wording": apply_decisions(wording, decisions),
    }


def _store(
    job: ReportJob,
    attempt: int,
    evidence: Evidence,
    pdf: bytes,
    xlsx: bytes | None,
    wording: dict[str, Any] | None = None,
    *,
    words: dict[str, Any] | None = None,
) -> None:
    """Write the files, then mark the job DONE in one transaction; delete the files if that fails.

    A release render (the job's release was asked for) releases the job as it stores it, unless a
    claim is unresolved, when the job stays an unreleased draft and `built_from` says why. The
    files a release render replaces are deleted once the new ones are stored.
    """
    stem = f"benefits-report-cohorts-1-{evidence.cohort}"
    previous = [f.name for f in (job.pdf, job.xlsx) if f and f.name]
    stored: list[str] = []
    try:
        job.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        stored.append(str(job.pdf.name))
        if xlsx is not None:
            job.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            stored.append(str(job.xlsx.name))
        words = words or {}
        record_ = {
            **built_from(evidence),
            "wording": wording or {},
            "figures": words.get("figures", {}),
            "sections": {k: v["text"] for k, v in words.get("sections", {}).items() if v["edited"]},
            "claims": claims_record(words.get("flagged", [])),
            "changes": words.get("changes"),
        }
        with transaction.atomic():
            current = _mine(job.pk, attempt).select_for_update().first()
            if current is None:
                raise _ClaimLost
            now = timezone.now()
            release: dict[str, Any] = {}
            if current.release_requested_at is not None:
                release = {"release_requested_at": None, "release_requested_by": None}
                if words.get("unresolved"):
                    record_["release_refused"] = (
                        "The report was not released: the figures no longer bear out "
                        f"{len(words['unresolved'])} of its claims. Rewrite or confirm them, then "
                        "release it again."
                    )
                else:
                    release |= {"released_at": now, "released_by": current.release_requested_by}
            _mine(job.pk, attempt).update(
                pdf=job.pdf.name,
                xlsx=job.xlsx.name if xlsx is not None else "",
                built_from=record_,
                state=ReportState.DONE,
                progress=100,
                step="Finished",
                finished_at=now,
                **release,
            )
            if release.get("released_at"):
                record(
                    AuditAction.CHANGED,
                    AuditSubject.REPORT,
                    by=current.release_requested_by,
                    reference=f"job {job.pk}",
                    summary=f"Released to funders: the report as of cohort {evidence.cohort}",
                )
    except BaseException:
        storage = job.pdf.storage
        for name in stored:
            storage.delete(name)
        raise
    storage = job.pdf.storage
    for name in previous:
        if name not in stored:
            storage.delete(name)


def _reason(exc: Exception) -> str:
    from ..evidence import UnknownCohort

    if isinstance(exc, UnknownCohort):
        return f"{exc}. Import the programme history or create the cohort, then request the report again."
    if isinstance(exc, OSError):
        return STORE_FAILED
    return UNEXPECTED


def _fail(job_id: int, attempt: int, reason: str) -> None:
    """Mark the job FAILED; a release render of a finished draft goes back to that draft instead,
    unreleased, with the reason kept in `built_from`."""
    with transaction.atomic():
        job = _mine(job_id, attempt).select_for_update().first()
        if job is None:
            return
        if job.release_requested_at is not None and job.pdf:
            _mine(job_id, attempt).update(
                state=ReportState.DONE,
                step="Finished",
                progress=100,
                release_requested_at=None,
                release_requested_by=None,
                built_from={**job.built_from, "release_refused": reason},
            )
            return
        _mine(job_id, attempt).update(
            state=ReportState.FAILED,
            failure_reason=reason,
            step="Failed",
            finished_at=timezone.now(),
        )
