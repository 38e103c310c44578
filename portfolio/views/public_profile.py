"""A fellow's public profile, kept from their portfolio: what the fellows and alumni page shows of
them, whether it is shown, and whether their graduation poster is published on the website.

Only the fellow may change these (faculty and supervisors who read the portfolio get a 403,
anyone else a 404, as for the rest of the portfolio).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import consent as consent_text
from .. import publishing
from ..enums import WebsitePurpose
from ..forms_public import PublicProfileForm
from .fellows import _fellow

PURPOSE_SLUGS = {"profile": WebsitePurpose.PUBLIC_PROFILE, "poster": WebsitePurpose.POSTER}


def public_profile_edit(request, ref: str):
    fellow = _fellow(request, ref, change=True)
    profile, consents = publishing.profile_with_consents(fellow)
    if request.method == "POST":
        form = PublicProfileForm(request.POST, request.FILES, instance=profile, consents=consents)
        if form.is_valid():
            with transaction.atomic():
                publishing.save_public_profile(
                    form.save(commit=False), by=request.user, photo_kind=form.photo_kind
                )
                for purpose, wanted in (
                    (WebsitePurpose.PUBLIC_PROFILE, form.cleaned_data["show_profile"]),
                    (WebsitePurpose.POSTER, form.cleaned_data["publish_poster"]),
                ):
                    if wanted:
                        publishing.give_website_consent(fellow, purpose, by=request.user)
                    elif publishing.withdraw_website_consent(fellow, purpose, by=request.user):
                        messages.info(request, _withdrawn_message(purpose))
            messages.success(request, "Your public profile has been saved")
            return redirect(reverse("public_profile_edit", args=[fellow.ref]))
    else:
        form = PublicProfileForm(instance=profile, consents=consents)
    context = {
        "fellow": fellow,
        "form": form,
        "profile": profile,
        "consents": consents,
        "wording_version": consent_text.WEBSITE_WORDING_VERSION,
    }
    return render(request, "portfolio/public/profile_form.html", context)


def _withdrawn_message(purpose: str) -> str:
    if purpose == WebsitePurpose.PUBLIC_PROFILE:
        return "Your profile has been taken off the fellows and alumni page"
    return "Your graduation poster has been taken off the projects page"


def public_consent_withdraw(request, ref: str, purpose: str):
    """Withdraw the fellow's consent to show their profile or publish their poster, after a
    confirmation page; it is off the website from the next request."""
    fellow = _fellow(request, ref, change=True)
    if purpose not in PURPOSE_SLUGS:
        raise Http404
    website_purpose = PURPOSE_SLUGS[purpose]
    consent = publishing.current_website_consent(fellow, website_purpose)
    if consent is None:
        raise Http404
    if request.method == "POST":
        publishing.withdraw_website_consent(fellow, website_purpose, by=request.user)
        messages.info(request, _withdrawn_message(website_purpose))
        return redirect("public_profile_edit", ref=fellow.ref)
    context = {"fellow": fellow, "consent": consent, "slug": purpose}
    return render(request, "portfolio/public/consent_withdraw.html", context)
