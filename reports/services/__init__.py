"""Report jobs: request a benefits report, render it once (even if a worker dies), record downloads.

A job moves QUEUED → RENDERING → DONE or FAILED. The worker claims a job under a row lock and
counts the attempt; every later write checks that the claim is still its own, so a worker that
was given up for dead and comes back cannot overwrite the report a second worker stored.

A DONE job is a draft that only faculty see. Faculty reword its narrative sections and resolve
the claims its figures do not bear out (rewrite or confirm) on its page, then release it: the job
is queued again and drawn once more with those words, and is released when that render finishes
and no claim is left unresolved. Funders see only released reports, so the PDF a funder downloads
always carries the released words. A released job's files and `built_from` are never written again.

The job's steps live in `jobs` (requesting, queueing), `rendering`, `release` (faculty's words and
releasing) and `downloads`; callers import them from `reports.services`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ..wording import claims_record
from .downloads import record_download
from .jobs import (
    MAX_SUPPRESS_BELOW,
    STALE_AFTER,
    UNSENT,
    InvalidReportRequest,
    request_report,
    requeue_stale_jobs,
)
from .release import (
    ReleaseRefused,
    ReportNotEditable,
    changes_since_last_report,
    release_report,
    reset_section,
    resolve_claim,
    save_section,
    unresolved_claims,
)
from .rendering import (
    GAVE_UP,
    MAX_ATTEMPTS,
    STORE_FAILED,
    UNEXPECTED,
    _report_words,
    built_from,
    run_report,
)

__all__ = [
    "GAVE_UP",
    "MAX_ATTEMPTS",
    "MAX_SUPPRESS_BELOW",
    "STALE_AFTER",
    "STORE_FAILED",
    "UNEXPECTED",
    "UNSENT",
    "InvalidReportRequest",
    "PermissionDenied",
    "ReleaseRefused",
    "ReportNotEditable",
    "_report_words",
    "built_from",
    "changes_since_last_report",
    "claims_record",
    "record_download",
    "release_report",
    "request_report",
    "requeue_stale_jobs",
    "reset_section",
    "resolve_claim",
    "run_report",
    "save_section",
    "unresolved_claims",
]
