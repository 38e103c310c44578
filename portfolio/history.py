"""Portfolio's table of the history import: entries of earlier fellows' portfolios.

Rows have no reference of their own, so an entry is known by its fellow, kind, title and date:
importing the same row again updates its link instead of adding it twice. Links are checked and
DOIs normalised as in the form; awarded items (certificates, grants ...) cannot be in the future.
"""

from __future__ import annotations

from django.utils import timezone

from fellowship.history import fellows_by_ref
from fellowship.importer import (
    CellError,
    CheckContext,
    Column,
    Reference,
    Rows,
    Table,
    TableReport,
    WriteContext,
    choice,
    in_chunks,
    iso_date,
    register,
    required_text,
    sync,
    yes_no,
)

from .enums import ACADEMIC_COAUTHOR_KINDS, AWARDED, EntryKind
from .links import LinkError, normalise_link
from .models import PortfolioEntry


def link(value: str) -> str:
    try:
        return normalise_link(value)
    except LinkError as exc:
        raise CellError(str(exc).replace("Enter", "must be", 1)) from None


def check_portfolio(rows: Rows, ctx: CheckContext) -> None:
    today = timezone.localdate()
    for row, values in rows:
        day = values.get("date")
        if values["kind"] in AWARDED and day and day > today:
            ctx.problem(
                "portfolio",
                row,
                "date",
                f"an awarded {EntryKind(values['kind']).label.lower()} cannot be dated in the future",
            )
        if values.get("academic_coauthor") and values["kind"] not in ACADEMIC_COAUTHOR_KINDS:
            kinds = ", ".join(sorted(ACADEMIC_COAUTHOR_KINDS))
            ctx.problem(
                "portfolio",
                row,
                "academic_coauthor",
                f"can be yes only for entries of kind {kinds}",
            )


def write_portfolio(rows: Rows, ctx: WriteContext, report: TableReport) -> None:
    fellows = fellows_by_ref({values["fellow"] for _, values in rows})
    now = timezone.now()
    wanted: dict[tuple, dict] = {}
    for _, values in rows:
        key = (fellows[values["fellow"]].pk, values["kind"], values["title"], values.get("date"))
        fields = {"fellow_id": key[0], "kind": key[1], "title": key[2], "date": key[3]}
        if "url" in values:
            fields["url"] = values["url"]
        if "academic_coauthor" in values:
            fields["academic_coauthors"] = bool(values["academic_coauthor"])
        wanted[key] = fields
    fellow_ids = {key[0] for key in wanted}
    existing = [
        e
        for chunk in in_chunks(fellow_ids)
        for e in PortfolioEntry.objects.filter(fellow_id__in=chunk).order_by("pk")
    ]
    sync(
        PortfolioEntry,
        existing,
        lambda e: (e.fellow_id, e.kind, e.title, e.date),
        wanted,
        ctx,
        report,
        on_change={"updated_at": now},
    )


register(
    Table(
        name="portfolio",
        owner="portfolio",
        after=("fellows",),
        key=("fellow", "kind", "title", "date"),
        noun="entry",
        references=(Reference("fellow", "fellows"),),
        columns=[
            Column("fellow", required_text, required=True, max_length=40),
            Column("kind", choice(EntryKind.values), required=True),
            Column("title", required_text, required=True, max_length=300),
            Column("date", iso_date),
            Column("url", link, max_length=500),
            Column("academic_coauthor", yes_no),
        ],
        check=check_portfolio,
        write=write_portfolio,
    )
)
