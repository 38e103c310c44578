"""Celery tasks of projects."""

from celery import shared_task

from . import catalogue


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_catalogue_pdf(*, file_id: int) -> str | None:
    """Make one catalogue PDF. Acknowledged only when done and redelivered if the worker dies;
    the job is claimed under a lock, so a redelivered or duplicate message makes it once."""
    job = catalogue.render_catalogue_pdf(file_id)
    return job.state if job is not None else None
