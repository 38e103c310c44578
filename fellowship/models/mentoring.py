"""Mentoring: alumni's offers to mentor, fellows' requests, the pairings faculty make, and pairs never to make."""

from __future__ import annotations

import rules
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .. import rules as r
from ..enums import Importance, MentoringStatus
from .fellows import Fellow
from .programme import Cohort, Region


class MentorOffer(models.Model):
    """An alumnus's offer to mentor fellows of an incoming cohort, with what they can match on."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="mentor_offers")
    # The alumnus's own fellowship record (the history import names mentors by fellow ref).
    mentor = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="mentor_offers")
    capacity = models.PositiveSmallIntegerField(
        "mentees you can take", default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    specialty = models.CharField("clinical specialty", max_length=100, blank=True)
    # Clinical domains of AI projects the mentor knows, e.g. ["Radiology", "Oncology"].
    domains = models.JSONField("project domains", default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort__number", "mentor__ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "mentor"], name="one_mentor_offer_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=3), name="mentor_capacity_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.display_name} mentors {self.capacity} in {self.cohort}"


class MentorRequest(models.Model):
    """An incoming fellow asking for a mentor, and how much region, specialty and domain matter to them."""

    fellow = models.OneToOneField(Fellow, on_delete=models.CASCADE, related_name="mentor_request")
    domain = models.CharField("AI project domain", max_length=100, blank=True)
    region_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    specialty_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    domain_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    note = models.TextField("anything else the faculty should know", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fellow__cohort__number", "fellow__ref"]

    def __str__(self) -> str:
        return f"{self.fellow.ref} asks for a mentor"


class MentorPairingQuerySet(models.QuerySet["MentorPairing"]):
    def published(self) -> MentorPairingQuerySet:
        return self.filter(status=MentoringStatus.PUBLISHED)


class MentorPairing(models.Model):
    """A mentor–mentee pair: proposed by the assignment, adjusted by faculty, then published (or imported)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="mentor_pairings")
    mentor = models.ForeignKey(Fellow, on_delete=models.PROTECT, related_name="mentee_pairings")
    mentee = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="mentor_pairings")
    status = models.CharField(
        max_length=20, choices=MentoringStatus.choices, default=MentoringStatus.PROPOSED
    )
    # What the pair shares, recorded when the pair is made so the report can count it (objective 5).
    shares_region = models.BooleanField(default=False)
    shares_specialty = models.BooleanField(default=False)
    shares_domain = models.BooleanField(default=False)
    quality = models.PositiveSmallIntegerField(default=0)
    # Faculty pinned this pair by hand; re-running the assignment keeps it.
    pinned = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MentorPairingQuerySet.as_manager()

    class Meta:
        ordering = ["cohort__number", "mentor__ref", "mentee__ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"], name="one_pairing_per_mentor_and_mentee"
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentor_is_not_own_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.display_name} mentors {self.mentee.display_name}"

    @property
    def shares_any(self) -> bool:
        return self.shares_region or self.shares_specialty or self.shares_domain


class MentorExclusion(models.Model):
    """A pair faculty removed: re-running the assignment never proposes it again (pinning it lifts this)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="one_exclusion_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} not to mentor {self.mentee}"


rules.add_perm("fellowship.manage_mentoring", r.is_faculty)
rules.add_perm("fellowship.offer_mentoring", r.is_alumnus)
rules.add_perm("fellowship.request_mentor", r.is_fellow)
