"""Domain operations on fellows' portfolios: keeping entries, the graduation poster and the
testimonial, and what the benefits report reads from them (counts by kind, quotable testimonials).

Each fellow keeps their own portfolio, in post and after graduating. Files are stored privately
(see fellowship.uploads); a replaced or removed file is deleted once the change is committed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fellowship import audit
from fellowship.changes import changed_by
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import Cohort, Fellow, User
from fellowship.uploads import delete_stored_on_commit

from . import consent as consent_text
from .enums import (
    ACADEMIC_COAUTHOR_KINDS,
    AWARDED,
    NATIONAL_BODY_KINDS,
    ConsentPurpose,
    EntryKind,
    QuoteAs,
)
from .links import LinkError, normalise_link
from .models import Consent, PortfolioEntry, Poster, Testimonial


@dataclass(frozen=True)
class ConsentChanges:
    """The consents one save gave and withdrew, by purpose, for the page to tell the fellow."""

    given: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()


FUTURE_AWARD = "An awarded %(kind)s cannot be dated in the future. Enter the date it was awarded"


def entry_problems(entry: PortfolioEntry, *, today: datetime.date | None = None) -> dict[str, str]:
    """What is wrong with an entry, by field: awarded items (certificates, grants ...) cannot be in the future."""
    today = today or timezone.localdate()
    problems = {}
    if entry.kind in AWARDED and entry.date and entry.date > today:
        problems["date"] = FUTURE_AWARD % {"kind": EntryKind(entry.kind).label.lower()}
    return problems


def _previous_file(instance: models.Model, field: str) -> str:
    if not instance.pk:
        return ""
    return (
        type(instance)._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
        or ""
    )


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
        changed_by(entry, by)
        entry.save()
        if previous and previous != entry.evidence.name:
            delete_stored_on_commit(entry.evidence.storage, [previous])
    return entry


def remove_entry(entry: PortfolioEntry, *, by: User | None) -> None:
    """Remove a portfolio entry. Side effects: the entry deleted (history keeps a record naming
    `by`), its evidence file deleted after commit."""
    with transaction.atomic():
        name, storage = entry.evidence.name, entry.evidence.storage
        changed_by(entry, by)
        entry.delete()
        delete_stored_on_commit(storage, [name])


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
        changed_by(poster, by)
        poster.save()
        if previous and previous != poster.file.name:
            delete_stored_on_commit(poster.file.storage, [previous])
    return poster


def save_testimonial(
    testimonial: Testimonial,
    *,
    by: User | None,
    quote: bool | None = None,
    quote_as: str = QuoteAs.ANONYMOUS,
    publish: bool | None = None,
) -> ConsentChanges:
    """Write or change a fellow's testimonial and, when `quote` and `publish` are given, bring its
    consents in line with the fellow's answers (see `give_consent` and `withdraw_consent`).

    Publishing on the website needs consent to quote. Only answers that change something make a
    record: an unchanged yes keeps its consent; a change of credit (named or anonymous) withdraws
    the consent to quote and records a new one with the new words. Side effects: the testimonial
    saved with a history record naming `by`; consent records and audit events for each consent
    given or withdrawn. Returns the purposes given and withdrawn (a change of credit is in both).
    """
    if publish and quote is False:
        raise ValidationError(
            {
                "may_publish": "To publish your testimonial on the website, also agree to it being quoted"
            }
        )
    given: list[str] = []
    withdrawn: list[str] = []
    with transaction.atomic():
        testimonial.updated_at = timezone.now()
        changed_by(testimonial, by)
        testimonial.save()
        testimonial.forget_consents()
        if quote is not None:
            current = testimonial.current_consent(ConsentPurpose.QUOTE_IN_REPORTS)
            recredited = bool(quote and current and current.quote_as != quote_as)
            if current and (not quote or recredited):
                withdrawn += withdraw_consent(current, by=by, replacing=recredited)
            if quote and (current is None or recredited):
                give_consent(testimonial, ConsentPurpose.QUOTE_IN_REPORTS, quote_as=quote_as, by=by)
                given.append(ConsentPurpose.QUOTE_IN_REPORTS)
        if publish is not None:
            testimonial.forget_consents()
            current = testimonial.current_consent(ConsentPurpose.PUBLISH_ON_WEBSITE)
            if current and not publish:
                withdrawn += withdraw_consent(current, by=by)
            elif publish and current is None:
                give_consent(testimonial, ConsentPurpose.PUBLISH_ON_WEBSITE, by=by)
                given.append(ConsentPurpose.PUBLISH_ON_WEBSITE)
        testimonial.forget_consents()
    return ConsentChanges(given=tuple(given), withdrawn=tuple(withdrawn))


def give_consent(
    testimonial: Testimonial, purpose: str, *, by: User | None, quote_as: str = ""
) -> Consent:
    """Record a fellow's consent to `purpose`, with the words they were shown (`consent.wording`).

    Raises ValidationError if that consent is already current, or if publishing is asked without
    a current consent to quote. Side effects: a Consent row; an audit event.
    """
    quote_as = quote_as if purpose == ConsentPurpose.QUOTE_IN_REPORTS else ""
    if purpose == ConsentPurpose.QUOTE_IN_REPORTS and quote_as not in QuoteAs.values:
        raise ValidationError({"quote_as": "Select how your testimonial should be credited"})
    with transaction.atomic():
        testimonial.forget_consents()
        if testimonial.current_consent(purpose) is not None:
            raise ValidationError("You have already given this consent")
        if (
            purpose == ConsentPurpose.PUBLISH_ON_WEBSITE
            and testimonial.current_consent(ConsentPurpose.QUOTE_IN_REPORTS) is None
        ):
            raise ValidationError(
                {
                    "may_publish": "To publish your testimonial on the website, also agree to it being quoted"
                }
            )
        consent = Consent.objects.create(
            testimonial=testimonial,
            purpose=purpose,
            quote_as=quote_as,
            wording=consent_text.wording(purpose, quote_as),
            wording_version=consent_text.WORDING_VERSION,
            given_by=by if by is not None and by.is_authenticated else None,
        )
        testimonial.forget_consents()
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.CONSENT,
            by=by,
            reference=testimonial.fellow.ref,
            summary=f"Consent given: {consent.get_purpose_display().lower()}"
            + (f" ({consent.get_quote_as_display().split(',')[0].lower()})" if quote_as else "")
            + f", wording {consent.wording_version}",
        )
    return consent


def withdraw_consent(consent: Consent, *, by: User | None, replacing: bool = False) -> list[str]:
    """Withdraw a current consent at once. Withdrawing consent to quote withdraws consent to
    publish too, as publishing is a kind of quoting (unless `replacing`: the fellow is changing
    how they are credited and still agrees to be quoted).

    Returns the purposes withdrawn. Side effects: `withdrawn_at` and `withdrawn_by` set on each
    consent withdrawn; an audit event for each. A consent already withdrawn is left as it is.
    """
    withdrawn: list[str] = []
    with transaction.atomic():
        testimonial = consent.testimonial
        rows = Consent.objects.select_for_update().current().filter(testimonial=testimonial)
        if consent.purpose == ConsentPurpose.QUOTE_IN_REPORTS and not replacing:
            rows = rows.filter(
                purpose__in=[ConsentPurpose.QUOTE_IN_REPORTS, ConsentPurpose.PUBLISH_ON_WEBSITE]
            )
        else:
            rows = rows.filter(pk=consent.pk)
        now = timezone.now()
        for row in rows.order_by("purpose"):
            row.mark_withdrawn(by, at=now)
            withdrawn.append(row.purpose)
            audit.record(
                AuditAction.CHANGED,
                AuditSubject.CONSENT,
                by=by,
                reference=testimonial.fellow.ref,
                summary=f"Consent withdrawn: {row.get_purpose_display().lower()}"
                + (" (to change how it is credited)" if replacing else ""),
            )
            if row.pk == consent.pk:
                consent.withdrawn_at, consent.withdrawn_by = row.withdrawn_at, row.withdrawn_by
        testimonial.forget_consents()
    return withdrawn


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


def consent_counts(cohorts: list[int] | None = None) -> dict[str, int]:
    """Testimonials of fellows of `cohorts` (cohort numbers; all if None) counted by consent, in
    one query: held, may be quoted (named, anonymous), may be published, and consents withdrawn
    and not given again (counted once per testimonial and purpose)."""
    testimonials = Testimonial.objects.all()
    if cohorts is not None:
        testimonials = testimonials.filter(fellow__cohort__number__in=cohorts)

    def consent(purpose: str, *, current: bool = True, **fields: Any) -> Exists:
        rows = Consent.objects.filter(testimonial=OuterRef("pk"), purpose=purpose, **fields)
        return Exists(rows.current() if current else rows.withdrawn())

    quote, publish = ConsentPurpose.QUOTE_IN_REPORTS, ConsentPurpose.PUBLISH_ON_WEBSITE
    quotable = Q(has_quote=True) & ~Q(text="")
    return testimonials.alias(
        has_quote=consent(quote),
        has_named_quote=consent(quote, quote_as=QuoteAs.NAMED),
        has_publish=consent(publish),
        had_quote=consent(quote, current=False),
        had_publish=consent(publish, current=False),
    ).aggregate(
        held=Count("pk"),
        quoted=Count("pk", filter=quotable),
        named=Count("pk", filter=quotable & Q(has_named_quote=True)),
        anonymous=Count("pk", filter=quotable & Q(has_named_quote=False)),
        published=Count("pk", filter=quotable & Q(has_publish=True)),
        withdrawn_quote=Count("pk", filter=Q(had_quote=True, has_quote=False)),
        withdrawn_publish=Count("pk", filter=Q(had_publish=True, has_publish=False)),
    )


def counts_by_kind(entries: QuerySet[PortfolioEntry]) -> list[dict[str, Any]]:
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
