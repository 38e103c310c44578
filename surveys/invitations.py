"""Asking people to answer a survey: invitations, panellist feedback, and the surveys a person
still has to answer."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from fellowship.models import User
from fellowship.notifications import notify

from .copying import actor_pk, create_from_template
from .enums import (
    PANELLIST_FEEDBACK,
)
from .models import Invitation, Survey

if TYPE_CHECKING:
    from recruitment.models import RecruitmentRound

log = logging.getLogger("fellowship.audit")

PANELLIST_FEEDBACK_DAYS = 14


def invite(survey: Survey, people: Iterable[User], *, by: User | None) -> list[Invitation]:
    """Invite each person not yet invited; returns the new invitations.

    Side effects: creates Invitations; e-mails each new invitee the `survey_invitation` message
    with the link (after commit); an audit log line.
    """
    if survey.is_template:
        raise ValidationError("A template cannot be sent. Create a survey from it first.")
    if survey.closes_at and survey.closes_at <= timezone.now():
        raise ValidationError("This survey has closed, so nobody more can be invited.")
    people = list({p.pk: p for p in people}.values())
    already = set(
        Invitation.objects.filter(survey=survey, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    now = timezone.now()
    with transaction.atomic():
        created = Invitation.objects.bulk_create(
            Invitation(survey=survey, person=p, invited_at=now)
            for p in people
            if p.pk not in already
        )
        url = reverse("survey_answer", args=[survey.pk])
        for invitation in created:
            notify(
                "survey_invitation",
                to=invitation.person.email,
                context={
                    "survey": survey,
                    "person": invitation.person,
                    "path": url,
                    "now": timezone.now(),
                },
            )
    log.info("survey %s: %d invited by user %s", survey.pk, len(created), actor_pk(by))
    return created


def send_panellist_feedback(
    round: RecruitmentRound, *, by: User | None
) -> tuple[Survey, list[Invitation]]:
    """The round's panellist feedback survey, sent to every member of its interview panels.

    The first call creates the survey from the template (closing in 14 days); later calls invite
    only panellists not yet invited. Side effects: as `create_from_template` and `invite`.
    """
    with transaction.atomic():
        survey = Survey.objects.filter(key=PANELLIST_FEEDBACK, round=round).first()
        if survey is None:
            now = timezone.now()
            survey = create_from_template(
                PANELLIST_FEEDBACK,
                by=by,
                round=round,
                title=f"Panellist feedback: {round.name}",
                audience=f"The interview panellists of {round.name}",
                opens_at=now,
                closes_at=now + timedelta(days=PANELLIST_FEEDBACK_DAYS),
            )
        invitations = invite(survey, round_panellists(round), by=by)
    return survey, invitations


def round_panellists(round: RecruitmentRound) -> QuerySet[User]:
    """Everyone who sits on one of the round's interview panels."""
    return (
        User.objects.filter(interview_panels__round=round).distinct().order_by("full_name", "email")
    )


def open_invitations(user: User) -> QuerySet[Invitation]:
    """The surveys `user` has been asked to answer, has not answered, and can still answer."""
    now = timezone.now()
    return (
        Invitation.objects.filter(person=user, completed=False, survey__is_template=False)
        .filter(Q(survey__opens_at__isnull=True) | Q(survey__opens_at__lte=now))
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .select_related("survey")
        .order_by("survey__closes_at", "survey__title")
    )
