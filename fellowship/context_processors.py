"""Template context shared by every page: the header navigation for the person's roles."""

from django.urls import reverse

from .enums import Role


def programme_details(request) -> dict:
    """`programme`: the programme's name, organisation and website (fellowship.models.programme),
    looked up only by a page that uses it."""
    from django.utils.functional import SimpleLazyObject

    from .models import programme

    return {"programme": SimpleLazyObject(programme)}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", reverse("home"))]
    if user.has_role(Role.FACULTY):
        items += [
            ("Cohorts", reverse("cohort_list")),
            ("Fellows", reverse("fellow_list")),
            ("Workshops", reverse("workshop_list")),
            ("Funders", reverse("funder_list")),
            ("Recruitment", reverse("round_admin_list")),
            ("Projects", reverse("review_queue")),
            ("Matching", reverse("matching_list")),
            ("Mentoring", reverse("mentoring_list")),
            ("Portfolios", reverse("portfolio_list")),
            ("Surveys", reverse("survey_list")),
            ("Reports", reverse("report_list")),
            ("People", reverse("person_list")),
            ("Import history", reverse("history_import")),
            ("Audit log", reverse("audit_log")),
            ("E-mails", reverse("email_text_list")),
            ("Programme settings", reverse("programme_settings")),
        ]
    else:
        if user.has_role(Role.APPLICANT):
            items.append(("Apply", reverse("round_list")))
        if user.has_role(Role.FELLOW, Role.ALUMNUS):
            items.append(("Workshops", reverse("workshop_list")))
            own = (
                user.fellowships.order_by("-cohort__number")
                .values_list("cohort__number", flat=True)
                .first()
            )
            if own:
                items.append(("Project catalogue", reverse("catalogue", args=[own])))
            items.append(("Mentoring", reverse("my_mentoring")))
            items.append(("Your portfolio", reverse("my_portfolio")))
            items.append(("Surveys", reverse("my_surveys")))
        # Only while their cohort has a matching (the projects app's MatchingRound, by its reverse name).
        if (
            user.has_role(Role.FELLOW)
            and user.fellowships.filter(cohort__matching_round__isnull=False).exists()
        ):
            items.append(("Rank projects", reverse("project_choices")))
        if user.has_role(Role.SUPERVISOR, Role.ALUMNUS):
            items.append(("Your proposals", reverse("proposal_list")))
        if user.has_role(Role.SUPERVISOR):
            items.append(("Your fellows' portfolios", reverse("portfolio_list")))
        if user.has_role(Role.PANELLIST):
            items += [
                ("Your shortlisting", reverse("my_reviews")),
                ("Your interviews", reverse("my_interviews")),
            ]
        if user.has_role(Role.FUNDER):
            items.append(("Funders", reverse("funder_list")))
            items.append(("Reports", reverse("report_list")))
    items.append(("Your account", reverse("account_email")))
    path = request.path
    return {
        "nav_items": [
            {
                "label": label,
                "url": url,
                "current": path == url or (url != "/" and path.startswith(url)),
            }
            for label, url in items
        ]
    }
