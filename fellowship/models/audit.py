"""The audit trail and the records of data protection: audit events, erasures, and retention runs."""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import models
from django.utils import timezone

from .. import rules as r
from ..enums import AuditAction, AuditSubject


class AuditEvent(models.Model):
    """One line of the audit log: who viewed or changed which sensitive record, and when. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The person, and their e-mail as it was then (kept if the account is later removed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    subject = models.CharField(max_length=30, choices=AuditSubject.choices, db_index=True)
    # The record's own reference (application ref, cohort number, report job id) and a short summary.
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action} {self.subject} {self.reference}"


rules.add_perm("fellowship.view_audit_log", r.is_faculty)


class Erasure(models.Model):
    """A person erased at their request: under which pseudonym, who asked, and who carried it out.

    Holds nothing that identifies the person: the pseudonym is what the audit log now names.
    """

    pseudonym = models.CharField(max_length=40, unique=True)
    requested_by = models.CharField(
        "who asked",
        max_length=200,
        help_text="For example: the person, by e-mail to the programme team",
    )
    request_received = models.DateField()
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_out_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-carried_out_at"]
        permissions = [
            ("manage_personal_data", "Can export and erase a person's data, and apply retention"),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym}, erased {self.carried_out_at:%-d %B %Y}"


class RetentionRun(models.Model):
    """One application of the retention policy, or a dry run of it: when, who (None: the nightly
    task or the command line), and how many records of each kind it removed (or would remove)."""

    class Source(models.TextChoices):
        NIGHTLY = "nightly", "The nightly task"
        COMMAND = "command", "The command line"
        PAGE = "page", "The Retention page"

    at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict)  # kind -> records removed (or due, in a dry run)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        what = "dry run" if self.dry_run else "retention run"
        return f"{what} {self.at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())
