"""The applicant's forms, one per step of the application.

Every field of a step is optional: a draft saves whatever has been typed, and completeness is
judged only at submission (recruitment.services.problems). Forms check only what cannot be
stored as given, such as a file that is not a PDF or an e-mail address that is not one, and a
statement over its word limit (saved, but the applicant cannot move on until they cut it).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.html import format_html

from fellowship.models import Region
from fellowship.uploads import check_upload

from ..enums import (
    AgeBand,
    ApprovalMethod,
    EthnicGroup,
    MaritalStatus,
    Religion,
    Sex,
    SexualOrientation,
    YesNoPrefer,
)
from ..models import Application, Criterion, RequiredDocument, count_words


def pdf_hint() -> str:
    return f"A PDF, smaller than {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."


REPLACE_HINT = "Upload a new file to replace the one you uploaded before."


def _check_pdf(upload):
    """Content-check a newly uploaded file; a file already stored passes as it is."""
    if isinstance(upload, UploadedFile):
        check_upload(upload, kinds=("pdf",))
    return upload


class _DraftModelForm(forms.ModelForm):
    """Every field optional, so that a draft saves with gaps."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def answers(self) -> dict[str, object]:
        """The step's valid answers by field name, for the service to store (call after
        `is_valid()`). A refused answer is left out, so the stored one stays; a file box counts
        only when a new file came, so an empty box keeps the stored file."""
        found = {}
        for name in self._meta.fields:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            is_file = isinstance(self.instance._meta.get_field(name), models.FileField)
            if is_file and not isinstance(value, UploadedFile):
                continue
            found[name] = value
        return found


class EligibilityForm(_DraftModelForm):
    class Meta:
        model = Application
        fields = [
            "profession",
            "registration_body",
            "registration_number",
            "grade",
            "region",
            "specialty",
            "employer",
        ]
        labels = {
            "profession": "Profession",
            "registration_body": "Professional registration body",
            "registration_number": "Registration number",
            "grade": "Grade or band",
            "region": "Region you are applying in",
            "specialty": "Specialty",
            "employer": "Employing organisation",
        }
        help_texts = {
            "registration_number": "For example, your 7-digit GMC number or your NMC PIN.",
            "grade": "For example, ST4, Band 7 or consultant.",
            "region": "You can apply in one region. Choose the one where you work.",
            "specialty": "For example, radiology or emergency medicine.",
            "employer": "The NHS organisation you work for, for example Northgate University Hospitals NHS Foundation Trust.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only regions where the round has posts; problems() checks the profession fits the region.
        self.fields["region"].queryset = (
            Region.objects.filter(eligibilities__round=self.instance.round)
            .distinct()
            .order_by("name")
        )
        self.fields["region"].empty_label = "Select a region"
        for name in ("profession", "registration_body"):
            self.fields[name].choices = [("", "Select an option"), *self.fields[name].choices[1:]]
        self.fields["registration_number"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["grade"].widget.attrs["class"] = "nhsuk-input--width-20"
        self.fields["employer"].widget.attrs["autocomplete"] = "organization"

    def clean_registration_number(self) -> str:
        # Kept as typed (apart from spaces at the ends); a malformed number is flagged, not dropped.
        return (self.cleaned_data.get("registration_number") or "").strip()


def criterion_field_name(criterion: Criterion) -> str:
    return f"criterion_{criterion.pk}"


class StatementForm(forms.Form):
    """One text box per criterion of the round, named criterion_<pk>.

    Text over the word limit is still saved as a draft, so nothing typed is lost, but with
    `check_word_limits` it is an error on its box, so the applicant cannot move on until they cut
    it. Autosave leaves the check out: it saves, and the live word count shows the limit.
    """

    def __init__(
        self,
        *args,
        criteria,
        texts: dict[int, str] | None = None,
        check_word_limits: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.check_word_limits = check_word_limits
        self._typed: dict[int, str] = {}
        texts = texts or {}
        for criterion in self.criteria:
            self.fields[criterion_field_name(criterion)] = forms.CharField(
                label=criterion.title,
                required=False,
                initial=texts.get(criterion.pk, ""),
                strip=False,  # the applicant's layout is theirs; spaces do not count as words
                # The template pack escapes a plain hint; format_html escapes the faculty's text
                # and keeps our own line break and bold.
                help_text=format_html(
                    "{}<br><strong>{} words or fewer.</strong>",
                    criterion.description,
                    criterion.word_limit,
                ),
                widget=forms.Textarea(
                    attrs={
                        "rows": 10,
                        "data-word-limit": criterion.word_limit,
                        "spellcheck": "true",
                    }
                ),
            )

    def clean(self):
        data = super().clean()
        self._typed = {
            c.pk: data[criterion_field_name(c)]
            for c in self.criteria
            if criterion_field_name(c) in data
        }
        if self.check_word_limits:
            for criterion in self.criteria:
                words = count_words(self._typed.get(criterion.pk, ""))
                if words > criterion.word_limit:
                    self.add_error(
                        criterion_field_name(criterion), self._too_long(criterion, words)
                    )
        return data

    def _too_long(self, criterion: Criterion, words: int) -> str:
        # The error summary lists errors without their labels: name the box when there are several.
        which = f" for {criterion.title}" if len(self.criteria) > 1 else ""
        return (
            f"Your statement{which} is {words} words. "
            f"Cut it to {criterion.word_limit} words or fewer"
        )

    def over_word_limit(self) -> bool:
        """Whether a box was refused only for its length (its text is kept and saved)."""
        return any(
            criterion_field_name(c) in self.errors
            and count_words(self._typed.get(c.pk, "")) > c.word_limit
            for c in self.criteria
        )

    def texts(self) -> dict[int, str]:
        """The text per criterion id, as typed, over-long text included (a box that failed any
        other check is left out, not emptied)."""
        return dict(self._typed)


def document_field_name(requirement: RequiredDocument) -> str:
    return f"document_{requirement.pk}"


class DocumentsForm(_DraftModelForm):
    """The CV and one file per document the round requires; an empty box keeps the file already there."""

    class Meta:
        model = Application
        fields = ["cv"]
        labels = {"cv": "Your CV"}
        widgets = {"cv": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application = self.instance
        # The stored files are listed (with download links) above the form, not in the file boxes,
        # so an empty box simply means "keep what is there".
        self.initial["cv"] = None
        self.fields["cv"].help_text = pdf_hint() + (f" {REPLACE_HINT}" if application.cv else "")
        self.requirements = list(application.round.required_documents.all())
        for requirement in self.requirements:
            hint = (
                format_html("{} {}", requirement.description, pdf_hint())
                if requirement.description
                else pdf_hint()
            )
            self.fields[document_field_name(requirement)] = forms.FileField(
                label=requirement.name,
                required=False,
                help_text=hint,
                widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
            )

    def clean_cv(self):
        return _check_pdf(self.cleaned_data.get("cv"))

    def clean(self):
        data = super().clean()
        for requirement in self.requirements:
            name = document_field_name(requirement)
            if name in data:
                try:
                    _check_pdf(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def new_documents(self) -> list[tuple[RequiredDocument, UploadedFile]]:
        """The required documents that got a new, valid file in this request."""
        return [
            (r, upload)
            for r in self.requirements
            if isinstance(upload := self.cleaned_data.get(document_field_name(r)), UploadedFile)
        ]


class ApprovalForm(_DraftModelForm):
    """How the employer approves release at 0.4 FTE: a signed form, or the manager confirms by link."""

    class Meta:
        model = Application
        fields = ["approval_method", "approval_form", "manager_name", "manager_email"]
        labels = {
            "approval_method": "How will your employer give their approval?",
            "approval_form": "Upload the form signed by your manager",
            "manager_name": "Your manager's full name",
            "manager_email": "Your manager's email address",
        }
        help_texts = {
            "manager_email": "We will email them a link to confirm. Use their work email address.",
        }
        widgets = {
            "approval_method": forms.RadioSelect,
            "approval_form": forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["approval_form"] = None  # listed with a download link instead
        self.fields["approval_form"].help_text = pdf_hint() + (
            f" {REPLACE_HINT}" if self.instance.approval_form else ""
        )
        self.fields["approval_method"].choices = [
            (ApprovalMethod.UPLOAD, "Upload a form signed by my manager"),
            (ApprovalMethod.MANAGER_LINK, "Email my manager a link to confirm"),
        ]
        self.fields["manager_name"].widget.attrs["autocomplete"] = "off"
        self.fields["manager_email"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["manager_email"].error_messages["invalid"] = (
            "Enter your manager's email address in the correct format, like name@example.nhs.uk"
        )

    def clean_approval_form(self):
        return _check_pdf(self.cleaned_data.get("approval_form"))


class ManagerDecisionForm(forms.Form):
    """The manager's answer by link: approve, or decline with the reason (which the applicant sees)."""

    APPROVE, DECLINE = "approve", "decline"

    decision = forms.ChoiceField(
        label="Do you approve their release?",
        choices=[
            (APPROVE, "Yes, I approve their release in principle"),
            (DECLINE, "No, I do not approve"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you approve their release",
            "invalid_choice": "Select whether you approve their release",
        },
    )
    reason = forms.CharField(
        label="Why do you not approve?",
        help_text="We will show this to the applicant and to the programme team.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason you do not approve")
        return data


class DeclarationForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree to the declaration",
        error_messages={
            "required": "Confirm that you agree to the declaration to submit your application"
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing?",
        required=False,
        max_length=2000,
        help_text="This helps us improve the programme. You do not have to tell us.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label="I want to withdraw my application",
        help_text="You cannot undo this.",
        error_messages={"required": "Confirm that you want to withdraw your application"},
    )


def _optional_choice(
    label: str, choices, *, widget=forms.RadioSelect, help_text: str = ""
) -> forms.ChoiceField:
    if widget is forms.Select:
        choices = [("", "Select an answer"), *choices]
    return forms.ChoiceField(
        label=label, choices=choices, required=False, widget=widget, help_text=help_text
    )


class EqualityForm(forms.Form):
    """Optional equality-monitoring questions (Equality Act 2010; ONS 2021 wording and categories)."""

    age_band = _optional_choice("What is your age?", AgeBand.choices)
    disability = _optional_choice(
        "Do you consider yourself to have a disability or a long-term health condition?",
        YesNoPrefer.choices,
        help_text="A physical or mental condition that has lasted, or is likely to last, 12 months or more and that "
        "has a substantial effect on your ability to do normal daily activities.",
    )
    sex = _optional_choice("What is your sex?", Sex.choices)
    gender_same_as_birth = _optional_choice(
        "Is the gender you identify with the same as your sex registered at birth?",
        YesNoPrefer.choices,
    )
    sexual_orientation = _optional_choice(
        "Which of the following best describes your sexual orientation?", SexualOrientation.choices
    )
    ethnic_group = _optional_choice(
        "What is your ethnic group?", EthnicGroup.choices, widget=forms.Select
    )
    religion = _optional_choice("What is your religion or belief?", Religion.choices)
    marital_status = _optional_choice(
        "What is your legal marital or registered civil partnership status?", MaritalStatus.choices
    )
    pregnancy_maternity = _optional_choice(
        "Are you pregnant, or have you been pregnant or on maternity leave in the last 12 months?",
        YesNoPrefer.choices,
    )

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}
