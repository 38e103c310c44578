"""The programme core's tables of the history import: programme, cohorts, fellows, workshops,
speakers and mentoring.

Regions, funders and host organisations are created on first mention (matched by name, ignoring
case); cohorts must exist already or come in the same import's cohorts table. Every writer reads
what it needs with a fixed number of queries and writes in bulk (see fellowship.importer.sync).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .enums import FellowStatus, MentoringStatus, Profession, SpeakerSector
from .importer import (
    CellError,
    CheckContext,
    Column,
    Reference,
    Rows,
    Table,
    TableReport,
    WriteContext,
    choice,
    email_address,
    in_chunks,
    iso_date,
    named,
    positive_int,
    register,
    required_text,
    sync,
    text,
    yes_no,
)
from .models import (
    WORKSHOP_MAX_MINUTES,
    Cohort,
    Fellow,
    Funder,
    MentorPairing,
    Organisation,
    Programme,
    Region,
    Speaker,
    Workshop,
)

# The sectors the history format admits for guest speakers (the service's own list has more).
SPEAKER_SECTORS = [
    SpeakerSector.NHS,
    SpeakerSector.ACADEMIA,
    SpeakerSector.INDUSTRY,
    SpeakerSector.REGULATOR,
    SpeakerSector.GOVERNMENT,
    SpeakerSector.CHARITY,
]


def cohort_ids(numbers) -> dict[int, int]:
    """Cohort primary keys by number, in one query."""
    return dict(Cohort.objects.filter(number__in=set(numbers)).values_list("number", "pk"))


def existing_cohorts(numbers: set) -> set:
    return set(Cohort.objects.filter(number__in=numbers).values_list("number", flat=True))


def existing_fellows(refs: set) -> set:
    found: set = set()
    for chunk in in_chunks(refs):
        found.update(Fellow.objects.filter(ref__in=chunk).values_list("ref", flat=True))
    return found


def fellows_by_ref(refs, queryset=None) -> dict[str, Fellow]:
    queryset = Fellow.objects.all() if queryset is None else queryset
    found: dict[str, Fellow] = {}
    for chunk in in_chunks(set(refs)):
        found.update((f.ref, f) for f in queryset.filter(ref__in=chunk))
    return found


def workshop_minutes(value: str) -> int | None:
    """A workshop's length in whole minutes, at most 12 hours; blank when not recorded."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", value):
        raise CellError(
            f"must be a whole number of minutes, such as 390 for 6 hours 30 minutes, not {value[:40]!r}"
        )
    minutes = int(value)
    if not 1 <= minutes <= WORKSHOP_MAX_MINUTES:
        raise CellError(
            f"must be from 1 to {WORKSHOP_MAX_MINUTES} minutes (12 hours), not {minutes}"
        )
    return minutes


def web_address(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise CellError(
            f"must be a web address starting with https://, not {value[:60]!r}"
        ) from None
    return value


# programme -------------------------------------------------------------------------------------


def check_programme(rows: Rows, ctx: CheckContext) -> None:
    for row in ctx.parsed["programme"].numbers[1:]:
        ctx.problem(
            "programme",
            row,
            None,
            "the programme table has one row: the programme these records belong to",
        )


def write_programme(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    from django.contrib.sites.models import Site

    _, values = rows[0]
    site = Site.objects.get_current()
    details = Programme.objects.filter(site=site).first()
    before = (site.name, details and (details.short_name, details.organisation, details.website))
    ctx.saw("programme", before)
    details = details or Programme(site=site)
    created = details._state.adding
    changed = site.name != values["name"]
    if changed:
        site.name = values["name"]
        site.save(update_fields=["name"])
        Site.objects.clear_cache()
    for column in ("short_name", "organisation", "website"):
        if column in values and getattr(details, column) != values[column]:
            setattr(details, column, values[column])
            changed = True
    if created or changed:
        details.save()
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


# cohorts ---------------------------------------------------------------------------------------


def check_cohorts(rows: Rows, ctx: CheckContext) -> None:
    for row, values in rows:
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end <= start:
            ctx.problem("cohorts", row, "end_date", "must be after start_date")


def write_cohorts(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    wanted = {
        values["number"]: {
            "number": values["number"],
            **{k: values[k] for k in ("start_date", "end_date") if k in values},
        }
        for _, values in rows
    }
    sync(Cohort, Cohort.objects.filter(number__in=wanted), lambda c: c.number, wanted, ctx, report)


# fellows ---------------------------------------------------------------------------------------


def write_fellows(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    cohorts = cohort_ids(values["cohort"] for _, values in rows)
    regions = named(Region, (values["region"] for _, values in rows), ctx)
    funders = named(Funder, (values.get("funder", "") for _, values in rows), ctx)
    wanted: dict[str, dict[str, Any]] = {}
    for _, values in rows:
        fields: dict[str, Any] = {
            "ref": values["ref"],
            "cohort_id": cohorts[values["cohort"]],
            "region_id": regions[values["region"].lower()].pk,
            "profession": values["profession"],
            "status": values["status"],
        }
        if "specialty" in values:
            fields["specialty"] = values["specialty"]
        if "funder" in values:
            fields["funder_id"] = funders[values["funder"].lower()].pk if values["funder"] else None
        if "project" in values:
            fields["project_ref"] = values["project"]
        # A blank name or address is "not known": it never wipes one the service already holds.
        if values.get("name"):
            fields["full_name"] = values["name"]
        if values.get("email"):
            fields["email"] = values["email"]
        wanted[values["ref"]] = fields
    existing = [f for chunk in in_chunks(wanted) for f in Fellow.objects.filter(ref__in=chunk)]
    for fellow in existing:
        fields = wanted.get(fellow.ref)
        if fields and "project_ref" in fields and fields["project_ref"] != fellow.project_ref:
            # Another project: its domain is recorded when the projects table places the fellow.
            fields["project_domain"] = ""
    sync(Fellow, existing, lambda f: f.ref, wanted, ctx, report)


def record_project_domains(domains: dict[int, str], ctx: WriteContext) -> None:
    """Set Fellow.project_domain for the fellows the projects table placed ({fellow id: domain name}),
    so that mentor matching compares domains without reading the projects app."""
    wanted = {pk: {"project_domain": name} for pk, name in domains.items()}
    existing = [f for chunk in in_chunks(wanted) for f in Fellow.objects.filter(pk__in=chunk)]
    sync(Fellow, existing, lambda f: f.pk, wanted, ctx)


# workshops and speakers ------------------------------------------------------------------------


def write_workshops(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    cohorts = cohort_ids(values["cohort"] for _, values in rows)
    hosts = named(Organisation, (values.get("host_organisation", "") for _, values in rows), ctx)
    wanted: dict[tuple, dict[str, Any]] = {}
    for _, values in rows:
        key = (cohorts[values["cohort"]], values["date"], values["title"])
        fields: dict[str, Any] = {"cohort_id": key[0], "date": key[1], "title": key[2]}
        if "host_organisation" in values:
            host = values["host_organisation"]
            fields["host_organisation_id"] = hosts[host.lower()].pk if host else None
        if "regional_showcase" in values:
            fields["regional_showcase"] = bool(values["regional_showcase"])
        if "duration_minutes" in values:
            fields["duration_minutes"] = values["duration_minutes"]
        wanted[key] = fields
    existing = Workshop.objects.filter(cohort_id__in=set(cohorts.values()))
    sync(Workshop, existing, lambda w: (w.cohort_id, w.date, w.title), wanted, ctx, report)


def _workshop_key(cohort: int, title: str) -> tuple[int, str]:
    return cohort, " ".join(title.split()).casefold()


def _workshops_in_database(cohorts) -> dict[tuple[int, str], dict[Any, int]]:
    """Workshops of these cohorts by (cohort number, title ignoring case and spacing): {date: pk}."""
    found: dict[tuple[int, str], dict[Any, int]] = {}
    for number, title, day, pk in Workshop.objects.filter(
        cohort__number__in=set(cohorts)
    ).values_list("cohort__number", "title", "date", "pk"):
        found.setdefault(_workshop_key(number, title), {})[day] = pk
    return found


def check_speakers(rows: Rows, ctx: CheckContext) -> None:
    """A speaker's workshop is the one workshop of their cohort with that title."""
    days: dict[tuple[int, str], set] = {}
    for _, values in ctx.rows("workshops"):
        days.setdefault(_workshop_key(values["cohort"], values["title"]), set()).add(values["date"])
    for key, stored in _workshops_in_database(values["cohort"] for _, values in rows).items():
        days.setdefault(key, set()).update(stored)
    for row, values in rows:
        count = len(days.get(_workshop_key(values["cohort"], values["workshop"]), ()))
        title = values["workshop"][:80]
        if count == 0:
            message = f"cohort {values['cohort']} has no workshop called {title!r} in the workshops table or the database"
        elif count > 1:
            message = f"cohort {values['cohort']} has {count} workshops called {title!r}: give them different titles"
        else:
            continue
        ctx.problem("speakers", row, "workshop", message)


def write_speakers(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    workshops = _workshops_in_database(values["cohort"] for _, values in rows)
    wanted: dict[tuple, dict[str, Any]] = {}
    for _, values in rows:
        (workshop,) = workshops[_workshop_key(values["cohort"], values["workshop"])].values()
        fields: dict[str, Any] = {
            "workshop_id": workshop,
            "name": values["name"],
            "affiliation": values["organisation"],
            "sector": values["sector"],
        }
        if "role" in values:
            fields["role_title"] = values["role"]
        wanted[(workshop, values["name"])] = fields
    existing = Speaker.objects.filter(workshop_id__in={key[0] for key in wanted}).order_by("pk")
    sync(Speaker, existing, lambda s: (s.workshop_id, s.name), wanted, ctx, report)


# mentoring -------------------------------------------------------------------------------------


def _same_text(a: str, b: str) -> bool:
    """Equal ignoring case and surrounding space; a blank value never matches."""
    a, b = a.strip().casefold(), b.strip().casefold()
    return bool(a) and a == b


def check_mentoring(rows: Rows, ctx: CheckContext) -> None:
    """Mentees belong to the row's cohort; mentors are alumni of an earlier cohort."""
    cohort_of = {values["ref"]: values["cohort"] for _, values in ctx.rows("fellows")}
    refs = {values[c] for _, values in rows for c in ("mentor", "mentee")} - set(cohort_of)
    for chunk in in_chunks(refs):
        cohort_of.update(Fellow.objects.filter(ref__in=chunk).values_list("ref", "cohort__number"))
    for row, values in rows:
        mentor, mentee, cohort = values["mentor"], values["mentee"], values["cohort"]
        if mentor == mentee:
            ctx.problem("mentoring", row, "mentee", "must be a different fellow from the mentor")
            continue
        if mentee in cohort_of and cohort_of[mentee] != cohort:
            ctx.problem(
                "mentoring",
                row,
                "mentee",
                f"fellow {mentee} is in cohort {cohort_of[mentee]}, not cohort {cohort}",
            )
        if mentor in cohort_of and cohort_of[mentor] >= cohort:
            ctx.problem(
                "mentoring",
                row,
                "mentor",
                f"fellow {mentor} is in cohort {cohort_of[mentor]}; mentors are alumni of earlier cohorts",
            )


def write_mentoring(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    """Imported pairs are published (they happened). The table is written after projects, so what a
    pair shares includes the project domains recorded by placements made in the same import."""
    by_ref = fellows_by_ref(
        {values[c] for _, values in rows for c in ("mentor", "mentee")}, Fellow.objects.all()
    )
    cohorts = cohort_ids(values["cohort"] for _, values in rows)
    wanted: dict[tuple, dict[str, Any]] = {}
    for _, values in rows:
        mentor, mentee = by_ref[values["mentor"]], by_ref[values["mentee"]]
        wanted[(mentor.pk, mentee.pk)] = {
            "mentor_id": mentor.pk,
            "mentee_id": mentee.pk,
            "cohort_id": cohorts[values["cohort"]],
            "status": MentoringStatus.PUBLISHED,
            "shares_region": mentor.region_id == mentee.region_id,
            "shares_specialty": _same_text(mentor.specialty, mentee.specialty),
            "shares_domain": _same_text(mentor.project_domain, mentee.project_domain),
        }
    mentee_ids = {key[1] for key in wanted}
    existing = [
        p
        for chunk in in_chunks(mentee_ids)
        for p in MentorPairing.objects.filter(mentee_id__in=chunk)
    ]
    sync(
        MentorPairing,
        existing,
        lambda p: (p.mentor_id, p.mentee_id),
        wanted,
        ctx,
        report,
        on_create=lambda key: {"note": "Imported from the programme history"},
    )


# The tables ------------------------------------------------------------------------------------

COHORT = Reference("cohort", "cohorts")

register(
    Table(
        name="programme",
        owner="fellowship",
        columns=[
            Column("name", required_text, required=True, max_length=50),
            Column("short_name", text, max_length=40),
            Column("organisation", text, max_length=200),
            Column("website", web_address, max_length=200),
        ],
        check=check_programme,
        write=write_programme,
    )
)

register(
    Table(
        name="cohorts",
        owner="fellowship",
        key=("number",),
        noun="cohort",
        existing=existing_cohorts,
        columns=[
            Column("number", positive_int, required=True),
            Column("start_date", iso_date),
            Column("end_date", iso_date),
        ],
        check=check_cohorts,
        write=write_cohorts,
    )
)

register(
    Table(
        name="fellows",
        owner="fellowship",
        after=("cohorts",),
        key=("ref",),
        noun="fellow",
        existing=existing_fellows,
        references=(COHORT, Reference("project", "projects")),
        columns=[
            Column("ref", required_text, required=True, max_length=40),
            Column("cohort", positive_int, required=True),
            Column("region", required_text, required=True, max_length=100),
            Column("profession", choice(Profession.values), required=True),
            Column("specialty", text, max_length=100),
            Column("funder", text, max_length=200),
            Column("status", choice(FellowStatus.values), required=True),
            Column("project", text, max_length=40),
            Column("name", text, max_length=150),
            Column("email", email_address, max_length=254),
        ],
        write=write_fellows,
    )
)

register(
    Table(
        name="workshops",
        owner="fellowship",
        after=("cohorts",),
        key=("cohort", "date", "title"),
        noun="workshop",
        references=(COHORT,),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("date", iso_date, required=True),
            Column("title", required_text, required=True, max_length=200),
            Column("host_organisation", text, max_length=200),
            Column("regional_showcase", yes_no),
            Column("duration_minutes", workshop_minutes),
        ],
        write=write_workshops,
    )
)

register(
    Table(
        name="speakers",
        owner="fellowship",
        after=("cohorts", "workshops"),
        key=("cohort", "workshop", "name"),
        noun="speaker",
        references=(COHORT,),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("workshop", required_text, required=True, max_length=200),
            Column("name", required_text, required=True, max_length=150),
            Column("organisation", required_text, required=True, max_length=200),
            Column("sector", choice(SPEAKER_SECTORS), required=True),
            Column("role", text, max_length=150),
        ],
        check=check_speakers,
        write=write_speakers,
    )
)

register(
    Table(
        name="mentoring",
        owner="fellowship",
        # After projects: the import places fellows on projects there, and pairs share project domains.
        after=("cohorts", "fellows", "projects"),
        key=("mentor", "mentee"),
        noun="mentor pair",
        references=(COHORT, Reference("mentor", "fellows"), Reference("mentee", "fellows")),
        columns=[
            Column("cohort", positive_int, required=True),
            Column("mentor", required_text, required=True, max_length=40),
            Column("mentee", required_text, required=True, max_length=40),
        ],
        check=check_mentoring,
        write=write_mentoring,
    )
)
