"""Forms of the report: asking for a report, the preview's threshold, and the report's own words
(the wording of an objective, a narrative section, and a claim rewritten for one report)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from fellowship.models import Cohort

from .defaults import ROWS
from .services import MAX_SUPPRESS_BELOW


class ReportRequestForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label="Latest cohort to cover",
        help_text="The report covers every cohort from 1 up to this one.",
        queryset=Cohort.objects.order_by("-number"),
        empty_label=None,
        error_messages={
            "required": "Select the latest cohort to cover",
            "invalid_choice": "Select a cohort from the list",
        },
    )
    suppress_below = forms.IntegerField(
        label="Hide equality counts below",
        help_text=(
            "Counts of applicants and fellows by gender smaller than this show as, for example, <5. "
            "Any number but the usual one makes a report for the equality team's own use: "
            "funders and other faculty never see it. Enter 0 to show every count."
        ),
        min_value=0,
        max_value=MAX_SUPPRESS_BELOW,
        error_messages={
            "required": "Enter the smallest count to show",
            "invalid": "The smallest count must be a whole number, like 5",
            "min_value": "The smallest count must be 0 or more",
            "max_value": "The smallest count must be %(limit_value)s or less",
        },
    )

    def __init__(self, *args, may_choose_threshold: bool, **kwargs):
        """Only people who may make internal reports choose the threshold; others get the policy's."""
        super().__init__(*args, **kwargs)
        if not may_choose_threshold:
            del self.fields["suppress_below"]
            self.fields["cohort"].help_text += (
                f" Equality counts below {settings.EQUALITY_SUPPRESS_BELOW} are hidden, as the "
                "programme's disclosure-control policy says."
            )
            return
        self.fields["suppress_below"].initial = settings.EQUALITY_SUPPRESS_BELOW
        self.fields["suppress_below"].widget.attrs.update(
            {"inputmode": "numeric", "class": "nhsuk-input--width-4"}
        )

    @property
    def threshold(self) -> int:
        return self.cleaned_data.get("suppress_below", settings.EQUALITY_SUPPRESS_BELOW)


class PreviewForm(forms.Form):
    suppress_below = forms.IntegerField(required=False, min_value=0, max_value=MAX_SUPPRESS_BELOW)


class WordingForm(forms.Form):
    """Stakeholders, one block of benefit text per evidence row, and notes. Blank = the paper's."""

    stakeholders = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One stakeholder group per line. Leave blank to use the paper's list.",
    )
    notes = forms.CharField(
        label="Further evidence (optional)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Evidence of your own, such as external literature, with a link or reference. "
        "It is printed as an extra evidence row headed "
        "\u201cFurther evidence (from the programme team)\u201d. Separate paragraphs with a blank line.",
    )

    def __init__(self, *args, objective: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = ROWS[objective]
        notes = self.fields.pop("notes")
        for key, label in self.rows.items():
            self.fields[f"benefit_{key}"] = forms.CharField(
                label=f"Benefit realised: {label}",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text="Separate paragraphs with a blank line. Leave blank to use the paper's wording.",
            )
        self.fields["notes"] = notes

    def clean_stakeholders(self) -> str:
        value = self.cleaned_data["stakeholders"]
        too_long = [line.strip() for line in value.splitlines() if len(line.strip()) > 100]
        if too_long:
            raise forms.ValidationError("Each stakeholder group must be 100 characters or fewer")
        return value

    def benefit(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"benefit_{key}"] for key in self.rows}


class SectionForm(forms.Form):
    """One narrative section: paragraphs separated by blank lines, and lists of lines starting "- "."""

    text = forms.CharField(
        label="Text",
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Separate paragraphs with a blank line. Start a line with a dash and a space "
        "(- ) for a bulleted list. Nothing else is formatted. Leave blank to use the default.",
        error_messages={"max_length": "The text must be %(limit_value)s characters or fewer"},
    )


class ClaimRewriteForm(forms.Form):
    """A claim's sentence as this report should print it."""

    text = forms.CharField(
        label="Sentence for this report",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say only what the figure shows. This wording is used in this report only.",
        error_messages={
            "required": "Enter the sentence for this report, or confirm the paper's sentence instead",
            "max_length": "The sentence must be %(limit_value)s characters or fewer",
        },
    )
