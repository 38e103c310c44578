"""The faculty's side of projects: vetting proposals against the checklist, the checklist itself,
the overview of milestones through the year, and each project's milestones, which its supervisor
and fellows update too. The catalogue of approved projects is in views/catalogue.py."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Max,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from rules.contrib.views import permission_required

from fellowship.models import Cohort
from fellowship.pagination import other_filters, paginate

from .. import services
from ..enums import AWAITING_REVIEW, Decision, MilestoneStatus, ProposalStatus
from ..forms.vetting import ChecklistItemForm, MilestoneForm, ReviewForm
from ..models import ChecklistItem, Milestone, Placement, Project, Review

vet = permission_required("projects.vet", raise_exception=True)
manage_checklist = permission_required("projects.manage_checklist", raise_exception=True)

RECENTLY_DECIDED = 20
DECIDED = (ProposalStatus.APPROVED, ProposalStatus.REVISE, ProposalStatus.DECLINED)


# Vetting --------------------------------------------------------------------------------------


def _with_latest_reviews(projects: QuerySet[Project], limit: int | None = None) -> list[Project]:
    """Each project with `latest_version` (its number) and `latest_reviews` (of that version)."""
    projects = _reviewed(projects)
    return _latest_reviews(list(projects[:limit] if limit else projects))


def _reviewed(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with what their review rows show fetched alongside."""
    return (
        projects.with_alumnus_flag()
        .select_related("cohort", "supervisor")
        .annotate(latest_version=Max("versions__number"))
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("reviewer", "version").order_by(
                    "decided_at", "pk"
                ),
            )
        )
    )


def _latest_reviews(projects: list[Project]) -> list[Project]:
    """Set each project's `latest_reviews`: those of its latest version."""
    for project in projects:
        project.latest_reviews = [
            r for r in project.reviews.all() if r.version.number == project.latest_version
        ]
    return projects


@vet
def review_queue(request):
    page = paginate(
        request,
        _reviewed(
            Project.objects.filter(status__in=AWAITING_REVIEW).order_by("submitted_at", "pk")
        ),
    )
    awaiting = _latest_reviews(list(page.object_list))
    decided = _with_latest_reviews(
        Project.objects.filter(status__in=DECIDED, decided_at__isnull=False).order_by(
            "-decided_at", "-pk"
        ),
        limit=RECENTLY_DECIDED,
    )
    context = {
        "awaiting": awaiting,
        "decided": decided,
        "page_obj": page,
        "query": other_filters(request),
    }
    return render(request, "projects/review_queue.html", context)


@vet
def review(request, ref: str):
    """Vet the latest submitted version against every active checklist item, then decide."""
    project = get_object_or_404(
        Project.objects.select_related(
            "cohort", "supervisor", "host_organisation", "region", "clinical_domain"
        ),
        ref=ref,
    )
    version = project.versions.order_by("-number").first()
    if project.status not in AWAITING_REVIEW or version is None:
        return render(request, "projects/review_closed.html", {"project": project})

    mine = (
        Review.objects.filter(version=version, reviewer=request.user)
        .prefetch_related("answers")
        .first()
    )
    items = ChecklistItem.objects.filter(active=True).order_by("group", "position", "pk")
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        items=items,
        initial=ReviewForm.initial_from(mine),
    )
    if form.is_bound and not form.is_valid():
        # Report the checklist's problems along with the missing decision, not one round later.
        if problems := services.review_problems(form.answers(), ""):
            form.show_problems(ValidationError(problems))
    elif form.is_bound:
        try:
            services.record_review(
                project,
                by=request.user,
                answers=form.answers(),
                decision=form.cleaned_data["decision"],
                comments=form.cleaned_data["comments"].strip(),
            )
        except ValidationError as error:
            form.show_problems(error)
        else:
            project.refresh_from_db(fields=["status"])
            messages.success(request, _outcome(project, form.cleaned_data["decision"]))
            return redirect("review_queue")

    snapshot = version.snapshot
    context = {
        "project": project,
        "version": version,
        "form": form,
        "groups": form.groups(),
        "mine": mine,
        "review_count": version.reviews.count(),
        "fields": [
            (_label(name), snapshot["fields"].get(name, "")) for name in services.TEMPLATE_FIELDS
        ],
        "hazards": snapshot.get("hazards", []),
        "aims": snapshot.get("educational_aims", []),
        "milestones": snapshot.get("milestones", []),
    }
    return render(request, "projects/review.html", context)


def _label(name: str) -> str:
    # capfirst, not str.capitalize, keeps "AI modality" from becoming "Ai modality".
    return capfirst(Project._meta.get_field(name).verbose_name)


def _outcome(project: Project, decision: str) -> str:
    if project.status == ProposalStatus.APPROVED:
        return f"{project.title} is approved and now in the catalogue"
    if project.status == ProposalStatus.REVISE:
        return f"Review recorded. The supervisor of {project.title} has been asked to revise and resubmit"
    if project.status == ProposalStatus.DECLINED:
        return f"Review recorded. {project.title} is declined"
    if decision == Decision.APPROVED:
        return f"Your approval of {project.title} is recorded. Another reviewer must approve it too"
    return f"Your review of {project.title} is recorded"


# The checklist --------------------------------------------------------------------------------


@manage_checklist
def checklist(request):
    """Every item, grouped, with how often reviews have used it; and a form to add one."""
    form = ChecklistItemForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        item = form.save()
        messages.success(request, f"Checklist item added to {item.get_group_display().lower()}")
        return redirect("checklist")
    items = list(
        ChecklistItem.objects.annotate(answer_count=Count("answers")).order_by(
            "group", "position", "pk"
        )
    )
    groups = [
        (label, [item for item in items if item.group == value and item.active])
        for value, label in ChecklistItem._meta.get_field("group").choices
    ]
    context = {
        "form": form,
        "groups": groups,
        "retired": [item for item in items if not item.active],
    }
    return render(request, "projects/checklist.html", context)


@manage_checklist
def checklist_item(request, pk: int):
    """Change an item's wording or place, or retire it (it stays on the reviews that used it)."""
    item = get_object_or_404(ChecklistItem.objects.annotate(answer_count=Count("answers")), pk=pk)
    if request.method == "POST" and request.POST.get("action") in ("retire", "reinstate"):
        services.set_checklist_item_active(
            item, active=request.POST["action"] == "reinstate", by=request.user
        )
        if item.active:
            messages.success(
                request, "Checklist item reinstated. Reviewers will answer it from now on"
            )
        else:
            messages.success(
                request, "Checklist item retired. Reviews that answered it still show it"
            )
        return redirect("checklist")
    form = ChecklistItemForm(request.POST if request.method == "POST" else None, instance=item)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, "Checklist item saved")
        return redirect("checklist")
    return render(request, "projects/checklist_item.html", {"form": form, "item": item})


# Milestones through the year ------------------------------------------------------------------


def month_end(start: datetime.date, months: int) -> datetime.date:
    """`start` moved on by `months` calendar months (the day clamped to the month's length)."""
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return datetime.date(year, month0 + 1, day)


def is_overdue(milestone: Milestone, start: datetime.date | None, today: datetime.date) -> bool:
    """Month m of the fellowship year ends m months after the cohort starts; not done by then is overdue."""
    if start is None or milestone.status == MilestoneStatus.DONE:
        return False
    return today >= month_end(start, milestone.target_month)


@vet
def overview(request):
    """Every approved project of a cohort with the status of each milestone, overdue ones first."""
    cohorts = list(
        Cohort.objects.filter(projects__status=ProposalStatus.APPROVED)
        .distinct()
        .order_by("-number")
    )
    requested = request.GET.get("cohort", "")
    cohort = next(
        (c for c in cohorts if str(c.number) == requested), cohorts[0] if cohorts else None
    )
    projects: list[Project] = []
    if cohort is not None:
        counts = {
            f"{status}_count": Count("milestones", filter=Q(milestones__status=status))
            for status in (
                MilestoneStatus.ON_TRACK,
                MilestoneStatus.AT_RISK,
                MilestoneStatus.LATE,
                MilestoneStatus.DONE,
            )
        }
        projects = list(
            Project.objects.approved()
            .filter(cohort=cohort)
            .select_related("supervisor", "region")
            .annotate(**counts)
            .prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.order_by("target_month", "pk")),
                Prefetch("placements", queryset=Placement.objects.select_related("fellow__user")),
            )
            .order_by("title", "pk")
        )
    today = timezone.localdate()
    start = cohort.start_date if cohort else None
    overdue = []
    for project in projects:
        for milestone in project.milestones.all():
            milestone.overdue = is_overdue(milestone, start, today)
            milestone.due = month_end(start, milestone.target_month) if start else None
            if milestone.overdue:
                overdue.append((project, milestone))
    totals = {
        name: sum(getattr(p, f"{name}_count") for p in projects)
        for name in ("on_track", "at_risk", "late", "done")
    }
    context = {
        "cohorts": cohorts,
        "cohort": cohort,
        "projects": projects,
        "overdue": sorted(overdue, key=lambda pair: (pair[1].due, pair[0].title)),
        "totals": totals,
        "today": today,
    }
    return render(request, "projects/overview.html", context)


def milestones(request, ref: str):
    """The project's milestones; its supervisor, its fellows and faculty update them one by one."""
    project = get_object_or_404(
        Project.objects.for_user(request.user).select_related("cohort", "supervisor"), ref=ref
    )
    if not request.user.has_perm("projects.update_milestones", project):
        raise Http404
    items = list(project.milestones.select_related("updated_by").order_by("target_month", "pk"))
    bound = None
    if request.method == "POST":
        milestone = next((m for m in items if str(m.pk) == request.POST.get("milestone", "")), None)
        if milestone is None:
            raise Http404
        bound = MilestoneForm(request.POST, prefix=f"milestone-{milestone.pk}")
        if bound.is_valid():
            services.update_milestone(
                milestone,
                by=request.user,
                status=bound.cleaned_data["status"],
                note=bound.cleaned_data["note"].strip(),
            )
            messages.success(request, f"{milestone.title} updated")
            return redirect("project_milestones", ref=project.ref)
    start = project.cohort.start_date
    today = timezone.localdate()
    rows = []
    for m in items:
        if bound is not None and bound.prefix == f"milestone-{m.pk}":
            form = bound
        else:
            form = MilestoneForm(
                prefix=f"milestone-{m.pk}", initial={"status": m.status, "note": m.note}
            )
        m.overdue = is_overdue(m, start, today)
        m.due = month_end(start, m.target_month) if start else None
        rows.append((m, form))
    # `form` too, so the page title starts "Error:" when an update was refused.
    context = {"project": project, "rows": rows, "bound": bound, "form": bound}
    return render(request, "projects/milestones.html", context)
