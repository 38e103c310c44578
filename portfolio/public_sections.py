"""What the public home page shows from portfolios: testimonials whose fellows consented both to be
quoted and to be published on the website, credited as they chose. Registered through
fellowship.hooks, so the core never queries portfolios."""

from __future__ import annotations

from fellowship.hooks import public_section

from .enums import QuoteAs
from .models import Testimonial

HOME_QUOTES = 3


@public_section("home")
def testimonials() -> dict:
    """The latest publishable quotes: the text and, only for a named consent, the fellow's name."""
    latest = (
        Testimonial.objects.publishable()
        .select_related("fellow__cohort", "fellow__user")
        .order_by("-updated_at", "-pk")[:HOME_QUOTES]
    )
    quotes = []
    for testimonial in latest:
        fellow = testimonial.fellow
        # recorded_name, not display_name: that falls back to the e-mail address.
        name = fellow.recorded_name if testimonial.quote_as == QuoteAs.NAMED else ""
        cohort = fellow.cohort.number
        quotes.append(
            {
                "text": testimonial.text,
                "credit": f"{name}, cohort {cohort}" if name else f"A fellow of cohort {cohort}",
            }
        )
    return {"testimonials": quotes}
