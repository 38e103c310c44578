"""Forms for workshops, their attendance and their speakers."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from ..models import CurriculumTheme, Fellow, Speaker, User, Workshop
from .fields import BoundedModelMultipleChoiceField, DateInput


class WorkshopForm(forms.ModelForm):
    themes = BoundedModelMultipleChoiceField(
        CurriculumTheme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Curriculum themes",
    )

    attendees = BoundedModelMultipleChoiceField(
        Fellow.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who attended",
        help_text="Workshop feedback surveys can be sent to the fellows who attended.",
    )

    class Meta:
        model = Workshop
        fields = [
            "cohort",
            "date",
            "title",
            "duration_minutes",
            "host_organisation",
            "regional_showcase",
            "themes",
            "attendees",
        ]
        widgets = {"date": DateInput}
        labels = {"regional_showcase": "This is a regional showcase"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Attendance is recorded once the workshop exists, from the fellows of its cohort.
        if self.instance.pk:
            self.fields["attendees"].queryset = (
                Fellow.objects.filter(cohort_id=self.instance.cohort_id)
                .select_related("user")
                .order_by("full_name", "ref")
            )
        else:
            del self.fields["attendees"]

    def clean(self):
        cleaned = super().clean()
        cohort = cleaned.get("cohort")
        attendees = cleaned.get("attendees")
        if cohort and attendees and any(f.cohort_id != cohort.pk for f in attendees):
            self.add_error(
                "attendees",
                "Attendees must be fellows of the workshop's cohort. Save the new cohort first.",
            )
        return cleaned


class SpeakerForm(forms.ModelForm):
    """A speaker; with the e-mail address of their account they can read the feedback on their session."""

    account_email = forms.EmailField(
        label="E-mail address of their account",
        required=False,
        help_text="Optional. Lets the speaker sign in and read the feedback on this session.",
    )

    class Meta:
        model = Speaker
        fields = ["name", "role_title", "affiliation", "sector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["account_email"].initial = self.instance.user.email

    def clean_account_email(self) -> str:
        email = self.cleaned_data["account_email"].strip()
        self.account = None
        if email:
            self.account = User.objects.filter(email__iexact=email, is_active=True).first()
            if self.account is None:
                raise ValidationError(
                    "No account uses this e-mail address. Ask the speaker to create one first."
                )
        return email

    def save(self, commit: bool = True):
        self.instance.user = getattr(self, "account", None)
        return super().save(commit=commit)


SpeakerFormSet = inlineformset_factory(
    Workshop,
    Speaker,
    form=SpeakerForm,
    extra=1,
    can_delete=True,
)
