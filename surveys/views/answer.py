"""Answering: a person's open surveys and the answer form.

The answer page is reached only through the person's own invitation: anyone else gets a 404, so a
survey's existence is not revealed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .. import services
from ..enums import ANONYMITY_THRESHOLD
from ..forms import AnswerForm
from ..models import Invitation


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
    context = {"survey": survey, "form": form, "threshold": ANONYMITY_THRESHOLD}
    return render(request, "surveys/answer.html", context, status=status)
