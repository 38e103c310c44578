"""The form faculty edit an e-mail's subject and body with."""

from __future__ import annotations

from django import forms

from .. import emails


class EmailTextForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        error_messages={"required": "Enter the subject of the e-mail"},
        widget=forms.TextInput(attrs={"spellcheck": "true"}),
    )
    body = forms.CharField(
        label="Body",
        strip=False,
        error_messages={"required": "Enter the body of the e-mail"},
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true"}),
    )
    # The version the page was opened from, so a save never silently overwrites a colleague's.
    based_on = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, kind: emails.EmailKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields[
            "body"
        ].help_text = "Write placeholders in double round brackets, like ((programme_name))."

    def clean(self):
        data = super().clean()
        if "subject" in data and "body" in data:
            emails.validate(self.kind, data["subject"], data["body"])
        return data
