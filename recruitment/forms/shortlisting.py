"""Forms of shortlisting: choosing reviewers, a reviewer's scores, moderation, declaring a conflict
and choosing the shortlist. They only check input; recruitment.shortlisting decides."""

from __future__ import annotations

from django import forms

from fellowship.forms import BoundedModelMultipleChoiceField

from ..enums import SCORE_MAX, SCORE_MIN

SCORE_CHOICES = [(n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class ReviewerChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, user):
        where = f" ({user.organisation})" if user.organisation else ""
        return f"{user.get_full_name()}{where}"


class AssignReviewersForm(forms.Form):
    reviewers = ReviewerChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers",
        help_text="People with the panellist or faculty role. Each application gets reviewers with no conflict of interest.",
        error_messages={"required": "Choose at least one reviewer"},
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers


class ScoreForm(forms.Form):
    """A score (0 to 4) and a comment for each criterion; a criterion left without a score is saved later."""

    def __init__(self, *args, criteria, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            existing = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"Score for {criterion.title}",
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=existing.score if existing else None,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.title}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=existing.comment if existing else "",
            )

    def scores(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data[f"score_{c.pk}"], data[f"comment_{c.pk}"].strip()) for c in self.criteria
        }

    def rows(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]


class ModerationForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Moderated score", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose the moderated score"},
    )  # fmt: skip
    reason = forms.CharField(
        label="Why this score",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is kept with the score, with your name and the time.",
        error_messages={"required": "Give the reason for the moderated score"},
    )


class DeclareConflictForm(forms.Form):
    note = forms.CharField(
        label="Why do you have a conflict of interest?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, you know the applicant, work with them, or supervised or trained them.",
        error_messages={"required": "Tell us why you have a conflict of interest"},
    )


class ShortlistForm(forms.Form):
    applications = BoundedModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one application to shortlist"},
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
