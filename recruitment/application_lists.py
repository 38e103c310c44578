"""The faculty's list of a round's applications, narrowed by their filters, and its export rows.

Queries and rows only: the views parse the filter form, check the permission and send the page or
file. The export holds no equality data: it is never joined here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .enums import ApprovalMethod
from .forms.faculty import DRAFT, SUBMITTED
from .models import Application, RecruitmentRound


def filtered_applications(
    rnd: RecruitmentRound, filters: dict[str, Any] | None
) -> QuerySet[Application]:
    """The round's applications narrowed by the filter form's cleaned data (None: no filter), newest
    submission first, drafts last."""
    applications = Application.objects.filter(round=rnd).select_related("applicant", "region")
    if filters:
        data = filters
        if q := data["q"].strip():
            applications = applications.filter(
                Q(ref__icontains=q)
                | Q(applicant__full_name__icontains=q)
                | Q(applicant__email__icontains=q)
                | Q(employer__icontains=q)
            )
        if data["region"]:
            applications = applications.filter(region=data["region"])
        if data["profession"]:
            applications = applications.filter(profession=data["profession"])
        if data["stage"]:
            applications = applications.filter(stage=data["stage"])
        if data["status"] == SUBMITTED:
            applications = applications.submitted()
        elif data["status"] == DRAFT:
            applications = applications.drafts()
    return applications.order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "pk")


def approval_status(application: Application) -> str:
    """The employer's approval in principle, in words."""
    if application.approval_method == ApprovalMethod.UPLOAD:
        return (
            "Signed form uploaded" if application.approval_form else "Signed form not uploaded yet"
        )
    if application.approval_method == ApprovalMethod.MANAGER_LINK:
        manager = application.manager_name or "the manager"
        if application.approval_confirmed_at:
            return f"Confirmed by {manager} on {timezone.localtime(application.approval_confirmed_at):%-d %B %Y}"
        if application.approval_declined_at:
            return f"Declined by {manager} on {timezone.localtime(application.approval_declined_at):%-d %B %Y}"
        if application.approval_requested_at:
            return f"Requested from {manager}, not confirmed yet"
        return "Not requested yet"
    return "Not started"


def export_rows(
    rnd: RecruitmentRound, applications: QuerySet[Application]
) -> tuple[list[str], Iterable[list]]:
    """Header and rows of the export. No equality data: it is never joined here."""
    criteria = list(rnd.criteria.all())
    header = [
        "Reference",
        "Stage",
        "Furthest stage",
        "Submitted at (Europe/London)",
        "Name",
        "Email",
        "Profession",
        "Registration body",
        "Registration number",
        "Grade",
        "Region",
        "Specialty",
        "Employer",
        "Employer approval",
        *(f"Words: {criterion.title} (limit {criterion.word_limit})" for criterion in criteria),
    ]

    def rows():
        for a in applications.prefetch_related("statements"):
            words = {statement.criterion_id: statement.words for statement in a.statements.all()}
            submitted = (
                timezone.localtime(a.submitted_at).replace(tzinfo=None, microsecond=0)
                if a.submitted_at
                else None
            )
            yield [
                a.ref,
                a.get_stage_display(),
                a.get_furthest_stage_display(),
                submitted,
                a.applicant.get_full_name() if a.applicant else "",
                a.applicant.email if a.applicant else "",
                a.get_profession_display(),
                a.get_registration_body_display(),
                a.registration_number,
                a.grade,
                a.region.name if a.region else "",
                a.specialty,
                a.employer,
                approval_status(a),
                *(words.get(criterion.pk, 0) for criterion in criteria),
            ]

    return header, rows()
