"""The e-mail outbox: every message the service sends is first a row, written in the same
transaction as the change that causes it, and leaves the outbox only once the mail server took it.

`notify()` writes the row; once the transaction commits, a task (or, when the broker is down, the
web process itself) sends it through `send_message`. Each attempt claims the row for a few minutes
(a lease), so two workers never send the same message at once; a failure puts it back with an
exponential backoff, and after MAX_ATTEMPTS it is marked failed and logged for the service team.
A beat sweep (`sweep`, every minute) sends whatever is due: messages whose task was lost (a Redis
that restarted empty), whose sender died mid-send (lease expired) or whose retry time has come.
So a committed change's e-mail is never lost; at worst, a sender that dies between the mail
server accepting a message and the row being marked sent causes it to be sent twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .personal_data import REMOVED, Part, Person, PlanLine, holder

if TYPE_CHECKING:
    from .models import Erasure

log = logging.getLogger("fellowship.outbox")

LEASE = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_RETRY = datetime.timedelta(hours=2)
SWEEP_BATCH = 200


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 ... minutes, at most 2 h."""
    delay = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def write(
    kind: str,
    *,
    to: list[str],
    subject: str,
    body: str,
    attachments: Iterable[tuple[str, str, str]] = (),
) -> Any:
    """Put one rendered message in the outbox, in the caller's transaction; the row."""
    from .models import OutboxMessage

    return OutboxMessage.objects.create(
        kind=kind,
        recipients="\n".join(to),
        subject=subject,
        body=body,
        attachments=[list(a) for a in attachments],
    )


def _claim(message_id: int, now: datetime.datetime) -> Any:
    """Take the message for one attempt if it is waiting (or its last sender's lease ran out)."""
    from .models import OutboxMessage

    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id)
            .filter(OutboxMessage.due_at(now))
            .first()
        )
        if message is None:
            return None
        message.state = OutboxMessage.State.SENDING
        message.attempts += 1
        message.lease_until = now + LEASE
        message.save(update_fields=["state", "attempts", "lease_until"])
        return message


def send_message(message_id: int) -> bool:
    """Send one outbox message if it is due; True if it was sent by this call.

    Side effects: the row is claimed, then marked sent, or put back for a later attempt (or
    marked failed after MAX_ATTEMPTS) with the error; one log line either way."""
    from .models import OutboxMessage
    from .notifications import deliver

    now = timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return False
    try:
        deliver(
            message.kind,
            to=message.to,
            subject=message.subject,
            body=message.body,
            attachments=[tuple(a) for a in message.attachments or ()],
        )
    except Exception as error:  # the mail server refused or is unreachable: try again later
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.WAITING,
            next_attempt_at=timezone.now() + retry_delay(message.attempts),
            lease_until=None,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        if failed:
            log.error(
                "NOT SENT after %d attempts: %s message %s (%s)",
                message.attempts,
                message.kind,
                message.pk,
                error,
            )
        else:
            log.warning(
                "%s message %s not sent (attempt %d), will retry: %s",
                message.kind,
                message.pk,
                message.attempts,
                error,
            )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return True


def due_ids(now: datetime.datetime | None = None, *, limit: int = SWEEP_BATCH) -> list[int]:
    from .models import OutboxMessage

    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(OutboxMessage.due_at(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Send what is due: messages whose task never ran, whose sender died, whose retry has come.
    Counts of what happened."""
    sent = tried = 0
    for message_id in due_ids(limit=limit):
        tried += 1
        sent += send_message(message_id)
    if tried:
        log.info("outbox sweep: %d of %d due messages sent", sent, tried)
    return {"tried": tried, "sent": sent}


def backlog() -> dict[str, int]:
    """How many messages wait, are being sent, or failed for good (for the metrics and the
    service team)."""
    from django.db.models import Count

    from .models import OutboxMessage

    rows = (
        OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT)
        .values("state")
        .annotate(n=Count("pk"))
    )
    counts = {state: 0 for state in OutboxMessage.State.values if state != "sent"}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


# A person's data: the e-mails sent to them ------------------------------------------------------


@holder
class SentEmailsData:
    """Copies of the e-mails sent (or waiting) to the person's addresses. They are found by
    address, not by a link: exported in full, and removed by erasure (an e-mail still waiting for
    others loses only the person's address)."""

    own: dict[str, str] = {}
    acts: dict[str, str] = {}

    @staticmethod
    def _addresses(person: Person) -> set[str]:
        found = {person.email, *(fellow.email for fellow in person.fellows)}
        return {address.strip().lower() for address in found if address and address.strip()}

    def _messages(self, person: Person) -> list[Any]:
        from .models import OutboxMessage

        addresses = self._addresses(person)
        if not addresses:
            return []
        query = Q()
        for address in addresses:
            query |= Q(recipients__icontains=address)
        return [
            message
            for message in OutboxMessage.objects.filter(query).order_by("created_at", "pk")
            if addresses & {to.lower() for to in message.to}
        ]

    def export(self, person: Person) -> Iterator[Part]:
        yield Part(
            "emails-sent",
            [
                {
                    "subject": message.subject,
                    "body": message.body,
                    "state": message.get_state_display(),
                    "written": message.created_at,
                    "sent": message.sent_at,
                }
                for message in self._messages(person)
            ],
        )

    def plan(self, person: Person) -> list[PlanLine]:
        return [
            PlanLine("copies of e-mails sent to the person", len(self._messages(person)), REMOVED)
        ]

    def blockers(self, person: Person) -> list[str]:
        return []

    def erase(self, person: Person, erasure: Erasure) -> None:
        from .models import OutboxMessage

        addresses = self._addresses(person)
        removed = 0
        for message in self._messages(person):
            others = [to for to in message.to if to.lower() not in addresses]
            if others and message.state != OutboxMessage.State.SENT:
                message.recipients = "\n".join(others)
                message.save(update_fields=["recipients"])
            else:
                message.delete()
            removed += 1
        erasure.count("copies of e-mails removed", removed)
