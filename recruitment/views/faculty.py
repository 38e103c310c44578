"""The faculty's recruitment pages: rounds, eligibility, applications and their export, decisions
on eligibility, and equality monitoring (for faculty holding the dedicated permission).

Equality data is read only by `equality_monitoring`, through recruitment.equality, as counts:
no other page here touches EqualityRecord.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from rules.contrib.views import permission_required

from fellowship import audit, exports
from fellowship.enums import AuditAction, AuditSubject, Profession
from fellowship.models import FundedPost, Funder, Region
from fellowship.pagination import page_context

from .. import application_lists, equality, services
from ..enums import Stage
from ..forms.faculty import (
    ApplicationFilterForm,
    CriterionFormSet,
    EligibilityGridForm,
    IneligibleForm,
    RequiredDocumentFormSet,
    RoundForm,
)
from ..models import Application, RecruitmentRound

manage_rounds = permission_required("recruitment.manage_rounds", raise_exception=True)
list_applications = permission_required("recruitment.list_applications", raise_exception=True)
# Faculty holding the equality permission (recruitment.rules, given person by person).
see_equality = permission_required("recruitment.see_equality", raise_exception=True)


def _round_or_404(pk: int) -> RecruitmentRound:
    return get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)


# Rounds ---------------------------------------------------------------------------------------


@manage_rounds
def round_list(request):
    rounds = (
        RecruitmentRound.objects.select_related("cohort")
        .annotate(
            drafts=Count("applications", filter=Q(applications__stage=Stage.DRAFT)),
            submitted=Count(
                "applications",
                filter=~Q(applications__stage=Stage.DRAFT)
                & Q(applications__submitted_at__isnull=False),
            ),
        )
        .order_by("-closes_at", "pk")
    )
    return render(
        request, "recruitment/faculty/round_list.html", {"rounds": rounds, "now": timezone.now()}
    )


@manage_rounds
def round_create(request):
    return _round_form(request, RecruitmentRound())


@manage_rounds
def round_update(request, pk: int):
    return _round_form(request, _round_or_404(pk))


def _round_form(request, rnd: RecruitmentRound):
    """The round with its criteria and documents, saved together or not at all."""
    creating = rnd.pk is None
    name = rnd.name  # before the form sets what was typed
    data = request.POST if request.method == "POST" else None
    form = RoundForm(data, instance=rnd)
    formsets = {
        "criteria": CriterionFormSet(data, instance=rnd, prefix="criteria"),
        "documents": RequiredDocumentFormSet(data, instance=rnd, prefix="documents"),
    }
    if data is not None:
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets.values())]
        if all(valid):
            with transaction.atomic():
                rnd = form.save()
                for formset in formsets.values():
                    formset.instance = rnd
                    formset.save()
            messages.success(request, f"{rnd.name} {'added' if creating else 'saved'}")
            return redirect("round_detail", pk=rnd.pk)
    context = {
        "form": form,
        "formsets": formsets,
        "round": None if creating else rnd,
        "page_title": "Add a recruitment round" if creating else f"Change {name}",
    }
    return render(request, "recruitment/faculty/round_form.html", context)


@manage_rounds
def round_detail(request, pk: int):
    rnd = _round_or_404(pk)
    posts = list(
        FundedPost.objects.filter(cohort_id=rnd.cohort_id)
        .select_related("region", "funder")
        .order_by("region__name", "funder__name", "specialty_theme")
    )
    by_stage = {
        row["stage"]: row["n"]
        for row in rnd.applications.order_by().values("stage").annotate(n=Count("pk"))
    }
    context = {
        "round": rnd,
        "now": timezone.now(),
        "criteria": rnd.criteria.all(),
        "documents": rnd.required_documents.all(),
        "eligibilities": rnd.eligibilities.select_related("region", "sponsor"),
        "posts": posts,
        "places": sum(post.places for post in posts),
        "by_stage": [(stage, by_stage[stage]) for stage in Stage if by_stage.get(stage)],
        "application_count": sum(by_stage.values()),
    }
    return render(request, "recruitment/faculty/round_detail.html", context)


@manage_rounds
def round_eligibility(request, pk: int):
    rnd = _round_or_404(pk)
    regions = Region.objects.order_by("name")
    funders = Funder.objects.order_by("name")
    form = EligibilityGridForm(request.POST or None, round=rnd, regions=regions, funders=funders)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_eligibility(rnd, form.cleaned_data["rows"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Eligibility for {rnd.name} saved")
            return redirect("round_detail", pk=rnd.pk)
    sponsors: dict[int, list[str]] = {}
    for post in (
        FundedPost.objects.filter(cohort_id=rnd.cohort_id)
        .select_related("funder")
        .order_by("funder__name")
    ):
        names = sponsors.setdefault(post.region_id, [])
        if post.funder.name not in names:
            names.append(post.funder.name)
    grid = [(region, cells, sponsors.get(region.pk, [])) for region, cells in form.grid()]
    context = {
        "round": rnd,
        "form": form,
        "grid": grid,
        "professions": Profession.labels,
    }
    return render(request, "recruitment/faculty/round_eligibility.html", context)


# Applications ---------------------------------------------------------------------------------


def _filtered_applications(
    request, rnd: RecruitmentRound
) -> tuple[ApplicationFilterForm, QuerySet[Application]]:
    """The round's applications narrowed by the filter form in the query string (list and export)."""
    form = ApplicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else None
    return form, application_lists.filtered_applications(rnd, filters)


@list_applications
def application_list(request, pk: int):
    rnd = _round_or_404(pk)
    form, applications = _filtered_applications(request, rnd)
    context = {"round": rnd, "filters": form, **page_context(request, applications)}
    return render(request, "recruitment/faculty/application_list.html", context)


@never_cache
@list_applications
def application_export(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rnd = _round_or_404(pk)
    _, applications = _filtered_applications(request, rnd)
    header, rows = application_lists.export_rows(rnd, applications)
    audit.record(
        AuditAction.EXPORTED,
        AuditSubject.APPLICATION,
        by=request.user,
        reference=f"round {rnd.pk}",
        summary=f"Applications of {rnd.name} as {fmt.upper()}, filters: {request.GET.urlencode() or 'none'}",
    )
    filename = f"{slugify(rnd.name) or 'round'}-applications.{fmt}"
    if fmt == "csv":
        # With a byte-order mark, so that Excel reads the file as UTF-8.
        return exports.csv_response([header, *rows], filename=filename, bom=True)
    return exports.xlsx_response([("Applications", [header, *rows])], filename=filename)


@list_applications
def application_detail(request, ref: str):
    application = get_object_or_404(
        Application.objects.select_related("round__cohort", "region", "applicant"), ref=ref
    )
    statements = {s.criterion_id: s for s in application.statements.all()}
    answers = [
        (criterion, statements.get(criterion.pk)) for criterion in application.round.criteria.all()
    ]
    uploads = {d.requirement_id: d for d in application.documents.all()}
    documents = [
        (requirement, uploads.get(requirement.pk))
        for requirement in application.round.required_documents.all()
    ]
    context = {
        "application": application,
        "answers": answers,
        "documents": documents,
        "approval_status": application_lists.approval_status(application),
        "history": application.stage_changes.select_related("by"),
        "can_mark_ineligible": application.stage == Stage.SUBMITTED,
    }
    audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=request.user, reference=application.ref
    )
    return render(request, "recruitment/faculty/application_detail.html", context)


@manage_rounds
def mark_ineligible(request, ref: str):
    application = get_object_or_404(
        Application.objects.select_related("round", "applicant"), ref=ref
    )
    form = IneligibleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_ineligible(
                application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if application.applicant:
                messages.success(
                    request,
                    f"{application.ref} is marked ineligible. We have emailed the applicant the reason.",
                )
            else:
                messages.success(
                    request,
                    f"{application.ref} is marked ineligible. It has no applicant account, so nobody was emailed.",
                )
            return redirect("application_detail", ref=application.ref)
    context = {
        "application": application,
        "form": form,
        "can_mark_ineligible": application.stage == Stage.SUBMITTED,
    }
    return render(request, "recruitment/faculty/mark_ineligible.html", context)


# Equality monitoring --------------------------------------------------------------------------


@never_cache
@see_equality
def equality_monitoring(request, pk: int):
    """A round's equality figures under the disclosure-control policy, once the round has closed.

    While it is open the page says when they will appear and shows no count: two looks a little
    apart would otherwise differ by the person who had just applied.
    """
    rnd = _round_or_404(pk)
    policy = equality.policy()
    funnels = equality.for_round(rnd, policy=policy)
    if funnels is not None:
        audit.record(
            AuditAction.VIEWED,
            AuditSubject.EQUALITY,
            by=request.user,
            reference=f"round {rnd.pk}",
            summary=f"Equality monitoring of {rnd.name}",
        )
    return render(
        request,
        "recruitment/faculty/equality_monitoring.html",
        {"round": rnd, "funnels": funnels, "policy": policy, "threshold": policy.threshold},
    )
