"""Sending surveys: to an audience chosen by the faculty, and the panellist feedback survey of a
recruitment round."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from recruitment.models import RecruitmentRound

from .. import distribution, services
from ..enums import PANELLIST_FEEDBACK, Audience
from ..forms_distribution import SendForm, add_errors
from ..models import Survey
from . import manage_surveys


def _initial(survey: Survey) -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    kind = survey.audience_kind or (Audience.WORKSHOP_ATTENDEES if survey.workshop_id else "")
    return {
        "audience_kind": kind,
        "cohort": survey.cohort_id,
        "workshop": survey.workshop_id,
        "round": survey.round_id,
        "opens_at": timezone.localtime(survey.opens_at) if survey.opens_at else now,
        "closes_at": timezone.localtime(survey.closes_at)
        if survey.closes_at
        else now + timedelta(days=14),
    }


@manage_surveys
@require_http_methods(["GET", "POST"])
def survey_send(request, pk: int):
    survey = get_object_or_404(
        Survey.objects.sent().select_related("cohort", "workshop", "round"), pk=pk
    )
    form = SendForm(request.POST or None, initial=_initial(survey))
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            try:
                invitations = distribution.send(
                    survey,
                    form.choice(),
                    opens_at=form.cleaned_data["opens_at"],
                    closes_at=form.cleaned_data["closes_at"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                n = len(invitations)
                if n:
                    messages.success(
                        request, f"{survey.title} sent to {n} {'person' if n == 1 else 'people'}."
                    )
                else:
                    messages.info(
                        request, "Everyone in this audience has already been sent the survey."
                    )
                return redirect("survey_send", pk=survey.pk)
        if not form.errors:
            try:
                preview = distribution.preview(survey, form.choice())
            except ValidationError as exc:
                add_errors(form, exc)
    status = 400 if form.errors else 200
    context = {
        "survey": survey,
        "form": form,
        "preview": preview,
        "completion": distribution.completion_list(survey),
    }
    return render(request, "surveys/send.html", context, status=status)


@manage_surveys
@require_http_methods(["GET", "POST"])
def send_panellists(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)
    survey = Survey.objects.filter(key=PANELLIST_FEEDBACK, round=rnd).first()
    if request.method == "POST":
        try:
            survey, invitations = services.send_panellist_feedback(rnd, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("survey_send_panellists", pk=rnd.pk)
        n = len(invitations)
        if n:
            messages.success(
                request, f"Panellist feedback survey sent to {n} panellist{'s' if n != 1 else ''}."
            )
        else:
            messages.info(request, "Every panellist has already been sent the survey.")
        return redirect("survey_send_panellists", pk=rnd.pk)
    invited = set()
    if survey is not None:
        invited = set(survey.invitations.values_list("person_id", flat=True))
    panellists = list(services.round_panellists(rnd))
    context = {
        "round": rnd,
        "survey": survey,
        "panellists": [(p, p.pk in invited) for p in panellists],
        "to_invite": sum(1 for p in panellists if p.pk not in invited),
    }
    return render(request, "surveys/send_panellists.html", context)
