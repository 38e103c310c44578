"""What every settled score shares: a score that someone settled for one criterion of one
application, after the independent scores, and when."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from ..enums import SCORE_MAX, SCORE_MIN

SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


class SettledScore(models.Model):
    """A score settled for a criterion of an application once the independent scores are in: who
    settled it and when. Each kind declares its own application and criterion links (for their
    reverse names) and the text that explains it."""

    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
