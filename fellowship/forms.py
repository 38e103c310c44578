"""Forms of the programme core. Decisions live in services; these only validate input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from .enums import Role
from .models import (
    Cohort,
    CurriculumTheme,
    Fellow,
    FundedPost,
    Funder,
    Organisation,
    Region,
    Speaker,
    User,
    Workshop,
)
from .uploads import check_upload


class DateInput(forms.DateInput):
    input_type = "date"


class SignupDetailsForm(forms.Form):
    """The extra field allauth's sign-up form asks for (allauth calls `signup`)."""

    full_name = forms.CharField(
        label="Full name", max_length=150, help_text="As you would like it to appear on your application."
    )

    def signup(self, request, user) -> None:  # the adapter saves full_name with the user
        pass


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["number", "start_date", "end_date"]
        widgets = {"start_date": DateInput, "end_date": DateInput}
        help_texts = {"number": "Cohorts are numbered from 1 in the order they start."}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date")
        return data


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name"]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "region"]


class FunderForm(forms.ModelForm):
    class Meta:
        model = Funder
        fields = ["name", "kind", "mou", "mou_signed_on"]
        widgets = {"mou_signed_on": DateInput, "mou": forms.FileInput}
        help_texts = {"mou": "A PDF, smaller than 5 MB. Upload a new file to replace the current one."}

    def clean_mou(self):
        mou = self.cleaned_data.get("mou")
        if mou and hasattr(mou, "content_type"):  # a new upload, not the stored file
            check_upload(mou, kinds=("pdf",))
        return mou


FundedPostFormSet = inlineformset_factory(
    Funder,
    FundedPost,
    fields=["cohort", "region", "specialty_theme", "places"],
    extra=1,
    can_delete=True,
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} <{obj.email}>"


class FellowForm(forms.ModelForm):
    class Meta:
        model = Fellow
        fields = ["ref", "full_name", "user", "cohort", "region", "profession", "specialty", "funder", "status", "project_ref"]
        field_classes = {"user": UserChoiceField}
        help_texts = {
            "ref": "A unique reference, such as F-0412. It keys re-imports of the history.",
            "user": "The person's account, if they have one, so they can sign in as a fellow.",
        }


class FellowFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or reference", required=False)
    cohort = forms.ModelChoiceField(Cohort.objects.all(), required=False, empty_label="All cohorts")
    region = forms.ModelChoiceField(Region.objects.all(), required=False, empty_label="All regions")
    profession = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [("", "All professions"), *Fellow._meta.get_field("profession").choices]
        self.fields["status"].choices = [("", "All statuses"), *Fellow._meta.get_field("status").choices]


class WorkshopForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        CurriculumTheme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Curriculum themes",
    )

    class Meta:
        model = Workshop
        fields = ["cohort", "date", "title", "host_organisation", "regional_showcase", "themes"]
        widgets = {"date": DateInput}
        labels = {"regional_showcase": "This is a regional showcase"}


SpeakerFormSet = inlineformset_factory(
    Workshop,
    Speaker,
    fields=["name", "role_title", "affiliation", "sector"],
    extra=1,
    can_delete=True,
)


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or e-mail address", required=False)
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Role.choices])


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    funder = forms.ModelChoiceField(
        Funder.objects.all(), required=False, help_text="Only for the funder role: the funder this person acts for."
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.FUNDER and not data.get("funder"):
            self.add_error("funder", "Select the funder this person acts for")
        if data.get("role") and data.get("role") != Role.FUNDER and data.get("funder"):
            self.add_error("funder", "Only the funder role names a funder. Leave this blank")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once (the pattern from Django's documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class HistoryUploadForm(forms.Form):
    files = MultipleFileField(
        label="Upload history files",
        help_text="CSV files named after their tables (cohorts.csv, fellows.csv ...), one Excel workbook with a sheet per table, or a zip of CSV files.",
    )
    dry_run = forms.BooleanField(
        label="Check the files without importing them", required=False
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if sum(f.size for f in files) > 20 * 1024 * 1024:
            raise ValidationError("The files must be smaller than 20 MB together")
        return files

