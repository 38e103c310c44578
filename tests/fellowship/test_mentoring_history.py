"""The history import's mentoring table: published pairs keyed by (mentor, mentee), what they share,
all-or-nothing with row and column messages."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import call_command

from fellowship.enums import MentoringStatus
from fellowship.importer import ImportFailed, import_tables, read_sources, registered_tables
from fellowship.models import MentorPairing
from tests.paths import EXAMPLE_HISTORY

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_HISTORY
COHORTS = "number\n1\n2\n"
FELLOWS = (
    "ref,cohort,region,profession,specialty,funder,status,project\n"
    "F-0101,1,London,medicine,Radiology,,graduated,P-0101\n"
    "F-0102,1,Kent Surrey and Sussex,medicine,Oncology,,graduated,P-0102\n"
    "F-0201,2,London,medicine,radiology ,,in_post,P-0201\n"
    "F-0202,2,North West,pharmacy,,,in_post,P-0202\n"
)
PROJECTS = (
    "ref,cohort,title,clinical_domain,region,host_organisation,supervisor\n"
    "P-0101,1,Chest X-ray triage,Radiology,London,Trust A,\n"
    "P-0102,1,Auto-contouring,Oncology,Kent Surrey and Sussex,Trust B,\n"
    "P-0201,2,Bias dashboard,radiology,London,Trust A,\n"
    "P-0202,2,Radiotherapy planning,Oncology,North West,Trust C,\n"
)
MENTORING = "cohort,mentor,mentee\n2,F-0101,F-0201\n2,F-0102,F-0202\n"


def run(**tables: str):
    # Mentoring first, projects last: the importer orders the writes, not the files.
    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in reversed(tables.items()))
    )


def problems_of(**tables: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        run(**tables)
    return failure.value.messages


def test_pairs_import_published_with_what_they_share_including_domains_of_the_same_import():
    result = run(cohorts=COHORTS, fellows=FELLOWS, projects=PROJECTS, mentoring=MENTORING)

    assert "mentoring: 2 created, 0 updated, 0 unchanged" in result.summary
    same = MentorPairing.objects.get(mentor__ref="F-0101", mentee__ref="F-0201")
    assert same.status == MentoringStatus.PUBLISHED and same.cohort.number == 2
    assert (same.shares_region, same.shares_specialty, same.shares_domain) == (True, True, True)
    apart = MentorPairing.objects.get(mentor__ref="F-0102", mentee__ref="F-0202")
    assert (apart.shares_region, apart.shares_specialty, apart.shares_domain) == (
        False,
        False,
        True,
    )


def test_reimport_updates_pairs_in_place_without_duplicates():
    run(cohorts=COHORTS, fellows=FELLOWS, projects=PROJECTS, mentoring=MENTORING)
    moved = FELLOWS.replace("F-0202,2,North West", "F-0202,2,Kent Surrey and Sussex")

    result = run(fellows=moved, mentoring=MENTORING)

    assert "mentoring: 0 created, 1 updated, 1 unchanged" in result.summary
    assert MentorPairing.objects.count() == 2
    assert MentorPairing.objects.get(mentee__ref="F-0202").shares_region


def test_the_spec_example_folder_imports_cleanly(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    for csv in EXAMPLE.glob("*.csv"):
        if csv.stem in registered_tables():
            shutil.copy(csv, folder)
    out = io.StringIO()

    call_command("import_history", str(folder), stdout=out)

    assert "Imported mentoring: 1 created, 0 updated, 0 unchanged" in out.getvalue()
    pair = MentorPairing.objects.get()
    assert (pair.mentor.ref, pair.mentee.ref, pair.cohort.number) == ("F-0101", "A-0001", 2)
    assert pair.shares_region and pair.shares_specialty
    if "projects" in registered_tables():
        assert pair.shares_domain  # P-0101 and P-0201 are both Radiology


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_imported():
    bad = (
        "cohort,mentor,mentee\n"
        "2,F-0101,F-0201\n"  # good
        "2,F-9999,F-0202\n"  # unknown mentor
        "2,F-0101,F-0102\n"  # mentee of cohort 1
        "2,F-0201,F-0201\n"  # the same fellow
        "2,F-0202,F-0201\n"  # mentor of the same cohort
        "7,F-0101,F-0201\n"  # no such cohort
        "x,,F-0201\n"
    )
    messages = problems_of(
        cohorts=COHORTS,
        fellows=FELLOWS,
        projects=PROJECTS,
        mentoring=bad.replace("7,F-0101,F-0201", "7,F-0101,F-0202"),
    )
    # Problems of form, of reference and of the table's own rules, all in one run.
    assert messages == [
        "mentoring row 3, column mentor: fellow F-9999 is not in the fellows table or the database",
        "mentoring row 4, column mentee: fellow F-0102 is in cohort 1, not cohort 2",
        "mentoring row 5, column mentee: must be a different fellow from the mentor",
        "mentoring row 6, column mentor: fellow F-0202 is in cohort 2; mentors are alumni of earlier cohorts",
        "mentoring row 7, column cohort: cohort 7 is not in the cohorts table or the database",
        "mentoring row 7, column mentee: fellow F-0202 is in cohort 2, not cohort 7",
        "mentoring row 8, column cohort: must be a whole number, not 'x'",
        "mentoring row 8, column mentor: is required",
    ]
    assert not MentorPairing.objects.exists()


def test_missing_and_unknown_columns_are_refused():
    messages = problems_of(
        cohorts=COHORTS,
        fellows=FELLOWS,
        projects=PROJECTS,
        mentoring="cohort,mentor,mentor_email\n2,F-0101,a@b.c\n",
    )
    assert messages == [
        "mentoring row 1, column mentor_email: is not a column of this table",
        "mentoring row 1, column mentee: column is missing",
    ]
