"""Forms of matching: ranking with number selects (no drag and drop needed), the faculty's setup,
supervisors' capacities and an override of one fellow's line.

A ranking is a select per item ("Not ranked", 1, 2 ...). The form turns the selects into an order
with projects.matching.ranking_order, which refuses repeats and gaps; the services check the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms
from django.core.exceptions import ValidationError

from fellowship.forms import DateTimeLocalInput

from ..matching import CAPACITY_MAX, ranking_order
from ..models import Project

NOT_RANKED = "Not ranked"


def rank_name(pk: int) -> str:
    return f"rank-{pk}"


class RankForm(forms.Form):
    """A rank select for each item; `order` (ids, best first) once valid.

    `items` are (id, label) pairs; `noun` names them in messages ("project", "fellow").
    """

    nhsuk_show_optional = False

    def __init__(
        self,
        *args,
        items: Sequence[tuple[int, str]],
        ranks: Mapping[int, int] | None = None,
        noun: str = "project",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.noun = noun
        self.order: list[int] = []
        choices = [("", NOT_RANKED)] + [(str(n), str(n)) for n in range(1, len(self.items) + 1)]
        ranks = ranks or {}
        for pk, label in self.items:
            self.fields[rank_name(pk)] = forms.TypedChoiceField(
                label=f"Rank for {label}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(ranks[pk]) if pk in ranks else "",
                error_messages={"invalid_choice": f"Choose a rank from the list, or {NOT_RANKED}"},
            )

    def rows(self) -> list[tuple[int, forms.BoundField]]:
        return [(pk, self[rank_name(pk)]) for pk, _ in self.items]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        ranks = {pk: data.get(rank_name(pk)) for pk, _ in self.items}
        by_rank: dict[int, list[int]] = {}
        for pk, rank in ranks.items():
            if rank is not None:
                by_rank.setdefault(rank, []).append(pk)
        repeated = False
        for rank, pks in sorted(by_rank.items()):
            if len(pks) > 1:
                repeated = True
                for pk in pks:
                    self.add_error(
                        rank_name(pk),
                        f"Rank {rank} is given to more than one {self.noun}. Give each {self.noun} a different rank",
                    )
        if repeated:
            return data
        try:
            self.order = ranking_order(ranks, noun=self.noun)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return data


class MatchingSettingsForm(forms.Form):
    ranking_closes_at = forms.DateTimeField(
        label="Fellows rank projects until (optional)",
        required=False,
        widget=DateTimeLocalInput,
        help_text="UK time. Leave blank to keep ranking open until you run the matching.",
        error_messages={"invalid": "Enter a real date and time, like 31/01/2027 23:59"},
    )
    themed_posts_any_project = forms.BooleanField(
        label="Let fellows in themed posts rank any project in their region",
        required=False,
        help_text="Otherwise a fellow in a themed post, such as Haematology, ranks only projects of that theme.",
    )


class CapacityForm(forms.Form):
    """The total number of fellows each supervisor can take, across all their projects."""

    def __init__(self, *args, rows, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows_ = list(rows)
        for row in self.rows_:
            name = row.supervisor.get_full_name()
            self.fields[f"capacity-{row.supervisor.pk}"] = forms.IntegerField(
                label=f"Fellows {name} can take",
                min_value=1,
                max_value=CAPACITY_MAX,
                initial=row.capacity,
                error_messages={
                    "required": f"Enter how many fellows {name} can take",
                    "invalid": f"Enter a whole number of fellows for {name}",
                    "min_value": f"{name} must be able to take at least 1 fellow",
                    "max_value": f"{name} can take at most {CAPACITY_MAX} fellows",
                },
            )

    def rows(self):
        return [(row, self[f"capacity-{row.supervisor.pk}"]) for row in self.rows_]

    def capacities(self) -> dict[int, int]:
        return {
            row.supervisor.pk: self.cleaned_data[f"capacity-{row.supervisor.pk}"]
            for row in self.rows_
        }


class OverrideForm(forms.Form):
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        required=False,
        empty_label="No project: leave the fellow unmatched",
        error_messages={"invalid_choice": "Choose an approved project of this cohort"},
    )
    reason = forms.CharField(
        label="Why are you changing the allocation?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the allocation's history, with your name and the time.",
        error_messages={"required": "Give a reason for changing the allocation"},
    )

    def __init__(self, *args, projects, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: (
            f"{p.title} ({p.region or 'no region'})"
        )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give a reason for changing the allocation")
        return reason
