"""Report jobs: request a benefits report, render it once (even if a worker dies), record downloads.

A job moves QUEUED → RENDERING → DONE or FAILED. The worker claims a job under a row lock and
counts the attempt; every later write checks that the claim is still its own, so a worker that
was given up for dead and comes back cannot overwrite the report a second worker stored.

A DONE job is a draft that only faculty see. Faculty reword its narrative sections and resolve
the claims its figures do not bear out (rewrite or confirm) on its page, then release it: the job
is queued again and drawn once more with those words, and is released when that render finishes
and no claim is left unresolved. Funders see only released reports, so the PDF a funder downloads
always carries the released words. A released job's files and `built_from` are never written again.
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

from .defaults import SECTIONS
from .enums import ACTIVE_STATES, ReportFormat, ReportState
from .models import ClaimDecision, ReportDownload, ReportJob, ReportSection
from .wording import claims_record

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


class ReportNotEditable(ValueError):
    """The report's words cannot change now: it is not finished, or is released or being released."""


class ReleaseRefused(ValueError):
    """The report cannot be released yet; the message says why."""


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
        from .wording import key_figures, report_wording

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


def _report_words(job: ReportJob, figures: dict, wording: dict) -> dict:
    """The report's own words as this render uses them: narrative sections, the claims its
    figures do not bear out and how faculty resolved them, and the wording with rewritten claims."""
    from fellowship.models import programme

    from .wording import apply_decisions, check_claims, report_sections

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
    evidence,
    pdf: bytes,
    xlsx: bytes | None,
    wording: dict | None = None,
    *,
    words: dict | None = None,
) -> None:
    """Write the files, then mark the job DONE in one transaction; delete the files if that fails.

    A release render (the job's release was asked for) releases the job as it stores it, unless a
    claim is unresolved, when the job stays an unreleased draft and `built_from` says why. The
    files a release render replaces are deleted once the new ones are stored.
    """
    stem = f"benefits-report-cohorts-1-{evidence.cohort}"
    previous = [f.name for f in (job.pdf, job.xlsx) if f]
    stored = []
    try:
        job.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        stored.append(job.pdf.name)
        if xlsx is not None:
            job.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            stored.append(job.xlsx.name)
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
            release = {}
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
    from .evidence import UnknownCohort

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


# Narrative, claims and release -----------------------------------------------------------------


def _check_editable(job: ReportJob, by) -> None:
    if by is None or not by.has_perm("reports.edit_report", job):
        raise PermissionDenied("Only faculty may change a report's words or release it")
    if job.state != ReportState.DONE or job.released_at is not None or job.release_requested_at:
        raise ReportNotEditable(
            "This report's words can no longer change: it is not finished, or it is released or "
            "being released. Request a new report to change them."
        )


def save_section(job: ReportJob, key: str, *, text: str, by) -> ReportSection | None:
    """Store faculty's text for one narrative section of a finished, unreleased report.

    Text equal to the default (or blank) goes back to the default: the stored text is deleted.
    Side effects: creates, updates or deletes the ReportSection (its history names `by`) and
    logs it to the audit log. Raises KeyError for an unknown section, PermissionDenied and
    ReportNotEditable.
    """
    if key not in SECTIONS:
        raise KeyError(key)
    _check_editable(job, by)
    from fellowship.models import programme

    from .wording import default_sections

    default = default_sections(job.built_from.get("figures", {}), programme_name=programme().name)[
        key
    ]
    text = text.strip().replace("\r\n", "\n")
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        _check_editable(locked, by)
        section = ReportSection.objects.filter(job=job, key=key).first()
        if not text or text == default.strip():
            if section is not None:
                section.delete()
            section = None
        else:
            section = section or ReportSection(job=job, key=key)
            section.text = text
            section.updated_by = by
            section.updated_at = timezone.now()
            section._history_user = by
            section.save()
        record(
            AuditAction.CHANGED,
            AuditSubject.REPORT,
            by=by,
            reference=f"job {job.pk}",
            summary=f"{SECTIONS[key]}: " + ("reworded" if section else "back to the default"),
        )
    return section


def reset_section(job: ReportJob, key: str, *, by) -> None:
    """Go back to the default text of one narrative section. Side effects as `save_section`."""
    save_section(job, key, text="", by=by)


def resolve_claim(job: ReportJob, key: str, *, text: str = "", by) -> ClaimDecision:
    """Resolve one claim of a finished, unreleased report that its figures do not bear out: with
    `text`, rewrite the sentence for this report; without, confirm the paper's sentence as it stands.

    Side effects: creates or replaces the report's ClaimDecision for the claim, recording `by`,
    now and the figure checked, and logs it to the audit log. Raises KeyError for a claim that is
    not flagged on this report, PermissionDenied and ReportNotEditable.
    """
    from .wording import check_claims, report_wording

    _check_editable(job, by)
    flagged = {
        c["key"]: c for c in check_claims(job.built_from.get("figures", {}), report_wording())
    }
    if key not in flagged:
        raise KeyError(key)
    text = " ".join(text.split())
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        _check_editable(locked, by)
        decision = ClaimDecision.objects.filter(job=job, key=key).first() or ClaimDecision(
            job=job, key=key
        )
        decision.text = text
        decision.figure = flagged[key]["figure"][:300]
        decision.decided_by = by
        decision.decided_at = timezone.now()
        decision._history_user = by
        decision.save()
        record(
            AuditAction.CHANGED,
            AuditSubject.REPORT,
            by=by,
            reference=f"job {job.pk}",
            summary=f"Claim {key} "
            + ("rewritten" if text else f"confirmed beside {decision.figure}"),
        )
    return decision


def unresolved_claims(job: ReportJob) -> list[dict]:
    """The claims of the report its figures do not bear out and faculty have not resolved."""
    from .wording import check_claims, report_wording

    if "figures" not in job.built_from:
        return []  # built before claims were checked: the release render checks them
    decisions = {d.key: d for d in job.claim_decisions.all()}
    return [
        c
        for c in check_claims(job.built_from["figures"], report_wording(), decisions)
        if not c["resolved"]
    ]


def changes_since_last_report(job: ReportJob, figures: dict) -> dict | None:
    """The key figures beside those of the last report released before this one at the same
    equality threshold: {previous: {cohort, released_at}, rows}, or None for the first."""
    from .wording import figure_changes

    previous = (
        ReportJob.objects.filter(released_at__isnull=False, suppress_below=job.suppress_below)
        .exclude(pk=job.pk)
        .select_related("cohort")
        .order_by("-released_at")
        .first()
    )
    if previous is None or "figures" not in previous.built_from:
        return None
    return {
        "cohort": previous.cohort.number,
        "released_at": previous.released_at.isoformat(),
        "rows": figure_changes(previous.built_from["figures"], figures),
    }


def _drawn_with_current_words(job: ReportJob) -> bool:
    """Whether the job's stored files were drawn with the words it has now: the same objective
    wording, narrative sections, claim decisions and last released report to compare with (so
    releasing need not draw it again)."""
    from .wording import check_claims, report_wording

    made = job.built_from
    if not all(key in made for key in ("figures", "sections", "claims", "wording")):
        return False  # drawn before the report kept its words
    wording = report_wording()
    decisions = {d.key: d for d in job.claim_decisions.select_related("decided_by")}
    return (
        made["wording"] == wording
        and made["sections"] == {s.key: s.text for s in job.sections.all()}
        and made["claims"] == claims_record(check_claims(made["figures"], wording, decisions))
        and made.get("changes") == changes_since_last_report(job, made["figures"])
    )


def release_report(job: ReportJob, *, by) -> ReportJob:
    """Release a finished report to funders. If its stored files were drawn with the words it has
    now, it is released at once; otherwise it is drawn again with its narrative and resolved
    claims (the report job queue) and released when that finishes.

    Refused (ReleaseRefused) while a claim is unresolved, while an identical report is being made,
    or if the report is already released or being released; PermissionDenied unless `by` may.
    Side effects: sets released_at and released_by, or queues the job again with `by` as who asked
    for the release and on commit sends `render_report` (the render releases the job, see
    `_store`); logs it to the audit log.
    """
    if by is None or not by.has_perm("reports.release_report", job):
        raise PermissionDenied("Only faculty may release a report")
    if job.released_at is not None:
        raise ReleaseRefused("This report is already released")
    if job.release_requested_at is not None:
        raise ReleaseRefused("This report is already being released")
    if job.state != ReportState.DONE:
        raise ReleaseRefused("Only a finished report can be released")
    if unresolved := unresolved_claims(job):
        raise ReleaseRefused(
            f"{len(unresolved)} claim{'' if len(unresolved) == 1 else 's'} must be rewritten or "
            "confirmed before the report is released"
        )
    if _drawn_with_current_words(job):
        # The stored draft already carries exactly these words: release it as it is.
        with transaction.atomic():
            updated = ReportJob.objects.filter(
                pk=job.pk,
                state=ReportState.DONE,
                released_at__isnull=True,
                release_requested_at__isnull=True,
            ).update(released_at=timezone.now(), released_by=by)
            if not updated:
                raise ReleaseRefused("This report changed while you were releasing it. Try again")
            record(
                AuditAction.CHANGED,
                AuditSubject.REPORT,
                by=by,
                reference=f"job {job.pk}",
                summary=f"Released to funders: the report as of cohort {job.cohort.number}",
            )
        job.refresh_from_db()
        return job
    try:
        with transaction.atomic():
            updated = ReportJob.objects.filter(
                pk=job.pk,
                state=ReportState.DONE,
                released_at__isnull=True,
                release_requested_at__isnull=True,
            ).update(
                state=ReportState.QUEUED,
                progress=0,
                step="",
                attempts=0,
                release_requested_at=timezone.now(),
                release_requested_by=by,
            )
            if not updated:
                raise ReleaseRefused("This report changed while you were releasing it. Try again")
            _queue(job.pk)
    except IntegrityError:
        raise ReleaseRefused(
            "An identical report is being made. Release this one when that has finished"
        ) from None
    record(
        AuditAction.CHANGED,
        AuditSubject.REPORT,
        by=by,
        reference=f"job {job.pk}",
        summary=f"Release asked for: the report as of cohort {job.cohort.number}",
    )
    job.refresh_from_db()
    return job


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
