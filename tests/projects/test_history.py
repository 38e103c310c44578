"""The projects table of the history import: approved projects, fellows placed, live proposals kept."""

from __future__ import annotations

import pytest

from fellowship.importer import ImportFailed, import_tables, read_sources
from projects.enums import ProposalStatus
from projects.models import Placement, Project

from ..factories import CohortFactory, ProjectFactory

pytestmark = pytest.mark.django_db

COHORTS = "number\n1\n"
FELLOWS = "ref,cohort,region,profession,specialty,funder,status,project\nF-0101,1,London,medicine,Radiology,,graduated,P-0101\n"
PROJECTS = (
    "ref,cohort,title,clinical_domain,region,host_organisation,supervisor\n"
    "P-0101,1,Chest X-ray triage,Radiology,London,Trust A,Dr A Supervisor\n"
)


def run(**tables: str):
    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in tables.items())
    )


def test_history_projects_are_approved_and_place_the_fellows_who_name_them():
    run(cohorts=COHORTS, fellows=FELLOWS, projects=PROJECTS)
    project = Project.objects.get(ref="P-0101")
    assert (project.status, project.supervisor_name) == (ProposalStatus.APPROVED, "Dr A Supervisor")
    assert Placement.objects.get(project=project).fellow.ref == "F-0101"


def test_history_cannot_overwrite_a_proposal_made_in_the_service():
    live = ProjectFactory(ref="P-0101", cohort=CohortFactory(number=1), title="A live draft")
    with pytest.raises(ImportFailed) as failure:
        run(cohorts=COHORTS, fellows=FELLOWS, projects=PROJECTS)
    assert (
        "projects row 2, column ref: P-0101 is a proposal made in this service"
        in failure.value.messages[0]
    )
    live.refresh_from_db()
    assert (live.title, live.status) == ("A live draft", ProposalStatus.DRAFT)
