"""The history's workshops table may give each workshop's length in minutes: a blank cell is an
unknown length, a good one is stored, and a bad one (not a whole number, zero, negative, over 12
hours) refuses the whole import, naming the row and the column, with nothing written."""

from __future__ import annotations

import pytest

from fellowship.models import Workshop

from .history_runner import table_counts, workbook
from .test_history_import import COHORTS, problems_of, run, runner  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HEADER = "cohort,date,title,host_organisation,regional_showcase,duration_minutes\n"


def test_workshop_lengths_are_imported_and_a_blank_one_stays_unknown():
    run(
        cohorts=COHORTS,
        workshops=HEADER + "2,2022-10-04,AI bootcamp,,no,420\n2,2022-11-15,Showcase,,yes,\n",
    )

    assert dict(Workshop.objects.values_list("title", "duration_minutes")) == {
        "AI bootcamp": 420,
        "Showcase": None,
    }


def test_a_workshop_of_exactly_12_hours_is_accepted():
    run(cohorts=COHORTS, workshops=HEADER + "2,2022-10-04,Long day,,no,720\n")
    assert Workshop.objects.get().duration_minutes == 720


def test_importing_again_without_the_column_keeps_the_lengths():
    run(cohorts=COHORTS, workshops=HEADER + "2,2022-10-04,AI bootcamp,,no,420\n")
    run(cohorts=COHORTS, workshops="cohort,date,title\n2,2022-10-04,AI bootcamp\n")
    assert Workshop.objects.get().duration_minutes == 420


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("721", "must be from 1 to 720 minutes (12 hours), not 721"),
        ("0", "must be from 1 to 720 minutes (12 hours), not 0"),
        ("-30", "must be from 1 to 720 minutes (12 hours), not -30"),
        ("6.5", "must be a whole number of minutes, such as 390 for 6 hours 30 minutes, not '6.5'"),
        ("6 hours", "must be a whole number of minutes"),
        ("99999999999999999999", "must be a whole number of minutes"),
        ("٣٩٠", "must be a whole number of minutes"),  # Arabic-Indic digits
    ],
)
def test_a_bad_workshop_length_is_refused_naming_row_and_column_and_nothing_is_written(
    cell, message
):
    before = table_counts()

    problems = problems_of(
        cohorts=COHORTS,
        workshops=HEADER
        + "2,2022-10-04,AI bootcamp,,no,420\n"
        + f"2,2022-11-15,Showcase,,yes,{cell}\n",
    )

    assert len(problems) == 1
    assert problems[0].startswith("workshops row 3, column duration_minutes: ")
    assert message in problems[0]
    assert table_counts() == before


def test_a_bad_length_in_a_workbook_is_refused_through_the_command_and_the_page(runner):  # noqa: F811
    before = table_counts()
    book = workbook(
        {
            "cohorts": [["number"], [2]],
            "workshops": [
                ["cohort", "date", "title", "duration_minutes"],
                [2, "2022-10-04", "AI bootcamp", 390],
                [2, "2022-10-05", "Overnight hackathon", 1440],
            ],
        }
    )

    outcome = runner.run({"history.xlsx": book})

    assert not outcome.ok
    assert "workshops row 3, column duration_minutes: must be from 1 to 720 minutes" in outcome.text
    assert table_counts() == before
