"""Each person's home page: what they have to do next, by role."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from .. import mentoring
from .. import rules as r
from ..enums import FellowStatus, InvitationState, Role
from ..hooks import Task, home_context, pending_tasks
from ..models import Cohort, Fellow, Funder, MentorOffer, MentorPairing, PersonInvitation, Workshop
from ..public.caching import public_page
from ..public.views import visitors_home


@public_page
def home(request):
    """Visitors see the programme's public home page (cacheable); signed-in people their own."""
    user = request.user
    if not user.is_authenticated:
        return visitors_home(request)
    sections = r.home_sections(user)
    context: dict = {
        "roles": sorted(user.roles, key=list(Role.values).index),
        "sections": sections,
        "tasks": pending_tasks(user, programme_tasks),
    }

    if "own_fellowship" in sections:
        fellowships = list(
            user.fellowships.select_related("cohort", "region", "funder").order_by(
                "-cohort__number"
            )
        )
        context["fellowships"] = fellowships
        cohort_ids = [f.cohort_id for f in fellowships if f.status == FellowStatus.IN_POST]
        context["my_workshops"] = (
            Workshop.objects.upcoming()
            .filter(cohort_id__in=cohort_ids)
            .select_related("host_organisation")[:5]
        )

    if "programme_team" in sections:
        context["cohorts"] = Cohort.objects.with_counts().order_by("-number")[:4]
        context["next_workshops"] = Workshop.objects.upcoming().select_related(
            "cohort", "host_organisation"
        )[:3]

    if "funded" in sections:
        context["my_funders"] = funded_fellows(Funder.objects.acting_for(user))
    if "own_fellowship" in sections:
        context.update(_mentoring(user))
    context.update(home_context(request))
    return render(request, "fellowship/home.html", context)


def _fellows_url(**filters) -> str:
    return f"{reverse('fellow_list')}?{urlencode(filters)}"


def programme_tasks(user) -> list[Task]:
    """The programme core's pending work for the faculty: people to bring into the service and
    records still missing. The feature apps add theirs through fellowship.hooks.home_tasks."""
    if not r.runs_programme.test(user):
        return []
    in_post = Fellow.objects.in_post()
    tasks = [
        Task(
            in_post.without_account().count(),
            "fellow in post without an account",
            "fellows in post without an account",
            _fellows_url(status=FellowStatus.IN_POST, account="no"),
        ),
        Task(
            in_post.without_project().count(),
            "fellow in post without an AI project",
            "fellows in post without an AI project",
            _fellows_url(status=FellowStatus.IN_POST, project="no"),
        ),
        Task(
            Funder.objects.without_mou().count(),
            "funder without a memorandum of understanding",
            "funders without a memorandum of understanding",
            reverse("funder_list"),
        ),
    ]
    if user.has_perm("fellowship.manage_people"):
        invitations = PersonInvitation.objects.for_user(user)
        tasks += [
            Task(
                invitations.in_state(InvitationState.PENDING).count(),
                "invitation waiting for an answer",
                "invitations waiting for an answer",
                f"{reverse('invitation_list')}?state={InvitationState.PENDING}",
            ),
            Task(
                invitations.in_state(InvitationState.EXPIRED).count(),
                "invitation expired without an answer (send it again or revoke it)",
                "invitations expired without an answer (send them again or revoke them)",
                f"{reverse('invitation_list')}?state={InvitationState.EXPIRED}",
            ),
        ]
    return tasks


def funded_fellows(funders) -> list[Funder]:
    """The given funders, each with `by_cohort`: how many fellows it funds in each cohort, in post,
    graduated and in all, and the totals. Counts only, no one's name; two queries."""
    funders = list(funders.order_by("name"))
    by_funder: dict[int, list[dict]] = {}
    for row in Fellow.objects.filter(funder__in=funders).counts_by_funder_and_cohort():
        by_funder.setdefault(row["funder_id"], []).append(row)
    for funder in funders:
        funder.by_cohort = by_funder.get(funder.pk, [])
        funder.fellows_in_post = sum(row["in_post"] for row in funder.by_cohort)
        funder.fellows_graduated = sum(row["graduated"] for row in funder.by_cohort)
        funder.fellows_total = sum(row["total"] for row in funder.by_cohort)
    return funders


def _mentoring(user) -> dict:
    """Alumni: their offer to mentor the incoming cohort and their mentees; fellows: their mentor or request."""
    context: dict = {}
    if r.is_alumnus.test(user) and (mentor := mentoring.mentor_record(user)):
        cohort = mentoring.incoming_cohort()
        if (
            cohort is not None
            and mentor.cohort.number < cohort.number
            and not mentoring.is_published(cohort)
        ):
            context["mentoring_offer_cohort"] = cohort
            context["mentoring_offer"] = MentorOffer.objects.filter(
                cohort=cohort, mentor=mentor
            ).first()
        context["my_mentees"] = list(
            MentorPairing.objects.published()
            .filter(mentor__user=user)
            .select_related("mentee__user", "cohort")
            .order_by("-cohort__number", "mentee__ref")
        )
    if r.is_fellow.test(user) and (mentee := mentoring.mentee_record(user)):
        context["my_mentor_pairing"] = (
            MentorPairing.objects.published()
            .filter(mentee=mentee)
            .select_related("mentor__user")
            .first()
        )
        context["mentoring_request"] = getattr(mentee, "mentor_request", None)
        context["mentoring_request_open"] = not mentoring.is_published(mentee.cohort)
    return context
