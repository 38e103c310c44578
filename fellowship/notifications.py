"""The one way the service sends e-mail: `notify(kind, to=..., context=...)`.

Each kind is declared in an app's emails.py with the ((placeholders)) its texts may use; its
subject and plain-text body are faculty's latest saved version, or the defaults in
templates/email/KIND_subject.txt and KIND_body.txt (see fellowship.emails), so every message is
written once, logged once and testable.

The rendered message is written to the outbox (fellowship.outbox) in the caller's transaction: a
rolled-back change sends nothing, and a committed one always sends. Once the transaction commits
a task sends it; if the queue (Redis) is down at that moment the web process sends it at once, and
if that fails too, or the queued task is lost, the outbox's sweep sends it within a minute or two.
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
    """Hand one rendered message to the mail server now (fellowship.outbox calls this); raises
    if the server refuses it."""
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
    """Render the `kind` message now, put it in the outbox with the caller's transaction, and
    send it to each address once that transaction commits.

    `attachments` are (filename, text content, MIME type), e.g. an interview's .ics file.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    subject, body = render_message(kind, context)
    send_rendered(kind, to=recipients, subject=subject, body=body, attachments=attachments or ())


def send_rendered(
    kind: str, *, to: list[str], subject: str, body: str, attachments: Iterable[Attachment] = ()
) -> None:
    """Put a message already rendered (by notify, or by allauth for account e-mails) in the
    outbox with the caller's transaction, and send it once that transaction commits."""
    from . import outbox
    from .tasks import enqueue, send_outbox_message  # tasks import this module

    message = outbox.write(kind, to=to, subject=subject, body=body, attachments=attachments)
    log.info("queued %s for %d recipient(s) as outbox message %s", kind, len(to), message.pk)
    transaction.on_commit(
        lambda: enqueue(
            send_outbox_message,
            fallback=lambda: outbox.send_message(message.pk),
            message_id=message.pk,
        )
    )
