"""Benefits report jobs, their stored files, release and downloads; the wording faculty edit per
objective, and per report its narrative sections and the claims faculty resolved."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from fellowship.uploads import private_upload_to

from . import rules  # noqa: F401  (registers the reports permissions)
from .enums import ACTIVE_STATES, ReportState


class ReportJobQuerySet(models.QuerySet["ReportJob"]):
    def for_user(self, user) -> ReportJobQuerySet:
        """The jobs this person may see and download.

        Faculty see every job made at the policy's equality threshold (EQUALITY_SUPPRESS_BELOW),
        and those who may see equality monitoring also the internal ones made at any other;
        funders see the finished reports faculty released, at the policy's threshold, covering a
        cohort they fund (`Cohort.objects.funded_by`: a post or a fellow), never an internal one.
        """
        from fellowship.enums import Role

        if not user.is_authenticated:
            return self.none()
        at_policy = Q(suppress_below=settings.EQUALITY_SUPPRESS_BELOW)
        if user.has_role(Role.FACULTY):
            if user.has_perm("reports.request_internal_report"):
                return self
            return self.filter(at_policy)
        if user.has_role(Role.FUNDER):
            return self.filter(
                at_policy,
                state=ReportState.DONE,
                released_at__isnull=False,
                cohort__number__gte=models.Subquery(
                    # the first cohort the funder paid for: a report "as of cohort N" covers 1..N
                    _first_funded_cohort(user)
                ),
            )
        return self.none()


def _first_funded_cohort(user):
    from fellowship.models import Cohort

    return Cohort.objects.funded_by(user.funder_ids).order_by("number").values("number")[:1]


class ReportJob(models.Model):
    """One request for the benefits report "as of cohort N": its state while it renders, then the
    stored PDF and XLSX, which never change, with the data they were built from."""

    cohort = models.ForeignKey(
        "fellowship.Cohort", on_delete=models.PROTECT, related_name="report_jobs"
    )
    suppress_below = models.PositiveSmallIntegerField(
        "hide equality counts below", validators=[MaxValueValidator(100)]
    )
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    # What the job is doing now, in words ("Computing the evidence", "Drawing the PDF").
    step = models.CharField(max_length=200, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=private_upload_to("reports"), blank=True, max_length=255)
    xlsx = models.FileField(upload_to=private_upload_to("reports"), blank=True, max_length=255)
    # The data the report was built from (counts per table, when, the threshold, the wording used,
    # the key figures its claims are checked against), printed in its appendix and shown beside it.
    built_from = models.JSONField(default=dict, blank=True)
    # Faculty ask for the release; the report is drawn again with its narrative and resolved
    # claims, and released when that finishes (funders see only released reports).
    release_requested_at = models.DateTimeField(null=True, blank=True)
    release_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # Two identical requests while one is queued or rendering share it.
            models.UniqueConstraint(
                fields=["cohort", "suppress_below"],
                condition=Q(state__in=ACTIVE_STATES),
                name="one_active_job_per_report",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(state=ReportState.DONE),
                name="only_finished_reports_are_released",
            ),
        ]

    def __str__(self) -> str:
        return f"Benefits report as of {self.cohort} ({self.get_state_display()})"

    @property
    def released(self) -> bool:
        return self.released_at is not None

    @property
    def release_pending(self) -> bool:
        return self.release_requested_at is not None and self.released_at is None


class ReportDownload(models.Model):
    """Who downloaded which stored report, and when (every download is recorded)."""

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    fmt = models.CharField("format", max_length=10)
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.job} ({self.fmt})"


class ObjectiveWording(models.Model):
    """Faculty's wording for one objective of the report: stakeholders, the benefit realised, and
    evidence notes of their own (e.g. external literature). Blank fields fall back to the paper's."""

    objective = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    stakeholders = models.TextField(blank=True)
    benefit = models.TextField("benefit realised", blank=True)
    notes = models.TextField("evidence notes", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective"]

    def __str__(self) -> str:
        return f"Wording for objective {self.objective}"


class ReportSection(models.Model):
    """Faculty's text for one narrative section of one report (executive summary, lessons learned
    ...); a section with no row uses the default built from the report's figures."""

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=30)
    text = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["job", "key"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key"], name="one_text_per_report_section"),
        ]

    def __str__(self) -> str:
        return f"Section {self.key} of report job {self.job_id}"


class ClaimDecision(models.Model):
    """How faculty resolved one claim of one report whose figures do not bear it out: rewritten
    for this report (`text`), or confirmed as it stands. Who and when are printed in its appendix."""

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="claim_decisions")
    key = models.CharField(max_length=40)  # e.g. "o2.themes.0": objective, evidence row, paragraph
    text = models.TextField(blank=True)  # the rewritten sentence; blank when confirmed
    # The figure the claim was checked against when faculty decided, e.g. "lowest theme: 94%".
    figure = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["job", "key"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key"], name="one_decision_per_report_claim"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.key} of report job {self.job_id}"

    @property
    def confirmed(self) -> bool:
        return not self.text.strip()
