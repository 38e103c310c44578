"""Template context shared by every page: the header navigation for the person's roles."""

from django.urls import reverse

from . import rules as r


def programme_details(request) -> dict:
    """`programme`: the programme's name, organisation and website (fellowship.models.programme),
    looked up only by a page that uses it."""
    from django.utils.functional import SimpleLazyObject

    from .models import programme

    return {"programme": SimpleLazyObject(programme)}


# The menu: each entry with the predicate that decides who sees it (fellowship.rules). The
# programme team's menu replaces everyone else's; anyone else sees the entries of all their roles.
PROGRAMME_MENU = [
    ("Cohorts", "cohort_list"),
    ("Fellows", "fellow_list"),
    ("Workshops", "workshop_list"),
    ("Funders", "funder_list"),
    ("Recruitment", "round_admin_list"),
    ("Projects", "review_queue"),
    ("Matching", "matching_list"),
    ("Mentoring", "mentoring_list"),
    ("Portfolios", "portfolio_list"),
    ("Surveys", "survey_list"),
    ("Reports", "report_list"),
    ("People", "person_list"),
    ("Import history", "history_import"),
    ("Audit log", "audit_log"),
    ("E-mails", "email_text_list"),
    ("Programme settings", "programme_settings"),
]


def _own_catalogue(user) -> str | None:
    own = user.fellowships.order_by("-cohort__number").values_list("cohort__number", flat=True)
    number = own.first()
    return reverse("catalogue", args=[number]) if number else None


def _ranks_projects(user) -> bool:
    # Only while their cohort has a matching (the projects app's MatchingRound, by its reverse name).
    return r.is_fellow.test(user) and (
        user.fellowships.filter(cohort__matching_round__isnull=False).exists()
    )


def _menu(user) -> list[tuple[str, str | None]]:
    if r.runs_programme.test(user):
        return [(label, reverse(name)) for label, name in PROGRAMME_MENU]
    items: list[tuple[str, str | None]] = []
    if r.applies.test(user):
        items.append(("Apply", reverse("round_list")))
    if r.holds_fellowship.test(user):
        items += [
            ("Workshops", reverse("workshop_list")),
            ("Project catalogue", _own_catalogue(user)),
            ("Mentoring", reverse("my_mentoring")),
            ("Your portfolio", reverse("my_portfolio")),
            ("Surveys", reverse("my_surveys")),
        ]
    if _ranks_projects(user):
        items.append(("Rank projects", reverse("project_choices")))
    if r.supervises_projects.test(user):
        items.append(("Your proposals", reverse("proposal_list")))
    if r.is_supervisor.test(user):
        items.append(("Your fellows' portfolios", reverse("portfolio_list")))
    if r.reviews_candidates.test(user):
        items += [
            ("Your shortlisting", reverse("my_reviews")),
            ("Your interviews", reverse("my_interviews")),
        ]
    if r.funds_fellows.test(user):
        items += [("Funders", reverse("funder_list")), ("Reports", reverse("report_list"))]
    return items


# What a visitor who is not signed in is offered: the programme's public pages (the same for every
# visitor, so the pages stay cacheable).
PUBLIC_MENU = [
    ("Home", "home"),
    ("How to apply", "public_apply"),
    ("For supervisors", "public_supervisors"),
    ("Fellows and alumni", "public_fellows"),
    ("AI projects", "public_projects"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = [(label, reverse(name)) for label, name in PUBLIC_MENU]
        label = "About the programme"
    else:
        items = [("Home", reverse("home")), *_menu(user)]
        items.append(("Your account", reverse("account_email")))
        label = "Menu"
    path = request.path
    return {
        "nav_label": label,
        "nav_items": [
            {
                "label": label,
                "url": url,
                "current": path == url or (url != "/" and path.startswith(url)),
            }
            for label, url in items
            if url
        ],
    }
