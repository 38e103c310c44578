"""Projects' table of the history import: matched AI projects of earlier cohorts.

Imported projects are approved (they ran). Fellows whose `project` column names a project are
placed on it. A supervisor given as a fellow reference marks an alumnus supervisor (objective 8).
"""

from __future__ import annotations

from fellowship.history import Lookups, Rows
from fellowship.importer import (
    Column,
    Table,
    TableReport,
    positive_int,
    register,
    required_text,
    text,
)
from fellowship.models import Fellow

from .enums import ProposalStatus
from .models import ClinicalDomain, Placement, Project


def write_projects(rows: Rows, report: TableReport) -> None:
    lookups = Lookups()
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        if cohort is None:
            continue
        if report.made_in_service(row, Project, values["ref"], owner="supervisor", what="a proposal"):
            continue
        defaults = {
            "cohort": cohort,
            "title": values["title"],
            "clinical_domain": lookups.named(ClinicalDomain, values["clinical_domain"]),
            "region": lookups.region(values["region"]),
            "host_organisation": lookups.organisation(values["host_organisation"]),
            "status": ProposalStatus.APPROVED,
        }
        if "supervisor" in values:
            defaults["supervisor_name"] = values["supervisor"]
        _, created = Project.objects.update_or_create(ref=values["ref"], defaults=defaults)
        report.count(created=created)
    # Place the fellows whose history names these projects.
    refs = [values["ref"] for _, values in rows]
    projects = {p.ref: p for p in Project.objects.filter(ref__in=refs)}
    for fellow in Fellow.objects.filter(project_ref__in=refs).select_related("placement"):
        Placement.objects.update_or_create(fellow=fellow, defaults={"project": projects[fellow.project_ref]})


register(
    Table(
        name="projects",
        owner="projects",
        after=("cohorts", "fellows"),
        columns=[
            Column("ref", required_text, required=True),
            Column("cohort", positive_int, required=True),
            Column("title", required_text, required=True),
            Column("clinical_domain", required_text, required=True),
            Column("region", required_text, required=True),
            Column("host_organisation", required_text, required=True),
            Column("supervisor", text),
        ],
        write=write_projects,
    )
)
