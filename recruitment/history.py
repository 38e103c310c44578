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
from fellowship.history import COHORT
from fellowship.importer import (
    CheckContext,
    Column,
    Rows,
    Table,
    TableReport,
    WriteContext,
    choice,
    in_chunks,
    named,
    positive_int,
    register,
    required_text,
    sync,
    text,
)
from fellowship.models import Cohort, Region

from .enums import FUNNEL, Sex, Stage
from .models import Application, EqualityRecord, RecruitmentRound

EQUALITY_COLUMNS = {
    "gender": "sex",
    "ethnic_group": "ethnic_group",
    "disability": "disability",
    "age_band": "age_band",
}


def imported_round(cohort) -> RecruitmentRound:
    """The cohort's round for imported applications: its latest round, or one made for the purpose."""
    existing = cohort.rounds.order_by("-closes_at").first()
    if existing:
        return existing
    start = cohort.start_date or datetime.date(2000, 1, 1)
    closes = (
        timezone.make_aware(datetime.datetime(start.year, 1, 31, 23, 59))
        if cohort.start_date
        else timezone.now()
    )
    return RecruitmentRound.objects.create(
        cohort=cohort,
        name=f"{cohort} recruitment",
        opens_at=closes - datetime.timedelta(days=42),
        closes_at=closes,
    )


def check_applicants(rows: Rows, ctx: CheckContext) -> None:
    refs = {values["ref"] for _, values in rows}
    live = set()
    for chunk in in_chunks(refs):
        live.update(
            Application.objects.filter(ref__in=chunk, applicant__isnull=False).values_list(
                "ref", flat=True
            )
        )
    for row, values in rows:
        if values["ref"] in live:
            ctx.problem(
                "applicants",
                row,
                "ref",
                f"{values['ref']} is an application made in this service; the history cannot overwrite it",
            )


def write_applicants(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    # One round per cohort (a few queries per cohort, not per row).
    rounds = {
        c.number: imported_round(c)
        for c in Cohort.objects.filter(number__in={v["cohort"] for _, v in rows})
    }
    regions = named(Region, (values["region"] for _, values in rows), ctx)
    wanted: dict[str, dict[str, Any]] = {}
    for _, values in rows:
        furthest = values["furthest_stage"]
        fields: dict[str, Any] = {
            "ref": values["ref"],
            "round_id": rounds[values["cohort"]].pk,
            "region_id": regions[values["region"].lower()].pk,
            "profession": values["profession"],
            "furthest_stage": furthest,
            # The history holds finished rounds: everyone not appointed was, in the end, unsuccessful.
            "stage": Stage.APPOINTED if furthest == Stage.APPOINTED else Stage.UNSUCCESSFUL,
        }
        if "specialty" in values:
            fields["specialty"] = values["specialty"]
        wanted[values["ref"]] = fields
    closes = {rnd.pk: rnd.closes_at for rnd in rounds.values()}
    existing = [a for chunk in in_chunks(wanted) for a in Application.objects.filter(ref__in=chunk)]
    applications = sync(
        Application,
        existing,
        lambda a: a.ref,
        wanted,
        ctx,
        report,
        on_create=lambda ref: {"submitted_at": closes[wanted[ref]["round_id"]]},
    )
    answered = [
        column for column in EQUALITY_COLUMNS if any(column in values for _, values in rows[:1])
    ]
    if not answered:
        return
    records = {
        applications[values["ref"]].pk: {
            "application_id": applications[values["ref"]].pk,
            **{EQUALITY_COLUMNS[column]: values.get(column, "") for column in answered},
        }
        for _, values in rows
    }
    existing_records = [
        r
        for chunk in in_chunks(records)
        for r in EqualityRecord.objects.filter(application_id__in=chunk)
    ]
    sync(EqualityRecord, existing_records, lambda r: r.application_id, records, ctx)


register(
    Table(
        name="applicants",
        owner="recruitment",
        after=("cohorts",),
        key=("ref",),
        noun="applicant",
        references=(COHORT,),
        columns=[
            Column("ref", required_text, required=True, max_length=40),
            Column("cohort", positive_int, required=True),
            Column("region", required_text, required=True, max_length=100),
            Column("profession", choice(Profession.values), required=True),
            Column("specialty", text, max_length=100),
            Column("furthest_stage", choice(FUNNEL), required=True),
            Column("gender", choice(Sex.values, blank=True)),
            Column("ethnic_group", text, max_length=80),
            Column("disability", text, max_length=40),
            Column("age_band", text, max_length=40),
        ],
        check=check_applicants,
        write=write_applicants,
    )
)
