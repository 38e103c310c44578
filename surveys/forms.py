"""The answer form, built from a survey's questions.

One field per question key; a grid question has one field per row, named `KEY__ROW`, which
`answers()` gathers back into {row: value} for the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from .enums import TEXT_MAX_LENGTH, GridScale, QuestionKind
from .models import Question
from .services import number_bounds

GRID_SEPARATOR = "__"


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
        low, high = number_bounds(question)
        common["error_messages"] = {
            "required": "Enter a number",
            "invalid": "Enter a number",
            "min_value": "Enter a number of %(limit_value)s or more",
            "max_value": "Enter a number of %(limit_value)s or less",
        }
        return forms.DecimalField(
            min_value=low,
            max_value=high,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
            **common,
        )
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX_LENGTH, **common
    )


def row_field_for(question: Question, label: str) -> forms.Field:
    """One row of a grid question: a radio choice on the question's scale."""
    return forms.ChoiceField(
        label=label,
        required=question.required,
        choices=question.choices,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select an answer for {label}"},
    )


@dataclass
class QuestionBlock:
    """What the page shows for one question: its section heading, and its field or row fields."""

    question: Question
    fields: list = field(default_factory=list)

    @property
    def is_grid(self) -> bool:
        return self.question.kind == QuestionKind.GRID

    @property
    def inline(self) -> bool:
        """Yes/no rows fit on one line; the 5-point scale stacks."""
        return self.is_grid and self.question.scale == GridScale.YES_NO


class AnswerForm(forms.Form):
    """Fields built from the questions; the service validates the answers again before storing."""

    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            if question.kind == QuestionKind.GRID:
                for row, label in question.rows:
                    self.fields[f"{question.key}{GRID_SEPARATOR}{row}"] = row_field_for(
                        question, label
                    )
            else:
                self.fields[question.key] = field_for(question)

    def blocks(self) -> list[QuestionBlock]:
        """The questions in order, each with its bound field(s), for the template."""
        out = []
        for question in self.questions:
            if question.kind == QuestionKind.GRID:
                names = [f"{question.key}{GRID_SEPARATOR}{row}" for row, _ in question.rows]
            else:
                names = [question.key]
            out.append(QuestionBlock(question, [self[name] for name in names]))
        return out

    def field_name(self, key: str) -> str | None:
        """The field to attach a service error about question `key` to."""
        if key in self.fields:
            return key
        for question in self.questions:
            if question.key == key and question.rows:
                return f"{key}{GRID_SEPARATOR}{question.rows[0][0]}"
        return None

    def answers(self) -> dict:
        """The cleaned data as the service takes it (numbers as text, blanks as None)."""
        out: dict = {}
        for question in self.questions:
            if question.kind == QuestionKind.GRID:
                grid = {
                    row: self.cleaned_data.get(f"{question.key}{GRID_SEPARATOR}{row}")
                    for row, _ in question.rows
                }
                grid = {row: value for row, value in grid.items() if value}
                out[question.key] = grid or None
                continue
            value = self.cleaned_data.get(question.key)
            if value is None or value == "" or value == []:
                out[question.key] = None
            elif isinstance(value, list):
                out[question.key] = value
            else:
                out[question.key] = str(value)
        return out
