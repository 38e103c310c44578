"""Shortlisting: reviewers assigned to applications, conflicts of interest, reviewers' scores
and the scores faculty settle where reviewers differed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..enums import SCORE_MAX, ConflictReason
from .applications import Application
from .rounds import Criterion
from .scores import SCORE_VALIDATORS, SettledScore


class ReviewerAssignment(models.Model):
    """A reviewer asked to score one application's written answers at shortlisting."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shortlisting_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.application}"


class Conflict(models.Model):
    """A reviewer or panellist kept apart from an application: a declared conflict, or the same employer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField(max_length=20, choices=ConflictReason.choices)
    note = models.TextField(blank=True, help_text="What the person declared.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "person"], name="one_conflict_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.application}: {self.get_reason_display()}"


class ShortlistScore(models.Model):
    """A reviewer's score for one criterion of the written application, given independently."""

    assignment = models.ForeignKey(
        ReviewerAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="shortlist_scores"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="one_shortlist_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__lte=SCORE_MAX), name="shortlist_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.criterion} = {self.score}"


class Moderation(SettledScore):
    """The score faculty settle on for a criterion where reviewers differed too much: who, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="moderations"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="moderations")
    reason = models.TextField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_moderation_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.criterion} moderated to {self.score}"
