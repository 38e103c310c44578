"""The survey builder for faculty: the list of surveys and templates, new surveys, settings,
questions (add, change, delete, move up or down) and copies for another cohort."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fellowship.pagination import other_filters, paginate

from .. import builder, services
from ..enums import ANONYMITY_THRESHOLD
from ..forms_builder import CopyForm, QuestionForm, SurveyCreateForm, SurveyForm
from ..models import Invitation, PendingResponse, Question, Response, Survey
from . import manage_surveys


def _count(model, **filters):
    rows = (
        model.objects.filter(survey=OuterRef("pk"), **filters)
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@manage_surveys
@require_http_methods(["GET"])
def survey_list(request):
    surveys = (
        Survey.objects.for_user(request.user)
        .select_related("cohort", "workshop", "round")
        .annotate(
            n_questions=_count(Question),
            n_responses=_count(Response),
            n_pending=_count(PendingResponse),
            n_invited=_count(Invitation),
        )
        .order_by("-created_at", "-pk")
    )
    # Templates are few and all shown; the surveys sent grow with the programme, so page them.
    templates = list(surveys.filter(is_template=True))
    page = paginate(request, surveys.filter(is_template=False))
    sent = list(page.object_list)
    now = timezone.now()
    for survey in [*templates, *sent]:
        survey.status = builder.status(survey, now)
        # An open anonymous survey's count moves only in steps, so it names nobody who answered.
        survey.answered = services.answered_as_shown(
            survey.n_responses + survey.n_pending,
            anonymous=survey.anonymous,
            closed=services.has_closed(survey, now),
        )
    context = {
        "templates": templates,
        "surveys": sent,
        "threshold": ANONYMITY_THRESHOLD,
        "page_obj": page,
        "query": other_filters(request),
    }
    return render(request, "surveys/builder/survey_list.html", context)


@manage_surveys
@require_http_methods(["GET", "POST"])
def survey_create(request):
    initial = {"start": SurveyCreateForm.START_TEMPLATE}
    if "template" in request.GET:
        initial["template"] = request.GET["template"]
    form = SurveyCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey = builder.create_survey(by=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{survey.title} created. Check its questions and dates.")
            return redirect("survey_edit", pk=survey.pk)
    status = 400 if form.errors else 200
    return render(request, "surveys/builder/survey_create.html", {"form": form}, status=status)


@manage_surveys
@require_http_methods(["GET", "POST"])
def survey_edit(request, pk: int):
    survey = get_object_or_404(
        Survey.objects.select_related("cohort", "workshop", "round", "copied_from"), pk=pk
    )
    if request.method == "POST" and "move" in request.POST:
        return _move(request, survey)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            builder.update_survey(survey, by=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Survey saved.")
            return redirect("survey_edit", pk=survey.pk)
    questions = list(survey.questions.all())
    sections: list[tuple[str, list[Question]]] = []
    for question in questions:
        if question.section or not sections:
            sections.append((question.section, []))
        sections[-1][1].append(question)
    context = {
        "survey": survey,
        "form": form,
        "sections": sections,
        "first": questions[0].pk if questions else None,
        "last": questions[-1].pk if questions else None,
        "answered": builder.has_responses(survey),
    }
    status = 400 if form.errors else 200
    return render(request, "surveys/builder/survey_edit.html", context, status=status)


def _move(request, survey: Survey):
    direction = request.POST.get("direction")
    move = request.POST.get("move", "")
    # Only a number can name a question: anything else is the same as a question that has gone.
    question = (
        survey.questions.filter(pk=move).first() if move.isascii() and move.isdigit() else None
    )
    if question is None or direction not in ("up", "down"):
        messages.error(request, "That question could not be moved. Try again.")
    else:
        builder.move_question(question, up=direction == "up", by=request.user)
    return redirect(f"{request.path}#question-{question.pk if question else ''}")


@manage_surveys
@require_http_methods(["GET", "POST"])
def survey_copy(request, pk: int):
    survey = get_object_or_404(Survey.objects.select_related("cohort", "workshop"), pk=pk)
    form = CopyForm(request.POST or None, initial={"title": survey.title})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            copy = builder.copy_for(survey, by=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Copy made. Set its dates before you send it.")
            return redirect("survey_edit", pk=copy.pk)
    status = 400 if form.errors else 200
    context = {"survey": survey, "form": form}
    return render(request, "surveys/builder/survey_copy.html", context, status=status)


@manage_surveys
@require_http_methods(["GET", "POST"])
def question_create(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            builder.save_question(survey, by=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Question added.")
            return redirect("survey_edit", pk=survey.pk)
    status = 400 if form.errors else 200
    context = {"survey": survey, "form": form, "question": None}
    return render(request, "surveys/builder/question_form.html", context, status=status)


@manage_surveys
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int, question_pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    question = get_object_or_404(Question, survey=survey, pk=question_pk)
    if request.method == "POST" and "delete" in request.POST:
        try:
            builder.delete_question(question, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("question_edit", pk=survey.pk, question_pk=question.pk)
        messages.success(request, "Question deleted.")
        return redirect("survey_edit", pk=survey.pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            builder.save_question(
                survey, by=request.user, question=question, **form.service_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("survey_edit", pk=survey.pk)
    status = 400 if form.errors else 200
    context = {
        "survey": survey,
        "form": form,
        "question": question,
        "answered": builder.has_responses(survey),
    }
    return render(request, "surveys/builder/question_form.html", context, status=status)
