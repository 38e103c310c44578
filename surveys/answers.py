"""Answering a survey: checking each answer against its question, and storing a response.

A named survey's response is stored with its respondent; an anonymous survey's answers go into
the survey's pool of waiting answers (`surveys.release`), with nothing linking them to the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from fellowship.models import User

from .enums import (
    RELEASE_BATCH,
    TEXT_MAX_LENGTH,
    QuestionKind,
)
from .models import Answer, Invitation, PendingResponse, Question, Response, Survey
from .release import queue_release


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set):
        return len(raw) == 0
    if isinstance(raw, Mapping):
        return all(is_blank(v) for v in raw.values())
    return False


def number_bounds(question: Question) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest number a number question accepts (options {"min": .., "max": ..})."""
    options = question.options if isinstance(question.options, Mapping) else {}
    low, high = options.get("min"), options.get("max")
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def clean_answer(question: Question, raw: Any) -> Any:
    """The value to store for `raw`, or None when unanswered; ValidationError when it is invalid.

    Stored values: a choice's value; a list of values in the question's order (multiple choice);
    an int or float (number); stripped text; {row key: value} in row order (grid).
    """
    kind = question.kind
    if is_blank(raw):
        if question.required:
            if kind in (QuestionKind.NUMBER, QuestionKind.TEXT):
                raise ValidationError("Answer this question")
            if kind == QuestionKind.AGREEMENT:
                raise ValidationError("Select how much you agree")
            if kind == QuestionKind.MULTIPLE_CHOICE:
                raise ValidationError("Select at least one answer")
            if kind == QuestionKind.GRID:
                raise ValidationError("Answer every row")
            raise ValidationError("Select an answer")
        return None
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.AGREEMENT):
        allowed = {value for value, _ in question.choices}
        if not isinstance(raw, str) or raw not in allowed:
            raise ValidationError("Select one of the answers given")
        return raw
    if kind == QuestionKind.MULTIPLE_CHOICE:
        order = [value for value, _ in question.choices]
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise ValidationError("Select from the answers given")
        if any(v not in order for v in values) or len(set(values)) != len(values):
            raise ValidationError("Select from the answers given")
        return sorted(values, key=order.index)
    if kind == QuestionKind.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
            raise ValidationError("Enter a number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError("Enter a number") from None
        if not number.is_finite():
            raise ValidationError("Enter a number")
        low, high = number_bounds(question)
        if low is not None and number < low:
            raise ValidationError(f"Enter a number of {_plain(low)} or more")
        if high is not None and number > high:
            raise ValidationError(f"Enter a number of {_plain(high)} or less")
        return _plain(number)
    if kind == QuestionKind.TEXT:
        if not isinstance(raw, str):
            raise ValidationError("Enter your answer as text")
        text = raw.strip()
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError(f"Answer must be {TEXT_MAX_LENGTH} characters or fewer")
        return text
    if kind == QuestionKind.GRID:
        if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
            raise ValidationError("Answer each row from the choices given")
        rows = [str(key) for key, _ in question.rows]
        allowed = {value for value, _ in question.choices}
        given = {k: v for k, v in raw.items() if not is_blank(v)}
        if set(given) - set(rows):
            raise ValidationError("Answer only the rows given")
        if any(not isinstance(v, str) or v not in allowed for v in given.values()):
            raise ValidationError("Answer each row from the choices given")
        if question.required and len(given) != len(rows):
            raise ValidationError("Answer every row")
        return {row: given[row] for row in rows if row in given}
    raise ValidationError("This question cannot be answered")


def clean_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[Question, Any]:
    """Every answered question with its cleaned value; a ValidationError keyed by question key."""
    cleaned: dict[Question, Any] = {}
    errors: dict[str, list[str]] = {}
    questions = list(survey.questions.all())
    unknown = set(answers) - {q.key for q in questions}
    if unknown:
        raise ValidationError(f"Unknown questions: {', '.join(sorted(unknown))}")
    for question in questions:
        try:
            value = clean_answer(question, answers.get(question.key))
        except ValidationError as exc:
            errors[question.key] = exc.messages
        else:
            if value is not None:
                cleaned[question] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def submit_response(
    survey: Survey, *, person: User, answers: Mapping[str, Any]
) -> Response | PendingResponse:
    """Store `person`'s answers, once, while the survey is open.

    Refused (ValidationError) when the person was not invited, has already answered, the survey is
    not open, or an answer is invalid. Side effects, in one transaction that first locks the
    survey (so that a release at closing waits for answers being stored): marks the invitation
    completed and, for a named survey, creates the Response (with the person and the day) and
    its Answers. For an anonymous survey it rewrites all the survey's invitations without a time
    (see below) and adds the answers to the survey's pool of waiting answers, returning that
    PendingResponse; once RELEASE_BATCH answers wait, `release_answers` is queued after commit.
    """
    cleaned = clean_answers(survey, answers)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        invitation = (
            Invitation.objects.select_for_update().filter(survey=survey, person=person).first()
        )
        if invitation is None:
            raise ValidationError("You have not been asked to answer this survey.")
        if invitation.completed:
            raise ValidationError("You have already answered this survey.")
        if not survey.is_open():
            raise ValidationError("This survey is closed.")
        if not survey.anonymous:
            invitation.completed = True
            invitation.completed_at = timezone.now()
            invitation.save(update_fields=["completed", "completed_at"])
            response = Response.objects.create(
                survey=survey, respondent=person, submitted_on=timezone.localdate()
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=q, value=v) for q, v in cleaned.items()
            )
            return response
        # Rewrite every invitation of the survey, not just this one: on PostgreSQL each row then
        # carries this transaction's id (xmin), so no invitation can be joined to the answers
        # written alongside it, and the rows' physical order says nothing about who finished
        # when. The reminder time goes too: answers dated before someone's reminder could not be
        # theirs.
        mine = Q(pk=invitation.pk)
        Invitation.objects.filter(survey=survey).update(
            completed=Case(When(mine, then=Value(True)), default=F("completed")),
            reminded_at=Case(When(mine, then=Value(None)), default=F("reminded_at")),
        )
        pending = PendingResponse.objects.create(
            survey=survey, answers={str(q.pk): v for q, v in cleaned.items()}
        )
        if PendingResponse.objects.filter(survey=survey).count() >= RELEASE_BATCH:
            queue_release(survey.pk)
    return pending
