"""Mentor assignment against an independent oracle: networkx's min-cost flow on the full graph.

The module routes pairs through compressed hubs and solves with OR-Tools; the oracle knows
nothing of either. It builds the complete mentee–mentor graph (every allowed pair one arc of
cost −quality, quality computed here from the rule as stated) and asks networkx for the
cheapest maximum flow. On random instances, with pinned and excluded pairs, the assignment
must match as many mentees and reach the same total quality, and keep every constraint.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from fellowship.mentor_matching import Mentee, Mentor, assign


def _same(a: str | None, b: str | None) -> bool:
    """Case-insensitive after trimming; a missing or blank value matches nothing."""
    if a is None or b is None:
        return False
    a, b = a.strip().casefold(), b.strip().casefold()
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


def oracle(mentors, mentees, fixed, forbidden) -> tuple[int, int]:
    """(matched, total quality) of the best assignment, by networkx on the complete graph."""
    by_mentor = {m.id: m for m in mentors}
    room = {m.id: m.capacity for m in mentors}
    for mentor_id in fixed.values():
        room[mentor_id] -= 1
    graph = nx.DiGraph()
    graph.add_node("source")
    graph.add_node("sink")
    for mentor in mentors:
        graph.add_edge(("mentor", mentor.id), "sink", capacity=room[mentor.id], weight=0)
    for mentee in mentees:
        if mentee.id in fixed:
            continue
        graph.add_edge("source", ("mentee", mentee.id), capacity=1, weight=0)
        for mentor in mentors:
            if (mentor.id, mentee.id) not in forbidden:
                graph.add_edge(
                    ("mentee", mentee.id),
                    ("mentor", mentor.id),
                    capacity=1,
                    weight=-_quality(mentor, mentee),
                )
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    flowed = sum(flow["source"].values())
    pinned = sum(_quality(by_mentor[fixed[f.id]], f) for f in mentees if f.id in fixed)
    return flowed + len(fixed), -nx.cost_of_flow(graph, flow) + pinned


# Values that differ only in case and spaces, blanks and missing ones, from small pools so
# that pairs often share something.
values = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "London", " london", "LONDON ", "North", "north", "East"]),
)
domains = st.sampled_from(["Imaging", "imaging ", "Safety", " SAFETY", "Data", ""])
weights = st.integers(min_value=0, max_value=4)


@st.composite
def instances(draw):
    mentor_count = draw(st.integers(min_value=0, max_value=7))
    mentors = [
        Mentor(
            id=i,
            capacity=draw(st.integers(min_value=1, max_value=3)),
            region=draw(values),
            specialty=draw(values),
            domains=frozenset(draw(st.lists(domains, max_size=3))),
        )
        for i in range(mentor_count)
    ]
    mentee_count = draw(st.integers(min_value=0, max_value=14))
    mentees = [
        Mentee(
            id=f"F{i:02}",
            region=draw(values),
            specialty=draw(values),
            domain=draw(st.one_of(st.none(), domains)),
            region_weight=draw(weights),
            specialty_weight=draw(weights),
            domain_weight=draw(weights),
        )
        for i in range(mentee_count)
    ]
    all_pairs = [(m.id, f.id) for m in mentors for f in mentees]
    forbidden = set(draw(st.lists(st.sampled_from(all_pairs), max_size=12))) if all_pairs else set()
    fixed: dict[str, int] = {}
    room = {m.id: m.capacity for m in mentors}
    for mentor_id, mentee_id in (
        draw(st.lists(st.sampled_from(all_pairs), max_size=4)) if all_pairs else []
    ):
        if mentee_id in fixed or (mentor_id, mentee_id) in forbidden or not room[mentor_id]:
            continue
        fixed[mentee_id] = mentor_id
        room[mentor_id] -= 1
    return mentors, mentees, fixed, forbidden


@settings(max_examples=300, deadline=None)
@given(instances())
def test_assignment_is_as_good_as_an_independent_min_cost_flow_and_keeps_every_constraint(
    instance,
):
    mentors, mentees, fixed, forbidden = instance
    result = assign(mentors, mentees, fixed=fixed, forbidden=forbidden)
    by_mentor = {m.id: m for m in mentors}
    by_mentee = {f.id: f for f in mentees}

    # Optimal: as many mentees matched as possible, then the highest total quality.
    assert (result.matched, result.total_quality) == oracle(mentors, mentees, fixed, forbidden)

    # Every mentee appears once, with a real mentor or None; the figures add up.
    assert sorted(result.pairs) == sorted(by_mentee)
    assert all(m is None or m in by_mentor for m in result.pairs.values())
    assert result.unmatched == sorted(f for f, m in result.pairs.items() if m is None)
    assert result.matched == len(mentees) - len(result.unmatched)
    assert result.total_quality == sum(
        _quality(by_mentor[m], by_mentee[f]) for f, m in result.pairs.items() if m is not None
    )

    # Capacity, pinned pairs kept, excluded pairs never made.
    load = Counter(m for m in result.pairs.values() if m is not None)
    assert all(load[m.id] <= m.capacity for m in mentors)
    assert all(result.pairs[f] == m for f, m in fixed.items())
    assert not any((m, f) in forbidden for f, m in result.pairs.items())

    # Nobody is left without a mentor while an allowed mentor still has room.
    for mentee_id in result.unmatched:
        assert all(load[m.id] == m.capacity for m in mentors if (m.id, mentee_id) not in forbidden)

    # The same input gives the same assignment.
    again = assign(mentors, mentees, fixed=fixed, forbidden=forbidden)
    assert again.pairs == result.pairs
