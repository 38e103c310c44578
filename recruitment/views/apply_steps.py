"""The steps of a draft application: eligibility, personal statement, documents and the
employer's approval.

Each step page shows its form; a POST hands the valid answers to one service verb
(`recruitment.applications`), which saves them under a row lock, and moves on. Drafts save without
completeness checks; only values that cannot be stored as given (a file that is not a PDF, a
malformed e-mail address) are refused, and shown again. The page's script autosaves
(`action=save`) and gets JSON back.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import applications, services
from ..deadlines import deadline_passed_message
from ..forms.apply import ApprovalForm, DocumentsForm, EligibilityForm, StatementForm
from ..models import Application
from ..steps import NEXT_URL, STEP_TITLES, is_filled, statement_texts
from .apply_common import (
    application_for,
    deadline_context,
    may_edit,
    problem_links,
    returns_to_review,
    saved_stamp,
    summary,
)


def _step_page(
    request, application: Application, *, step: str, form, template: str, status: int = 200, **extra
):
    found = [p for p in services.problems(application) if p.step == step]
    texts = statement_texts(application)
    flags = [
        p
        for p in found
        if (is_filled(application, p.field, texts) or p.field == "manager_email")
        and p.field not in form.errors  # already in the error summary
    ]
    context = {
        **deadline_context(application.round),
        **saved_stamp(application),
        "application": application,
        "form": form,
        "step": step,
        "step_title": STEP_TITLES.get(step, ""),
        "flags": problem_links(application, flags),
        "return_to_review": returns_to_review(request),
        **extra,
    }
    return render(request, template, context, status=status)


def _edit_step(request, ref: str, *, step: str, make_form, save, template: str, extra=None):
    """The shared life of a step page: show the form; on POST save what is valid, move on.

    `make_form(application, data, files)` builds the form; `save(request, application, form)` makes
    the one service call and returns the saved application.
    """
    application = application_for(request, ref)
    if not may_edit(request, application):
        return redirect("application_overview", ref=application.ref)
    autosave = request.method == "POST" and request.POST.get("action") == "save"
    if request.method != "POST":
        if not application.round.is_open():
            return redirect("application_overview", ref=application.ref)
        form = make_form(application, None, None)
        return _step_page(
            request,
            application,
            step=step,
            form=form,
            template=template,
            **(extra(application) if extra else {}),
        )

    deadline_error = ""
    form = make_form(application, request.POST, request.FILES)
    form.is_valid()  # errors are shown again below; the valid answers are saved regardless
    try:
        application = save(request, application, form)
    except applications.NotADraft as exc:
        if autosave:
            return JsonResponse({"error": " ".join(exc.messages)}, status=409)
        messages.error(request, "This application has been submitted and can no longer be changed.")
        return redirect("application_overview", ref=application.ref)
    except services.DeadlinePassed:
        deadline_error = deadline_passed_message(application.round)
    except ValidationError as exc:
        form.add_error(None, exc)

    if autosave:
        if deadline_error:
            return JsonResponse({"error": deadline_error}, status=409)
        application.refresh_from_db(fields=["updated_at"])
        payload = saved_stamp(application)
        # Answers that could not be stored as typed: the page keeps its local copy of them.
        payload["unsaved"] = [str(form[name].label) for name in form.errors if name in form.fields]
        return JsonResponse(payload)
    if deadline_error or form.errors:
        extra_context = extra(application) if extra else {}
        return _step_page(
            request,
            application,
            step=step,
            form=form,
            template=template,
            deadline_error=deadline_error,
            **extra_context,
        )
    if request.POST.get("action") == "later":
        closes = timezone.localtime(application.round.closes_at)
        messages.success(
            request,
            f"Your application has been saved. You can come back to it at any time before {closes:%-d %B %Y at %H:%M} {closes.tzname()}.",
        )
        return redirect("application_overview", ref=application.ref)
    if returns_to_review(request):
        return redirect("application_review", ref=application.ref)
    return redirect(NEXT_URL[step], ref=application.ref)


@require_http_methods(["GET", "POST"])
def eligibility(request, ref: str):
    def make_form(application, data, files):
        return EligibilityForm(data, instance=application)

    def save(request, application, form):
        return applications.save_answers(
            application, form.answers(), step="eligibility", by=request.user
        )

    def extra(application):
        lines = application.round.eligibilities.select_related("region").order_by(
            "region__name", "profession"
        )
        return {"eligibilities": lines}

    return _edit_step(
        request,
        ref,
        step="eligibility",
        make_form=make_form,
        save=save,
        template="recruitment/apply/eligibility.html",
        extra=extra,
    )


@require_http_methods(["GET", "POST"])
def statement(request, ref: str):
    def make_form(application, data, files):
        # Autosave stores the draft and leaves the word limit to the live count; the buttons
        # store it too, but stop on the page until the statement is short enough.
        return StatementForm(
            data,
            criteria=application.round.criteria.all(),
            texts=statement_texts(application),
            check_word_limits=data is not None and data.get("action") != "save",
        )

    def save(request, application, form):
        return applications.save_statement(application, form.texts(), by=request.user)

    return _edit_step(
        request,
        ref,
        step="statement",
        make_form=make_form,
        save=save,
        template="recruitment/apply/statement.html",
    )


@require_http_methods(["GET", "POST"])
def documents(request, ref: str):
    def make_form(application, data, files):
        return DocumentsForm(data, files, instance=application)

    def save(request, application, form):
        return applications.save_answers(
            application,
            form.answers(),
            step="documents",
            uploads=form.new_documents(),
            by=request.user,
        )

    return _edit_step(
        request,
        ref,
        step="documents",
        make_form=make_form,
        save=save,
        template="recruitment/apply/documents.html",
        extra=summary,
    )


@require_http_methods(["GET", "POST"])
def approval(request, ref: str):
    def make_form(application, data, files):
        return ApprovalForm(data, files, instance=application)

    def save(request, application, form):
        # "Save and continue" sends the request the first time and whenever the manager's details
        # change; "Send the request again" sends a fresh link. Autosave and "come back later"
        # never do.
        action = request.POST.get("action")
        saved = applications.save_approval(
            application,
            form.answers(),
            by=request.user,
            send=action in ("continue", "resend") and not form.errors,
            again=action == "resend",
        )
        for name, message in saved.missing.items():
            form.add_error(name, message)
        if saved.requested:
            messages.success(
                request,
                f"We have emailed {saved.application.manager_name} a link to confirm their approval.",
            )
        return saved.application

    return _edit_step(
        request,
        ref,
        step="approval",
        make_form=make_form,
        save=save,
        template="recruitment/apply/approval.html",
    )
