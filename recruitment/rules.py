"""Who may do what in recruitment."""

import rules
from django.contrib.auth.backends import ModelBackend

from fellowship.rules import is_applicant, is_faculty

from .enums import Stage

__all__ = [
    "is_applicant",
    "is_draft",
    "is_faculty",
    "is_own_application",
    "may_give_equality_access",
    "may_see_equality",
]


@rules.predicate
def is_own_application(user, application) -> bool:
    return bool(
        application is not None and user.is_authenticated and application.applicant_id == user.pk
    )


@rules.predicate
def is_draft(user, application) -> bool:
    return application is not None and application.stage == Stage.DRAFT


# Equality monitoring: the one definition of who may see its figures and who may give access.
# Both are Django permissions held person by person (EqualityRecord's Meta), read here alone.
EQUALITY_PERMISSION = "recruitment.view_equality_monitoring"
MANAGE_EQUALITY_ACCESS = "recruitment.manage_equality_access"


@rules.predicate
def holds_equality_permission(user) -> bool:
    """The permission to see equality monitoring, given person by person (Django's tables)."""
    return bool(user.is_authenticated and ModelBackend().has_perm(user, EQUALITY_PERMISSION))


@rules.predicate
def holds_equality_access_management(user) -> bool:
    """The separate permission to give and take away the first (never implied by holding it)."""
    return bool(user.is_authenticated and ModelBackend().has_perm(user, MANAGE_EQUALITY_ACCESS))


@rules.predicate
def is_someone_else(user, person) -> bool:
    return bool(person is not None and user.is_authenticated and person.pk != user.pk)


may_see_equality = is_faculty & holds_equality_permission
# Holding the permission to see the figures does not let anyone give it: that is a manager's (or
# a superuser's), and nobody changes their own access.
may_give_equality_access = (is_faculty & holds_equality_access_management) | rules.is_superuser


rules.add_perm("recruitment.manage_rounds", is_faculty)
rules.add_perm("recruitment.list_applications", is_faculty)
rules.add_perm("recruitment.apply", rules.is_authenticated)
rules.add_perm("recruitment.see_equality", may_see_equality)
rules.add_perm("recruitment.give_equality_access", may_give_equality_access)
rules.add_perm("recruitment.change_equality_access_of", may_give_equality_access & is_someone_else)


# Offers ---------------------------------------------------------------------------


@rules.predicate
def is_offer_candidate(user, offer) -> bool:
    """The person the offer was made to (their application's applicant)."""
    return bool(
        offer is not None and user.is_authenticated and offer.application.applicant_id == user.pk
    )


rules.add_perm("recruitment.manage_offers", is_faculty)
rules.add_perm("recruitment.respond_to_offer", is_offer_candidate)


# Shortlisting ---------------------------------------------------------------------
from fellowship.rules import is_panellist  # noqa: E402


@rules.predicate
def is_own_assignment(user, assignment) -> bool:
    """A reviewer's own shortlisting assignment (views also look assignments up by reviewer: 404)."""
    return bool(
        assignment is not None and user.is_authenticated and assignment.reviewer_id == user.pk
    )


may_review = is_panellist | is_faculty

rules.add_perm("recruitment.manage_shortlisting", is_faculty)
rules.add_perm("recruitment.review_applications", may_review)
rules.add_perm("recruitment.score_assignment", may_review & is_own_assignment)


# Interviews ------------------------------------------------------------------------


@rules.predicate
def sits_on_panels(user) -> bool:
    """Panellists and faculty (who may sit on panels), and anyone who is a member of a panel."""
    if not user.is_authenticated:
        return False
    return user.has_role("panellist", "faculty") or user.interview_panels.exists()


@rules.predicate
def is_panel_member(user, panel) -> bool:
    if panel is None or not user.is_authenticated:
        return False
    return panel.members.filter(pk=user.pk).exists()


rules.add_perm("recruitment.manage_panels", is_faculty)
rules.add_perm("recruitment.see_interviews", sits_on_panels)
rules.add_perm("recruitment.agree_scores", is_faculty | is_panel_member)
