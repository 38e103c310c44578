"""Survey operations: copying a template, inviting people, answering, and the results.

Anonymous surveys: `submit_response` marks the person's invitation completed (without a time)
and stores a response with no respondent and only the date, in one transaction; nothing it writes
or logs links the two.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
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
    A seeded template that is missing (tests that empty the tables) is seeded again first.
    Side effects: creates the Survey and its Questions; an audit log line.
    """
    from .builder import seeded_template  # the seed definitions live with the builder

    template = Survey.objects.templates().filter(key=template_key).first()
    if template is None:
        template = seeded_template(template_key)
    survey = copy_survey(template, by=by, **fields)
    log.info("survey %s created from template %s by user %s", survey.pk, template_key, _pk(by))
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
                context={"survey": survey, "person": invitation.person, "path": url, "now": timezone.now()},
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
    if isinstance(raw, Mapping):
        return all(_blank(v) for v in raw.values())
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
    if _blank(raw):
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
        given = {k: v for k, v in raw.items() if not _blank(v)}
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


def submit_response(survey: Survey, *, person: User, answers: Mapping[str, Any]) -> Response:
    """Store `person`'s answers, once, while the survey is open.

    Refused (ValidationError) when the person was not invited, has already answered, the survey is
    not open, or an answer is invalid. Side effects, in one transaction: marks the invitation
    completed (with the time only for named surveys; for anonymous surveys it rewrites all the
    survey's invitations and forgets the reminder time, see below) and creates the Response and
    its Answers — for anonymous surveys with no respondent and only today's date.
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
        if survey.anonymous:
            # Rewrite every invitation of the survey, not just this one: on PostgreSQL each row
            # then carries this transaction's id (xmin), so no invitation can be joined to the
            # response written alongside it, and the rows' physical order says nothing about who
            # finished when. The reminder time goes too: a response dated before someone's
            # reminder could not be theirs.
            mine = Q(pk=invitation.pk)
            Invitation.objects.filter(survey=survey).update(
                completed=Case(When(mine, then=Value(True)), default=F("completed")),
                reminded_at=Case(When(mine, then=Value(None)), default=F("reminded_at")),
            )
        else:
            invitation.completed = True
            invitation.completed_at = timezone.now()
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
    """How many of those who answered chose `value` (for a grid: within one row)."""

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

    @property
    def share(self) -> float:
        """The exact share, 0–100, for drawing a bar."""
        return 100 * self.count / self.answered if self.answered else 0.0


@dataclass
class RowResult:
    """One row of a grid question: how many answered it, and the count of each scale value."""

    key: str
    label: str
    answered: int
    options: list[OptionCount]

    @property
    def segments(self) -> list[tuple[float, float, int]]:
        """(x, width, index) of each non-empty part of a stacked bar 0–100, for the chart."""
        out, x = [], 0.0
        for index, option in enumerate(self.options):
            if option.count:
                out.append((round(x, 2), round(option.share, 2), index))
            x += option.share
        return out


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def mean(self) -> float | None:
        return sum(self.numbers) / len(self.numbers) if self.numbers else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.numbers) if self.numbers else None

    @property
    def lowest(self) -> float | None:
        return min(self.numbers) if self.numbers else None

    @property
    def highest(self) -> float | None:
        return max(self.numbers) if self.numbers else None

    @property
    def scale(self) -> list[tuple[str, str]]:
        """The grid's scale values, for the chart's key."""
        return self.question.choices if self.question.kind == QuestionKind.GRID else []


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

    A blank is "did not answer": it counts in no percentage. Multiple choice percentages are of
    those who answered the question, so they may add up to more than 100. Grid questions are
    counted row by row, each over those who answered that row. Numbers give n, mean, median,
    lowest and highest. An anonymous survey's results are hidden entirely (no counts, no free
    text) until at least ANONYMITY_THRESHOLD responses exist. Free text is listed in alphabetical
    order, so its order says nothing about who wrote it or when. Two queries.
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
        if not _blank(value):
            values.setdefault(question_id, []).append(value)
    for question in survey.questions.all():
        outcome.questions.append(question_result(question, values.get(question.pk, [])))
    return outcome


def question_result(question: Question, given: list[Any]) -> QuestionResult:
    """The counts of one question from its stored (non-blank) answers."""
    n = len(given)
    result = QuestionResult(question=question, answered=n)
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.AGREEMENT):
        result.options = [
            OptionCount(value, label, sum(1 for v in given if v == value), n)
            for value, label in question.choices
        ]
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        result.options = [
            OptionCount(value, label, sum(1 for v in given if value in v), n)
            for value, label in question.choices
        ]
    elif kind == QuestionKind.GRID:
        for key, label in question.rows:
            picks = [v[key] for v in given if isinstance(v, dict) and v.get(key)]
            result.rows.append(
                RowResult(
                    key=key,
                    label=label,
                    answered=len(picks),
                    options=[
                        OptionCount(value, option, picks.count(value), len(picks))
                        for value, option in question.choices
                    ],
                )
            )
    elif kind == QuestionKind.NUMBER:
        result.numbers = sorted(float(v) for v in given)
    elif kind == QuestionKind.TEXT:
        result.texts = sorted(given, key=str.casefold)
    return result


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
