"""The report's content: the browser preview, and the wording faculty edit per objective."""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from rules.contrib.views import permission_required

from fellowship.models import Cohort
from recruitment.equality import policy

from ..defaults import OBJECTIVES, REPORTED
from ..evidence import UnknownCohort, compute_evidence
from ..forms import MAX_SUPPRESS_BELOW, PreviewForm, WordingForm
from ..render import render_html
from ..wording import report_wording, reset_wording, save_wording, wording_for


@permission_required("reports.request_report", raise_exception=True)
@csp_update({"style-src": [NONCE]})  # the report's print styles are inline: allow them by nonce
def report_preview(request, number: int):
    """The report for cohorts 1..number as HTML: the same document the PDF is printed from.

    `?suppress_below=K` previews another equality threshold than the policy's, which only faculty
    who may make internal reports can do (403 with an explanation for anyone else).
    """
    form = PreviewForm(request.GET)
    if not form.is_valid():
        context = {"number": number, "form": form, "max": MAX_SUPPRESS_BELOW}
        return render(request, "reports/preview.html", context, status=400)
    asked = form.cleaned_data["suppress_below"]
    if refused := threshold_refused(request, asked, number=number):
        return refused
    try:
        evidence = compute_evidence(number, suppress_below=asked)
    except UnknownCohort:
        raise Http404("No such cohort") from None
    html = render_html(
        evidence, back_url=reverse("report_list"), style_nonce=str(request.csp_nonce)
    )
    return HttpResponse(html)


def threshold_refused(request, asked: int | None, *, number: int | None = None):
    """A 403 page saying why, if this person may not have equality threshold `asked`; else None."""
    rules = policy()
    if asked is None or asked == rules.threshold:
        return None
    if request.user.has_perm("reports.request_internal_report"):
        return None
    context = {"asked": asked, "policy": rules, "number": number}
    return render(request, "reports/threshold_refused.html", context, status=403)


def _objective_or_404(objective: int) -> int:
    if objective not in REPORTED:
        raise Http404("The report has no such objective")
    return objective


@permission_required("reports.edit_wording", raise_exception=True)
def wording_list(request):
    context = {
        "wordings": report_wording().values(),
        "latest_cohort": Cohort.objects.order_by("-number")
        .values_list("number", flat=True)
        .first(),
    }
    return render(request, "reports/wording/list.html", context)


@permission_required("reports.edit_wording", raise_exception=True)
def wording_edit(request, objective: int):
    objective = _objective_or_404(objective)
    current = wording_for(objective)
    if request.method == "POST" and "reset" in request.POST:
        reset_wording(objective, by=request.user)
        messages.success(request, f"Objective {objective} now uses the paper's wording.")
        return redirect("report_wording")
    initial = {
        "stakeholders": current["stakeholders_text"],
        "notes": current["notes_text"],
        **{f"benefit_{key}": text for key, text in current["benefit_texts"].items()},
    }
    form = WordingForm(request.POST or None, initial=initial, objective=objective)
    if request.method == "POST" and form.is_valid():
        save_wording(
            objective,
            stakeholders=form.cleaned_data["stakeholders"],
            benefit=form.benefit(),
            notes=form.cleaned_data["notes"],
            by=request.user,
        )
        messages.success(request, f"Wording for objective {objective} saved.")
        return redirect("report_wording")
    context = {
        "form": form,
        "wording": current,
        "objective_title": OBJECTIVES[objective]["title"],
        "objective": objective,
        "cancel_url": reverse("report_wording"),
    }
    return render(
        request,
        "reports/wording/edit.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
