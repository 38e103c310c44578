"""Who may do what in recruitment."""

import rules
from django.contrib.auth.backends import ModelBackend

from fellowship.rules import is_applicant, is_faculty

from .enums import Stage

__all__ = ["is_applicant", "is_draft", "is_faculty", "is_own_application", "may_see_equality"]


@rules.predicate
def is_own_application(user, application) -> bool:
    return bool(application is not None and user.is_authenticated and application.applicant_id == user.pk)


@rules.predicate
def is_draft(user, application) -> bool:
    return application is not None and application.stage == Stage.DRAFT


@rules.predicate
def holds_equality_permission(user) -> bool:
    """The dedicated permission, granted person by person (Django's permission tables)."""
    return bool(user.is_authenticated and ModelBackend().has_perm(user, EQUALITY_PERMISSION))


EQUALITY_PERMISSION = "recruitment.view_equality_monitoring"
may_see_equality = is_faculty & holds_equality_permission


rules.add_perm("recruitment.manage_rounds", is_faculty)
rules.add_perm("recruitment.list_applications", is_faculty)
rules.add_perm("recruitment.apply", rules.is_authenticated)
rules.add_perm("recruitment.see_equality", may_see_equality)
