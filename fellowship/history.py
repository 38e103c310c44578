"""The programme core's tables of the history import: cohorts, fellows, workshops and mentoring.

Regions, funders and host organisations are created on first mention (matched by name, ignoring
case); cohorts must exist already or come in the same import's cohorts table.
"""

from __future__ import annotations

from typing import Any

from .enums import FellowStatus, MentoringStatus, Profession
from .importer import (
    Column,
    Table,
    TableReport,
    choice,
    iso_date,
    positive_int,
    register,
    required_text,
    text,
    yes_no,
)
from .models import Cohort, Fellow, Funder, MentorPairing, Organisation, Region, Workshop

Rows = list[tuple[int, dict[str, Any]]]


class Lookups:
    """Find-or-create by name for the reference data that rows mention, one query per new name."""

    def __init__(self) -> None:
        self._cache: dict[tuple[type, str], Any] = {}

    def named(self, model, name: str):
        """The row of `model` called `name` (ignoring case), created if new; any model with a unique name."""
        key = (model, name.casefold())
        if key not in self._cache:
            found = model.objects.filter(name__iexact=name).first()
            self._cache[key] = found or model.objects.create(name=name)
        return self._cache[key]

    def region(self, name: str) -> Region:
        return self.named(Region, name)

    def funder(self, name: str) -> Funder | None:
        return self.named(Funder, name) if name else None

    def organisation(self, name: str) -> Organisation | None:
        return self.named(Organisation, name) if name else None

    def cohort(self, number: int, report: TableReport, row: int) -> Cohort | None:
        key = (Cohort, str(number))
        if key not in self._cache:
            self._cache[key] = Cohort.objects.filter(number=number).first()
        if self._cache[key] is None:
            report.problem(row, "cohort", f"cohort {number} is not in the cohorts table or the database")
        return self._cache[key]


def write_cohorts(rows: Rows, report: TableReport) -> None:
    for row, values in rows:
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end <= start:
            report.problem(row, "end_date", "must be after start_date")
            continue
        defaults = {k: values[k] for k in ("start_date", "end_date") if k in values}
        _, created = Cohort.objects.update_or_create(number=values["number"], defaults=defaults)
        report.count(created=created)


def write_fellows(rows: Rows, report: TableReport) -> None:
    lookups = Lookups()
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        if cohort is None:
            continue
        defaults: dict[str, Any] = {
            "cohort": cohort,
            "region": lookups.region(values["region"]),
            "profession": values["profession"],
            "status": values["status"],
        }
        if "specialty" in values:
            defaults["specialty"] = values["specialty"]
        if "funder" in values:
            defaults["funder"] = lookups.funder(values["funder"])
        if "project" in values:
            defaults["project_ref"] = values["project"]
        _, created = Fellow.objects.update_or_create(ref=values["ref"], defaults=defaults)
        report.count(created=created)


def write_workshops(rows: Rows, report: TableReport) -> None:
    lookups = Lookups()
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        if cohort is None:
            continue
        defaults: dict[str, Any] = {}
        if "host_organisation" in values:
            defaults["host_organisation"] = lookups.organisation(values["host_organisation"])
        if "regional_showcase" in values:
            defaults["regional_showcase"] = bool(values["regional_showcase"])
        _, created = Workshop.objects.update_or_create(
            cohort=cohort, date=values["date"], title=values["title"], defaults=defaults
        )
        report.count(created=created)


def _same_text(a: str, b: str) -> bool:
    """Equal ignoring case and surrounding space; a blank value never matches."""
    a, b = a.strip().casefold(), b.strip().casefold()
    return bool(a) and a == b


def _project_domain(fellow: Fellow) -> str:
    # Through the reverse accessors (fellow.placement.project.clinical_domain), so the core does not
    # import the projects app; a fellow without a placement has no domain.
    placement = getattr(fellow, "placement", None)
    domain = getattr(getattr(placement, "project", None), "clinical_domain", None)
    return domain.name if domain is not None else ""


def write_mentoring(rows: Rows, report: TableReport) -> None:
    """Imported pairs are published (they happened). The table is written after projects, so what a
    pair shares includes the project domains of placements made by the same import."""
    lookups = Lookups()
    refs = {values[c] for _, values in rows for c in ("mentor", "mentee") if values.get(c)}
    fellows = Fellow.objects.filter(ref__in=refs).select_related("cohort", "region")
    if hasattr(Fellow, "placement"):  # the projects app is installed
        fellows = fellows.select_related("placement__project__clinical_domain")
    by_ref = {f.ref: f for f in fellows}
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        mentor, mentee = by_ref.get(values["mentor"]), by_ref.get(values["mentee"])
        for column, fellow in (("mentor", mentor), ("mentee", mentee)):
            if fellow is None:
                report.problem(row, column, f"fellow {values[column]} is not in the fellows table or the database")
        if cohort is None or mentor is None or mentee is None:
            continue
        if mentor.pk == mentee.pk:
            report.problem(row, "mentee", "must be a different fellow from the mentor")
            continue
        if mentee.cohort_id != cohort.pk:
            report.problem(row, "mentee", f"fellow {mentee.ref} is in {mentee.cohort}, not cohort {cohort.number}")
            continue
        if mentor.cohort.number >= cohort.number:
            report.problem(row, "mentor", f"fellow {mentor.ref} is in {mentor.cohort}; mentors are alumni of earlier cohorts")
            continue
        mentor_domain, mentee_domain = _project_domain(mentor), _project_domain(mentee)
        defaults = {
            "cohort": cohort,
            "status": MentoringStatus.PUBLISHED,
            "shares_region": mentor.region_id == mentee.region_id,
            "shares_specialty": _same_text(mentor.specialty, mentee.specialty),
            "shares_domain": _same_text(mentor_domain, mentee_domain),
        }
        _, created = MentorPairing.objects.update_or_create(
            mentor=mentor,
            mentee=mentee,
            defaults=defaults,
            create_defaults={**defaults, "note": "Imported from the programme history"},
        )
        report.count(created=created)


register(
    Table(
        name="cohorts",
        owner="fellowship",
        columns=[
            Column("number", positive_int, required=True),
            Column("start_date", iso_date),
            Column("end_date", iso_date),
        ],
        write=write_cohorts,
    )
)

register(
    Table(
        name="fellows",
        owner="fellowship",
        after=("cohorts",),
        columns=[
            Column("ref", required_text, required=True),
            Column("cohort", positive_int, required=True),
            Column("region", required_text, required=True),
            Column("profession", choice(Profession.values), required=True),
            Column("specialty", text),
            Column("funder", text),
            Column("status", choice(FellowStatus.values), required=True),
            Column("project", text),
        ],
        write=write_fellows,
    )
)

register(
    Table(
        name="workshops",
        owner="fellowship",
        after=("cohorts",),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("date", iso_date, required=True),
            Column("title", required_text, required=True),
            Column("host_organisation", text),
            Column("regional_showcase", yes_no),
        ],
        write=write_workshops,
    )
)

register(
    Table(
        name="mentoring",
        owner="fellowship",
        # After projects: the import places fellows on projects there, and pairs share project domains.
        after=("cohorts", "fellows", "projects"),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("mentor", required_text, required=True),
            Column("mentee", required_text, required=True),
        ],
        write=write_mentoring,
    )
)
