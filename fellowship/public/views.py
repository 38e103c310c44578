"""The public website's pages: thin views over the programme's record, the core's counts and what
the feature apps register (fellowship.hooks.public_section)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..enums import FellowStatus
from ..hooks import public_context
from ..models import Cohort, Fellow, InterestSignup, Region, programme
from .caching import public_page
from .forms import InterestForm
from .markdown import render_markdown
from .services import (
    CONFIRM_WITHIN,
    ConfirmationLinkError,
    confirm_interest,
    sign_up_for_interest,
    signup_for_token,
    unsubscribe_interest,
)


def key_figures() -> dict:
    """Counts only: cohorts, fellows (in post and graduated) and regions with fellows."""
    fellows = Fellow.objects.filter(status__in=[FellowStatus.IN_POST, FellowStatus.GRADUATED])
    return {
        "cohorts": Cohort.objects.count(),
        "fellows": fellows.count(),
        "regions": Region.objects.filter(fellows__in=fellows).distinct().count(),
    }


def _signup_then(url: str) -> str:
    return f"{reverse('account_signup')}?next={url}"


def visitors_home(request):
    """The home page for someone not signed in; fellowship.views.home shows it at /."""
    the_programme = programme()
    context = {
        "the_programme": the_programme,
        "description": render_markdown(the_programme.description),
        "figures": key_figures(),
        **public_context("home"),
    }
    context["apply_signup_url"] = _signup_then(context.get("apply_url", "/"))
    return render(request, "public/home.html", context)


@public_page
@require_GET
def how_to_apply(request):
    context = {"the_programme": programme(), **public_context("apply")}
    context["apply_signup_url"] = _signup_then(context.get("apply_url", "/"))
    return render(request, "public/apply.html", context)


@public_page
@require_GET
def for_supervisors(request):
    context = {"the_programme": programme(), **public_context("supervisors")}
    context["propose_signup_url"] = _signup_then(context.get("propose_url", "/"))
    return render(request, "public/supervisors.html", context)


# The interest list -------------------------------------------------------------------------------

SIGNUPS_PER_HOUR = 10


def _rate_limited(request) -> bool:
    """More than SIGNUPS_PER_HOUR sign-ups from this address within the hour."""
    key = f"interest-signup:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > SIGNUPS_PER_HOUR


@login_not_required
@require_http_methods(["GET", "POST"])
def interest_signup(request):
    form = InterestForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "429.html", status=429)
        if form.is_valid():
            sign_up_for_interest(email=form.cleaned_data["email"])
            # The same answer whether the address is new, waiting for confirmation or confirmed
            # (and whether or not a link was sent): nobody learns who is on the list.
            return render(
                request,
                "public/interest_done.html",
                {"the_programme": programme(), "confirm_within_days": CONFIRM_WITHIN.days},
            )
    return render(request, "public/interest.html", {"form": form, "the_programme": programme()})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def interest_confirm(request, token: str):
    """The link in the confirmation e-mail: a page with a button, so that a mail scanner opening
    the link confirms nothing; the button confirms the address."""
    context = {"the_programme": programme()}
    try:
        if request.method == "POST":
            confirm_interest(token)
            return render(request, "public/interest_confirmed.html", context)
        signup_for_token(token)
    except ConfirmationLinkError as error:
        context.update(expired=error.expired, confirm_within_days=CONFIRM_WITHIN.days)
        return render(request, "public/interest_link_invalid.html", context, status=404)
    return render(request, "public/interest_confirm.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def interest_unsubscribe(request, token: str):
    signup = get_object_or_404(InterestSignup, token=token)
    if request.method == "POST":
        unsubscribe_interest(signup)
        return render(request, "public/unsubscribed.html", {"the_programme": programme()})
    return render(request, "public/unsubscribe.html", {"the_programme": programme()})


# For search engines ------------------------------------------------------------------------------

PUBLIC_PAGES = (
    "home",
    "public_apply",
    "public_supervisors",
    "public_fellows",
    "public_projects",
    "accessibility_statement",
)


@public_page
@require_GET
def accessibility_statement(request):
    """How accessible the service is, how it was checked, what is known not to be, and how to
    tell the programme about a problem (public bodies must publish one)."""
    return render(request, "public/accessibility.html", {"the_programme": programme()})


@public_page
@require_GET
def sitemap(request):
    urls = [request.build_absolute_uri(reverse(name)) for name in PUBLIC_PAGES]
    return render(request, "public/sitemap.xml", {"urls": urls}, content_type="application/xml")


@public_page
@require_GET
def robots(request):
    lines = ["User-agent: *", "Allow: /$"]  # "$": the home page only, not every path under it
    lines += [f"Allow: {reverse(name)}" for name in PUBLIC_PAGES if name != "home"]
    lines += [f"Allow: {reverse('sitemap')}"]
    lines += ["Disallow: /", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
