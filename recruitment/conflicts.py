"""Conflicts of interest between reviewers (or panellists) and applications, and assigning
reviewers around them. Pure Python, no Django import.

A reviewer may not score an application when:

- "declared": the reviewer declared a conflict with that application; or
- "same employer": the reviewer and the applicant work for the same organisation. Employer names
  are compared after normalising: case, spacing, punctuation and apostrophes, "&" for "and", and
  a trailing "NHS Foundation Trust", "NHS Trust" or "Foundation Trust" do not count, so
  "St Aldhelm's NHS Foundation Trust", "st aldhelms nhs foundation trust" and "St Aldhelm's" are
  one employer. A blank employer never matches.

Assignment gives each application its number of conflict-free reviewers, each time choosing the
reviewers with the fewest assignments so far (ties by reviewer id), so work is shared evenly.
Applications with the fewest conflict-free reviewers are served first, as they have least choice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

DECLARED = "declared"
SAME_EMPLOYER = "same employer"

# Longest first, so "NHS Foundation Trust" is removed whole rather than leaving "NHS".
_SUFFIXES = (("nhs", "foundation", "trust"), ("nhs", "trust"), ("foundation", "trust"))
_APOSTROPHES = re.compile(r"['’‘`´]")
_WORDS = re.compile(r"[^\W_]+")


def normalise_employer(name: str) -> str:
    """The employer's name reduced to lower-case words, for comparing organisations.

    >>> normalise_employer("St. Aldhelm's NHS Foundation Trust")
    'st aldhelms'
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    words = tuple(_WORDS.findall(text))
    for suffix in _SUFFIXES:
        if len(words) > len(suffix) and words[-len(suffix) :] == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words)


def same_employer(first: str, second: str) -> bool:
    """Whether two employer names are the same organisation; a blank name matches nothing."""
    a, b = normalise_employer(first), normalise_employer(second)
    return bool(a) and a == b


def conflict_reason(
    reviewer_declared: Collection[str],
    application_id: str,
    reviewer_employer: str,
    applicant_employer: str,
) -> str | None:
    """Why this reviewer may not score this application ("declared", "same employer"), or None."""
    if application_id in reviewer_declared:
        return DECLARED
    if same_employer(reviewer_employer, applicant_employer):
        return SAME_EMPLOYER
    return None


def no_conflicts(reviewer_id: str, application_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class Assignment:
    """The result of ``assign_reviewers``.

    ``assignments``: application id → its reviewers' ids, in input order of applications.
    ``short``: applications that got fewer than the number asked for (they got every
    conflict-free reviewer there is).
    ``excluded``: every (application id, reviewer id, reason) pairing removed by a conflict, to be
    recorded.
    ``load``: reviewer id → number of applications assigned.
    """

    assignments: dict[str, list[str]] = field(default_factory=dict)
    short: list[str] = field(default_factory=list)
    excluded: list[tuple[str, str, str]] = field(default_factory=list)
    load: dict[str, int] = field(default_factory=dict)


def assign_reviewers(
    applications: Sequence[str],
    reviewers: Sequence[str],
    per_application: int = 2,
    conflicts: Callable[[str, str], str | bool | None] = no_conflicts,
) -> Assignment:
    """Assign each application ``per_application`` distinct reviewers with no conflict.

    ``conflicts(reviewer_id, application_id)`` returns a reason (or True) when the pair
    conflicts, and None (or False) when not. With no conflicts at all, reviewers' loads differ
    by at most one. The result is the same for the same input.
    """
    if per_application < 1:
        raise ValueError("each application needs at least one reviewer")
    if len(set(applications)) != len(applications) or len(set(reviewers)) != len(reviewers):
        raise ValueError("application and reviewer ids must be unique")
    by_id = sorted(reviewers)
    eligible: dict[str, list[str]] = {}
    excluded: list[tuple[str, str, str]] = []
    for application in applications:
        eligible[application] = []
        for reviewer in by_id:
            reason = conflicts(reviewer, application)
            if reason:
                excluded.append(
                    (application, reviewer, reason if isinstance(reason, str) else "conflict")
                )
            else:
                eligible[application].append(reviewer)

    load = dict.fromkeys(by_id, 0)
    chosen: dict[str, list[str]] = {}
    for application in sorted(applications, key=lambda a: (len(eligible[a]), a)):
        # sorted() is stable and ``eligible`` is in id order, so ties go to the lower id.
        picked = sorted(eligible[application], key=lambda r: load[r])[:per_application]
        for reviewer in picked:
            load[reviewer] += 1
        chosen[application] = picked
    return Assignment(
        assignments={a: chosen[a] for a in applications},
        short=[a for a in applications if len(chosen[a]) < per_application],
        excluded=excluded,
        load=load,
    )
