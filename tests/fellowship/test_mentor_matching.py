"""Mentor assignment: hand-worked instances and property tests.

The property tests compare the algorithm with two independent solvers: a brute force that
enumerates every assignment of a small instance, and a textbook min-cost flow
(successive shortest paths with Bellman–Ford) on the complete mentee–mentor graph.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fellowship.mentor_matching import (
    Assignment,
    Mentee,
    Mentor,
    assign,
    explain,
    quality,
    shared,
)

# --- independent solvers -----------------------------------------------------------------


def _same(a, b) -> bool:
    """The rule as the brief states it: case-insensitive, trimmed, blank never matches."""
    if a is None or b is None:
        return False
    a, b = a.strip().lower(), b.strip().lower()
    return bool(a) and a == b


def _quality(mentor: Mentor, mentee: Mentee) -> int:
    q = 0
    if _same(mentor.region, mentee.region):
        q += mentee.region_weight
    if _same(mentor.specialty, mentee.specialty):
        q += mentee.specialty_weight
    if any(_same(d, mentee.domain) for d in mentor.domains):
        q += mentee.domain_weight
    return q


def _allowed(mentors, mentees, fixed, forbidden):
    """For each free mentee, the mentors it may have (None = no mentor)."""
    free = [f for f in mentees if f.id not in fixed]
    return free, [[None, *[m for m in mentors if (m.id, f.id) not in forbidden]] for f in free]


def brute_force(mentors, mentees, fixed=None, forbidden=frozenset()) -> tuple[int, int]:
    """Best (matched, total quality) over every capacity-respecting assignment."""
    fixed = fixed or {}
    room = {m.id: m.capacity for m in mentors}
    for mentor_id in fixed.values():
        room[mentor_id] -= 1
    base_quality = sum(
        _quality(next(m for m in mentors if m.id == fixed[f.id]), f)
        for f in mentees
        if f.id in fixed
    )
    free, options = _allowed(mentors, mentees, fixed, forbidden)
    best = (-1, -1)
    for choice in itertools.product(*options):
        load = Counter(m.id for m in choice if m is not None)
        if any(load[m] > room[m] for m in load):
            continue
        matched = sum(1 for m in choice if m is not None)
        total = sum(_quality(m, f) for m, f in zip(choice, free, strict=True) if m is not None)
        best = max(best, (matched, total))
    return best[0] + len(fixed), best[1] + base_quality


def full_graph_flow(mentors, mentees, forbidden=frozenset()) -> tuple[int, int]:
    """(matched, total quality) by min-cost max-flow on the complete graph, cost −quality.

    Successive shortest paths with Bellman–Ford, one unit at a time: slow, but shares
    nothing with the module's hubs, types or primal–dual method.
    """
    n_f, n_m = len(mentees), len(mentors)
    source, sink = 0, 1 + n_f + n_m
    graph: list[list[int]] = [[] for _ in range(sink + 1)]
    to: list[int] = []
    cap: list[int] = []
    cost: list[int] = []

    def edge(u, v, c, w):
        graph[u].append(len(to))
        to.append(v), cap.append(c), cost.append(w)
        graph[v].append(len(to))
        to.append(u), cap.append(0), cost.append(-w)

    for i, f in enumerate(mentees):
        edge(source, 1 + i, 1, 0)
        for j, m in enumerate(mentors):
            if (m.id, f.id) not in forbidden:
                edge(1 + i, 1 + n_f + j, 1, -_quality(m, f))
    for j, m in enumerate(mentors):
        edge(1 + n_f + j, sink, m.capacity, 0)
    matched = total = 0
    while True:
        dist = [None] * (sink + 1)
        back = [None] * (sink + 1)
        dist[source] = 0
        for _ in range(sink + 1):
            changed = False
            for u in range(sink + 1):
                if dist[u] is None:
                    continue
                for e in graph[u]:
                    if cap[e] and (dist[to[e]] is None or dist[u] + cost[e] < dist[to[e]]):
                        dist[to[e]] = dist[u] + cost[e]
                        back[to[e]] = e
                        changed = True
            if not changed:
                break
        if dist[sink] is None:
            return matched, total
        v = sink
        while v != source:
            e = back[v]
            cap[e] -= 1
            cap[e ^ 1] += 1
            v = to[e ^ 1]
        matched += 1
        total -= dist[sink]


def check_valid(result: Assignment, mentors, mentees, fixed=None, forbidden=frozenset()):
    fixed = fixed or {}
    by_id = {m.id: m for m in mentors}
    assert set(result.pairs) == {f.id for f in mentees}
    load = Counter(m for m in result.pairs.values() if m is not None)
    for mentor_id, count in load.items():
        assert count <= by_id[mentor_id].capacity
    for mentee_id, mentor_id in fixed.items():
        assert result.pairs[mentee_id] == mentor_id
    for mentee_id, mentor_id in result.pairs.items():
        assert (mentor_id, mentee_id) not in forbidden
    assert result.matched == sum(1 for m in result.pairs.values() if m is not None)
    assert result.total_quality == sum(
        _quality(by_id[m], f) for f in mentees if (m := result.pairs[f.id]) is not None
    )
    assert result.unmatched == sorted(f for f, m in result.pairs.items() if m is None)


# --- quality, shared, explain ------------------------------------------------------------


def test_quality_and_shared_ignore_case_and_surrounding_space():
    mentor = Mentor("a", 2, region=" London", specialty="RADIOLOGY", domains=frozenset({"AI "}))
    mentee = Mentee(
        "f",
        region="london ",
        specialty="Radiology",
        domain="ai",
        region_weight=1,
        specialty_weight=2,
        domain_weight=3,
    )
    assert shared(mentor, mentee) == ("region", "specialty", "domain")
    assert quality(mentor, mentee) == 6


@pytest.mark.parametrize(
    ("mentor", "mentee"),
    [
        (Mentor("a", 1), Mentee("f")),
        (Mentor("a", 1, region="", specialty="  "), Mentee("f", region="", specialty="  ")),
        (Mentor("a", 1, domains=frozenset({" "})), Mentee("f", domain=" ")),
        (Mentor("a", 1, region="London"), Mentee("f", region=None)),
    ],
)
def test_missing_or_blank_values_never_match(mentor, mentee):
    assert shared(mentor, mentee) == ()
    assert quality(mentor, mentee) == 0


def test_weights_scale_quality_but_not_what_is_shared():
    mentor = Mentor("a", 1, region="North", specialty="Surgery")
    mentee = Mentee("f", region="North", specialty="Surgery", region_weight=0, specialty_weight=3)
    assert shared(mentor, mentee) == ("region", "specialty")
    assert quality(mentor, mentee) == 3


@pytest.mark.parametrize(
    ("mentor", "mentee", "text"),
    [
        (
            Mentor("a", 1, region="London", specialty="Radiology"),
            Mentee("f", region="london", specialty=" Radiology "),
            "Same region (london) and clinical specialty (Radiology)",
        ),
        (
            Mentor("a", 1, region="North", specialty="Surgery", domains=frozenset({"AI"})),
            Mentee("f", region="North", specialty="Surgery", domain="AI"),
            "Same region (North), clinical specialty (Surgery) and domain (AI)",
        ),
        (
            Mentor("a", 1, domains=frozenset({"Data", "Ethics"})),
            Mentee("f", domain="ethics"),
            "Same domain (ethics)",
        ),
        (
            Mentor("a", 1, region="North"),
            Mentee("f", region="South"),
            "No shared region, specialty or domain: matched so that every fellow has a mentor",
        ),
    ],
)
def test_explain(mentor, mentee, text):
    assert explain(mentor, mentee) == text


# --- hand-worked assignments -------------------------------------------------------------


def test_best_fit_wins_and_capacities_hold():
    mentors = [
        Mentor("m1", 1, region="London", specialty="Radiology"),
        Mentor("m2", 2, region="North", specialty="Surgery", domains=frozenset({"AI"})),
    ]
    mentees = [
        Mentee("f1", region="North", specialty="surgery"),
        Mentee("f2", region="London", specialty="Radiology"),
        Mentee("f3", region="North", domain="ai"),
    ]
    result = assign(mentors, mentees)
    assert result.pairs == {"f1": "m2", "f2": "m1", "f3": "m2"}
    assert (result.matched, result.total_quality) == (3, 6)
    assert result.mentees_of("m2") == ["f1", "f3"]
    check_valid(result, mentors, mentees)


def test_a_zero_quality_pair_is_made_rather_than_leaving_a_fellow_without_a_mentor():
    mentors = [Mentor("m1", 1, region="London"), Mentor("m2", 1, region="Wales")]
    mentees = [Mentee("f1", region="London"), Mentee("f2", region="London")]
    result = assign(mentors, mentees)
    assert result.matched == 2
    assert result.total_quality == 1
    assert sorted(result.pairs.values()) == ["m1", "m2"]


def test_the_number_matched_comes_before_quality():
    # f1 fits m1 far better, but only m1 may mentor f2: the best total of 5 would leave f2
    # without a mentor, so f1 goes to m2 (quality 0) and f2 to m1 (quality 1).
    mentors = [
        Mentor("m1", 1, region="North", specialty="Surgery", domains=frozenset({"AI"})),
        Mentor("m2", 1, region="South"),
    ]
    mentees = [
        Mentee("f1", region="North", specialty="Surgery", domain="AI", domain_weight=3),
        Mentee("f2", region="North"),
    ]
    result = assign(mentors, mentees, forbidden={("m2", "f2")})
    assert result.pairs == {"f1": "m2", "f2": "m1"}
    assert (result.matched, result.total_quality) == (2, 1)


def test_when_capacity_runs_out_some_fellows_go_without():
    mentors = [Mentor("m1", 2, specialty="Surgery")]
    mentees = [Mentee(f"f{i}", specialty="Surgery" if i == 3 else "GP") for i in range(4)]
    result = assign(mentors, mentees)
    assert result.matched == 2
    assert result.pairs["f3"] == "m1"
    assert result.total_quality == 1
    assert len(result.unmatched) == 2


def test_fixed_pairs_are_kept_and_use_capacity():
    mentors = [Mentor("m1", 1, region="North"), Mentor("m2", 2, region="South")]
    mentees = [Mentee("f1", region="North"), Mentee("f2", region="North"), Mentee("f3")]
    result = assign(mentors, mentees, fixed={"f2": "m1"})
    assert result.pairs == {"f1": "m2", "f2": "m1", "f3": "m2"}
    assert (result.matched, result.total_quality) == (3, 1)


def test_forbidden_pairs_are_not_made():
    mentors = [Mentor("m1", 1, region="North"), Mentor("m2", 1, region="South")]
    mentees = [Mentee("f1", region="North"), Mentee("f2", region="South")]
    assert assign(mentors, mentees).pairs == {"f1": "m1", "f2": "m2"}
    result = assign(mentors, mentees, forbidden={("m1", "f1")})
    assert result.pairs == {"f1": "m2", "f2": "m1"}
    result = assign(mentors, mentees, forbidden={("m1", "f1"), ("m2", "f1")})
    assert result.pairs == {"f1": None, "f2": "m2"}


def test_a_mentor_type_shares_its_mentees_out_before_anyone_gets_two():
    mentors = [Mentor(i, 3, region="North") for i in (3, 1, 2)]
    mentees = [Mentee(i, region="North") for i in range(4)]
    result = assign(mentors, mentees)
    assert result.pairs == {0: 1, 1: 2, 2: 3, 3: 1}


def test_no_mentors_or_no_mentees():
    assert assign([], [Mentee("f")]).pairs == {"f": None}
    assert assign([Mentor("m", 1)], []) == Assignment(pairs={}, total_quality=0, matched=0)


def test_the_same_input_in_any_order_gives_the_same_result():
    rng = random.Random(7)
    regions = ["North", "South", "London", None]
    specialties = ["Surgery", "GP", "Radiology"]
    domains = ["AI", "Data", "Ethics", "Quality improvement"]
    mentors = [
        Mentor(
            f"m{i:02}",
            rng.randint(1, 3),
            rng.choice(regions),
            rng.choice(specialties),
            frozenset(rng.sample(domains, rng.randint(0, 2))),
        )
        for i in range(30)
    ]
    mentees = [
        Mentee(
            f"f{i:02}",
            rng.choice(regions),
            rng.choice(specialties),
            rng.choice(domains),
            rng.randint(0, 3),
            rng.randint(0, 3),
            rng.randint(0, 3),
        )
        for i in range(70)
    ]
    forbidden = {(f"m{rng.randrange(30):02}", f"f{rng.randrange(70):02}") for _ in range(25)}
    first = assign(mentors, mentees, forbidden=forbidden)
    for _ in range(5):
        rng.shuffle(mentors)
        rng.shuffle(mentees)
        assert assign(mentors, mentees, forbidden=forbidden) == first
    assert list(first.pairs) == sorted(first.pairs)
    check_valid(first, mentors, mentees, forbidden=forbidden)
    assert (first.matched, first.total_quality) == full_graph_flow(mentors, mentees, forbidden)


@pytest.mark.parametrize(
    ("mentors", "mentees", "options", "message"),
    [
        ([Mentor("m", 1), Mentor("m", 2)], [], {}, "duplicate mentor id 'm'"),
        ([], [Mentee("f"), Mentee("f")], {}, "duplicate mentee id 'f'"),
        ([Mentor("m", 0)], [], {}, "capacity 0"),
        ([Mentor("m", 4)], [], {}, "capacity 4"),
        ([Mentor("m", True)], [], {}, "capacity True"),
        ([], [Mentee("f", region_weight=-1)], {}, "region_weight -1"),
        ([], [Mentee("f", domain_weight=1.5)], {}, "domain_weight 1.5"),
        ([Mentor("m", 1, domains="AI")], [], {}, "domains must be a set of strings"),
        ([Mentor(1, 1), Mentor("m", 1)], [], {}, "mentor ids must be comparable"),
        ([Mentor("m", 1)], [Mentee("f")], {"fixed": {"g": "m"}}, "unknown mentee 'g'"),
        ([Mentor("m", 1)], [Mentee("f")], {"fixed": {"f": "x"}}, "unknown mentor 'x'"),
        (
            [Mentor("m", 1)],
            [Mentee("f"), Mentee("g")],
            {"fixed": {"f": "m", "g": "m"}},
            "2 fixed mentees but capacity 1",
        ),
        ([Mentor("m", 1)], [Mentee("f")], {"forbidden": {("x", "f")}}, "unknown mentor 'x'"),
        ([Mentor("m", 1)], [Mentee("f")], {"forbidden": {("m", "g")}}, "unknown mentee 'g'"),
        (
            [Mentor("m", 1)],
            [Mentee("f")],
            {"fixed": {"f": "m"}, "forbidden": {("m", "f")}},
            "both fixed and forbidden",
        ),
    ],
)
def test_validation_errors(mentors, mentees, options, message):
    with pytest.raises(ValueError, match=message):
        assign(mentors, mentees, **options)


# --- property tests ----------------------------------------------------------------------

# Spellings that differ only in case and spacing, and blanks that must never match.
REGIONS = [None, "", "North", "north ", "South"]
SPECIALTIES = [None, "Surgery", "SURGERY", "GP"]
DOMAINS = ["AI", " ai", "Data", "Ethics", "  "]


@st.composite
def instances(draw, max_mentors=4, max_mentees=5, max_forbidden=6):
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    mentors = [
        Mentor(
            f"m{i}",
            draw(st.integers(1, 3)),
            draw(st.sampled_from(REGIONS)),
            draw(st.sampled_from(SPECIALTIES)),
            draw(st.frozensets(st.sampled_from(DOMAINS), max_size=3)),
        )
        for i in range(n_mentors)
    ]
    weights = st.integers(0, 3)
    mentees = [
        Mentee(
            f"f{i}",
            draw(st.sampled_from(REGIONS)),
            draw(st.sampled_from(SPECIALTIES)),
            draw(st.sampled_from([None, *DOMAINS])),
            draw(weights),
            draw(weights),
            draw(weights),
        )
        for i in range(n_mentees)
    ]
    fixed: dict[str, str] = {}
    room = {m.id: m.capacity for m in mentors}
    for mentee in mentees:
        if mentors and draw(st.integers(0, 5)) == 0:
            mentor = draw(st.sampled_from(mentors))
            if room[mentor.id]:
                fixed[mentee.id] = mentor.id
                room[mentor.id] -= 1
    pairs = [(m.id, f.id) for m in mentors for f in mentees if fixed.get(f.id) != m.id]
    forbidden = (
        set(draw(st.lists(st.sampled_from(pairs), max_size=max_forbidden))) if pairs else set()
    )
    return mentors, mentees, fixed, forbidden


@settings(max_examples=200, deadline=None)
@given(instances())
def test_assignment_is_valid_and_optimal(instance):
    mentors, mentees, fixed, forbidden = instance
    result = assign(mentors, mentees, fixed=fixed, forbidden=forbidden)
    check_valid(result, mentors, mentees, fixed, forbidden)
    assert (result.matched, result.total_quality) == brute_force(mentors, mentees, fixed, forbidden)


@settings(max_examples=200, deadline=None)
@given(
    instances(max_mentors=10, max_mentees=14, max_forbidden=25),
    st.randoms(use_true_random=False),
)
def test_larger_instances_match_a_plain_min_cost_flow_and_ignore_input_order(instance, rng):
    mentors, mentees, _fixed, forbidden = instance
    result = assign(mentors, mentees, forbidden=forbidden)
    check_valid(result, mentors, mentees, forbidden=forbidden)
    assert (result.matched, result.total_quality) == full_graph_flow(mentors, mentees, forbidden)
    rng.shuffle(mentors)
    rng.shuffle(mentees)
    assert assign(mentors, mentees, forbidden=forbidden) == result
