"""The fellow's form for their public profile: what the fellows and alumni page shows of them,
and their answers on the website consents."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from fellowship.uploads import check_upload

from . import consent as consent_text
from .enums import WebsitePurpose
from .links import LinkError, normalise_link
from .models import BIO_MAX_LENGTH, MAX_PUBLIC_LINKS, PublicProfile

PHOTO_KINDS = ("png", "jpeg")
PHOTO_MAX_BYTES = 2 * 1024 * 1024
MAX_LINK_LENGTH = 500


class PublicProfileForm(forms.ModelForm):
    """The profile and two yes/no answers: whether the profile may be shown, and whether the
    graduation poster may be published. The view gives or withdraws the consents from them."""

    show_profile = forms.BooleanField(
        label="Show my profile on the fellows and alumni page",
        required=False,
        help_text=consent_text.website_wording(WebsitePurpose.PUBLIC_PROFILE),
    )
    publish_poster = forms.BooleanField(
        label="Publish my graduation poster on the projects page",
        required=False,
        help_text=consent_text.website_wording(WebsitePurpose.POSTER),
    )
    remove_photo = forms.BooleanField(
        label="Remove my photo",
        required=False,
        help_text="It is deleted from our storage, not only hidden.",
    )
    links_text = forms.CharField(
        label="Links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {MAX_PUBLIC_LINKS} web addresses starting with https://, one on each "
        "line: a professional profile, a publication or a DOI.",
    )

    class Meta:
        model = PublicProfile
        fields = [
            "show_name", "show_profession", "show_region", "show_project",
            "show_bio", "bio", "show_links", "show_photo", "photo",
        ]  # fmt: skip
        labels = {"photo": "Photo", "bio": "Short biography"}
        help_texts = {
            "bio": f"Plain text, at most {BIO_MAX_LENGTH} characters. Do not include your e-mail "
            "address or phone number.",
            "photo": "A PNG or JPEG of you, smaller than 2 MB.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4}), "photo": forms.FileInput}

    def __init__(self, *args, consents: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        consents = consents or {}
        self.photo_kind: str | None = None
        self.fields["bio"].max_length = BIO_MAX_LENGTH
        self.fields["bio"].widget.attrs["maxlength"] = BIO_MAX_LENGTH
        if not self.is_bound:
            self.initial["show_profile"] = WebsitePurpose.PUBLIC_PROFILE in consents
            self.initial["publish_poster"] = WebsitePurpose.POSTER in consents
            self.initial["links_text"] = "\n".join(self.instance.links or [])

    def clean_bio(self) -> str:
        bio = self.cleaned_data.get("bio", "").strip()
        if len(bio) > BIO_MAX_LENGTH:
            raise ValidationError(f"Your biography must be {BIO_MAX_LENGTH} characters or fewer")
        return bio

    def clean_links_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("links_text", "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_PUBLIC_LINKS:
            raise ValidationError(f"Enter at most {MAX_PUBLIC_LINKS} links")
        if any(len(line) > MAX_LINK_LENGTH for line in lines):
            raise ValidationError(f"Each link must be {MAX_LINK_LENGTH} characters or fewer")
        try:
            return [normalise_link(line) for line in lines]
        except LinkError as exc:
            raise ValidationError(str(exc)) from None

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            self.photo_kind = check_upload(photo, kinds=PHOTO_KINDS, max_bytes=PHOTO_MAX_BYTES)
        return photo

    def clean(self):
        data = super().clean()
        new_photo = data.get("photo") is not None and hasattr(data.get("photo"), "content_type")
        if data.get("remove_photo"):
            if new_photo:
                self.add_error(
                    "remove_photo", "Either upload a new photo or remove your photo, not both"
                )
            else:
                # False tells the model form to clear the file; the service deletes it once saved.
                data["photo"] = False
                self.photo_kind = None
                if data.get("show_photo"):
                    self.add_error("show_photo", "You cannot show a photo you are removing")
                return data
        if data.get("show_photo") and not (data.get("photo") or self.instance.photo):
            self.add_error("photo", "Select a photo of you, or do not choose to show one")
        return data

    def save(self, commit: bool = True) -> PublicProfile:
        profile = super().save(commit=False)
        profile.links = self.cleaned_data.get("links_text", [])
        if commit:
            profile.save()
        return profile
