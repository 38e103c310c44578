"""Portfolio's table of the history import: entries of earlier fellows' portfolios.

Rows have no reference of their own, so an entry is known by its fellow, kind, title and date:
importing the same row again updates its link instead of adding it twice. Links are checked and
DOIs normalised as in the form; awarded items (certificates, grants ...) cannot be in the future.
"""

from __future__ import annotations

from django.utils import timezone

from fellowship.history import Rows
from fellowship.importer import (
    CellError,
    Column,
    Table,
    TableReport,
    choice,
    iso_date,
    register,
    required_text,
)
from fellowship.models import Fellow

from .enums import AWARDED, EntryKind
from .links import LinkError, normalise_link
from .models import PortfolioEntry


def link(value: str) -> str:
    try:
        return normalise_link(value)
    except LinkError as exc:
        raise CellError(str(exc).replace("Enter", "must be", 1)) from None


def write_portfolio(rows: Rows, report: TableReport) -> None:
    refs = {values["fellow"] for _, values in rows}
    fellows = {f.ref: f for f in Fellow.objects.filter(ref__in=refs)}
    today = timezone.localdate()
    for row, values in rows:
        fellow = fellows.get(values["fellow"])
        if fellow is None:
            report.problem(
                row,
                "fellow",
                f"fellow {values['fellow']} is not in the fellows table or the database",
            )
            continue
        day = values.get("date")
        if values["kind"] in AWARDED and day and day > today:
            report.problem(
                row,
                "date",
                f"an awarded {EntryKind(values['kind']).label.lower()} cannot be dated in the future",
            )
            continue
        defaults = {"url": values["url"]} if "url" in values else {}
        _, created = PortfolioEntry.objects.update_or_create(
            fellow=fellow, kind=values["kind"], title=values["title"], date=day, defaults=defaults
        )
        report.count(created=created)


register(
    Table(
        name="portfolio",
        owner="portfolio",
        after=("fellows",),
        columns=[
            Column("fellow", required_text, required=True),
            Column("kind", choice(EntryKind.values), required=True),
            Column("title", required_text, required=True),
            Column("date", iso_date),
            Column("url", link),
        ],
        write=write_portfolio,
    )
)
