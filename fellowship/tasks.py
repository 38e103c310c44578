"""Celery tasks of the programme core: thin wrappers around service functions, and `enqueue`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerUnavailable

log = logging.getLogger("fellowship.tasks")

# Publishing is tried three times, 0.2 s apart, then given up: a person waits well under a
# second for a broker that is down before the fallback runs.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def enqueue(task, *, fallback: Callable[[], None] | None = None, **kwargs) -> bool:
    """Queue `task` with keyword arguments `kwargs`; True if the broker took the message.

    Called after a transaction commits, when the change is already stored: if the broker
    (Redis) cannot be reached, this logs a warning, calls `fallback()` (which does the work
    another way, or marks it to be queued again) and returns False instead of raising, so the
    person sees their change succeed rather than a server error for work that was saved.
    """
    try:
        task.apply_async(kwargs=kwargs, retry_policy=PUBLISH_RETRY_POLICY)
    except BrokerUnavailable as exc:
        log.warning("broker unavailable, %s not queued (%s)", task.name, exc)
        if fallback is not None:
            fallback()
        return False
    return True


@shared_task(acks_late=True)
def send_outbox_message(*, message_id: int) -> None:
    """Send one message from the e-mail outbox; a message already sent (or being sent by another
    worker) is left alone, and a failure is retried by the outbox's own schedule."""
    from . import outbox

    outbox.send_message(message_id)


@shared_task(acks_late=True)
def sweep_outbox() -> None:
    """Send the outbox messages that are due (CELERY_BEAT_SCHEDULE "sweep-outbox")."""
    from . import outbox

    outbox.sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_invitation_batch(*, batch_id: int) -> None:
    """Send a bulk invitation's e-mails; a redelivered message carries on where the batch got to."""
    from .invitations import run_batch  # when run: the service needs the app registry ready

    run_batch(batch_id)


@shared_task(acks_late=True)
def apply_retention() -> None:
    """The nightly run of the retention policy (CELERY_BEAT_SCHEDULE); removal is idempotent."""
    from .models import RetentionRun
    from .retention import apply_retention as apply

    apply(dry_run=False, by=None, source=RetentionRun.Source.NIGHTLY)


@shared_task(acks_late=True)
def announce_open_rounds() -> None:
    """Tell the public interest list of a recruitment round that has opened, each address once."""
    from .public.services import announce_open_rounds as announce

    announce()
