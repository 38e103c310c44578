"""The form for sending a survey: its audience and when it is open."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from fellowship.forms import DateTimeLocalInput
from fellowship.forms.fields import DATETIME_HINT
from fellowship.models import Cohort, Workshop
from recruitment.models import RecruitmentRound

from . import distribution
from .enums import Audience


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
