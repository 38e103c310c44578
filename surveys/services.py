"""Survey operations: copying a template, inviting people, answering, and the results.

Anonymous surveys (docs/anonymity.md): `submit_response` marks the person's invitation completed
(without a time) and puts the answers in the survey's pool of waiting answers, in one transaction;
nothing it writes or logs links the two. `release_answers` moves the pool into the responses in a
random order, by itself, once enough answers wait and when the survey closes. The results, free
text and downloads of an anonymous survey are released only once it has closed with at least
ANONYMITY_THRESHOLD answers; until then pages say how many have answered only in steps
(`answered_as_shown`), so that comparing two looks never shows one person's answer.
"""

from __future__ import annotations

import logging
import random
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from fellowship.figures import count_pct, percent
from fellowship.models import User
from fellowship.notifications import notify

from .enums import (
    ANONYMITY_THRESHOLD,
    PANELLIST_FEEDBACK,
    RELEASE_BATCH,
    TEXT_MAX_LENGTH,
    QuestionKind,
)
from .models import Answer, Invitation, PendingResponse, Question, Response, Survey

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
                context={
                    "survey": survey,
                    "person": invitation.person,
                    "path": url,
                    "now": timezone.now(),
                },
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


# Anonymous answers: the pool and its release ----------------------------------------------------

# Draws the order in which released answers are written. A test may put a seeded generator here.
_RNG: random.Random = random.SystemRandom()


def has_closed(survey: Survey, moment=None) -> bool:
    """Whether the survey's closing time has passed (a survey with none never closes)."""
    moment = moment or timezone.now()
    return bool(survey.closes_at and survey.closes_at <= moment)


def check_reschedule(survey: Survey, *, closes_at, now=None) -> None:
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


def release_answers(survey: Survey, *, now=None) -> int:
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
    survey: Survey, given: list[Mapping[int, Any]], *, submitted_on=None
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


def release_due_answers(*, now=None) -> int:
    """Release the waiting answers of every survey where they are due (`release_answers`): all of
    them for surveys that have closed, a batch for open ones. Run periodically, so answers never
    wait past closing even when the queue was down. Returns how many answers were released."""
    now = now or timezone.now()
    ids = PendingResponse.objects.order_by().values_list("survey_id", flat=True).distinct()
    return sum(release_answers(survey, now=now) for survey in Survey.objects.filter(pk__in=ids))


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


@dataclass(frozen=True)
class Answered:
    """How many people have answered a survey, as far as a page may say.

    `exact` is the number when it may be shown. While an anonymous survey is open it is None and
    `at_least` is the number rounded down to a multiple of `step` (0 reads "fewer than `step`"),
    so that the count does not move when one person answers.
    """

    exact: int | None
    at_least: int
    step: int = ANONYMITY_THRESHOLD

    @property
    def number(self) -> int:
        """The exact number, or the step it has reached."""
        return self.exact if self.exact is not None else self.at_least


def answered_as_shown(n: int, *, anonymous: bool, closed: bool) -> Answered:
    """`n` answers as a page may show them: exactly, except while an anonymous survey is open,
    when only the multiple of ANONYMITY_THRESHOLD reached is shown (0–4: fewer than 5; 5–9: at
    least 5; 10–14: at least 10…). Once a survey has closed its count no longer changes, so it
    is exact."""
    if not anonymous or closed:
        return Answered(exact=n, at_least=n)
    return Answered(exact=None, at_least=n // ANONYMITY_THRESHOLD * ANONYMITY_THRESHOLD)


def _counts(survey: Survey) -> tuple[int, int]:
    """The survey's responses, and its answers waiting to be released. One query."""
    return (
        Survey.objects.filter(pk=survey.pk)
        .annotate(n_responses=count_of(Response), n_pending=count_of(PendingResponse))
        .values_list("n_responses", "n_pending")
        .get()
    )


def answer_count(survey: Survey) -> int:
    """Responses plus answers waiting to be released: everyone who has answered. One query."""
    return sum(_counts(survey))


def count_of(model):
    """An annotation: how many rows of `model` (with a `survey` key) belong to each survey."""
    rows = (
        model.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def answered(survey: Survey, *, now=None) -> Answered:
    """How many have answered `survey`, as a page may show it (`answered_as_shown`)."""
    return answered_as_shown(
        answer_count(survey), anonymous=survey.anonymous, closed=has_closed(survey, now)
    )


@dataclass
class SurveyResults:
    survey: Survey
    # How many answered: exact, except while an anonymous survey is open (see `answered`).
    responses: int
    hidden: bool
    answered: Answered = field(default_factory=lambda: Answered(exact=0, at_least=0))
    # An anonymous survey still open: its results wait for it to close.
    waiting_for_close: bool = False
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def threshold(self) -> int:
        return ANONYMITY_THRESHOLD


def results_released(survey: Survey, n: int, *, closed: bool) -> bool:
    """Whether the results of `survey`, with `n` answers, may be shown: always for a named
    survey; for an anonymous one only once it has closed with at least ANONYMITY_THRESHOLD."""
    return not survey.anonymous or (closed and n >= ANONYMITY_THRESHOLD)


def check_released(survey: Survey, *, now=None) -> None:
    """ValidationError unless the survey's answers may be read (results, free text, downloads).

    Releases the waiting answers of a closed survey first, so that what is read is complete.
    """
    now = now or timezone.now()
    closed = has_closed(survey, now)
    if closed:
        release_answers(survey, now=now)
    n = answer_count(survey)
    if results_released(survey, n, closed=closed):
        return
    if not closed:
        raise ValidationError(
            "This anonymous survey is still open. Its answers can be seen and downloaded after it "
            f"closes, if at least {ANONYMITY_THRESHOLD} people have answered, so that nobody's "
            "answers can be picked out."
        )
    raise ValidationError(
        f"Fewer than {ANONYMITY_THRESHOLD} people answered this anonymous survey, so its answers "
        "cannot be seen or downloaded: they could be picked out."
    )


def results(survey: Survey, *, now=None) -> SurveyResults:
    """Per question: how many answered it, and counts and percentages over those who answered.

    A blank is "did not answer": it counts in no percentage. Multiple choice percentages are of
    those who answered the question, so they may add up to more than 100. Grid questions are
    counted row by row, each over those who answered that row. Numbers give n, mean, median,
    lowest and highest. An anonymous survey's results are hidden entirely (no counts, no free
    text) until it has closed with at least ANONYMITY_THRESHOLD answers (`results_released`);
    while it is open, how many answered is given only in steps (`answered_as_shown`). Answers
    still waiting in a closed survey's pool are released first, so the results include every
    answer. Free text is listed in alphabetical order, so its order says nothing about who wrote
    it or when. Three queries (more only to release waiting answers).
    """
    now = now or timezone.now()
    closed = has_closed(survey, now)
    n_responses, n_pending = _counts(survey)
    if closed and n_pending:
        release_answers(survey, now=now)
    n = n_responses + n_pending
    shown = answered_as_shown(n, anonymous=survey.anonymous, closed=closed)
    outcome = SurveyResults(
        survey=survey,
        responses=shown.number,
        hidden=not results_released(survey, n, closed=closed),
        answered=shown,
        waiting_for_close=survey.anonymous and not closed,
    )
    if outcome.hidden:
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
