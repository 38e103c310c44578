"""Forms of the programme core. Decisions live in services; these only validate input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from . import emails
from .enums import AuditAction, AuditSubject, Importance, Role
from .models import (
    Cohort,
    CurriculumTheme,
    Fellow,
    FundedPost,
    Funder,
    MentorOffer,
    MentorRequest,
    Organisation,
    Region,
    Speaker,
    User,
    Workshop,
)
from .uploads import check_upload


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


class SignupDetailsForm(forms.Form):
    """The extra field allauth's sign-up form asks for (allauth calls `signup`)."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        help_text="As you would like it to appear on your application.",
    )

    def signup(self, request, user) -> None:  # the adapter saves full_name with the user
        pass


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["number", "start_date", "end_date"]
        widgets = {"start_date": DateInput, "end_date": DateInput}
        help_texts = {"number": "Cohorts are numbered from 1 in the order they start."}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date")
        return data


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name"]


class ProgrammeForm(forms.Form):
    """The programme's details and its logo (shown on the benefits report's cover)."""

    name = forms.CharField(
        label="Programme name",
        max_length=50,
        help_text="Shown on every page, e-mail and report. At most 50 characters.",
    )
    short_name = forms.CharField(label="Short name", max_length=40, required=False)
    organisation = forms.CharField(
        label="Organisation that runs the programme", max_length=200, required=False
    )
    website = forms.URLField(label="Website", max_length=200, required=False, assume_scheme="https")
    logo = forms.FileField(
        label="Logo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text="Optional. A PNG or JPEG image, smaller than 1 MB. It appears on the cover of the "
        "benefits report. Upload a new file to replace the current one.",
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)

    # Big enough for any logo, small enough that a crafted image cannot exhaust memory when drawn.
    MAX_PIXELS = 4000 * 4000

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter the programme's name")
        return name

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        from .models import Programme

        check_upload(logo, kinds=Programme.LOGO_KINDS, max_bytes=Programme.LOGO_MAX_BYTES)
        # The leading bytes say PNG or JPEG; the image itself must also decode, at a sane size.
        from PIL import Image

        too_big = ValidationError(
            "The logo must be at most 4000 by 4000 pixels", code="too_many_pixels"
        )
        try:
            with Image.open(logo) as image:
                width, height = image.size
                if width * height > self.MAX_PIXELS:
                    raise too_big
                image.verify()
        except ValidationError:
            raise
        except Image.DecompressionBombError:
            raise too_big from None
        except Exception:  # Pillow raises many kinds of error for a damaged image
            raise ValidationError(
                "The selected logo is damaged or incomplete. Save it again as a PNG or JPEG and upload it",
                code="corrupt",
            ) from None
        finally:
            logo.seek(0)
        return logo

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error(
                "remove_logo", "Either upload a new logo or remove the current one, not both"
            )
        return cleaned


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "region"]


class FunderForm(forms.ModelForm):
    class Meta:
        model = Funder
        fields = ["name", "kind", "mou", "mou_signed_on"]
        widgets = {"mou_signed_on": DateInput, "mou": forms.FileInput}
        help_texts = {
            "mou": "A PDF, smaller than 5 MB. Upload a new file to replace the current one."
        }

    def clean_mou(self):
        mou = self.cleaned_data.get("mou")
        if mou and hasattr(mou, "content_type"):  # a new upload, not the stored file
            check_upload(mou, kinds=("pdf",))
        return mou


FundedPostFormSet = inlineformset_factory(
    Funder,
    FundedPost,
    fields=["cohort", "region", "specialty_theme", "places"],
    extra=1,
    can_delete=True,
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} <{obj.email}>"


class FellowForm(forms.ModelForm):
    class Meta:
        model = Fellow
        fields = [
            "ref",
            "full_name",
            "user",
            "cohort",
            "region",
            "profession",
            "specialty",
            "funder",
            "post_theme",
            "status",
            "project_ref",
        ]
        field_classes = {"user": UserChoiceField}
        help_texts = {
            "ref": "A unique reference, such as F-0412. It keys re-imports of the history.",
            "user": "The person's account, if they have one, so they can sign in as a fellow.",
            "post_theme": "For a post funded for one specialty, such as Haematology: the fellow ranks only projects of that theme.",
        }


class FellowFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or reference", required=False)
    cohort = forms.ModelChoiceField(Cohort.objects.all(), required=False, empty_label="All cohorts")
    region = forms.ModelChoiceField(Region.objects.all(), required=False, empty_label="All regions")
    profession = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    account = forms.ChoiceField(
        label="Account",
        required=False,
        choices=[
            ("", "With or without an account"),
            ("yes", "Has an account"),
            ("no", "No account yet"),
        ],
    )
    project = forms.ChoiceField(
        label="AI project",
        required=False,
        choices=[
            ("", "With or without a project"),
            ("yes", "Matched to a project"),
            ("no", "No project yet"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [
            ("", "All professions"),
            *Fellow._meta.get_field("profession").choices,
        ]
        self.fields["status"].choices = [
            ("", "All statuses"),
            *Fellow._meta.get_field("status").choices,
        ]


class WorkshopForm(forms.ModelForm):
    themes = BoundedModelMultipleChoiceField(
        CurriculumTheme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Curriculum themes",
    )

    attendees = BoundedModelMultipleChoiceField(
        Fellow.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who attended",
        help_text="Workshop feedback surveys can be sent to the fellows who attended.",
    )

    class Meta:
        model = Workshop
        fields = [
            "cohort",
            "date",
            "title",
            "duration_minutes",
            "host_organisation",
            "regional_showcase",
            "themes",
            "attendees",
        ]
        widgets = {"date": DateInput}
        labels = {"regional_showcase": "This is a regional showcase"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Attendance is recorded once the workshop exists, from the fellows of its cohort.
        if self.instance.pk:
            self.fields["attendees"].queryset = (
                Fellow.objects.filter(cohort_id=self.instance.cohort_id)
                .select_related("user")
                .order_by("full_name", "ref")
            )
        else:
            del self.fields["attendees"]

    def clean(self):
        cleaned = super().clean()
        cohort = cleaned.get("cohort")
        attendees = cleaned.get("attendees")
        if cohort and attendees and any(f.cohort_id != cohort.pk for f in attendees):
            self.add_error(
                "attendees",
                "Attendees must be fellows of the workshop's cohort. Save the new cohort first.",
            )
        return cleaned


class SpeakerForm(forms.ModelForm):
    """A speaker; with the e-mail address of their account they can read the feedback on their session."""

    account_email = forms.EmailField(
        label="E-mail address of their account",
        required=False,
        help_text="Optional. Lets the speaker sign in and read the feedback on this session.",
    )

    class Meta:
        model = Speaker
        fields = ["name", "role_title", "affiliation", "sector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["account_email"].initial = self.instance.user.email

    def clean_account_email(self) -> str:
        email = self.cleaned_data["account_email"].strip()
        self.account = None
        if email:
            self.account = User.objects.filter(email__iexact=email, is_active=True).first()
            if self.account is None:
                raise ValidationError(
                    "No account uses this e-mail address. Ask the speaker to create one first."
                )
        return email

    def save(self, commit: bool = True):
        self.instance.user = getattr(self, "account", None)
        return super().save(commit=commit)


SpeakerFormSet = inlineformset_factory(
    Workshop,
    Speaker,
    form=SpeakerForm,
    extra=1,
    can_delete=True,
)


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or e-mail address", required=False)
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Role.choices])


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    funder = forms.ModelChoiceField(
        Funder.objects.all(),
        required=False,
        help_text="Only for the funder role: the funder this person acts for.",
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.FUNDER and not data.get("funder"):
            self.add_error("funder", "Select the funder this person acts for")
        if data.get("role") and data.get("role") != Role.FUNDER and data.get("funder"):
            self.add_error("funder", "Only the funder role names a funder. Leave this blank")
        return data


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


# Mentoring -------------------------------------------------------------------------------------


def _split_domains(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class MentorOfferForm(forms.Form):
    """An alumnus's offer to mentor. Project domains are checkboxes when the projects app has
    registered domain names (fellowship.hooks.clinical_domain_names), plus free text for others."""

    capacity = forms.TypedChoiceField(
        label="How many fellows can you mentor?",
        choices=[(1, "1 fellow"), (2, "2 fellows"), (3, "3 fellows")],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Mentors usually meet each fellow for an hour every month or two.",
    )
    region = forms.ModelChoiceField(
        Region.objects.all(),
        required=False,
        label="Your region",
        help_text="Fellows in the same region can meet you in person.",
    )
    specialty = forms.CharField(label="Your clinical specialty", max_length=100, required=False)
    domains = forms.MultipleChoiceField(
        label="AI project domains you can talk about",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_domains = forms.CharField(
        label="Other AI project domains",
        required=False,
        max_length=500,
        help_text="Separate them with commas, for example: Radiology, Oncology.",
    )

    def __init__(self, *args, domain_names: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(domain_names or [])
        if names:
            self.fields["domains"].choices = [(n, n) for n in names]
        else:
            del self.fields["domains"]
            self.fields["other_domains"].label = "AI project domains you can talk about"
        self.known = {n.casefold(): n for n in names}

    @classmethod
    def initial_for(cls, *, offer, fellow, domain_names: list[str], own_domain: str) -> dict:
        """Initial values: the saved offer, or the alumnus's own region, specialty and project domain."""
        if offer is not None:
            domains, region, specialty, capacity = (
                offer.domains,
                offer.region_id,
                offer.specialty,
                offer.capacity,
            )
        else:
            domains = [own_domain] if own_domain else []
            region, specialty, capacity = fellow.region_id, fellow.specialty, 1
        known = {n.casefold() for n in domain_names}
        return {
            "capacity": capacity,
            "region": region,
            "specialty": specialty,
            "domains": [d for d in domains if d.casefold() in known],
            "other_domains": ", ".join(d for d in domains if d.casefold() not in known),
        }

    def clean(self):
        data = super().clean()
        picked = list(data.get("domains") or [])
        typed = [
            self.known.get(d.casefold(), d) for d in _split_domains(data.get("other_domains", ""))
        ]
        if any(len(d) > 100 for d in typed):
            self.add_error("other_domains", "Each domain must be 100 characters or fewer")
        data["all_domains"] = picked + typed
        if len(set(d.casefold() for d in data["all_domains"])) > 10:
            self.add_error("other_domains", "Name at most 10 project domains")
        return data


class MentorRequestForm(forms.Form):
    """A fellow asking for a mentor: what matters most to them, and their AI project domain."""

    region_importance = forms.TypedChoiceField(
        label="How much does it matter that your mentor works in your region?",
        choices=Importance.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    specialty_importance = forms.TypedChoiceField(
        label="How much does it matter that your mentor shares your clinical specialty?",
        choices=Importance.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    domain_importance = forms.TypedChoiceField(
        label="How much does it matter that your mentor knows your AI project domain?",
        choices=Importance.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    domain = forms.CharField(
        label="Your AI project domain",
        max_length=100,
        required=False,
        help_text="For example Radiology or Haematology. We have filled in your project's domain if you have one.",
    )
    note = forms.CharField(
        label="Anything else the programme team should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        details = ", ".join(
            filter(
                None,
                [
                    str(obj.region) if obj.region_id else "",
                    obj.specialty,
                    "; ".join(obj.domains or []),
                ],
            )
        )
        used = getattr(obj, "used", None)
        places = (
            f"{used} of {obj.capacity} places used"
            if used is not None
            else f"{obj.capacity} places"
        )
        return f"{obj.mentor.display_name} ({details or 'no details'}): {places}"


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        fellow = obj.fellow
        details = ", ".join(filter(None, [str(fellow.region), fellow.specialty, obj.domain]))
        return f"{fellow.display_name} ({details})"


class MentorPairAddForm(forms.Form):
    offer = OfferChoiceField(
        MentorOffer.objects.none(), label="Mentor", empty_label="Choose a mentor"
    )
    request = RequestChoiceField(
        MentorRequest.objects.none(), label="Fellow", empty_label="Choose a fellow"
    )
    note = forms.CharField(
        label="Why this pair",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offers, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["request"].queryset = requests


class MentorPairForm(forms.Form):
    offer = OfferChoiceField(
        MentorOffer.objects.none(),
        label="Mentor",
        required=False,
        help_text="Choosing another mentor pins the pair.",
    )
    pinned = forms.BooleanField(
        label="Pin this pair",
        required=False,
        help_text="Pinned pairs are kept when you run the assignment again.",
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, offers, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["offer"].empty_label = f"Keep {current}"


class AuditFilterForm(forms.Form):
    """Filters of the audit log page; every field optional."""

    q = forms.CharField(
        label="Person or reference",
        required=False,
        max_length=254,
        help_text="An e-mail address (or part of one), or a reference such as A-4010",
    )
    subject = forms.ChoiceField(
        label="Record", required=False, choices=[("", "Any record"), *AuditSubject.choices]
    )
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    since = forms.DateField(label="From", required=False, widget=DateInput)
    until = forms.DateField(label="To", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


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
