"""Celery tasks of recruitment."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_deadline_reminders() -> int:
    """Run by Celery beat every 15 minutes; the service sends each reminder once."""
    return services.send_deadline_reminders()


@shared_task(acks_late=True)
def lapse_expired_offers() -> int:
    """Run by Celery beat every 15 minutes; the service lapses each expired offer once."""
    from . import offers

    return offers.lapse_expired_offers()
