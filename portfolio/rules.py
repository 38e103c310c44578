"""Who may see and keep a fellow's portfolio.

A portfolio belongs to a fellow record. Its fellow keeps it (in post and after graduating); the
supervisors of the project the fellow is placed on and the faculty may read it. The testimonial
is the fellow's word to the programme team: faculty read it, supervisors do not.
Predicates take a Fellow, or anything with a `fellow` (an entry, a poster, a testimonial).
"""

import rules

from fellowship.rules import is_alumnus, is_faculty, is_fellow, is_supervisor

__all__ = ["is_faculty", "is_portfolio_owner", "is_portfolio_supervisor"]


def _fellow(obj):
    return getattr(obj, "fellow", obj)


@rules.predicate
def is_portfolio_owner(user, obj) -> bool:
    fellow = _fellow(obj)
    return bool(fellow is not None and user.is_authenticated and fellow.user_id == user.pk)


@rules.predicate
def is_portfolio_supervisor(user, obj) -> bool:
    """The supervisor of the project the fellow is placed on."""
    from projects.models import Placement

    fellow = _fellow(obj)
    if fellow is None or not user.is_authenticated:
        return False
    return Placement.objects.filter(fellow_id=fellow.pk, project__supervisor_id=user.pk).exists()


@rules.predicate
def supervises_placed_fellows(user) -> bool:
    """Anyone (an alumnus, say) supervising a project that fellows are placed on."""
    from projects.models import Placement

    return bool(
        user.is_authenticated and Placement.objects.filter(project__supervisor_id=user.pk).exists()
    )


can_read = is_faculty | is_portfolio_owner | is_portfolio_supervisor

rules.add_perm("portfolio.keep_portfolio", is_fellow | is_alumnus)
rules.add_perm("portfolio.view_portfolio", can_read)
rules.add_perm("portfolio.change_portfolio", is_portfolio_owner)
rules.add_perm("portfolio.view_fellow_testimonial", is_faculty | is_portfolio_owner)
rules.add_perm(
    "portfolio.browse_portfolios", is_faculty | is_supervisor | supervises_placed_fellows
)
rules.add_perm("portfolio.review_portfolios", is_faculty)
