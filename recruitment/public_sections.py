"""What the public website says about recruitment: the open or next round and its dates, who may
apply from where, the person specification, the documents needed, and the rounds the interest list
is told about. Read-only; registered through fellowship.hooks, so the core never queries rounds."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Profession
from fellowship.hooks import OpenRound, open_rounds, public_section

from .enums import SCORE_MAX, SCORE_MIN
from .models import Eligibility, RecruitmentRound


def current_or_next_round(now=None) -> tuple[RecruitmentRound | None, bool]:
    """The round open now (the one closing first), else the next to open; and whether it is open."""
    now = now or timezone.now()
    open_round = RecruitmentRound.objects.open_at(now).order_by("closes_at").first()
    if open_round is not None:
        return open_round, True
    return RecruitmentRound.objects.filter(opens_at__gt=now).order_by("opens_at").first(), False


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def eligibility_in_words(rnd: RecruitmentRound) -> list[str]:
    """One sentence per profession: the regions from which it may apply, and who funds its posts."""
    lines = Eligibility.objects.filter(round=rnd).select_related("region", "sponsor")
    by_profession: dict[str, list[Eligibility]] = {}
    for line in lines:
        by_profession.setdefault(line.profession, []).append(line)
    sentences = []
    for profession in Profession:
        if profession.value not in by_profession:
            continue
        regions = sorted({line.region.name for line in by_profession[profession.value]})
        sponsors = sorted(
            {line.sponsor.name for line in by_profession[profession.value] if line.sponsor}
        )
        sentence = f"{profession.label}: from {_join(regions)}"
        if sponsors:
            sentence += f" (posts funded by {_join(sponsors)})"
        sentences.append(sentence + ".")
    return sentences


def round_summary(rnd: RecruitmentRound | None, is_open: bool) -> dict:
    """The round as the public pages describe it; applicants' view only (no scoring guidance)."""
    if rnd is None:
        return {"round": None, "round_open": False}
    return {
        "round": {
            "name": rnd.name,
            "cohort": rnd.cohort.number,
            "opens_at": rnd.opens_at,
            "closes_at": rnd.closes_at,
            "guidance": rnd.guidance,
        },
        "round_open": is_open,
    }


@public_section("home")
def home_dates() -> dict:
    rnd, is_open = current_or_next_round()
    return {**round_summary(rnd, is_open), "apply_url": reverse("round_list")}


@public_section("apply")
def how_to_apply() -> dict:
    rnd, is_open = current_or_next_round()
    context = {
        **round_summary(rnd, is_open),
        "apply_url": reverse("round_list"),
        "score_min": SCORE_MIN,
        "score_max": SCORE_MAX,
        "eligibility": [],
        "criteria": [],
        "documents": [],
    }
    if rnd is not None:
        context["eligibility"] = eligibility_in_words(rnd)
        context["criteria"] = [
            {"title": c.title, "description": c.description, "word_limit": c.word_limit}
            for c in rnd.criteria.order_by("position", "pk")
        ]
        context["documents"] = [
            {"name": d.name, "description": d.description} for d in rnd.required_documents.all()
        ]
    return context


@open_rounds
def rounds_open_for_interest_list() -> list[OpenRound]:
    now = timezone.now()
    return [
        OpenRound(id=rnd.pk, name=rnd.name, closes_at=rnd.closes_at, url=reverse("round_list"))
        for rnd in RecruitmentRound.objects.open_at(now).order_by("opens_at", "pk")
    ]
