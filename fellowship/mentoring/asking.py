"""Alumni offer to mentor and fellows ask for a mentor: saving and withdrawing offers and requests."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ..enums import FellowStatus, MentoringStatus
from ..models import (
    Cohort,
    Fellow,
    MentorOffer,
    MentorPairing,
    MentorRequest,
    Region,
    User,
)
from .checks import check_importance, refresh, refuse_if_published
from .records import MAX_CAPACITY, MAX_DOMAINS, clean_domains

# Alumni offer --------------------------------------------------------------------------------


def save_offer(
    fellow: Fellow,
    *,
    cohort: Cohort,
    capacity: int,
    region: Region | None,
    specialty: str,
    domains: Iterable[str],
    by: User | None,
) -> MentorOffer:
    """Record (or change) an alumnus's offer to mentor up to `capacity` fellows of `cohort`.

    Side effects: creates or updates the MentorOffer (history recorded). If the capacity falls below
    the mentees already proposed for this mentor, their unpinned proposed pairs are removed (faculty
    run the assignment again); the sharing of remaining proposed pairs is recomputed. No e-mail.
    Raises ValidationError if the fellow has not graduated, belongs to the cohort, the capacity is
    not 1 to 3, or the cohort's pairs are published.
    """
    if fellow.status != FellowStatus.GRADUATED:
        raise ValidationError("Only alumni (fellows who have graduated) can offer to mentor")
    if fellow.cohort_id == cohort.pk or fellow.cohort.number >= cohort.number:
        raise ValidationError(
            f"Alumni of earlier cohorts mentor the fellows of {cohort}; you cannot mentor your own or an earlier cohort"
        )
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(f"You can mentor between 1 and {MAX_CAPACITY} fellows")
    domains = clean_domains(domains)
    if len(domains) > MAX_DOMAINS:
        raise ValidationError(f"Name at most {MAX_DOMAINS} project domains")
    if any(len(d) > 100 for d in domains):
        raise ValidationError("Each project domain must be 100 characters or fewer")
    with transaction.atomic():
        refuse_if_published(cohort)
        offer, _ = MentorOffer.objects.update_or_create(
            cohort=cohort,
            mentor=fellow,
            defaults={
                "capacity": capacity,
                "region": region,
                "specialty": specialty.strip(),
                "domains": domains,
            },
        )
        proposed = list(
            MentorPairing.objects.filter(cohort=cohort, mentor=fellow).order_by("-pinned", "pk")
        )
        pinned = sum(1 for p in proposed if p.pinned)
        if pinned > capacity:
            raise ValidationError(
                f"The programme team has already paired you with {pinned} fellows. Ask them before you offer fewer places"
            )
        for extra in proposed[capacity:]:
            extra.delete()
        refresh(proposed[:capacity])
    return offer


def withdraw_offer(offer: MentorOffer, *, by: User | None) -> None:
    """Withdraw an offer to mentor. Side effects: deletes the offer and the mentor's proposed pairs
    in that cohort (history keeps both). Raises ValidationError once the cohort's pairs are published."""
    with transaction.atomic():
        refuse_if_published(offer.cohort)
        MentorPairing.objects.filter(cohort_id=offer.cohort_id, mentor_id=offer.mentor_id).delete()
        offer.delete()


# Fellows ask ---------------------------------------------------------------------------------


def save_request(
    fellow: Fellow,
    *,
    domain: str,
    region_importance: int,
    specialty_importance: int,
    domain_importance: int,
    note: str = "",
    by: User | None,
) -> MentorRequest:
    """Record (or change) a fellow's request for a mentor and what matters most to them.

    Side effects: creates or updates the MentorRequest (history recorded) and recomputes what the
    fellow's proposed pair (if any) shares. No e-mail. Raises ValidationError if the fellow is not in
    post, an importance is not one of the choices, or the cohort's pairs are published.
    """
    if fellow.status != FellowStatus.IN_POST:
        raise ValidationError("Only fellows in post can ask for a mentor")
    check_importance(
        region=region_importance,
        **{"clinical specialty": specialty_importance},
        domain=domain_importance,
    )
    domain = " ".join(domain.split())
    if len(domain) > 100:
        raise ValidationError("The AI project domain must be 100 characters or fewer")
    with transaction.atomic():
        refuse_if_published(fellow.cohort)
        request, _ = MentorRequest.objects.update_or_create(
            fellow=fellow,
            defaults={
                "domain": domain,
                "region_importance": region_importance,
                "specialty_importance": specialty_importance,
                "domain_importance": domain_importance,
                "note": note.strip(),
            },
        )
        refresh(MentorPairing.objects.filter(mentee=fellow, status=MentoringStatus.PROPOSED))
    return request


def withdraw_request(request: MentorRequest, *, by: User | None) -> None:
    """Withdraw a request for a mentor. Side effects: deletes the request and the fellow's proposed
    pair (history keeps both). Raises ValidationError once the cohort's pairs are published."""
    with transaction.atomic():
        refuse_if_published(request.fellow.cohort)
        MentorPairing.objects.filter(
            mentee_id=request.fellow_id, status=MentoringStatus.PROPOSED
        ).delete()
        request.delete()
