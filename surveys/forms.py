"""The answer form, built from a survey's questions (one field per question key)."""

from __future__ import annotations

from django import forms

from .enums import TEXT_MAX_LENGTH, QuestionKind
from .models import Question


def field_for(question: Question) -> forms.Field:
    common = {
        "label": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "error_messages": {"required": "Answer this question"},
    }
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.AGREEMENT):
        required = (
            "Select how much you agree" if kind == QuestionKind.AGREEMENT else "Select an answer"
        )
        common["error_messages"] = {"required": required}
        return forms.ChoiceField(choices=question.choices, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        common["error_messages"] = {"required": "Select at least one answer"}
        return forms.MultipleChoiceField(
            choices=question.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
            **common,
        )
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX_LENGTH, **common
    )


class AnswerForm(forms.Form):
    """One field per question; the service validates the answers again before storing them."""

    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = field_for(question)

    def answers(self) -> dict:
        """The cleaned data as the service takes it (numbers as text, blanks as None)."""
        out = {}
        for key, value in self.cleaned_data.items():
            if value is None or value == "" or value == []:
                out[key] = None
            elif isinstance(value, list):
                out[key] = value
            else:
                out[key] = str(value)
        return out
