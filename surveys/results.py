"""The results of a survey: counts per option, grids, numbers and free text.

An anonymous survey's results are released only once it has closed with at least
ANONYMITY_THRESHOLD answers; until then pages say how many have answered only in steps
(`answered_as_shown`), so that comparing two looks never shows one person's answer.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from fellowship.figures import count_pct, percent

from .answers import is_blank
from .enums import (
    ANONYMITY_THRESHOLD,
    QuestionKind,
)
from .models import Answer, Question, Survey
from .release import answer_count, has_closed, release_answers, response_counts


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


def answered(survey: Survey, *, now: datetime | None = None) -> Answered:
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


def check_released(survey: Survey, *, now: datetime | None = None) -> None:
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


def results(survey: Survey, *, now: datetime | None = None) -> SurveyResults:
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
    n_responses, n_pending = response_counts(survey)
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
        if not is_blank(value):
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
