"""The programme core's tables of the history import: cohorts, fellows and workshops.

Regions, funders and host organisations are created on first mention (matched by name, ignoring
case); cohorts must exist already or come in the same import's cohorts table.
"""

from __future__ import annotations

from typing import Any

from .enums import FellowStatus, Profession
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
from .models import Cohort, Fellow, Funder, Organisation, Region, Workshop

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
