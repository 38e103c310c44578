"""Celery tasks of reports."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_report(*, job_id: int) -> str | None:
    """Render one report job. Acknowledged only when done, and redelivered if the worker dies; the
    service claims the job under a lock, so a redelivered or duplicate message renders it once."""
    job = services.run_report(job_id)
    return job.state if job is not None else None


@shared_task(acks_late=True)
def requeue_stale_report_jobs() -> int:
    """Run by Celery beat every minute: queue again the jobs whose worker died or message was lost."""
    return services.requeue_stale_jobs()
