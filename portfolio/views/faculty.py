"""Reading many portfolios: the faculty's list of entries with counts by kind per cohort, the
supervisors' view of their fellows' portfolios, the poster gallery and the quotable testimonials."""

from __future__ import annotations

import rules
from django.db.models import Count
from django.shortcuts import render
from rules.contrib.views import permission_required

from fellowship.models import Fellow
from fellowship.pagination import other_filters, paginate

from .. import services
from ..enums import EntryKind
from ..forms import CohortChoiceForm, PortfolioFilterForm
from ..models import PortfolioEntry, Poster, Testimonial

browse = permission_required("portfolio.browse_portfolios", raise_exception=True)
review = permission_required("portfolio.review_portfolios", raise_exception=True)


@browse
def portfolio_list(request):
    """Faculty: every entry, filtered by cohort, kind and date, with counts by kind per cohort.
    Supervisors: the fellows placed on their projects and their entries."""
    faculty = rules.has_perm("portfolio.review_portfolios", request.user)
    filters = PortfolioFilterForm(request.GET or None)
    entries = filters.filter(PortfolioEntry.objects.for_user(request.user))
    page = paginate(
        request,
        entries.select_related("fellow__cohort", "fellow__user").order_by(
            "-date", "fellow__cohort__number", "fellow__ref", "pk"
        ),
    )
    fellows = []
    if not faculty:
        fellows = list(
            Fellow.objects.filter(placement__project__supervisor=request.user)
            .select_related("cohort", "user", "placement__project")
            .annotate(entry_count=Count("portfolio_entries"))
            .order_by("-cohort__number", "ref")
        )
    context = {
        "faculty": faculty,
        "filters": filters,
        "page_obj": page,
        "fellows": fellows,
        "kinds": EntryKind.choices,
        "counts": services.counts_by_kind(entries) if faculty else [],
        "query": other_filters(request),
    }
    return render(request, "portfolio/portfolio_list.html", context)


@review
def poster_gallery(request):
    """Graduation posters, one cohort at a time (the latest cohort with posters unless chosen)."""
    form = CohortChoiceForm(request.GET or None)
    cohort = form.cleaned_data.get("cohort") if form.is_valid() else None
    posters = Poster.objects.select_related("fellow__cohort", "fellow__user").order_by(
        "fellow__ref"
    )
    if cohort is None and not request.GET:
        latest = (
            posters.order_by("-fellow__cohort__number")
            .values_list("fellow__cohort__number", flat=True)
            .first()
        )
        posters = posters.filter(fellow__cohort__number=latest)
        form = CohortChoiceForm(initial={"cohort": latest})
    elif cohort is not None:
        posters = posters.filter(fellow__cohort=cohort)
    context = {
        "form": form,
        "posters": list(posters.order_by("fellow__cohort__number", "fellow__ref")),
    }
    return render(request, "portfolio/poster_gallery.html", context)


@review
def testimonial_list(request):
    """Testimonials the reports may quote, with how each fellow asked to be credited and when they
    agreed, and how many consents were withdrawn. Faculty read consent here; only the fellow
    gives or withdraws it."""
    form = CohortChoiceForm(request.GET or None)
    cohort = form.cleaned_data.get("cohort") if form.is_valid() else None
    testimonials = services.quotable_testimonials(cohort)
    others = Testimonial.objects.all()
    if cohort is not None:
        others = others.filter(fellow__cohort=cohort)
    context = {
        "form": form,
        "testimonials": testimonials,
        "not_quotable": others.exclude(pk__in=testimonials.values("pk")).count(),
        "consent": services.consent_counts([cohort.number] if cohort else None),
    }
    return render(request, "portfolio/testimonial_list.html", context)
