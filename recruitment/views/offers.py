"""Offers: the faculty's page per round (ranking per post, making offers, confirming the next one,
sending outcomes) and the candidate's page to accept or decline.

An offer is only ever shown to its own candidate: any other person gets a 404, so an offer's
existence is not revealed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from fellowship.models import FundedPost

from .. import offers as service
from ..enums import OfferState, Stage
from ..forms.offers import ACCEPT, MakeOfferForm, OfferReplyForm
from ..models import Application, Offer, RecruitmentRound

manage_offers = permission_required("recruitment.manage_offers", raise_exception=True)


@manage_offers
@require_http_methods(["GET", "POST"])
def offers(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)
    if request.method == "POST":
        form = MakeOfferForm(request.POST)
        if form.is_valid():
            post = get_object_or_404(
                FundedPost, pk=form.cleaned_data["post"], cohort_id=rnd.cohort_id
            )
            application = get_object_or_404(
                Application.objects.select_related("applicant", "round"),
                pk=form.cleaned_data["application"],
                round=rnd,
            )
            try:
                service.make_offer(application, post, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                name = application.applicant.full_name if application.applicant else application.ref
                messages.success(
                    request, f"Offer made to {name}. We have emailed them a link to reply."
                )
        return redirect("offers", pk=rnd.pk)
    posts = service.rank_round(rnd)
    waiting = Application.objects.filter(round=rnd, stage=Stage.INTERVIEWED).count()
    context = {
        "round": rnd,
        "posts": posts,
        "interviewed_waiting": waiting,
        "open_places": sum(p.free for p in posts),
    }
    return render(request, "recruitment/offers/faculty.html", context)


@require_POST
@manage_offers
def send_outcomes(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound, pk=pk)
    count = service.send_outcomes(rnd, by=request.user)
    if count:
        messages.success(
            request,
            f"{count} candidate{'s' if count != 1 else ''} told they were unsuccessful, with their feedback.",
        )
    else:
        messages.info(request, "There were no interviewed candidates without an offer to tell.")
    return redirect("offers", pk=rnd.pk)


@require_http_methods(["GET", "POST"])
def offer_respond(request, pk: int):
    offer = get_object_or_404(
        Offer.objects.for_user(request.user).select_related(
            "application__round__cohort",
            "application__applicant",
            "post__region",
            "post__funder",
            "post__cohort",
        ),
        pk=pk,
        application__applicant=request.user,
    )
    now = timezone.now()
    is_open = offer.state == OfferState.PENDING and now < offer.respond_by
    form = OfferReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ACCEPT:
                service.accept_offer(offer, by=request.user)
                messages.success(request, "You have accepted the offer. Welcome to the fellowship.")
            else:
                service.decline_offer(offer, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(
                    request, "You have declined the offer. We have sent you an email to confirm."
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("offer_respond", pk=offer.pk)
    context = {
        "offer": offer,
        "form": form,
        "is_open": is_open,
        "deadline_passed": now >= offer.respond_by,
    }
    status = 400 if form.errors and request.method == "POST" else 200
    return render(request, "recruitment/offers/respond.html", context, status=status)
