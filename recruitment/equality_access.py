"""Who may see equality monitoring: giving and taking away the permission, person by person.

The permission to see the figures (`recruitment.view_equality_monitoring`) and the permission to
give it (`recruitment.manage_equality_access`) are separate, both defined once in
`recruitment.rules`: holding the first never lets anyone give it, and nobody changes their own
access. Every change is in the audit log and e-mailed to everyone else who holds either
permission, so that no one can quietly let themselves or a friend in.

The people page shows this through a hook (`fellowship.hooks.person_access`), because the core
app does not import recruitment.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.hooks import person_access
from fellowship.models import User
from fellowship.notifications import notify

from .rules import EQUALITY_PERMISSION, MANAGE_EQUALITY_ACCESS


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def holds_equality_access(person: User) -> bool:
    """Whether the person was given the permission to see equality monitoring (not as superuser)."""
    app_label, codename = EQUALITY_PERMISSION.split(".")
    return person.user_permissions.filter(
        content_type__app_label=app_label, codename=codename
    ).exists()


def holders(*names: str) -> QuerySet[User]:
    """Active people holding any of these permissions themselves or through a group."""
    permissions = [_permission(name) for name in names]
    return User.objects.filter(
        Q(user_permissions__in=permissions) | Q(groups__permissions__in=permissions),
        is_active=True,
    ).distinct()


def set_equality_access(person: User, *, allowed: bool, by: User) -> bool:
    """Give (`allowed`) or take away the person's permission to see equality monitoring.

    Returns whether anything changed. Raises PermissionDenied unless `by` may give access
    (`recruitment.change_equality_access_of`: a faculty member holding manage_equality_access,
    or a superuser, and never for themselves); ValidationError when giving it to someone who is
    not faculty (the figures are only for faculty). Side effects when something changes: adds or
    removes the permission, records it in the audit log, and e-mails `equality_access_changed` to
    the person and to everyone else who holds either permission (not to `by`).
    """
    # Checked first: Django lets a superuser pass every has_perm, this rule included.
    if by.pk == person.pk:
        raise PermissionDenied("Nobody can change their own access to equality monitoring")
    if not by.has_perm("recruitment.change_equality_access_of", person):
        raise PermissionDenied("Only people who manage access to equality monitoring can change it")
    if allowed and not person.has_role(Role.FACULTY):
        raise ValidationError(
            "Only faculty can see equality monitoring. Give this person the faculty role first"
        )
    if holds_equality_access(person) == allowed:
        return False
    permission = _permission(EQUALITY_PERMISSION)
    with transaction.atomic():
        if allowed:
            person.user_permissions.add(permission)
        else:
            person.user_permissions.remove(permission)
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.EQUALITY,
            by=by,
            reference=f"person {person.pk}",
            summary=(
                f"{'Gave' if allowed else 'Took away'} access to equality monitoring "
                f"{'to' if allowed else 'from'} {person.get_full_name()} ({person.email})"
            ),
        )
        told = holders(EQUALITY_PERMISSION, MANAGE_EQUALITY_ACCESS).exclude(pk=by.pk)
        recipients = sorted(({u.email for u in told} | {person.email}) - {by.email})
        notify(
            "equality_access_changed",
            to=recipients,
            context={"person": person, "by": by, "allowed": allowed, "at": timezone.localtime()},
        )
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        person.__dict__.pop(cache, None)
    return True


class EqualityAccessForm(forms.Form):
    may_see_equality = forms.BooleanField(
        label="Can see equality monitoring",
        required=False,
        help_text=(
            "Counts of applicants by group at each stage of selection, never one person's "
            "answers. Only for faculty. Everyone who can see or give this access is told."
        ),
    )


@person_access
class EqualityMonitoringAccess:
    """The people page's section for equality monitoring access."""

    key = "equality"

    def section(self, viewer: User, person: User) -> dict | None:
        """Shown to those who may give access, for faculty and anyone who still holds it."""
        if not viewer.has_perm("recruitment.give_equality_access"):
            return None
        held = holds_equality_access(person)
        if not held and not person.has_role(Role.FACULTY):
            return None
        return {
            "key": self.key,
            "template": "recruitment/faculty/equality_access.html",
            "held": held,
            "yourself": viewer.pk == person.pk,
            "form": EqualityAccessForm(initial={"may_see_equality": held}),
        }

    def save(self, viewer: User, person: User, data) -> str:
        """Change the access as the form asks; the message to show (raises as set_equality_access)."""
        form = EqualityAccessForm(data)
        allowed = form.is_valid() and form.cleaned_data["may_see_equality"]
        changed = set_equality_access(person, allowed=allowed, by=viewer)
        name = person.get_full_name()
        if not changed:
            return f"No change: {name} {'can already' if allowed else 'already cannot'} see equality monitoring"
        return f"{name} {'can now' if allowed else 'can no longer'} see equality monitoring"
