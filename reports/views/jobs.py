"""Report jobs: faculty request a report and watch it render; faculty and funders list and download
the finished reports they may see (every download is recorded)."""

from __future__ import annotations

import datetime

import rules
from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from fellowship.uploads import attachment

from .. import services
from ..enums import ACTIVE_STATES, ReportFormat, ReportState
from ..forms import ReportRequestForm
from ..models import ReportJob
from .content import threshold_refused


def _visible_job(request, pk: int) -> ReportJob:
    """The job if this person may see it, else not found (funders: finished reports they fund)."""
    return get_object_or_404(
        ReportJob.objects.for_user(request.user).select_related("cohort", "requested_by"), pk=pk
    )


def _download_urls(job: ReportJob) -> dict[str, str | None]:
    if job.state != ReportState.DONE:
        return {"pdf": None, "xlsx": None}
    return {
        fmt: reverse("report_download", args=[job.pk, fmt]) if getattr(job, fmt) else None
        for fmt in ReportFormat.values
    }


def _built_at(job: ReportJob) -> datetime.datetime | None:
    """When the data was read, as recorded on the job (the report's appendix prints the same)."""
    try:
        return datetime.datetime.fromisoformat(job.built_from["generated_at"])
    except (KeyError, TypeError, ValueError):
        return job.finished_at


@require_GET
@permission_required("reports.list_reports", raise_exception=True)
def report_list(request):
    jobs = (
        ReportJob.objects.for_user(request.user)
        .select_related("cohort", "requested_by")
        .annotate(download_count=Count("downloads"))
        .order_by("-requested_at")
    )
    return render(
        request,
        "reports/jobs/list.html",
        {"jobs": jobs, "is_faculty": rules.has_perm("reports.oversee_reports", request.user)},
    )


@permission_required("reports.request_report", raise_exception=True)
def report_request(request):
    """Request a report; the equality threshold is the policy's unless the person may choose.

    A threshold posted by someone who may not choose one (an edited form) gets the 403 page that
    says why, rather than being quietly replaced.
    """
    may_choose = request.user.has_perm("reports.request_internal_report")
    if request.method == "POST" and not may_choose:
        try:
            asked = int(request.POST.get("suppress_below", settings.EQUALITY_SUPPRESS_BELOW))
        except (TypeError, ValueError):
            asked = None
        if refused := threshold_refused(request, asked):
            return refused
    form = ReportRequestForm(request.POST or None, may_choose_threshold=may_choose)
    if request.method == "POST" and form.is_valid():
        job, created = services.request_report(
            form.cleaned_data["cohort"], suppress_below=form.threshold, by=request.user
        )
        # The job may finish before the next page is drawn (tasks run in-process without a
        # broker), so these say what happened, not the job's state: the page shows that.
        if created:
            messages.success(request, "You requested the report")
        else:
            messages.info(request, "Someone already requested an identical report. This is it")
        return redirect("report_detail", pk=job.pk)
    status = 400 if form.is_bound else 200
    return render(request, "reports/jobs/request.html", {"form": form}, status=status)


@require_GET
@permission_required("reports.list_reports", raise_exception=True)
def report_detail(request, pk: int):
    job = _visible_job(request, pk)
    is_faculty = rules.has_perm("reports.oversee_reports", request.user)
    context = {
        "job": job,
        "active": job.state in ACTIVE_STATES,
        "downloads": _download_urls(job),
        "counts": job.built_from.get("counts", []) if job.state == ReportState.DONE else [],
        "built_at": _built_at(job),
        "download_count": job.downloads.count(),
        "is_faculty": is_faculty,
    }
    if is_faculty and job.state == ReportState.DONE:
        context.update(_words_context(request, job))
    return render(request, "reports/jobs/detail.html", context)


def _words_context(request, job: ReportJob) -> dict:
    """Faculty's view of a finished report's own words: sections, flagged claims, release."""
    from fellowship.models import programme

    from ..wording import check_claims, report_sections, report_wording

    decisions = {d.key: d for d in job.claim_decisions.select_related("decided_by")}
    has_figures = "figures" in job.built_from
    claims = (
        check_claims(job.built_from["figures"], report_wording(), decisions) if has_figures else []
    )
    editable = job.released_at is None and job.release_requested_at is None
    return {
        "sections": report_sections(job, programme_name=programme().name).values(),
        "claims": claims,
        "unresolved": sum(1 for c in claims if not c["resolved"]),
        "has_figures": has_figures,
        "editable": editable,
        "may_edit": editable and request.user.has_perm("reports.edit_report", job),
        "may_release": editable and request.user.has_perm("reports.release_report", job),
        "release_refused": job.built_from.get("release_refused", ""),
    }


@require_GET
@permission_required("reports.list_reports", raise_exception=True)
def report_status(request, pk: int):
    """The job's state as JSON, polled by static/js/report-status.js while it renders."""
    job = _visible_job(request, pk)
    response = JsonResponse(
        {
            "id": job.pk,
            "state": job.state,
            "state_label": job.get_state_display(),
            "active": job.state in ACTIVE_STATES,
            "progress": job.progress,
            "step": job.step,
            "failure_reason": job.failure_reason,
            "downloads": _download_urls(job),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required("reports.list_reports", raise_exception=True)
def report_download(request, pk: int, fmt: str):
    job = _visible_job(request, pk)
    if fmt not in ReportFormat.values or job.state != ReportState.DONE:
        raise Http404
    field_file = getattr(job, fmt)
    if not field_file:
        raise Http404
    name = f"Benefits report cohorts 1 to {job.cohort.number}"
    if job.finished_at:
        name += f" ({timezone.localtime(job.finished_at):%Y-%m-%d})"
    response = attachment(field_file, download_name=f"{name}.{fmt}")  # opens the file first
    services.record_download(job, user=request.user, fmt=fmt)
    return response
