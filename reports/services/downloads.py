"""Recording who downloaded which file of a finished report."""

from __future__ import annotations

from fellowship.audit import record
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import User

from ..enums import ReportFormat
from ..models import ReportDownload, ReportJob


def record_download(job: ReportJob, *, user: User, fmt: str) -> ReportDownload:
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
