"""Reading the mentoring records: the incoming cohort, each person's mentor or mentee record, the
assignment's view of offers and requests, and why a pair fits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from .. import mentor_matching as matching
from ..models import (
    Cohort,
    Fellow,
    MentorOffer,
    MentorPairing,
    MentorRequest,
    User,
)

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
        region=offer.region.name if offer.region else None,
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
        # Shown beside each pair on the faculty's page.
        setattr(pair, "reason", reason(pair, offer, request))  # noqa: B010
        setattr(pair, "fit", pair_fit(pair, offer, request))  # noqa: B010


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
