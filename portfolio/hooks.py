"""Portfolio's addition to the home page: a fellow's or alumnus's own portfolio at a glance, and
links to the portfolios a supervisor or the faculty read."""

from __future__ import annotations

from fellowship.enums import Role
from fellowship.hooks import home_panel

from . import rules as r
from .models import PortfolioEntry, Poster, Testimonial
from .services import fellow_for


@home_panel
def portfolio_panel(request) -> dict:
    user = request.user
    panel: dict = {}
    if user.has_role(Role.FELLOW, Role.ALUMNUS):
        fellow = fellow_for(user)
        if fellow is not None:
            panel["own"] = {
                "fellow": fellow,
                "entries": PortfolioEntry.objects.filter(fellow=fellow).count(),
                "poster": Poster.objects.filter(fellow=fellow).exists(),
                "testimonial": Testimonial.objects.filter(fellow=fellow).exists(),
            }
    if user.has_role(Role.FACULTY):
        panel["faculty"] = True
    elif r.supervises_placed_fellows(user):
        panel["supervises"] = True
    return {"portfolio_panel": panel} if panel else {}
