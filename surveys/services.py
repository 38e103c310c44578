"""Survey operations: copying a template, inviting people, answering, and the results.

Anonymous surveys: `submit_response` marks the person's invitation completed (without a time)
and stores a response with no respondent and only the date, in one transaction; nothing it writes
or logs links the two.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fellowship.figures import count_pct, percent
from fellowship.models import User
from fellowship.notifications import notify

from .enums import ANONYMITY_THRESHOLD, PANELLIST_FEEDBACK, TEXT_MAX_LENGTH, QuestionKind
from .models import Answer, Invitation, Question, Response, Survey

log = logging.getLogger("fellowship.audit")

PANELLIST_FEEDBACK_DAYS = 14


# Building ---------------------------------------------------------------------------------------


def create_from_template(template_key: str, *, by: User | None, **fields: Any) -> Survey:
    """A new survey copied from the template `template_key`, with its questions.

    `fields` set or override the survey's own fields (title, opens_at, closes_at, round, cohort…).
    Side effects: creates the Survey and its Questions; an audit log line.
    """
    template = Survey.objects.templates().get(key=template_key)
    copied = {
        "key": template.key,
        "title": template.title,
        "description": template.description,
        "audience": template.audience,
        "anonymous": template.anonymous,
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
                options=q.options,
                rows=q.rows,
            )
            for q in template.questions.all()
        )
    log.info("survey %s created from template %s by user %s", survey.pk, template_key, _pk(by))
    return survey


# Sending ----------------------------------------------------------------------------------------


def invite(survey: Survey, people: Iterable[User], *, by: User | None) -> list[Invitation]:
    """Invite each person not yet invited; returns the new invitations.

    Side effects: creates Invitations; e-mails each new invitee the `survey_invitation` message
    with the link (after commit); an audit log line.
    """
    if survey.is_template:
        raise ValidationError("A template cannot be sent. Create a survey from it first.")
    if survey.closes_at and survey.closes_at <= timezone.now():
        raise ValidationError("This survey has closed, so nobody more can be invited.")
    people = list({p.pk: p for p in people}.values())
    already = set(
        Invitation.objects.filter(survey=survey, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    now = timezone.now()
    with transaction.atomic():
        created = Invitation.objects.bulk_create(
            Invitation(survey=survey, person=p, invited_at=now)
            for p in people
            if p.pk not in already
        )
        url = reverse("survey_answer", args=[survey.pk])
        for invitation in created:
            notify(
                "survey_invitation",
                to=invitation.person.email,
                context={"survey": survey, "person": invitation.person, "path": url},
            )
    log.info("survey %s: %d invited by user %s", survey.pk, len(created), _pk(by))
    return created


def send_panellist_feedback(round, *, by: User | None) -> tuple[Survey, list[Invitation]]:
    """The round's panellist feedback survey, sent to every member of its interview panels.

    The first call creates the survey from the template (closing in 14 days); later calls invite
    only panellists not yet invited. Side effects: as `create_from_template` and `invite`.
    """
    with transaction.atomic():
        survey = Survey.objects.filter(key=PANELLIST_FEEDBACK, round=round).first()
        if survey is None:
            now = timezone.now()
            survey = create_from_template(
                PANELLIST_FEEDBACK,
                by=by,
                round=round,
                title=f"Panellist feedback: {round.name}",
                audience=f"The interview panellists of {round.name}",
                opens_at=now,
                closes_at=now + timedelta(days=PANELLIST_FEEDBACK_DAYS),
            )
        invitations = invite(survey, round_panellists(round), by=by)
    return survey, invitations


def round_panellists(round):
    """Everyone who sits on one of the round's interview panels."""
    return (
        User.objects.filter(interview_panels__round=round).distinct().order_by("full_name", "email")
    )


# Answering --------------------------------------------------------------------------------------


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set):
        return len(raw) == 0
    return False


def clean_answer(question: Question, raw: Any) -> Any:
    """The value to store for `raw`, or None when unanswered; ValidationError when it is invalid."""
    if _blank(raw):
        if question.required:
            if question.kind in (QuestionKind.NUMBER, QuestionKind.TEXT):
                raise ValidationError("Answer this question")
            if question.kind == QuestionKind.AGREEMENT:
                raise ValidationError("Select how much you agree")
            raise ValidationError("Select an answer")
        return None
    kind = question.kind
    allowed = {value for value, _ in question.choices}
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.AGREEMENT):
        if not isinstance(raw, str) or raw not in allowed:
            raise ValidationError("Select one of the answers given")
        return raw
    if kind == QuestionKind.MULTIPLE_CHOICE:
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise ValidationError("Select from the answers given")
        if any(v not in allowed for v in values) or len(set(values)) != len(values):
            raise ValidationError("Select from the answers given")
        order = [value for value, _ in question.choices]
        return sorted(values, key=order.index)
    if kind == QuestionKind.NUMBER:
        if isinstance(raw, bool):
            raise ValidationError("Enter a number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError("Enter a number") from None
        if not number.is_finite():
            raise ValidationError("Enter a number")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == QuestionKind.TEXT:
        if not isinstance(raw, str):
            raise ValidationError("Enter your answer as text")
        text = raw.strip()
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError(f"Answer must be {TEXT_MAX_LENGTH} characters or fewer")
        return text
    raise ValidationError("This question cannot be answered yet")  # e.g. a future grid kind


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


def submit_response(survey: Survey, *, person: User, answers: Mapping[str, Any]) -> Response:
    """Store `person`'s answers, once, while the survey is open.

    Refused (ValidationError) when the person was not invited, has already answered, the survey is
    not open, or an answer is invalid. Side effects, in one transaction: marks the invitation
    completed (with the time only for named surveys) and creates the Response and its Answers —
    for anonymous surveys with no respondent and only today's date.
    """
    cleaned = clean_answers(survey, answers)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(survey=survey, person=person).first()
        )
        if invitation is None:
            raise ValidationError("You have not been asked to answer this survey.")
        if invitation.completed:
            raise ValidationError("You have already answered this survey.")
        if not survey.is_open():
            raise ValidationError("This survey is closed.")
        invitation.completed = True
        invitation.completed_at = None if survey.anonymous else timezone.now()
        invitation.save(update_fields=["completed", "completed_at"])
        response = Response.objects.create(
            survey=survey,
            respondent=None if survey.anonymous else person,
            submitted_on=timezone.localdate(),
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=q, value=v) for q, v in cleaned.items()
        )
    return response


# Results ----------------------------------------------------------------------------------------


@dataclass
class OptionCount:
    value: str
    label: str
    count: int
    answered: int

    @property
    def percent(self) -> int | None:
        return percent(self.count, self.answered)

    @property
    def display(self) -> str:
        return count_pct(self.count, self.answered)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        return sum(self.numbers) / len(self.numbers) if self.numbers else None


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    hidden: bool
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def threshold(self) -> int:
        return ANONYMITY_THRESHOLD


def results(survey: Survey) -> SurveyResults:
    """Per question: how many answered it, and counts and percentages over those who answered.

    An anonymous survey's results are hidden entirely (no counts, no free text) until at least
    ANONYMITY_THRESHOLD responses exist. Free text is listed in alphabetical order, so its order
    says nothing about who wrote it or when.
    """
    responses = Response.objects.filter(survey=survey).count()
    hidden = survey.anonymous and responses < ANONYMITY_THRESHOLD
    outcome = SurveyResults(survey=survey, responses=responses, hidden=hidden)
    if hidden:
        return outcome
    values: dict[int, list[Any]] = {}
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "value"
    ):
        values.setdefault(question_id, []).append(value)
    for question in survey.questions.all():
        given = values.get(question.pk, [])
        n = len(given)
        result = QuestionResult(question=question, answered=n)
        if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.AGREEMENT):
            result.options = [
                OptionCount(value, label, sum(1 for v in given if v == value), n)
                for value, label in question.choices
            ]
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            result.options = [
                OptionCount(value, label, sum(1 for v in given if value in v), n)
                for value, label in question.choices
            ]
        elif question.kind == QuestionKind.NUMBER:
            result.numbers = sorted(float(v) for v in given)
        elif question.kind == QuestionKind.TEXT:
            result.texts = sorted(given, key=str.casefold)
        outcome.questions.append(result)
    return outcome


def _pk(user: User | None) -> int | None:
    return user.pk if user else None


def open_invitations(user):
    """The surveys `user` has been asked to answer, has not answered, and can still answer."""
    now = timezone.now()
    return (
        Invitation.objects.filter(person=user, completed=False, survey__is_template=False)
        .filter(Q(survey__opens_at__isnull=True) | Q(survey__opens_at__lte=now))
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .select_related("survey")
        .order_by("survey__closes_at", "survey__title")
    )
