"""Checks shared by the mentoring operations: published cohorts are fixed, importance is 0 to 3,
a mentor's places are not exceeded, and what each pair shares is kept current."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from .. import mentor_matching as matching
from ..enums import Importance
from ..models import (
    Cohort,
    MentorOffer,
    MentorPairing,
    MentorRequest,
)
from .records import as_mentee, as_mentor, is_published

# Checks shared by the operations ------------------------------------------------------------


def refuse_if_published(cohort: Cohort) -> None:
    if is_published(cohort):
        raise ValidationError(
            f"Mentor pairs for {cohort} have been published, so they can no longer be changed"
        )


def check_importance(**values: int) -> None:
    for name, value in values.items():
        if value not in Importance.values:
            raise ValidationError(f"Choose how much the {name} matters")


def refresh(pairings: Iterable[MentorPairing]) -> None:
    """Recompute what proposed pairs share after an offer or request changed."""
    for pairing in pairings:
        set_sharing(pairing)
        pairing.save(
            update_fields=["shares_region", "shares_specialty", "shares_domain", "quality"]
        )


def set_sharing(pairing: MentorPairing) -> None:
    """Fill shares_* and quality from the mentor's offer and the mentee's request (when both exist)."""
    offer = (
        MentorOffer.objects.filter(cohort_id=pairing.cohort_id, mentor_id=pairing.mentor_id)
        .select_related("region")
        .first()
    )
    request = (
        MentorRequest.objects.filter(fellow_id=pairing.mentee_id)
        .select_related("fellow__region")
        .first()
    )
    if offer is None or request is None:
        return
    mentor, mentee = as_mentor(offer), as_mentee(request)
    shared = matching.shared(mentor, mentee)
    pairing.shares_region = "region" in shared
    pairing.shares_specialty = "specialty" in shared
    pairing.shares_domain = "domain" in shared
    pairing.quality = matching.quality(mentor, mentee)


def check_room(offer: MentorOffer, *, besides: MentorPairing | None = None) -> None:
    """Refuse a pair that would give the mentor more mentees than the places they offered."""
    taken = MentorPairing.objects.filter(cohort_id=offer.cohort_id, mentor_id=offer.mentor_id)
    if besides is not None and besides.pk:
        taken = taken.exclude(pk=besides.pk)
    count = taken.count()
    if count >= offer.capacity:
        raise ValidationError(
            f"{offer.mentor.display_name} offered {offer.capacity} place{'s' if offer.capacity != 1 else ''} "
            f"and already has {count} mentee{'s' if count != 1 else ''}. Move or remove one of their pairs first"
        )
