"""The catalogue of a cohort's approved projects: the page, and its PDF, which is made in the
background (projects/catalogue.py). Asking for the PDF leads to a page that shows it being made
and then links to the download; the file is sent only to people who may browse that cohort."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from fellowship.models import Cohort
from fellowship.pagination import other_filters, paginate
from fellowship.uploads import attachment

from .. import catalogue as catalogues
from ..models import CatalogueFile

browse_catalogue = permission_required("projects.browse_catalogue", raise_exception=True)

#: Projects on one page of the catalogue: each is a card with its summary, about four times a
#: table row, so fewer than the usual page size keep the page small.
CATALOGUE_PAGE_SIZE = 20


def _cohort(request, number: int) -> Cohort:
    """The cohort if this person may browse its catalogue, else not found."""
    cohort = get_object_or_404(Cohort, number=number)
    if not request.user.has_perm("projects.browse_catalogue", cohort):
        raise Http404
    return cohort


def _catalogue_file(request, number: int, pk: int) -> CatalogueFile:
    """The PDF job `pk` of cohort `number`, if this person may browse that cohort's catalogue.

    A job is shared by everyone who may browse the cohort (its content is the same for all), so
    it is not tied to who asked for it; a job of another cohort's URL is not found.
    """
    job = get_object_or_404(
        CatalogueFile.objects.select_related("cohort"), pk=pk, cohort__number=number
    )
    if not request.user.has_perm("projects.browse_catalogue", job.cohort):
        raise Http404
    return job


@require_GET
@browse_catalogue
def catalogue(request, number: int):
    cohort = _cohort(request, number)
    filters, projects = catalogues.catalogue_projects(cohort, request.GET)
    context = {
        "cohort": cohort,
        "filters": filters,
        "projects": projects,
        "page_obj": paginate(request, projects, per_page=CATALOGUE_PAGE_SIZE),
        "query": other_filters(request),
        "pdf_filters": _hidden(catalogues.filters_query(filters)),
        "can_read_proposals": rules.has_perm("projects.read_catalogue_proposals", request.user),
    }
    return render(request, "projects/catalogue.html", context)


def _hidden(query: str) -> list[tuple[str, str]]:
    """The filters as (name, value) pairs for hidden fields of the form that asks for the PDF."""
    return list(QueryDict(query).items())


@browse_catalogue
@require_POST
def catalogue_pdf(request, number: int):
    """Ask for the catalogue, with the filters posted, as a PDF; go to the page that shows it."""
    cohort = _cohort(request, number)
    job, created = catalogues.request_catalogue_pdf(cohort, query=request.POST, by=request.user)
    if not created and job.active:
        messages.info(request, "This PDF was already being made. It will be ready soon")
    return redirect("catalogue_file", number=cohort.number, pk=job.pk)


@require_GET
@browse_catalogue
def catalogue_file(request, number: int, pk: int):
    """The PDF's progress, then its download link; polled by static/js/file-job.js."""
    job = _catalogue_file(request, number, pk)
    filters = catalogues.catalogue_filters(
        job.cohort, QueryDict(job.filters) if job.filters else None
    )
    context = {
        "job": job,
        "cohort": job.cohort,
        "description": filters.description(),
        "query": job.filters,
        "pdf_filters": _hidden(job.filters),
    }
    response = render(request, "projects/catalogue_file.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@browse_catalogue
def catalogue_file_download(request, number: int, pk: int):
    job = _catalogue_file(request, number, pk)
    if not job.ready:
        raise Http404
    return attachment(job.file, download_name=f"project-catalogue-cohort-{job.cohort.number}.pdf")
