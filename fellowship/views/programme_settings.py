"""The programme settings page: faculty change the programme's name, details and logo."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.shortcuts import redirect, render
from rules.contrib.views import permission_required

from .. import pdf, services
from ..forms import ProgrammeForm
from ..models import programme


def _logo_preview(the_programme) -> str:
    """The current logo as a data URL for the page's preview ("" if none or not a usable image)."""
    if not the_programme.logo:
        return ""
    try:
        content, mime_type = pdf.programme_logo()
    except pdf.RefusedResource:
        return ""
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"


@permission_required("fellowship.manage_programme", raise_exception=True)
def programme_settings(request):
    the_programme = programme()
    if request.method == "POST":
        form = ProgrammeForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            services.update_programme(
                by=request.user,
                name=data["name"],
                short_name=data["short_name"],
                organisation=data["organisation"],
                website=data["website"],
                description=data["description"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
            )
            messages.success(request, "Programme settings saved")
            return redirect("programme_settings")
    else:
        form = ProgrammeForm(
            initial={
                "name": the_programme.name,
                "short_name": the_programme.short_name,
                "organisation": the_programme.organisation,
                "website": the_programme.website,
                "description": the_programme.description,
            }
        )
    if not the_programme.logo:
        del form.fields["remove_logo"]
    context = {
        "form": form,
        "logo_preview": _logo_preview(the_programme),
        "the_programme": the_programme,
    }
    return render(request, "fellowship/programme_settings.html", context)
