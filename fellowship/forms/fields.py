"""Widgets and fields shared by the forms of every app: date pickers, bounded choices, many files."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """The browser's date picker. It only accepts ISO dates (yyyy-mm-dd): with the site's en-GB
    format (22/11/2026) it would show an empty box and a saved date would be lost on the next save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (ISO value); the value is a UK wall-clock time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIME_HINT = "UK time. Pages show it with GMT or BST, depending on the time of year."


class UKDateTimeField(forms.DateTimeField):
    """A date and time entered and shown in Europe/London (the site's time zone)."""

    widget = DateTimeLocalInput

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "ambiguous_timezone":
                raise ValidationError(
                    "This time does not exist, or happens twice, in UK time because the clocks change "
                    "that night. Choose a time at least an hour away",
                    code="ambiguous_timezone",
                ) from exc
            raise


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but an id too large for a 64-bit integer is an invalid choice, not a 500.

    Django checks each id with an exact lookup (which copes with overflow) and then fetches them
    all with `id__in`, which SQLite cannot bind ("Python int too large to convert to SQLite INTEGER")."""

    def _check_values(self, value):
        for pk in value:  # clean() has checked that value is a list or tuple
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: Django's own checks refuse it
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once (the pattern from Django's documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]
