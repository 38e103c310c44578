"""Submitting and after: check your answers and submit, withdrawal, and the optional
equality-monitoring questions offered once the application is in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import applications, services
from ..deadlines import deadline_passed_message
from ..forms.apply import DeclarationForm, EqualityForm, WithdrawForm
from .apply_common import (
    application_for,
    deadline_context,
    may_edit,
    own_application,
    problem_links,
    summary,
)


@require_http_methods(["GET", "POST"])
def review(request, ref: str):
    """Check your answers, agree the declaration and submit."""
    application = application_for(request, ref)
    if not may_edit(request, application):
        return redirect("application_overview", ref=application.ref)
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        initial={"agree": application.declaration_agreed},
    )
    deadline_error = ""
    submit_errors: list[str] = []
    if request.method == "POST" and not application.round.is_open():
        deadline_error = deadline_passed_message(application.round)
    elif request.method == "POST" and form.is_valid():
        try:
            applications.agree_and_submit(application, by=request.user)
        except applications.NotADraft:  # a second click, or another tab, got there first
            return redirect("application_overview", ref=application.ref)
        except services.DeadlinePassed:
            deadline_error = deadline_passed_message(application.round)
        except ValidationError as exc:
            submit_errors = exc.messages
        else:
            messages.success(
                request,
                f"We have sent a confirmation email to {request.user.email}.",
            )
            return redirect("application_overview", ref=application.ref)
        application.refresh_from_db()
    elif request.method != "POST" and not application.round.is_open():
        return redirect("application_overview", ref=application.ref)
    found = services.problems(application)
    context = {
        **deadline_context(application.round),
        **summary(application),
        "application": application,
        "form": form,
        "problems": problem_links(application, found, from_review=True),
        "deadline_error": deadline_error,
        "submit_errors": [] if found else submit_errors,
    }
    return render(request, "recruitment/apply/review.html", context, status=200)


@require_http_methods(["GET", "POST"])
def withdraw(request, ref: str):
    application = own_application(request, ref)
    if not services.may_withdraw(application):
        messages.error(request, "This application cannot be withdrawn.")
        return redirect("application_overview", ref=application.ref)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "You have withdrawn your application. We have sent you an email to confirm.",
            )
            return redirect("application_overview", ref=application.ref)
    return render(
        request, "recruitment/apply/withdraw.html", {"application": application, "form": form}
    )


@require_http_methods(["GET", "POST"])
def equality(request, ref: str):
    """The optional equality-monitoring questions, offered after submission to the applicant alone.

    Answers are stored apart from the application and never shown back: once given, the page
    only says thank you.
    """
    application = own_application(request, ref)
    if application.is_draft:
        messages.info(
            request,
            "You can answer the equality monitoring questions after you submit your application.",
        )
        return redirect("application_overview", ref=application.ref)
    if services.has_equality_record(application):
        return render(
            request, "recruitment/apply/equality_thanks.html", {"application": application}
        )
    if not application.round.is_open():
        messages.info(request, "The equality monitoring questions closed with the round.")
        return redirect("application_overview", ref=application.ref)
    form = EqualityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_equality(application, form.answers(), by=request.user)
        return redirect("application_equality", ref=application.ref)
    return render(
        request, "recruitment/apply/equality.html", {"application": application, "form": form}
    )
