"""Forms about people's accounts and roles: the sign-up details, the people search, giving a role."""

from __future__ import annotations

from django import forms

from ..enums import Role
from ..models import Funder


class SignupDetailsForm(forms.Form):
    """The extra field allauth's sign-up form asks for (allauth calls `signup`)."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        help_text="As you would like it to appear on your application.",
    )

    def signup(self, request, user) -> None:  # the adapter saves full_name with the user
        pass


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or e-mail address", required=False)
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Role.choices])


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    funder = forms.ModelChoiceField(
        Funder.objects.all(),
        required=False,
        help_text="Only for the funder role: the funder this person acts for.",
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.FUNDER and not data.get("funder"):
            self.add_error("funder", "Select the funder this person acts for")
        if data.get("role") and data.get("role") != Role.FUNDER and data.get("funder"):
            self.add_error("funder", "Only the funder role names a funder. Leave this blank")
        return data
