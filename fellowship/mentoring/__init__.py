"""Alumni mentoring (objective 5): alumni offer to mentor, incoming fellows ask, faculty assign and publish.

Domain operations as plain functions with a keyword-only actor. Each validates, changes state in
one transaction and raises ValidationError with a message for the person using the page. The
assignment itself is the pure module `fellowship.mentor_matching`; this module turns offers and
requests into its Mentor and Mentee records and stores the result as proposed MentorPairing rows.

A cohort's pairs are *published* once any of its pairs is published (by faculty, or imported
from the programme history): from then on offers, requests and pairs of that cohort are fixed.
"""

from .asking import save_offer, save_request, withdraw_offer, withdraw_request
from .pairs import (
    change_pair,
    cohort_offers,
    cohort_requests,
    offers_with_places,
    pin_pair,
    publish_pairs,
    remove_pair,
    run_assignment,
)
from .records import (
    MAX_CAPACITY,
    MAX_DOMAINS,
    as_mentee,
    as_mentor,
    clean_domains,
    explain_pairs,
    incoming_cohort,
    is_published,
    mentee_record,
    mentor_record,
    pair_fit,
    project_domain,
    reason,
    sharing_counts,
)

__all__ = [
    "MAX_CAPACITY",
    "MAX_DOMAINS",
    "as_mentee",
    "as_mentor",
    "change_pair",
    "clean_domains",
    "cohort_offers",
    "cohort_requests",
    "explain_pairs",
    "incoming_cohort",
    "is_published",
    "mentee_record",
    "mentor_record",
    "offers_with_places",
    "pair_fit",
    "pin_pair",
    "project_domain",
    "publish_pairs",
    "reason",
    "remove_pair",
    "run_assignment",
    "save_offer",
    "save_request",
    "sharing_counts",
    "withdraw_offer",
    "withdraw_request",
]
