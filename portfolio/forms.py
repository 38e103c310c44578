"""Forms of fellows' portfolios: an entry, the graduation poster, the testimonial with its consent
choices, and the filters of the faculty's list of portfolio entries."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fellowship.forms import DateInput
from fellowship.models import Cohort
from fellowship.uploads import check_upload

from . import services
from .enums import EntryKind, QuoteAs
from .links import LinkError, normalise_link
from .models import PortfolioEntry, Poster, Testimonial

FILE_KINDS = ("pdf", "png", "jpeg")
# Posters are large printed PDFs or photographs; other evidence is a certificate or a letter.
POSTER_MAX_BYTES = 2 * settings.UPLOAD_MAX_BYTES


def _checked(upload, *, max_bytes: int | None = None) -> str | None:
    """The kind of a newly uploaded file (pdf, png, jpeg), or None when the stored file is kept."""
    if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
        return check_upload(upload, kinds=FILE_KINDS, max_bytes=max_bytes)
    return None


class EntryForm(forms.ModelForm):
    url = forms.CharField(
        label="Link",
        required=False,
        max_length=500,
        help_text="A web address starting with https://. For a publication, its DOI, such as 10.1234/abcd.5678.",
    )

    class Meta:
        model = PortfolioEntry
        fields = [
            "kind", "title", "date", "organisation", "url", "description",
            "academic_coauthors", "national_body", "evidence",
        ]  # fmt: skip
        labels = {
            "kind": "What kind of entry is it?",
            "organisation": "Organisation",
            "academic_coauthors": "Written with academic co-authors",
            "national_body": "Done with a royal college or national body",
            "evidence": "Evidence",
        }
        help_texts = {
            "title": "For example, the title of the paper, the name of the certificate or the prize.",
            "date": "When it was awarded, published or given. Awards cannot be dated in the future.",
            "organisation": "Who awarded, published, hosted or invited it: a journal, conference, royal college ...",
            "description": "A sentence or two on what it is and what it shows.",
            "academic_coauthors": "For publications.",
            "national_body": "For policy or guidelines work and media pieces, such as for the Royal College of Radiologists.",
            "evidence": "A PDF, PNG or JPEG, smaller than 5 MB: a certificate, an award letter or a programme.",
        }
        widgets = {
            "date": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.ClearableFileInput,
        }
        error_messages = {
            "kind": {"required": "Select what kind of entry it is"},
            "title": {"required": "Enter a title"},
            "date": {"invalid": "Enter a real date, such as 27 3 2024"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select a kind"), *EntryKind.choices]
        self.fields["evidence"].help_text = (
            f"A PDF, PNG or JPEG, smaller than {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB: "
            "a certificate, an award letter or a programme."
        )

    def clean_url(self) -> str:
        try:
            return normalise_link(self.cleaned_data.get("url", ""))
        except LinkError as exc:
            raise ValidationError(str(exc)) from None

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        _checked(evidence)
        return evidence

    def clean(self):
        data = super().clean()
        if data.get("kind"):
            probe = PortfolioEntry(kind=data["kind"], date=data.get("date"))
            for field, message in services.entry_problems(probe).items():
                self.add_error(field, message)
        return data


class PosterForm(forms.ModelForm):
    class Meta:
        model = Poster
        fields = ["title", "file"]
        labels = {"title": "Poster title", "file": "Poster"}
        help_texts = {"title": "Usually the title of your AI project."}
        widgets = {"file": forms.FileInput}
        error_messages = {
            "title": {"required": "Enter the title of your poster"},
            "file": {"required": "Select your poster file"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind: str | None = None
        mb = POSTER_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = f"A PDF, PNG or JPEG, smaller than {mb} MB."
        if self.instance.pk:
            self.fields["file"].help_text += " Upload a new file to replace the current one."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        self.kind = _checked(upload, max_bytes=POSTER_MAX_BYTES) or self.instance.file_kind
        return upload


class TestimonialForm(forms.ModelForm):
    """The testimonial and the fellow's answers on consent; `consents()` gives the answers to the
    service, which records a consent for each yes that is new (with the wording shown here)."""

    may_quote = forms.TypedChoiceField(
        label="May the programme quote your testimonial in its reports?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the programme may quote your testimonial"},
    )
    quote_as = forms.ChoiceField(
        label="When it is quoted, how should it be credited?",
        choices=QuoteAs.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    may_publish = forms.TypedChoiceField(
        label="May the programme publish it on its website?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        help_text="Only if it may also be quoted.",
        error_messages={"required": "Select yes if the programme may publish your testimonial"},
    )

    class Meta:
        model = Testimonial
        fields = ["text"]
        help_texts = {
            "text": "In your own words: what the fellowship gave you, and what changed for your patients, team or career.",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}
        error_messages = {"text": {"required": "Enter your testimonial"}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["may_quote"] = "yes" if self.instance.may_quote else "no"
            self.initial["quote_as"] = self.instance.quote_as or QuoteAs.ANONYMOUS
            self.initial["may_publish"] = "yes" if self.instance.may_publish else "no"
        else:
            self.initial.setdefault("quote_as", QuoteAs.ANONYMOUS)

    def clean(self):
        data = super().clean()
        if data.get("may_quote") and not data.get("quote_as"):
            self.add_error("quote_as", "Select how your testimonial should be credited")
        if data.get("may_publish") and data.get("may_quote") is False:
            self.add_error(
                "may_publish",
                "To publish your testimonial on the website, also agree to it being quoted",
            )
        return data

    def consents(self) -> dict:
        """The answers as `services.save_testimonial` takes them."""
        data = self.cleaned_data
        return {
            "quote": data["may_quote"],
            "quote_as": data.get("quote_as") or QuoteAs.ANONYMOUS,
            "publish": data["may_publish"],
        }


class PortfolioFilterForm(forms.Form):
    """The faculty's filters of portfolio entries: cohort, kind and a date range."""

    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.all(),
        required=False,
        empty_label="All cohorts",
        to_field_name="number",
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *EntryKind.choices], required=False)
    date_from = forms.DateField(label="Dated from", required=False, widget=DateInput)
    date_to = forms.DateField(label="Dated to", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the date range must be on or after its start")
        return data

    def filter(self, entries: QuerySet) -> QuerySet:
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data.get("cohort"):
            entries = entries.filter(fellow__cohort=data["cohort"])
        if data.get("kind"):
            entries = entries.filter(kind=data["kind"])
        if data.get("date_from"):
            entries = entries.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(date__lte=data["date_to"])
        return entries


class CohortChoiceForm(forms.Form):
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.all(),
        required=False,
        empty_label="All cohorts",
        to_field_name="number",
    )
