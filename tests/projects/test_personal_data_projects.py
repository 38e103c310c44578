"""Projects' part of a person's data: a supervisor's proposals stay in the catalogue and the report
under a pseudonym; a live project blocks the erasure; a fellow's placement stays de-identified."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command

from fellowship import privacy
from fellowship.enums import FellowStatus, Role
from fellowship.models import User
from projects import services as project_services
from projects.enums import MatchingStatus, ProposalStatus
from projects.models import Placement, ProjectChoice, ProposalVersion, ProposedMatch
from reports.evidence import compute_evidence

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory
from ..factories.projects import ApprovedProjectFactory, MatchingRoundFactory, ProjectFactory

pytestmark = pytest.mark.django_db

SUPERVISOR = "Ottoline Brackenridge"
SUPERVISOR_EMAIL = "ottoline.brackenridge@nhs.example"
FELLOW = "Ignatius Wolstenholme"
FELLOW_EMAIL = "ignatius.wolstenholme@nhs.example"


def officer() -> User:
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def holding(everything: str, secret: str) -> list[str]:
    """The tables whose rows hold `secret` (to say where a leak is)."""
    return sorted(
        {
            row["model"]
            for row in json.loads(everything)
            if secret.lower() in json.dumps(row, ensure_ascii=False)
        }
    )


def figures(n: int) -> dict:
    data = dataclasses.asdict(compute_evidence(n))
    data["data"].pop("generated_at")
    return data


@pytest.fixture
def past():
    """A supervisor (an alumnus of cohort 1) of an approved project of cohort 2, which ended, with
    a fellow placed on it after a published matching."""
    old, cohort = CohortFactory(number=1), CohortFactory(number=2)
    supervisor = make_person(Role.SUPERVISOR, email=SUPERVISOR_EMAIL, full_name=SUPERVISOR)
    FellowFactory(user=supervisor, cohort=old, status=FellowStatus.GRADUATED, full_name=SUPERVISOR)
    project = ApprovedProjectFactory(
        cohort=cohort, supervisor=supervisor, supervisor_name=SUPERVISOR, title="Sepsis alerts"
    )
    ProposalVersion.objects.create(
        project=project, number=1, snapshot=project_services.snapshot(project)
    )
    fellow_user = make_person(Role.FELLOW, email=FELLOW_EMAIL, full_name=FELLOW)
    fellow = FellowFactory(user=fellow_user, cohort=cohort, full_name=FELLOW, email=FELLOW_EMAIL)
    other = FellowFactory(cohort=cohort, full_name="Another Fellow")
    matching = MatchingRoundFactory(cohort=cohort, status=MatchingStatus.PUBLISHED)
    ProjectChoice.objects.create(fellow=fellow, project=project, rank=1)
    ProposedMatch.objects.create(
        matching=matching, fellow=fellow, project=project, allocated_project=project, choice_rank=1
    )
    ProposedMatch.objects.create(
        matching=matching,
        fellow=other,
        choice_rank=None,
        reasons=[
            {"project": project.ref, "title": project.title, "kind": "full", "taken_by": [FELLOW]}
        ],
    )
    Placement.objects.create(project=project, fellow=fellow)
    return project, fellow


def test_export_holds_the_supervisors_projects_and_the_fellows_placement_without_others_names(past):
    _project, _fellow = past
    names = privacy.write_export(
        privacy.find_person(SUPERVISOR_EMAIL), buffer := io.BytesIO(), programme="P"
    )
    assert {"projects-supervised.json", "proposal-versions.json"} <= set(names)
    with zipfile.ZipFile(buffer) as archive:
        assert json.loads(archive.read("projects-supervised.json"))[0]["title"] == "Sepsis alerts"
    privacy.write_export(privacy.find_person(FELLOW_EMAIL), buffer := io.BytesIO(), programme="P")
    with zipfile.ZipFile(buffer) as archive:
        assert {"placements.json", "project-choices.json", "allocation.json"} <= set(
            archive.namelist()
        )
        assert json.loads(archive.read("allocation.json"))[0]["project"] == "Sepsis alerts"
        assert b"Another Fellow" not in b"".join(archive.read(n) for n in archive.namelist())


def test_the_only_supervisor_of_a_live_project_cannot_be_erased_until_it_has_another(db):
    supervisor = make_person(Role.SUPERVISOR, email=SUPERVISOR_EMAIL, full_name=SUPERVISOR)
    project = ProjectFactory(
        supervisor=supervisor, title="Stroke triage", status=ProposalStatus.SUBMITTED
    )
    ProjectFactory(supervisor=supervisor, title="Withdrawn idea", status=ProposalStatus.WITHDRAWN)
    person = privacy.find_person(SUPERVISOR_EMAIL)
    assert privacy.blockers(person) == ["Give Stroke triage another supervisor first"]
    with pytest.raises(ValidationError, match="Give Stroke triage another supervisor first"):
        privacy.erase_person(person, by=officer(), requested_by="the person")
    project.refresh_from_db()
    assert (
        project.supervisor == supervisor
        and User.objects.get(pk=supervisor.pk).email == SUPERVISOR_EMAIL
    )


def test_a_supervisor_of_ended_projects_is_erased_and_the_project_and_figures_stay(past):
    project, _ = past
    before = figures(2)
    assert before["objective8"]["alumni_supervisors"] == 1
    erasure = privacy.erase_person(
        privacy.find_person(SUPERVISOR_EMAIL), by=officer(), requested_by="the person"
    )
    everything = dump()
    for secret in (SUPERVISOR_EMAIL, SUPERVISOR, "brackenridge"):
        assert secret.lower() not in everything, holding(everything, secret)
    project.refresh_from_db()
    assert project.supervisor_id is not None and project.supervisor_display == erasure.pseudonym
    assert figures(2) == before


def test_an_erased_fellow_keeps_a_de_identified_placement_and_no_allocation_names_them(past):
    project, fellow = past
    before = figures(2)
    privacy.erase_person(privacy.find_person(FELLOW_EMAIL), by=officer(), requested_by="the person")
    everything = dump()
    for secret in (FELLOW_EMAIL, FELLOW, "wolstenholme"):
        assert secret.lower() not in everything, holding(everything, secret)
    assert Placement.objects.filter(fellow=fellow, project=project).exists()
    assert ProjectChoice.objects.filter(fellow=fellow).exists()
    assert figures(2) == before
