"""The applicants table of the history import: equality columns go to the equality store."""

from __future__ import annotations

import pytest

from fellowship.importer import ImportFailed, import_tables, read_sources
from recruitment.enums import Stage
from recruitment.models import Application, EqualityRecord

from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db

COHORTS = "number,start_date,end_date\n2,2022-09-01,2023-08-31\n"
APPLICANTS = (
    "ref,cohort,region,profession,specialty,furthest_stage,gender,ethnic_group,disability,age_band\n"
    "A-0001,2,London,medicine,Radiology,appointed,female,,,\n"
    "A-0002,2,London,pharmacy,,shortlisted,male,Asian or Asian British,no,30-34\n"
    "A-0003,2,Kent Surrey and Sussex,medicine,Haematology,interviewed,,,,\n"
)


def run(**tables):
    return import_tables(read_sources((f"{k}.csv", v.encode()) for k, v in tables.items()))


def test_applicants_become_applications_with_equality_kept_apart():
    run(cohorts=COHORTS, applicants=APPLICANTS)

    first = Application.objects.get(ref="A-0001")
    assert (first.stage, first.furthest_stage, first.region.name) == (
        Stage.APPOINTED,
        Stage.APPOINTED,
        "London",
    )
    assert (
        first.round.cohort.number == 2
        and first.applicant is None
        and first.submitted_at is not None
    )
    second = Application.objects.get(ref="A-0002")
    assert (second.stage, second.furthest_stage) == (Stage.UNSUCCESSFUL, Stage.SHORTLISTED)
    record = EqualityRecord.objects.get(application=second)
    assert (record.sex, record.ethnic_group, record.disability, record.age_band) == (
        "male",
        "Asian or Asian British",
        "no",
        "30-34",
    )
    assert not hasattr(second, "equality") and "sex" not in {
        f.name for f in Application._meta.get_fields()
    }
    assert Application.objects.values("round").distinct().count() == 1


def test_reimport_updates_in_place():
    run(cohorts=COHORTS, applicants=APPLICANTS)
    run(
        cohorts=COHORTS,
        applicants=APPLICANTS.replace(
            "A-0003,2,Kent Surrey and Sussex,medicine,Haematology,interviewed",
            "A-0003,2,Kent Surrey and Sussex,medicine,Haematology,offered",
        ),
    )
    assert Application.objects.count() == 3 and EqualityRecord.objects.count() == 3
    assert Application.objects.get(ref="A-0003").furthest_stage == Stage.OFFERED


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "A-9,2,London,medicine,,hired,,,,",
            "applicants row 2, column furthest_stage: must be one of submitted, longlisted",
        ),
        (
            "A-9,2,London,medicine,,submitted,woman,,,",
            "applicants row 2, column gender: must be one of female, male",
        ),
        (
            "A-9,3,London,medicine,,submitted,,,,",
            "applicants row 2, column cohort: cohort 3 is not in the cohorts table",
        ),
    ],
)
def test_bad_rows_are_reported(row, expected):
    header = APPLICANTS.splitlines()[0]
    with pytest.raises(ImportFailed) as failure:
        run(cohorts=COHORTS, applicants=f"{header}\n{row}\n")
    assert any(m.startswith(expected) for m in failure.value.messages), failure.value.messages
    assert not Application.objects.exists()


def test_history_cannot_overwrite_an_application_made_in_the_service():
    live = ApplicationFactory(ref="A-0001")
    with pytest.raises(ImportFailed) as failure:
        run(cohorts=COHORTS, applicants=APPLICANTS)
    assert "A-0001 is an application made in this service" in failure.value.messages[0]
    live.refresh_from_db()
    assert live.stage == Stage.DRAFT
