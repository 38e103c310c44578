"""The faculty upload page for the programme-history import."""

from django.contrib import messages
from django.shortcuts import redirect, render
from rules.contrib.views import permission_required

from .. import services
from ..forms import HistoryUploadForm
from ..importer import ImportFailed, registered_tables
from ..models import HistoryImport


@permission_required("fellowship.import_history", raise_exception=True)
def history_import(request):
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    result = None
    if request.method == "POST" and form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["files"]]
        source = ", ".join(name for name, _ in files)
        try:
            result = services.import_history(files, by=request.user, source=source, dry_run=form.cleaned_data["dry_run"])
        except ImportFailed as failure:
            problems = failure.messages
        else:
            if not result.dry_run:
                messages.success(request, "History imported: " + "; ".join(result.summary))
                return redirect("history_import")
    context = {
        "form": form,
        "problems": problems,
        "result": result,
        "tables": registered_tables().values(),
        "imports": HistoryImport.objects.select_related("imported_by")[:10],
    }
    return render(request, "fellowship/history_import.html", context, status=400 if problems else 200)
