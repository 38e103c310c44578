"""Survey answers as a table: one row per response, one column per question key.

A grid question gives a column per row, `KEY:ROW`; a multiple choice is `;`-joined; a blank cell
means the person did not answer. The exit survey's export has exactly the columns of the history
import's `exit_survey` table (first `cohort`), so it re-imports. An anonymous survey's export has
no respondent and no time, its rows are sorted by their answers (so their order says nothing
about who answered when), and it is refused below the anonymity threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from fellowship import exports

from .enums import ANONYMITY_THRESHOLD, QuestionKind
from .models import Answer, Question, Response, Survey

EXIT_SURVEY = "exit_survey"


@dataclass
class Export:
    filename: str
    sheet: str
    header: list[str]
    rows: list[list[Any]]


def columns(questions: list[Question]) -> list[tuple[str, Question, str | None]]:
    """(column name, question, grid row key or None) for each column of the answers."""
    out: list[tuple[str, Question, str | None]] = []
    for question in questions:
        if question.kind == QuestionKind.GRID:
            out.extend((f"{question.key}:{row}", question, row) for row, _ in question.rows)
        else:
            out.append((question.key, question, None))
    return out


def cell(value: Any, row: str | None) -> Any:
    """The cell for a stored answer (blank when not answered)."""
    if row is not None:
        value = value.get(row) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def _exit_order(column: tuple[str, Question, str | None]) -> tuple:
    """The exit_survey table's order: recommend, archetypes, career, then achieved and apply
    for each theme in turn, then valuable; any question faculty added comes last."""
    _, question, row = column
    fixed = ["recommend", "archetypes", "career_next_12_months"]
    if question.key in fixed:
        return (fixed.index(question.key), 0, 0)
    if question.key in ("achieved", "apply") and row is not None:
        themes = [key for key, _ in question.rows]
        return (len(fixed), themes.index(row), ("achieved", "apply").index(question.key))
    if question.key == "valuable":
        return (len(fixed) + 1, question.position, 0)
    return (len(fixed) + 2, question.position, 0)


def export(survey: Survey) -> Export:
    """The survey's answers as a table; ValidationError if an anonymous survey has too few."""
    responses = (
        Response.objects.filter(survey=survey)
        .select_related("respondent")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.only("question_id", "value")))
    )
    responses = list(responses)
    if survey.anonymous and len(responses) < ANONYMITY_THRESHOLD:
        raise ValidationError(
            f"This anonymous survey has {len(responses)} "
            f"response{'' if len(responses) == 1 else 's'}. Answers can be downloaded once at "
            f"least {ANONYMITY_THRESHOLD} people have answered, so that nobody's answers can be "
            "picked out."
        )
    cols = columns(list(survey.questions.all()))
    if survey.key == EXIT_SURVEY:
        cols.sort(key=_exit_order)
    lead: list[str] = []
    if survey.key == EXIT_SURVEY or survey.cohort_id:
        lead.append("cohort")
    if not survey.anonymous:
        lead += ["respondent", "email", "submitted_on"]
    header = lead + [name for name, _, _ in cols]
    rows: list[list[Any]] = []
    cohort = survey.cohort.number if survey.cohort_id else ""
    for response in responses:
        given = {a.question_id: a.value for a in response.answers.all()}
        row: list[Any] = []
        if "cohort" in lead:
            row.append(cohort)
        if not survey.anonymous:
            person = response.respondent
            row += [
                person.full_name if person else "",
                person.email if person else "",
                response.submitted_on.isoformat(),
            ]
        row += [cell(given.get(question.pk), key) for _, question, key in cols]
        rows.append(row)
    if survey.anonymous:
        rows.sort(key=lambda r: [str(c) for c in r])
    else:
        rows.sort(key=lambda r: (r[lead.index("submitted_on")], str(r[lead.index("respondent")])))
    name = EXIT_SURVEY if survey.key == EXIT_SURVEY else f"survey-{survey.pk}-{survey.key}"
    sheet = EXIT_SURVEY if survey.key == EXIT_SURVEY else "responses"
    return Export(filename=name, sheet=sheet, header=header, rows=rows)


def to_csv(table: Export) -> bytes:
    return exports.csv_bytes([table.header, *table.rows])


def to_xlsx(table: Export) -> bytes:
    return exports.xlsx_bytes([(table.sheet, [table.header, *table.rows])])
