"""The public projects page (no sign-in): approved AI projects by cohort, with only what is not
personal (title, host organisation, clinical domain, summary), and the graduation posters whose
fellows agreed to publish them on the website (read from portfolio's service on every request)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from fellowship.public.caching import public_page
from portfolio import publishing

from .models import Project


@public_page
@require_safe
def projects_page(request):
    projects = list(
        Project.objects.approved()
        .select_related("cohort", "host_organisation", "clinical_domain")
        .only(
            "pk",
            "title",
            "summary",
            "cohort__number",
            "host_organisation__name",
            "clinical_domain__name",
        )
        .order_by("-cohort__number", "title")
    )
    posters = list(publishing.website_posters())
    numbers = sorted(
        {p.cohort.number for p in projects} | {p.fellow.cohort.number for p in posters},
        reverse=True,
    )
    cohorts = [
        {
            "number": number,
            "projects": [p for p in projects if p.cohort.number == number],
            "posters": [p for p in posters if p.fellow.cohort.number == number],
        }
        for number in numbers
    ]
    return render(request, "projects/public/projects.html", {"cohorts": cohorts})
