"""The supervisor's side of projects: proposals on the standard template, saved as drafts,
submitted for vetting, read with the faculty's feedback item by item, and compared version by
version.

Who sees what: Project.objects.for_user decides who may see a proposal (anyone else gets a 404);
only its supervisor may change it, and only while it is a draft or sent back for revision (403).
The faculty's feedback is shown to faculty and the supervisor only.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst, slugify
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import services
from ..enums import Answer, ChecklistGroup, ProposalStatus
from ..forms.proposals import (
    FORMSETS,
    LABELS,
    PAGE_ORDER,
    SECTIONS,
    ProposalFilterForm,
    ProposalForm,
    proposal_formsets,
)
from ..models import ChecklistAnswer, Project, Review
from ..risk import LABELS as RISK_LABELS

propose = permission_required("projects.propose", raise_exception=True)

PAGE_SIZE = 50
CONTINUE = "continue"  # the "Save and continue editing" button


def _visible(request, ref: str, queryset: QuerySet[Project] | None = None) -> Project:
    """The proposal, if this person may see it; a 404 otherwise."""
    visible = Project.objects.for_user(request.user).values("pk")
    queryset = queryset if queryset is not None else Project.objects.all()
    return get_object_or_404(queryset.filter(pk__in=visible), ref=ref)


# The list -----------------------------------------------------------------------------------


@propose
def proposal_list(request):
    """A supervisor's own proposals; for faculty, every proposal, with filters."""
    latest_review = Review.objects.filter(project=OuterRef("pk")).exclude(decision="")
    latest_review = latest_review.order_by("-decided_at", "-pk")
    projects = Project.objects.for_user(request.user).select_related(
        "cohort", "region", "clinical_domain", "supervisor"
    )
    projects = projects.annotate(
        latest_decision=Subquery(latest_review.values("decision")[:1]),
        latest_decision_at=Subquery(latest_review.values("decided_at")[:1]),
    )
    faculty = rules.has_perm("projects.list_all_proposals", request.user)
    filters = None
    if faculty:
        filters = ProposalFilterForm(request.GET or None)
        projects = filters.filter(projects).order_by("-cohort__number", "title", "pk")
    else:
        projects = projects.filter(supervisor=request.user).order_by("-created_at", "-pk")
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    for project in page:
        # A review's decision uses the status's words: "Revise and resubmit", not the reviewer's.
        decision = project.latest_decision
        project.latest_decision_label = ProposalStatus(decision).label if decision else ""
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_obj": page,
        "faculty": faculty,
        "filters": filters,
        "query": query.urlencode(),
    }
    return render(request, "projects/proposal_list.html", context)


# Create and change --------------------------------------------------------------------------


@propose
def proposal_create(request):
    project = Project(supervisor=request.user, supervisor_name=request.user.get_full_name())
    return _edit(request, project)


def proposal_update(request, ref: str):
    project = _visible(request, ref)
    if not request.user.has_perm("projects.change_project", project):
        raise PermissionDenied
    return _edit(request, project)


def _edit(request, project: Project):
    """Show the template; on POST save what validates, field by field, and say what did not.

    A new proposal needs a title and a cohort before anything can be saved. Otherwise each field
    that validates is saved, and each of the hazard log, educational aims and milestones is
    saved if all its rows validate. What could not be saved is shown again with its errors, so
    no text is lost.
    """
    if request.method != "POST":
        form = ProposalForm(instance=project)
        return _edit_page(request, project, form, proposal_formsets(project))

    form = ProposalForm(request.POST, instance=Project(pk=project.pk, cohort_id=project.cohort_id))
    formsets = proposal_formsets(project, request.POST)
    form.is_valid()
    if form.cannot_save():
        return _edit_page(request, project, form, formsets)

    try:
        saved_draft = services.save_proposal_draft(project, form, formsets, by=request.user)
    except ValidationError:  # submitted from another tab meanwhile
        messages.error(request, "This proposal has been submitted and cannot be changed.")
        return redirect("proposal_detail", ref=project.ref)
    project, unsaved = saved_draft.project, saved_draft.unsaved

    if form.errors or unsaved:
        # Lists that were saved are shown as saved, so that a second save cannot add rows twice.
        saved = {p: fs for p, fs in proposal_formsets(project).items() if p not in unsaved}
        formsets = {prefix: unsaved.get(prefix) or saved[prefix] for prefix in FORMSETS}
        return _edit_page(request, project, form, formsets, partly_saved=True)
    messages.success(request, "Your draft has been saved")
    if request.POST.get("action") == CONTINUE:
        return redirect("proposal_update", ref=project.ref)
    return redirect("proposal_detail", ref=project.ref)


def _edit_page(request, project, form, formsets, *, partly_saved: bool = False):
    sections = dict(SECTIONS)
    parts = []
    for key in PAGE_ORDER:
        if key in FORMSETS:
            heading, row_name, _, hint = FORMSETS[key]
            parts.append(
                {"id": key, "heading": heading, "row_name": row_name, "hint": hint,
                 "formset": formsets[key]}
            )  # fmt: skip
        else:
            parts.append(
                {"id": slugify(key), "heading": key, "fields": [form[n] for n in sections[key]]}
            )
    context = {
        "project": project,
        "form": form,
        "formsets": formsets,
        "parts": parts,
        "partly_saved": partly_saved,
    }
    return render(request, "projects/proposal_form.html", context)


# Reading a proposal, and submitting it ------------------------------------------------------


def proposal_detail(request, ref: str):
    return _detail_page(request, _detail_project(request, ref))


@require_POST
def proposal_submit(request, ref: str):
    project = _detail_project(request, ref)
    if not rules.has_perm("projects.submit_proposal", request.user, project):
        raise PermissionDenied
    try:
        version = services.submit_proposal(project, by=request.user)
    except services.ProposalsClosed as closed:
        return _detail_page(request, project, closed=closed.message)
    except ValidationError as error:
        project.refresh_from_db()
        if not project.is_editable:  # a second click, or another tab, got there first
            messages.info(request, "This proposal has already been submitted.")
            return redirect("proposal_detail", ref=project.ref)
        return _detail_page(request, project, submit_problems=error.messages)
    if version.number == 1:
        text = "Your proposal has been submitted. The programme team will check it against the quality checklist and email you their decision."
    else:
        text = f"Version {version.number} of your proposal has been submitted. The programme team will check it again and email you their decision."
    messages.success(request, text)
    return redirect("proposal_detail", ref=project.ref)


def _detail_project(request, ref: str) -> Project:
    return _visible(
        request,
        ref,
        Project.objects.select_related(
            "cohort", "supervisor", "host_organisation", "region", "clinical_domain"
        ),
    )


def _detail_page(
    request, project: Project, *, submit_problems: list[str] | None = None, closed: str = ""
):
    user = request.user
    editable = user.has_perm("projects.change_project", project)
    sees_feedback = rules.has_perm("projects.read_feedback", user, project)
    hazards = list(project.hazards.all())
    for hazard in hazards:
        hazard.risk_label = RISK_LABELS[hazard.risk]
    sections = dict(SECTIONS)
    lists = {
        "hazards": hazards,
        "aims": list(project.educational_aims.select_related("theme")),
        "milestones": list(project.milestones.all()),
    }
    parts = []
    for key in PAGE_ORDER:
        if key in FORMSETS:
            parts.append({"id": key, "heading": FORMSETS[key][0], "rows": lists[key]})
        else:
            rows = [(_label(name), _display(project, name)) for name in sections[key]]
            parts.append({"id": slugify(key), "heading": key, "fields": rows})
    context = {
        "project": project,
        "parts": parts,
        "versions": list(project.versions.select_related("submitted_by").order_by("number")),
        "editable": editable,
        "missing": services.missing_for_submission(project) if editable else [],
        "closed": closed or (services.proposals_closed(project) if editable else ""),
        "submit_problems": submit_problems or [],
        "feedback": _feedback(project) if sees_feedback else None,
    }
    return render(request, "projects/proposal_detail.html", context)


def _label(name: str) -> str:
    """The field's name as the form puts it."""
    return LABELS.get(name) or capfirst(Project._meta.get_field(name).verbose_name)


def _display(project: Project, name: str) -> str:
    value = getattr(project, name)
    if value in (None, ""):
        return ""
    display = getattr(project, f"get_{name}_display", None)
    return str(display() if display else value)


def _feedback(project: Project) -> dict | None:
    """The reviews of the latest reviewed version, each with its answers under their groups."""
    reviews = list(
        Review.objects.filter(project=project)
        .exclude(decision="")
        .select_related("reviewer", "version")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ChecklistAnswer.objects.select_related("item").order_by(
                    "item__position", "item__pk"
                ),
            )
        )
        .order_by("-version__number", "decided_at", "pk")
    )
    if not reviews:
        return None
    version = reviews[0].version
    reviews = [r for r in reviews if r.version_id == version.pk]
    for review in reviews:
        answers = list(review.answers.all())
        review.groups = [
            (group.label, [a for a in answers if a.item.group == group])
            for group in ChecklistGroup
            if any(a.item.group == group for a in answers)
        ]
        review.needs_change = [
            a for group in review.groups for a in group[1] if a.answer == Answer.NOT_MET
        ]
    return {"version": version, "reviews": reviews}


# Comparing versions -------------------------------------------------------------------------


def version_compare(request, ref: str):
    """Two submitted versions side by side (by default the last two), what changed first."""
    project = _visible(request, ref, Project.objects.select_related("cohort"))
    versions = list(project.versions.order_by("number"))
    numbers = [v.number for v in versions]
    context = {"project": project, "versions": versions}
    if len(versions) < 2:
        return render(request, "projects/proposal_versions.html", context)

    a = _version_number(request, "a", numbers[-2], numbers)
    b = _version_number(request, "b", numbers[-1], numbers)
    older, newer = (versions[numbers.index(n)] for n in sorted((a, b)))
    changes = services.compare(older.snapshot, newer.snapshot)
    changed = {change.item for change in changes}
    # Everything the newer version says, as compare() words it against an empty proposal.
    everything = services.compare(NOTHING, newer.snapshot)
    unchanged = [c for c in everything if c.item not in changed]
    context.update(older=older, newer=newer, changes=changes, unchanged=unchanged, same=a == b)
    return render(request, "projects/proposal_versions.html", context)


NOTHING = {"fields": {}}


def _version_number(request, key: str, default: int, numbers: list[int]) -> int:
    value = request.GET.get(key, "")
    # isdigit() alone lets "²" through, which int() refuses.
    return int(value) if value.isascii() and value.isdigit() and int(value) in numbers else default
