"""Interviews: panels, their slots, panellists' scores and the scores each panel agrees."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..enums import SCORE_MAX
from .applications import Application
from .rounds import Criterion, RecruitmentRound
from .scores import SCORE_VALIDATORS, SettledScore


class InterviewPanelQuerySet(models.QuerySet["InterviewPanel"]):
    def for_user(self, user) -> InterviewPanelQuerySet:
        """Those who manage panels (faculty) see every panel; anyone else the panels they sit on."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("recruitment.manage_panels"):
            return self
        return self.filter(members=user)


class InterviewSlotQuerySet(models.QuerySet["InterviewSlot"]):
    def for_user(self, user) -> InterviewSlotQuerySet:
        """Those who manage panels see every slot; anyone else the slots of the panels they sit on."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("recruitment.manage_panels"):
            return self
        return self.filter(panel__members=user)


class InterviewScoreQuerySet(models.QuerySet["InterviewScore"]):
    def for_user(self, user) -> InterviewScoreQuerySet:
        """Those who manage panels see every score; a panellist the scores for the candidates in
        the slots of the panels they sit on (the pages show others' scores only once the
        panellist's own are in)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("recruitment.manage_panels"):
            return self
        return self.filter(application__interview_slot__panel__members=user)


class InterviewPanel(models.Model):
    """A panel that interviews shortlisted candidates on one day, in person or by video."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(max_length=150)
    date = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="interview_panels", blank=True
    )
    history = HistoricalRecords(m2m_fields=[members])

    objects = InterviewPanelQuerySet.as_manager()

    class Meta:
        ordering = ["date", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%-d %B %Y})"


class InterviewSlot(models.Model):
    """A time on a panel's day; a shortlisted candidate is given it or picks it."""

    panel = models.ForeignKey(InterviewPanel, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview_slot"
    )
    chosen_by_candidate = models.BooleanField(default=False)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)

    objects = InterviewSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel.name} {timezone.localtime(self.starts_at):%H:%M}"


class InterviewScore(models.Model):
    """One panellist's independent score for one criterion of one candidate's interview."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interview_scores"
    )
    panellist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interview_scores"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="interview_scores"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = InterviewScoreQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "panellist", "criterion"],
                name="one_interview_score_per_criterion",
            ),
            models.CheckConstraint(
                condition=Q(score__lte=SCORE_MAX), name="interview_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panellist} scored {self.application} {self.criterion} = {self.score}"


class ConsensusScore(SettledScore):
    """The score the panel agrees for a criterion after scoring independently."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="consensus_scores"
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_consensus_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.criterion} agreed {self.score}"
