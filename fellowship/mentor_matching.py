"""Mentor assignment: alumni mentors for incoming fellows, as many as possible, best fit first.

Pure: the standard library and OR-Tools, no Django import, so it can be tested and benchmarked
alone.

The problem. Alumni offer to mentor incoming fellows. Every mentor has a capacity (1 to 3
mentees), a region, a clinical specialty and a set of domains they can talk about. Every
mentee (a fellow who asked for a mentor) has a region, a specialty, one domain of interest
and three weights saying how much each of those matters to them. The quality of a pair is

    region_weight·[same region] + specialty_weight·[same specialty] + domain_weight·[domain offered]

where strings are compared case-insensitively after trimming whitespace, and a missing or
blank value never matches anything. The assignment gives each mentee at most one mentor,
never more mentees to a mentor than their capacity, and maximises first the *number* of
mentees who get a mentor (a zero-quality pair is made rather than leaving someone without
a mentor while capacity remains), then the *total quality*. Faculty can pin pairs
(``fixed``: kept, and counted against the mentor's capacity) and exclude pairs
(``forbidden``), then run it again.

The method: a min-cost flow on a compressed network. A complete bipartite graph of 5,000
mentors and 5,000 mentees has 25 million edges, too many for pure Python. But a pair's
quality depends only on which attributes they share, so the pairs can be routed through
*hubs*, one per combination of shared values: (region, specialty, domain), (region,
specialty), (region, domain), (specialty, domain), (region), (specialty), (domain) and one
hub shared by everybody. Mentors with identical attributes are merged into one *mentor
type*, and mentees with identical attributes and weights into one *mentee type*::

    source ─count→ mentee type ─cost K−w(S)→ hub S ─0→ mentor type ─capacity→ sink

A mentee type links to the hubs over the attributes it has and gives a positive weight to
(plus the shared hub; hubs no mentor reaches are left out), at cost ``K − w(S)``, where
``w(S)`` is the sum of its weights over the attributes in the hub's key ``S`` and ``K`` is
the largest total weight of any mentee, so every cost is a small non-negative integer. A
mentor type links from every hub whose key it satisfies (one per domain it offers for keys
that include the domain). So every path mentee → hub → mentor costs ``K`` minus the
weights of a *subset* of the attributes the two share, and the path through the hub of
exactly the shared, positively weighted attributes costs ``K − quality``. The cheapest way
to route a unit therefore costs exactly ``K − quality``, and a flow of value ``k`` costs
``k·K − total quality``. Among flows of maximum value, the cheapest is thus an assignment
with the most mentees matched and, among those, the highest total quality: exactly the
objective, with no large constant needed to put the count first.

The flow is solved exactly by OR-Tools' min-cost flow (``SimpleMinCostFlow``, maximum flow
at minimum cost), a maintained C++ solver; this module only builds the compressed network
and reads the flow back. The flow through each hub is then split into individual
pairs deterministically: types and ids in sorted order, and each mentor type's mentees
dealt round-robin to its mentors in id order (everyone gets one before anyone gets two).
Any split is optimal: a pair meeting at a hub shares at least that hub's attributes, so
its quality is at least what the flow counted.

Forbidden pairs. Mentors and mentees named in forbidden pairs become types of their own
("named" types). Each hub key then gets up to two nodes: a *regular* hub leading to the
mentor types not named in any forbidden pair, and an *open* hub leading to the named
mentor types and on (at cost 0) to the regular hub. Mentees not named in any forbidden
pair enter the open hubs, so they reach every mentor; named mentees enter only the regular
hubs, and reach each named mentor they are allowed by a direct edge of cost
``K − quality``. Every allowed pair still has a path of cost exactly ``K − quality`` and no
forbidden pair has a path at all, so the result stays exact; the extra work is one edge per
(named mentee, named mentor) pair. Fixed pairs are taken out before the flow (the mentor's
capacity is reduced by them) and added back to the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from typing import Any

import numpy
from ortools.graph.python import min_cost_flow

from .mentor_fit import (
    ATTRIBUTES,
    MAX_CAPACITY,
    Assignment,
    Fit,
    FitLine,
    Mentee,
    MenteeId,
    Mentor,
    MentorId,
    explain,
    fit,
    norm,
    norm_domains,
    quality,
    shared,
)

__all__ = [
    "ATTRIBUTES",
    "MAX_CAPACITY",
    "Assignment",
    "Fit",
    "FitLine",
    "Mentee",
    "MenteeId",
    "Mentor",
    "MentorId",
    "assign",
    "explain",
    "fit",
    "quality",
    "shared",
]

# Hub keys, as bit masks over (region, specialty, domain): 1 region, 2 specialty, 4 domain.
_REGION, _SPECIALTY, _DOMAIN = 1, 2, 4
_MASKS = tuple(range(8))


# --- validation --------------------------------------------------------------------------


_MISSING = object()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(
    mentors: list[Mentor],
    mentees: list[Mentee],
    fixed: Mapping[MenteeId, MentorId],
    forbidden: Collection[tuple[MentorId, MenteeId]],
) -> None:
    for kind, people in (("mentor", mentors), ("mentee", mentees)):
        seen: set[Hashable] = set()
        for person in people:
            if person.id in seen:
                raise ValueError(f"duplicate {kind} id {person.id!r}")
            seen.add(person.id)
        try:
            sorted(p.id for p in people)
        except TypeError as error:
            raise ValueError(
                f"{kind} ids must be comparable with each other (e.g. all int or all str)"
            ) from error
    for mentor in mentors:
        if not _is_int(mentor.capacity) or not 1 <= mentor.capacity <= MAX_CAPACITY:
            raise ValueError(
                f"mentor {mentor.id!r} has capacity {mentor.capacity!r}; it must be an integer from 1 to {MAX_CAPACITY}"
            )
        if isinstance(mentor.domains, str) or not all(isinstance(d, str) for d in mentor.domains):
            raise ValueError(f"mentor {mentor.id!r} domains must be a set of strings")
        for name in ("region", "specialty"):
            value = getattr(mentor, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"mentor {mentor.id!r} {name} must be a string or None")
    for mentee in mentees:
        for name in ("region", "specialty", "domain"):
            value = getattr(mentee, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"mentee {mentee.id!r} {name} must be a string or None")
        for name in ("region_weight", "specialty_weight", "domain_weight"):
            weight = getattr(mentee, name)
            if not _is_int(weight) or weight < 0:
                raise ValueError(
                    f"mentee {mentee.id!r} has {name} {weight!r}; it must be a non-negative integer"
                )
    mentor_ids = {m.id: m for m in mentors}
    mentee_ids = {f.id for f in mentees}
    load: dict[MentorId, int] = defaultdict(int)
    for mentee_id, mentor_id in fixed.items():
        if mentee_id not in mentee_ids:
            raise ValueError(f"fixed pair names unknown mentee {mentee_id!r}")
        if mentor_id not in mentor_ids:
            raise ValueError(f"fixed pair names unknown mentor {mentor_id!r}")
        load[mentor_id] += 1
    for mentor_id, count in load.items():
        if count > mentor_ids[mentor_id].capacity:
            raise ValueError(
                f"mentor {mentor_id!r} has {count} fixed mentees but capacity {mentor_ids[mentor_id].capacity}"
            )
    for pair in forbidden:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"forbidden pairs are (mentor id, mentee id) tuples, not {pair!r}")
        mentor_id, mentee_id = pair
        if mentor_id not in mentor_ids:
            raise ValueError(f"forbidden pair names unknown mentor {mentor_id!r}")
        if mentee_id not in mentee_ids:
            raise ValueError(f"forbidden pair names unknown mentee {mentee_id!r}")
        if fixed.get(mentee_id, _MISSING) == mentor_id:
            raise ValueError(f"pair ({mentor_id!r}, {mentee_id!r}) is both fixed and forbidden")


# --- min-cost flow -----------------------------------------------------------------------


class _FlowGraph:
    """The flow network's arcs as parallel lists, solved by OR-Tools' min-cost flow."""

    def __init__(self) -> None:
        self.nodes = 0
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.capacities: list[int] = []
        self.costs: list[int] = []
        self.flows: list[int] = []

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def edge(self, u: int, v: int, capacity: int, cost: int) -> int:
        """Add an arc ``u → v``; returns its index, for ``flow``."""
        self.tails.append(u)
        self.heads.append(v)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1

    def flow(self, edge: int) -> int:
        return self.flows[edge]

    def min_cost_max_flow(self, source: int, sink: int) -> None:
        """Push a maximum flow of minimum cost from ``source`` to ``sink``; fills ``flows``."""
        supply = sum(c for t, c in zip(self.tails, self.capacities, strict=True) if t == source)
        if not supply:
            self.flows = [0] * len(self.tails)
            return
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(
            numpy.array(self.tails, dtype=numpy.int32),
            numpy.array(self.heads, dtype=numpy.int32),
            numpy.array(self.capacities, dtype=numpy.int64),
            numpy.array(self.costs, dtype=numpy.int64),
        )
        solver.set_node_supply(source, supply)
        solver.set_node_supply(sink, -supply)
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"the min-cost flow solver stopped with status {status!r}")
        self.flows = solver.flows(numpy.arange(len(self.tails), dtype=numpy.int32)).tolist()


# --- the assignment ----------------------------------------------------------------------


def _mentor_key(mentor: Mentor) -> tuple[str, str, tuple[str, ...]]:
    return (
        norm(mentor.region) or "",
        norm(mentor.specialty) or "",
        tuple(sorted(norm_domains(mentor.domains))),
    )


def _mentee_key(mentee: Mentee) -> tuple[str, str, str, int, int, int]:
    return (
        norm(mentee.region) or "",
        norm(mentee.specialty) or "",
        norm(mentee.domain) or "",
        mentee.region_weight,
        mentee.specialty_weight,
        mentee.domain_weight,
    )


def _hub_key(mask: int, region: str, specialty: str, domain: str) -> tuple[int, str, str, str]:
    return (
        mask,
        region if mask & _REGION else "",
        specialty if mask & _SPECIALTY else "",
        domain if mask & _DOMAIN else "",
    )


def _key_quality(mentor_key: tuple[Any, ...], mentee_key: tuple[Any, ...]) -> int:
    region, specialty, domains = mentor_key
    f_region, f_specialty, f_domain, rw, sw, dw = mentee_key
    q = 0
    if f_region and f_region == region:
        q += rw
    if f_specialty and f_specialty == specialty:
        q += sw
    if f_domain and f_domain in domains:
        q += dw
    return q


def assign(
    mentors: list[Mentor],
    mentees: list[Mentee],
    *,
    fixed: Mapping[MenteeId, MentorId] | None = None,
    forbidden: Collection[tuple[MentorId, MenteeId]] = frozenset(),
) -> Assignment:
    """Give as many mentees as possible a mentor, then maximise the total quality.

    ``fixed`` maps mentee id to mentor id for pairs faculty pinned: they are kept and count
    against the mentor's capacity. ``forbidden`` holds (mentor id, mentee id) pairs that
    must not be made. Raises ValueError for duplicate or unknown ids, a capacity outside
    1..3, a negative weight, more fixed mentees than a mentor's capacity, or a pair both
    fixed and forbidden. The same input always gives the same result.
    """
    fixed = dict(fixed or {})
    forbidden = set(forbidden)
    _validate(mentors, mentees, fixed, forbidden)

    remaining = {m.id: m.capacity for m in mentors}
    for mentor_id in fixed.values():
        remaining[mentor_id] -= 1
    open_mentors = sorted((m for m in mentors if remaining[m.id] > 0), key=lambda m: m.id)
    free_mentees = sorted((f for f in mentees if f.id not in fixed), key=lambda f: f.id)
    forbidden_mentors = {mentor_id for mentor_id, _ in forbidden}
    forbidden_mentees = {mentee_id for _, mentee_id in forbidden}

    # Types: regular ones keyed by attributes; people named in forbidden pairs alone.
    mentor_groups: dict[tuple[Any, ...], list[Mentor]] = defaultdict(list)
    special_mentors: list[Mentor] = []
    for mentor in open_mentors:
        if mentor.id in forbidden_mentors:
            special_mentors.append(mentor)
        else:
            mentor_groups[_mentor_key(mentor)].append(mentor)
    mentee_groups: dict[tuple[Any, ...], list[Mentee]] = defaultdict(list)
    for index, mentee in enumerate(free_mentees):
        tag = index + 1 if mentee.id in forbidden_mentees else 0
        mentee_groups[(*_mentee_key(mentee), tag)].append(mentee)

    mentor_types = [(key, mentor_groups[key]) for key in sorted(mentor_groups)]
    mentor_types += [(_mentor_key(m), [m]) for m in special_mentors]
    mentee_types = [(key, mentee_groups[key]) for key in sorted(mentee_groups)]
    top = max((sum(key[3:6]) for key, _ in mentee_types), default=0)

    net = _FlowGraph()
    source, sink = net.node(), net.node()
    mentor_nodes = []
    mentor_capacity = [sum(remaining[m.id] for m in group) for _key, group in mentor_types]
    for capacity in mentor_capacity:
        node = net.node()
        net.edge(node, sink, capacity, 0)
        mentor_nodes.append(node)
    mentee_nodes = []
    for _key, group in mentee_types:
        node = net.node()
        net.edge(source, node, len(group), 0)
        mentee_nodes.append(node)

    # Hub keys each mentor type satisfies, regular and special (named in forbidden pairs) apart.
    regular = len(mentor_types) - len(special_mentors)
    offered: dict[tuple[Any, ...], list[int]] = defaultdict(list)  # hub key → regular mentor types
    offered_special: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for t, ((region, specialty, domains), _group) in enumerate(mentor_types):
        target = offered if t < regular else offered_special
        for mask in _MASKS:
            if (mask & _REGION and not region) or (mask & _SPECIALTY and not specialty):
                continue
            for domain in domains if mask & _DOMAIN else ("",):
                target[_hub_key(mask, region, specialty, domain)].append(t)

    # Each hub key may have two nodes: a "regular" hub leading to the regular mentor types,
    # and an "open" hub leading to the special mentor types and on to the regular hub. Only
    # mentees not named in forbidden pairs enter open hubs. Hubs no mentor reaches are left out.
    regular_hubs: dict[tuple[Any, ...], int] = {}
    open_hubs: dict[tuple[Any, ...], int] = {}
    hub_in: list[tuple[int, int, int]] = []  # (edge, mentee type, hub)
    for s, (key, group) in enumerate(mentee_types):
        region, specialty, domain, rw, sw, dw, tag = key
        usable = 0
        if region and rw:
            usable |= _REGION
        if specialty and sw:
            usable |= _SPECIALTY
        if domain and dw:
            usable |= _DOMAIN
        for mask in _MASKS:
            if mask & ~usable:
                continue
            hub_key = _hub_key(mask, region, specialty, domain)
            if not tag and hub_key in offered_special:
                hubs = open_hubs
            elif hub_key in offered:
                hubs = regular_hubs
            else:
                continue
            hub = hubs.get(hub_key)
            if hub is None:
                hub = hubs[hub_key] = net.node()
            weight = (
                (rw if mask & _REGION else 0)
                + (sw if mask & _SPECIALTY else 0)
                + (dw if mask & _DOMAIN else 0)
            )
            edge = net.edge(mentee_nodes[s], hub, len(group), top - weight)
            hub_in.append((edge, s, hub))

    hub_out: list[tuple[int, int, tuple[str, int]]] = []  # (edge, hub, ("mentor" | "hub", node))
    for hub_key, hub in open_hubs.items():
        for t in offered_special[hub_key]:
            edge = net.edge(hub, mentor_nodes[t], mentor_capacity[t], 0)
            hub_out.append((edge, hub, ("mentor", t)))
        if hub_key in offered:
            onward = regular_hubs.get(hub_key)
            if onward is None:
                onward = regular_hubs[hub_key] = net.node()
            edge = net.edge(hub, onward, len(free_mentees), 0)
            hub_out.append((edge, hub, ("hub", onward)))
    for hub_key, hub in regular_hubs.items():
        for t in offered[hub_key]:
            edge = net.edge(hub, mentor_nodes[t], mentor_capacity[t], 0)
            hub_out.append((edge, hub, ("mentor", t)))

    # Mentees and mentors both named in forbidden pairs: a direct edge for each allowed pair.
    direct: list[tuple[int, int, int]] = []  # (edge, mentee type, mentor type)
    named = [s for s, (key, _group) in enumerate(mentee_types) if key[6]]
    for t in range(regular, len(mentor_types)):
        mentor_key, (mentor,) = mentor_types[t]
        for s in named:
            key, (mentee,) = mentee_types[s]
            if (mentor.id, mentee.id) in forbidden:
                continue
            weight = _key_quality(mentor_key, key[:6])
            edge = net.edge(mentee_nodes[s], mentor_nodes[t], 1, top - weight)
            direct.append((edge, s, t))

    net.min_cost_max_flow(source, sink)

    # Split the flow into (mentee type, mentor type, count), in a fixed order: open hubs
    # first, as what they pass on arrives at regular hubs.
    flow = net.flow
    arriving: dict[int, list[list[int]]] = defaultdict(list)
    for edge, s, hub in hub_in:
        if flow(edge):
            arriving[hub].append([s, flow(edge)])
    leaving: dict[int, list[list[Any]]] = defaultdict(list)
    for edge, hub, to in hub_out:
        if flow(edge):
            leaving[hub].append([to, flow(edge)])
    units: dict[int, list[tuple[int, int]]] = defaultdict(list)  # mentee type → (mentor type, n)
    for hub in [*sorted(open_hubs.values()), *sorted(regular_hubs.values())]:
        ins, outs = arriving[hub], leaving[hub]
        i = j = 0
        while i < len(ins):
            n = min(ins[i][1], outs[j][1])
            kind, node = outs[j][0]
            if kind == "mentor":
                units[ins[i][0]].append((node, n))
            else:
                arriving[node].append([ins[i][0], n])
            ins[i][1] -= n
            outs[j][1] -= n
            if not ins[i][1]:
                i += 1
            if not outs[j][1]:
                j += 1
    for edge, s, t in direct:
        if flow(edge):
            units[s].append((t, flow(edge)))

    # Deal each mentor type's places round-robin to its mentors (by id).
    places: list[list[MentorId]] = []
    for _key, mentor_group in mentor_types:
        slots = [m.id for r in range(MAX_CAPACITY) for m in mentor_group if remaining[m.id] > r]
        slots.reverse()  # popped from the end
        places.append(slots)

    pairs: dict[MenteeId, MentorId | None] = dict.fromkeys(sorted(m.id for m in mentees))
    pairs.update(fixed)
    for s, (_key, group) in enumerate(mentee_types):
        people = iter(group)
        for t, n in sorted(units.get(s, ())):
            for _ in range(n):
                pairs[next(people).id] = places[t].pop()

    by_mentor = {m.id: m for m in mentors}
    by_mentee = {f.id: f for f in mentees}
    total = sum(quality(by_mentor[m], by_mentee[f]) for f, m in pairs.items() if m is not None)
    unmatched = [f for f, m in pairs.items() if m is None]
    return Assignment(
        pairs=pairs,
        total_quality=total,
        matched=len(pairs) - len(unmatched),
        unmatched=unmatched,
    )
