"""Recruitment's table of the history import: applicants (one row per application).

Imported applications belong to a round named after their cohort (created if the cohort has none)
and have no applicant account. Equality columns go to the equality-monitoring store, never onto
the application row.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fellowship.enums import Profession
from fellowship.history import Lookups, Rows
from fellowship.importer import (
    Column,
    Table,
    TableReport,
    choice,
    positive_int,
    register,
    required_text,
    text,
)

from .enums import FUNNEL, Sex, Stage
from .models import Application, EqualityRecord, RecruitmentRound

EQUALITY_COLUMNS = {"gender": "sex", "ethnic_group": "ethnic_group", "disability": "disability", "age_band": "age_band"}


def imported_round(cohort) -> RecruitmentRound:
    """The cohort's round for imported applications: its latest round, or one made for the purpose."""
    existing = cohort.rounds.order_by("-closes_at").first()
    if existing:
        return existing
    start = cohort.start_date or datetime.date(2000, 1, 1)
    closes = timezone.make_aware(datetime.datetime(start.year, 1, 31, 23, 59)) if cohort.start_date else timezone.now()
    return RecruitmentRound.objects.create(
        cohort=cohort,
        name=f"{cohort} recruitment",
        opens_at=closes - datetime.timedelta(days=42),
        closes_at=closes,
    )


def write_applicants(rows: Rows, report: TableReport) -> None:
    lookups = Lookups()
    rounds: dict[int, RecruitmentRound] = {}
    for row, values in rows:
        cohort = lookups.cohort(values["cohort"], report, row)
        if cohort is None:
            continue
        if cohort.pk not in rounds:
            rounds[cohort.pk] = imported_round(cohort)
        if report.made_in_service(row, Application, values["ref"], owner="applicant", what="an application"):
            continue
        furthest = values["furthest_stage"]
        defaults: dict[str, Any] = {
            "round": rounds[cohort.pk],
            "region": lookups.region(values["region"]),
            "profession": values["profession"],
            "furthest_stage": furthest,
            # The history holds finished rounds: everyone not appointed was, in the end, unsuccessful.
            "stage": Stage.APPOINTED if furthest == Stage.APPOINTED else Stage.UNSUCCESSFUL,
        }
        if "specialty" in values:
            defaults["specialty"] = values["specialty"]
        application, created = Application.objects.update_or_create(ref=values["ref"], defaults=defaults)
        if application.submitted_at is None:
            Application.objects.filter(pk=application.pk).update(submitted_at=rounds[cohort.pk].closes_at)
        answers = {field: values[column] for column, field in EQUALITY_COLUMNS.items() if column in values}
        if answers:
            EqualityRecord.objects.update_or_create(application=application, defaults=answers)
        report.count(created=created)


register(
    Table(
        name="applicants",
        owner="recruitment",
        after=("cohorts",),
        columns=[
            Column("ref", required_text, required=True),
            Column("cohort", positive_int, required=True),
            Column("region", required_text, required=True),
            Column("profession", choice(Profession.values), required=True),
            Column("specialty", text),
            Column("furthest_stage", choice(FUNNEL), required=True),
            Column("gender", choice(Sex.values, blank=True)),
            Column("ethnic_group", text),
            Column("disability", text),
            Column("age_band", text),
        ],
        write=write_applicants,
    )
)
