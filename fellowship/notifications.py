"""The one way the service sends e-mail: `notify(kind, to=..., context=...)`.

Each kind is declared in an app's emails.py with the ((placeholders)) its texts may use; its
subject and plain-text body are faculty's latest saved version, or the defaults in
templates/email/KIND_subject.txt and KIND_body.txt (see fellowship.emails), so every message is
written once, logged once and testable.
Messages are queued after the surrounding transaction commits, so a rolled-back change sends nothing.
If the queue (Redis) is down at that moment, the message is sent at once from the web process
instead, so neither the e-mail nor the person's request is lost to the outage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction

log = logging.getLogger("fellowship.notify")


def render_message(kind: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and body of the `kind` e-mail for this context, as plain text."""
    from . import emails

    return emails.render_message(kind, {"site_url": settings.SITE_URL, **context})


# An attachment: (filename, text content, MIME type); text so that it travels as JSON to Celery.
Attachment = tuple[str, str, str]


def deliver(
    kind: str, *, to: list[str], subject: str, body: str, attachments: Iterable[Attachment] = ()
) -> None:
    """Send one rendered message now (called by the Celery task, or directly when eager)."""
    attachments = list(attachments or ())
    if attachments:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        message.send(fail_silently=False)
    else:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
    log.info("sent %s to %d recipient(s)", kind, len(to))


def notify(
    kind: str,
    *,
    to: Iterable[str] | str,
    context: dict,
    attachments: Iterable[Attachment] | None = None,
) -> None:
    """Render the `kind` message now and send it to each address once the transaction commits.

    `attachments` are (filename, text content, MIME type), e.g. an interview's .ics file.
    """
    from .tasks import enqueue, send_email  # tasks import this module

    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    subject, body = render_message(kind, context)
    log.info("queued %s for %d recipient(s)", kind, len(recipients))
    extra = {"attachments": [list(a) for a in attachments]} if attachments else {}
    message = {"kind": kind, "to": recipients, "subject": subject, "body": body, **extra}
    transaction.on_commit(
        lambda: enqueue(send_email, fallback=lambda: send_now(**message), **message)
    )


def send_now(
    *, kind: str, to: list[str], subject: str, body: str, attachments: list | None = None
) -> bool:
    """Send a message from this process because the queue is down; True if it went.

    The change that caused it is already stored, so a failure here is logged with the message's
    kind, recipients and subject for the service team to resend, and not raised to the person.
    """
    try:
        deliver(
            kind,
            to=to,
            subject=subject,
            body=body,
            attachments=[tuple(a) for a in attachments or ()],
        )
    except Exception:
        log.exception(
            "NOT SENT: %s to %s (subject %r): the queue and the mail server both failed",
            kind,
            ", ".join(to),
            subject,
        )
        return False
    log.info("sent %s directly because the queue was unavailable", kind)
    return True
