"""Faculty pages for people and their roles."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import services
from ..enums import Role
from ..forms import PersonSearchForm, RoleGrantForm
from ..models import RoleGrant, User, roles_of


@permission_required("fellowship.manage_people", raise_exception=True)
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    people = User.objects.order_by("full_name", "email")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        if role := form.cleaned_data["role"]:
            people = people.filter(role_grants__role=role).distinct()
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    roles = roles_of(page.object_list)
    rows = [(person, roles[person.pk]) for person in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "fellowship/person_list.html", {"form": form, "page_obj": page, "rows": rows, "query": query.urlencode()})


@permission_required("fellowship.manage_people", raise_exception=True)
def person_detail(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    if request.method == "POST" and request.POST.get("form") == "equality":
        return _equality_access(request, person)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_role(person, form.cleaned_data["role"], funder=form.cleaned_data["funder"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{person} now has the {form.cleaned_data['role']} role")
            return redirect("person_detail", pk=person.pk)
    grants = person.role_grants.select_related("funder", "granted_by")
    fellowships = person.fellowships.select_related("cohort", "region")
    context = {
        "person": person,
        "form": form,
        "grants": grants,
        "fellowships": fellowships,
        "equality_form": _equality_form(person),
    }
    return render(request, "fellowship/person_detail.html", context)


class EqualityAccessForm(forms.Form):
    may_see_equality = forms.BooleanField(
        label="May see equality monitoring",
        required=False,
        help_text=(
            "Counts of applicants by group at each stage of selection, never one person's "
            "answers. Only for faculty."
        ),
    )


def _equality_form(person: User) -> EqualityAccessForm | None:
    """The form, for faculty and for anyone who still holds the permission."""
    allowed = services.may_see_equality_monitoring(person)
    if not allowed and not person.has_role(Role.FACULTY):
        return None
    return EqualityAccessForm(initial={"may_see_equality": allowed})


def _equality_access(request, person: User):
    form = EqualityAccessForm(request.POST)
    allowed = form.is_valid() and form.cleaned_data["may_see_equality"]
    try:
        services.allow_equality_monitoring(person, by=request.user, allowed=allowed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{person} {'may now see' if allowed else 'can no longer see'} equality monitoring",
        )
    return redirect("person_detail", pk=person.pk)


@require_POST
@permission_required("fellowship.manage_people", raise_exception=True)
def role_revoke(request, pk: int, grant_pk: int):
    grant = get_object_or_404(RoleGrant, pk=grant_pk, user_id=pk)
    services.revoke_role(grant, by=request.user)
    messages.success(request, f"Removed the {grant.get_role_display()} role from {grant.user}")
    return redirect("person_detail", pk=pk)
