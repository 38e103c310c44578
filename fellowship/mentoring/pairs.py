"""Faculty assign mentors: run the assignment, pin, change and remove pairs, and publish them."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import audit
from .. import mentor_matching as matching
from ..enums import AuditAction, AuditSubject, FellowStatus, MentoringStatus
from ..models import (
    Cohort,
    MentorExclusion,
    MentorOffer,
    MentorPairing,
    MentorRequest,
    User,
)
from ..notifications import notify
from .checks import check_room, refresh, refuse_if_published, set_sharing
from .records import as_mentee, as_mentor, reason

# Faculty assign ------------------------------------------------------------------------------


def cohort_offers(cohort: Cohort) -> QuerySet[MentorOffer]:
    return MentorOffer.objects.filter(cohort=cohort).select_related(
        "mentor__cohort", "mentor__user", "mentor__region", "region"
    )


def cohort_requests(cohort: Cohort) -> QuerySet[MentorRequest]:
    """Requests of the cohort's fellows who are still in post."""
    return MentorRequest.objects.filter(
        fellow__cohort=cohort, fellow__status=FellowStatus.IN_POST
    ).select_related("fellow__region", "fellow__user")


def run_assignment(cohort: Cohort, *, by: User | None) -> matching.Assignment:
    """Pair the cohort's requesting fellows with the alumni who offered, most fellows first, then best fit.

    Pinned pairs are kept (and use up their mentor's places); every other proposed pair is replaced.
    Side effects: deletes the cohort's unpinned proposed pairs and creates new proposed MentorPairing
    rows with what each pair shares and its quality. No e-mail. Raises ValidationError if the pairs
    are published, nobody offered or nobody asked, or pinned pairs no longer fit the offers.
    """
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(
            pk=cohort.pk
        ).first()  # one run at a time per cohort
        refuse_if_published(cohort)
        offers = {o.mentor_id: o for o in cohort_offers(cohort)}
        requests = {r.fellow_id: r for r in cohort_requests(cohort)}
        if not offers:
            raise ValidationError(f"No alumni have offered to mentor fellows of {cohort} yet")
        if not requests:
            raise ValidationError(f"No fellows of {cohort} have asked for a mentor yet")
        pinned = list(
            MentorPairing.objects.filter(cohort=cohort, pinned=True).select_related(
                "mentor", "mentee"
            )
        )
        for pair in pinned:
            if pair.mentor_id not in offers:
                raise ValidationError(
                    f"{pair.mentor.display_name} no longer offers to mentor. Remove or change their pinned pair first"
                )
            if pair.mentee_id not in requests:
                raise ValidationError(
                    f"{pair.mentee.display_name} no longer asks for a mentor. Remove their pinned pair first"
                )
        fixed: dict[matching.MenteeId, matching.MentorId] = {
            pair.mentee_id: pair.mentor_id for pair in pinned
        }
        mentors = [as_mentor(o) for o in offers.values()]
        mentees = [as_mentee(r) for r in requests.values()]
        # Pairs faculty removed are not proposed again (among people still offering and asking).
        forbidden = {
            (mentor_id, mentee_id)
            for mentor_id, mentee_id in MentorExclusion.objects.filter(cohort=cohort).values_list(
                "mentor_id", "mentee_id"
            )
            if mentor_id in offers and mentee_id in requests and fixed.get(mentee_id) != mentor_id
        }
        try:
            result = matching.assign(mentors, mentees, fixed=fixed, forbidden=forbidden)
        except ValueError as error:  # e.g. more pinned pairs than a mentor's places
            raise ValidationError(f"The pinned pairs do not fit the offers: {error}") from error
        MentorPairing.objects.filter(
            cohort=cohort, status=MentoringStatus.PROPOSED, pinned=False
        ).delete()
        by_id = {m.id: m for m in mentors}
        mentee_by_id = {m.id: m for m in mentees}
        new = []
        for mentee_id, mentor_id in sorted(result.pairs.items()):
            if mentor_id is None or mentee_id in fixed:
                continue
            mentor, mentee = by_id[mentor_id], mentee_by_id[mentee_id]
            shared = matching.shared(mentor, mentee)
            new.append(
                MentorPairing(
                    cohort=cohort,
                    mentor_id=cast(int, mentor_id),
                    mentee_id=cast(int, mentee_id),
                    shares_region="region" in shared,
                    shares_specialty="specialty" in shared,
                    shares_domain="domain" in shared,
                    quality=matching.quality(mentor, mentee),
                    created_by=by,
                )
            )
        for pairing in new:  # save() rather than bulk_create so that history records each pair
            pairing.save()
        refresh(pinned)
    return result


def pin_pair(
    offer: MentorOffer, request: MentorRequest, *, note: str = "", by: User | None
) -> MentorPairing:
    """Pair a requesting fellow with an offering alumnus by hand; re-running the assignment keeps it.

    Side effects: replaces the fellow's existing proposed pair, if any, with a pinned proposed
    MentorPairing (history recorded). No e-mail. Raises ValidationError if the offer and request
    are for different cohorts, the mentor has no place left, or the pairs are published.
    """
    cohort = offer.cohort
    if request.fellow.cohort_id != cohort.pk:
        raise ValidationError(f"{request.fellow.display_name} is not a fellow of {cohort}")
    if request.fellow_id == offer.mentor_id:
        raise ValidationError("A fellow cannot mentor themselves")
    with transaction.atomic():
        refuse_if_published(cohort)
        existing = MentorPairing.objects.filter(mentee_id=request.fellow_id).first()
        if existing is not None and existing.cohort_id != cohort.pk:
            raise ValidationError(
                f"{request.fellow.display_name} already has a mentor in {existing.cohort}"
            )
        check_room(
            offer, besides=existing if existing and existing.mentor_id == offer.mentor_id else None
        )
        if existing is not None:
            existing.delete()
        pairing = MentorPairing(
            cohort=cohort,
            mentor_id=offer.mentor_id,
            mentee_id=request.fellow_id,
            pinned=True,
            note=note.strip(),
            created_by=by,
        )
        set_sharing(pairing)
        pairing.save()
        _lift_exclusion(pairing)
        _audit_pair(pairing, "Paired by hand", note, by=by)
    return pairing


def _audit_pair(pairing: MentorPairing, what: str, note: str, *, by: User | None) -> None:
    audit.record(
        AuditAction.OVERRIDDEN,
        AuditSubject.MENTORING,
        by=by,
        reference=pairing.mentee.ref,
        summary=f"{what}: mentor {pairing.mentor.ref}"
        + (f". {note.strip()}" if note.strip() else ""),
    )


def _lift_exclusion(pairing: MentorPairing) -> None:
    """Faculty paired these two by hand: an earlier removal no longer applies."""
    MentorExclusion.objects.filter(
        mentor_id=pairing.mentor_id, mentee_id=pairing.mentee_id
    ).delete()


def change_pair(
    pairing: MentorPairing,
    *,
    offer: MentorOffer | None = None,
    pinned: bool,
    note: str,
    by: User | None,
) -> MentorPairing:
    """Change a proposed pair: give the fellow another mentor (`offer`), pin or unpin it, note why.

    A pair given another mentor by hand is pinned, so re-running the assignment keeps it.
    Side effects: updates the MentorPairing and what it shares (history recorded). No e-mail.
    Raises ValidationError if the pair is published, the offer is for another cohort or the new
    mentor has no place left.
    """
    with transaction.atomic():
        pairing = MentorPairing.objects.select_for_update().get(pk=pairing.pk)
        if pairing.status != MentoringStatus.PROPOSED:
            raise ValidationError("This pair has been published and can no longer be changed")
        refuse_if_published(pairing.cohort)
        if offer is not None and offer.mentor_id != pairing.mentor_id:
            if offer.cohort_id != pairing.cohort_id:
                raise ValidationError(f"That offer is for {offer.cohort}, not {pairing.cohort}")
            if offer.mentor_id == pairing.mentee_id:
                raise ValidationError("A fellow cannot mentor themselves")
            check_room(offer, besides=pairing)
            pairing.mentor_id = offer.mentor_id
            pinned = True
        pairing.pinned = pinned
        pairing.note = note.strip()
        set_sharing(pairing)
        pairing.save()
        _lift_exclusion(pairing)
        _audit_pair(pairing, "Changed" + (", pinned" if pinned else ""), note, by=by)
    return pairing


def remove_pair(pairing: MentorPairing, *, by: User | None) -> None:
    """Remove a proposed pair (the fellow is left without a mentor until the next run or a pin).

    Re-running the assignment will not propose the same pair again; pinning it by hand will.
    Side effects: deletes the MentorPairing (history keeps it) and records a MentorExclusion.
    Raises ValidationError if it is published.
    """
    with transaction.atomic():
        if pairing.status != MentoringStatus.PROPOSED:
            raise ValidationError("This pair has been published and can no longer be removed")
        MentorExclusion.objects.get_or_create(
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            defaults={"cohort_id": pairing.cohort_id, "created_by": by},
        )
        _audit_pair(pairing, "Removed", "", by=by)
        pairing.delete()


def publish_pairs(cohort: Cohort, *, by: User | None) -> int:
    """Publish the cohort's proposed pairs and tell each mentee and mentor; returns how many.

    Side effects: sets every proposed pair of the cohort to published with published_at now
    (history recorded); e-mails each mentee `mentoring_published_mentee` (their mentor, how to
    contact them and why they were paired) and each mentor `mentoring_published_mentor` (their
    mentees), after the transaction commits. People without an account get no e-mail.
    Raises ValidationError if the pairs were already published or there is nothing to publish.
    """
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        refuse_if_published(cohort)
        pairs = list(
            MentorPairing.objects.filter(
                cohort=cohort, status=MentoringStatus.PROPOSED
            ).select_related(
                "mentor__user",
                "mentor__region",
                "mentor__cohort",
                "mentee__user",
                "mentee__region",
                "mentee__cohort",
            )
        )
        if not pairs:
            raise ValidationError(
                f"There are no proposed pairs for {cohort} to publish. Run the assignment first"
            )
        offers = {o.mentor_id: o for o in cohort_offers(cohort)}
        requests = {
            r.fellow_id: r
            for r in MentorRequest.objects.filter(fellow__cohort=cohort).select_related(
                "fellow__region"
            )
        }
        now = timezone.now()
        audit.record(
            AuditAction.PUBLISHED,
            AuditSubject.MENTORING,
            by=by,
            reference=f"cohort {cohort.number}",
            summary=f"{len(pairs)} mentor pairs published",
        )
        by_mentor: dict[int, list[tuple[MentorPairing, str]]] = {}
        for pairing in pairs:
            pairing.status = MentoringStatus.PUBLISHED
            pairing.published_at = now
            pairing.save(update_fields=["status", "published_at"])
            why = reason(pairing, offers.get(pairing.mentor_id), requests.get(pairing.mentee_id))
            by_mentor.setdefault(pairing.mentor_id, []).append((pairing, why))
            if (mentee_user := pairing.mentee.user) is not None:
                notify(
                    "mentoring_published_mentee",
                    to=mentee_user.email,
                    context={
                        "pairing": pairing,
                        "mentor": pairing.mentor,
                        "mentee": pairing.mentee,
                        "cohort": cohort,
                        "reason": why,
                    },
                )
        for rows in by_mentor.values():
            mentor = rows[0][0].mentor
            if (mentor_user := mentor.user) is not None:
                notify(
                    "mentoring_published_mentor",
                    to=mentor_user.email,
                    context={
                        "mentor": mentor,
                        "cohort": cohort,
                        "mentees": [(p.mentee, why) for p, why in rows],
                    },
                )
    return len(pairs)


def offers_with_places(cohort: Cohort) -> QuerySet[MentorOffer]:
    """The cohort's offers, each annotated with `used`: how many pairs the mentor has in the cohort."""
    used = (
        MentorPairing.objects.filter(cohort=OuterRef("cohort"), mentor=OuterRef("mentor"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cohort_offers(cohort).annotate(used=Coalesce(Subquery(used), 0))
