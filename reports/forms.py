"""Forms of the report's own words: a narrative section, and a claim rewritten for one report."""

from __future__ import annotations

from django import forms


class SectionForm(forms.Form):
    """One narrative section: paragraphs separated by blank lines, and lists of lines starting "- "."""

    text = forms.CharField(
        label="Text",
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Separate paragraphs with a blank line. Start a line with a dash and a space "
        "(- ) for a bulleted list. Nothing else is formatted. Leave blank to use the default.",
        error_messages={"max_length": "The text must be %(limit_value)s characters or fewer"},
    )


class ClaimRewriteForm(forms.Form):
    """A claim's sentence as this report should print it."""

    text = forms.CharField(
        label="Sentence for this report",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say only what the figure shows. This wording is used in this report only.",
        error_messages={
            "required": "Enter the sentence for this report, or confirm the paper's sentence instead",
            "max_length": "The sentence must be %(limit_value)s characters or fewer",
        },
    )
