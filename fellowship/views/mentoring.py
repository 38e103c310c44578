"""Mentoring pages: alumni offer to mentor, incoming fellows ask for a mentor, faculty assign,
adjust and publish the pairs, and everyone sees their own pairs once published.

Thin views: permission, form, one call to fellowship.mentoring, render or redirect.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import hooks, mentoring
from ..enums import MentoringStatus
from ..forms import MentorOfferForm, MentorPairAddForm, MentorPairForm, MentorRequestForm
from ..models import Cohort, MentorOffer, MentorPairing, MentorRequest

manage = permission_required("fellowship.manage_mentoring", raise_exception=True)

PAIR_RELATED = (
    "mentor__user",
    "mentor__cohort",
    "mentor__region",
    "mentee__user",
    "mentee__cohort",
    "mentee__region",
)


def _errors(form, error: ValidationError) -> None:
    form.add_error(None, error)


# Alumni and fellows ---------------------------------------------------------------------------


def my_mentoring(request):
    """A fellow's request and mentor; an alumnus's offers and mentees."""
    user = request.user
    asks = user.has_perm("fellowship.request_mentor")
    offers = user.has_perm("fellowship.offer_mentoring")
    if not (asks or offers):
        raise PermissionDenied
    context: dict = {
        "asks": asks,
        "offers_mentoring": offers,
        "cohort": mentoring.incoming_cohort(),
    }
    if asks:
        fellow = mentoring.mentee_record(user)
        context["mentee"] = fellow
        if fellow is not None:
            context["mentor_request"] = getattr(fellow, "mentor_request", None)
            context["published"] = mentoring.is_published(fellow.cohort)
            context["my_mentors"] = list(
                MentorPairing.objects.published()
                .filter(mentee=fellow)
                .select_related(*PAIR_RELATED)
            )
            mentoring.explain_pairs(context["my_mentors"])
    if offers:
        context["mentor"] = mentoring.mentor_record(user)
        context["my_offers"] = list(
            MentorOffer.objects.filter(mentor__user=user)
            .select_related("cohort", "region")
            .order_by("-cohort__number")
        )
        context["my_mentees"] = list(
            MentorPairing.objects.published()
            .filter(mentor__user=user)
            .select_related(*PAIR_RELATED)
            .order_by("-cohort__number", "mentee__ref")
        )
        if context["cohort"] is not None:
            context["offer_published"] = mentoring.is_published(context["cohort"])
    return render(request, "fellowship/mentoring/mine.html", context)


@permission_required("fellowship.offer_mentoring", raise_exception=True)
def mentor_offer(request):
    """An alumnus offers to mentor fellows of the incoming cohort, or changes or withdraws the offer."""
    fellow = mentoring.mentor_record(request.user)
    cohort = mentoring.incoming_cohort()
    context: dict = {"fellow": fellow, "cohort": cohort}
    if fellow is None or cohort is None or fellow.cohort.number >= cohort.number:
        return render(request, "fellowship/mentoring/offer.html", context)
    offer = (
        MentorOffer.objects.filter(cohort=cohort, mentor=fellow).select_related("cohort").first()
    )
    published = mentoring.is_published(cohort)
    context.update(offer=offer, published=published)
    if published:
        return render(request, "fellowship/mentoring/offer.html", context)

    if request.method == "POST" and "withdraw" in request.POST:
        if offer is not None:
            try:
                mentoring.withdraw_offer(offer, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, f"You have withdrawn your offer to mentor fellows of {cohort}"
                )
        return redirect("my_mentoring")

    names = hooks.domain_names()
    initial = MentorOfferForm.initial_for(
        offer=offer, fellow=fellow, domain_names=names, own_domain=mentoring.project_domain(fellow)
    )
    form = MentorOfferForm(request.POST or None, initial=initial, domain_names=names)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mentoring.save_offer(
                fellow,
                cohort=cohort,
                capacity=data["capacity"],
                region=data["region"],
                specialty=data["specialty"],
                domains=data["all_domains"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(
                request, f"Thank you. Your offer to mentor fellows of {cohort} is saved"
            )
            return redirect("my_mentoring")
    context["form"] = form
    return render(
        request, "fellowship/mentoring/offer.html", context, status=400 if form.errors else 200
    )


@permission_required("fellowship.request_mentor", raise_exception=True)
def mentor_request(request):
    """A fellow in post asks for a mentor, or changes or withdraws the request."""
    fellow = mentoring.mentee_record(request.user)
    context: dict = {"fellow": fellow}
    if fellow is None:
        return render(request, "fellowship/mentoring/request.html", context)
    existing = getattr(fellow, "mentor_request", None)
    published = mentoring.is_published(fellow.cohort)
    context.update(mentor_request=existing, published=published, cohort=fellow.cohort)
    if published:
        return render(request, "fellowship/mentoring/request.html", context)

    if request.method == "POST" and "withdraw" in request.POST:
        if existing is not None:
            try:
                mentoring.withdraw_request(existing, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "You have withdrawn your request for a mentor")
        return redirect("my_mentoring")

    if existing is not None:
        initial = {
            "domain": existing.domain,
            "region_importance": existing.region_importance,
            "specialty_importance": existing.specialty_importance,
            "domain_importance": existing.domain_importance,
            "note": existing.note,
        }
    else:
        initial = {"domain": mentoring.project_domain(fellow)}
    form = MentorRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            mentoring.save_request(fellow, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(
                request,
                "Your request for a mentor is saved. We will tell you when mentors are matched",
            )
            return redirect("my_mentoring")
    context["form"] = form
    return render(
        request, "fellowship/mentoring/request.html", context, status=400 if form.errors else 200
    )


# Faculty ----------------------------------------------------------------------------------------


@manage
def mentoring_list(request):
    """Every cohort with its offers, places, requests and pairs, and what published pairs share."""
    cohorts = list(Cohort.objects.order_by("-number"))
    offers = {
        row["cohort"]: row
        for row in MentorOffer.objects.order_by()
        .values("cohort")
        .annotate(offers=Count("pk"), places=Sum("capacity"))
    }
    requests = dict(
        MentorRequest.objects.order_by()
        .values("fellow__cohort")
        .annotate(n=Count("pk"))
        .values_list("fellow__cohort", "n")
    )
    published = Q(status=MentoringStatus.PUBLISHED)
    pairs = {
        row["cohort"]: row
        for row in MentorPairing.objects.order_by()
        .values("cohort")
        .annotate(
            proposed=Count("pk", filter=Q(status=MentoringStatus.PROPOSED)),
            published=Count("pk", filter=published),
            region=Count("pk", filter=published & Q(shares_region=True)),
            specialty=Count("pk", filter=published & Q(shares_specialty=True)),
            domain=Count("pk", filter=published & Q(shares_domain=True)),
            any=Count(
                "pk",
                filter=published
                & (Q(shares_region=True) | Q(shares_specialty=True) | Q(shares_domain=True)),
            ),
        )
    }
    rows = [
        {
            "cohort": cohort,
            "offers": offers.get(cohort.pk, {}).get("offers", 0),
            "places": offers.get(cohort.pk, {}).get("places") or 0,
            "requests": requests.get(cohort.pk, 0),
            **{
                k: pairs.get(cohort.pk, {}).get(k, 0)
                for k in ("proposed", "published", "region", "specialty", "domain", "any")
            },
        }
        for cohort in cohorts
    ]
    return render(request, "fellowship/mentoring/list.html", {"rows": rows})


@manage
def mentoring_cohort(request, number: int):
    """The cohort's offers, requests and pairs with the reason for each, and who is still without a mentor."""
    cohort = get_object_or_404(Cohort, number=number)
    offers = list(mentoring.cohort_offers(cohort))
    requests = list(mentoring.cohort_requests(cohort))
    pairs = list(MentorPairing.objects.filter(cohort=cohort).select_related(*PAIR_RELATED))
    offer_of = {o.mentor_id: o for o in offers}
    request_of = {r.fellow_id: r for r in requests}
    used = Counter(p.mentor_id for p in pairs)
    for offer in offers:
        offer.used = used[offer.mentor_id]
    mentoring.explain_pairs(pairs, offers=offer_of, requests=request_of)
    paired = {p.mentee_id for p in pairs}
    places_left = sum(max(o.capacity - o.used, 0) for o in offers)
    published = any(p.status == MentoringStatus.PUBLISHED for p in pairs)
    context = {
        "cohort": cohort,
        "offers": offers,
        "requests": requests,
        "pairs": pairs,
        "paired": paired,
        "unpaired": [r for r in requests if r.fellow_id not in paired],
        "places": sum(o.capacity for o in offers),
        "places_left": places_left,
        "published": published,
        "proposed": [p for p in pairs if p.status == MentoringStatus.PROPOSED],
        "sharing": mentoring.sharing_counts(MentorPairing.objects.filter(cohort=cohort)),
        "apart": sum(1 for p in pairs if not p.shares_any),
    }
    return render(request, "fellowship/mentoring/cohort.html", context)


@require_POST
@manage
def mentoring_run(request, number: int):
    cohort = get_object_or_404(Cohort, number=number)
    try:
        result = mentoring.run_assignment(cohort, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        asked = len(result.pairs)
        messages.success(
            request,
            f"The assignment proposed a mentor for {result.matched} of {asked} fellow{'s' if asked != 1 else ''}",
        )
    return redirect("mentoring_cohort", number=cohort.number)


@manage
def mentoring_pair_add(request, number: int):
    """Faculty pair a fellow with a mentor by hand; the pair is pinned."""
    cohort = get_object_or_404(Cohort, number=number)
    form = MentorPairAddForm(
        request.POST or None,
        offers=mentoring.offers_with_places(cohort).select_related("mentor__user"),
        requests=mentoring.cohort_requests(cohort),
    )
    published = mentoring.is_published(cohort)
    if request.method == "POST" and form.is_valid():
        try:
            mentoring.pin_pair(
                form.cleaned_data["offer"],
                form.cleaned_data["request"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Pair added and pinned")
            return redirect("mentoring_cohort", number=cohort.number)
    context = {"cohort": cohort, "form": form, "published": published}
    return render(
        request, "fellowship/mentoring/pair_add.html", context, status=400 if form.errors else 200
    )


@manage
def mentoring_pair(request, number: int, pk: int):
    """One pair: change the mentor, pin or unpin it, note why, or remove it."""
    pairing = get_object_or_404(
        MentorPairing.objects.select_related("cohort", *PAIR_RELATED), pk=pk, cohort__number=number
    )
    cohort = pairing.cohort
    if request.method == "POST" and "remove" in request.POST:
        try:
            mentoring.remove_pair(pairing, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("mentoring_pair", number=number, pk=pk)
        messages.success(
            request,
            f"Pair removed: {pairing.mentee.display_name} has no mentor until you run the assignment or add a pair. "
            f"Running the assignment will not pair them with {pairing.mentor.display_name} again",
        )
        return redirect("mentoring_cohort", number=number)
    form = MentorPairForm(
        request.POST or None,
        initial={"pinned": pairing.pinned, "note": pairing.note},
        offers=mentoring.offers_with_places(cohort)
        .exclude(mentor=pairing.mentee_id)
        .select_related("mentor__user"),
        current=pairing.mentor.display_name,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mentoring.change_pair(
                pairing,
                offer=data["offer"],
                pinned=data["pinned"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Pair updated")
            return redirect("mentoring_cohort", number=number)
    offer = (
        MentorOffer.objects.filter(cohort=cohort, mentor=pairing.mentor_id)
        .select_related("region")
        .first()
    )
    ask = (
        MentorRequest.objects.filter(fellow=pairing.mentee_id)
        .select_related("fellow__region")
        .first()
    )
    context = {
        "cohort": cohort,
        "pairing": pairing,
        "offer": offer,
        "ask": ask,
        "reason": mentoring.reason(pairing, offer, ask),
        "fit": mentoring.pair_fit(pairing, offer, ask),
        "form": form,
        "editable": pairing.status == MentoringStatus.PROPOSED,
    }
    return render(
        request, "fellowship/mentoring/pair.html", context, status=400 if form.errors else 200
    )


@require_POST
@manage
def mentoring_publish(request, number: int):
    cohort = get_object_or_404(Cohort, number=number)
    try:
        count = mentoring.publish_pairs(cohort, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{count} pair{'s' if count != 1 else ''} published. Each fellow and mentor has been e-mailed",
        )
    return redirect("mentoring_cohort", number=cohort.number)
