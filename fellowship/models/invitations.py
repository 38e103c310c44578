"""Invitations to create an account: batches that faculty send, and each person's invitation."""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .. import rules as r
from ..enums import InvitationState, Role
from .fellows import Fellow
from .programme import Funder


class InvitationBatchQuerySet(models.QuerySet["InvitationBatch"]):
    def for_user(self, user) -> InvitationBatchQuerySet:
        if not user.is_authenticated or not user.has_role(Role.FACULTY):
            return self.none()
        return self


class InvitationBatch(models.Model):
    """Many invitations sent by one background job: the addresses, the roles, and how far it has got."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    roles = models.JSONField(default=list)
    funder = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What faculty invited from (a cohort's fellows, a round's panellists ...), shown on the page.
    description = models.CharField(max_length=200, blank=True)
    # One {"email": ..., "fellow": id or null} per person, in the order given.
    entries = models.JSONField(default=list)
    # One outcome per entry done so far: "invited", "resent", or why it was not sent.
    outcomes = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="invitation_batch_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.done} of {self.total} invitations ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def sent_count(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome in ("invited", "resent"))

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(e-mail address, why it was not sent) for each entry that failed."""
        return [
            (entry["email"], outcome)
            for entry, outcome in zip(self.entries, self.outcomes, strict=False)
            if outcome not in ("invited", "resent")
        ]


class PersonInvitationQuerySet(models.QuerySet["PersonInvitation"]):
    def for_user(self, user) -> PersonInvitationQuerySet:
        """Invitations this person may see: faculty see all; nobody else any."""
        if not user.is_authenticated or not user.has_role(Role.FACULTY):
            return self.none()
        return self

    def in_state(self, state: str) -> PersonInvitationQuerySet:
        now = timezone.now()
        unanswered = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        condition = {
            InvitationState.PENDING: unanswered & Q(expires_at__gt=now),
            InvitationState.EXPIRED: unanswered & Q(expires_at__lte=now),
            InvitationState.ACCEPTED: Q(accepted_at__isnull=False),
            InvitationState.REVOKED: Q(revoked_at__isnull=False),
        }[InvitationState(state)]
        return self.filter(condition)

    def unanswered(self) -> PersonInvitationQuerySet:
        """Neither accepted nor revoked: pending, or expired and still able to be sent again."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class PersonInvitation(models.Model):
    """An e-mailed invitation to take up roles in the service; the link's secret is kept only as a hash."""

    email = models.EmailField("e-mail address", db_index=True)
    roles = models.JSONField(default=list)
    # For the funder role: the funder the person will act for.
    funder = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    # A fellow imported from the history without an account: accepting links the account to it.
    fellow = models.ForeignKey(
        Fellow, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    batch = models.ForeignKey(
        InvitationBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    # The link carries "<selector>.<secret>": the selector finds the row, the secret's SHA-256 proves it.
    selector = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )

    objects = PersonInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {', '.join(self.role_labels)}"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def role_labels(self) -> list[str]:
        """The roles in the programme's order, named as people see them."""
        return [role.label for role in Role if role.value in self.roles]


rules.add_perm("fellowship.grant_faculty_role", r.is_faculty)
