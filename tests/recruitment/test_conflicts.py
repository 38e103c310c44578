"""Conflict-of-interest rules and assigning reviewers around them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitment.conflicts import (
    DECLARED,
    SAME_EMPLOYER,
    assign_reviewers,
    conflict_reason,
    normalise_employer,
    same_employer,
)


def test_declared_conflict():
    assert (
        conflict_reason({"app-1", "app-7"}, "app-7", "Wessex NHS Trust", "Mercia NHS Trust")
        == DECLARED
    )
    assert conflict_reason({"app-1"}, "app-7", "Wessex NHS Trust", "Mercia NHS Trust") is None


def test_declared_wins_over_same_employer():
    assert conflict_reason({"app-7"}, "app-7", "Wessex", "Wessex") == DECLARED


def test_same_employer():
    assert (
        conflict_reason(set(), "app-7", "St Aldhelm's NHS Foundation Trust", "St Aldhelm's")
        == SAME_EMPLOYER
    )
    assert conflict_reason(set(), "app-7", "St Aldhelm's", "St Bede's") is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("St Aldhelm's NHS Foundation Trust", "st aldhelms nhs foundation trust"),
        ("St Aldhelm's NHS Foundation Trust", "St Aldhelm's"),
        ("St Aldhelm’s NHS Foundation Trust", "ST. ALDHELMS"),  # curly apostrophe, full stop
        ("  St   Aldhelm's  ", "St Aldhelm's NHS Trust"),
        ("Wessex Foundation Trust", "wessex"),
        ("Guy's & St Thomas'", "Guys and St Thomas NHS Foundation Trust"),
        ("Wessex Partnership (Mental Health)", "wessex partnership mental-health"),
    ],
)
def test_normalisation_makes_these_the_same(first, second):
    assert same_employer(first, second)
    assert normalise_employer(first) == normalise_employer(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("St Aldhelm's", "St Bede's"),
        ("Wessex NHS Trust", "Mercia NHS Trust"),
        ("North Wessex", "Wessex"),  # a shared word is not the same organisation
        ("", ""),  # unknown employers are not evidence of a conflict
        ("   ", "-"),
    ],
)
def test_different_or_unknown_employers(first, second):
    assert not same_employer(first, second)


def test_normalised_names():
    assert normalise_employer("St. Aldhelm's NHS Foundation Trust") == "st aldhelms"
    # Only a trailing suffix goes, and never the whole name.
    assert normalise_employer("NHS Trust") == "nhs trust"
    assert normalise_employer("Foundation Trust Network Ltd") == "foundation trust network ltd"
    assert normalise_employer("Wessex NHS Foundation Trust") == "wessex"


def test_assignment_balances_load_with_ties_by_id():
    result = assign_reviewers(["a1", "a2", "a3"], ["r3", "r1", "r2"], per_application=2)
    assert result.assignments == {"a1": ["r1", "r2"], "a2": ["r3", "r1"], "a3": ["r2", "r3"]}
    assert result.load == {"r1": 2, "r2": 2, "r3": 2}
    assert result.short == []
    assert result.excluded == []


def test_assignment_avoids_and_records_conflicts():
    conflicted = {("r1", "a1"): DECLARED, ("r2", "a1"): SAME_EMPLOYER}
    result = assign_reviewers(
        ["a1", "a2"], ["r1", "r2", "r3", "r4"], conflicts=lambda r, a: conflicted.get((r, a))
    )
    assert result.assignments["a1"] == ["r3", "r4"]
    assert result.assignments["a2"] == ["r1", "r2"]
    assert result.excluded == [("a1", "r1", DECLARED), ("a1", "r2", SAME_EMPLOYER)]


def test_applications_without_enough_reviewers_are_listed():
    result = assign_reviewers(
        ["a1", "a2"], ["r1", "r2"], conflicts=lambda r, a: a == "a1" and r == "r1"
    )
    assert result.assignments["a1"] == ["r2"]
    assert result.short == ["a1"]
    assert result.excluded == [("a1", "r1", "conflict")]
    assert assign_reviewers(["a1"], []).short == ["a1"]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        assign_reviewers(["a1"], ["r1"], per_application=0)
    with pytest.raises(ValueError):
        assign_reviewers(["a1", "a1"], ["r1"])
    with pytest.raises(ValueError):
        assign_reviewers(["a1"], ["r1", "r1"])


ids = st.integers(0, 30).map(lambda i: f"{i:02d}")


@st.composite
def problems(draw):
    applications = draw(st.lists(ids.map("a{}".format), unique=True, max_size=10))
    reviewers = draw(st.lists(ids.map("r{}".format), unique=True, max_size=8))
    pairs = [(r, a) for r in reviewers for a in applications]
    conflicted = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    per_application = draw(st.integers(1, 4))
    return applications, reviewers, conflicted, per_application


@given(problems())
def test_no_conflicted_pair_is_ever_assigned(problem):
    applications, reviewers, conflicted, per_application = problem
    result = assign_reviewers(
        applications, reviewers, per_application, conflicts=lambda r, a: (r, a) in conflicted
    )
    for application, chosen in result.assignments.items():
        free = [r for r in reviewers if (r, application) not in conflicted]
        assert not any((r, application) in conflicted for r in chosen)
        assert len(chosen) == len(set(chosen)) == min(per_application, len(free))
        assert (application in result.short) == (len(free) < per_application)
    assert sorted(result.assignments) == sorted(applications)
    assert {(r, a) for a, r, _ in result.excluded} == conflicted
    assert sum(result.load.values()) == sum(len(c) for c in result.assignments.values())


@given(problems())
def test_loads_differ_by_at_most_one_without_conflicts(problem):
    applications, reviewers, _, per_application = problem
    result = assign_reviewers(applications, reviewers, per_application)
    if reviewers:
        assert max(result.load.values()) - min(result.load.values()) <= 1
    for chosen in result.assignments.values():
        assert len(chosen) == min(per_application, len(reviewers))


@given(problems())
def test_assignment_is_deterministic(problem):
    applications, reviewers, conflicted, per_application = problem

    def conflicts(r, a):
        return (r, a) in conflicted

    first = assign_reviewers(applications, reviewers, per_application, conflicts)
    again = assign_reviewers(applications, list(reversed(reviewers)), per_application, conflicts)
    assert first == again
