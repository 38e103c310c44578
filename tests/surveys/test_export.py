"""Exports: one row per response, a column per question key (grids as KEY:ROW), `;`-joined
multiple picks, blanks for no answer; no person or time for anonymous surveys; the threshold."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fellowship.enums import Role
from surveys import export as exporting
from surveys import services
from surveys.enums import ANONYMITY_THRESHOLD
from surveys.models import Answer, Response
from tests.conftest import make_person
from tests.factories import CohortFactory, UserFactory
from tests.paths import EXAMPLE_HISTORY

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_HISTORY

EXIT_COLUMNS = (
    ["cohort", "recommend"]
    + [
        f"achieved:{t}"
        for t in (
            "ai_fundamentals",
            "regulation_standards",
            "validation_evaluation",
            "integration_systems",
            "strategy_culture",
        )
    ]
    + [
        f"apply:{t}"
        for t in (
            "ai_fundamentals",
            "regulation_standards",
            "validation_evaluation",
            "integration_systems",
            "strategy_culture",
        )
    ]
    + [
        f"valuable:{c}"
        for c in (
            "project_placement",
            "masterclass_workshops",
            "networking",
            "datacamp",
            "kcl_innovation_scholars",
        )
    ]
    + ["archetypes", "career_next_12_months"]
)


def respond(survey, answers, person=None):
    """Store answers as given (imported history may leave required questions blank)."""
    questions = {q.key: q for q in survey.questions.all()}
    cleaned = {questions[k]: v for k, v in answers.items() if v not in (None, "", [], {})}
    response = Response.objects.create(
        survey=survey, respondent=person, submitted_on=timezone.localdate()
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in cleaned.items()
    )


def exit_survey(n: int, *, closed: bool = True):
    """The cohort's exit survey (anonymous) with n responses; closed unless asked otherwise."""
    now = timezone.now()
    survey = services.create_from_template(
        "exit_survey",
        by=None,
        cohort=CohortFactory(number=7),
        opens_at=now - timedelta(days=30),
        closes_at=now + (-timedelta(days=1) if closed else timedelta(days=1)),
    )
    themes = dict.fromkeys(
        [
            "ai_fundamentals",
            "regulation_standards",
            "validation_evaluation",
            "integration_systems",
            "strategy_culture",
        ],
        "yes",
    )
    for i in range(n):
        respond(
            survey,
            {
                "recommend": "recommend" if i else "strongly_recommend",
                "archetypes": ["driver", "embedder"],
                "career_next_12_months": [],
                "achieved": themes,
                "apply": {**themes, "strategy_culture": "no"},
                "valuable": {"networking": "agree"},
            },
        )
    return survey


def test_exit_survey_export_has_exactly_the_import_tables_columns():
    table = exporting.export(exit_survey(ANONYMITY_THRESHOLD))
    assert sorted(table.header) == sorted(EXIT_COLUMNS)
    assert table.header[0] == "cohort"
    row = dict(zip(table.header, table.rows[-1], strict=True))
    assert row["cohort"] == 7
    assert row["recommend"] == "strongly_recommend"
    assert row["archetypes"] == "driver;embedder"
    assert row["career_next_12_months"] == ""  # not answered
    assert row["apply:strategy_culture"] == "no" and row["achieved:strategy_culture"] == "yes"
    assert row["valuable:networking"] == "agree" and row["valuable:datacamp"] == ""


def test_anonymous_exports_hold_no_person_and_no_time():
    table = exporting.export(exit_survey(ANONYMITY_THRESHOLD))
    assert not {"respondent", "email", "submitted_on"} & set(table.header)
    text = exporting.to_csv(table).decode()
    assert str(timezone.localdate().year) not in text


def test_anonymous_export_is_refused_below_the_threshold():
    survey = exit_survey(ANONYMITY_THRESHOLD - 1)
    with pytest.raises(Exception, match=f"at least {ANONYMITY_THRESHOLD} people"):
        exporting.export(survey)


def test_named_export_has_the_respondent_and_the_date():
    survey = services.create_from_template("alumni", by=None)
    person = UserFactory(full_name="Ada Alumna", email="ada@example.nhs.uk")
    respond(
        survey,
        {
            "current_role": "academic",
            "ai_work_scope": ["research", "education"],
            "achievements": "=SUM(A1)",
        },
        person,
    )
    table = exporting.export(survey)
    assert table.header[:3] == ["respondent", "email", "submitted_on"]
    row = dict(zip(table.header, table.rows[0], strict=True))
    assert row["respondent"] == "Ada Alumna" and row["ai_work_scope"] == "research;education"
    assert row["challenges"] == ""
    parsed = list(csv.reader(io.StringIO(exporting.to_csv(table).decode())))
    assert parsed[1][parsed[0].index("achievements")] == "'=SUM(A1)"  # never run as a formula


def test_faculty_download_csv_and_xlsx(login):
    survey = exit_survey(ANONYMITY_THRESHOLD)
    c = login(make_person(Role.FACULTY))
    got = c.get(reverse("survey_export", args=[survey.pk, "csv"]))
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    assert 'filename="exit_survey.csv"' in got["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode())))
    assert len(rows) == 1 + ANONYMITY_THRESHOLD

    got = c.get(reverse("survey_export", args=[survey.pk, "xlsx"]))
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.content))["exit_survey"]
    assert sheet["A1"].value == "cohort"
    assert sheet.max_row == 1 + ANONYMITY_THRESHOLD


def test_unknown_format_is_not_found_and_small_anonymous_export_is_refused(login):
    c = login(make_person(Role.FACULTY))
    survey = exit_survey(2)
    assert c.get(reverse("survey_export", args=[survey.pk, "pdf"])).status_code == 404
    refused = c.get(reverse("survey_export", args=[survey.pk, "csv"]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("survey_results", args=[survey.pk])
    assert "Fewer than 5 people answered this anonymous survey" in refused.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_open_anonymous_survey_cannot_be_downloaded_however_many_answered(login, fmt):
    """Two downloads, before and after one more answer, would give that answer as the new row."""
    c = login(make_person(Role.FACULTY))
    survey = exit_survey(ANONYMITY_THRESHOLD * 2, closed=False)
    refused = c.get(reverse("survey_export", args=[survey.pk, fmt]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("survey_results", args=[survey.pk])
    html = refused.content.decode()
    assert "This anonymous survey is still open" in html and "strongly_recommend" not in html
    with pytest.raises(Exception, match="still open"):
        services.check_released(survey)


def test_only_faculty_may_export(login):
    survey = exit_survey(ANONYMITY_THRESHOLD)
    c = login(make_person(Role.FELLOW))
    assert c.get(reverse("survey_export", args=[survey.pk, "csv"])).status_code == 403


def test_exit_survey_columns_follow_the_import_tables_order():
    table = exporting.export(exit_survey(ANONYMITY_THRESHOLD))
    assert table.header[:8] == [
        "cohort",
        "recommend",
        "archetypes",
        "career_next_12_months",
        "achieved:ai_fundamentals",
        "apply:ai_fundamentals",
        "achieved:regulation_standards",
        "apply:regulation_standards",
    ]
    assert table.header[-5:] == EXIT_COLUMNS[-7:-2]
    # The spec's example file starts with the same columns.
    example = (EXAMPLE / "exit_survey.csv").read_text().splitlines()[0].split(",")
    assert [c for c in table.header if c in example] == example
