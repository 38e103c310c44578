"""The audit log: one function that records who viewed or changed a sensitive record.

Views call `record` when someone reads an application, a file or the equality figures; services
call it when scores, matchings, mentor pairs or report downloads change. Each event is stored
(faculty read them at /audit/) and written as a line to the `fellowship.audit` logger, so that a
log shipper sees the same trail.
"""

from __future__ import annotations

import logging

from .enums import AuditAction, AuditSubject
from .models import AuditEvent, User

log = logging.getLogger("fellowship.audit")


def record(
    action: AuditAction,
    subject: AuditSubject,
    *,
    by: User | None,
    reference: object = "",
    summary: str = "",
) -> AuditEvent:
    """Store one audit event by `by` (None for the system) and log it.

    Side effects: creates an AuditEvent; a `fellowship.audit` log line.
    """
    actor = by if by is not None and by.is_authenticated else None
    event = AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        subject=subject,
        reference=str(reference)[:100],
        summary=summary[:300],
    )
    log.info(
        "%s %s %s by user %s: %s",
        action,
        subject,
        event.reference,
        actor.pk if actor else None,
        event.summary,
    )
    return event
