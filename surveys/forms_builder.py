"""Forms of the survey builder: a new survey, its settings, a question, and a copy."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from fellowship.forms import DateTimeLocalInput
from fellowship.models import Cohort, Workshop
from recruitment.models import RecruitmentRound

from .builder import has_responses, lines_of, parse_lines
from .enums import GridScale, QuestionKind
from .models import Question, Survey

DATETIME_HINT = "UK time. Leave blank to set it later."


def _workshops():
    return Workshop.objects.select_related("cohort").order_by("-date", "title")


class PlaceFields(forms.Form):
    """Which cohort, workshop or recruitment round a survey is about (all optional)."""

    cohort = forms.ModelChoiceField(
        Cohort.objects.order_by("-number"), required=False, empty_label="No cohort"
    )
    workshop = forms.ModelChoiceField(
        _workshops(),
        required=False,
        empty_label="No workshop",
        help_text="For workshop feedback: the speakers see the results of their own workshop.",
    )
    round = forms.ModelChoiceField(
        RecruitmentRound.objects.order_by("-opens_at"),
        required=False,
        empty_label="No recruitment round",
        label="Recruitment round",
    )

    def clean(self):
        cleaned = super().clean()
        workshop, cohort = cleaned.get("workshop"), cleaned.get("cohort")
        if workshop and cohort and workshop.cohort_id != cohort.pk:
            self.add_error("workshop", f"Choose a workshop of {cohort}, or no cohort")
        if workshop and not cohort:
            cleaned["cohort"] = workshop.cohort
        return cleaned


class SurveyCreateForm(PlaceFields):
    START_BLANK, START_TEMPLATE, START_COPY = "blank", "template", "copy"

    start = forms.ChoiceField(
        label="How do you want to start?",
        choices=[
            (START_TEMPLATE, "From a template"),
            (START_COPY, "From a copy of an earlier survey"),
            (START_BLANK, "With a blank survey"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how to start the survey"},
    )
    template = forms.ModelChoiceField(
        Survey.objects.templates().order_by("title"),
        required=False,
        empty_label="Choose a template",
    )
    copy_of = forms.ModelChoiceField(
        Survey.objects.sent().select_related("cohort").order_by("-created_at"),
        required=False,
        label="Survey to copy",
        empty_label="Choose a survey",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave blank to keep the template's or the copied survey's title.",
    )
    field_order = ["start", "template", "copy_of", "title", "cohort", "workshop", "round"]

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start")
        if start == self.START_TEMPLATE and not cleaned.get("template"):
            self.add_error("template", "Choose a template")
        if start == self.START_COPY and not cleaned.get("copy_of"):
            self.add_error("copy_of", "Choose the survey to copy")
        if start == self.START_BLANK and not cleaned.get("title"):
            self.add_error("title", "Enter a title for the survey")
        if start != self.START_TEMPLATE:
            cleaned["template"] = None
        if start != self.START_COPY:
            cleaned["copy_of"] = None
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            k: data[k] for k in ("title", "template", "copy_of", "cohort", "workshop", "round")
        }
        return {k: v for k, v in fields.items() if v not in (None, "")}


class SurveyForm(forms.ModelForm):
    opens_at = forms.DateTimeField(
        label="Opens", required=False, widget=DateTimeLocalInput, help_text=DATETIME_HINT
    )
    closes_at = forms.DateTimeField(
        label="Closes", required=False, widget=DateTimeLocalInput, help_text=DATETIME_HINT
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "description",
            "audience",
            "anonymous",
            "opens_at",
            "closes_at",
            "cohort",
            "workshop",
            "round",
            "reminder_every_days",
        ]
        labels = {
            "anonymous": "Anonymous: keep no link between answers and the people who gave them",
            "round": "Recruitment round",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = _workshops()
        self.fields["cohort"].queryset = Cohort.objects.order_by("-number")
        self.fields["round"].queryset = RecruitmentRound.objects.order_by("-opens_at")
        for name, empty in (
            ("cohort", "No cohort"),
            ("workshop", "No workshop"),
            ("round", "No round"),
        ):
            self.fields[name].empty_label = empty
        self.fields["reminder_every_days"].widget.attrs["class"] = "nhsuk-input--width-2"
        if self.instance.pk and has_responses(self.instance):
            # Answers already given were stored under the promise made when they were given (an
            # open anonymous survey counts as answered, whether or not anyone has yet).
            self.fields["anonymous"].disabled = True
            self.fields["anonymous"].help_text = (
                "People may have answered this survey, so this cannot change."
                if self.instance.anonymous
                else "People have answered this survey, so this cannot change."
            )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The closing time must be after the opening time")
        workshop, cohort = cleaned.get("workshop"), cleaned.get("cohort")
        if workshop and cohort and workshop.cohort_id != cohort.pk:
            self.add_error("workshop", f"Choose a workshop of {cohort}, or another cohort")
        return cleaned

    def validate_constraints(self, exclude=None):
        # clean() gives the closing-time rule a plain message; the constraint backs it up.
        if "closes_at" in self.errors:
            return
        super().validate_constraints(exclude=exclude)


class CopyForm(PlaceFields):
    title = forms.CharField(max_length=200, help_text="For example the name of the new cohort.")
    field_order = ["title", "cohort", "workshop", "round"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of question",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of question"},
    )
    text = forms.CharField(
        label="Question", max_length=500, error_messages={"required": "Enter the question"}
    )
    help_text = forms.CharField(label="Hint", max_length=500, required=False)
    key = forms.SlugField(
        max_length=60,
        required=False,
        help_text=(
            "A short name for exports, with lower-case letters, numbers and underscores, such as "
            "recommend. Leave blank to make one from the question. It stays the same in copies."
        ),
        error_messages={"invalid": "Use only lower-case letters, numbers and underscores"},
    )
    required = forms.BooleanField(label="People must answer this question", required=False)
    section = forms.CharField(
        label="Section heading",
        max_length=200,
        required=False,
        help_text="Starts a new section of the survey at this question. Leave blank otherwise.",
    )
    options = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "For single and multiple choice. One on each line, as key|Label, or just the label "
            "(the key is made from it), such as strongly_recommend|Strongly recommend."
        ),
    )
    rows = forms.CharField(
        label="Grid rows",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For grids. One row on each line, as key|Label or just the label.",
    )
    scale = forms.ChoiceField(
        label="Grid rows are answered on",
        choices=[("", "Choose a scale"), *GridScale.choices],
        required=False,
    )
    minimum = forms.DecimalField(label="Lowest number allowed", required=False)
    maximum = forms.DecimalField(label="Highest number allowed", required=False)

    def __init__(self, *args, question: Question | None = None, **kwargs):
        if question is not None and "initial" not in kwargs:
            bounds = question.options if isinstance(question.options, dict) else {}
            kwargs["initial"] = {
                "kind": question.kind,
                "text": question.text,
                "help_text": question.help_text,
                "key": question.key,
                "required": question.required,
                "section": question.section,
                "options": lines_of(question.options) if isinstance(question.options, list) else "",
                "rows": lines_of(question.rows),
                "scale": question.scale,
                "minimum": bounds.get("min"),
                "maximum": bounds.get("max"),
            }
        elif question is None and "initial" not in kwargs:
            kwargs["initial"] = {"required": True}
        super().__init__(*args, **kwargs)
        for name in ("minimum", "maximum"):
            self.fields[name].widget.attrs["class"] = "nhsuk-input--width-5"

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for name, what in (("options", "answer"), ("rows", "row")):
            try:
                cleaned[name] = parse_lines(cleaned.get(name) or "", what=what)
            except ValidationError as exc:
                self.add_error(name, exc)
        if kind == QuestionKind.NUMBER:
            bounds = {}
            for name, key in (("minimum", "min"), ("maximum", "max")):
                value = cleaned.get(name)
                if value is not None:
                    bounds[key] = int(value) if value == value.to_integral_value() else float(value)
            cleaned["options"] = bounds
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "help_text": data["help_text"],
            "key": data["key"],
            "required": data["required"],
            "section": data["section"],
            "options": data["options"],
            "rows": data["rows"],
            "scale": data["scale"],
        }
