"""The audit log for faculty: who viewed or changed applications, scores, equality figures,
matchings, mentor pairs and reports, newest first, with filters."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.shortcuts import render
from rules.contrib.views import permission_required

from ..dates import start_of_day
from ..forms import AuditFilterForm
from ..models import AuditEvent
from ..pagination import page_context


@permission_required("fellowship.view_audit_log", raise_exception=True)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if q := data["q"].strip():
            events = events.filter(Q(actor_email__icontains=q) | Q(reference__iexact=q))
        if data["subject"]:
            events = events.filter(subject=data["subject"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__gte=start_of_day(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=start_of_day(data["until"] + dt.timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    context = {"form": form, **page_context(request, events)}
    return render(request, "fellowship/audit_log.html", context)
