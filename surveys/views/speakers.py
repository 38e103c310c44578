"""Speakers: the feedback on the workshop sessions they taught, and on nobody else's.

A speaker (fellowship.Speaker with their account) sees the results of the feedback surveys of the
workshops they spoke at; faculty see every workshop's. Anyone else gets a 404, so a survey's
existence is not revealed. Results stay hidden below the anonymity threshold for speakers even
when the survey is named, since speakers are not part of the programme team; an anonymous
survey's results wait for it to close, for everyone (`services.results`).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from fellowship.models import Speaker
from fellowship.rules import is_faculty

from .. import services
from ..enums import ANONYMITY_THRESHOLD
from ..models import Survey


def _feedback_surveys():
    return Survey.objects.sent().filter(workshop__isnull=False)


@require_http_methods(["GET"])
def my_talks(request):
    talks = (
        Speaker.objects.filter(user=request.user)
        .select_related("workshop", "workshop__cohort")
        .prefetch_related(
            Prefetch(
                "workshop__surveys",
                queryset=Survey.objects.for_user(request.user).sent().order_by("opens_at", "title"),
                to_attr="feedback_surveys",
            )
        )
        .order_by("-workshop__date", "workshop__title")
    )
    return render(
        request, "surveys/my_talks.html", {"talks": talks, "threshold": ANONYMITY_THRESHOLD}
    )


@require_http_methods(["GET"])
def speaker_results(request, pk: int):
    surveys = _feedback_surveys().select_related("workshop", "workshop__cohort")
    faculty = is_faculty(request.user)
    if not faculty:
        surveys = surveys.filter(workshop__speakers__user=request.user).distinct()
    survey = get_object_or_404(surveys, pk=pk)
    outcome = services.results(survey)
    # Below the threshold nothing is shown to a speaker, named survey or not.
    hidden = outcome.hidden or (not faculty and outcome.responses < ANONYMITY_THRESHOLD)
    context = {
        "survey": survey,
        "workshop": survey.workshop,
        "results": outcome,
        "hidden": hidden,
        "threshold": ANONYMITY_THRESHOLD,
        "speakers": survey.workshop.speakers.all(),
    }
    return render(request, "surveys/speaker_results.html", context)
