"""Alumni mentoring (objective 5): alumni offer to mentor, incoming fellows ask, faculty assign and publish.

Domain operations as plain functions with a keyword-only actor. Each validates, changes state in
one transaction and raises ValidationError with a message for the person using the page. The
assignment itself is the pure module `fellowship.mentor_matching`; this module turns offers and
requests into its Mentor and Mentee records and stores the result as proposed MentorPairing rows.

A cohort's pairs are *published* once any of its pairs is published (by faculty, or imported
from the programme history): from then on offers, requests and pairs of that cohort are fixed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import audit
from . import mentor_matching as matching
from .enums import AuditAction, AuditSubject, FellowStatus, Importance, MentoringStatus
from .models import (
    Cohort,
    Fellow,
    MentorExclusion,
    MentorOffer,
    MentorPairing,
    MentorRequest,
    Region,
    User,
)
from .notifications import notify

MAX_CAPACITY = 3
MAX_DOMAINS = 10


# Reading ------------------------------------------------------------------------------------


def incoming_cohort() -> Cohort | None:
    """The cohort alumni offer to mentor: the newest by number (None before any cohort exists)."""
    return Cohort.objects.order_by("-number").first()


def is_published(cohort: Cohort) -> bool:
    """Whether the cohort's pairs have been published (or imported), which fixes them."""
    return MentorPairing.objects.published().filter(cohort=cohort).exists()


def mentor_record(user: User) -> Fellow | None:
    """The person's most recent graduated fellowship: the record that mentors."""
    return (
        user.fellowships.graduated()
        .select_related("cohort", "region")
        .order_by("-cohort__number")
        .first()
    )


def mentee_record(user: User) -> Fellow | None:
    """The person's current (in post) fellowship: the record that asks for a mentor."""
    return (
        user.fellowships.in_post()
        .select_related("cohort", "region", "mentor_request")
        .order_by("-cohort__number")
        .first()
    )


def project_domain(fellow: Fellow) -> str:
    """The clinical domain of the fellow's AI project, or "" before they are placed on one (the
    projects app records it on the fellow when it places them)."""
    return fellow.project_domain


def as_mentor(offer: MentorOffer) -> matching.Mentor:
    return matching.Mentor(
        id=offer.mentor_id,
        capacity=offer.capacity,
        region=offer.region.name if offer.region_id else None,
        specialty=offer.specialty or None,
        domains=frozenset(offer.domains or ()),
    )


def as_mentee(request: MentorRequest) -> matching.Mentee:
    fellow = request.fellow
    return matching.Mentee(
        id=fellow.pk,
        region=fellow.region.name if fellow.region_id else None,
        specialty=fellow.specialty or None,
        domain=request.domain or None,
        region_weight=request.region_importance,
        specialty_weight=request.specialty_importance,
        domain_weight=request.domain_importance,
    )


def reason(
    pairing: MentorPairing, offer: MentorOffer | None = None, request: MentorRequest | None = None
) -> str:
    """Why the pair was made, in plain English: from the offer and request when both are known,
    otherwise from what the pair was recorded to share (imported pairs have neither)."""
    if offer is not None and request is not None:
        return matching.explain(as_mentor(offer), as_mentee(request))
    shared = [
        label
        for label, flag in (
            ("region", pairing.shares_region),
            ("clinical specialty", pairing.shares_specialty),
            ("project domain", pairing.shares_domain),
        )
        if flag
    ]
    if not shared:
        return "No shared region, specialty or domain"
    listed = shared[0] if len(shared) == 1 else ", ".join(shared[:-1]) + " and " + shared[-1]
    return f"Same {listed}"


def pair_fit(
    pairing: MentorPairing, offer: MentorOffer | None, request: MentorRequest | None
) -> matching.Fit | None:
    """The pair's fit explained point by point (the same computation as its quality), or None for a
    pair without both an offer and a request (imported pairs): nothing was weighed for those."""
    if offer is None or request is None:
        return None
    return matching.fit(as_mentor(offer), as_mentee(request))


def explain_pairs(
    pairs: Iterable[MentorPairing],
    *,
    offers: dict[int, MentorOffer] | None = None,
    requests: dict[int, MentorRequest] | None = None,
) -> None:
    """Give each pair `reason` (a sentence) and `fit` (see pair_fit), for pages listing pairs.

    `offers` (by mentor id, one cohort's) and `requests` (by fellow id) are read when not given:
    two queries for any number of pairs.
    """
    pairs = list(pairs)
    if offers is None:
        found = MentorOffer.objects.filter(
            cohort_id__in={p.cohort_id for p in pairs}, mentor_id__in={p.mentor_id for p in pairs}
        ).select_related("region")
        by_pair = {(o.cohort_id, o.mentor_id): o for o in found}
    else:
        by_pair = {(o.cohort_id, o.mentor_id): o for o in offers.values()}
    if requests is None:
        requests = {
            r.fellow_id: r
            for r in MentorRequest.objects.filter(
                fellow_id__in={p.mentee_id for p in pairs}
            ).select_related("fellow__region")
        }
    for pair in pairs:
        offer = by_pair.get((pair.cohort_id, pair.mentor_id))
        request = requests.get(pair.mentee_id)
        pair.reason = reason(pair, offer, request)
        pair.fit = pair_fit(pair, offer, request)


def sharing_counts(pairings: QuerySet[MentorPairing]) -> dict[str, int]:
    """How many of the pairs share region, specialty, domain, any of them, and the total (one query).

    The benefits report uses it for objective 5 ("the overwhelming majority ... specific to region,
    clinical specialty, or AI project domain").
    """
    counts = pairings.aggregate(
        total=Count("pk"),
        region=Count("pk", filter=Q(shares_region=True)),
        specialty=Count("pk", filter=Q(shares_specialty=True)),
        domain=Count("pk", filter=Q(shares_domain=True)),
        any=Count(
            "pk", filter=Q(shares_region=True) | Q(shares_specialty=True) | Q(shares_domain=True)
        ),
    )
    return {key: counts[key] or 0 for key in ("region", "specialty", "domain", "any", "total")}


def clean_domains(domains: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated (ignoring case) domain names, in the order given."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for name in domains:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    return cleaned


# Checks shared by the operations ------------------------------------------------------------


def _refuse_if_published(cohort: Cohort) -> None:
    if is_published(cohort):
        raise ValidationError(
            f"Mentor pairs for {cohort} have been published, so they can no longer be changed"
        )


def _check_importance(**values: int) -> None:
    for name, value in values.items():
        if value not in Importance.values:
            raise ValidationError(f"Choose how much the {name} matters")


def _refresh(pairings: Iterable[MentorPairing]) -> None:
    """Recompute what proposed pairs share after an offer or request changed."""
    for pairing in pairings:
        _set_sharing(pairing)
        pairing.save(
            update_fields=["shares_region", "shares_specialty", "shares_domain", "quality"]
        )


def _set_sharing(pairing: MentorPairing) -> None:
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


def _check_room(offer: MentorOffer, *, besides: MentorPairing | None = None) -> None:
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
        _refuse_if_published(cohort)
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
        _refresh(proposed[:capacity])
    return offer


def withdraw_offer(offer: MentorOffer, *, by: User | None) -> None:
    """Withdraw an offer to mentor. Side effects: deletes the offer and the mentor's proposed pairs
    in that cohort (history keeps both). Raises ValidationError once the cohort's pairs are published."""
    with transaction.atomic():
        _refuse_if_published(offer.cohort)
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
    _check_importance(
        region=region_importance,
        **{"clinical specialty": specialty_importance},
        domain=domain_importance,
    )
    domain = " ".join(domain.split())
    if len(domain) > 100:
        raise ValidationError("The AI project domain must be 100 characters or fewer")
    with transaction.atomic():
        _refuse_if_published(fellow.cohort)
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
        _refresh(MentorPairing.objects.filter(mentee=fellow, status=MentoringStatus.PROPOSED))
    return request


def withdraw_request(request: MentorRequest, *, by: User | None) -> None:
    """Withdraw a request for a mentor. Side effects: deletes the request and the fellow's proposed
    pair (history keeps both). Raises ValidationError once the cohort's pairs are published."""
    with transaction.atomic():
        _refuse_if_published(request.fellow.cohort)
        MentorPairing.objects.filter(
            mentee_id=request.fellow_id, status=MentoringStatus.PROPOSED
        ).delete()
        request.delete()


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
        _refuse_if_published(cohort)
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
        fixed = {pair.mentee_id: pair.mentor_id for pair in pinned}
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
                    mentor_id=mentor_id,
                    mentee_id=mentee_id,
                    shares_region="region" in shared,
                    shares_specialty="specialty" in shared,
                    shares_domain="domain" in shared,
                    quality=matching.quality(mentor, mentee),
                    created_by=by,
                )
            )
        for pairing in new:  # save() rather than bulk_create so that history records each pair
            pairing.save()
        _refresh(pinned)
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
        _refuse_if_published(cohort)
        existing = MentorPairing.objects.filter(mentee_id=request.fellow_id).first()
        if existing is not None and existing.cohort_id != cohort.pk:
            raise ValidationError(
                f"{request.fellow.display_name} already has a mentor in {existing.cohort}"
            )
        _check_room(
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
        _set_sharing(pairing)
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
        _refuse_if_published(pairing.cohort)
        if offer is not None and offer.mentor_id != pairing.mentor_id:
            if offer.cohort_id != pairing.cohort_id:
                raise ValidationError(f"That offer is for {offer.cohort}, not {pairing.cohort}")
            if offer.mentor_id == pairing.mentee_id:
                raise ValidationError("A fellow cannot mentor themselves")
            _check_room(offer, besides=pairing)
            pairing.mentor_id = offer.mentor_id
            pinned = True
        pairing.pinned = pinned
        pairing.note = note.strip()
        _set_sharing(pairing)
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
        _refuse_if_published(cohort)
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
            if pairing.mentee.user_id:
                notify(
                    "mentoring_published_mentee",
                    to=pairing.mentee.user.email,
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
            if mentor.user_id:
                notify(
                    "mentoring_published_mentor",
                    to=mentor.user.email,
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
