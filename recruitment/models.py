"""Recruitment rounds, applications and the equality-monitoring store."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession, Role
from fellowship.models import Cohort, FundedPost, Funder, Region
from fellowship.uploads import private_upload_to

from . import rules as r
from .enums import (
    SCORE_MAX,
    SCORE_MIN,
    ApprovalMethod,
    ConflictReason,
    OfferState,
    RegistrationBody,
    Stage,
)

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
        permissions = [
            ("view_equality_monitoring", "Can see equality monitoring aggregates"),
            ("manage_equality_access", "Can give and take away access to equality monitoring"),
        ]

    def __str__(self) -> str:
        return "Equality monitoring record"  # never the application's reference


class EqualityAggregate(models.Model):
    """Counts of a round's equality answers, kept once its records are removed under the retention
    policy: how many submitted applications that got as far as `furthest_stage` gave `answer`.

    recruitment.equality adds them to the rows that remain, so the figures stay as they were.
    """

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="+")
    characteristic = models.CharField(max_length=40)  # a field of EqualityRecord
    answer = models.CharField(max_length=80, blank=True)
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices)
    count = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["round", "characteristic", "answer", "furthest_stage"],
                name="one_count_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return "Equality monitoring counts"


SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


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


class Moderation(models.Model):
    """The score faculty settle on for a criterion where reviewers differed too much: who, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="moderations"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="moderations")
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_moderation_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.criterion} moderated to {self.score}"


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


class ConsensusScore(models.Model):
    """The score the panel agrees for a criterion after scoring independently."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="consensus_scores"
    )
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    note = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_consensus_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.criterion} agreed {self.score}"


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
