"""Each person's home page: what they have to do next, by role."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import render

from .. import mentoring
from ..enums import FellowStatus, Role
from ..hooks import home_context
from ..models import Cohort, Fellow, Funder, MentorOffer, MentorPairing, Workshop


@login_not_required
def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "fellowship/landing.html")
    context: dict = {"roles": sorted(user.roles, key=list(Role.values).index)}

    if user.has_role(Role.FELLOW, Role.ALUMNUS):
        fellowships = list(user.fellowships.select_related("cohort", "region", "funder").order_by("-cohort__number"))
        context["fellowships"] = fellowships
        cohort_ids = [f.cohort_id for f in fellowships if f.status == FellowStatus.IN_POST]
        context["my_workshops"] = Workshop.objects.upcoming().filter(cohort_id__in=cohort_ids).select_related("host_organisation")[:5]

    if user.has_role(Role.FACULTY):
        context["cohorts"] = Cohort.objects.with_counts().order_by("-number")[:4]
        context["attention"] = {
            "fellows_without_account": Fellow.objects.in_post().filter(user__isnull=True).count(),
            "fellows_without_project": Fellow.objects.in_post().filter(project_ref="").count(),
            "funders_without_mou": Funder.objects.filter(Q(mou="") | Q(mou__isnull=True)).count(),
            "upcoming_workshops": Workshop.objects.upcoming().count(),
        }
        context["next_workshops"] = Workshop.objects.upcoming().select_related("cohort", "host_organisation")[:3]

    if user.has_role(Role.FUNDER):
        context["my_funders"] = _funded_fellows(user)
    if user.has_role(Role.FELLOW, Role.ALUMNUS):
        context.update(_mentoring(user))
    context.update(home_context(request))
    return render(request, "fellowship/home.html", context)


def _funded_fellows(user) -> list[Funder]:
    """The funders this person acts for, each with `by_cohort`: how many fellows it funds in each
    cohort, in post, graduated and in all. Counts only, no one's name; two queries."""
    funders = list(Funder.objects.filter(pk__in=user.funder_ids).order_by("name"))
    rows = (
        Fellow.objects.filter(funder__in=funders)
        .values("funder_id", "cohort__number")
        .annotate(
            in_post=Count("pk", filter=Q(status=FellowStatus.IN_POST)),
            graduated=Count("pk", filter=Q(status=FellowStatus.GRADUATED)),
            total=Count("pk"),
        )
        .order_by("cohort__number")
    )
    by_funder: dict[int, list[dict]] = {}
    for row in rows:
        by_funder.setdefault(row["funder_id"], []).append(row)
    for funder in funders:
        funder.by_cohort = by_funder.get(funder.pk, [])
        funder.fellows_in_post = sum(row["in_post"] for row in funder.by_cohort)
        funder.fellows_graduated = sum(row["graduated"] for row in funder.by_cohort)
    return funders


def _mentoring(user) -> dict:
    """Alumni: their offer to mentor the incoming cohort and their mentees; fellows: their mentor or request."""
    context: dict = {}
    if user.has_role(Role.ALUMNUS) and (mentor := mentoring.mentor_record(user)):
        cohort = mentoring.incoming_cohort()
        if cohort is not None and mentor.cohort.number < cohort.number and not mentoring.is_published(cohort):
            context["mentoring_offer_cohort"] = cohort
            context["mentoring_offer"] = MentorOffer.objects.filter(cohort=cohort, mentor=mentor).first()
        context["my_mentees"] = list(
            MentorPairing.objects.published()
            .filter(mentor__user=user)
            .select_related("mentee__user", "cohort")
            .order_by("-cohort__number", "mentee__ref")
        )
    if user.has_role(Role.FELLOW) and (mentee := mentoring.mentee_record(user)):
        context["my_mentor_pairing"] = (
            MentorPairing.objects.published().filter(mentee=mentee).select_related("mentor__user").first()
        )
        context["mentoring_request"] = getattr(mentee, "mentor_request", None)
        context["mentoring_request_open"] = not mentoring.is_published(mentee.cohort)
    return context
