"""Recruitment's additions to the core's pages: the applicant's home panel, everyone's recruitment
tasks on the home page, and resuming a draft after signing in."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from fellowship import rules as r
from fellowship.hooks import Task, home_panel, home_tasks, resume_url

from . import equality_access  # noqa: F401  (registers the people page's equality access section)
from .deadlines import time_left
from .models import Application, RecruitmentRound
from .rules import may_review


@home_panel
def applicant_panel(request) -> dict:
    user = request.user
    if not r.applies.test(user):
        return {}
    now = timezone.now()
    applications = list(
        Application.objects.filter(applicant=user)
        .select_related("round")
        .order_by("-round__closes_at")
    )
    mine = {a.round_id: a for a in applications}
    return {
        "open_rounds": [
            {"round": r, "application": mine.get(r.pk), "time_left": time_left(r.closes_at, now)}
            for r in RecruitmentRound.objects.open_at(now).order_by("closes_at")
        ],
        "my_applications": [
            {
                "application": a,
                "open": a.round.is_open(now),
                "time_left": time_left(a.round.closes_at, now),
            }
            for a in applications
        ],
    }


@resume_url
def resume_draft(user) -> str | None:
    """The step last saved of the person's draft in a round that is open now."""
    draft = (
        Application.objects.drafts()
        .filter(applicant=user, round__in=RecruitmentRound.objects.open_at(timezone.now()))
        .order_by("-updated_at")
        .first()
    )
    if draft is None:
        return None
    from .views.apply import STEP_URLS  # the step pages' names live with the steps

    return reverse(STEP_URLS.get(draft.last_step, "application_overview"), args=[draft.ref])


def _in_round(name: str, rnd: RecruitmentRound, **query) -> str:
    url = reverse(name, args=[rnd.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _per_round(counts: dict[int, int], one: str, many: str, url_name: str, **query) -> list[Task]:
    """A task for each round in `counts` (round id -> how many), newest first; `{round}` in the
    labels is the round's name."""
    return [
        Task(
            counts[rnd.pk],
            one.format(round=rnd),
            many.format(round=rnd),
            _in_round(url_name, rnd, **query),
        )
        for rnd in RecruitmentRound.objects.filter(pk__in=counts).order_by("-closes_at")
    ]


@home_tasks
def recruitment_tasks(user) -> list[Task]:
    """Faculty: applications to check, shortlists to moderate, offers awaiting a reply, per round.
    Reviewers and panellists: scores to give and interviews to come. Applicants: drafts to submit."""
    from . import interviews, shortlisting
    from .enums import OfferState, Stage
    from .models import InterviewPanel, InterviewSlot, Offer, ReviewerAssignment

    now = timezone.now()
    tasks: list[Task] = []
    if user.has_perm("recruitment.list_applications"):
        # Submitted to a round that has closed and not yet given to reviewers: the eligibility check.
        to_check = (
            Application.objects.filter(
                stage=Stage.SUBMITTED, round__closes_at__lte=now, reviewer_assignments__isnull=True
            )
            .values("round")
            .annotate(n=Count("pk"))
        )
        tasks += _per_round(
            {row["round"]: row["n"] for row in to_check},
            "application to check for eligibility in {round}",
            "applications to check for eligibility in {round}",
            "application_list",
            stage=Stage.SUBMITTED,
            status="submitted",
        )
    if user.has_perm("recruitment.manage_shortlisting"):
        scored_rounds = RecruitmentRound.objects.filter(
            applications__stage__in=shortlisting.SHORTLISTABLE,
            applications__reviewer_assignments__scores__isnull=False,
        ).distinct()
        for rnd in scored_rounds.order_by("-closes_at"):
            _, groups = shortlisting.results(rnd)
            flagged = sum(1 for group in groups for row in group.rows if row.flagged)
            tasks.append(
                Task(
                    flagged,
                    f"application to moderate before the shortlist for {rnd}",
                    f"applications to moderate before the shortlist for {rnd}",
                    _in_round("shortlisting", rnd),
                )
            )
    if user.has_perm("recruitment.manage_offers"):
        pending = (
            Offer.objects.filter(state=OfferState.PENDING)
            .values("application__round")
            .annotate(n=Count("pk"))
        )
        tasks += _per_round(
            {row["application__round"]: row["n"] for row in pending},
            "offer waiting for the candidate's reply in {round}",
            "offers waiting for the candidates' replies in {round}",
            "offers",
        )

    # Reviewers (panellists and faculty): written applications still to score while scoring is open.
    reviews = ReviewerAssignment.objects.filter(
        reviewer=user, completed_at__isnull=True, application__stage__in=shortlisting.SHORTLISTABLE
    ).count()
    tasks.append(
        Task(
            reviews,
            "application to score for shortlisting",
            "applications to score for shortlisting",
            reverse("my_reviews"),
        )
    )

    if may_review.test(user):
        slots = list(
            InterviewSlot.objects.filter(panel__members=user, application__isnull=False)
            .select_related("application")
            .order_by("starts_at")
        )
        conflicted = interviews.conflicted(user, [s.application for s in slots])
        due = [
            s.application
            for s in slots
            if s.starts_at <= now
            and s.application.stage == Stage.SHORTLISTED
            and s.application_id not in conflicted
        ]
        to_score = len(due) - len(interviews.scored_by(user, due))
        panels_to_come = InterviewPanel.objects.filter(
            members=user, date__gte=timezone.localdate()
        ).count()
        tasks += [
            Task(to_score, "interview to score", "interviews to score", reverse("my_interviews")),
            Task(
                panels_to_come,
                "interview panel to come",
                "interview panels to come",
                reverse("my_interviews"),
            ),
        ]

    if r.applies.test(user):
        for draft in (
            Application.objects.drafts()
            .filter(applicant=user, round__in=RecruitmentRound.objects.open_at(now))
            .select_related("round")
        ):
            tasks.append(
                Task(
                    1,
                    f"application to finish and submit to {draft.round}: {time_left(draft.round.closes_at, now)}",
                    "",
                    reverse("application_overview", args=[draft.ref]),
                )
            )
    return tasks
