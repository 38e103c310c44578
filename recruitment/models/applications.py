"""Applications to a round: the answers, the personal statements, the uploaded documents and
every change of stage."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import Profession, Role
from fellowship.models import Region
from fellowship.uploads import private_upload_to

from .. import rules as r
from ..enums import ApprovalMethod, RegistrationBody, Stage
from .rounds import Criterion, RecruitmentRound, RequiredDocument, count_words


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
    round = models.ForeignKey(
        RecruitmentRound, on_delete=models.PROTECT, related_name="applications"
    )
    # Blank for applications that came in through the history import.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    # How far along the selection funnel it got (kept when it later becomes withdrawn or unsuccessful).
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    # Eligibility
    profession = models.CharField(max_length=30, choices=Profession.choices, blank=True)
    registration_body = models.CharField(
        max_length=10, choices=RegistrationBody.choices, blank=True
    )
    registration_number = models.CharField(max_length=30, blank=True)
    grade = models.CharField(
        max_length=100, blank=True, help_text="For example ST4, Band 7 or consultant."
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    specialty = models.CharField(max_length=100, blank=True)
    employer = models.CharField("employing organisation", max_length=200, blank=True)
    # Employer's approval in principle for release at 0.4 FTE
    approval_method = models.CharField(max_length=20, choices=ApprovalMethod.choices, blank=True)
    approval_form = models.FileField(
        upload_to=private_upload_to("approvals"), blank=True, max_length=255
    )
    manager_name = models.CharField(max_length=150, blank=True)
    manager_email = models.EmailField(blank=True)
    approval_token = models.CharField(max_length=64, blank=True, db_index=True)
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The manager may decline by the same link instead, giving their reason (shown to the applicant).
    approval_declined_at = models.DateTimeField(null=True, blank=True)
    approval_decline_reason = models.TextField(blank=True)
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
                fields=["round", "applicant"],
                condition=Q(applicant__isnull=False),
                name="one_application_per_round",
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

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="statements"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="statements")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_statement_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.criterion}"

    @property
    def words(self) -> int:
        return count_words(self.text)


class ApplicationDocument(models.Model):
    """A file uploaded for one of the round's required documents."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument, on_delete=models.PROTECT, related_name="uploads"
    )
    file = models.FileField(upload_to=private_upload_to("documents"), max_length=255)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"], name="one_upload_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.requirement}"


class StageChange(models.Model):
    """Every change of an application's stage: from, to, who, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_stage} → {self.to_stage}"
