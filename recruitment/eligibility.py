"""The round's eligibility grid: which professions may apply from which regions, and for
professions other than medicine, which funder sponsors them there."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from fellowship.changes import changed_by
from fellowship.models import Funder, Region, User

from .models import Eligibility, RecruitmentRound


def sponsored_regions(round: RecruitmentRound) -> set[tuple[int, int]]:
    """(region id, funder id) of every post funded for the round's cohort: where a sponsor can sponsor."""
    from fellowship.models import FundedPost  # imported here to keep this addition in one place

    posts = FundedPost.objects.filter(cohort_id=round.cohort_id)
    return set(posts.values_list("region_id", "funder_id"))


def eligibility_problem(
    round: RecruitmentRound,
    region: Region,
    profession: str,
    sponsor: Funder | None,
    *,
    funded: set[tuple[int, int]],
) -> str | None:
    """Why this line of the eligibility grid cannot be saved, in plain words; None if it can.

    `funded` is `sponsored_regions(round)`. Medicine needs no sponsor; any other profession
    needs one that funds a post in the region for the round's cohort.
    """
    from fellowship.enums import NON_MEDICAL_PROFESSIONS, Profession

    if profession not in Profession.values:
        return f"{profession!r} is not a profession"
    if profession not in NON_MEDICAL_PROFESSIONS:
        return None
    label = Profession(profession).label.lower()
    if sponsor is None:
        return f"Choose the sponsor that funds {label} posts in {region}"
    if (region.pk, sponsor.pk) not in funded:
        return (
            f"{sponsor} does not fund a post in {region} for {round.cohort}, so {label} cannot be "
            f"eligible there with {sponsor} as sponsor. Add the post to {sponsor} first, or choose "
            "another sponsor"
        )
    return None


def set_eligibility(
    round: RecruitmentRound,
    rows: Iterable[tuple[Region, str, Funder | None]],
    *,
    by: User | None,
) -> list[Eligibility]:
    """Replace the round's eligibility grid with `rows` of (region, profession, sponsor or None).

    Medicine is eligible wherever it is ticked (any sponsor given is dropped); any other
    profession only with a sponsor that funds a post (FundedPost) in that region for the round's
    cohort. Raises ValidationError listing every broken line, changing nothing. Side effects:
    deletes and recreates the round's Eligibility rows in one transaction; records the change in
    the round's history.
    """
    from fellowship.enums import NON_MEDICAL_PROFESSIONS

    funded = sponsored_regions(round)
    errors: list[str] = []
    lines: dict[tuple[int, str], Eligibility] = {}
    for region, profession, sponsor in rows:
        if problem := eligibility_problem(round, region, profession, sponsor, funded=funded):
            errors.append(problem)
            continue
        lines[(region.pk, profession)] = Eligibility(
            round=round,
            region=region,
            profession=profession,
            sponsor=sponsor if profession in NON_MEDICAL_PROFESSIONS else None,
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round.eligibilities.all().delete()
        created = Eligibility.objects.bulk_create(lines.values())
        changed_by(round, by, reason=f"eligibility set: {len(created)} line(s)")
        round.save()
    return created
