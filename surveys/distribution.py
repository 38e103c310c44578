"""Sending surveys to an audience, the completion list, and reminders to those who have not answered.

The audience of a survey is drawn when it is sent: the in-post fellows of a cohort, the fellows who
attended a workshop, alumni (graduated fellows, of every cohort or of one), or the panellists of a
recruitment round. Only people with an active account can be invited; the preview names the
fellows who cannot be, so that the programme team can chase their accounts first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from fellowship.dates import start_of_day
from fellowship.models import Cohort, Fellow, User, Workshop
from fellowship.notifications import notify
from recruitment.models import RecruitmentRound

from . import services
from .enums import Audience
from .models import Invitation, Survey

log = logging.getLogger("fellowship.audit")


@dataclass
class AudienceChoice:
    """Who a survey goes to: the kind of audience and the cohort, workshop or round it names."""

    kind: str
    cohort: Cohort | None = None
    workshop: Workshop | None = None
    round: RecruitmentRound | None = None

    def key(self) -> tuple:
        """What identifies the audience: its kind and only the cohort, workshop or round that
        kind uses (a workshop survey sent to a cohort keeps its workshop, which is not its
        audience)."""
        if self.kind == Audience.WORKSHOP_ATTENDEES:
            return (self.kind, self.workshop)
        if self.kind == Audience.ROUND_PANELLISTS:
            return (self.kind, self.round)
        return (self.kind, self.cohort)

    def describe(self) -> str:
        """The audience in words, as the survey's `audience` field keeps it."""
        if self.kind == Audience.COHORT_FELLOWS:
            return f"The fellows in post of {self.cohort}"
        if self.kind == Audience.WORKSHOP_ATTENDEES:
            return f"Those who attended {self.workshop}"
        if self.kind == Audience.ALUMNI:
            return f"Alumni of {self.cohort}" if self.cohort else "Alumni of every cohort"
        if self.kind == Audience.ROUND_PANELLISTS:
            return f"The interview panellists of {self.round}"
        return ""


@dataclass
class AudienceList:
    """The people an audience invites, and the fellows in it who cannot be invited."""

    people: list[User] = field(default_factory=list)
    # Fellows with no account (or a closed one): named so the programme team can follow them up.
    without_account: list[Fellow] = field(default_factory=list)


@dataclass
class Preview:
    """What sending would do: who is new, who was already invited, who cannot be invited."""

    audience: AudienceList
    already_invited: list[User]
    to_invite: list[User]


def clean_audience(choice: AudienceChoice) -> None:
    """ValidationError (keyed by field) unless the choice names what its kind needs."""
    errors: dict[str, str] = {}
    if choice.kind not in Audience.values:
        errors["audience_kind"] = "Select who the survey is for"
    elif choice.kind == Audience.COHORT_FELLOWS and choice.cohort is None:
        errors["cohort"] = "Select the cohort whose fellows will be asked"
    elif choice.kind == Audience.WORKSHOP_ATTENDEES and choice.workshop is None:
        errors["workshop"] = "Select the workshop whose attendees will be asked"
    elif choice.kind == Audience.ROUND_PANELLISTS and choice.round is None:
        errors["round"] = "Select the recruitment round whose panellists will be asked"
    if errors:
        raise ValidationError(errors)


def audience_members(choice: AudienceChoice) -> AudienceList:
    """Everyone the audience names who can be invited (an active account), in name order."""
    clean_audience(choice)
    if choice.kind == Audience.ROUND_PANELLISTS:
        return AudienceList(people=list(services.round_panellists(choice.round)))
    if choice.kind == Audience.COHORT_FELLOWS:
        fellows = Fellow.objects.in_post().filter(cohort=choice.cohort)
    elif choice.kind == Audience.WORKSHOP_ATTENDEES:
        fellows = choice.workshop.attendees.all()
    else:
        fellows = Fellow.objects.graduated()
        if choice.cohort is not None:
            fellows = fellows.filter(cohort=choice.cohort)
    people: dict[int, User] = {}
    without: list[Fellow] = []
    for fellow in fellows.select_related("user", "cohort").order_by("full_name", "ref"):
        if fellow.user is not None and fellow.user.is_active:
            people.setdefault(fellow.user.pk, fellow.user)
        else:
            without.append(fellow)
    ordered = sorted(people.values(), key=lambda u: (u.full_name.casefold(), u.email))
    return AudienceList(people=ordered, without_account=without)


def clean_schedule(
    opens_at: datetime | None, closes_at: datetime | None, *, now: datetime | None = None
) -> None:
    """ValidationError (keyed by field) unless the survey opens, then closes, in the future."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if opens_at is None:
        errors["opens_at"] = "Enter the date and time the survey opens"
    if closes_at is None:
        errors["closes_at"] = "Enter the date and time the survey closes"
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = "The closing date and time must be after the opening date and time"
    elif closes_at <= now:
        errors["closes_at"] = "The closing date and time must be in the future"
    if errors:
        raise ValidationError(errors)


def check_audience(survey: Survey, choice: AudienceChoice) -> None:
    """ValidationError unless `choice` is complete and, once the survey was sent, unchanged."""
    clean_audience(choice)
    sent_to = _sent_audience(survey)
    if sent_to is None:
        return
    if sent_to.key() != choice.key():
        raise ValidationError(
            {
                "audience_kind": "This survey has already been sent to "
                f"{sent_to.describe()[0].lower()}{sent_to.describe()[1:]}. Send it to the same "
                "audience to add people who have joined since, or copy the survey to ask others"
            }
        )


def preview(survey: Survey, choice: AudienceChoice) -> Preview:
    """Who sending `survey` to `choice` would invite now, without changing anything.

    ValidationError as `check_audience`.
    """
    check_audience(survey, choice)
    members = audience_members(choice)
    invited = set(survey.invitations.values_list("person_id", flat=True))
    return Preview(
        audience=members,
        already_invited=[p for p in members.people if p.pk in invited],
        to_invite=[p for p in members.people if p.pk not in invited],
    )


def _sent_audience(survey: Survey) -> AudienceChoice | None:
    """The audience the survey was sent to, as stored now (the instance given may be stale)."""
    survey = Survey.objects.select_related("cohort", "workshop", "round").get(pk=survey.pk)
    if not survey.audience_kind or not survey.invitations.exists():
        return None
    return AudienceChoice(
        kind=survey.audience_kind,
        cohort=survey.cohort,
        workshop=survey.workshop,
        round=survey.round,
    )


def send(
    survey: Survey,
    choice: AudienceChoice,
    *,
    opens_at: datetime,
    closes_at: datetime,
    by: User | None,
    now: datetime | None = None,
) -> list[Invitation]:
    """Set the survey's audience and dates and invite everyone in the audience not yet invited.

    Sending again adds only people who have joined the audience since (and may move the dates);
    once a survey has been sent, its audience cannot change. Refused (ValidationError keyed by
    field, nothing changed) for a template, an incomplete audience, or dates that do not open
    before they close in the future, or for an anonymous survey that was sent and has closed
    (`services.check_reschedule`). Side effects, in one transaction: saves the survey's
    audience, cohort/workshop/round and dates; creates Invitations and e-mails each new invitee
    (`survey_invitation`, after commit) through `services.invite`; an audit log line.
    """
    if survey.is_template:
        raise ValidationError("A template cannot be sent. Create a survey from it first.")
    check_audience(survey, choice)
    clean_schedule(opens_at, closes_at, now=now)
    services.check_reschedule(survey, closes_at=closes_at, now=now)
    if choice.kind == Audience.ROUND_PANELLISTS:
        # One survey of a kind per round (a constraint): say so rather than fail on saving.
        twin = Survey.objects.filter(key=survey.key, round=choice.round).exclude(pk=survey.pk)
        if twin.exists():
            raise ValidationError(
                {"round": f"This round already has the survey {twin.first().title}. Send that one"}
            )
    members = audience_members(choice)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        survey.audience_kind = choice.kind
        survey.audience = choice.describe()
        # The audience's own cohort/workshop/round; a workshop survey keeps its workshop.
        if choice.kind in (Audience.COHORT_FELLOWS, Audience.ALUMNI):
            survey.cohort = choice.cohort
        elif choice.kind == Audience.WORKSHOP_ATTENDEES:
            survey.workshop = choice.workshop
            survey.cohort = choice.workshop.cohort
        elif choice.kind == Audience.ROUND_PANELLISTS:
            survey.round = choice.round
        survey.opens_at = opens_at
        survey.closes_at = closes_at
        survey.save()
        invitations = services.invite(survey, members.people, by=by)
    log.info(
        "survey %s sent to %s by user %s: %d new",
        survey.pk,
        choice.kind,
        by.pk if by else None,
        len(invitations),
    )
    return invitations


@dataclass
class CompletionList:
    """Who was asked and who has answered; for anonymous surveys only how many, never who.

    A named survey lists the people on each side. An anonymous survey lists nobody (comparing two
    looks at a list would name whoever answered in between) and gives how many have answered as
    `services.answered_as_shown` does: in steps while it is open.
    """

    invited: int
    answered_count: services.Answered
    answered: list[Invitation] = field(default_factory=list)
    not_answered: list[Invitation] = field(default_factory=list)


def completion_list(survey: Survey, *, now: datetime | None = None) -> CompletionList:
    """The survey's invitations split by whether the person has answered, each in name order;
    for an anonymous survey only the counts (see CompletionList).

    Only the Invitation rows are read: nothing here touches the responses, so the list cannot be
    matched with what anyone answered. Two queries.
    """
    if survey.anonymous:
        counts = survey.invitations.aggregate(
            invited=Count("pk"), answered=Count("pk", filter=Q(completed=True))
        )
        return CompletionList(
            invited=counts["invited"],
            answered_count=services.answered_as_shown(
                counts["answered"], anonymous=True, closed=services.has_closed(survey, now)
            ),
        )
    invitations = list(
        survey.invitations.select_related("person").order_by("person__full_name", "person__email")
    )
    answered = [i for i in invitations if i.completed]
    return CompletionList(
        invited=len(invitations),
        answered_count=services.answered_as_shown(len(answered), anonymous=False, closed=False),
        answered=answered,
        not_answered=[i for i in invitations if not i.completed],
    )


# Reminders --------------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """E-mail one reminder to each person who has not answered an open survey and has heard
    nothing about it (invitation or reminder) for the survey's `reminder_every_days` days.

    Days are counted as UK calendar days, so a daily run at the same hour reminds exactly every
    N days whatever the minutes. Nothing is sent for a survey that has closed or not opened, or to
    anyone who has answered or whose account is closed. Idempotent: each reminder is claimed by a
    conditional update of `reminded_at` before it is queued, so a second run sends nothing.
    Side effects: sets Invitation.reminded_at; queues `survey_reminder` e-mails (after commit).
    Returns how many reminders were queued.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    surveys = (
        Survey.objects.sent()
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    )
    sent = 0
    for survey in surveys:
        # Heard from us on or before this day: due for a reminder today.
        due = start_of_day(today - timedelta(days=survey.reminder_every_days - 1))
        pending = (
            Invitation.objects.filter(
                survey=survey, completed=False, person__is_active=True, invited_at__lt=due
            )
            .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=due))
            .select_related("person")
        )
        path = reverse("survey_answer", args=[survey.pk])
        for invitation in pending:
            with transaction.atomic():
                claimed = (
                    Invitation.objects.filter(pk=invitation.pk, completed=False)
                    .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=due))
                    .update(reminded_at=now)
                )
                if claimed:
                    notify(
                        "survey_reminder",
                        to=invitation.person.email,
                        context={"survey": survey, "person": invitation.person, "path": path},
                    )
                    sent += 1
    if sent:
        log.info("survey reminders: %d queued", sent)
    return sent
