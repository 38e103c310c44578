"""The catalogue of a cohort's approved projects: the list the page shows, and its PDF.

The PDF is always made the same way, by a Celery task (in-process when no broker is configured),
whatever the cohort's size: one code path, and a person with a large cohort never waits on a
request that times out. It is kept through `fellowship.filejobs` and reused by everyone who asks
for the same list until anything printed in it changes (a project approved, withdrawn or edited,
a filter, the programme's name) or FRESH_FOR passes, so the printed date stays recent.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from fellowship.filejobs import request_file, run_file_job
from fellowship.models import Cohort, programme

from .forms.vetting import CatalogueFilterForm
from .models import CatalogueFile, Project

FRESH_FOR = datetime.timedelta(hours=6)
FILTERS = ("region", "clinical_domain", "theme")


def catalogue_filters(cohort: Cohort, query) -> CatalogueFilterForm:
    """The catalogue's filter form bound to `query` (a QueryDict, or None for no filters)."""
    return CatalogueFilterForm(
        query or None, projects=Project.objects.approved().filter(cohort=cohort)
    )


def catalogue_projects(cohort: Cohort, query) -> tuple[CatalogueFilterForm, list[Project]]:
    """The filter form bound to `query` (a QueryDict or None) and the approved projects it keeps."""
    approved = Project.objects.approved().filter(cohort=cohort)
    filters = CatalogueFilterForm(query or None, projects=approved)
    projects = (
        filters.filter(approved)
        .select_related("host_organisation", "region", "clinical_domain")
        .with_alumnus_flag()
        .order_by("title", "pk")
    )
    return filters, list(projects)


def filters_query(filters: CatalogueFilterForm) -> str:
    """The filters in use as a query string in a fixed order; blank when none (or invalid)."""
    if not filters.is_valid():
        return ""
    query = QueryDict(mutable=True)
    for name in FILTERS:
        value = filters.cleaned_data[name]
        if value:
            query[name] = str(getattr(value, "pk", value))
    return query.urlencode()


def content_key(cohort: Cohort, filters: CatalogueFilterForm, projects: list[Project]) -> str:
    """A digest of everything the PDF prints but its date: same key, same PDF."""
    name = programme()
    rows = [
        [
            p.pk,
            p.title,
            p.summary,
            p.funder_theme,
            p.alumnus_supervisor,
            str(p.host_organisation or ""),
            str(p.region or ""),
            str(p.clinical_domain or ""),
            p.get_ai_modality_display(),
            p.capacity,
        ]
        for p in projects
    ]
    printed = [cohort.number, filters.description(), str(name.name), str(name.short_name), rows]
    return hashlib.sha256(json.dumps(printed, default=str).encode()).hexdigest()


def request_catalogue_pdf(cohort: Cohort, *, query, by) -> tuple[CatalogueFile, bool]:
    """The PDF of cohort `cohort`'s catalogue narrowed by `query` (the filters): one being made
    or a fresh one with the same content, or a new job. Returns (job, created).

    Side effects, for a new job only: creates a queued CatalogueFile and, on commit, queues the
    `render_catalogue_pdf` task (`fellowship.filejobs.request_file`).
    """
    from .tasks import render_catalogue_pdf

    filters, projects = catalogue_projects(cohort, query)
    normalised = filters_query(filters)
    return request_file(
        CatalogueFile,
        scope=f"cohort {cohort.pk}?{normalised}",
        key=content_key(cohort, filters, projects),
        by=by,
        task=render_catalogue_pdf,
        fresh_for=FRESH_FOR,
        cohort=cohort,
        filters=normalised,
    )


def render_catalogue_pdf(file_id: int) -> CatalogueFile | None:
    """Make and store the PDF of job `file_id` once (`fellowship.filejobs.run_file_job`)."""
    return run_file_job(CatalogueFile, file_id, render=_draw)


def _draw(job: CatalogueFile) -> tuple[bytes, str]:
    from fellowship.pdf import render_pdf

    filters, projects = catalogue_projects(
        job.cohort, QueryDict(job.filters) if job.filters else None
    )
    html = render_to_string(
        "projects/catalogue_pdf.html",
        {
            "cohort": job.cohort,
            "filters": filters,
            "projects": projects,
            "generated_at": timezone.now(),
            "programme": programme(),
        },
    )
    return render_pdf(html), f"project-catalogue-cohort-{job.cohort.number}.pdf"
