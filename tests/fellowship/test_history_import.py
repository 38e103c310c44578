"""The history import (format version 2), held to each promise through both the command and the
faculty upload page: good rows, spreadsheet clutter tolerated, every problem of every table in one
run with nothing written, keys and references checked before writing, re-import changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fellowship.enums import FellowStatus, SpeakerSector
from fellowship.importer import ImportFailed, import_tables, read_sources
from fellowship.models import (
    Cohort,
    Fellow,
    Funder,
    Organisation,
    Region,
    Speaker,
    Workshop,
    programme,
)
from portfolio.models import PortfolioEntry
from tests.paths import EXAMPLE_HISTORY

from .history_runner import CommandRunner, PageRunner, table_counts

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_HISTORY
COHORTS = "number,start_date,end_date\n1,2021-09-01,2022-08-31\n2,2022-09-01,2023-08-31\n"
FELLOWS = (
    "ref,cohort,region,profession,specialty,funder,status,project\n"
    "F-0101,1,London,medicine,Radiology,NHS England WTE,graduated,\n"
    "F-0201,2,Kent Surrey and Sussex,pharmacy,,NHS England WTE,in_post,\n"
)
WORKSHOPS = (
    "cohort,date,title,host_organisation,regional_showcase\n"
    "2,2022-11-15,Regional showcase: imaging AI,Oxford University Hospitals,yes\n"
    "2,2022-10-04,AI bootcamp,,no\n"
)


def example_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(EXAMPLE.glob("*.csv"))}


@pytest.fixture(params=["command", "page"])
def runner(request, tmp_path):
    if request.param == "command":
        return CommandRunner(tmp_path)
    return PageRunner(request.getfixturevalue("faculty_client"))


def run(**tables: str):
    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in tables.items())
    )


def problems_of(**tables: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        run(**tables)
    return failure.value.messages


# Good files -------------------------------------------------------------------------------------


def test_the_example_history_imports_every_table_and_a_second_import_changes_nothing(runner):
    first = runner.run(example_files())

    assert first.ok, first.text
    for table, created in {
        "programme": 1,
        "cohorts": 2,
        "fellows": 4,
        "projects": 4,
        "speakers": 2,
        "portfolio": 2,
    }.items():
        assert first.summary(table) == (created, 0, 0)
    assert (programme().name, programme().short_name, programme().website) == (
        "Example Fellowship in Clinical AI",
        "EFCAI",
        "https://fellowship.example",
    )
    speaker = Speaker.objects.get(name="Alex Sample")
    assert (speaker.workshop.title, speaker.sector, speaker.affiliation, speaker.role_title) == (
        "AI bootcamp",
        SpeakerSector.REGULATOR,
        "Medicines and Healthcare products Regulatory Agency",
        "Software group lead",
    )
    assert PortfolioEntry.objects.get(kind="publication").academic_coauthors is True
    counts = table_counts()

    second = runner.run(example_files())

    assert second.ok, second.text
    for table in (
        "programme",
        "cohorts",
        "fellows",
        "applicants",
        "projects",
        "mentoring",
        "exit_survey",
        "workshops",
        "portfolio",
        "speakers",
    ):
        created, updated, unchanged = second.summary(table)
        assert (created, updated) == (0, 0) and unchanged > 0, (table, second.text)
    counts_after = table_counts()
    counts.pop("fellowship.HistoryImport"), counts_after.pop("fellowship.HistoryImport")
    assert counts_after == counts


def test_fellow_names_and_invitation_addresses_are_stored_and_blank_keeps_them():
    run(
        cohorts=COHORTS,
        fellows="ref,cohort,region,profession,status,name,email\nF-1,1,Wales,nursing,in_post,Ada Lovelace,Ada@Example.NHS.uk\n",
    )
    fellow = Fellow.objects.get(ref="F-1")
    assert (fellow.display_name, fellow.email) == ("Ada Lovelace", "ada@example.nhs.uk")

    run(fellows="ref,cohort,region,profession,status,name,email\nF-1,1,Wales,nursing,graduated,,\n")

    fellow.refresh_from_db()
    assert (fellow.full_name, fellow.email, fellow.status) == (
        "Ada Lovelace",
        "ada@example.nhs.uk",
        "graduated",
    )
    assert problems_of(
        fellows="ref,cohort,region,profession,status,email\nF-1,1,Wales,nursing,in_post,not-an-address\n"
    ) == [
        "fellows row 2, column email: must be an e-mail address such as name@example.nhs.uk, not 'not-an-address'"
    ]


def test_good_rows_create_cohorts_fellows_and_workshops():
    result = run(cohorts=COHORTS, fellows=FELLOWS, workshops=WORKSHOPS)

    assert result.summary == [
        "cohorts: 2 created, 0 updated, 0 unchanged",
        "fellows: 2 created, 0 updated, 0 unchanged",
        "workshops: 2 created, 0 updated, 0 unchanged",
    ]
    fellow = Fellow.objects.get(ref="F-0101")
    assert (fellow.cohort.number, fellow.region.name, fellow.funder.name) == (
        1,
        "London",
        "NHS England WTE",
    )
    assert fellow.status == FellowStatus.GRADUATED
    assert fellow.history.count() == 1  # bulk writes keep the audit history
    assert Fellow.objects.get(ref="F-0201").funder == fellow.funder  # one funder, created once
    showcase = Workshop.objects.get(title__startswith="Regional showcase")
    assert (
        showcase.regional_showcase
        and showcase.host_organisation.name == "Oxford University Hospitals"
    )
    assert Workshop.objects.get(title="AI bootcamp").host_organisation is None


def test_tables_are_written_in_dependency_order_whatever_the_file_order():
    files = [
        ("workshops.csv", WORKSHOPS.encode()),
        ("fellows.csv", FELLOWS.encode()),
        ("cohorts.csv", COHORTS.encode()),
    ]
    import_tables(read_sources(files))
    assert Cohort.objects.count() == 2 and Fellow.objects.count() == 2


def test_reimport_updates_in_place_without_duplicates():
    run(cohorts=COHORTS, fellows=FELLOWS, workshops=WORKSHOPS)
    changed = FELLOWS.replace(
        "F-0201,2,Kent Surrey and Sussex,pharmacy,,NHS England WTE,in_post",
        "F-0201,2,kent surrey and sussex,pharmacy,,NHS England WTE,graduated",
    )

    result = run(cohorts=COHORTS, fellows=changed, workshops=WORKSHOPS)

    assert result.summary[1] == "fellows: 0 created, 1 updated, 1 unchanged"
    assert (
        Fellow.objects.count() == 2
        and Workshop.objects.count() == 2
        and Cohort.objects.count() == 2
    )
    assert Fellow.objects.get(ref="F-0201").status == FellowStatus.GRADUATED
    assert Region.objects.count() == 2  # region names match whatever their case
    assert Funder.objects.count() == 1 and Organisation.objects.count() == 1


# What spreadsheets carry besides data ----------------------------------------------------------


def test_notes_sheets_blank_columns_empty_rows_and_untidy_headers_are_tolerated(runner):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Exported from the programme office tracker; do not edit the header row"])
    cohorts = book.create_sheet("  Cohorts ")
    cohorts.append([" NUMBER ", "Start_Date", "end_date", None])
    cohorts.append([1, "2021-09-01", "2022-08-31"])
    cohorts.append([])  # an empty row
    cohorts.append([None, None, None])
    cohorts.append([2, "2022-09-01", None])
    cohorts["E3"].font = Font(bold=True)  # formatting only: no header, no value
    buffer = io.BytesIO()
    book.save(buffer)

    outcome = runner.run({"history.xlsx": buffer.getvalue()})

    assert outcome.ok, outcome.text
    assert "Notes (sheet)" in outcome.text
    assert outcome.summary("cohorts") == (2, 0, 0)
    assert sorted(Cohort.objects.values_list("number", flat=True)) == [1, 2]


def test_a_csv_file_that_is_not_a_table_is_skipped_and_named(runner):
    outcome = runner.run(
        {"cohorts.csv": COHORTS.encode(), "read me.csv": b"anything,at all\n1,2\n"}
    )
    assert outcome.ok, outcome.text
    assert "read me" in outcome.text
    assert Cohort.objects.count() == 2


def test_a_value_in_a_column_without_a_header_is_a_problem():
    assert problems_of(cohorts="number,,start_date\n1,,2021-09-01\n2,oops,\n") == [
        "cohorts row 3, column B: has a value but the column has no header"
    ]


def test_a_file_that_is_not_csv_xlsx_or_zip_is_refused(runner):
    if runner.name == "command":
        return  # the command reads only .csv files from a folder
    outcome = runner.run({"notes.txt": b"hello"})
    assert (
        not outcome.ok
        and "must be a .csv file, an .xlsx workbook or a .zip of CSV files" in outcome.text
    )


# Every problem, in one run, before anything is written ----------------------------------------

BAD_TABLES = {
    "programme.csv": b"name,short_name,website\nExample programme,EP,ftp://example.org\nSecond,S,\n",
    "cohorts.csv": b"number,start_date,end_date\n1,2021-13-01,\n2,2022-09-01,2022-01-01\n1,,\n",
    "fellows.csv": (
        b"ref,cohort,region,profession,status,project,colour\n"
        b"F-1,1,London,surgery,in_post,,red\n"
        b"F-2,9,London,medicine,in_post,P-404,\n"
        b"F-1,2,London,medicine,in_post,,\n"
    ),
    "mentoring.csv": b"cohort,mentor,mentee\n2,F-0999,F-2\n",
    "portfolio.csv": b"fellow,kind,title,academic_coauthor\nF-9999,prize,Best poster,\nF-2,prize,Best talk,yes\n",
    "speakers.csv": b"cohort,workshop,name,organisation,sector\n2,No such day,Sam,Example Ltd,industry\n2,No such day,Kim,Example Ltd,lobbyist\n",
    "workshops.csv": b"cohort,date,title,regional_showcase\n2,2022-01-01,Day,maybe\n",
}
EXPECTED = [
    "programme row 2, column website: must be a web address starting with https://, not 'ftp://example.org'",
    "cohorts row 2, column start_date: must be a date written as YYYY-MM-DD, not '2021-13-01'",
    "cohorts row 4, column number: cohort 1 appears twice, in rows 2 and 4",
    "fellows row 1, column colour: is not a column of this table",
    "fellows row 2, column profession: must be one of medicine",
    "fellows row 4, column ref: fellow F-1 appears twice, in rows 2 and 4",
    "fellows row 3, column cohort: cohort 9 is not in the cohorts table or the database",
    "fellows row 3, column project: project P-404 is not in the projects table or the database",
    "mentoring row 2, column mentor: fellow F-0999 is not in the fellows table or the database",
    "portfolio row 2, column fellow: fellow F-9999 is not in the fellows table or the database",
    "portfolio row 3, column academic_coauthor: can be yes only for entries of kind publication",
    "speakers row 2, column workshop: cohort 2 has no workshop called 'No such day'",
    "speakers row 3, column sector: must be one of nhs, academia, industry, regulator, government, charity, not 'lobbyist'",
    "workshops row 2, column regional_showcase: must be yes or no, not 'maybe'",
    "programme row 3: the programme table has one row",
    "cohorts row 3, column end_date: must be after start_date",
]


def test_every_problem_of_every_table_is_reported_in_one_run_and_nothing_is_written(runner):
    before = table_counts()

    outcome = runner.run(BAD_TABLES)

    assert not outcome.ok
    missing = [message for message in EXPECTED if message not in outcome.text]
    assert not missing, outcome.text
    assert table_counts() == before


def test_problems_are_capped_at_fifty_lines(runner):
    rows = "".join(f"F-{n},1,London,dentist,in_post\n" for n in range(80))
    outcome = runner.run(
        {
            "cohorts.csv": COHORTS.encode(),
            "fellows.csv": ("ref,cohort,region,profession,status\n" + rows).encode(),
        }
    )
    assert not outcome.ok
    assert "... and 30 more problems" in outcome.text
    assert (
        "fellows row 51, column profession" in outcome.text
        and "fellows row 52, column profession" not in outcome.text
    )


@pytest.mark.parametrize(
    ("fellows", "expected"),
    [
        (
            "ref,cohort,region,profession,status\nF-1,one,London,medicine,in_post\n",
            "fellows row 2, column cohort: must be a whole number, not 'one'",
        ),
        (
            "ref,cohort,region,profession,status\n,1,London,medicine,in_post\n",
            "fellows row 2, column ref: is required",
        ),
        (
            "ref,cohort,region,profession,status\nF-1,1,London,medicine,retired\n",
            "fellows row 2, column status: must be one of in_post, graduated, withdrawn, not 'retired'",
        ),
        (
            "ref,cohort,region,profession\nF-1,1,London,medicine\n",
            "fellows row 1, column status: column is missing",
        ),
        (
            "ref,cohort,region,profession,status\nF-1,1,London,medicine,in_post,extra\n",
            "fellows row 2, column F: has a value but the column has no header",
        ),
        (
            "ref,cohort,region,profession,status\nF-1,1,London,medicine\n",
            "fellows row 2, column status: is required",
        ),
        (
            "ref,cohort,region,profession,status\n" + "F" * 41 + ",1,London,medicine,in_post\n",
            "fellows row 2, column ref: is longer than 40 characters",
        ),
        (
            "ref,cohort,region,profession,status\nF-1,99999999999999999999999,London,medicine,in_post\n",
            "fellows row 2, column cohort: is too large to store: at most 32767",
        ),
        (
            "ref,cohort,region,profession,status\nF-1,40000,London,medicine,in_post\n",
            "fellows row 2, column cohort: is too large to store: at most 32767",
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(fellows, expected):
    messages = problems_of(cohorts=COHORTS, fellows=fellows)

    assert any(m.startswith(expected) for m in messages), messages
    assert Cohort.objects.count() == 0  # the good cohorts table was not written either
    assert Fellow.objects.count() == 0


def test_a_reference_resolves_in_the_database_as_well_as_in_the_import():
    run(cohorts=COHORTS)
    run(fellows=FELLOWS)  # cohorts from the database
    run(mentoring="cohort,mentor,mentee\n2,F-0101,F-0201\n", fellows=FELLOWS)
    assert Fellow.objects.count() == 2


def test_command_prints_every_problem_and_exits_non_zero(tmp_path):
    (tmp_path / "cohorts.csv").write_text("number\nzero\n-1\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command("import_history", str(tmp_path), stderr=err)

    assert err.getvalue().splitlines() == [
        "cohorts row 2, column number: must be a whole number, not 'zero'",
        "cohorts row 3, column number: must be 1 or more",
    ]
    assert not Cohort.objects.exists()


def test_dry_run_says_what_would_change_and_changes_nothing(runner):
    run(cohorts="number\n1\n")
    before = table_counts()

    outcome = runner.run({"cohorts.csv": COHORTS.encode()}, dry_run=True)

    assert outcome.ok and outcome.summary("cohorts") == (1, 1, 0), outcome.text
    assert table_counts() == before
    assert Cohort.objects.get(number=1).start_date is None
