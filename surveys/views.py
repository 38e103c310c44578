"""Survey pages: a person's open surveys, the answer form, the results, and sending the panellist
feedback survey of a recruitment round.

The answer page is reached only through the person's own invitation: anyone else gets a 404, so a
survey's existence is not revealed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from recruitment.models import RecruitmentRound

from . import services
from .enums import PANELLIST_FEEDBACK
from .forms import AnswerForm
from .models import Invitation, Survey

manage_surveys = permission_required("surveys.manage_surveys", raise_exception=True)
view_results = permission_required("surveys.view_results", raise_exception=True)


@require_http_methods(["GET"])
def my_surveys(request):
    return render(
        request, "surveys/my_surveys.html", {"invitations": services.open_invitations(request.user)}
    )


@require_http_methods(["GET", "POST"])
def survey_answer(request, pk: int):
    invitation = get_object_or_404(
        Invitation.objects.select_related("survey"),
        survey_id=pk,
        survey__is_template=False,
        person=request.user,
    )
    survey = invitation.survey
    if invitation.completed:
        return render(request, "surveys/answered.html", {"survey": survey})
    if not survey.is_open():
        return render(request, "surveys/closed.html", {"survey": survey})
    questions = list(survey.questions.all())
    form = AnswerForm(questions, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(survey, person=request.user, answers=form.answers())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            return redirect("survey_answer", pk=survey.pk)
    status = 400 if form.errors else 200
    context = {"survey": survey, "form": form}
    return render(request, "surveys/answer.html", context, status=status)


@view_results
@require_http_methods(["GET"])
def survey_results(request, pk: int):
    survey = get_object_or_404(Survey.objects.sent().select_related("round", "cohort"), pk=pk)
    outcome = services.results(survey)
    invited = survey.invitations.count()
    completed = survey.invitations.filter(completed=True).count()
    context = {"survey": survey, "results": outcome, "invited": invited, "completed": completed}
    return render(request, "surveys/results.html", context)


@manage_surveys
@require_http_methods(["GET", "POST"])
def send_panellists(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)
    survey = Survey.objects.filter(key=PANELLIST_FEEDBACK, round=rnd).first()
    if request.method == "POST":
        try:
            survey, invitations = services.send_panellist_feedback(rnd, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("survey_send_panellists", pk=rnd.pk)
        n = len(invitations)
        if n:
            messages.success(
                request, f"Panellist feedback survey sent to {n} panellist{'s' if n != 1 else ''}."
            )
        else:
            messages.info(request, "Every panellist has already been sent the survey.")
        return redirect("survey_send_panellists", pk=rnd.pk)
    invited = set()
    if survey is not None:
        invited = set(survey.invitations.values_list("person_id", flat=True))
    panellists = list(services.round_panellists(rnd))
    context = {
        "round": rnd,
        "survey": survey,
        "panellists": [(p, p.pk in invited) for p in panellists],
        "to_invite": sum(1 for p in panellists if p.pk not in invited),
    }
    return render(request, "surveys/send_panellists.html", context)
