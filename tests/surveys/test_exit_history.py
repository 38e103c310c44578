"""The exit_survey table of the history import: anonymous responses per cohort, all-or-nothing,
re-import replaces rather than duplicates, and an export re-imports."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import call_command

from fellowship.importer import ImportFailed, import_tables, read_sources
from fellowship.models import Cohort
from surveys import export as exporting
from surveys import services
from surveys.enums import QuestionKind
from surveys.history import history_survey
from surveys.models import Answer, Invitation, Response, Survey
from tests.factories import UserFactory
from tests.paths import EXAMPLE_HISTORY

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_HISTORY
COHORTS = "number,start_date,end_date\n1,2021-09-01,2022-08-31\n2,2022-09-01,2023-08-31\n"
HEADER = (
    "cohort,recommend,archetypes,career_next_12_months,achieved:ai_fundamentals,"
    "apply:ai_fundamentals,valuable:project_placement,valuable:networking"
)
EXIT = (
    HEADER + "\n"
    "1,strongly_recommend,driver;embedder,continue_fellowship_project,yes,yes,strongly_agree,agree\n"
    "1,recommend,embedder,,yes,no,agree,\n"
    "2,neutral,,other,,,,\n"
)


def run(**tables: str):
    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in tables.items())
    )


def problems_of(**tables: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        run(**tables)
    return failure.value.messages


def answers_of(survey: Survey) -> list[dict]:
    out: dict = {}
    for response_id, key, value in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "question__key", "value"
    ):
        out.setdefault(response_id, {})[key] = value
    return sorted(out.values(), key=repr)


def test_rows_become_anonymous_responses_of_each_cohorts_exit_survey():
    result = run(cohorts=COHORTS, exit_survey=EXIT)

    assert "exit_survey: 3 created, 0 updated, 0 unchanged" in result.summary
    one = Survey.objects.get(key="exit_survey", cohort__number=1)
    assert one.anonymous and not one.is_template and not one.is_open()
    assert one.closes_at.date().isoformat() == "2022-08-31"
    assert not Invitation.objects.filter(survey=one).exists()
    assert Response.objects.filter(survey=one).count() == 2
    assert not Response.objects.filter(respondent__isnull=False).exists()
    assert {r.submitted_on.isoformat() for r in Response.objects.filter(survey=one)} == {
        "2022-08-31"
    }
    assert answers_of(one) == sorted(
        [
            {
                "recommend": "strongly_recommend",
                "archetypes": ["driver", "embedder"],
                "career_next_12_months": ["continue_fellowship_project"],
                "achieved": {"ai_fundamentals": "yes"},
                "apply": {"ai_fundamentals": "yes"},
                "valuable": {"project_placement": "strongly_agree", "networking": "agree"},
            },
            # Blank cells are "did not answer": no answer is stored for them.
            {
                "recommend": "recommend",
                "archetypes": ["embedder"],
                "achieved": {"ai_fundamentals": "yes"},
                "apply": {"ai_fundamentals": "no"},
                "valuable": {"project_placement": "agree"},
            },
        ],
        key=repr,
    )
    two = Survey.objects.get(key="exit_survey", cohort__number=2)
    assert answers_of(two) == [{"recommend": "neutral", "career_next_12_months": ["other"]}]


def test_results_of_an_imported_survey_count_over_those_who_answered():
    rows = "\n".join(
        [
            HEADER,
            "1,strongly_recommend,driver,,yes,yes,strongly_agree,",
            "1,strongly_recommend,driver;embedder,,yes,no,agree,",
            "1,recommend,,,no,,disagree,",
            "1,,embedder,,yes,yes,,",
            "1,neutral,driver,,yes,yes,agree,",
        ]
    )
    run(cohorts=COHORTS, exit_survey=rows)
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)
    outcome = services.results(survey)
    by_key = {q.question.key: q for q in outcome.questions}
    recommend = {o.value: o.display for o in by_key["recommend"].options}
    assert recommend["strongly_recommend"] == "2 (50%)"  # 4 answered
    archetypes = {o.value: o.display for o in by_key["archetypes"].options}
    assert archetypes["driver"] == "3 (75%)" and archetypes["embedder"] == "2 (50%)"
    achieved = {r.key: r for r in by_key["achieved"].rows}["ai_fundamentals"]
    assert [(o.value, o.count, o.percent) for o in achieved.options] == [
        ("yes", 4, 80),
        ("no", 1, 20),
    ]
    apply = {r.key: r for r in by_key["apply"].rows}["ai_fundamentals"]
    assert apply.answered == 4 and apply.options[0].percent == 75


def test_the_results_page_of_an_imported_survey_says_where_its_answers_came_from(faculty_client):
    from django.urls import reverse

    rows = "\n".join([HEADER, *["1,recommend,driver,,yes,yes,agree,"] * 5])
    run(cohorts=COHORTS, exit_survey=rows)
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)
    html = faculty_client.get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert (
        "imported from the programme history" in html
        and 'Sent to</dt><dd class="nhsuk-summary-list__value">0' not in html
    )


def test_reimporting_replaces_the_cohorts_imported_responses():
    run(cohorts=COHORTS, exit_survey=EXIT)
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)

    result = run(exit_survey=EXIT)

    assert "exit_survey: 0 created, 0 updated, 3 unchanged" in result.summary
    assert Survey.objects.filter(key="exit_survey", is_template=False).count() == 2
    assert Response.objects.filter(survey=survey).count() == 2
    assert Response.objects.count() == 3

    fewer = HEADER + "\n1,neutral,,,,,,\n"
    run(exit_survey=fewer)
    assert answers_of(survey) == [{"recommend": "neutral"}]
    assert Response.objects.filter(survey__cohort__number=2).count() == 1  # other cohort kept


def test_an_exit_survey_sent_in_the_service_is_never_touched():
    run(cohorts=COHORTS)
    cohort = Cohort.objects.get(number=1)
    sent = services.create_from_template("exit_survey", by=None, cohort=cohort)
    Invitation.objects.create(survey=sent, person=UserFactory())

    run(exit_survey=EXIT)

    assert history_survey(cohort) != sent
    assert not Response.objects.filter(survey=sent).exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("1,recommend_highly,,,,,,", "exit_survey row 2, column recommend: must be one of"),
        ("1,,driver;boss,,,,,", "exit_survey row 2, column archetypes: boss not one of"),
        (
            "1,,,retire,,,,",
            "exit_survey row 2, column career_next_12_months: retire not one of",
        ),
        ("1,,,,maybe,,,", "exit_survey row 2, column achieved:ai_fundamentals: must be one of"),
        ("1,,,,,y e s,,", "exit_survey row 2, column apply:ai_fundamentals: must be one of"),
        ("1,,,,,,very,", "exit_survey row 2, column valuable:project_placement: must be one of"),
        ("x,,,,,,,", "exit_survey row 2, column cohort: must be a whole number"),
        ("9,,,,,,,", "exit_survey row 2, column cohort: cohort 9 is not in the cohorts table"),
    ],
)
def test_each_bad_cell_is_reported_and_nothing_is_written(row, expected):
    problems = problems_of(cohorts=COHORTS, exit_survey=HEADER + "\n" + row + "\n")
    assert any(p.startswith(expected) for p in problems), problems
    assert not Response.objects.exists()
    assert not Cohort.objects.exists()


def test_unknown_theme_columns_are_refused():
    problems = problems_of(cohorts=COHORTS, exit_survey="cohort,achieved:knitting\n1,yes\n")
    assert problems == [
        "exit_survey row 1, column achieved:knitting: is not a column of this table"
    ]


def test_a_new_course_component_becomes_a_row_of_the_valuable_grid():
    run(cohorts=COHORTS, exit_survey="cohort,valuable:hackathon\n1,agree\n")
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)
    valuable = survey.questions.get(key="valuable")
    assert valuable.kind == QuestionKind.GRID
    assert ["hackathon", "Hackathon"] in valuable.rows
    assert answers_of(survey) == [{"valuable": {"hackathon": "agree"}}]


def test_the_spec_example_folder_imports_cleanly(tmp_path):
    folder = tmp_path / "history"
    shutil.copytree(EXAMPLE, folder)
    out = io.StringIO()

    call_command("import_history", str(folder), stdout=out)

    assert "exit_survey: 2 created, 0 updated, 0 unchanged" in out.getvalue()
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)
    assert Response.objects.filter(survey=survey).count() == 2


def test_an_export_reimports_to_the_same_answers(tmp_path):
    rows = [HEADER] + [
        f"1,{rec},{arch},{career},{ach},{app},{val},"
        for rec, arch, career, ach, app, val in [
            (
                "strongly_recommend",
                "driver;embedder",
                "continue_fellowship_project",
                "yes",
                "yes",
                "agree",
            ),
            ("recommend", "shaper", "", "yes", "no", "strongly_agree"),
            ("neutral", "", "msc_phd_in_ai;other", "no", "", ""),
            ("strongly_recommend", "user", "private_sector", "yes", "yes", "disagree"),
            ("", "creator", "full_time_clinical", "", "yes", "neutral"),
        ]
    ]
    run(cohorts=COHORTS, exit_survey="\n".join(rows) + "\n")
    survey = Survey.objects.get(key="exit_survey", cohort__number=1)
    before = answers_of(survey)

    for fmt, write in (("csv", exporting.to_csv), ("xlsx", exporting.to_xlsx)):
        table = exporting.export(survey)
        assert table.header[0] == "cohort"
        assert table.filename == "exit_survey"
        folder = tmp_path / fmt
        folder.mkdir()
        (folder / f"exit_survey.{fmt}").write_bytes(write(table))
        call_command("import_history", str(folder / f"exit_survey.{fmt}"), stdout=io.StringIO())
        assert answers_of(survey) == before
        assert Survey.objects.filter(key="exit_survey", cohort__number=1).count() == 1
