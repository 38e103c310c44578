"""Privacy notices: one public page per purpose the service uses personal data for, and an index.

Open to everyone, signed in or not. The retention periods come from the policy (settings.RETENTION)
through fellowship.retention, never typed into the notices.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render

from .. import retention

# purpose (the URL's slug) -> its title; each has templates/privacy/<purpose>.html.
PURPOSES = {
    "recruitment": "Recruitment to the fellowship",
    "equality-monitoring": "Equality monitoring",
    "surveys": "Surveys",
    "portfolios": "Fellows' portfolios",
    "reports": "Reports on the programme",
}


@login_not_required
def privacy_index(request):
    return render(request, "privacy/index.html", {"purposes": PURPOSES})


@login_not_required
def privacy_notice(request, purpose: str):
    if purpose not in PURPOSES:
        raise Http404("No privacy notice for this purpose")
    return render(
        request,
        f"privacy/{purpose}.html",
        {"purpose": purpose, "title": PURPOSES[purpose], "policy": retention.policies()},
    )
