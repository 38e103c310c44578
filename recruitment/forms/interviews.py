"""Forms of the interview pages: panels, slots, allocation, scores and consensus. They only check input."""

from __future__ import annotations

from django import forms

from fellowship.forms import BoundedModelMultipleChoiceField

from ..enums import SCORE_MAX, SCORE_MIN
from ..interviews import possible_members
from ..models import InterviewPanel

SCORE_CHOICES = [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class PanelForm(forms.ModelForm):
    members = BoundedModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People with the panellist or faculty role.",
    )
    video_link = forms.URLField(
        label="Video link",
        required=False,
        assume_scheme="https",
        help_text="For example, a Microsoft Teams link.",
    )

    class Meta:
        model = InterviewPanel
        fields = ["name", "date", "location", "video_link", "members"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"location": "Place"}
        help_texts = {
            "location": "Where the panel meets in person. Leave blank for video interviews."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = possible_members()
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.get_full_name()}{f' ({u.organisation})' if u.organisation else ''}"
        )

    def clean(self):
        data = super().clean()
        if not data.get("location") and not data.get("video_link"):
            raise forms.ValidationError("Enter where the panel meets, or a video link")
        return data


class SlotsForm(forms.Form):
    start = forms.TimeField(
        label="First slot starts at",
        help_text="UK time, for example 09:30.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    count = forms.IntegerField(label="Number of slots", min_value=1, max_value=40, initial=6)
    minutes = forms.IntegerField(
        label="Minutes per interview", min_value=5, max_value=240, initial=30
    )
    gap = forms.IntegerField(
        label="Minutes between interviews", min_value=0, max_value=120, initial=10
    )


class AllocateForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=None, required=False, label="Candidate", empty_label="Nobody (free the slot)"
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = candidates
        self.fields["application"].label_from_instance = lambda a: (
            f"{a.ref} – {a.applicant.get_full_name() if a.applicant else 'no account'}"
        )


class ChooseSlotForm(forms.Form):
    slot = forms.ModelChoiceField(
        queryset=None, widget=forms.RadioSelect, empty_label=None, label="Choose a time"
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots


class CriterionScoresForm(forms.Form):
    """One score (0–4) and a comment per criterion; `required` for the consensus."""

    def __init__(self, *args, criteria, required: bool, comment_label: str = "Comment", **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=f"Score for {c.title}",
                choices=SCORE_CHOICES if required else [("", "Not scored yet"), *SCORE_CHOICES],
                coerce=int,
                empty_value=None,
                required=required,
                # Rendered radio by radio in the consensus template, so the NHS class goes on the input.
                widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"})
                if required
                else forms.Select,
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"{comment_label} on {c.title}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def scores(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(f"score_{c.pk}"), data.get(f"comment_{c.pk}", "").strip())
            for c in self.criteria
        }

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]
