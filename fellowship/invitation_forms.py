"""Forms of the invitation pages. Decisions live in fellowship.invitations; these only validate input."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError

from . import invitations
from .enums import INVITABLE_ROLES, InvitationState, Role
from .models import Fellow, Funder, User

ROLE_CHOICES = [(role.value, role.label) for role in INVITABLE_ROLES]


class FellowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Fellow) -> str:
        name = f" {obj.full_name}" if obj.full_name else ""
        return f"{obj.ref}{name} ({obj.cohort})"


class RolesForm(forms.Form):
    """The roles an invitation gives and, for the funder role, the funder."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every role the person needs.",
    )
    funder = forms.ModelChoiceField(
        Funder.objects.all(),
        required=False,
        empty_label="None",
        help_text="Only for the funder role: the funder this person acts for.",
    )

    def clean(self):
        data = super().clean()
        if "roles" in data:
            try:
                data["roles"] = invitations.clean_roles(
                    data["roles"], funder=data.get("funder"), fellow=data.get("fellow")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class InvitationForm(RolesForm):
    email = forms.EmailField(label="Email address", max_length=254)
    fellow = FellowChoiceField(
        Fellow.objects.none(),
        label="Fellowship record",
        required=False,
        empty_label="None",
        help_text="For a fellow or alumnus with no account yet: accepting links their account to this record.",
    )
    field_order = ["email", "roles", "funder", "fellow"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fellow"].queryset = invitations.fellows_without_account()


LINE_SPLIT = re.compile(r"\s*[,;\t]\s*|\s+")


class BulkInvitationForm(RolesForm):
    people = forms.CharField(
        label="People to invite",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        max_length=100_000,
        help_text=(
            "One person a line: their email address, or a fellow's reference, a comma and their "
            "email address (for example C4-012, name@nhs.net) to link the account to that "
            f"fellowship record. At most {invitations.MAX_BATCH} people."
        ),
    )
    description = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    field_order = ["roles", "funder", "people", "description"]

    def clean_people(self) -> list[tuple[str, Fellow | None]]:
        lines = [
            (n, line.strip()) for n, line in enumerate(self.cleaned_data["people"].splitlines(), 1)
        ]
        lines = [(n, line) for n, line in lines if line]
        if len(lines) > invitations.MAX_BATCH:
            raise ValidationError(f"Invite at most {invitations.MAX_BATCH} people at a time")
        parsed: list[tuple[int, str, str]] = []
        errors: list[str] = []
        for n, line in lines:
            parts = [p for p in LINE_SPLIT.split(line) if p]
            if len(parts) == 1:
                parsed.append((n, "", parts[0]))
            elif len(parts) == 2:
                parsed.append((n, parts[0], parts[1]))
            else:
                errors.append(
                    f"Line {n}: give an email address, or a reference and an email address"
                )
        fellows = Fellow.objects.in_bulk([ref for _, ref, _ in parsed if ref], field_name="ref")
        entries: list[tuple[str, Fellow | None]] = []
        seen: set[str] = set()
        for n, ref, email in parsed:
            try:
                email = invitations.clean_email(email)
            except ValidationError as exc:
                errors.append(f"Line {n}: {exc.messages[0]}")
                continue
            if email in seen:
                errors.append(f"Line {n}: {email} is given twice")
                continue
            seen.add(email)
            fellow = fellows.get(ref) if ref else None
            if ref and fellow is None:
                errors.append(f"Line {n}: there is no fellow with the reference {ref}")
                continue
            entries.append((email, fellow))
        if errors:
            raise ValidationError(
                errors[:20] + ([f"and {len(errors) - 20} more"] if len(errors) > 20 else [])
            )
        if not entries:
            raise ValidationError("Enter at least one email address")
        return entries

    def clean(self):
        data = super().clean()
        fellows = [f for _, f in data.get("people") or () if f is not None]
        if fellows and data.get("roles") and not set(data["roles"]) & {Role.FELLOW, Role.ALUMNUS}:
            self.add_error("people", "Fellowship references need the fellow or alumnus role")
        return data


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="Show invitations",
        required=False,
        choices=[*InvitationState.choices, ("all", "All")],
    )


class AccountForm(forms.Form):
    """The account made by accepting an invitation: the address is the invitation's."""

    full_name = forms.CharField(label="Full name", max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError("Enter your full name")
        return name

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                validate_password(
                    first, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
