"""The texts of e-mails that faculty edit, one version per change."""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import models
from django.utils import timezone

from .. import rules as r


class EmailTextQuerySet(models.QuerySet["EmailText"]):
    def for_user(self, user) -> EmailTextQuerySet:
        """Versions this person may see: those who may edit e-mail texts see all; nobody else any."""
        if not user.is_authenticated or not user.has_perm("fellowship.edit_email_texts"):
            return self.none()
        return self

    def latest_for(self, kind: str) -> EmailText | None:
        return self.filter(kind=kind).order_by("-pk").first()


class EmailText(models.Model):
    """One version of an e-mail's subject and body as faculty saved it, restored it or reset it to the default."""

    kind = models.CharField(max_length=60, db_index=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # A reset to the default text in templates/email/: the e-mail then follows that file.
    is_default = models.BooleanField(default=False)
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EmailTextQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.kind} version {self.pk}"


rules.add_perm("fellowship.edit_email_texts", r.is_faculty)
