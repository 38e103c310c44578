"""Domain operations on fellows' portfolios: keeping entries, the graduation poster and the
testimonial, and what the benefits report reads from them (counts by kind, quotable testimonials).

Each fellow keeps their own portfolio, in post and after graduating. Files are stored privately
(see fellowship.uploads); a replaced or removed file is deleted once the change is committed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fellowship.models import Cohort, Fellow, User

from .enums import ACADEMIC_COAUTHOR_KINDS, AWARDED, NATIONAL_BODY_KINDS, EntryKind
from .links import LinkError, normalise_link
from .models import PortfolioEntry, Poster, Testimonial

FUTURE_AWARD = "An awarded %(kind)s cannot be dated in the future. Enter the date it was awarded"


def entry_problems(entry: PortfolioEntry, *, today=None) -> dict[str, str]:
    """What is wrong with an entry, by field: awarded items (certificates, grants ...) cannot be in the future."""
    today = today or timezone.localdate()
    problems = {}
    if entry.kind in AWARDED and entry.date and entry.date > today:
        problems["date"] = FUTURE_AWARD % {"kind": EntryKind(entry.kind).label.lower()}
    return problems


def _delete_file_later(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _previous_file(instance, field: str) -> str:
    if not instance.pk:
        return ""
    return type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first() or ""


def save_entry(entry: PortfolioEntry, *, by: User | None) -> PortfolioEntry:
    """Add or change a portfolio entry.

    A DOI is written as a https://doi.org/ link. Flags the paper counts are kept only for the kinds
    they describe (academic co-authors for publications; a royal college or national body for
    policy work and media pieces). Side effects: the entry and its evidence file saved, a history
    record naming `by`, a replaced evidence file deleted after commit. Raises ValidationError (by field) for an awarded item dated in the future
    or a link that is neither a DOI nor an http(s) address.
    """
    problems = entry_problems(entry)
    try:
        entry.url = normalise_link(entry.url)
    except LinkError as exc:
        problems["url"] = str(exc)
    if problems:
        raise ValidationError(problems)
    entry.academic_coauthors = entry.academic_coauthors and entry.kind in ACADEMIC_COAUTHOR_KINDS
    entry.national_body = entry.national_body and entry.kind in NATIONAL_BODY_KINDS
    with transaction.atomic():
        previous = _previous_file(entry, "evidence")
        entry.updated_at = timezone.now()
        entry._history_user = by
        entry.save()
        if previous and previous != entry.evidence.name:
            _delete_file_later(entry.evidence.storage, previous)
    return entry


def remove_entry(entry: PortfolioEntry, *, by: User | None) -> None:
    """Remove a portfolio entry. Side effects: the entry deleted (history keeps a record naming
    `by`), its evidence file deleted after commit."""
    with transaction.atomic():
        name, storage = entry.evidence.name, entry.evidence.storage
        entry._history_user = by
        entry.delete()
        _delete_file_later(storage, name)


def save_poster(poster: Poster, *, by: User | None, kind: str) -> Poster:
    """Upload or replace a fellow's graduation poster (`kind` is the checked file type: pdf, png, jpeg).

    Side effects: the poster and its file saved, a history record naming `by`, the replaced
    file deleted after commit.
    """
    with transaction.atomic():
        previous = _previous_file(poster, "file")
        poster.file_kind = kind
        poster.file_size = poster.file.size or 0
        poster.uploaded_at = timezone.now()
        poster._history_user = by
        poster.save()
        if previous and previous != poster.file.name:
            _delete_file_later(poster.file.storage, previous)
    return poster


def save_testimonial(testimonial: Testimonial, *, by: User | None) -> Testimonial:
    """Write or change a fellow's testimonial and their consent to quote and publish it.

    Publishing on the website needs consent to quote. Side effects: the testimonial saved, with a
    history record naming `by` (so each change of consent is on record).
    """
    if testimonial.may_publish and not testimonial.may_quote:
        raise ValidationError(
            {
                "may_publish": "To publish your testimonial on the website, also agree to it being quoted"
            }
        )
    with transaction.atomic():
        testimonial.updated_at = timezone.now()
        testimonial._history_user = by
        testimonial.save()
    return testimonial


# What reports read ------------------------------------------------------------------------------


def quotable_testimonials(cohort: Cohort | int | None = None) -> QuerySet[Testimonial]:
    """Testimonials whose fellows agreed to be quoted, optionally of one cohort (a Cohort or its number).

    The only way reports may read testimonials: one without consent to quote is never returned.
    Use `attribution` to credit each quote as its fellow chose (named or anonymous).
    """
    testimonials = Testimonial.objects.quotable().select_related("fellow__cohort", "fellow__user")
    if cohort is not None:
        number = cohort.number if isinstance(cohort, Cohort) else int(cohort)
        testimonials = testimonials.filter(fellow__cohort__number=number)
    return testimonials.order_by("fellow__cohort__number", "fellow__ref")


def counts_by_kind(entries: QuerySet[PortfolioEntry]) -> list[dict]:
    """Entries per cohort and kind, counted in the database, for a table with a row per cohort.

    Each row: {"cohort": number, "counts": [count per EntryKind in order], "total": n}.
    """
    rows: dict[int, dict[str, int]] = {}
    grouped = entries.order_by().values("fellow__cohort__number", "kind").annotate(n=Count("pk"))
    for row in grouped:
        rows.setdefault(row["fellow__cohort__number"], {})[row["kind"]] = row["n"]
    return [
        {
            "cohort": number,
            "counts": [by_kind.get(kind, 0) for kind in EntryKind.values],
            "total": sum(by_kind.values()),
        }
        for number, by_kind in sorted(rows.items())
    ]


def evidence_counts(cohorts: list[int] | None = None) -> dict[str, int]:
    """The portfolio evidence objectives 5, 6 and 8 count, in one query, for fellows of `cohorts`
    (cohort numbers; all cohorts if None): publications with academic co-authors, policy work and
    media pieces with a royal college or national body, all media pieces, onward programmes."""
    entries = PortfolioEntry.objects.all()
    if cohorts is not None:
        entries = entries.filter(fellow__cohort__number__in=cohorts)
    return entries.aggregate(
        publications=Count("pk", filter=Q(kind=EntryKind.PUBLICATION)),
        publications_with_academics=Count(
            "pk", filter=Q(kind=EntryKind.PUBLICATION, academic_coauthors=True)
        ),
        policy_with_national_bodies=Count(
            "pk", filter=Q(kind=EntryKind.POLICY, national_body=True)
        ),
        media=Count("pk", filter=Q(kind=EntryKind.MEDIA)),
        onward_programmes=Count("pk", filter=Q(kind=EntryKind.ONWARD_PROGRAMME)),
        fellows_on_onward_programmes=Count(
            "fellow", filter=Q(kind=EntryKind.ONWARD_PROGRAMME), distinct=True
        ),
    )


def fellow_for(user: User) -> Fellow | None:
    """The fellow record whose portfolio this person keeps: their latest fellowship."""
    return user.fellowships.select_related("cohort").order_by("-cohort__number").first()
