"""Building surveys: faculty create, edit, copy and reorder surveys and their questions.

The questions of the seeded templates live in `surveys.standard_surveys` (re-exported here);
`seeded_template` writes a template again when it is missing (transactional tests empty the
tables that migrations seeded).

Rule for questions once a survey has responses: nothing may change that would make a stored
answer mean something else or fail validation — the key, the kind, the grid scale, or an option
or row value that exists. Wording, help text, sections, labels, adding options or rows, and
adding new questions stay possible. An anonymous survey counts as answered from the moment it is
open to the people it was sent to, so that nothing here changes when the first person answers.
An anonymous survey that was sent and has closed cannot open again (`check_reschedule`).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from fellowship.models import User

from .copying import copy_survey
from .enums import QuestionKind
from .models import Question, Survey
from .release import check_reschedule, has_closed, queue_release
from .standard_surveys import (  # noqa: F401  (re-exported: the import path of the templates)
    ALUMNI_SURVEY,
    COMPONENTS,
    EXIT_SURVEY,
    TEMPLATES,
    THEMES,
    WORKSHOP_FEEDBACK,
)

log = logging.getLogger("fellowship.audit")


def seeded_template(key: str) -> Survey:
    """The seeded template `key`, created from TEMPLATES if it is missing."""
    existing = Survey.objects.templates().filter(key=key).first()
    if existing is not None:
        return existing
    if key not in TEMPLATES:
        raise Survey.DoesNotExist(f"There is no survey template {key!r}.")
    spec = TEMPLATES[key]
    with transaction.atomic():
        template = Survey.objects.create(
            key=key,
            is_template=True,
            **{k: v for k, v in spec.items() if k != "questions"},
        )
        Question.objects.bulk_create(
            Question(survey=template, position=position, **question)
            for position, question in enumerate(spec["questions"], start=1)
        )
    return template


# Options and rows as faculty type them --------------------------------------------------------


def slug_key(text: str) -> str:
    """A lower-case key with underscores, from a label: "MSc / PhD in AI" → "msc_phd_in_ai"."""
    return slugify(text).replace("-", "_")[:60].strip("_")


def parse_lines(text: str, *, what: str = "option") -> list[list[str]]:
    """`value|Label` or just `Label` on each line → [[value, label], ...]; ValidationError if bad."""
    pairs: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
            if value != slug_key(value) or not value:
                raise ValidationError(
                    f"Line {number}: the {what} key {value!r} must use only lower-case letters, "
                    "numbers and underscores"
                )
        else:
            value, label = slug_key(line), line
        if not label:
            raise ValidationError(f"Line {number}: give the {what} a label after the |")
        if not value:
            raise ValidationError(f"Line {number}: the {what} needs letters or numbers")
        if any(value == v for v, _ in pairs):
            raise ValidationError(f"Line {number}: the {what} {value!r} appears twice")
        pairs.append([value, label])
    return pairs


def lines_of(pairs: list[list[str]]) -> str:
    """The text a form shows for [[value, label], ...]."""
    return "\n".join(f"{value}|{label}" for value, label in pairs)


# Surveys --------------------------------------------------------------------------------------


def create_survey(
    *,
    by: User | None,
    title: str = "",
    template: Survey | None = None,
    copy_of: Survey | None = None,
    **fields: Any,
) -> Survey:
    """A new survey: blank, from a template, or a copy of an earlier survey (same question keys).

    `fields` are the survey's own fields (cohort, workshop, round, description...). A blank
    survey's key is made from its title. Side effects: creates the Survey (and copied Questions);
    an audit log line.
    """
    if template is not None and copy_of is not None:
        raise ValidationError("Choose a template or a survey to copy, not both.")
    source = template or copy_of
    if title:
        fields["title"] = title
    if source is None:
        if not title:
            raise ValidationError({"title": "Enter a title for the survey"})
        fields.setdefault("key", slug_key(title) or "survey")
        survey = Survey(**fields, created_by=by)
        survey.full_clean()
        survey.save()
    else:
        _check_round_free(fields.get("key", source.key), fields.get("round"))
        survey = copy_survey(source, by=by, **fields)
    log.info(
        "survey %s created (from %s) by user %s",
        survey.pk,
        source.pk if source else "blank",
        by.pk if by else None,
    )
    return survey


def _check_round_free(key: str, round) -> None:
    """A recruitment round has at most one survey of each kind (such as panellist feedback)."""
    if round is not None and Survey.objects.filter(key=key, round=round).exists():
        raise ValidationError({"round": f"{round} already has a survey of this kind ({key})"})


def update_survey(survey: Survey, *, by: User | None, **fields: Any) -> Survey:
    """Change the survey's own fields.

    Refused (ValidationError) when an anonymous survey that was sent and has closed would open
    again (`check_reschedule`). Side effects: saves the survey; an audit log line; if the
    change closes an anonymous survey, its waiting answers are released (after commit).
    """
    check_reschedule(survey, closes_at=fields.get("closes_at", survey.closes_at))
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean()
    with transaction.atomic():
        survey.save()
        if survey.anonymous and has_closed(survey):
            queue_release(survey.pk)
    log.info("survey %s changed by user %s", survey.pk, by.pk if by else None)
    return survey


def copy_for(survey: Survey, *, by: User | None, **fields: Any) -> Survey:
    """A copy of `survey` for another cohort (or workshop): same questions and keys, no dates.

    Side effects: as `copy_survey`; an audit log line.
    """
    fields.setdefault("title", survey.title)
    _check_round_free(survey.key, fields.get("round"))
    copy = copy_survey(survey, by=by, opens_at=None, closes_at=None, **fields)
    log.info("survey %s copied to %s by user %s", survey.pk, copy.pk, by.pk if by else None)
    return copy


# Questions ------------------------------------------------------------------------------------


def has_responses(survey: Survey) -> bool:
    """Whether people have answered the survey (stored or waiting to be released).

    An anonymous survey counts as answered as soon as it has opened to the people it was sent
    to, answered or not: its pages, and the changes they allow, then stay the same when the first
    person answers, so they cannot tell anyone that someone just did.
    """
    opened = survey.opens_at is None or survey.opens_at <= timezone.now()
    if survey.anonymous and not survey.is_template and opened and survey.invitations.exists():
        return True
    return survey.responses.exists() or survey.pending_responses.exists()


def _locked(survey: Survey) -> str:
    if survey.anonymous:
        return "People may have answered this anonymous survey (it has opened), so"
    return "People have answered this survey, so"


def _check_question(survey: Survey, question: Question, original: Question | None) -> None:
    """Validate a question's content; refuse changes that would break stored answers."""
    errors: dict[str, str] = {}
    kind = question.kind
    if not question.key:
        question.key = slug_key(question.text) or "question"
    if question.key != slug_key(question.key):
        errors["key"] = "Use only lower-case letters, numbers and underscores in the key"
    elif survey.questions.filter(key=question.key).exclude(pk=question.pk).exists():
        errors["key"] = f"Another question in this survey already has the key {question.key}"
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if len(question.options) < 2:
            errors["options"] = "Give at least 2 answers to choose from, one on each line"
    elif kind == QuestionKind.GRID:
        if not question.rows:
            errors["rows"] = "Give at least 1 row, one on each line"
        if not question.scale:
            errors["scale"] = "Choose what each row is answered on"
    elif kind == QuestionKind.NUMBER:
        if not isinstance(question.options, dict):
            question.options = {}
        low, high = question.options.get("min"), question.options.get("max")
        if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
            errors["maximum"] = "The highest number must be at least the lowest"
    if kind != QuestionKind.GRID:
        question.rows, question.scale = [], ""
    if kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.NUMBER):
        question.options = []
    if original is not None and has_responses(survey):
        locked = _locked(survey)
        if question.key != original.key:
            errors["key"] = f"{locked} the key cannot change (exports and copies rely on it)"
        if kind != original.kind:
            errors["kind"] = f"{locked} the kind of question cannot change"
        if kind == QuestionKind.GRID and question.scale != original.scale:
            errors["scale"] = f"{locked} the scale cannot change"
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            gone = {v for v, _ in original.options} - {v for v, _ in question.options}
            if gone:
                errors["options"] = (
                    f"{locked} answers cannot be removed or have their key changed: "
                    f"{', '.join(sorted(gone))}. You can change their labels or add answers."
                )
        if kind == QuestionKind.GRID:
            gone = {v for v, _ in original.rows} - {v for v, _ in question.rows}
            if gone:
                errors["rows"] = (
                    f"{locked} rows cannot be removed or have their key changed: "
                    f"{', '.join(sorted(gone))}. You can change their labels or add rows."
                )
        if kind == QuestionKind.NUMBER and question.options != original.options:
            errors["minimum"] = f"{locked} the lowest and highest numbers cannot change"
    if errors:
        raise ValidationError(errors)


def save_question(
    survey: Survey, *, by: User | None, question: Question | None = None, **fields: Any
) -> Question:
    """Add a question at the end of `survey`, or change `question`; ValidationError if refused.

    Side effects: saves the question; an audit log line.
    """
    original = None
    if question is None:
        question = Question(survey=survey)
        last = survey.questions.aggregate(last=Max("position"))["last"]
        question.position = (last or 0) + 1
    else:
        # Work on a fresh copy, so that a refused change leaves the caller's question as it was.
        original, question = question, Question.objects.get(pk=question.pk)
    for name, value in fields.items():
        setattr(question, name, value)
    with transaction.atomic():
        _check_question(survey, question, original)
        question.full_clean(exclude=["survey", "options", "rows"])
        question.save()
    log.info(
        "survey %s question %s saved by user %s", survey.pk, question.key, by.pk if by else None
    )
    return question


def delete_question(question: Question, *, by: User | None) -> None:
    """Remove a question from a survey nobody has answered. Side effects: deletes it; a log line."""
    if has_responses(question.survey):
        raise ValidationError(f"{_locked(question.survey)} its questions cannot be deleted.")
    survey_id, key = question.survey_id, question.key
    question.delete()
    log.info("survey %s question %s deleted by user %s", survey_id, key, by.pk if by else None)


def move_question(question: Question, *, up: bool, by: User | None) -> None:
    """Swap the question with the one above (or below) it; positions are renumbered 1, 2, 3…

    Side effects: updates the positions of the survey's questions.
    """
    with transaction.atomic():
        ordered = list(Question.objects.select_for_update().filter(survey_id=question.survey_id))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, q in enumerate(ordered, start=1):
            q.position = position
        Question.objects.bulk_update(ordered, ["position"])
    log.info("survey %s questions reordered by user %s", question.survey_id, by.pk if by else None)


def status(survey: Survey, moment=None) -> str:
    """Template, Not scheduled, Scheduled, Open or Closed, as the survey list shows it."""
    if survey.is_template:
        return "Template"
    moment = moment or timezone.now()
    if survey.closes_at and moment >= survey.closes_at:
        return "Closed"
    if survey.opens_at is None:
        return "Not scheduled"
    if moment < survey.opens_at:
        return "Scheduled"
    return "Open"
