"""The faculty upload page for the programme-history import: upload, preview, then import.

Uploading checks the files and shows what they would change (a dry run), writing nothing. The
files wait in storage (fellowship.history_uploads); "Import" applies exactly those files, and is
refused if the records they touch changed since the preview.
"""

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from .. import history_uploads, services
from ..forms import HistoryUploadForm
from ..importer import ImportChanged, ImportFailed, registered_tables
from ..models import HistoryImport

SESSION_KEY = "history_previews"  # {token: fingerprint} of this person's previews
KEEP_PREVIEWS = 5


@permission_required("fellowship.import_history", raise_exception=True)
@require_http_methods(["GET", "POST"])
def history_import(request):
    if request.method == "POST" and "token" in request.POST:
        return _apply(request, request.POST.get("token", ""))
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    context: dict = {}
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        token = history_uploads.stage(files)
        context = _preview(request, token)
    return _render(request, form, **context)


def _preview(request, token: str) -> dict:
    """Check the staged files; on success remember the token and fingerprint in the session."""
    try:
        result = services.import_history(
            history_uploads.sources(token), by=request.user, source="", dry_run=True
        )
    except ImportFailed as failure:
        history_uploads.discard(token)
        return {"problems": failure.messages, "skipped": failure.skipped, "status": 400}
    except DatabaseError as exc:
        history_uploads.discard(token)
        return {"problems": [f"The database refused a value: {exc}"], "status": 400}
    previews = {t: f for t, f in request.session.get(SESSION_KEY, {}).items() if t != token}
    previews[token] = result.fingerprint
    request.session[SESSION_KEY] = dict(list(previews.items())[-KEEP_PREVIEWS:])
    return {"result": result, "token": token, "skipped": result.skipped}


def _apply(request, token: str):
    previews = request.session.get(SESSION_KEY, {})
    if token not in previews or not history_uploads.valid_token(token):
        problems = [
            "These files are no longer waiting to be imported. Upload them again to check them."
        ]
        return _render(request, HistoryUploadForm(), problems=problems, status=400)
    names = ", ".join(source.name for source in history_uploads.sources(token))
    try:
        result = services.import_history(
            history_uploads.sources(token),
            by=request.user,
            source=names,
            expected_fingerprint=previews[token],
        )
    except ImportChanged:
        context = _preview(request, token)
        context["changed"] = True
        context["status"] = 409 if "result" in context else context.get("status", 400)
        return _render(request, HistoryUploadForm(), **context)
    except ImportFailed as failure:
        return _render(request, HistoryUploadForm(), problems=failure.messages, status=400)
    except DatabaseError as exc:
        return _render(
            request,
            HistoryUploadForm(),
            problems=[f"The database refused a value: {exc}"],
            status=400,
        )
    history_uploads.discard(token)
    request.session[SESSION_KEY] = {t: f for t, f in previews.items() if t != token}
    messages.success(request, "History imported: " + "; ".join(result.summary))
    return redirect("history_import")


def _render(request, form, *, status: int = 200, **context):
    context = {
        "form": form,
        "tables": registered_tables().values(),
        "imports": HistoryImport.objects.select_related("imported_by")[:10],
        **context,
    }
    return render(request, "fellowship/history_import.html", context, status=status)
