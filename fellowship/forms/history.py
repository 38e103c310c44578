"""The form that uploads programme history files for import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .fields import MultipleFileField


class HistoryUploadForm(forms.Form):
    files = MultipleFileField(
        label="Upload history files",
        help_text="CSV files named after their tables (cohorts.csv, fellows.csv ...), one Excel workbook with a sheet per table, or a zip of CSV files. Nothing is changed until you have seen what the files would change.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if sum(f.size for f in files) > 20 * 1024 * 1024:
            raise ValidationError("The files must be smaller than 20 MB together")
        return files
