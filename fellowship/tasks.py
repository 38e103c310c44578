"""Celery tasks of the programme core: thin wrappers around service functions."""

from celery import shared_task

from .notifications import deliver


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(
    *, kind: str, to: list[str], subject: str, body: str, attachments: list | None = None
) -> None:
    deliver(
        kind, to=to, subject=subject, body=body, attachments=[tuple(a) for a in attachments or ()]
    )
