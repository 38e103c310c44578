"""Celery tasks of surveys."""

from celery import shared_task

from . import distribution, services
from .models import Survey


@shared_task(acks_late=True)
def send_survey_reminders() -> int:
    """Run by Celery beat each morning; the service reminds each person at most once a period."""
    return distribution.send_reminders()


@shared_task(acks_late=True)
def release_survey_answers(*, survey_id: int) -> int:
    """Queued when an anonymous survey's pool of waiting answers fills; releases it if due."""
    survey = Survey.objects.filter(pk=survey_id).first()
    return services.release_answers(survey) if survey is not None else 0


@shared_task(acks_late=True)
def release_due_answers() -> int:
    """Run by Celery beat every few minutes: releases waiting answers of surveys that have closed
    (and full pools the queue missed)."""
    return services.release_due_answers()
