"""The applicant's side of recruitment: open rounds, the application step by step, the submitted
application, withdrawal, equality monitoring, file downloads, and the manager's approval link.

Every page loads the application through `Application.objects.for_user`, so another person's
application is a 404. Step pages save drafts under a row lock: a save racing a submission from
another tab then finds the application submitted instead of quietly turning it back into a draft.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import programme
from fellowship.pdf import pdf_response, render_pdf
from fellowship.uploads import attachment

from .. import services
from ..deadlines import deadline_passed_message, time_left
from ..enums import ApprovalMethod, Stage
from ..forms.apply import (
    ApprovalForm,
    DeclarationForm,
    DocumentsForm,
    EligibilityForm,
    EqualityForm,
    ManagerDecisionForm,
    StatementForm,
    WithdrawForm,
)
from ..models import Application, RecruitmentRound, count_words

# The steps in the order the applicant meets them: (key, title, URL name).
STEPS = (
    ("eligibility", "Your eligibility", "application_eligibility"),
    ("statement", "Your personal statement", "application_statement"),
    ("documents", "Your CV and documents", "application_documents"),
    ("approval", "Your employer's approval", "application_approval"),
)
STEP_URLS = {key: url for key, _, url in STEPS} | {"review": "application_review"}
NEXT_URL = {
    key: STEP_URLS[after]
    for (key, _, _), after in zip(STEPS, [*[s[0] for s in STEPS[1:]], "review"], strict=True)
}
# Where an error-summary link lands when the field is not a single input (radios).
FIELD_IDS = {"approval_method": "id_approval_method_0"}
WITHDRAWABLE = (
    Stage.DRAFT,
    Stage.SUBMITTED,
    Stage.LONGLISTED,
    Stage.SHORTLISTED,
    Stage.INTERVIEWED,
    Stage.OFFERED,
)


# Helpers --------------------------------------------------------------------------------------


def _deadline(round: RecruitmentRound, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "round": round,
        "deadline": round.closes_at,
        "time_left": time_left(round.closes_at, now),
        "is_open": round.is_open(now),
        "closing_soon": round.is_open(now) and (round.closes_at - now).total_seconds() < 86400,
        "deadline_passed": now >= round.closes_at,
        "deadline_passed_message": deadline_passed_message(round),
    }


def _application(request, ref: str) -> Application:
    """The application, if this person may see it (their own, or any for faculty); else 404."""
    queryset = Application.objects.for_user(request.user).select_related(
        "round", "applicant", "region"
    )
    return get_object_or_404(queryset, ref=ref)


def _own_application(request, ref: str) -> Application:
    """The person's own application; 404 for anyone else's, faculty included."""
    queryset = Application.objects.filter(applicant_id=request.user.pk).select_related(
        "round", "region"
    )
    return get_object_or_404(queryset, ref=ref)


def _locked(application: Application) -> Application:
    """The application's current row, locked until the surrounding transaction ends.

    Only the application's own row (`of=("self",)`): locking the round too would queue every
    applicant of the round behind one another at the deadline.
    """
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round", "applicant", "region")
        .get(pk=application.pk)
    )


def _may_edit(request, application: Application) -> bool:
    return request.user.has_perm("recruitment.change_application", application)


def _is_filled(application: Application, field: str, texts: dict[int, str]) -> bool:
    if field.startswith("criterion_"):
        return bool(texts.get(int(field.removeprefix("criterion_")), "").strip())
    if field.startswith("document_"):
        return False
    if field == "region":
        return application.region_id is not None
    return bool(getattr(application, field, ""))


def _texts(application: Application) -> dict[int, str]:
    return {s.criterion_id: s.text for s in application.statements.all()}


def _tasks(application: Application, found: list[services.Problem]) -> list[dict]:
    """The task list: each step with its status, from what is filled and what problems() found."""
    texts = _texts(application)
    started = {
        "eligibility": any(
            [
                application.profession,
                application.registration_body,
                application.registration_number,
                application.grade,
                application.region_id,
                application.specialty,
                application.employer,
            ]
        ),
        "statement": any(t.strip() for t in texts.values()),
        "documents": bool(application.cv) or application.documents.exists(),
        "approval": any(
            [
                application.approval_method,
                application.approval_form,
                application.manager_name,
                application.manager_email,
            ]
        ),
    }
    steps_with_problems = {p.step for p in found}
    tasks = []
    for key, title, url in STEPS:
        if key not in steps_with_problems:
            status = "completed"
        elif started[key]:
            status = "in_progress"
        else:
            status = "not_started"
        tasks.append(
            {
                "key": key,
                "title": title,
                "url": reverse(url, args=[application.ref]),
                "status": status,
            }
        )
    return tasks


def _summary(application: Application) -> dict:
    """What the applicant has entered, for the read-only and check-your-answers pages."""
    texts = _texts(application)
    statements = [
        {"criterion": c, "text": texts.get(c.pk, ""), "words": count_words(texts.get(c.pk, ""))}
        for c in application.round.criteria.all()
    ]
    uploaded = {d.requirement_id: d for d in application.documents.all()}
    documents = [(r, uploaded.get(r.pk)) for r in application.round.required_documents.all()]
    return {"statements": statements, "documents": documents}


# A step opened from "Check your answers" carries `next=review` and returns there when saved.
# Only this word is read: never a URL, so no `next` can send the applicant to another site or to
# another application's page.
RETURN_TO_REVIEW = "review"


def _returns_to_review(request) -> bool:
    """Whether the step was opened by a Change link on "Check your answers"."""
    value = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return value == RETURN_TO_REVIEW


def _problem_links(
    application: Application, found: list[services.Problem], *, from_review: bool = False
) -> list[dict]:
    query = f"?next={RETURN_TO_REVIEW}" if from_review else ""
    return [
        {
            "href": reverse(STEP_URLS[p.step], args=[application.ref])
            + query
            + "#"
            + FIELD_IDS.get(p.field, f"id_{p.field}"),
            "message": p.message,
        }
        for p in found
    ]


def _saved_stamp(application: Application) -> dict:
    saved = timezone.localtime(application.updated_at)
    return {
        "saved_at": int(application.updated_at.timestamp() * 1000),
        "saved_time": f"{saved:%H:%M}",
    }


# Rounds and starting --------------------------------------------------------------------------


@permission_required("recruitment.apply", raise_exception=True)
def round_list(request):
    now = timezone.now()
    open_rounds = list(
        RecruitmentRound.objects.open_at(now).select_related("cohort").order_by("closes_at")
    )
    upcoming = (
        RecruitmentRound.objects.filter(opens_at__gt=now)
        .select_related("cohort")
        .order_by("opens_at")
    )
    mine = {
        a.round_id: a
        for a in Application.objects.filter(applicant=request.user).select_related("round")
    }
    rows = [
        {"round": r, "application": mine.get(r.pk), "time_left": time_left(r.closes_at, now)}
        for r in open_rounds
    ]
    applications = sorted(mine.values(), key=lambda a: a.round.closes_at, reverse=True)
    return render(
        request,
        "recruitment/apply/round_list.html",
        {"rows": rows, "upcoming": upcoming, "applications": applications},
    )


@permission_required("recruitment.apply", raise_exception=True)
@require_http_methods(["GET", "POST"])
def start(request, pk: int):
    round = get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)
    existing = Application.objects.filter(round=round, applicant=request.user).first()
    if existing:
        return redirect("application_overview", ref=existing.ref)
    error = ""
    if request.method == "POST":
        try:
            application = services.start_application(round, by=request.user)
        except services.DeadlinePassed:
            error = f"This round closed on {timezone.localtime(round.closes_at):%-d %B %Y at %H:%M %Z}. You can no longer apply."
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("application_eligibility", ref=application.ref)
    context = {**_deadline(round), "error": error, "opens_at": round.opens_at}
    return render(request, "recruitment/apply/start.html", context, status=400 if error else 200)


# The application -------------------------------------------------------------------------------


def overview(request, ref: str):
    """A draft's task list; once submitted (or closed), what was sent and where it has got to."""
    application = _application(request, ref)
    owner = application.applicant_id == request.user.pk
    deadline = _deadline(application.round)
    editable = owner and application.is_draft and deadline["is_open"]
    found = services.problems(application) if application.is_draft else []
    context = {
        **deadline,
        "application": application,
        "owner": owner,
        "editable": editable,
        "ready": not found,
        "withdrawable": owner and application.stage in WITHDRAWABLE,
    }
    if editable:
        context["tasks"] = _tasks(application, found)
        context["tasks_done"] = sum(t["status"] == "completed" for t in context["tasks"])
    else:
        context.update(_summary(application))
        # Equality monitoring is offered to the applicant alone, never on a page faculty see.
        context["offer_equality"] = (
            owner
            and not application.is_draft
            and application.round.is_open()
            and not services.has_equality_record(application)
        )
    return render(request, "recruitment/apply/overview.html", context)


def _step_page(
    request, application: Application, *, step: str, form, template: str, status: int = 200, **extra
):
    found = [p for p in services.problems(application) if p.step == step]
    texts = _texts(application)
    flags = [
        p
        for p in found
        if (_is_filled(application, p.field, texts) or p.field == "manager_email")
        and p.field not in form.errors  # already in the error summary
    ]
    context = {
        **_deadline(application.round),
        **_saved_stamp(application),
        "application": application,
        "form": form,
        "step": step,
        "step_title": dict((k, t) for k, t, _ in STEPS).get(step, ""),
        "flags": _problem_links(application, flags),
        "return_to_review": _returns_to_review(request),
        **extra,
    }
    return render(request, template, context, status=status)


def _edit_step(request, ref: str, *, step: str, make_form, save, template: str, extra=None):
    """The shared life of a step page: show the form; on POST lock, save what is valid, move on.

    `make_form(application, data, files)` builds the form; `save(request, application, form)` calls
    the services. Drafts save without completeness checks; only values that cannot be stored as
    given (a file that is not a PDF, a malformed e-mail address) are refused, and shown again.
    """
    application = _application(request, ref)
    if not _may_edit(request, application):
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
    with transaction.atomic():
        application = _locked(application)
        form = make_form(application, request.POST, request.FILES)
        form.is_valid()  # errors are shown again below; the valid answers are saved regardless
        try:
            if not application.is_draft:
                raise ValidationError(
                    "This application has been submitted and can no longer be changed"
                )
            save(request, application, form)
        except services.DeadlinePassed:
            deadline_error = deadline_passed_message(application.round)
        except ValidationError as exc:
            if application.is_draft:
                form.add_error(None, exc)
            else:
                if autosave:
                    return JsonResponse({"error": " ".join(exc.messages)}, status=409)
                messages.error(
                    request, "This application has been submitted and can no longer be changed."
                )
                return redirect("application_overview", ref=application.ref)

    if autosave:
        if deadline_error:
            return JsonResponse({"error": deadline_error}, status=409)
        application.refresh_from_db(fields=["updated_at"])
        payload = _saved_stamp(application)
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
    if _returns_to_review(request):
        return redirect("application_review", ref=application.ref)
    return redirect(NEXT_URL[step], ref=application.ref)


@require_http_methods(["GET", "POST"])
def eligibility(request, ref: str):
    def make_form(application, data, files):
        return EligibilityForm(data, instance=application)

    def save(request, application, form):
        services.save_draft(application, step="eligibility")

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
            texts=_texts(application),
            check_word_limits=data is not None and data.get("action") != "save",
        )

    def save(request, application, form):
        services.save_statements(application, form.texts())

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
        services.save_draft(application, step="documents")
        services.save_documents(application, form.new_documents())

    def extra(application):
        return _summary(application)

    return _edit_step(
        request,
        ref,
        step="documents",
        make_form=make_form,
        save=save,
        template="recruitment/apply/documents.html",
        extra=extra,
    )


@require_http_methods(["GET", "POST"])
def approval(request, ref: str):
    def make_form(application, data, files):
        return ApprovalForm(data, files, instance=application)

    def save(request, application, form):
        before = (form.initial.get("manager_name") or "", form.initial.get("manager_email") or "")
        services.save_draft(application, step="approval")
        action = request.POST.get("action")
        if (
            application.approval_method != ApprovalMethod.MANAGER_LINK
            or action not in ("continue", "resend")
            or form.errors
        ):
            return
        # "Save and continue" sends the request the first time and whenever the manager's details
        # change; "Send the request again" sends a fresh link. Autosave and "come back later" never do.
        if not application.manager_name:
            form.add_error("manager_name", "Enter your manager's full name")
        if not application.manager_email:
            form.add_error("manager_email", "Enter your manager's email address")
        if form.errors:
            return
        changed = before != (application.manager_name, application.manager_email)
        if action == "resend" or application.approval_requested_at is None or changed:
            services.request_manager_approval(application, by=request.user)
            messages.success(
                request,
                f"We have emailed {application.manager_name} a link to confirm their approval.",
            )

    return _edit_step(
        request,
        ref,
        step="approval",
        make_form=make_form,
        save=save,
        template="recruitment/apply/approval.html",
    )


@require_http_methods(["GET", "POST"])
def review(request, ref: str):
    """Check your answers, agree the declaration and submit."""
    application = _application(request, ref)
    if not _may_edit(request, application):
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
            with transaction.atomic():
                locked = _locked(application)
                if not locked.is_draft:  # a second click, or another tab, got there first
                    return redirect("application_overview", ref=application.ref)
                locked.declaration_agreed = True
                services.save_draft(locked, step="review")
            application = services.submit_application(locked, by=request.user)
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
        **_deadline(application.round),
        **_summary(application),
        "application": application,
        "form": form,
        "problems": _problem_links(application, found, from_review=True),
        "deadline_error": deadline_error,
        "submit_errors": [] if found else submit_errors,
    }
    return render(request, "recruitment/apply/review.html", context, status=200)


@require_http_methods(["GET", "POST"])
def withdraw(request, ref: str):
    application = _own_application(request, ref)
    if application.stage not in WITHDRAWABLE:
        messages.error(request, "This application cannot be withdrawn.")
        return redirect("application_overview", ref=application.ref)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = _locked(application)
            try:
                services.withdraw_application(
                    locked, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
        if not form.errors:
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
    application = _own_application(request, ref)
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


# Files: only through these views, to the applicant and faculty -----------------------------------


def _audit_file(request, application: Application, what: str) -> None:
    """Anyone but the applicant opening an application's file goes in the audit log."""
    if request.user.pk != application.applicant_id:
        audit.record(
            AuditAction.DOWNLOADED,
            AuditSubject.APPLICATION_FILE,
            by=request.user,
            reference=application.ref,
            summary=what,
        )


def cv_file(request, ref: str):
    application = _application(request, ref)
    if not application.cv:
        raise Http404
    _audit_file(request, application, "CV")
    return attachment(application.cv, download_name=f"{application.ref} CV.pdf")


def approval_file(request, ref: str):
    application = _application(request, ref)
    if not application.approval_form:
        raise Http404
    _audit_file(request, application, "Employer approval form")
    return attachment(
        application.approval_form, download_name=f"{application.ref} employer approval.pdf"
    )


def document_file(request, ref: str, pk: int):
    """A required document by its ApplicationDocument id."""
    application = _application(request, ref)
    document = get_object_or_404(application.documents.select_related("requirement"), pk=pk)
    _audit_file(request, application, document.requirement.name)
    return attachment(
        document.file, download_name=f"{application.ref} {document.requirement.name}.pdf"
    )


# The manager's link ----------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def manager_approval(request, token: str):
    """The applicant's manager, who has no account, confirms approval in principle by link."""
    application = (
        Application.objects.select_related("round", "applicant")
        .filter(approval_token=token)
        .first()
        if token
        else None
    )
    if application is None:
        return render(request, "recruitment/apply/manager_approval_invalid.html", status=404)
    deadline = _deadline(application.round)
    still_needed = (
        application.approval_method == ApprovalMethod.MANAGER_LINK
        and application.stage in (Stage.DRAFT, Stage.SUBMITTED)
    )
    answered = application.approval_confirmed_at or application.approval_declined_at
    form = ManagerDecisionForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and still_needed and not answered and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ManagerDecisionForm.DECLINE:
                services.decline_manager_approval(application, reason=form.cleaned_data["reason"])
            else:
                services.confirm_manager_approval(application)
        except services.DeadlinePassed:
            error = "closed"
        except ValidationError:
            pass  # answered a moment ago in another tab: the page shows that answer
        else:
            return redirect("manager_approval", token=token)
        application.refresh_from_db()
    if not still_needed:
        state = "not_needed"
    elif application.approval_confirmed_at:
        state = "confirmed"
    elif application.approval_declined_at:
        state = "declined"
    elif error or deadline["deadline_passed"]:
        state = "closed"
    else:
        state = "ask"
    context = {**deadline, "application": application, "state": state, "form": form}
    status = 400 if state == "ask" and form.errors else 200
    return render(request, "recruitment/apply/manager_approval.html", context, status=status)


@require_http_methods(["GET"])
def approval_form_pdf(request, ref: str):
    """A pre-filled approval form for the manager to sign, as a PDF: to the applicant alone."""
    application = _own_application(request, ref)
    pdf = render_pdf(
        render_to_string(
            "recruitment/apply/approval_form_pdf.html",
            {"application": application, "round": application.round, "programme": programme()},
        )
    )
    return pdf_response(pdf, filename=f"{application.ref} employer approval form to sign.pdf")
