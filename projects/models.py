"""AI project proposals on the standard template, their vetting against the checklist, and milestones."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import FellowStatus, Role
from fellowship.filejobs import FileJob
from fellowship.models import Cohort, CurriculumTheme, Organisation, Region
from fellowship.uploads import private_upload_to

from . import rules as r
from .enums import (
    EDITABLE,
    AIModality,
    Answer,
    ChecklistGroup,
    Decision,
    Likelihood,
    MatchingStatus,
    MilestoneStatus,
    ProposalStatus,
    RegulatoryStatus,
    Severity,
)
from .risk import clinical_risk


class ClinicalDomain(models.Model):
    """A managed list of clinical domains (Radiology, Oncology ...), matched case-insensitively on import."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user) -> ProjectQuerySet:
        """Faculty see all; supervisors their own; fellows the approved catalogue and their own project."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.FACULTY):
            return self
        visible = Q(supervisor=user) | Q(placements__fellow__user=user)
        if user.has_role(Role.FELLOW, Role.ALUMNUS):
            visible |= Q(status=ProposalStatus.APPROVED)
        return self.filter(visible).distinct()

    def approved(self) -> ProjectQuerySet:
        return self.filter(status=ProposalStatus.APPROVED)

    def with_alumnus_flag(self) -> ProjectQuerySet:
        """Annotate `alumnus_supervisor` (Project.supervisor_is_alumnus) for a whole list in one query."""
        from fellowship.models import Fellow

        graduated = Fellow.objects.filter(
            user_id=OuterRef("supervisor_id"), status=FellowStatus.GRADUATED
        )
        named = Fellow.objects.filter(ref=OuterRef("supervisor_name"))
        return self.annotate(
            alumnus_supervisor=Case(
                When(supervisor__isnull=False, then=Exists(graduated)),
                When(~Q(supervisor_name=""), then=Exists(named)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


def new_project_ref() -> str:
    return "P-" + secrets.token_hex(3).upper()


class Project(RulesModel):
    """An AI project: proposed by a supervisor on the standard template, vetted, then run with fellows."""

    ref = models.CharField("reference", max_length=40, unique=True, default=new_project_ref)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="projects")
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_projects",
    )
    # The supervisor's name as the history records it (a fellow ref marks an alumnus supervisor).
    supervisor_name = models.CharField(max_length=150, blank=True)
    # The template
    title = models.CharField(max_length=200)
    host_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    clinical_domain = models.ForeignKey(
        ClinicalDomain, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    ai_modality = models.CharField(
        "AI modality", max_length=20, choices=AIModality.choices, blank=True
    )
    summary = models.TextField(blank=True)
    clinical_problem = models.TextField(blank=True)
    ai_product = models.CharField("AI product", max_length=200, blank=True)
    ai_supplier = models.CharField("supplier", max_length=200, blank=True)
    regulatory_status = models.CharField(
        max_length=20, choices=RegulatoryStatus.choices, blank=True
    )
    evidence = models.TextField("evidence so far", blank=True)
    deployment_setting = models.TextField(blank=True)
    data_description = models.TextField("data", blank=True)
    clinical_safety_officer = models.CharField(max_length=150, blank=True)
    ig_lead = models.CharField("information governance lead", max_length=150, blank=True)
    technical_lead = models.CharField(max_length=150, blank=True)
    other_roles = models.TextField("other roles and responsibilities", blank=True)
    data_access = models.TextField(blank=True)
    compute = models.TextField(blank=True)
    funding = models.TextField(blank=True)
    protected_time = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(
        "fellows it can host", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    funder_theme = models.CharField(
        max_length=100, blank=True, help_text="For themed posts, such as Haematology."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["cohort__number", "title"]
        rules_permissions = {
            "view": r.is_faculty
            | r.is_project_supervisor
            | r.is_approved_for_fellows
            | r.is_project_fellow,
            "change": r.is_project_supervisor & r.is_editable,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def supervisor_display(self) -> str:
        """The supervisor's name for every page: their account's name, else the name the programme
        history records; an alumnus recorded by their fellow reference is shown by their name."""
        if self.supervisor_id and self.supervisor.get_full_name():
            return self.supervisor.get_full_name()
        if self.supervisor_name:
            from fellowship.models import Fellow

            alumnus = Fellow.objects.filter(ref=self.supervisor_name).select_related("user").first()
            return alumnus.display_name if alumnus is not None else self.supervisor_name
        return ""

    @property
    def supervisor_is_alumnus(self) -> bool:
        """Objective 8: supervisors who were fellows of the programme."""
        from fellowship.models import Fellow

        if self.supervisor_id:
            return Fellow.objects.filter(
                user_id=self.supervisor_id, status=FellowStatus.GRADUATED
            ).exists()
        return (
            bool(self.supervisor_name) and Fellow.objects.filter(ref=self.supervisor_name).exists()
        )


class Placement(models.Model):
    """A fellow placed on a project (the published result of matching, or the history's record)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="placements")
    fellow = models.OneToOneField(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="placement"
    )
    placed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "fellow__ref"]

    def __str__(self) -> str:
        return f"{self.fellow} on {self.project}"


class Hazard(models.Model):
    """One line of the hazard log, in the spirit of DCB0129/DCB0160."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="hazards")
    hazard = models.CharField(max_length=300)
    cause = models.TextField()
    effect = models.TextField()
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    likelihood = models.PositiveSmallIntegerField(choices=Likelihood.choices)
    mitigation = models.TextField()

    class Meta:
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return self.hazard

    @property
    def risk(self) -> int:
        return clinical_risk(self.severity, self.likelihood)


class EducationalAim(models.Model):
    """What a fellow will learn on the project, mapped to a curriculum theme."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="educational_aims")
    theme = models.ForeignKey(
        CurriculumTheme, on_delete=models.PROTECT, related_name="project_aims"
    )
    aim = models.TextField()

    class Meta:
        ordering = ["project", "theme__position", "pk"]

    def __str__(self) -> str:
        return f"{self.theme}: {self.aim[:40]}"


class Milestone(models.Model):
    """A milestone of the project year, updated by fellow and supervisor as the year goes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    target_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month of the fellowship year, 1 to 12.",
    )
    deliverable = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "target_month", "pk"]

    def __str__(self) -> str:
        return self.title


class ProposalVersion(models.Model):
    """A frozen copy of the proposal as submitted; every submission makes one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"


class ChecklistItem(models.Model):
    """One point of the quality checklist, grouped as in the paper; faculty can add and retire items."""

    group = models.CharField(max_length=20, choices=ChecklistGroup.choices)
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Review(models.Model):
    """A reviewer's vetting of one submitted version: an answer per checklist item and a decision."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    comments = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "version__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewer"], name="one_review_per_version_and_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.version} by {self.reviewer}"


class ChecklistAnswer(models.Model):
    """Met, not met or not applicable for one checklist item, with a comment the supervisor sees."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_answer_display()}"


class MatchingRound(RulesModel):
    """The matching of one cohort's fellows to its approved projects: ranking, allocation, publication."""

    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="matching_round")
    status = models.CharField(
        max_length=20, choices=MatchingStatus.choices, default=MatchingStatus.RANKING
    )
    ranking_closes_at = models.DateTimeField(
        "fellows rank projects until",
        null=True,
        blank=True,
        help_text="Leave blank to keep ranking open until you run the matching.",
    )
    themed_posts_any_project = models.BooleanField(
        "let fellows in themed posts rank any project in their region", default=False
    )
    ran_at = models.DateTimeField(null=True, blank=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cohort__number"]
        rules_permissions = {"view": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return f"Matching for {self.cohort}"

    @property
    def ranking_open(self) -> bool:
        if self.status != MatchingStatus.RANKING:
            return False
        return self.ranking_closes_at is None or timezone.now() < self.ranking_closes_at


class ProjectChoice(models.Model):
    """A fellow's ranking of a project they are eligible for: rank 1 is their first choice."""

    fellow = models.ForeignKey(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="project_choices"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["fellow", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["fellow", "project"], name="one_choice_per_project"),
            models.UniqueConstraint(fields=["fellow", "rank"], name="one_project_per_rank"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.fellow.ref} #{self.rank}: {self.project.ref}"


class SupervisorCapacity(models.Model):
    """How many fellows a supervisor can take in total across their projects in one matching."""

    matching = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="supervisor_capacities"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["matching", "supervisor"], name="one_capacity_per_supervisor"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="supervisor_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor}: {self.capacity}"


class FellowRanking(models.Model):
    """A supervisor's ranking (or faculty's, on their behalf) of the fellows who chose their projects."""

    matching = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="fellow_rankings"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    fellow = models.ForeignKey("fellowship.Fellow", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["matching", "supervisor", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["matching", "supervisor", "fellow"], name="one_rank_per_fellow"
            ),
            models.UniqueConstraint(
                fields=["matching", "supervisor", "rank"], name="one_fellow_per_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fellow.ref} ranked {self.rank}"


class ProposedMatch(models.Model):
    """One fellow's line of the allocation: the project proposed (or none) and why, before and after review."""

    matching = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    fellow = models.ForeignKey(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="proposed_matches"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The project the algorithm chose, kept when faculty override it.
    allocated_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choice_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # Why not each better choice: [{"project": ref, "title": ..., "kind": ..., "taken_by": [names]}]
    reasons = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["matching", "fellow__ref"]
        constraints = [
            models.UniqueConstraint(fields=["matching", "fellow"], name="one_proposal_per_fellow")
        ]

    def __str__(self) -> str:
        return f"{self.fellow.ref} → {self.project.ref if self.project else 'unmatched'}"

    @property
    def is_overridden(self) -> bool:
        return self.project_id != self.allocated_project_id


class CatalogueFile(FileJob):
    """The catalogue of a cohort's approved projects as a PDF, made in the background and reused
    until the catalogue changes (projects/catalogue.py)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="catalogue_files")
    # The filters printed, as a query string ("region=3&theme=Haematology"); blank for all.
    filters = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=private_upload_to("catalogues"), blank=True, max_length=255)

    class Meta(FileJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Project catalogue PDF of {self.cohort} ({self.get_state_display()})"
