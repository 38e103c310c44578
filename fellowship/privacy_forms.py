"""Forms of the personal data pages: finding a person, and confirming an erasure. They only validate."""

from __future__ import annotations

from django import forms
from django.utils import timezone


class PersonEmailForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address of the person",
        help_text="The address they use to sign in, or the one the programme history holds for them.",
    )


class ErasureForm(PersonEmailForm):
    email = forms.EmailField(widget=forms.HiddenInput)
    requested_by = forms.CharField(
        label="Who asked for the erasure, and how",
        max_length=200,
        help_text="For example: the person, by e-mail to the programme team. Do not give their name.",
    )
    request_received = forms.DateField(
        label="Date the request was received",
        help_text="For example, 27 3 2026 or 2026-03-27.",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"],
    )
    confirm = forms.BooleanField(
        label="I understand that the person's identity and files are removed for good",
        error_messages={"required": "Confirm that you understand the erasure cannot be undone"},
    )

    def clean_request_received(self):
        received = self.cleaned_data["request_received"]
        if received > timezone.localdate():
            raise forms.ValidationError(
                "The date the request was received must be today or in the past"
            )
        return received
