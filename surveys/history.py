"""Surveys' table of the history import: exit_survey, one anonymous response per row.

Each row becomes a response (no respondent) to its cohort's history exit survey: the cohort's
exit survey that was never sent in this service (no invitations, created by nobody), made from
the template, closed, if there is none. Re-importing replaces the responses the history gave that
survey before, so nothing is counted twice; exit surveys sent in this service are never touched.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fellowship.history import Lookups, Rows
from fellowship.importer import (
    Column,
    Table,
    TableReport,
    choice,
    multi_choice,
    positive_int,
    register,
)

from .builder import EXIT_SURVEY, TEMPLATES, THEMES
from .enums import Agreement, YesNo
from .models import Answer, Question, Response, Survey
from .services import create_from_template

_EXIT = {q["key"]: q for q in TEMPLATES[EXIT_SURVEY]["questions"]}
RECOMMEND = [value for value, _ in _EXIT["recommend"]["options"]]
ARCHETYPES = [value for value, _ in _EXIT["archetypes"]["options"]]
CAREERS = [value for value, _ in _EXIT["career_next_12_months"]["options"]]
THEME_KEYS = [key for key, _ in THEMES]
HISTORY_AUDIENCE = "Fellows of the cohort (imported from the programme history)"


def history_survey(cohort) -> Survey:
    """The cohort's exit survey that holds the history's responses, created if missing."""
    existing = (
        Survey.objects.sent()
        .filter(key=EXIT_SURVEY, cohort=cohort, created_by__isnull=True, invitations__isnull=True)
        .order_by("created_at")
        .first()
    )
    if existing is not None:
        return existing
    end = cohort.end_date or timezone.localdate()
    closes = timezone.make_aware(datetime.datetime.combine(end, datetime.time(23, 59)))
    return create_from_template(
        EXIT_SURVEY,
        by=None,
        cohort=cohort,
        title=f"Exit survey: {cohort}",
        audience=HISTORY_AUDIENCE,
        opens_at=closes - datetime.timedelta(days=28),
        closes_at=closes,
    )


def _grid_rows(question: Question, keys: list[str]) -> None:
    """Add rows the import names that the survey's grid lacks (faculty may add components)."""
    known = {row for row, _ in question.rows}
    new = [key for key in keys if key not in known]
    if new:
        question.rows = [
            *question.rows,
            *([key, key.replace("_", " ").capitalize()] for key in new),
        ]
        question.save(update_fields=["rows"])


def write_exit_survey(rows: Rows, report: TableReport) -> None:
    lookups = Lookups()
    by_cohort: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    cohorts = {}
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        if cohort is None:
            continue
        cohorts[cohort.pk] = cohort
        by_cohort.setdefault(cohort.pk, []).append((row, values))
    for cohort_pk, cohort_rows in by_cohort.items():
        cohort = cohorts[cohort_pk]
        survey = history_survey(cohort)
        questions = {q.key: q for q in survey.questions.all()}
        missing = sorted(_question_keys(cohort_rows[0][1]) - set(questions))
        if missing:
            report.problem(
                cohort_rows[0][0],
                None,
                f"{survey.title} has no question {', '.join(missing)}; "
                "put it back in the exit survey before importing",
            )
            continue
        components = sorted(
            {c.split(":", 1)[1] for _, v in cohort_rows for c in v if c.startswith("valuable:")}
        )
        if components:
            _grid_rows(questions["valuable"], components)
        previous = Response.objects.filter(survey=survey).count()
        Response.objects.filter(survey=survey).delete()
        submitted_on = cohort.end_date or timezone.localdate()
        answers: list[Answer] = []
        for index, (_, values) in enumerate(cohort_rows):
            response = Response.objects.create(survey=survey, submitted_on=submitted_on)
            for key, value in _answers(values, questions).items():
                answers.append(Answer(response=response, question=questions[key], value=value))
            report.count(created=index >= previous)
        Answer.objects.bulk_create(answers)


def _question_keys(values: dict[str, Any]) -> set[str]:
    """The questions a row's columns belong to (whether answered or not)."""
    return {column.split(":", 1)[0] for column in values if column != "cohort"}


def _answers(values: dict[str, Any], questions: dict[str, Question]) -> dict[str, Any]:
    """The stored answers of one row; blank cells are "did not answer" and store nothing."""
    out: dict[str, Any] = {}
    if values.get("recommend"):
        out["recommend"] = values["recommend"]
    for key, order in (("archetypes", ARCHETYPES), ("career_next_12_months", CAREERS)):
        if values.get(key):
            out[key] = sorted(values[key], key=order.index)
    for grid in ("achieved", "apply", "valuable"):
        picked = {
            column.split(":", 1)[1]: value
            for column, value in values.items()
            if column.startswith(f"{grid}:") and value
        }
        if picked:
            out[grid] = {row: picked[row] for row, _ in questions[grid].rows if row in picked}
    return out


_YES_NO = choice(YesNo.values, blank=True)
_AGREEMENT = choice(Agreement.values, blank=True)
_THEME = "|".join(THEME_KEYS)

register(
    Table(
        name="exit_survey",
        owner="surveys",
        after=("cohorts",),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("recommend", choice(RECOMMEND, blank=True)),
            Column("archetypes", multi_choice(ARCHETYPES)),
            Column("career_next_12_months", multi_choice(CAREERS)),
        ],
        column_patterns=[
            (rf"achieved:(?:{_THEME})", _YES_NO),
            (rf"apply:(?:{_THEME})", _YES_NO),
            (r"valuable:[a-z0-9_]+", _AGREEMENT),
        ],
        write=write_exit_survey,
    )
)
