"""E-mail texts: faculty see every e-mail the service sends, edit its subject and body with
((placeholders)), preview it with sample values, and restore or reset earlier versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import emails
from ..forms import EmailTextForm
from ..models import EmailText

edit_email_texts = permission_required("fellowship.edit_email_texts", raise_exception=True)
HISTORY_SHOWN = 50


def _kind(key: str) -> emails.EmailKind:
    try:
        return emails.kinds[key]
    except KeyError:
        raise Http404("No such e-mail") from None


@edit_email_texts
def email_text_list(request):
    texts = EmailText.objects.for_user(request.user)
    last = texts.values("kind").annotate(last=Max("pk")).values_list("last", flat=True)
    latest = {v.kind: v for v in texts.filter(pk__in=list(last)).select_related("created_by")}
    rows = [(kind, latest.get(kind.key)) for kind in emails.all_kinds()]
    return render(request, "fellowship/emails/list.html", {"rows": rows})


@edit_email_texts
def email_text_edit(request, key: str):
    kind = _kind(key)
    versions = list(
        EmailText.objects.for_user(request.user)
        .filter(kind=key)
        .select_related("created_by", "restored_from")[:HISTORY_SHOWN]
    )
    latest = versions[0] if versions else None
    preview = None
    if request.method == "POST":
        form = EmailTextForm(request.POST, kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "preview":
                preview = emails.preview(kind, data["subject"], data["body"])
            else:
                try:
                    emails.save_text(
                        kind,
                        subject=data["subject"],
                        body=data["body"],
                        by=request.user,
                        based_on=data["based_on"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                    # Warned once: the next save, from this page, becomes the newest version.
                    form.data = form.data.copy()
                    form.data["based_on"] = latest.pk if latest else 0
                else:
                    messages.success(
                        request, f"Saved. The next “{kind.name}” e-mail uses this text."
                    )
                    return redirect("email_text_edit", key=key)
    else:
        subject, body = emails.current_text(key)
        form = EmailTextForm(
            kind=kind,
            initial={"subject": subject, "body": body, "based_on": latest.pk if latest else 0},
        )
    context = {
        "kind": kind,
        "form": form,
        "preview": preview,
        "versions": versions,
        "edited": latest is not None and not latest.is_default,
    }
    return render(request, "fellowship/emails/edit.html", context)


@edit_email_texts
@require_POST
def email_text_reset(request, key: str):
    kind = _kind(key)
    emails.reset_to_default(kind, by=request.user)
    messages.success(
        request,
        f"“{kind.name}” uses its default text again. Its earlier versions are in the history.",
    )
    return redirect("email_text_edit", key=key)


@edit_email_texts
@require_POST
def email_text_restore(request, key: str, pk: int):
    _kind(key)
    version = get_object_or_404(EmailText.objects.for_user(request.user), kind=key, pk=pk)
    try:
        emails.restore_version(version, by=request.user)
    except ValidationError as exc:
        problems = " ".join(message for message in exc.messages)
        messages.error(request, f"That version cannot be restored: {problems}")
    else:
        messages.success(
            request,
            f"Restored the version of {timezone.localtime(version.created_at):%-d %B %Y, %H:%M} as the current text.",
        )
    return redirect("email_text_edit", key=key)
