"""The Retention page: the policy, what is due now, the last runs, and running it (dry or not)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import retention
from ..models import RetentionRun

handles_personal_data = permission_required("fellowship.handle_personal_data", raise_exception=True)


def _policy_rows() -> list[tuple[retention.Policy, int]]:
    due = retention.due_counts()
    return [(policy, due.get(kind, 0)) for kind, policy in retention.policies().items()]


@handles_personal_data
def retention_page(request):
    runs = RetentionRun.objects.select_related("by")[:10]
    policies = retention.policies()
    return render(
        request,
        "fellowship/retention.html",
        {
            "rows": _policy_rows(),
            "runs": [
                (run, [(policies[k], n) for k, n in run.counts.items() if k in policies])
                for run in runs
            ],
        },
    )


@require_POST
@handles_personal_data
def retention_check(request):
    """A dry run: counts what is due, removes nothing, and is recorded."""
    run = retention.apply_retention(dry_run=True, by=request.user, source=RetentionRun.Source.PAGE)
    messages.success(request, f"Checked: {run.total} records are due for removal")
    return redirect("retention")


@handles_personal_data
def retention_apply(request):
    """The confirmation (what would go), then the removal itself."""
    if request.method == "POST":
        run = retention.apply_retention(
            dry_run=False, by=request.user, source=RetentionRun.Source.PAGE
        )
        messages.success(request, f"Removed {run.total} records that were due")
        return redirect("retention")
    rows = _policy_rows()
    return render(
        request,
        "fellowship/retention_confirm.html",
        {"rows": rows, "total": sum(n for _, n in rows)},
    )
