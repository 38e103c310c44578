"""The filters of the audit log page."""

from __future__ import annotations

from django import forms

from ..enums import AuditAction, AuditSubject
from .fields import DateInput


class AuditFilterForm(forms.Form):
    """Filters of the audit log page; every field optional."""

    q = forms.CharField(
        label="Person or reference",
        required=False,
        max_length=254,
        help_text="An e-mail address (or part of one), or a reference such as A-4010",
    )
    subject = forms.ChoiceField(
        label="Record", required=False, choices=[("", "Any record"), *AuditSubject.choices]
    )
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    since = forms.DateField(label="From", required=False, widget=DateInput)
    until = forms.DateField(label="To", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data
