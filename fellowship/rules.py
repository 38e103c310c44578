"""Who may do what in the programme core, as django-rules predicates.

Every app's rules start from these role predicates and add object-level ones of their own.
"""

import rules

from .enums import Role


def _role(role: str):
    @rules.predicate(name=f"is_{role}")
    def has(user) -> bool:
        return bool(user and user.is_authenticated and user.has_role(role))

    return has


is_applicant = _role(Role.APPLICANT)
is_fellow = _role(Role.FELLOW)
is_alumnus = _role(Role.ALUMNUS)
is_supervisor = _role(Role.SUPERVISOR)
is_panellist = _role(Role.PANELLIST)
is_faculty = _role(Role.FACULTY)
is_funder = _role(Role.FUNDER)


@rules.predicate
def acts_for_funder(user, funder) -> bool:
    return bool(funder is not None and user.is_authenticated and funder.pk in user.funder_ids)


@rules.predicate
def is_own_fellowship(user, fellow) -> bool:
    return bool(fellow is not None and user.is_authenticated and fellow.user_id == user.pk)


@rules.predicate
def attends_workshop_cohort(user, workshop) -> bool:
    """Fellows and alumni see the workshops of the cohorts they belong to."""
    if workshop is None or not user.is_authenticated:
        return False
    return user.fellowships.filter(cohort_id=workshop.cohort_id).exists()


# A person's data: access requests, erasure and retention are for faculty who were given the
# permission person by person (Django's tables), read here alone.
PERSONAL_DATA_PERMISSION = "fellowship.manage_personal_data"


@rules.predicate
def holds_personal_data_permission(user) -> bool:
    from django.contrib.auth.backends import ModelBackend

    return bool(user.is_authenticated and ModelBackend().has_perm(user, PERSONAL_DATA_PERMISSION))


may_handle_personal_data = is_faculty & holds_personal_data_permission
rules.add_perm("fellowship.handle_personal_data", may_handle_personal_data)
rules.add_perm("fellowship.download_own_data", rules.is_authenticated)


# What a person's home page and menu show, section by section. Each decision is a predicate so
# that the pages never test roles by hand; the views and the menu ask these alone.
runs_programme = is_faculty
holds_fellowship = is_fellow | is_alumnus
funds_fellows = is_funder
applies = is_applicant
supervises_projects = is_supervisor | is_alumnus
reviews_candidates = is_panellist
HOME_SECTIONS = {
    "programme_team": runs_programme,
    "own_fellowship": holds_fellowship,
    "funded": funds_fellows,
    "applying": applies,
    "supervising": supervises_projects,
    "reviewing": reviews_candidates,
}


def home_sections(user) -> set[str]:
    """The names of the home page sections this person sees."""
    return {name for name, predicate in HOME_SECTIONS.items() if predicate.test(user)}
