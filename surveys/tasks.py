"""Celery tasks of surveys."""

from celery import shared_task

from . import distribution


@shared_task(acks_late=True)
def send_survey_reminders() -> int:
    """Run by Celery beat each morning; the service reminds each person at most once a period."""
    return distribution.send_reminders()
