"""Forms of the offers pages: faculty confirm an offer; the candidate replies."""

from __future__ import annotations

from django import forms

ACCEPT, DECLINE = "accept", "decline"


class MakeOfferForm(forms.Form):
    """Which candidate to offer which post; the service checks they are next in line."""

    post = forms.IntegerField(widget=forms.HiddenInput)
    application = forms.IntegerField(widget=forms.HiddenInput)


class OfferReplyForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you accept this offer?",
        choices=[(ACCEPT, "Yes, I accept the offer"), (DECLINE, "No, I decline the offer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you accept or decline the offer"},
    )
    reason = forms.CharField(
        label="If you decline, why?",
        help_text="This helps us improve the programme. It does not affect any future application.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
