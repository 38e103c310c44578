"""Services that change an e-mail's text: save, restore or reset, each recorded as a version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .kinds import EmailKind, get_kind
from .texts import default_text, validate


def _record(kind: EmailKind, summary: str, *, by) -> None:
    from ..audit import record
    from ..enums import AuditAction, AuditSubject

    record(AuditAction.CHANGED, AuditSubject.EMAIL_TEXT, by=by, reference=kind.key, summary=summary)


def _check_latest(kind: EmailKind, based_on: int | None) -> None:
    """Refuse a change made from a page older than the latest version, so no one's edit is lost."""
    from ..models import EmailText

    if based_on is None:
        return
    latest = EmailText.objects.select_for_update().filter(kind=kind.key).order_by("-pk").first()
    if (latest.pk if latest else 0) != based_on:
        raise ValidationError(
            "Someone else saved this e-mail while you were editing it. Your text is below: "
            "check the latest version in the history, then save again."
        )


def save_text(kind: EmailKind, *, subject: str, body: str, by, based_on: int | None = None):
    """Save faculty's subject and body for `kind` as its new version, used from the next e-mail.

    Raises ValidationError (nothing saved) for an unknown or unclosed placeholder, template
    language or an empty part. Side effects: an EmailText version; an audit event.
    """
    from ..models import EmailText

    subject = subject.strip()
    validate(kind, subject, body)
    with transaction.atomic():
        _check_latest(kind, based_on)
        version = EmailText.objects.create(kind=kind.key, subject=subject, body=body, created_by=by)
        _record(kind, f"Saved version {version.pk} of the e-mail “{kind.name}”", by=by)
    return version


def restore_version(version, *, by):
    """Make an earlier version of an e-mail's text the current one, as a new version.

    Raises ValidationError if the text no longer suits the e-mail (a placeholder it used has
    gone). Side effects: an EmailText version marked as restored from `version`; an audit event.
    """
    from ..models import EmailText

    kind = get_kind(version.kind)
    if version.is_default:
        return reset_to_default(kind, by=by)
    validate(kind, version.subject, version.body)
    with transaction.atomic():
        new = EmailText.objects.create(
            kind=kind.key,
            subject=version.subject,
            body=version.body,
            restored_from=version,
            created_by=by,
        )
        _record(kind, f"Restored version {version.pk} of the e-mail “{kind.name}”", by=by)
    return new


def reset_to_default(kind: EmailKind, *, by):
    """Go back to the default text in templates/email/, recorded as a version marked default.

    Side effects: an EmailText version (is_default, holding the default text as it was); an audit event.
    """
    from ..models import EmailText

    subject, body = default_text(kind.key)
    with transaction.atomic():
        version = EmailText.objects.create(
            kind=kind.key, subject=subject, body=body, is_default=True, created_by=by
        )
        _record(kind, f"Reset the e-mail “{kind.name}” to its default text", by=by)
    return version
