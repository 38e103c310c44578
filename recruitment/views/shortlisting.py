"""Shortlisting pages: the faculty's page per round (assign reviewers, see scores side by side,
moderate, shortlist in bulk) and the reviewers' pages (their assignments, scoring, declaring a
conflict of interest).

Reviewers only ever reach their own assignments (looked up by reviewer: 404 otherwise), never see
other reviewers' scores, and, when the round says so, never see the applicant's name, contact
details, employer or registration number. No page here reads equality data.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from rules.contrib.views import permission_required

from fellowship.pagination import other_filters, paginate

from .. import shortlist_standings, shortlisting
from ..forms.shortlisting import (
    AssignReviewersForm,
    DeclareConflictForm,
    ModerationForm,
    ScoreForm,
    ShortlistForm,
)
from ..models import Application, Criterion, RecruitmentRound, ReviewerAssignment, ShortlistScore

manage_shortlisting = permission_required("recruitment.manage_shortlisting", raise_exception=True)
review_applications = permission_required("recruitment.review_applications", raise_exception=True)

#: Applications on one page of scores: each row holds every reviewer's score for every criterion,
#: several times a plain table row, so half the usual page size.
SCORES_PAGE_SIZE = 25


# Faculty --------------------------------------------------------------------------------------


@manage_shortlisting
def round_shortlisting(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound.objects.select_related("cohort"), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = AssignReviewersForm(
        request.POST if action == "assign" else None, reviewers=shortlisting.reviewers()
    )
    shortlist_form = ShortlistForm(
        request.POST if action == "shortlist" else None,
        applications=shortlisting.shortlistable(rnd),
    )
    if action == "assign" and assign_form.is_valid():
        try:
            report = shortlisting.assign_reviewers(
                rnd, assign_form.cleaned_data["reviewers"], by=request.user
            )
        except ValidationError as exc:
            assign_form.add_error(None, exc)
        else:
            text = f"{report.created} assignment{'s' if report.created != 1 else ''} made."
            if report.conflicts_recorded:
                text += f" {report.conflicts_recorded} pairing{'s' if report.conflicts_recorded != 1 else ''} removed for the same employer, and recorded."
            if report.short:
                refs = ", ".join(a.ref for a in report.short)
                messages.warning(
                    request,
                    f"{text} Not enough reviewers without a conflict for: {refs}. Choose more reviewers.",
                )
            else:
                messages.success(request, text)
            return redirect("shortlisting", pk=rnd.pk)
    if action == "shortlist" and shortlist_form.is_valid():
        try:
            report = shortlisting.make_shortlist(
                rnd, shortlist_form.cleaned_data["applications"], by=request.user
            )
        except ValidationError as exc:
            shortlist_form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{report.shortlisted} shortlisted and {report.unsuccessful} not shortlisted. We have emailed them all.",
            )
            return redirect("shortlisting", pk=rnd.pk)
    criteria = list(rnd.criteria.all())
    ranking = shortlist_standings.ranking(rnd)
    standings = ranking.waiting
    if action == "shortlist":  # keep what faculty ticked when the form comes back with an error
        ticked = set(request.POST.getlist("applications"))
        for standing in standings:
            standing.selected = str(standing.pk) in ticked
    per_application = rnd.reviewers_per_application
    page = paginate(request, standings, per_page=SCORES_PAGE_SIZE)
    on_page = {standing.pk for standing in page.object_list}
    needing_reviewers = [s for s in standings if s.reviewer_count < per_application]
    shown_needing = needing_reviewers[:SCORES_PAGE_SIZE]
    # Once the shortlist is made, its ranking and outcomes stay on the page to read.
    decided = ranking.decided
    decided_page = paginate(request, decided, per_page=SCORES_PAGE_SIZE, param="decided")
    # Full rows (every reviewer and score) only for what this page shows.
    rows = shortlist_standings.rows_for(rnd, criteria, [*page.object_list, *shown_needing])
    decided_rows = shortlist_standings.rows_for(rnd, criteria, decided_page.object_list)
    context = {
        "round": rnd,
        "criteria": criteria,
        "groups": shortlist_standings.grouped(page.object_list, rows),
        "page_obj": page,
        "query": other_filters(request),
        # Ticks of the applications on other pages go with the form unchanged.
        "selected_elsewhere": [s.pk for s in standings if s.selected and s.pk not in on_page],
        "assign_form": assign_form,
        "shortlist_form": shortlist_form,
        "needing_reviewers": [rows[s.pk] for s in shown_needing],
        "needing_reviewers_count": len(needing_reviewers),
        "flagged": sum(1 for s in standings if s.flagged),
        "application_count": len(standings),
        "decided_groups": shortlist_standings.grouped(decided_page.object_list, decided_rows),
        "decided_page": decided_page,
        "decided_query": other_filters(request, "decided"),
        "shortlisted_count": sum(1 for s in decided if s.selected),
        "not_shortlisted_count": sum(1 for s in decided if not s.selected),
    }
    return render(request, "recruitment/shortlisting/round.html", context)


@manage_shortlisting
def moderate(request, ref: str, criterion_pk: int):
    application = get_object_or_404(Application.objects.select_related("round"), ref=ref)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, round_id=application.round_id)
    existing = application.moderations.filter(criterion=criterion).select_related("by").first()
    initial = {"score": existing.score, "reason": existing.reason} if existing else None
    form = ModerationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shortlisting.moderate(
                application,
                criterion,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{criterion.title} for {application.ref} moderated")
            return redirect("shortlisting", pk=application.round_id)
    scores = (
        ShortlistScore.objects.filter(assignment__application=application, criterion=criterion)
        .select_related("assignment__reviewer")
        .order_by("assignment__reviewer__full_name", "assignment__reviewer__email")
    )
    context = {
        "application": application,
        "round": application.round,
        "criterion": criterion,
        "scores": scores,
        "existing": existing,
        "form": form,
        "can_moderate": application.stage in shortlisting.SHORTLISTABLE,
    }
    return render(request, "recruitment/shortlisting/moderate.html", context)


# Reviewers ------------------------------------------------------------------------------------


def _own_assignment(request, pk: int) -> ReviewerAssignment:
    """The reviewer's own assignment, or 404: nobody learns whether another's exists."""
    return get_object_or_404(
        ReviewerAssignment.objects.select_related("application__round", "application__region"),
        pk=pk,
        reviewer=request.user,
    )


@review_applications
def my_reviews(request):
    assignments = (
        ReviewerAssignment.objects.filter(reviewer=request.user)
        .select_related("application__round", "application__region")
        .order_by("-application__round__closes_at", "application__ref")
    )
    return render(
        request,
        "recruitment/shortlisting/my_reviews.html",
        {"assignments": assignments, "open_stages": shortlisting.SHORTLISTABLE},
    )


@review_applications
def score(request, pk: int):
    assignment = _own_assignment(request, pk)
    application = assignment.application
    rnd = application.round
    criteria = list(rnd.criteria.all())
    statements = {s.criterion_id: s.text for s in application.statements.all()}
    mine = {s.criterion_id: s for s in assignment.scores.all()}  # this reviewer's only
    editable = shortlisting.can_still_score(assignment)
    form = ScoreForm(
        request.POST if request.method == "POST" else None, criteria=criteria, scores=mine
    )
    if request.method == "POST" and form.is_valid():
        try:
            shortlisting.save_scores(assignment, form.scores(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Your scores for {application.ref} are saved. You can change them until the shortlist is made.",
            )
            return redirect("my_reviews")
    context = {
        "assignment": assignment,
        "application": application,
        "round": rnd,
        "anonymised": rnd.anonymised_shortlisting,
        "form": form,
        "answers": [
            (criterion, statements.get(criterion.pk, ""), field, comment)
            for criterion, field, comment in form.rows()
        ],
        "editable": editable,
    }
    return render(request, "recruitment/shortlisting/score.html", context)


@review_applications
def declare_conflict(request, pk: int):
    assignment = _own_assignment(request, pk)
    form = DeclareConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shortlisting.declare_conflict(
                assignment, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Conflict of interest recorded. {assignment.application.ref} has been taken off your list and will go to another reviewer.",
            )
            return redirect("my_reviews")
    return render(
        request,
        "recruitment/shortlisting/declare_conflict.html",
        {"assignment": assignment, "application": assignment.application, "form": form},
    )
