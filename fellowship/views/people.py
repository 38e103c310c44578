"""Faculty pages for people and their roles, and the accesses other apps give person by person."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import hooks, services
from ..forms import PersonSearchForm, RoleGrantForm
from ..models import RoleGrant, User, roles_of
from ..pagination import other_filters, paginate


@permission_required("fellowship.manage_people", raise_exception=True)
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    people = User.objects.order_by("full_name", "email")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        if role := form.cleaned_data["role"]:
            people = people.filter(role_grants__role=role).distinct()
    page = paginate(request, people)
    roles = roles_of(page.object_list)
    rows = [(person, roles[person.pk]) for person in page.object_list]
    return render(
        request,
        "fellowship/person_list.html",
        {"form": form, "page_obj": page, "rows": rows, "query": other_filters(request)},
    )


@permission_required("fellowship.manage_people", raise_exception=True)
def person_detail(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    access = _access(request.POST.get("form")) if request.method == "POST" else None
    if access is not None:
        return _change_access(request, person, access)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_role(
                person,
                form.cleaned_data["role"],
                funder=form.cleaned_data["funder"],
                by=request.user,
            )
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
        "accesses": [
            section
            for access in hooks.person_accesses
            if (section := access.section(request.user, person)) is not None
        ],
    }
    return render(request, "fellowship/person_detail.html", context)


def _access(key: str | None):
    return next((access for access in hooks.person_accesses if access.key == key), None)


def _change_access(request, person: User, access):
    """Save an access section's form; a refusal (not a manager of it, or one's own) is a 403."""
    try:
        message = access.save(request.user, person, request.POST)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect("person_detail", pk=person.pk)


@require_POST
@permission_required("fellowship.manage_people", raise_exception=True)
def role_revoke(request, pk: int, grant_pk: int):
    grant = get_object_or_404(RoleGrant, pk=grant_pk, user_id=pk)
    services.revoke_role(grant, by=request.user)
    messages.success(request, f"Removed the {grant.get_role_display()} role from {grant.user}")
    return redirect("person_detail", pk=pk)
