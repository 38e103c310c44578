"""Forms for fellows' records and the list of fellows."""

from __future__ import annotations

from django import forms

from ..models import Cohort, Fellow, Region, User


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} <{obj.email}>"


class FellowForm(forms.ModelForm):
    class Meta:
        model = Fellow
        fields = [
            "ref",
            "full_name",
            "user",
            "cohort",
            "region",
            "profession",
            "specialty",
            "funder",
            "post_theme",
            "status",
            "project_ref",
        ]
        field_classes = {"user": UserChoiceField}
        help_texts = {
            "ref": "A unique reference, such as F-0412. It keys re-imports of the history.",
            "user": "The person's account, if they have one, so they can sign in as a fellow.",
            "post_theme": "For a post funded for one specialty, such as Haematology: the fellow ranks only projects of that theme.",
        }


class FellowFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or reference", required=False)
    cohort = forms.ModelChoiceField(Cohort.objects.all(), required=False, empty_label="All cohorts")
    region = forms.ModelChoiceField(Region.objects.all(), required=False, empty_label="All regions")
    profession = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    account = forms.ChoiceField(
        label="Account",
        required=False,
        choices=[
            ("", "With or without an account"),
            ("yes", "Has an account"),
            ("no", "No account yet"),
        ],
    )
    project = forms.ChoiceField(
        label="AI project",
        required=False,
        choices=[
            ("", "With or without a project"),
            ("yes", "Matched to a project"),
            ("no", "No project yet"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [
            ("", "All professions"),
            *Fellow._meta.get_field("profession").choices,
        ]
        self.fields["status"].choices = [
            ("", "All statuses"),
            *Fellow._meta.get_field("status").choices,
        ]
