"""Forms of the supervisor's side of projects: the proposal on the standard template, its hazard
log, educational aims and milestones, and the faculty's filters of the list of proposals.

A draft saves whatever validates, field by field: only what the database cannot store without
(a title and a cohort) is required here. Whether the template is complete is judged at
submission by services.missing_for_submission, not by these forms.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from fellowship.models import Cohort, Organisation, Region

from ..enums import ProposalStatus
from ..models import ClinicalDomain, EducationalAim, Hazard, Milestone, Project
from ..services import REQUIRED_TO_SUBMIT, TEMPLATE_FIELDS

# The standard template in the sections the form and the detail page show, in order.
SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Project",
        [
            "cohort",
            "title",
            "host_organisation",
            "region",
            "clinical_domain",
            "ai_modality",
            "summary",
        ],
    ),
    (
        "Clinical problem and AI technology",
        ["clinical_problem", "ai_product", "ai_supplier", "regulatory_status", "evidence"],
    ),
    ("Deployment and data", ["deployment_setting", "data_description"]),
    (
        "Roles and responsibilities",
        ["supervisor_name", "clinical_safety_officer", "ig_lead", "technical_lead", "other_roles"],
    ),
    ("Resources", ["data_access", "compute", "funding", "protected_time"]),
    ("Capacity and theme", ["capacity", "funder_theme"]),
]

# What the database cannot store a proposal without: the only hard requirements of a draft.
HARD_REQUIRED = ("cohort", "title")
# Fields not marked "(optional)": those submission needs, and capacity, which is never empty.
NEEDED = {*HARD_REQUIRED, *REQUIRED_TO_SUBMIT, "capacity"}

LABELS = {
    "title": "Project title",
    "host_organisation": "Host organisation",
    "summary": "Summary",
    "supervisor_name": "Named supervisor",
    "data_description": "Data",
}
HELP = {
    "cohort": "The cohort whose fellows would join the project.",
    "summary": "A short description for the catalogue that fellows browse, in plain English.",
    "clinical_problem": "The problem for patients or staff that the project addresses, and how you know.",
    "ai_product": "The product or model, or what you will build if there is none yet.",
    "regulatory_status": "For example, a UKCA or CE class, or not a medical device.",
    "evidence": "Studies, evaluations or audits of the technology so far.",
    "deployment_setting": "Where and by whom the technology will be used: department, pathway, sites.",
    "data_description": "What data the project uses, where it comes from and how much there is.",
    "supervisor_name": "The person who supervises the fellows day to day.",
    "clinical_safety_officer": "Named, with their role, as DCB0129 and DCB0160 ask.",
    "other_roles": "Anyone else on the team and what they are responsible for.",
    "data_access": "What approvals are in place or needed, and how fellows will get access.",
    "compute": "Where models will run and who pays for it.",
    "protected_time": "Protected time for the fellows and for the team that supports them.",
    "capacity": "Between 1 and 10.",
}
TEXTAREAS = [
    "summary", "clinical_problem", "evidence", "deployment_setting", "data_description",
    "other_roles", "data_access", "compute", "funding", "protected_time",
]  # fmt: skip


def open_cohorts(today: datetime.date | None = None, *, keep: int | None = None):
    """Cohorts a project can still be proposed for: those not started yet and the current one
    (any that has not ended) whose proposals have not closed, and the cohort `keep` (a draft's
    own, even if it has ended or closed)."""
    today = today or timezone.localdate()
    still_open = Q(proposals_close_at__isnull=True) | Q(proposals_close_at__gt=timezone.now())
    return Cohort.objects.filter(
        ((Q(end_date__isnull=True) | Q(end_date__gte=today)) & still_open) | Q(pk=keep)
    ).order_by("number")


class ProposalForm(forms.ModelForm):
    """The standard template. Fields the template needs but a draft may lack are optional here;
    those not needed even for submission say "(optional)" in their labels."""

    nhsuk_show_optional = False  # "(optional)" is added below, to what submission does not need

    class Meta:
        model = Project
        fields = ["cohort", *TEMPLATE_FIELDS]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in TEXTAREAS}
        error_messages = {
            "capacity": {
                code: "Enter the number of fellows it can host, from 1 to 10"
                for code in ("invalid", "min_value", "max_value")
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = open_cohorts(keep=self.instance.cohort_id)
        self.fields["cohort"].empty_label = "Choose a cohort"
        self.fields["host_organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["host_organisation"].empty_label = "Choose an organisation"
        self.fields["region"].queryset = Region.objects.order_by("name")
        self.fields["region"].empty_label = "Choose a region"
        self.fields["clinical_domain"].queryset = ClinicalDomain.objects.order_by("name")
        self.fields["clinical_domain"].empty_label = "Choose a clinical domain"
        self.fields["cohort"].error_messages["required"] = "Choose the cohort the project is for"
        self.fields["title"].error_messages["required"] = "Enter a project title"
        for name, field in self.fields.items():
            field.required = name in HARD_REQUIRED
            field.label = LABELS.get(name) or capfirst(field.label)
            if name in HELP:
                field.help_text = HELP[name]
            if name not in NEEDED:
                field.label = f"{field.label} (optional)"
        _choose_one(self)
        self.fields["capacity"].widget.attrs.update(
            {"class": "nhsuk-input--width-2", "inputmode": "numeric"}
        )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for heading, names in SECTIONS]

    def cannot_save(self) -> bool:
        """Whether nothing can be saved: a new proposal without a valid title or cohort."""
        return self.instance.pk is None and any(name in self.errors for name in HARD_REQUIRED)

    def copy_valid_to(self, project: Project) -> Project:
        """Set on `project` every field that validated, leaving the others as they were."""
        for name in self.fields:
            if name in self.cleaned_data and name not in self.errors:
                value = self.cleaned_data[name]
                if value is None and name == "capacity":
                    continue  # left blank: keep the default
                setattr(project, name, value)
        return project


def _choose_one(form: forms.BaseForm) -> None:
    """Selects start on "Choose one" rather than Django's dashes."""
    for field in form.fields.values():
        if isinstance(field, forms.TypedChoiceField) and field.choices:
            field.choices = [("", "Choose one")] + [c for c in field.choices if c[0] != ""]


class HazardForm(forms.ModelForm):
    class Meta:
        model = Hazard
        fields = ["hazard", "cause", "effect", "severity", "likelihood", "mitigation"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "hazard": "A potential source of harm to a patient.",
            "mitigation": "The controls that reduce the risk, and who is responsible for them.",
        }
        error_messages = {
            "hazard": {"required": "Enter the hazard"},
            "cause": {"required": "Enter the cause of the hazard"},
            "effect": {"required": "Enter the effect of the hazard"},
            "severity": {"required": "Choose the severity"},
            "likelihood": {"required": "Choose the likelihood"},
            "mitigation": {"required": "Enter the mitigation"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose_one(self)


class EducationalAimForm(forms.ModelForm):
    class Meta:
        model = EducationalAim
        fields = ["theme", "aim"]
        labels = {"theme": "Curriculum theme", "aim": "What the fellow will learn"}
        widgets = {"aim": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "theme": {"required": "Choose a curriculum theme"},
            "aim": {"required": "Enter what the fellow will learn"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].empty_label = "Choose a theme"


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "target_month", "deliverable"]
        labels = {"title": "Milestone", "target_month": "Target month"}
        widgets = {
            "target_month": forms.NumberInput(
                attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}
            ),
            "deliverable": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "title": {"required": "Enter the milestone"},
            "target_month": {
                "required": "Enter the target month, from 1 to 12",
                "min_value": "The target month must be between 1 and 12",
                "max_value": "The target month must be between 1 and 12",
            },
        }


class _Rows(forms.BaseInlineFormSet):
    """Rows of a list on the proposal: one blank row to add, and a box to remove each saved one."""

    row_name = "row"

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.row_name.lower()}"


def _formset(model, form, row_name: str):
    base = type(f"{model.__name__}Rows", (_Rows,), {"row_name": row_name})
    return forms.inlineformset_factory(
        Project, model, form=form, formset=base, extra=1, can_delete=True, can_delete_extra=False
    )


HazardFormSet = _formset(Hazard, HazardForm, "Hazard")
EducationalAimFormSet = _formset(EducationalAim, EducationalAimForm, "Aim")
MilestoneFormSet = _formset(Milestone, MilestoneForm, "Milestone")

# prefix -> (heading, name of one row, formset class, hint)
FORMSETS = {
    "hazards": (
        "Hazard log",
        "Hazard",
        HazardFormSet,
        "Identify the hazards to patients, in the spirit of the DCB0129 and DCB0160 clinical "
        "safety standards. The clinical risk of each is worked out from its severity and likelihood.",
    ),
    "aims": (
        "Educational aims",
        "Aim",
        EducationalAimFormSet,
        "What a fellow will learn on the project, each mapped to a theme of the curriculum.",
    ),
    "milestones": (
        "Milestones",
        "Milestone",
        MilestoneFormSet,
        "What the project will deliver during the fellowship year, by month (1 to 12).",
    ),
}


# The page, top to bottom: the sections of fields with the lists where they belong.
PAGE_ORDER = [
    "Project",
    "Clinical problem and AI technology",
    "Deployment and data",
    "hazards",
    "Roles and responsibilities",
    "Resources",
    "aims",
    "milestones",
    "Capacity and theme",
]


def proposal_formsets(project: Project, data=None) -> dict[str, forms.BaseInlineFormSet]:
    return {
        prefix: formset_class(data, instance=project, prefix=prefix)
        for prefix, (_, _, formset_class, _) in FORMSETS.items()
    }


class ProposalFilterForm(forms.Form):
    """The faculty's filters of the list of every proposal."""

    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.order_by("-number"), required=False, empty_label="All cohorts"
    )
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *ProposalStatus.choices], required=False
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.order_by("name"), required=False, empty_label="All regions"
    )
    clinical_domain = forms.ModelChoiceField(
        label="Clinical domain",
        queryset=ClinicalDomain.objects.order_by("name"),
        required=False,
        empty_label="All domains",
    )

    def filter(self, projects):
        if not self.is_valid():
            return projects
        for name, value in self.cleaned_data.items():
            if value:
                projects = projects.filter(**{name: value})
        return projects
