"""The applicant's manager, who has no account, approves or declines release by the link they
were e-mailed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import services
from ..enums import ApprovalMethod, Stage
from ..forms.apply import ManagerDecisionForm
from ..models import Application
from .apply_common import deadline_context


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
    deadline = deadline_context(application.round)
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
