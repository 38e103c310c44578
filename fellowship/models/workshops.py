"""Workshops of the teaching programme, and the speakers who taught at them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from .. import rules as r
from ..enums import SpeakerSector
from .programme import Cohort, CurriculumTheme, Organisation


class WorkshopQuerySet(models.QuerySet["Workshop"]):
    def upcoming(self) -> WorkshopQuerySet:
        return self.filter(date__gte=timezone.localdate()).order_by("date")


# The longest teaching a workshop record may hold: one day of at most 12 hours.
WORKSHOP_MAX_MINUTES = 12 * 60


class Workshop(RulesModel):
    """A teaching day of the curriculum; some are regional showcases hosted at centres of excellence."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="workshops")
    date = models.DateField()
    title = models.CharField(max_length=200)
    host_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_workshops",
    )
    regional_showcase = models.BooleanField(default=False)
    # How long the teaching lasted, breaks included: the report's teaching hours. Blank when not
    # recorded (older history); the report then says how many workshops have no length.
    duration_minutes = models.PositiveSmallIntegerField(
        "length in minutes",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(WORKSHOP_MAX_MINUTES)],
        help_text="Optional. For example, 390 for a day from 9:30am to 4pm. At most 12 hours (720).",
    )
    themes = models.ManyToManyField(CurriculumTheme, blank=True, related_name="workshops")
    # Who came: workshop feedback surveys go to the attendees.
    attendees = models.ManyToManyField("Fellow", blank=True, related_name="workshops_attended")
    history = HistoricalRecords(m2m_fields=[themes])

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "date", "title"], name="one_workshop_per_title_and_day"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=WORKSHOP_MAX_MINUTES),
                name="workshop_duration_in_range",
            ),
        ]
        rules_permissions = {
            "view": r.is_faculty | r.attends_workshop_cohort,
            "add": r.is_faculty,
            "change": r.is_faculty,
        }

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %B %Y})"


class Speaker(models.Model):
    """Someone who taught at a workshop; the sector tells industry and regulator speakers apart."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    role_title = models.CharField("role", max_length=150, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(
        max_length=20, choices=SpeakerSector.choices, default=SpeakerSector.NHS
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talks",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.affiliation}" if self.affiliation else self.name
