"""Live mentoring demo for the newest cohort: alumni offer to mentor, incoming fellows ask.

load_demo calls `build_demo()` after the apps' demo builders (the projects demo places incoming
fellows in the newest cohort). Everything goes through fellowship.mentoring's services; nothing is
assigned or published, so faculty can run the assignment, adjust the pairs and publish them.
"""

from __future__ import annotations

from ..enums import FellowStatus, Importance
from ..mentoring import (
    incoming_cohort,
    is_published,
    mentor_record,
    project_domain,
    save_offer,
    save_request,
)
from ..models import Fellow, MentorOffer, User

DEMO_ALUMNI = [("alumnus1@fellowship.example", 2), ("alumnus2@fellowship.example", 1)]
HISTORY_MENTORS = 4  # alumni from the history, without accounts
HISTORY_CAPACITIES = (1, 2, 1, 3)
# What matters to each incoming fellow in turn: (region, specialty, domain).
PREFERENCES = [
    (Importance.VERY_IMPORTANT, Importance.SOMEWHAT, Importance.IMPORTANT),
    (Importance.SOMEWHAT, Importance.VERY_IMPORTANT, Importance.IMPORTANT),
    (Importance.IMPORTANT, Importance.IMPORTANT, Importance.VERY_IMPORTANT),
    (Importance.NOT_IMPORTANT, Importance.IMPORTANT, Importance.VERY_IMPORTANT),
    (Importance.VERY_IMPORTANT, Importance.NOT_IMPORTANT, Importance.SOMEWHAT),
    (Importance.IMPORTANT, Importance.VERY_IMPORTANT, Importance.NOT_IMPORTANT),
]
NOTES = [
    "",
    "I would value a mentor who has taken a project through clinical safety sign-off.",
    "",
    "",
    "Happy to meet online.",
    "",
]


def _history_mentors(exclude: set[int], cohort_number: int, incoming: list[Fellow]) -> list[Fellow]:
    """Graduates without accounts: first one close to each incoming fellow (same region or
    specialty), then one per other region; most recent cohort and lowest ref first."""
    graduates = list(
        Fellow.objects.filter(
            status=FellowStatus.GRADUATED, user__isnull=True, cohort__number__lt=cohort_number
        )
        .exclude(pk__in=exclude)
        .select_related("cohort", "region")
        .order_by("-cohort__number", "ref")
    )
    chosen: list[Fellow] = []

    def close(graduate: Fellow, fellow: Fellow) -> bool:
        same_specialty = (
            bool(fellow.specialty) and graduate.specialty.casefold() == fellow.specialty.casefold()
        )
        return graduate.region_id == fellow.region_id or same_specialty

    for fellow in incoming:
        match = next((g for g in graduates if g not in chosen and close(g, fellow)), None)
        if match is not None and len(chosen) < HISTORY_MENTORS:
            chosen.append(match)
    regions = {g.region_id for g in chosen}
    for graduate in graduates:
        if len(chosen) == HISTORY_MENTORS:
            break
        if graduate not in chosen and graduate.region_id not in regions:
            chosen.append(graduate)
            regions.add(graduate.region_id)
    return chosen


def build_demo() -> list[str]:
    cohort = incoming_cohort()
    if cohort is None or is_published(cohort):
        return [
            "Mentoring demo: no cohort is open for mentoring, so no offers or requests were made."
        ]
    incoming = list(
        Fellow.objects.in_post()
        .filter(cohort=cohort)
        .select_related("cohort", "region")
        .order_by("ref")
    )
    mentors: list[tuple[Fellow, int]] = []
    for email, capacity in DEMO_ALUMNI:
        user = User.objects.filter(email=email).first()
        fellow = mentor_record(user) if user else None
        if fellow is not None and fellow.cohort.number < cohort.number:
            mentors.append((fellow, capacity))
    taken = {fellow.pk for fellow, _ in mentors}
    history = _history_mentors(taken, cohort.number, incoming)
    mentors += zip(history, HISTORY_CAPACITIES, strict=False)
    for fellow, capacity in mentors:
        domain = project_domain(fellow)
        save_offer(
            fellow,
            cohort=cohort,
            capacity=capacity,
            region=fellow.region,
            specialty=fellow.specialty,
            domains=[domain] if domain else [],
            by=None,
        )
    for index, fellow in enumerate(incoming):
        region, specialty, domain = PREFERENCES[index % len(PREFERENCES)]
        save_request(
            fellow,
            domain=project_domain(fellow) or fellow.post_theme or fellow.specialty,
            region_importance=region,
            specialty_importance=specialty,
            domain_importance=domain,
            note=NOTES[index % len(NOTES)],
            by=None,
        )
    places = sum(o.capacity for o in MentorOffer.objects.filter(cohort=cohort))
    return [
        f"Mentoring demo: {len(mentors)} alumni offer {places} places to {cohort}; "
        f"{len(incoming)} fellow{'s' if len(incoming) != 1 else ''} asked for a mentor."
    ]
