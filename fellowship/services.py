"""Domain operations of the programme core. Views and commands call these; nothing else writes roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .enums import FellowStatus, Role
from .importer import ImportResult, import_tables, read_sources
from .models import Cohort, Fellow, Funder, HistoryImport, Region, RoleGrant, User
from .notifications import notify


def grant_role(user: User, role: str, *, by: User | None, funder: Funder | None = None) -> RoleGrant:
    """Give `user` the role (for a funder role, acting for `funder`).

    Side effects: creates a RoleGrant (history recorded), e-mails the person `role_granted`.
    Granting a role the person already holds changes nothing and sends nothing.
    """
    if role not in Role.values:
        raise ValidationError(f"{role!r} is not a role")
    if (role == Role.FUNDER) != (funder is not None):
        raise ValidationError("Choose the funder this person acts for" if role == Role.FUNDER else "Only the funder role names a funder")
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, funder=funder, defaults={"granted_by": by}
        )
        if created:
            notify(
                "role_granted",
                to=user.email,
                context={"user": user, "role": Role(role).label, "funder": funder},
            )
    user.forget_roles()
    return grant


def revoke_role(grant: RoleGrant, *, by: User | None) -> None:
    """Take a role away. Side effects: deletes the grant (history keeps it); no e-mail."""
    user = grant.user
    with transaction.atomic():
        grant._change_reason = f"revoked by {by}" if by else "revoked"
        grant.delete()
    user.forget_roles()


def appoint_fellow(
    user: User | None,
    *,
    cohort: Cohort,
    ref: str,
    region: Region,
    profession: str,
    specialty: str = "",
    funder: Funder | None = None,
    post_theme: str = "",
    full_name: str = "",
    by: User | None,
) -> Fellow:
    """Place a person in a cohort as a fellow; recruitment calls this when an offer is accepted.

    Side effects: creates the Fellow (status in post), grants the fellow role and e-mails the
    `fellow_appointed` welcome. Raises ValidationError if the person already holds a place in the cohort.
    """
    with transaction.atomic():
        if user is not None and Fellow.objects.filter(user=user, cohort=cohort).exists():
            raise ValidationError(f"{user} already holds a place in {cohort}")
        fellow = Fellow.objects.create(
            ref=ref,
            user=user,
            cohort=cohort,
            region=region,
            profession=profession,
            specialty=specialty,
            funder=funder,
            post_theme=post_theme,
            full_name=full_name or (user.full_name if user else ""),
            status=FellowStatus.IN_POST,
        )
        if user is not None:
            RoleGrant.objects.get_or_create(user=user, role=Role.FELLOW, funder=None, defaults={"granted_by": by})
            notify("fellow_appointed", to=user.email, context={"fellow": fellow, "user": user})
    if user is not None:
        user.forget_roles()
    return fellow


def record_project(fellow: Fellow, *, project_ref: str) -> None:
    """Record the reference of the project a fellow was matched to (projects calls this on publishing).

    Side effects: updates Fellow.project_ref (with its history row); nothing else.
    """
    if fellow.project_ref != project_ref:
        fellow.project_ref = project_ref
        fellow.save(update_fields=["project_ref"])


def import_history(files: Iterable[tuple[str, bytes]], *, by: User | None, source: str, dry_run: bool = False) -> ImportResult:
    """Import programme history files all-or-nothing (see fellowship.importer).

    Side effects: creates or updates rows of every table present; records a HistoryImport
    (unless a dry run). Raises importer.ImportFailed, changing nothing, if any row is invalid.
    """
    with transaction.atomic():
        result = import_tables(read_sources(files), dry_run=dry_run)
        if not dry_run:
            HistoryImport.objects.create(imported_by=by, source=source[:255], summary=result.summary)
    return result


EQUALITY_PERMISSION = ("recruitment", "view_equality_monitoring")


def may_see_equality_monitoring(user: User) -> bool:
    """Whether the person holds the equality-monitoring permission themselves (not through superuser)."""
    app_label, codename = EQUALITY_PERMISSION
    return user.user_permissions.filter(
        content_type__app_label=app_label, codename=codename
    ).exists()


def allow_equality_monitoring(user: User, *, by: User | None, allowed: bool) -> None:
    """Give or take away the permission to see equality-monitoring aggregates.

    Only faculty may be given it (the pages need both). Side effects: adds or removes the
    Django permission recruitment.view_equality_monitoring; writes a log line naming who did it.
    """
    import logging

    from django.contrib.auth.models import Permission

    app_label, codename = EQUALITY_PERMISSION
    if allowed and not user.has_role(Role.FACULTY):
        raise ValidationError(
            "Only faculty can see equality monitoring. Give this person the faculty role first"
        )
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    with transaction.atomic():
        if allowed:
            user.user_permissions.add(permission)
        else:
            user.user_permissions.remove(permission)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    logging.getLogger("fellowship.audit").info(
        "equality monitoring %s for user %s by user %s",
        "allowed" if allowed else "removed",
        user.pk,
        by.pk if by else None,
    )
