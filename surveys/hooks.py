"""Surveys' additions to everyone's home page: the surveys they have been asked to answer, for
speakers a link to the feedback on their workshop sessions, and for the faculty surveys about to close."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fellowship.hooks import Task, home_panel, home_tasks, seeded_rows
from fellowship.models import Speaker

from .models import Survey
from .services import open_invitations

# The survey templates come with the migrations; surveys that were sent are data.
seeded_rows("surveys.survey", {"is_template": True})
seeded_rows("surveys.question", {"survey__is_template": True})

# How far ahead the faculty are told of a survey closing, to chase those who have not answered.
CLOSING_SOON = timedelta(days=7)


@home_panel
def open_surveys(request) -> dict:
    return {
        "open_surveys": list(open_invitations(request.user)),
        "speaks_at_workshops": Speaker.objects.filter(user=request.user).exists(),
    }


@home_tasks
def survey_tasks(user) -> list[Task]:
    tasks = [
        Task(
            open_invitations(user).count(),
            "survey to answer",
            "surveys to answer",
            reverse("my_surveys"),
        )
    ]
    if user.has_perm("surveys.manage_surveys"):
        now = timezone.now()
        closing = Survey.objects.filter(
            is_template=False, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON
        )
        tasks.append(
            Task(
                closing.count(),
                "survey closing within 7 days (remind those who have not answered)",
                "surveys closing within 7 days (remind those who have not answered)",
                reverse("survey_list"),
            )
        )
    return tasks
