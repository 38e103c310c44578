"""A person's data: their own download, and faculty's pages for access and erasure requests.

E-mail addresses travel in POST bodies, never in URLs, so that they stay out of server logs and
browser history.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import privacy
from ..models import Erasure, programme
from ..privacy_forms import ErasureForm, PersonEmailForm
from ..uploads import bytes_download

handles_requests = permission_required("fellowship.handle_personal_data", raise_exception=True)


def _zip_response(content: bytes, filename: str) -> HttpResponse:
    return bytes_download(content, filename=filename, content_type="application/zip")


def _summary(person: privacy.Person) -> list[tuple[str, int]]:
    return [
        (part.name.replace("-", " "), len(part.records) + len(part.files))
        for part in privacy.parts(person)
    ]


@permission_required("fellowship.download_own_data", raise_exception=True)
def my_data(request):
    person = privacy.person_of(request.user)
    return render(request, "fellowship/my_data.html", {"summary": _summary(person)})


@permission_required("fellowship.download_own_data", raise_exception=True)
def my_data_download(request):
    person = privacy.person_of(request.user)
    content = privacy.export_person_data(person, by=request.user, programme=programme().name)
    return _zip_response(content, f"your-data-{timezone.localdate():%Y-%m-%d}.zip")


@handles_requests
def requests_page(request):
    """Find a person by e-mail address: what the service holds, and the two things to do with it."""
    form = PersonEmailForm(request.POST or None)
    context: dict = {
        "form": form,
        "erasures": Erasure.objects.select_related("carried_out_by")[:50],
    }
    if request.method == "POST" and form.is_valid():
        try:
            person = privacy.find_person(form.cleaned_data["email"])
        except LookupError as exc:
            form.add_error("email", str(exc))
        else:
            context.update(
                person=person,
                summary=_summary(person),
                blockers=privacy.blockers(person),
            )
    return render(request, "fellowship/personal_data_requests.html", context)


def _person_or_back(request, form):
    """The person the posted form names, or None after telling the user why not."""
    if not form.is_valid():
        messages.error(request, "Enter the e-mail address of the person again")
        return None
    try:
        return privacy.find_person(form.cleaned_data["email"])
    except LookupError as exc:
        messages.error(request, str(exc))
        return None


@require_POST
@handles_requests
def export_for_person(request):
    form = PersonEmailForm(request.POST)
    person = _person_or_back(request, form)
    if person is None:
        return redirect("personal_data_requests")
    content = privacy.export_person_data(person, by=request.user, programme=programme().name)
    return _zip_response(content, f"personal-data-{timezone.localdate():%Y-%m-%d}.zip")


@require_POST
@handles_requests
def erase(request):
    """The confirmation (what goes, what stays and why), then the erasure itself."""
    confirming = "requested_by" in request.POST
    form = ErasureForm(
        request.POST if confirming else None, initial={"email": request.POST.get("email", "")}
    )
    person = _person_or_back(request, PersonEmailForm(request.POST))
    if person is None:
        return redirect("personal_data_requests")
    if confirming and form.is_valid():
        try:
            erasure = privacy.erase_person(
                person,
                by=request.user,
                requested_by=form.cleaned_data["requested_by"],
                request_received=form.cleaned_data["request_received"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"The person is erased. The audit log and the programme's records now call them {erasure.pseudonym}",
            )
            return redirect("personal_data_requests")
    context = {
        "form": form,
        "person": person,
        "plan": privacy.plan(person),
        "blockers": privacy.blockers(person),
        "kept": _kept_reasons(),
    }
    return render(request, "fellowship/personal_data_erase.html", context)


def _kept_reasons() -> list[str]:
    from ..personal_data import holders

    return sorted({why for one in holders for why in one.acts.values()})
