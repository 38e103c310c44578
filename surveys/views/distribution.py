"""Sending surveys: to an audience chosen by the faculty, and the panellist feedback survey of a
recruitment round."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fellowship.forms import DateTimeLocalInput
from fellowship.models import Cohort, Workshop
from recruitment.models import RecruitmentRound

from .. import distribution, services
from ..enums import PANELLIST_FEEDBACK, Audience
from ..models import Survey
from . import manage_surveys

DATETIME_HINT = "UK time. Pages show it with GMT or BST, depending on the time of year."


class SendForm(forms.Form):
    """Who the survey goes to and when it is open; the service checks both again."""

    audience_kind = forms.ChoiceField(
        label="Who is the survey for?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the survey is for"},
    )
    cohort = forms.ModelChoiceField(
        label="Cohort",
        queryset=Cohort.objects.all(),
        required=False,
        empty_label="Choose a cohort",
        help_text="For the fellows of a cohort. For alumni, leave it empty to ask every cohort's.",
    )
    workshop = forms.ModelChoiceField(
        label="Workshop",
        queryset=Workshop.objects.select_related("cohort").order_by("-date", "title"),
        required=False,
        empty_label="Choose a workshop",
        help_text="For those who attended a workshop.",
    )
    round = forms.ModelChoiceField(
        label="Recruitment round",
        queryset=RecruitmentRound.objects.order_by("-opens_at"),
        required=False,
        empty_label="Choose a round",
        help_text="For a recruitment round's interview panellists.",
    )
    opens_at = forms.DateTimeField(
        label="Opens",
        widget=DateTimeLocalInput,
        help_text=DATETIME_HINT,
        error_messages={
            "required": "Enter the date and time the survey opens",
            "invalid": "Enter a real date and time, like 31/01/2027 09:00",
        },
    )
    closes_at = forms.DateTimeField(
        label="Closes",
        widget=DateTimeLocalInput,
        help_text="Nobody can answer after this moment. " + DATETIME_HINT,
        error_messages={
            "required": "Enter the date and time the survey closes",
            "invalid": "Enter a real date and time, like 14/02/2027 17:00",
        },
    )

    def choice(self) -> distribution.AudienceChoice:
        data = self.cleaned_data
        kind = data["audience_kind"]
        return distribution.AudienceChoice(
            kind=kind,
            cohort=data.get("cohort")
            if kind in (Audience.COHORT_FELLOWS, Audience.ALUMNI)
            else None,
            workshop=data.get("workshop") if kind == Audience.WORKSHOP_ATTENDEES else None,
            round=data.get("round") if kind == Audience.ROUND_PANELLISTS else None,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            distribution.clean_audience(self.choice())
            distribution.clean_schedule(data["opens_at"], data["closes_at"])
        except ValidationError as exc:
            add_errors(self, exc)
        return data


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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
