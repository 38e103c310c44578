"""Faculty's words on a finished report (narrative sections, claims rewritten or confirmed) and
releasing it to funders."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from fellowship.audit import record
from fellowship.changes import changed_by
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import User

from ..defaults import SECTIONS
from ..enums import ReportState
from ..models import ClaimDecision, ReportJob, ReportSection
from ..wording import claims_record
from .jobs import _queue


class ReportNotEditable(ValueError):
    """The report's words cannot change now: it is not finished, or is released or being released."""


class ReleaseRefused(ValueError):
    """The report cannot be released yet; the message says why."""


def _check_editable(job: ReportJob, by: User | None) -> None:
    if by is None or not by.has_perm("reports.edit_report", job):
        raise PermissionDenied("Only faculty may change a report's words or release it")
    if job.state != ReportState.DONE or job.released_at is not None or job.release_requested_at:
        raise ReportNotEditable(
            "This report's words can no longer change: it is not finished, or it is released or "
            "being released. Request a new report to change them."
        )


def save_section(job: ReportJob, key: str, *, text: str, by: User | None) -> ReportSection | None:
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

    from ..wording import default_sections

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
            changed_by(section, by)
            section.save()
        record(
            AuditAction.CHANGED,
            AuditSubject.REPORT,
            by=by,
            reference=f"job {job.pk}",
            summary=f"{SECTIONS[key]}: " + ("reworded" if section else "back to the default"),
        )
    return section


def reset_section(job: ReportJob, key: str, *, by: User | None) -> None:
    """Go back to the default text of one narrative section. Side effects as `save_section`."""
    save_section(job, key, text="", by=by)


def resolve_claim(job: ReportJob, key: str, *, text: str = "", by: User | None) -> ClaimDecision:
    """Resolve one claim of a finished, unreleased report that its figures do not bear out: with
    `text`, rewrite the sentence for this report; without, confirm the paper's sentence as it stands.

    Side effects: creates or replaces the report's ClaimDecision for the claim, recording `by`,
    now and the figure checked, and logs it to the audit log. Raises KeyError for a claim that is
    not flagged on this report, PermissionDenied and ReportNotEditable.
    """
    from ..wording import check_claims, report_wording

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
        changed_by(decision, by)
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


def unresolved_claims(job: ReportJob) -> list[dict[str, Any]]:
    """The claims of the report its figures do not bear out and faculty have not resolved."""
    from ..wording import check_claims, report_wording

    if "figures" not in job.built_from:
        return []  # built before claims were checked: the release render checks them
    decisions = {d.key: d for d in job.claim_decisions.all()}
    return [
        c
        for c in check_claims(job.built_from["figures"], report_wording(), decisions)
        if not c["resolved"]
    ]


def changes_since_last_report(job: ReportJob, figures: dict[str, Any]) -> dict[str, Any] | None:
    """The key figures beside those of the last report released before this one at the same
    equality threshold: {previous: {cohort, released_at}, rows}, or None for the first."""
    from ..wording import figure_changes

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
        "released_at": previous.released_at.isoformat() if previous.released_at else None,
        "rows": figure_changes(previous.built_from["figures"], figures),
    }


def _drawn_with_current_words(job: ReportJob) -> bool:
    """Whether the job's stored files were drawn with the words it has now: the same objective
    wording, narrative sections, claim decisions and last released report to compare with (so
    releasing need not draw it again)."""
    from ..wording import check_claims, report_wording

    made = job.built_from
    if not all(key in made for key in ("figures", "sections", "claims", "wording")):
        return False  # drawn before the report kept its words
    wording = report_wording()
    decisions = {d.key: d for d in job.claim_decisions.select_related("decided_by")}
    return bool(
        made["wording"] == wording
        and made["sections"] == {s.key: s.text for s in job.sections.all()}
        and made["claims"] == claims_record(check_claims(made["figures"], wording, decisions))
        and made.get("changes") == changes_since_last_report(job, made["figures"])
    )


def release_report(job: ReportJob, *, by: User | None) -> ReportJob:
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
