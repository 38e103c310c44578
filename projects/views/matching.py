"""Matching fellows to AI projects: fellows rank projects, supervisors rank fellows, faculty set up,
run, review, override and publish; fellows read their result.

The rules live in projects.matching; these views check permission, read a form, call one service
and render or redirect. Rankings use a number select per row, so no one needs drag and drop.
Pages for fellows and supervisors stay reachable (200) when ranking is closed: they then show
what was saved, read-only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from fellowship.enums import FellowStatus
from fellowship.models import Cohort, User

from .. import matching as service
from ..enums import MatchingStatus, ProposalStatus
from ..forms.matching import CapacityForm, MatchingSettingsForm, OverrideForm, RankForm
from ..models import FellowRanking, MatchingRound, Project, ProjectChoice, ProposedMatch

rank_projects = permission_required("projects.rank_projects", raise_exception=True)
run_matching = permission_required("projects.run_matching", raise_exception=True)


def _matching(number: int) -> MatchingRound:
    return get_object_or_404(
        MatchingRound.objects.select_related("cohort", "ran_by", "published_by"),
        cohort__number=number,
    )


# Fellows -----------------------------------------------------------------------------------------


@rank_projects
@require_http_methods(["GET", "POST"])
def project_choices(request):
    """The projects the fellow may rank, each with a rank select; read-only once ranking closes."""
    fellow = service.fellow_record(request.user)
    rnd = service.matching_for(fellow.cohort_id) if fellow else None
    context: dict = {"fellow": fellow, "matching": rnd}
    if fellow is None or rnd is None:
        return render(request, "projects/matching/choices.html", context)

    projects = service.eligible_projects(fellow, rnd)
    eligible = {p.pk for p in projects}
    saved = list(
        ProjectChoice.objects.filter(fellow=fellow).select_related("project").order_by("rank")
    )
    # Numbered again over what is still eligible, so a saved ranking never shows a gap.
    ranks = {
        c.project_id: i
        for i, c in enumerate((c for c in saved if c.project_id in eligible), start=1)
    }
    is_open = rnd.ranking_open
    form = RankForm(
        request.POST if request.method == "POST" and is_open else None,
        items=[(p.pk, p.title) for p in projects],
        ranks=ranks,
        noun="project",
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, "Ranking has closed, so your ranking was not changed.")
            return redirect("project_choices")
        if form.is_valid():
            try:
                service.save_choices(fellow, form.order, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                n = len(form.order)
                messages.success(
                    request,
                    f"Your ranking has been saved: {n} project{'s' if n != 1 else ''} ranked."
                    if n
                    else "Your ranking has been saved: you have not ranked any project.",
                )
                return redirect("project_choices")
    by_pk = {p.pk: p for p in projects}
    context.update(
        form=form,
        rows=[(by_pk[pk], field) for pk, field in form.rows()],
        is_open=is_open,
        saved=[c for c in saved if c.project_id in eligible] if not is_open else saved,
        themed=bool(fellow.post_theme.strip()) and not rnd.themed_posts_any_project,
    )
    return render(request, "projects/matching/choices.html", context)


@rank_projects
def matching_result(request):
    """Once published: the project the fellow got, which choice it was, and why not each better one."""
    fellow = service.fellow_record(request.user)
    rnd = service.matching_for(fellow.cohort_id) if fellow else None
    proposed = None
    if rnd is not None and rnd.status == MatchingStatus.PUBLISHED:
        proposed = (
            ProposedMatch.objects.filter(matching=rnd, fellow=fellow)
            .select_related("project__host_organisation", "project__region", "project__supervisor")
            .first()
        )
    context = {
        "fellow": fellow,
        "matching": rnd,
        "published": rnd is not None and rnd.status == MatchingStatus.PUBLISHED,
        "proposed": proposed,
        "lines": service.explanation(proposed) if proposed else [],
        "ranked_nothing": service.ranked_nothing(proposed) if proposed else False,
    }
    return render(request, "projects/matching/result.html", context)


# Supervisors -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def fellow_ranking(request, number: int, pk: int):
    """A supervisor ranks the fellows who chose their projects; faculty may do it for them."""
    supervisor = User.objects.filter(pk=pk).first()
    if not request.user.has_perm("projects.rank_fellows", supervisor):
        raise PermissionDenied
    if supervisor is None:
        raise Http404
    rnd = _matching(number)
    rows = service.candidates(rnd, supervisor)
    ranks = {r.fellow.pk: i for i, r in enumerate((r for r in rows if r.rank is not None), start=1)}
    is_open = rnd.status == MatchingStatus.RANKING
    form = RankForm(
        request.POST if request.method == "POST" and is_open else None,
        items=[(r.fellow.pk, r.fellow.display_name) for r in rows],
        ranks=ranks,
        noun="fellow",
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, "The matching has run, so the ranking was not changed.")
            return redirect("fellow_ranking", number=number, pk=pk)
        if form.is_valid():
            try:
                service.save_fellow_ranking(rnd, supervisor, form.order, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The ranking of fellows has been saved.")
                return redirect("fellow_ranking", number=number, pk=pk)
    by_pk = {r.fellow.pk: r for r in rows}
    context = {
        "matching": rnd,
        "supervisor": supervisor,
        "own": supervisor.pk == request.user.pk,
        "projects": service.supervised_projects(rnd, supervisor),
        "form": form,
        "rows": [(by_pk[fid], field) for fid, field in form.rows()],
        "is_open": is_open,
        "ranked": [r for r in rows if r.rank is not None],
    }
    return render(request, "projects/matching/fellow_ranking.html", context)


# Faculty -----------------------------------------------------------------------------------------


@run_matching
def matching_list(request):
    cohorts = (
        Cohort.objects.select_related("matching_round")
        .annotate(
            approved=Count(
                "projects", filter=Q(projects__status=ProposalStatus.APPROVED), distinct=True
            ),
            in_post=Count("fellows", filter=Q(fellows__status=FellowStatus.IN_POST), distinct=True),
            unplaced=Count(
                "fellows",
                filter=Q(fellows__status=FellowStatus.IN_POST, fellows__placement__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-number")
    )
    return render(request, "projects/matching/list.html", {"cohorts": cohorts})


@run_matching
@require_http_methods(["GET", "POST"])
def matching_detail(request, number: int):
    """Open the matching of a cohort, or see where it stands and change its settings."""
    cohort = get_object_or_404(Cohort, number=number)
    rnd = service.matching_for(cohort)
    if rnd is None:
        if request.method == "POST":
            try:
                service.open_matching(cohort, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, f"Matching for {cohort} is open. Fellows can rank projects now."
                )
            return redirect("matching_detail", number=number)
        return render(
            request, "projects/matching/detail.html", {"cohort": cohort, "matching": None}
        )

    if "open" in request.POST:  # a second "Open" click, or another tab, got there first
        messages.info(request, f"Matching for {cohort} is already open.")
        return redirect("matching_detail", number=number)
    initial = {
        "ranking_closes_at": timezone.localtime(rnd.ranking_closes_at)
        if rnd.ranking_closes_at
        else None,
        "themed_posts_any_project": rnd.themed_posts_any_project,
    }
    form = MatchingSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            service.update_settings(rnd, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The matching settings have been saved.")
            return redirect("matching_detail", number=number)
    context = {
        "cohort": cohort,
        "matching": rnd,
        "form": form,
        "counts": service.counts(rnd),
        "proposed_count": rnd.proposals.count(),
    }
    return render(request, "projects/matching/detail.html", context)


@run_matching
@require_http_methods(["GET", "POST"])
def matching_supervisors(request, number: int):
    """Each supervisor's total capacity, and how far their ranking of fellows has got."""
    rnd = _matching(number)
    rows = service.supervisor_rows(rnd)
    editable = rnd.status != MatchingStatus.PUBLISHED
    form = CapacityForm(request.POST if request.method == "POST" and editable else None, rows=rows)
    if request.method == "POST":
        if not editable:
            messages.error(request, service.PUBLISHED)
            return redirect("matching_supervisors", number=number)
        if form.is_valid():
            try:
                service.set_supervisor_capacities(rnd, form.capacities(), by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Supervisors' capacities have been saved.")
                return redirect("matching_supervisors", number=number)
    chose = dict(
        ProjectChoice.objects.filter(
            project__cohort_id=rnd.cohort_id,
            project__status=ProposalStatus.APPROVED,
            project__supervisor__isnull=False,
            fellow__status=FellowStatus.IN_POST,
        )
        .values_list("project__supervisor_id")
        .annotate(n=Count("fellow", distinct=True))
    )
    ranked = dict(
        FellowRanking.objects.filter(matching=rnd)
        .values_list("supervisor_id")
        .annotate(n=Count("pk"))
    )
    context = {
        "matching": rnd,
        "form": form,
        "rows": [
            (row, field, chose.get(row.supervisor.pk, 0), ranked.get(row.supervisor.pk, 0))
            for row, field in form.rows()
        ],
        "editable": editable,
        "unsupervised": list(
            Project.objects.approved()
            .filter(cohort_id=rnd.cohort_id, supervisor__isnull=True)
            .order_by("title", "pk")
        ),
    }
    return render(request, "projects/matching/supervisors.html", context)


@require_POST
@run_matching
def matching_run(request, number: int):
    rnd = _matching(number)
    try:
        proposals = service.run_matching(rnd, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching_detail", number=number)
    matched = sum(1 for p in proposals if p.project_id)
    messages.success(
        request,
        f"The matching has run: {matched} of {len(proposals)} fellow{'s' if len(proposals) != 1 else ''} matched. Review the allocation before you publish it.",
    )
    return redirect("matching_allocation", number=number)


@run_matching
def matching_allocation(request, number: int):
    """Every fellow's line with its explanation, the overrides, and whether the allocation is stable."""
    rnd = _matching(number)
    proposals = list(
        rnd.proposals.select_related(
            "fellow__user",
            "fellow__region",
            "project__host_organisation",
            "project__region",
            "project__supervisor",
            "allocated_project",
            "overridden_by",
        ).order_by("fellow__ref")
    )
    report = None
    if proposals:
        built = service.build_instance(rnd)
        report = service.stability_report(
            rnd, built=built, assignment={p.fellow_id: p.project_id for p in proposals}
        )
    rows = [(p, service.explanation(p), service.ranked_nothing(p)) for p in proposals]
    context = {
        "matching": rnd,
        "rows": rows,
        "matched": [p for p in proposals if p.project_id],
        "unmatched": [r for r in rows if not r[0].project_id],
        "overrides": [p for p in proposals if p.override_reason],
        "report": report,
        "published": rnd.status == MatchingStatus.PUBLISHED,
    }
    return render(request, "projects/matching/allocation.html", context)


@run_matching
@require_http_methods(["GET", "POST"])
def matching_override(request, number: int, pk: int):
    """Place one fellow on another project (or none), with a reason; shows what the change breaks.

    "Check this change" shows the effect of the project chosen without saving it.
    """
    rnd = _matching(number)
    proposed = get_object_or_404(
        ProposedMatch.objects.select_related("fellow__user", "project", "allocated_project"),
        pk=pk,
        matching=rnd,
    )
    projects = (
        Project.objects.approved()
        .filter(cohort_id=rnd.cohort_id)
        .select_related("region")
        .order_by("title", "pk")
    )
    published = rnd.status == MatchingStatus.PUBLISHED
    if request.method == "POST" and "preview" in request.POST:
        # Check the effect of the project chosen, without saving (and without asking for the reason yet).
        wanted = request.POST.get("project", "")
        form = OverrideForm(
            initial={"project": wanted or None, "reason": request.POST.get("reason", "")},
            projects=projects,
        )
    elif request.method == "POST":
        form = OverrideForm(request.POST, projects=projects)
        if published:
            form.is_valid()
            form.add_error(
                None, "This matching has been published, so its allocation cannot change"
            )
        elif form.is_valid():
            try:
                service.override_match(
                    proposed,
                    form.cleaned_data["project"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"The allocation for {proposed.fellow.display_name} has been changed."
                )
                return redirect("matching_allocation", number=number)
        wanted = request.POST.get("project", "")
    else:
        wanted = str(proposed.project_id or "")
        form = OverrideForm(initial={"project": proposed.project_id}, projects=projects)
    chosen = next((p for p in projects if str(p.pk) == wanted), None)
    built = service.build_instance(rnd)
    assignment = service.current_assignment(rnd)
    before = service.stability_report(rnd, built=built, assignment=assignment)
    after = service.stability_report(
        rnd, {proposed.fellow_id: chosen.pk if chosen else None}, built=built, assignment=assignment
    )
    prefs = built.instance.fellow_prefs.get(proposed.fellow_id, [])
    context = {
        "matching": rnd,
        "proposed": proposed,
        "form": form,
        "published": published,
        "chosen": chosen,
        "changes": (chosen.pk if chosen else None) != proposed.project_id,
        "chosen_rank": prefs.index(chosen.pk) + 1 if chosen and chosen.pk in prefs else None,
        "fellow_choices": [built.projects[p] for p in prefs],
        "new_pairs": [b for b in after.blocking if b not in before.blocking],
        "resolved_pairs": [b for b in before.blocking if b not in after.blocking],
        "new_overruns": [o for o in after.overruns if o not in before.overruns],
        "after": after,
    }
    return render(request, "projects/matching/override.html", context)


@require_POST
@run_matching
def matching_publish(request, number: int):
    rnd = _matching(number)
    try:
        service.publish_matching(rnd, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "The matching is published. Fellows are placed on their projects, and we have emailed every fellow and supervisor.",
        )
    return redirect("matching_allocation", number=number)
