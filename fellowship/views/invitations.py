"""Invitations: faculty invite people by e-mail (one, or many as a background job), see and manage
what they sent; the person invited opens the e-mailed link to accept."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import invitations
from ..enums import FellowStatus, InvitationState, Role
from ..invitation_forms import (
    ROLE_CHOICES,
    AccountForm,
    BulkInvitationForm,
    InvitationForm,
    StateFilterForm,
)
from ..invitations import InvitationRefused
from ..models import Cohort, Fellow, Funder, InvitationBatch, PersonInvitation
from ..pagination import paginate

manage_people = permission_required("fellowship.manage_people", raise_exception=True)


# Faculty pages --------------------------------------------------------------------------------


@manage_people
def invitation_list(request):
    form = StateFilterForm(request.GET or None)
    state = (
        form.cleaned_data["state"]
        if form.is_valid() and form.cleaned_data["state"]
        else InvitationState.PENDING
    )
    sent = PersonInvitation.objects.for_user(request.user).select_related(
        "invited_by", "funder", "fellow__cohort", "accepted_by", "revoked_by"
    )
    if state != "all":
        sent = sent.in_state(state)
    page = paginate(request, sent)
    context = {
        "form": form,
        "state": state,
        "page_obj": page,
        "query": urlencode({"state": state}),
        "batches": InvitationBatch.objects.for_user(request.user).select_related("created_by")[:5],
    }
    return render(request, "fellowship/invitation_list.html", context)


@manage_people
def invitation_create(request):
    form = InvitationForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitations.invite(
                data["email"],
                data["roles"],
                by=request.user,
                funder=data["funder"],
                fellow=data["fellow"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            sent = "sent again" if invitation.send_count > 1 else "sent"
            messages.success(request, f"Invitation {sent} to {invitation.email}")
            return redirect("invitation_list")
    context = {"form": form, "valid_days": settings.INVITATION_VALID_DAYS}
    return render(request, "fellowship/invitation_form.html", context)


@manage_people
def invitation_bulk(request):
    initial = _initial(request)
    cohort = _cohort(request.GET.get("cohort", ""))
    fellows = invitations.fellows_without_account(cohort) if cohort else None
    if cohort is not None:
        initial["description"] = f"Fellows of {cohort} without an account"
        # The addresses the programme history records, each with the fellow's reference, so that
        # faculty invite a cohort in one step and each account is linked to its fellowship record.
        initial["people"] = "\n".join(f"{f.ref}, {f.email}" for f in fellows if f.email)
    form = BulkInvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = invitations.start_batch(
                data["people"],
                data["roles"],
                by=request.user,
                funder=data["funder"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("invitation_batch", pk=batch.pk)
    context = {
        "form": form,
        "cohort": cohort,
        "cohorts": Cohort.objects.all(),
        "fellows": fellows,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return render(request, "fellowship/invitation_bulk.html", context)


@manage_people
def invitation_batch(request, pk: int):
    batch = get_object_or_404(
        InvitationBatch.objects.for_user(request.user).select_related("created_by", "funder"), pk=pk
    )
    context = {"batch": batch, "role_labels": [Role(r).label for r in batch.roles]}
    return render(request, "fellowship/invitation_batch.html", context)


@require_POST
@manage_people
def invitation_resend(request, pk: int):
    invitation = get_object_or_404(PersonInvitation.objects.for_user(request.user), pk=pk)
    try:
        invitations.resend(invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}")
    return _back_to_list(request)


@require_POST
@manage_people
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(PersonInvitation.objects.for_user(request.user), pk=pk)
    try:
        invitations.revoke(invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Invitation to {invitation.email} revoked: its link no longer works"
        )
    return _back_to_list(request)


def _back_to_list(request):
    state = request.POST.get("state", "")
    url = reverse("invitation_list")
    if state in {*InvitationState.values, "all"}:
        url += "?" + urlencode({"state": state})
    return redirect(url)


def _initial(request) -> dict:
    """What an entry point fills in: ?role=panellist&funder=3&fellow=12&email=..."""
    initial: dict = {}
    roles = [r for r in request.GET.getlist("role") if r in {v for v, _ in ROLE_CHOICES}]
    if roles:
        initial["roles"] = roles
    for name, model in (("funder", Funder), ("fellow", Fellow)):
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit() and len(value) < 19:
            initial[name] = model.objects.filter(pk=int(value)).first()
    fellow = initial.get("fellow")
    if fellow is not None and "roles" not in initial:
        initial["roles"] = [
            Role.ALUMNUS if fellow.status == FellowStatus.GRADUATED else Role.FELLOW
        ]
    for name in ("email", "description"):
        if value := request.GET.get(name, "")[:200]:
            initial[name] = value
    return initial


def _cohort(value: str) -> Cohort | None:
    if value.isascii() and value.isdigit() and len(value) < 6:
        return Cohort.objects.filter(number=int(value)).first()
    return None


# The person invited ---------------------------------------------------------------------------

REFUSED_STATUS = {
    InvitationRefused.UNKNOWN: 404,
    InvitationRefused.EXPIRED: 410,
    InvitationRefused.REVOKED: 410,
    InvitationRefused.ACCEPTED: 410,
}


def _refused(request, refused: InvitationRefused):
    context = {"reason": refused.reason, "invitation": refused.invitation}
    status = REFUSED_STATUS.get(refused.reason, 403)
    return render(request, "fellowship/invitation_refused.html", context, status=status)


@login_not_required
@never_cache
def invitation_accept(request, token: str):
    """The e-mailed link: accept signed in with the invited address, or make the account here."""
    try:
        invitation = invitations.find(token)
    except InvitationRefused as refused:
        return _refused(request, refused)
    user = request.user
    context: dict = {"invitation": invitation, "token": token}
    if user.is_authenticated:
        if not invitations.is_addressed_to(invitation, user):
            return _refused(request, InvitationRefused(InvitationRefused.WRONG_EMAIL, invitation))
        if request.method == "POST":
            try:
                invitations.accept(token, user)
            except InvitationRefused as refused:
                return _refused(request, refused)
            messages.success(request, "You have accepted the invitation")
            return redirect("home")
        return render(request, "fellowship/invitation_accept.html", context)
    if invitations.existing_account(invitation.email) is not None:
        context["sign_in_url"] = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "fellowship/invitation_accept.html", context)
    form = AccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_with_new_account(
                token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationRefused as refused:
            return _refused(request, refused)
        get_adapter(request).login(request, user)
        messages.success(request, "Your account is ready and you have accepted the invitation")
        return redirect("home")
    context["form"] = form
    return render(request, "fellowship/invitation_accept.html", context)
