"""Projects' table of the history import: matched AI projects of earlier cohorts.

Imported projects are approved (they ran). Fellows whose `project` column names a project are
placed on it, and the project's clinical domain is recorded on the fellow for mentor matching. A supervisor given as a fellow reference marks an alumnus supervisor (objective 8).
A project made in this service (it has a supervisor's account) is never overwritten.
"""

from __future__ import annotations

from typing import Any

from fellowship.history import COHORT, cohort_ids, record_project_domains
from fellowship.importer import (
    CheckContext,
    Column,
    Rows,
    Table,
    TableReport,
    WriteContext,
    in_chunks,
    named,
    positive_int,
    register,
    required_text,
    sync,
    text,
)
from fellowship.models import Fellow, Organisation, Region

from .enums import ProposalStatus
from .models import ClinicalDomain, Placement, Project


def existing_projects(refs: set) -> set:
    found: set = set()
    for chunk in in_chunks(refs):
        found.update(Project.objects.filter(ref__in=chunk).values_list("ref", flat=True))
    return found


def check_projects(rows: Rows, ctx: CheckContext) -> None:
    refs = {values["ref"] for _, values in rows}
    live = set()
    for chunk in in_chunks(refs):
        live.update(
            Project.objects.filter(ref__in=chunk, supervisor__isnull=False).values_list(
                "ref", flat=True
            )
        )
    for row, values in rows:
        if values["ref"] in live:
            ctx.problem(
                "projects",
                row,
                "ref",
                f"{values['ref']} is a proposal made in this service; the history cannot overwrite it",
            )


def write_projects(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    cohorts = cohort_ids(values["cohort"] for _, values in rows)
    domains = named(ClinicalDomain, (values["clinical_domain"] for _, values in rows), ctx)
    regions = named(Region, (values["region"] for _, values in rows), ctx)
    hosts = named(Organisation, (values["host_organisation"] for _, values in rows), ctx)
    wanted: dict[str, dict[str, Any]] = {}
    for _, values in rows:
        fields: dict[str, Any] = {
            "ref": values["ref"],
            "cohort_id": cohorts[values["cohort"]],
            "title": values["title"],
            "clinical_domain_id": domains[values["clinical_domain"].lower()].pk,
            "region_id": regions[values["region"].lower()].pk,
            "host_organisation_id": hosts[values["host_organisation"].lower()].pk,
            "status": ProposalStatus.APPROVED,
        }
        if "supervisor" in values:
            fields["supervisor_name"] = values["supervisor"]
        wanted[values["ref"]] = fields
    existing = [p for chunk in in_chunks(wanted) for p in Project.objects.filter(ref__in=chunk)]
    projects = sync(Project, existing, lambda p: p.ref, wanted, ctx, report)

    # Place the fellows whose history names these projects, and record each one's project domain
    # on the fellow (mentor matching compares it).
    domain_names = {d.pk: d.name for d in domains.values()}
    placements: dict[int, dict[str, Any]] = {}
    fellow_domains: dict[int, str] = {}
    for chunk in in_chunks(wanted):
        for fellow_id, project_ref in Fellow.objects.filter(project_ref__in=chunk).values_list(
            "pk", "project_ref"
        ):
            placements[fellow_id] = {"fellow_id": fellow_id, "project_id": projects[project_ref].pk}
            fellow_domains[fellow_id] = domain_names[wanted[project_ref]["clinical_domain_id"]]
    existing_placements = [
        p for chunk in in_chunks(placements) for p in Placement.objects.filter(fellow_id__in=chunk)
    ]
    sync(Placement, existing_placements, lambda p: p.fellow_id, placements, ctx)
    record_project_domains(fellow_domains, ctx)


register(
    Table(
        name="projects",
        owner="projects",
        after=("cohorts", "fellows"),
        key=("ref",),
        noun="project",
        existing=existing_projects,
        references=(COHORT,),
        columns=[
            Column("ref", required_text, required=True, max_length=40),
            Column("cohort", positive_int, required=True),
            Column("title", required_text, required=True, max_length=200),
            Column("clinical_domain", required_text, required=True, max_length=100),
            Column("region", required_text, required=True, max_length=100),
            Column("host_organisation", required_text, required=True, max_length=200),
            Column("supervisor", text, max_length=150),
        ],
        check=check_projects,
        write=write_projects,
    )
)
