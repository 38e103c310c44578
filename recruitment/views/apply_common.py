"""What the applicant's pages share: loading the application the person may see, the deadline
panel, the summary of what was entered, and links from a problem to the box that fixes it.

Every page loads the application through `Application.objects.for_user` (or the person's own),
so another person's application is a 404.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from .. import services
from ..deadlines import deadline_passed_message, time_left
from ..models import Application, RecruitmentRound, count_words
from ..steps import STEP_URLS, statement_texts

# Where an error-summary link lands when the field is not a single input (radios).
FIELD_IDS = {"approval_method": "id_approval_method_0"}

# A step opened from "Check your answers" carries `next=review` and returns there when saved.
# Only this word is read: never a URL, so no `next` can send the applicant to another site or to
# another application's page.
RETURN_TO_REVIEW = "review"


def deadline_context(round: RecruitmentRound, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "round": round,
        "deadline": round.closes_at,
        "time_left": time_left(round.closes_at, now),
        "is_open": round.is_open(now),
        "closing_soon": round.is_open(now) and (round.closes_at - now).total_seconds() < 86400,
        "deadline_passed": now >= round.closes_at,
        "deadline_passed_message": deadline_passed_message(round),
    }


def application_for(request, ref: str) -> Application:
    """The application, if this person may see it (their own, or any for faculty); else 404."""
    queryset = Application.objects.for_user(request.user).select_related(
        "round", "applicant", "region"
    )
    return get_object_or_404(queryset, ref=ref)


def own_application(request, ref: str) -> Application:
    """The person's own application; 404 for anyone else's, faculty included."""
    queryset = Application.objects.filter(applicant_id=request.user.pk).select_related(
        "round", "region"
    )
    return get_object_or_404(queryset, ref=ref)


def may_edit(request, application: Application) -> bool:
    return request.user.has_perm("recruitment.change_application", application)


def summary(application: Application) -> dict:
    """What the applicant has entered, for the read-only and check-your-answers pages."""
    texts = statement_texts(application)
    statements = [
        {"criterion": c, "text": texts.get(c.pk, ""), "words": count_words(texts.get(c.pk, ""))}
        for c in application.round.criteria.all()
    ]
    uploaded = {d.requirement_id: d for d in application.documents.all()}
    documents = [(r, uploaded.get(r.pk)) for r in application.round.required_documents.all()]
    return {"statements": statements, "documents": documents}


def returns_to_review(request) -> bool:
    """Whether the step was opened by a Change link on "Check your answers"."""
    value = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return value == RETURN_TO_REVIEW


def problem_links(
    application: Application, found: list[services.Problem], *, from_review: bool = False
) -> list[dict]:
    query = f"?next={RETURN_TO_REVIEW}" if from_review else ""
    return [
        {
            "href": reverse(STEP_URLS[p.step], args=[application.ref])
            + query
            + "#"
            + FIELD_IDS.get(p.field, f"id_{p.field}"),
            "message": p.message,
        }
        for p in found
    ]


def saved_stamp(application: Application) -> dict:
    saved = timezone.localtime(application.updated_at)
    return {
        "saved_at": int(application.updated_at.timestamp() * 1000),
        "saved_time": f"{saved:%H:%M}",
    }
