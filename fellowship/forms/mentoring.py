"""Forms for mentoring: alumni's offers, fellows' requests, and the programme team's pairs."""

from __future__ import annotations

from django import forms

from ..enums import Importance
from ..models import MentorOffer, MentorRequest, Region


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
