"""The e-mail outbox's table (the sending is fellowship.outbox)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One e-mail the service sends: written with the change that causes it, sent by a worker."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent after every attempt"

    kind = models.CharField(max_length=100)
    recipients = models.TextField(help_text="One address per line.")
    subject = models.TextField()
    body = models.TextField()
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "fellowship"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {len(self.to)} recipient(s): {self.get_state_display()}"

    @property
    def to(self) -> list[str]:
        return [address for address in self.recipients.splitlines() if address]

    @staticmethod
    def due_at(now: datetime.datetime) -> Q:
        """Messages due for an attempt: waiting with their time come, or claimed by a sender
        whose lease ran out (it died or hung)."""
        return Q(state="waiting", next_attempt_at__lte=now) | Q(
            state="sending", lease_until__lt=now
        )
