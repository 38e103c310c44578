"""The faculty's forms: rounds with their criteria and documents, the eligibility grid, filters.

Forms only check input. The eligibility grid asks recruitment.services for the sponsor rule, so
that each broken line is shown on its own cell; set_eligibility checks it again and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession
from fellowship.forms.fields import DATETIME_HINT, UKDateTimeField
from fellowship.models import Funder, Region

from .. import services
from ..enums import Stage
from ..models import Criterion, RecruitmentRound, RequiredDocument


class RoundForm(forms.ModelForm):
    opens_at = UKDateTimeField(
        label="Opens",
        help_text="Applicants can start applying from this moment. For example, 09:00 on the "
        "opening day. " + DATETIME_HINT,
    )
    closes_at = UKDateTimeField(
        label="Closes (the deadline)",
        help_text="Applications and employer approvals are accepted until this moment. "
        "For example, 23:59 on the closing day. " + DATETIME_HINT,
    )

    class Meta:
        model = RecruitmentRound
        fields = [
            "cohort",
            "name",
            "opens_at",
            "closes_at",
            "anonymised_shortlisting",
            "guidance",
            "declaration",
        ]
        labels = {
            "cohort": "Cohort",
            "name": "Name of the round",
            "anonymised_shortlisting": "Shortlist without names",
            "guidance": "Guidance for applicants",
            "declaration": "Declaration applicants agree to",
        }
        help_texts = {"name": "For example, Cohort 4 national recruitment."}
        widgets = {
            "guidance": forms.Textarea(attrs={"rows": 5}),
            "declaration": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "cohort": {"required": "Select the cohort this round recruits to"},
            "name": {"required": "Enter a name for the round"},
            "declaration": {"required": "Enter the declaration applicants agree to"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].empty_label = "Choose a cohort"
        self.fields["opens_at"].error_messages["required"] = (
            "Enter the date and time the round opens"
        )
        self.fields["closes_at"].error_messages["required"] = (
            "Enter the date and time the round closes"
        )
        for name in ("opens_at", "closes_at"):
            self.fields[name].error_messages["invalid"] = (
                "Enter a real date and time, like 31/01/2027 23:59"
            )

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", "The closing date and time must be after the opening date and time"
            )
        return data


class _ProtectedInlineFormSet(BaseInlineFormSet):
    """Refuses to delete a line that applicants have already used, with a message saying why."""

    in_use_message = ""
    delete_label = "Remove"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label

    def in_use(self, instance) -> bool:
        raise NotImplementedError

    def clean(self):
        super().clean()
        # A formset ignores the errors of forms marked for deletion, so these go on the formset.
        in_use = [
            self.in_use_message.format(name=form.instance)
            for form in self.forms
            if self.can_delete
            and self._should_delete_form(form)
            and form.instance.pk
            and self.in_use(form.instance)
        ]
        if in_use:
            raise ValidationError(in_use)


class CriterionBaseFormSet(_ProtectedInlineFormSet):
    delete_label = "Remove this criterion"
    in_use_message = (
        "You cannot remove {name}: applicants have already written statements against it"
    )

    def in_use(self, instance) -> bool:
        return instance.statements.exists()


class DocumentBaseFormSet(_ProtectedInlineFormSet):
    delete_label = "Remove this document"
    in_use_message = "You cannot remove {name}: applicants have already uploaded it"

    def in_use(self, instance) -> bool:
        return instance.uploads.exists()


CriterionFormSet = inlineformset_factory(
    RecruitmentRound,
    Criterion,
    formset=CriterionBaseFormSet,
    fields=["title", "description", "scoring_guidance", "word_limit", "position"],
    labels={
        "title": "Criterion",
        "description": "What applicants should show",
        "scoring_guidance": "Scoring guidance for reviewers and panellists",
        "word_limit": "Word limit",
        "position": "Order",
    },
    help_texts={
        "description": "Applicants see this.",
        "scoring_guidance": "Applicants do not see this.",
        "position": "Criteria are shown from the lowest number to the highest.",
    },
    widgets={
        "description": forms.Textarea(attrs={"rows": 3}),
        "scoring_guidance": forms.Textarea(attrs={"rows": 3}),
    },
    extra=2,
    can_delete=True,
    can_delete_extra=False,
)

RequiredDocumentFormSet = inlineformset_factory(
    RecruitmentRound,
    RequiredDocument,
    formset=DocumentBaseFormSet,
    fields=["name", "description"],
    labels={"name": "Document", "description": "What it should contain"},
    help_texts={
        "name": "Every applicant must upload it, as well as their CV. For example, Reference letter."
    },
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
    extra=1,
    can_delete=True,
    can_delete_extra=False,
)


# Eligibility ----------------------------------------------------------------------------------


@dataclass
class EligibilityCell:
    profession: str
    label: str
    eligible: forms.BoundField
    sponsor: forms.BoundField | None  # only for professions other than medicine

    @property
    def errors(self) -> list[str]:
        return list(self.sponsor.errors) if self.sponsor is not None else []


class EligibilityGridForm(forms.Form):
    """A tick for each region and profession; non-medical professions also name their sponsor.

    Fields are named `eligible_<region>_<profession>` and `sponsor_<region>_<profession>`. The
    sponsor lists use plain choices from one query, so rendering the grid costs no query per cell.
    """

    def __init__(self, *args, round: RecruitmentRound, regions, funders, **kwargs):
        self.round = round
        self.regions = list(regions)
        self.funders = {str(f.pk): f for f in funders}
        initial = {}
        for line in round.eligibilities.all():
            initial[f"eligible_{line.region_id}_{line.profession}"] = True
            if line.sponsor_id:
                initial[f"sponsor_{line.region_id}_{line.profession}"] = str(line.sponsor_id)
        super().__init__(*args, initial=initial, **kwargs)
        choices = [("", "Choose the sponsor"), *((pk, f.name) for pk, f in self.funders.items())]
        for region in self.regions:
            for profession, label in Profession.choices:
                self.fields[self.eligible_name(region, profession)] = forms.BooleanField(
                    required=False,
                    label=f"{label} in {region.name}",
                    widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
                )
                if profession in NON_MEDICAL_PROFESSIONS:
                    self.fields[self.sponsor_name(region, profession)] = forms.ChoiceField(
                        required=False,
                        label=f"Sponsor of {label.lower()} posts in {region.name}",
                        choices=choices,
                        widget=forms.Select(attrs={"class": "nhsuk-select"}),
                    )

    @staticmethod
    def eligible_name(region: Region, profession: str) -> str:
        return f"eligible_{region.pk}_{profession}"

    @staticmethod
    def sponsor_name(region: Region, profession: str) -> str:
        return f"sponsor_{region.pk}_{profession}"

    def grid(self) -> list[tuple[Region, list[EligibilityCell]]]:
        for name in self.errors:
            if name.startswith("sponsor_"):  # tie the message to its list, for screen readers
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                widget.attrs["class"] = "nhsuk-select nhsuk-select--error"
        return [
            (
                region,
                [
                    EligibilityCell(
                        profession,
                        label,
                        self[self.eligible_name(region, profession)],
                        self[self.sponsor_name(region, profession)]
                        if profession in NON_MEDICAL_PROFESSIONS
                        else None,
                    )
                    for profession, label in Profession.choices
                ],
            )
            for region in self.regions
        ]

    def clean(self):
        """The grid as (region, profession, sponsor) rows, with each broken line's problem on its cell."""
        data = super().clean()
        funded = services.sponsored_regions(self.round)
        rows: list[tuple[Region, str, Funder | None]] = []
        for region in self.regions:
            for profession, label in Profession.choices:
                ticked = data.get(self.eligible_name(region, profession))
                if profession not in NON_MEDICAL_PROFESSIONS:
                    if ticked:
                        rows.append((region, profession, None))
                    continue
                sponsor_field = self.sponsor_name(region, profession)
                sponsor = self.funders.get(data.get(sponsor_field) or "")
                if not ticked:
                    if sponsor is not None:
                        self.add_error(
                            sponsor_field,
                            f"Tick {label.lower()} in {region.name} to make it eligible, or remove its sponsor",
                        )
                    continue
                problem = services.eligibility_problem(
                    self.round, region, profession, sponsor, funded=funded
                )
                if problem:
                    self.add_error(sponsor_field, problem)
                else:
                    rows.append((region, profession, sponsor))
        data["rows"] = rows
        return data


# Applications ---------------------------------------------------------------------------------

SUBMITTED, DRAFT = "submitted", "draft"


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(
        label="Search by reference, name, email or employer", required=False, max_length=200
    )
    region = forms.ModelChoiceField(
        Region.objects.order_by("name"), required=False, empty_label="All regions"
    )
    profession = forms.ChoiceField(
        required=False, choices=[("", "All professions"), *Profession.choices]
    )
    stage = forms.ChoiceField(required=False, choices=[("", "All stages"), *Stage.choices])
    status = forms.ChoiceField(
        label="Submitted or draft",
        required=False,
        choices=[
            ("", "Submitted and drafts"),
            (SUBMITTED, "Submitted only"),
            (DRAFT, "Drafts only"),
        ],
    )


class IneligibleForm(forms.Form):
    reason = forms.CharField(
        label="Why is this application not eligible?",
        help_text="We will email this to the applicant, so write it in plain words they will understand.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={"required": "Enter the reason, which the applicant will be told"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter the reason, which the applicant will be told")
        return reason
