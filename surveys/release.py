"""Anonymous answers: the pool of waiting answers, its release in a random order, and counting answers.

Anonymous surveys (docs/anonymity.md): `submit_response` marks the person's invitation completed
(without a time) and puts the answers in the survey's pool of waiting answers, in one transaction;
nothing it writes or logs links the two. `release_answers` moves the pool into the responses in a
random order, by itself, once enough answers wait and when the survey closes.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .enums import (
    RELEASE_BATCH,
)
from .models import Answer, PendingResponse, Response, Survey

log = logging.getLogger("fellowship.audit")

# Draws the order in which released answers are written. A test may put a seeded generator here.
_RNG: random.Random = random.SystemRandom()


def has_closed(survey: Survey, moment: datetime | None = None) -> bool:
    """Whether the survey's closing time has passed (a survey with none never closes)."""
    moment = moment or timezone.now()
    return bool(survey.closes_at and survey.closes_at <= moment)


def check_reschedule(
    survey: Survey, *, closes_at: datetime | None, now: datetime | None = None
) -> None:
    """ValidationError if an anonymous survey that was sent and has closed would open again.

    Its results may have been read at closing; opened again, a later answer could be picked out
    by comparing the results before and after. A copy of the survey asks again. Dates that keep
    it closed (a closing time still past) may be corrected.
    """
    if not survey.anonymous or survey.pk is None:
        return
    now = now or timezone.now()
    stored = Survey.objects.filter(pk=survey.pk).values_list("closes_at", flat=True).first()
    if stored is None or stored > now:
        return
    if closes_at is not None and closes_at <= now:
        return
    if survey.invitations.exists() or answer_count(survey):
        raise ValidationError(
            {
                "closes_at": "This anonymous survey has closed, so it cannot open again: answers "
                "given later could be picked out of its results. Copy the survey to ask again"
            }
        )


def queue_release(survey_id: int) -> None:
    """Release the survey's waiting answers in a transaction of its own, after this one commits.

    If the queue is down, the periodic sweep (`release_due_answers`) releases them later."""
    from fellowship.tasks import enqueue

    from .tasks import release_survey_answers  # tasks import this module

    transaction.on_commit(lambda: enqueue(release_survey_answers, survey_id=survey_id))


def release_answers(survey: Survey, *, now: datetime | None = None) -> int:
    """Move the survey's waiting answers into its responses, if they are due; how many moved.

    Due when at least RELEASE_BATCH answers wait, or when any wait and the survey has closed.
    Every response of the survey is written again with them, in one transaction that touches no
    invitation: all its responses and answers are deleted and written anew in one random order
    (`_RNG`), with new random (version 4) UUID keys, no respondent and no date. So the order rows
    are stored in, their keys, and on PostgreSQL their transaction id (all one, shared with no
    invitation) say nothing about who answered when, or even in which batch. Nothing is lost: the
    transaction is undone unless it wrote exactly as many responses as there were plus those
    waiting. Side effects: deletes the survey's PendingResponses, rewrites its Responses and
    Answers; a log line with the number released.
    """
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        pending = list(PendingResponse.objects.select_for_update().filter(survey=survey))
        if not pending or (len(pending) < RELEASE_BATCH and not has_closed(survey, now)):
            return 0
        questions = set(survey.questions.values_list("pk", flat=True))
        stored: dict[Any, dict[int, Any]] = {
            pk: {} for pk in Response.objects.filter(survey=survey).values_list("pk", flat=True)
        }
        for response_id, question_id, value in Answer.objects.filter(
            response__survey=survey
        ).values_list("response_id", "question_id", "value"):
            stored[response_id][question_id] = value
        given = list(stored.values())
        for entry in pending:
            # A question deleted since (through the admin) takes its answers with it, as it does
            # for stored responses.
            given.append({int(k): v for k, v in entry.answers.items() if int(k) in questions})
        released = [p.pk for p in pending]
        PendingResponse.objects.filter(pk__in=released).delete()
        replace_responses(survey, given)
        if PendingResponse.objects.filter(pk__in=released).exists():
            raise RuntimeError(f"survey {survey.pk}: waiting answers were not released")
    log.info("survey %s: %d anonymous answers released", survey.pk, len(pending))
    return len(pending)


def replace_responses(
    survey: Survey, given: Sequence[Mapping[int, Any]], *, submitted_on: date | None = None
) -> list[Response]:
    """Make `given` (each a {question id: stored value}) the survey's responses, with no
    respondent, replacing every response it had, in one random order (`_RNG`) with new random
    keys — how anonymous responses are written (also by the history import). `submitted_on` is
    one day for them all, or none. The transaction is undone unless exactly as many responses
    were written as given. Side effects: deletes and creates the survey's Responses and Answers.
    """
    given = list(given)
    _RNG.shuffle(given)
    with transaction.atomic():
        Response.objects.filter(survey=survey).delete()
        responses = Response.objects.bulk_create(
            Response(survey=survey, respondent=None, submitted_on=submitted_on) for _ in given
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=question_id, value=value)
            for response, answers in zip(responses, given, strict=True)
            for question_id, value in answers.items()
        )
        written = Response.objects.filter(survey=survey).count()
        if written != len(given):
            raise RuntimeError(f"survey {survey.pk}: wrote {written} responses of {len(given)}")
    return responses


def release_due_answers(*, now: datetime | None = None) -> int:
    """Release the waiting answers of every survey where they are due (`release_answers`): all of
    them for surveys that have closed, a batch for open ones. Run periodically, so answers never
    wait past closing even when the queue was down. Returns how many answers were released."""
    now = now or timezone.now()
    ids = PendingResponse.objects.order_by().values_list("survey_id", flat=True).distinct()
    return sum(release_answers(survey, now=now) for survey in Survey.objects.filter(pk__in=ids))


def response_counts(survey: Survey) -> tuple[int, int]:
    """The survey's responses, and its answers waiting to be released. One query."""
    return (
        Survey.objects.filter(pk=survey.pk)
        .annotate(n_responses=count_of(Response), n_pending=count_of(PendingResponse))
        .values_list("n_responses", "n_pending")
        .get()
    )


def answer_count(survey: Survey) -> int:
    """Responses plus answers waiting to be released: everyone who has answered. One query."""
    return sum(response_counts(survey))


def count_of(model: type[Response] | type[PendingResponse]) -> Coalesce:
    """An annotation: how many rows of `model` (with a `survey` key) belong to each survey."""
    rows = (
        model.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
