"""Which projects a fellow may rank, and finding the fellow and the matching round behind a request."""

from __future__ import annotations

from fellowship.enums import FellowStatus
from fellowship.models import Cohort, Fellow, User

from ..enums import ProposalStatus
from ..models import MatchingRound, Project


def _theme(value: str) -> str:
    return value.strip().casefold()


def is_eligible(fellow: Fellow, project: Project, matching: MatchingRound) -> bool:
    """Whether the fellow may rank the project: approved, same cohort and region, and theme if themed."""
    if project.status != ProposalStatus.APPROVED or project.cohort_id != matching.cohort_id:
        return False
    if project.region_id is None or project.region_id != fellow.region_id:
        return False
    theme = _theme(fellow.post_theme)
    if theme and not matching.themed_posts_any_project:
        return _theme(project.funder_theme) == theme
    return True


def eligible_projects(fellow: Fellow, matching: MatchingRound) -> list[Project]:
    """The approved projects of the matching's cohort the fellow may rank, by title."""
    projects = (
        Project.objects.approved()
        .filter(cohort_id=matching.cohort_id, region_id=fellow.region_id)
        .select_related("host_organisation", "region", "clinical_domain", "supervisor")
        .order_by("title", "pk")
    )
    # The theme is compared in Python: trimming and case-folding alike on every database.
    return [p for p in projects if is_eligible(fellow, p, matching)]


def matching_for(cohort: Cohort | int) -> MatchingRound | None:
    cohort_id = cohort.pk if isinstance(cohort, Cohort) else cohort
    return MatchingRound.objects.filter(cohort_id=cohort_id).select_related("cohort").first()


def fellow_record(user: User) -> Fellow | None:
    """The person's latest fellowship in post, which is the one they rank projects for."""
    if not user.is_authenticated:
        return None
    return (
        Fellow.objects.filter(user=user, status=FellowStatus.IN_POST)
        .select_related("cohort", "region")
        .order_by("-cohort__number")
        .first()
    )
