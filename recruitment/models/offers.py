"""Offers of funded posts to appointable candidates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from fellowship.models import FundedPost

from ..enums import OfferState
from .applications import Application


class OfferQuerySet(models.QuerySet["Offer"]):
    def for_user(self, user) -> OfferQuerySet:
        """Those who make offers (faculty) see every offer; anyone else only the offers made to
        them."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("recruitment.manage_offers"):
            return self
        return self.filter(application__applicant=user)


class Offer(models.Model):
    """A post offered to an appointable candidate, who accepts or declines by a deadline."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    post = models.ForeignKey(FundedPost, on_delete=models.PROTECT, related_name="offers")
    rank = models.PositiveSmallIntegerField(
        help_text="The candidate's rank for this post when offered."
    )
    state = models.CharField(max_length=20, choices=OfferState.choices, default=OfferState.PENDING)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["post", "made_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(state__in=["pending", "accepted"]),
                name="one_live_offer_per_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer to {self.application} for {self.post}: {self.get_state_display()}"
