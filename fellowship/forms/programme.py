"""Forms for the programme's set-up: its details and logo, cohorts, regions, organisations, funders."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from ..models import Cohort, FundedPost, Funder, Organisation, Region
from ..uploads import check_upload
from .fields import DATETIME_HINT, DateInput, UKDateTimeField


class CohortForm(forms.ModelForm):
    proposals_close_at = UKDateTimeField(
        label="Project proposals close",
        required=False,
        help_text="Supervisors can submit new proposals for this cohort until this moment; a "
        "proposal you send back for revision can still be resubmitted after it. Leave blank for "
        "no deadline. " + DATETIME_HINT,
    )

    class Meta:
        model = Cohort
        fields = ["number", "start_date", "end_date", "proposals_close_at"]
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
    description = forms.CharField(
        label="Description for the public website",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Shown on the public home page. You can use Markdown: **bold**, *italic*, "
        "[links](https://example.nhs.uk), lists and headings starting ##.",
    )
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
        from ..models import Programme

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
