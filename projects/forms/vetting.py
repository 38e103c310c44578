"""Forms of the faculty's side of projects: vetting a proposal against the checklist, editing the
checklist, filtering the catalogue and reporting progress on a milestone."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet

from fellowship.models import Region

from ..enums import Answer, ChecklistGroup, Decision, MilestoneStatus
from ..models import ChecklistItem, ClinicalDomain, Project

UNANSWERED = "Select met, not met or not applicable"
NOT_MET_BLOCKS_APPROVAL = "This item is not met, so the proposal cannot be approved"


@dataclass
class ItemRow:
    """One checklist item of the review form: its radios and its comment box."""

    item: ChecklistItem
    answer: forms.BoundField
    comment: forms.BoundField


@dataclass
class ItemGroup:
    label: str
    rows: list[ItemRow]


def answer_name(item_pk: int) -> str:
    return f"item-{item_pk}-answer"


def comment_name(item_pk: int) -> str:
    return f"item-{item_pk}-comment"


class ReviewForm(forms.Form):
    """A reviewer's answer and comment for each active checklist item, and a decision.

    Answers are optional here: the checklist rules (every item answered, no approval while any
    item is not met, a comment when asking for changes) belong to services.review_problems, and
    `show_problems` points the reviewer at the items those rules complain about.
    """

    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    comments = forms.CharField(
        label="Overall comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The supervisor reads these with your decision and your comments on each item.",
    )

    def __init__(self, *args, items, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[answer_name(item.pk)] = forms.ChoiceField(
                label=item.text,
                choices=Answer.choices,
                required=False,
                widget=forms.RadioSelect,
                help_text=item.guidance,
            )
            self.fields[comment_name(item.pk)] = forms.CharField(
                label=f"Comment on: {item.text}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_from(review) -> dict:
        """Prefill from the reviewer's earlier review of the same version (answers prefetched)."""
        if review is None:
            return {}
        initial = {"decision": review.decision, "comments": review.comments}
        for answer in review.answers.all():
            initial[answer_name(answer.item_id)] = answer.answer
            initial[comment_name(answer.item_id)] = answer.comment
        return initial

    def groups(self) -> list[ItemGroup]:
        """The items under their checklist groups, in the order the paper gives the groups."""
        groups = []
        for group in ChecklistGroup:
            rows = [
                ItemRow(item, self[answer_name(item.pk)], self[comment_name(item.pk)])
                for item in self.items
                if item.group == group
            ]
            if rows:
                groups.append(ItemGroup(group.label, rows))
        return groups

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data  # on an invalid form, only the fields that were valid
        return {
            item.pk: (
                data.get(answer_name(item.pk), ""),
                data.get(comment_name(item.pk), "").strip(),
            )
            for item in self.items
        }

    def show_problems(self, error) -> None:
        """Record the service's reasons, and mark the items that caused them."""
        self.add_error(None, error)
        answers = self.answers()
        approving = self.cleaned_data.get("decision") == Decision.APPROVED
        for item in self.items:
            answer = answers[item.pk][0]
            if not answer:
                self.add_error(answer_name(item.pk), UNANSWERED)
            elif approving and answer == Answer.NOT_MET:
                self.add_error(answer_name(item.pk), NOT_MET_BLOCKS_APPROVAL)


class ChecklistItemForm(forms.ModelForm):
    """Add or change a checklist item. Once reviews have answered it, its meaning stays fixed."""

    class Meta:
        model = ChecklistItem
        fields = ["group", "text", "guidance", "position"]
        labels = {"text": "What the reviewer checks", "position": "Position in its group"}
        help_texts = {
            "guidance": "Shown to reviewers under the item.",
            "position": "Lower numbers come first.",
        }
        widgets = {
            "group": forms.RadioSelect,
            "text": forms.TextInput,
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = ChecklistGroup.choices
        self.fields["group"].error_messages["required"] = "Select a group"
        self.fields["text"].error_messages["required"] = "Enter what the reviewer checks"
        if self.instance.pk and self.instance.answers.exists():
            for name in ("group", "text"):
                self.fields[name].disabled = True
            self.fields["text"].help_text = (
                "Reviews have already answered this item, so its wording cannot change. "
                "To check something different, retire this item and add a new one."
            )


class CatalogueFilterForm(forms.Form):
    """Narrow the catalogue by region, clinical domain and funder theme."""

    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), required=False, empty_label="All regions"
    )
    clinical_domain = forms.ModelChoiceField(
        queryset=ClinicalDomain.objects.none(), required=False, empty_label="All domains"
    )
    theme = forms.ChoiceField(label="Funder theme", required=False)

    def __init__(self, *args, projects: QuerySet[Project], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offer only what the listed projects have, so no filter leads to an empty page.
        self.fields["region"].queryset = (
            Region.objects.filter(projects__in=projects).distinct().order_by("name")
        )
        self.fields["clinical_domain"].queryset = (
            ClinicalDomain.objects.filter(projects__in=projects).distinct().order_by("name")
        )
        self.fields["theme"].choices = [("", "All themes")] + [
            (theme, theme)
            for theme in projects.exclude(funder_theme="")
            .order_by("funder_theme")
            .values_list("funder_theme", flat=True)
            .distinct()
        ]

    def filter(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data["region"]:
            projects = projects.filter(region=data["region"])
        if data["clinical_domain"]:
            projects = projects.filter(clinical_domain=data["clinical_domain"])
        if data["theme"]:
            projects = projects.filter(funder_theme=data["theme"])
        return projects

    def description(self) -> str:
        """The filters in use, in words, for the printed catalogue."""
        if not self.is_valid():
            return ""
        data = self.cleaned_data
        parts = [str(data[name]) for name in ("region", "clinical_domain", "theme") if data[name]]
        return ", ".join(parts)


class MilestoneForm(forms.Form):
    """Progress on one milestone: its status and a note for the team and faculty."""

    status = forms.ChoiceField(
        choices=MilestoneStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the milestone's status"},
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has happened, and what help you need if it is at risk or late.",
    )
