"""Results of a survey for faculty, and its answers as a CSV file or an Excel workbook.

An anonymous survey's results and downloads are released only once it has closed with enough
answers (`services.results`, `services.check_released`); until then the page says how many have
answered only in steps, so that it looks the same before and after any one person answers.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import export as exporting
from .. import services
from ..models import Survey
from . import view_results

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@view_results
@require_http_methods(["GET"])
def survey_results(request, pk: int):
    survey = get_object_or_404(
        Survey.objects.sent().select_related("round", "cohort", "workshop"), pk=pk
    )
    now = timezone.now()
    outcome = services.results(survey, now=now)
    context = {
        "survey": survey,
        "results": outcome,
        "invited": survey.invitations.count(),
        "now": now,
    }
    return render(request, "surveys/results.html", context)


@view_results
@require_http_methods(["GET"])
def survey_export(request, pk: int, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format")
    survey = get_object_or_404(Survey.objects.sent().select_related("cohort"), pk=pk)
    try:
        services.check_released(survey)
        table = exporting.export(survey)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survey_results", pk=survey.pk)
    data = exporting.to_csv(table) if fmt == "csv" else exporting.to_xlsx(table)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{fmt}"'
    return response
