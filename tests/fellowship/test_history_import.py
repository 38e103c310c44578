"""The history import: good rows, each kind of bad row, all-or-nothing, re-import in place."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from fellowship.enums import FellowStatus
from fellowship.importer import ImportFailed, import_tables, read_sources
from fellowship.models import Cohort, Fellow, Funder, Organisation, Region, Workshop
from tests.paths import EXAMPLE_HISTORY

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_HISTORY
COHORTS = "number,start_date,end_date\n1,2021-09-01,2022-08-31\n2,2022-09-01,2023-08-31\n"
FELLOWS = (
    "ref,cohort,region,profession,specialty,funder,status,project\n"
    "F-0101,1,London,medicine,Radiology,NHS England WTE,graduated,P-0101\n"
    "F-0201,2,Kent Surrey and Sussex,pharmacy,,NHS England WTE,in_post,\n"
)
WORKSHOPS = (
    "cohort,date,title,host_organisation,regional_showcase\n"
    "2,2022-11-15,Regional showcase: imaging AI,Oxford University Hospitals,yes\n"
    "2,2022-10-04,AI bootcamp,,no\n"
)


def run(**tables: str):
    return import_tables(read_sources((f"{name}.csv", text.encode()) for name, text in tables.items()))


def problems_of(**tables: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        run(**tables)
    return failure.value.messages


def test_good_rows_create_cohorts_fellows_and_workshops():
    result = run(cohorts=COHORTS, fellows=FELLOWS, workshops=WORKSHOPS)

    assert result.summary == [
        "cohorts: 2 created, 0 updated",
        "fellows: 2 created, 0 updated",
        "workshops: 2 created, 0 updated",
    ]
    fellow = Fellow.objects.get(ref="F-0101")
    assert (fellow.cohort.number, fellow.region.name, fellow.funder.name) == (1, "London", "NHS England WTE")
    assert fellow.status == FellowStatus.GRADUATED and fellow.project_ref == "P-0101"
    assert Fellow.objects.get(ref="F-0201").funder == fellow.funder  # one funder, created once
    showcase = Workshop.objects.get(title__startswith="Regional showcase")
    assert showcase.regional_showcase and showcase.host_organisation.name == "Oxford University Hospitals"
    assert Workshop.objects.get(title="AI bootcamp").host_organisation is None


def test_tables_are_written_in_dependency_order_whatever_the_file_order():
    files = [("workshops.csv", WORKSHOPS.encode()), ("fellows.csv", FELLOWS.encode()), ("cohorts.csv", COHORTS.encode())]
    import_tables(read_sources(files))
    assert Cohort.objects.count() == 2 and Fellow.objects.count() == 2


def test_reimport_updates_in_place_without_duplicates():
    run(cohorts=COHORTS, fellows=FELLOWS, workshops=WORKSHOPS)
    changed = FELLOWS.replace("F-0201,2,Kent Surrey and Sussex,pharmacy,,NHS England WTE,in_post", "F-0201,2,kent surrey and sussex,pharmacy,,NHS England WTE,graduated")

    result = run(cohorts=COHORTS, fellows=changed, workshops=WORKSHOPS)

    assert result.summary[1] == "fellows: 0 created, 2 updated"
    assert Fellow.objects.count() == 2 and Workshop.objects.count() == 2 and Cohort.objects.count() == 2
    assert Fellow.objects.get(ref="F-0201").status == FellowStatus.GRADUATED
    assert Region.objects.count() == 2  # region names match whatever their case
    assert Funder.objects.count() == 1 and Organisation.objects.count() == 1


def test_headers_are_case_insensitive():
    run(cohorts="Number,Start_Date,END_DATE\n3,2023-09-01,2024-08-31\n")
    assert Cohort.objects.get(number=3).start_date.isoformat() == "2023-09-01"


@pytest.mark.parametrize(
    ("fellows", "expected"),
    [
        ("ref,cohort,region,profession,status\nF-1,1,London,surgery,in_post\n", "fellows row 2, column profession: must be one of medicine"),
        ("ref,cohort,region,profession,status\nF-1,one,London,medicine,in_post\n", "fellows row 2, column cohort: must be a whole number, not 'one'"),
        ("ref,cohort,region,profession,status\n,1,London,medicine,in_post\n", "fellows row 2, column ref: is required"),
        ("ref,cohort,region,profession,status\nF-1,1,London,medicine,retired\n", "fellows row 2, column status: must be one of in_post, graduated, withdrawn, not 'retired'"),
        ("ref,cohort,region,profession,status,colour\nF-1,1,London,medicine,in_post,red\n", "fellows row 1, column colour: is not a column of this table"),
        ("ref,cohort,region,profession\nF-1,1,London,medicine\n", "fellows row 1, column status: column is missing"),
        ("ref,cohort,region,profession,status\nF-1,9,London,medicine,in_post\n", "fellows row 2, column cohort: cohort 9 is not in the cohorts table or the database"),
        ("ref,cohort,region,profession,status\nF-1,1,London,medicine,in_post,extra\n", "fellows row 2: has more cells than the header has columns"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(fellows, expected):
    messages = problems_of(cohorts=COHORTS, fellows=fellows)

    assert any(m.startswith(expected) for m in messages), messages
    assert Cohort.objects.count() == 0  # the good cohorts table was rolled back too
    assert Fellow.objects.count() == 0


def test_bad_dates_and_yes_no_are_reported_with_row_and_column():
    messages = problems_of(
        cohorts="number,start_date,end_date\n1,2021-13-01,\n2,2022-09-01,2022-01-01\n",
        workshops="cohort,date,title,regional_showcase\n1,2022-01-01,Day,maybe\n",
    )
    assert "cohorts row 2, column start_date: must be a date written as YYYY-MM-DD, not '2021-13-01'" in messages
    assert "workshops row 2, column regional_showcase: must be yes or no, not 'maybe'" in messages


def test_a_row_that_fails_while_writing_rolls_back_every_table():
    messages = problems_of(cohorts="number,start_date,end_date\n1,2022-09-01,2022-01-01\n", fellows=FELLOWS)
    assert messages[0] == "cohorts row 2, column end_date: must be after start_date"
    assert not Cohort.objects.exists() and not Fellow.objects.exists()


def test_unknown_table_is_an_error():
    assert problems_of(cohorts=COHORTS, bananas="a\n1\n")[0].startswith("bananas: is not a table of the history import")


def test_problems_are_capped_at_fifty_lines():
    rows = "".join(f"F-{n},1,London,dentist,in_post\n" for n in range(80))
    messages = problems_of(cohorts=COHORTS, fellows="ref,cohort,region,profession,status\n" + rows)
    assert len(messages) == 51 and messages[-1] == "... and 30 more problems"


def test_xlsx_workbook_with_a_sheet_per_table():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cohorts"
    sheet.append(["number", "start_date", "end_date"])
    sheet.append([1, "2021-09-01", None])
    fellows = workbook.create_sheet("fellows")
    fellows.append(["ref", "cohort", "region", "profession", "status"])
    fellows.append(["F-1", 1, "Wales", "nursing", "in_post"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_tables(read_sources([("history.xlsx", buffer.getvalue())]))

    assert Fellow.objects.get(ref="F-1").region.name == "Wales"


def test_a_file_that_is_not_a_table_is_refused():
    with pytest.raises(ImportFailed) as failure:
        read_sources([("notes.txt", b"hello")])
    assert "must be a .csv file" in failure.value.messages[0]


def test_command_imports_the_spec_example_folder(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    for table in ("cohorts", "fellows", "workshops"):
        shutil.copy(EXAMPLE / f"{table}.csv", folder)
    out = io.StringIO()

    call_command("import_history", str(folder), stdout=out)

    assert "Imported fellows: 4 created, 0 updated" in out.getvalue()
    assert Fellow.objects.filter(cohort__number=2).count() == 2


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


def test_dry_run_changes_nothing(tmp_path):
    (tmp_path / "cohorts.csv").write_text(COHORTS)
    out = io.StringIO()
    call_command("import_history", str(tmp_path), "--dry-run", stdout=out)
    assert "Checked (dry run) cohorts: 2 created" in out.getvalue()
    assert not Cohort.objects.exists()
