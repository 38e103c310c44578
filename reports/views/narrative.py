"""A finished report's own words, before faculty release it: its narrative sections (edit,
preview, back to the default), the claims its figures do not bear out (rewrite or confirm), and
the release itself."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from fellowship.models import programme

from .. import services
from ..defaults import SECTIONS
from ..enums import ReportState
from ..forms import ClaimRewriteForm, SectionForm
from ..models import ReportJob
from ..wording import blocks, check_claims, report_sections, report_wording

NOT_EDITABLE = "This report's words can no longer change: it is released or being released."


def _job(request, pk: int) -> ReportJob:
    return get_object_or_404(
        ReportJob.objects.for_user(request.user).select_related("cohort"), pk=pk
    )


def _editable_or_redirect(request, job: ReportJob):
    if job.state != ReportState.DONE or job.released_at or job.release_requested_at:
        releasing = job.released_at or job.release_requested_at
        messages.error(request, NOT_EDITABLE if releasing else "The report is not finished yet.")
        return redirect("report_detail", pk=job.pk)
    return None


@permission_required("reports.edit_report", raise_exception=True)
def section_edit(request, pk: int, key: str):
    """Edit one narrative section of a finished report: save, preview or go back to the default."""
    if key not in SECTIONS:
        raise Http404("The report has no such section")
    job = _job(request, pk)
    if refused := _editable_or_redirect(request, job):
        return refused
    section = report_sections(job, programme_name=programme().name)[key]
    back = reverse("report_detail", args=[job.pk])
    preview = None
    if request.method == "POST" and "reset" in request.POST:
        services.reset_section(job, key, by=request.user)
        messages.success(request, f"{section['heading']} now uses the default text.")
        return redirect(f"{back}#report-words")
    form = SectionForm(request.POST or None, initial={"text": section["text"]})
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = blocks(form.cleaned_data["text"] or section["default"])
        else:
            try:
                services.save_section(job, key, text=form.cleaned_data["text"], by=request.user)
            except services.ReportNotEditable:
                messages.error(request, NOT_EDITABLE)
                return redirect(back)
            messages.success(request, f"{section['heading']} saved.")
            return redirect(f"{back}#report-words")
    context = {
        "job": job,
        "section": section,
        "form": form,
        "preview": preview,
        "default_blocks": blocks(section["default"]),
        "cancel_url": back,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reports/narrative/section.html", context, status=status)


@permission_required("reports.edit_report", raise_exception=True)
def claim_resolve(request, pk: int, key: str):
    """Rewrite a flagged claim for this report, or confirm it as it stands."""
    job = _job(request, pk)
    if refused := _editable_or_redirect(request, job):
        return refused
    decisions = {d.key: d for d in job.claim_decisions.select_related("decided_by")}
    flagged = {
        c["key"]: c
        for c in check_claims(job.built_from.get("figures", {}), report_wording(), decisions)
    }
    claim = flagged.get(key)
    if claim is None:
        raise Http404("This report has no such claim to check")
    back = reverse("report_detail", args=[job.pk])
    decision = claim["decision"]
    initial_text = decision.text if decision and decision.text else claim["data_true"]
    form = ClaimRewriteForm(
        request.POST if "rewrite" in request.POST else None, initial={"text": initial_text}
    )
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                services.resolve_claim(job, key, by=request.user)
                messages.success(
                    request, "You confirmed the sentence as it stands. The appendix records it."
                )
                return redirect(f"{back}#report-claims")
            if form.is_valid():
                services.resolve_claim(job, key, text=form.cleaned_data["text"], by=request.user)
                messages.success(request, "The sentence for this report is saved.")
                return redirect(f"{back}#report-claims")
        except services.ReportNotEditable:
            messages.error(request, NOT_EDITABLE)
            return redirect(back)
        except KeyError:
            raise Http404("This report has no such claim to check") from None
    context = {"job": job, "claim": claim, "form": form, "cancel_url": back}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reports/narrative/claim.html", context, status=status)


@require_POST
@permission_required("reports.release_report", raise_exception=True)
def report_release(request, pk: int):
    """Release the report to funders: it is drawn again with its words, then released."""
    job = _job(request, pk)
    try:
        services.release_report(job, by=request.user)
    except services.ReleaseRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            "The report is being prepared for release. Funders can read it once it is ready.",
        )
    return redirect("report_detail", pk=job.pk)
