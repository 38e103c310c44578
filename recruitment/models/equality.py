"""The equality-monitoring store, kept apart from the applications, and the counts that outlive it."""

from __future__ import annotations

from django.db import models

from ..enums import Stage
from .applications import Application
from .rounds import RecruitmentRound


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
