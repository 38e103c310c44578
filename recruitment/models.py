"""Recruitment rounds, applications and the equality-monitoring store."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession, Role
from fellowship.models import Cohort, Funder, Region
from fellowship.uploads import private_upload_to

from . import rules as r
from .enums import ApprovalMethod, RegistrationBody, Stage

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
    closes_at = models.DateTimeField(help_text="Applications and employer approvals are accepted until this moment.")
    anonymised_shortlisting = models.BooleanField(
        default=True, help_text="Reviewers shortlist without the applicant's name, contact details or employer."
    )
    guidance = models.TextField(blank=True, help_text="Shown to applicants before they start.")
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
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"),
        ]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def eligible_regions(self, profession: str):
        return Region.objects.filter(eligibilities__round=self, eligibilities__profession=profession).distinct()


class Eligibility(models.Model):
    """A profession that may apply for posts in a region; non-medics only where a sponsor funds them."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="eligibilities")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="eligibilities")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    sponsor = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.PROTECT, related_name="sponsored_eligibilities",
        help_text="For professions other than medicine: the funder that pays for their posts in this region.",
    )

    class Meta:
        ordering = ["region__name", "profession"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region", "profession"], name="one_eligibility_line"),
            models.CheckConstraint(
                condition=Q(profession=Profession.MEDICINE) | Q(sponsor__isnull=False), name="non_medics_need_a_sponsor"
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
    scoring_guidance = models.TextField(blank=True, help_text="How reviewers and panellists score it. Applicants do not see this.")
    word_limit = models.PositiveIntegerField(default=300, validators=[MinValueValidator(10)])

    class Meta:
        ordering = ["round", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class RequiredDocument(models.Model):
    """A document every applicant to the round must upload, besides the CV (e.g. a reference letter)."""

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="required_documents")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "name"]

    def __str__(self) -> str:
        return self.name


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_user(self, user) -> ApplicationQuerySet:
        """Faculty see every application; everyone else only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.FACULTY):
            return self
        return self.filter(applicant=user)

    def drafts(self) -> ApplicationQuerySet:
        return self.filter(stage=Stage.DRAFT)

    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(stage=Stage.DRAFT).exclude(submitted_at__isnull=True)


def new_reference() -> str:
    return "APP-" + secrets.token_hex(4).upper()


class Application(RulesModel):
    """One person's application to a round, from first draft to its final stage."""

    ref = models.CharField("reference", max_length=40, unique=True, default=new_reference)
    round = models.ForeignKey(RecruitmentRound, on_delete=models.PROTECT, related_name="applications")
    # Blank for applications that came in through the history import.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    # How far along the selection funnel it got (kept when it later becomes withdrawn or unsuccessful).
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    # Eligibility
    profession = models.CharField(max_length=30, choices=Profession.choices, blank=True)
    registration_body = models.CharField(max_length=10, choices=RegistrationBody.choices, blank=True)
    registration_number = models.CharField(max_length=30, blank=True)
    grade = models.CharField(max_length=100, blank=True, help_text="For example ST4, Band 7 or consultant.")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    specialty = models.CharField(max_length=100, blank=True)
    employer = models.CharField("employing organisation", max_length=200, blank=True)
    # Employer's approval in principle for release at 0.4 FTE
    approval_method = models.CharField(max_length=20, choices=ApprovalMethod.choices, blank=True)
    approval_form = models.FileField(upload_to=private_upload_to("approvals"), blank=True, max_length=255)
    manager_name = models.CharField(max_length=150, blank=True)
    manager_email = models.EmailField(blank=True)
    approval_token = models.CharField(max_length=64, blank=True, db_index=True)
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Documents
    cv = models.FileField("CV", upload_to=private_upload_to("cvs"), blank=True, max_length=255)
    # Submission
    declaration_agreed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ineligible_reason = models.TextField(blank=True)
    last_step = models.CharField(max_length=20, blank=True)
    reminded_48h_at = models.DateTimeField(null=True, blank=True)
    reminded_24h_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["approval_token"])

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "applicant"], condition=Q(applicant__isnull=False), name="one_application_per_round"
            ),
        ]
        rules_permissions = {
            "view": r.is_faculty | r.is_own_application,
            "change": r.is_own_application & r.is_draft,
        }

    def __str__(self) -> str:
        return self.ref

    @property
    def is_draft(self) -> bool:
        return self.stage == Stage.DRAFT

    @property
    def approval_in_place(self) -> bool:
        if self.approval_method == ApprovalMethod.UPLOAD:
            return bool(self.approval_form)
        return self.approval_confirmed_at is not None


class Statement(models.Model):
    """The applicant's answer to one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="statements")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="statements")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "criterion"], name="one_statement_per_criterion")]

    def __str__(self) -> str:
        return f"{self.application} – {self.criterion}"

    @property
    def words(self) -> int:
        return count_words(self.text)


class ApplicationDocument(models.Model):
    """A file uploaded for one of the round's required documents."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(RequiredDocument, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(upload_to=private_upload_to("documents"), max_length=255)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "requirement"], name="one_upload_per_document")]

    def __str__(self) -> str:
        return f"{self.application} – {self.requirement}"


class StageChange(models.Model):
    """Every change of an application's stage: from, to, who, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_stage} → {self.to_stage}"


class EqualityRecord(models.Model):
    """Anonymised equality-monitoring answers, kept apart from the application.

    There is no reverse accessor from Application (related_name="+"), no admin, no form that shows
    an application with it: only aggregate counts leave this table, through recruitment.equality.
    Fields hold the import's free vocabulary as well as the form's choices, so they are plain text.
    """

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="+")
    age_band = models.CharField(max_length=40, blank=True)
    disability = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=40, blank=True)
    gender_same_as_birth = models.CharField(max_length=40, blank=True)
    sexual_orientation = models.CharField(max_length=40, blank=True)
    ethnic_group = models.CharField(max_length=80, blank=True)
    religion = models.CharField(max_length=40, blank=True)
    marital_status = models.CharField(max_length=40, blank=True)
    pregnancy_maternity = models.CharField(max_length=40, blank=True)

    class Meta:
        default_permissions = ()
        permissions = [("view_equality_monitoring", "Can see equality monitoring aggregates")]

    def __str__(self) -> str:
        return "Equality monitoring record"  # never the application's reference
