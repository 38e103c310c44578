"""Recruitment rounds and what each sets out: who is eligible where, the criteria applicants
write against, and the documents they upload."""

from __future__ import annotations

import re

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession
from fellowship.models import Cohort, Funder, Region

from .. import rules as r

WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    """Words as a person counts them: runs of non-space characters."""
    return len(WORD.findall(text or ""))


class RoundQuerySet(models.QuerySet["RecruitmentRound"]):
    def open_at(self, moment) -> RoundQuerySet:
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)


class RecruitmentRound(RulesModel):
    """One national call for applications to a cohort: one portal, one deadline, one set of criteria."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=150)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(
        help_text="Applications and employer approvals are accepted until this moment."
    )
    anonymised_shortlisting = models.BooleanField(
        default=True,
        help_text="Reviewers shortlist without the applicant's name, contact details or employer.",
    )
    guidance = models.TextField(blank=True, help_text="Shown to applicants before they start.")
    reviewers_per_application = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="How many reviewers score each application at shortlisting.",
    )
    moderation_margin = models.PositiveSmallIntegerField(
        default=1,
        help_text="Flag an application for moderation when reviewers' scores for a criterion differ by more than this.",
    )
    appointable_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The lowest total consensus interview score that is appointable. Blank: any.",
    )
    offer_response_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    declaration = models.TextField(
        default=(
            "I confirm that the information in this application is true and complete. I understand that "
            "my application may be rejected if any of it is found to be false."
        )
    )
    history = HistoricalRecords()

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
        ]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def eligible_regions(self, profession: str):
        return Region.objects.filter(
            eligibilities__round=self, eligibilities__profession=profession
        ).distinct()


class Eligibility(models.Model):
    """A profession that may apply for posts in a region; non-medics only where a sponsor funds them."""

    round = models.ForeignKey(
        RecruitmentRound, on_delete=models.CASCADE, related_name="eligibilities"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="eligibilities")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    sponsor = models.ForeignKey(
        Funder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_eligibilities",
        help_text="For professions other than medicine: the funder that pays for their posts in this region.",
    )

    class Meta:
        ordering = ["region__name", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "region", "profession"], name="one_eligibility_line"
            ),
            models.CheckConstraint(
                condition=Q(profession=Profession.MEDICINE) | Q(sponsor__isnull=False),
                name="non_medics_need_a_sponsor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_profession_display()} in {self.region}"

    @property
    def needs_sponsor(self) -> bool:
        return self.profession in NON_MEDICAL_PROFESSIONS


class Criterion(models.Model):
    """A person-specification criterion: applicants write against it, panellists score against it."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=150)
    description = models.TextField(help_text="What applicants should show. Applicants see this.")
    scoring_guidance = models.TextField(
        blank=True, help_text="How reviewers and panellists score it. Applicants do not see this."
    )
    word_limit = models.PositiveIntegerField(default=300, validators=[MinValueValidator(10)])

    class Meta:
        ordering = ["round", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class RequiredDocument(models.Model):
    """A document every applicant to the round must upload, besides the CV (e.g. a reference letter)."""

    round = models.ForeignKey(
        RecruitmentRound, on_delete=models.CASCADE, related_name="required_documents"
    )
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "name"]

    def __str__(self) -> str:
        return self.name
