"""The programme and its structure: cohorts, regions, organisations, curriculum themes, funders and funded posts, the programme record, and the record of history imports."""

from __future__ import annotations

import rules
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from .. import rules as r
from ..enums import FunderKind, OrganisationKind, Role
from ..uploads import private_upload_to


class CohortQuerySet(models.QuerySet["Cohort"]):
    def funded_by(self, funder_ids) -> CohortQuerySet:
        """The cohorts these funders fund: those where one of them pays for a post or for a fellow
        (the fellows imported from the programme history carry their funder and have no post)."""
        from .fellows import Fellow  # fellows import this module (a fellow belongs to a cohort)

        return self.filter(
            Q(pk__in=FundedPost.objects.filter(funder_id__in=funder_ids).values("cohort_id"))
            | Q(pk__in=Fellow.objects.filter(funder_id__in=funder_ids).values("cohort_id"))
        )

    def with_counts(self) -> CohortQuerySet:
        return self.annotate(
            fellow_count=models.Count("fellows", distinct=True),
            region_count=models.Count("fellows__region", distinct=True),
            workshop_count=models.Count("workshops", distinct=True),
        )


class Cohort(RulesModel):
    """One year-long intake of fellows, numbered from 1."""

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Supervisors may submit new project proposals for the cohort until then (none: no limit).
    proposals_close_at = models.DateTimeField("project proposals close", null=True, blank=True)
    history = HistoricalRecords()

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="cohort_number_positive"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="cohort_ends_after_start",
            ),
        ]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return f"Cohort {self.number}"


class Region(RulesModel):
    """A geography whose funders pay for posts (an NHS England region, Wales, Scotland ...)."""

    name = models.CharField(max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name


class Organisation(RulesModel):
    """An NHS trust or team, university, company or public body that hosts projects or workshops."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.NHS_TRUST
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name


class CurriculumTheme(models.Model):
    """One of the five themes of the Clinical AI curriculum (seeded; keys match the history import)."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class FunderQuerySet(models.QuerySet["Funder"]):
    def for_user(self, user) -> FunderQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.FACULTY):
            return self
        return self.acting_for(user)

    def without_mou(self) -> FunderQuerySet:
        return self.filter(Q(mou="") | Q(mou__isnull=True))

    def acting_for(self, user) -> FunderQuerySet:
        """The funders this person holds the funder role for (faculty included: not every funder)."""
        return self.filter(pk__in=user.funder_ids)


class Funder(RulesModel):
    """A body that pays for fellows' posts under a memorandum of understanding."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=30, choices=FunderKind.choices, default=FunderKind.EDUCATION_BODY
    )
    mou = models.FileField(
        "memorandum of understanding",
        upload_to=private_upload_to("mou"),
        blank=True,
        max_length=255,
    )
    mou_signed_on = models.DateField("MoU signed on", null=True, blank=True)
    history = HistoricalRecords()

    objects = FunderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        rules_permissions = {
            "view": r.is_faculty | r.acts_for_funder,
            "add": r.is_faculty,
            "change": r.is_faculty,
        }

    def __str__(self) -> str:
        return self.name


class FundedPost(models.Model):
    """Posts a funder pays for in one cohort and region, optionally themed to a specialty."""

    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="posts")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="funded_posts")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="funded_posts")
    specialty_theme = models.CharField(
        max_length=100,
        blank=True,
        help_text="Leave blank unless the posts are for one specialty, such as Haematology.",
    )
    places = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort__number", "region__name", "funder__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "cohort", "region", "specialty_theme"],
                name="one_funded_post_line",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="funded_post_places_positive"),
        ]

    def __str__(self) -> str:
        theme = f", {self.specialty_theme}" if self.specialty_theme else ""
        return f"{self.places} × {self.region} ({self.funder}, {self.cohort}{theme})"


class Programme(models.Model):
    """The programme this service runs: extends the site record, whose name is the programme's name."""

    site = models.OneToOneField(
        "sites.Site", primary_key=True, on_delete=models.CASCADE, related_name="programme"
    )
    short_name = models.CharField(max_length=40, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    website = models.URLField(max_length=200, blank=True)
    # Written in Markdown by the faculty; the public home page shows it, sanitised.
    description = models.TextField(blank=True)
    # Shown on the benefits report's cover. PNG or JPEG only (checked by content), never SVG: an
    # SVG can carry scripts and links. Stored under a private name, like every upload.
    logo = models.FileField(upload_to=private_upload_to("programme"), blank=True, max_length=255)

    LOGO_KINDS = ("png", "jpeg")
    LOGO_MAX_BYTES = 1024 * 1024

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.site.name


def programme() -> Programme:
    """The programme's name, short name, organisation and website, for pages, reports and e-mails.

    Set by the history import's programme table; until then, the site's name and blank details.
    """
    from django.contrib.sites.models import Site

    # One query, always, and afresh: another process may have imported a new programme record.
    site = Site.objects.select_related("programme").get(pk=settings.SITE_ID)
    try:
        return site.programme
    except Programme.DoesNotExist:
        return Programme(site=site)


rules.add_perm("fellowship.manage_programme", r.is_faculty)
rules.add_perm("fellowship.import_history", r.is_faculty)
rules.add_perm("fellowship.manage_people", r.is_faculty)
rules.add_perm("fellowship.list_funders", r.is_faculty | r.is_funder)
rules.add_perm("fellowship.list_workshops", r.is_faculty | r.is_fellow | r.is_alumnus)


class HistoryImport(models.Model):
    """A record of one successful history import: who, when, from what, and what it changed."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=255)
    summary = models.JSONField(default=list)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.imported_at:%Y-%m-%d %H:%M}"
