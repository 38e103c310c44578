"""Domain operations of the programme core. Views and commands call these; nothing else writes roles."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from .changes import change_reason
from .enums import FellowStatus, Role
from .importer import ImportResult, import_tables
from .models import (
    Cohort,
    Fellow,
    Funder,
    HistoryImport,
    Programme,
    Region,
    RoleGrant,
    User,
    programme,
)
from .notifications import notify
from .uploads import delete_stored_on_commit

logger = logging.getLogger(__name__)


def grant_role(
    user: User, role: str, *, by: User | None, funder: Funder | None = None
) -> RoleGrant:
    """Give `user` the role (for a funder role, acting for `funder`).

    Side effects: creates a RoleGrant (history recorded), e-mails the person `role_granted`.
    Granting a role the person already holds changes nothing and sends nothing.
    """
    if role not in Role.values:
        raise ValidationError(f"{role!r} is not a role")
    if (role == Role.FUNDER) != (funder is not None):
        raise ValidationError(
            "Choose the funder this person acts for"
            if role == Role.FUNDER
            else "Only the funder role names a funder"
        )
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
        change_reason(grant, f"revoked by {by}" if by else "revoked")
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
            RoleGrant.objects.get_or_create(
                user=user, role=Role.FELLOW, funder=None, defaults={"granted_by": by}
            )
            notify("fellow_appointed", to=user.email, context={"fellow": fellow, "user": user})
    if user is not None:
        user.forget_roles()
    return fellow


def record_project(fellow: Fellow, *, project_ref: str, project_domain: str = "") -> None:
    """Record the project a fellow was matched to: its reference and its clinical domain (projects
    calls this on publishing a matching; mentor matching compares the domain).

    Side effects: updates Fellow.project_ref and Fellow.project_domain (with a history row) when
    either changed; nothing else.
    """
    project_domain = " ".join(project_domain.split())
    changed = [
        name
        for name, value in (("project_ref", project_ref), ("project_domain", project_domain))
        if getattr(fellow, name) != value
    ]
    if changed:
        for name in changed:
            setattr(fellow, name, project_ref if name == "project_ref" else project_domain)
        fellow.save(update_fields=changed)


def update_programme(
    *,
    by: User,
    name: str,
    short_name: str = "",
    organisation: str = "",
    website: str = "",
    description: str | None = None,
    logo: File[Any] | None = None,
    remove_logo: bool = False,
) -> Programme:
    """Save the programme's name, details and logo (faculty's programme settings page).

    `description` (Markdown, for the public home page) is kept as it was when None.
    `logo` is a new image, already checked (PNG or JPEG, by content); `remove_logo` takes the
    current one away. Side effects: saves the site's name and the Programme record; stores a new
    logo under a private random name; deletes the replaced or removed logo from storage once the
    transaction commits; logs who changed it. No e-mail.
    """
    from django.contrib.sites.models import Site

    with transaction.atomic():
        the_programme = programme()
        site = Site.objects.select_for_update().get(pk=the_programme.site_id)
        if site.name != name:
            site.name = name
            site.save(update_fields=["name"])
        the_programme.site = site
        the_programme.short_name = short_name
        the_programme.organisation = organisation
        the_programme.website = website
        if description is not None:
            the_programme.description = description
        old_logo = the_programme.logo.name if the_programme.logo else ""
        if logo is not None:
            the_programme.logo.save(logo.name or "logo", logo, save=False)
        elif remove_logo:
            the_programme.logo = ""
        the_programme.save()
        new_logo = the_programme.logo.name if the_programme.logo else ""
        if old_logo != new_logo:
            delete_stored_on_commit(the_programme.logo.storage, [old_logo])
    Site.objects.clear_cache()
    logger.info(
        "programme settings saved by user %s (logo %s)",
        by.pk,
        "replaced" if logo is not None else "removed" if remove_logo and old_logo else "unchanged",
    )
    return the_programme


def import_history(
    files: Iterable[tuple[str, Any]],
    *,
    by: User | None,
    source: str,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
) -> ImportResult:
    """Import programme history files all-or-nothing (see fellowship.importer).

    `files` are (name, bytes) pairs or importer.Source (name, opener) pairs. With
    `expected_fingerprint` (a dry run's), refuse with importer.ImportChanged if the rows the
    import reads changed since. Side effects: creates or updates rows of every table present;
    records a HistoryImport (unless a dry run). Raises importer.ImportFailed, changing nothing,
    if any row is invalid.
    """
    with transaction.atomic():
        result = import_tables(
            files, dry_run=dry_run, by=by, expected_fingerprint=expected_fingerprint
        )
        if not dry_run:
            HistoryImport.objects.create(
                imported_by=by, source=source[:255], summary=result.summary
            )
    return result
