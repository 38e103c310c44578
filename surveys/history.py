"""Surveys' table of the history import: exit_survey, one anonymous response per row.

Each row becomes a response (no respondent) to its cohort's history exit survey: the cohort's
exit survey that was never sent in this service (no invitations, created by nobody), made from
the template, closed, if there is none. Re-importing replaces the responses the history gave that
survey before, so nothing is counted twice; exit surveys sent in this service are never touched.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils import timezone

from fellowship.history import COHORT
from fellowship.importer import (
    CheckContext,
    Column,
    Rows,
    Table,
    TableReport,
    WriteContext,
    choice,
    multi_choice,
    positive_int,
    register,
)
from fellowship.models import Cohort

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


def _history_surveys(cohorts):
    """The exit surveys that hold the history's responses (sent, by nobody, to nobody)."""
    return Survey.objects.sent().filter(
        key=EXIT_SURVEY, cohort__in=cohorts, created_by__isnull=True, invitations__isnull=True
    )


def history_survey(cohort) -> Survey:
    """The cohort's exit survey that holds the history's responses, created if missing."""
    existing = _history_surveys([cohort]).order_by("created_at").first()
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


def check_exit_survey(rows: Rows, ctx: CheckContext) -> None:
    """Each cohort's history survey must still have the questions the table's columns answer."""
    numbers = {values["cohort"] for _, values in rows}
    have: dict[int, set[str]] = {}
    for survey in (
        _history_surveys(Cohort.objects.filter(number__in=numbers))
        .order_by("-created_at")
        .prefetch_related("questions")
        .select_related("cohort")
    ):
        have[survey.cohort.number] = {q.key for q in survey.questions.all()}
    first: dict[int, int] = {}
    for row, values in rows:
        first.setdefault(values["cohort"], row)
    for number, row in sorted(first.items()):
        if number not in have:
            continue  # made from the template, which has every question
        wanted = {
            key
            for _, values in rows
            if values["cohort"] == number
            for key in _question_keys(values)
        }
        missing = sorted(wanted - have[number])
        if missing:
            ctx.problem(
                "exit_survey",
                row,
                None,
                f"the exit survey of cohort {number} has no question {', '.join(missing)}; "
                "put it back in the exit survey before importing",
            )


def _canonical(answers: dict[str, Any]) -> str:
    return json.dumps(answers, sort_keys=True)


def write_exit_survey(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    cohorts = {
        c.number: c for c in Cohort.objects.filter(number__in={v["cohort"] for _, v in rows})
    }
    by_cohort: dict[int, list[dict[str, Any]]] = {}
    for _, values in rows:
        by_cohort.setdefault(values["cohort"], []).append(values)
    for number, cohort_rows in sorted(by_cohort.items()):
        known = _history_surveys([cohorts[number]]).exists()
        survey = history_survey(cohorts[number])
        if not known:
            ctx.created(Survey, [survey])  # its key differs between a dry run and the import
        questions = {q.key: q for q in survey.questions.all()}
        components = sorted(
            {c.split(":", 1)[1] for v in cohort_rows for c in v if c.startswith("valuable:")}
        )
        if components:
            _grid_rows(questions["valuable"], components)
        given: dict[Any, dict[str, Any]] = {}
        for response_id, key, value in Answer.objects.filter(response__survey=survey).values_list(
            "response_id", "question__key", "value"
        ):
            given.setdefault(response_id, {})[key] = value
        previous = Response.objects.filter(survey=survey).count()
        before = sorted([_canonical(a) for a in given.values()] + ["{}"] * (previous - len(given)))
        ctx.saw("exit_survey", number, ctx.ident(survey), before)
        new = [_answers(values, questions) for values in cohort_rows]
        if sorted(_canonical(a) for a in new) == before:
            report.unchanged += len(new)
            continue
        Response.objects.filter(survey=survey).delete()
        submitted_on = cohorts[number].end_date or timezone.localdate()
        responses = Response.objects.bulk_create(
            Response(survey=survey, submitted_on=submitted_on) for _ in new
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=questions[key], value=value)
            for response, answers in zip(responses, new, strict=True)
            for key, value in answers.items()
        )
        report.updated += min(previous, len(new))
        report.created += max(0, len(new) - previous)


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
        references=(COHORT,),
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
        check=check_exit_survey,
        write=write_exit_survey,
    )
)
