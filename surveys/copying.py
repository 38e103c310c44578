"""Creating a survey: from a template of the programme or as a copy of another survey."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from fellowship.models import User

from .models import Question, Survey

log = logging.getLogger("fellowship.audit")


def create_from_template(template_key: str, *, by: User | None, **fields: Any) -> Survey:
    """A new survey copied from the template `template_key`, with its questions.

    `fields` set or override the survey's own fields (title, opens_at, closes_at, round, cohort…).
    A seeded template that is missing (tests that empty the tables) is seeded again first.
    Side effects: creates the Survey and its Questions; an audit log line.
    """
    from .builder import seeded_template  # the builder imports this module

    template = Survey.objects.templates().filter(key=template_key).first()
    if template is None:
        template = seeded_template(template_key)
    survey = copy_survey(template, by=by, **fields)
    log.info("survey %s created from template %s by user %s", survey.pk, template_key, actor_pk(by))
    return survey


def copy_survey(source: Survey, *, by: User | None, **fields: Any) -> Survey:
    """A new (sent, not template) survey with `source`'s settings and questions, keys unchanged.

    `fields` override the copied fields. Dates, cohort, workshop and round are not copied.
    Side effects: creates the Survey and its Questions.
    """
    copied = {
        "key": source.key,
        "title": source.title,
        "description": source.description,
        "audience": source.audience,
        "audience_kind": source.audience_kind,
        "anonymous": source.anonymous,
        "reminder_every_days": source.reminder_every_days,
        "copied_from": source,
    }
    with transaction.atomic():
        survey = Survey.objects.create(**{**copied, **fields}, is_template=False, created_by=by)
        Question.objects.bulk_create(
            Question(
                survey=survey,
                key=q.key,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                position=q.position,
                section=q.section,
                scale=q.scale,
                options=q.options,
                rows=q.rows,
            )
            for q in source.questions.all()
        )
    return survey


def actor_pk(user: User | None) -> int | None:
    """The id of the person who acts, for the audit log (None for the system)."""
    return user.pk if user else None
