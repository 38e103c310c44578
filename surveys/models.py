"""Surveys, their questions, the completion list (invitations) and the responses.

Anonymous surveys keep the person only in the completion list (`Invitation`: whether they have
answered, never when). Their answers first wait in a pool (`PendingResponse`), then are written
as `Response` and `Answer` rows in a random order, with random UUID keys and no date, by a
transaction that touches no invitation. Nothing links a Response, an Answer or a PendingResponse
to an Invitation or a person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import rules  # noqa: F401  (registers the surveys permissions)
from .enums import Agreement, Audience, GridScale, QuestionKind, YesNo


class SurveyQuerySet(models.QuerySet["Survey"]):
    def for_user(self, user) -> SurveyQuerySet:
        """Those who manage surveys (faculty) see every survey and template; a speaker the sent
        feedback surveys of the workshops they spoke at; anyone else none (people answer
        through their own invitation)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("surveys.manage_surveys"):
            return self
        return self.sent().filter(workshop__speakers__user=user).distinct()

    def templates(self) -> SurveyQuerySet:
        return self.filter(is_template=True)

    def sent(self) -> SurveyQuerySet:
        return self.filter(is_template=False)

    def closed(self, moment=None) -> SurveyQuerySet:
        """Sent surveys whose closing time has passed: an anonymous survey's results, and the
        numbers made from them, may be read only then (`services.results`)."""
        return self.sent().filter(closes_at__lte=moment or timezone.now())


class Survey(models.Model):
    """A questionnaire sent to an audience between opening and closing, or a template to copy."""

    key = models.SlugField(
        max_length=60, help_text="What kind of survey this is, e.g. panellist_feedback."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Shown above the questions.")
    audience = models.CharField(max_length=200, blank=True, help_text="Who it is for, in words.")
    audience_kind = models.CharField(max_length=30, choices=Audience.choices, blank=True)
    workshop = models.ForeignKey(
        "fellowship.Workshop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    reminder_every_days = models.PositiveSmallIntegerField(
        "days between reminders",
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text="People who have not answered get at most one reminder in this many days.",
    )
    anonymous = models.BooleanField(
        default=False, help_text="Responses keep no link to the person who answered."
    )
    is_template = models.BooleanField(default=False)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    cohort = models.ForeignKey(
        "fellowship.Cohort", null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )
    round = models.ForeignKey(
        "recruitment.RecruitmentRound",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(is_template=True), name="one_template_per_key"
            ),
            models.UniqueConstraint(
                fields=["key", "round"],
                condition=Q(round__isnull=False),
                name="one_survey_of_a_kind_per_round",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, moment=None) -> bool:
        if self.is_template:
            return False
        moment = moment or timezone.now()
        if self.opens_at and moment < self.opens_at:
            return False
        return not (self.closes_at and moment >= self.closes_at)


class Question(models.Model):
    """One question, with a key that stays the same across copies of the survey and in exports."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A heading that starts a new section of the survey at this question (blank: same section).
    section = models.CharField(max_length=200, blank=True)
    # Grid questions: what each row is answered on.
    scale = models.CharField(max_length=20, choices=GridScale.choices, blank=True)
    # Choice questions: [[value, label], ...]. Agreement questions use the 5-point scale instead.
    options = models.JSONField(default=list, blank=True)
    # Grid questions: the rows (such as the curriculum themes), [[key, label], ...].
    rows = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique_in_survey"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The (value, label) pairs a choice or agreement question offers."""
        if self.kind == QuestionKind.AGREEMENT or (
            self.kind == QuestionKind.GRID and self.scale == GridScale.AGREEMENT
        ):
            return list(Agreement.choices)
        if self.kind == QuestionKind.GRID:
            return list(YesNo.choices)
        return [(str(value), str(label)) for value, label in self.options]


class Invitation(models.Model):
    """The completion list: who was asked, reminded, and whether they have answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    # Only for named surveys: an anonymous survey's completion keeps no date, so the completion
    # list cannot be matched with the responses' dates.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "person__full_name", "person__email"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="one_invitation_per_person"),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed=True),
                name="completion_time_only_when_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.survey}"


class PendingResponse(models.Model):
    """An anonymous survey's answers waiting to be released into the responses, in a batch.

    No person, no time and a random key; `answers` maps each answered question's id (as text) to
    its stored value. See `services.release_answers`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending_responses")
    answers = models.JSONField()

    def __str__(self) -> str:
        return f"Answers waiting to be released, {self.survey}"


class Response(models.Model):
    """One person's answers; for anonymous surveys with no respondent and no date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        help_text="Empty for anonymous surveys.",
    )
    # Named surveys: the day of answering. Anonymous surveys: empty (a history import may give
    # every response of a survey the same day), so no response can be dated to a person.
    submitted_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Response to {self.survey}"


class Answer(models.Model):
    """The answer to one question within a response, as JSON (a value, a list or a number)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.value}"
