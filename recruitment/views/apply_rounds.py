"""The applicant's way in: the open rounds, starting an application, and the application's own
page (a draft's task list, or once submitted what was sent and where it has got to)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from .. import services
from ..deadlines import time_left
from ..models import Application, RecruitmentRound
from ..steps import COMPLETED, step_statuses
from .apply_common import application_for, deadline_context, summary


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
    context = {**deadline_context(round), "error": error, "opens_at": round.opens_at}
    return render(request, "recruitment/apply/start.html", context, status=400 if error else 200)


def _tasks(application: Application, found: list[services.Problem]) -> list[dict]:
    """The task list: each step with its status and link."""
    return [
        {
            "key": step["key"],
            "title": step["title"],
            "url": reverse(step["url_name"], args=[application.ref]),
            "status": step["status"],
        }
        for step in step_statuses(application, (p.step for p in found))
    ]


def overview(request, ref: str):
    """A draft's task list; once submitted (or closed), what was sent and where it has got to."""
    application = application_for(request, ref)
    owner = application.applicant_id == request.user.pk
    deadline = deadline_context(application.round)
    editable = owner and application.is_draft and deadline["is_open"]
    found = services.problems(application) if application.is_draft else []
    context = {
        **deadline,
        "application": application,
        "owner": owner,
        "editable": editable,
        "ready": not found,
        "withdrawable": owner and services.may_withdraw(application),
    }
    if editable:
        context["tasks"] = _tasks(application, found)
        context["tasks_done"] = sum(t["status"] == COMPLETED for t in context["tasks"])
    else:
        context.update(summary(application))
        # Equality monitoring is offered to the applicant alone, never on a page faculty see.
        context["offer_equality"] = (
            owner
            and not application.is_draft
            and application.round.is_open()
            and not services.has_equality_record(application)
        )
    return render(request, "recruitment/apply/overview.html", context)
