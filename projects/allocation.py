"""Fellow–project allocation: the fellow-optimal stable matching (algorithm SPA-student).

Pure: standard library only, no Django import, so it can be tested and benchmarked alone.

The problem is the Student–Project Allocation problem of Abraham, Irving and Manlove,
"Two algorithms for the Student-Project Allocation problem", Journal of Discrete
Algorithms 5(1), 2007. In the programme's words:

* every fellow ranks the projects they are eligible for, best first;
* every project has a capacity (how many fellows it can take) and one supervisor;
* every supervisor has a total capacity across all their projects and a strict ranking
  of the fellows who chose their projects.

A fellow missing from their supervisor's ranking is treated as ranked below every fellow
the supervisor did list; fellows missing from the ranking are ordered among themselves by
fellow id (smallest id first). This keeps the result deterministic when a supervisor has
not ranked everybody. Fellow ids must therefore be mutually comparable (all ``int`` or all
``str``, for instance).

The allocation is *stable*: no fellow and project would both rather be together (see
:func:`blocking_pairs` for the exact definition). Among all stable allocations it is the
one every fellow likes best (fellow-optimal): nobody gets a worse project than they would
in any other stable allocation.

How it works (SPA-student, section 3 of the paper). Free fellows apply, one at a time, to
the best project still on their list, in a fixed order (a queue seeded by sorted fellow
id). The fellow is provisionally accepted. If the project is now over capacity, its
supervisor rejects the fellow they rank lowest among that project's fellows; else if the
supervisor is over capacity, they reject the fellow they rank lowest among all their
fellows. Then, if the project is full, every fellow ranked below its lowest fellow is
struck off that project's list (they could never get in); and if the supervisor is full,
every fellow ranked below the supervisor's lowest fellow is struck off all that
supervisor's projects. Rejected fellows rejoin the queue and apply further down their
lists. The process stops when every fellow is placed or has run out of projects.

Strikes are stored as a threshold per project and per supervisor (a fellow is struck off
when the supervisor ranks them below the threshold), and the lowest-ranked fellow is found
with heaps, so the running time grows with the total length of the preference lists (times
a logarithm), not with its square.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from fellowship.ids import SortableId

FellowId = SortableId
ProjectId = SortableId
SupervisorId = SortableId

ReasonKind = Literal["project_full", "supervisor_full"]

_INFINITY = float("inf")


@dataclass
class Instance:
    """Everything the allocation needs, keyed by plain ids.

    ``fellow_prefs[f]`` lists the projects fellow ``f`` ranked, best first.
    ``project_capacity[p]`` and ``project_supervisor[p]`` give each project's capacity and
    supervisor; ``supervisor_capacity[s]`` gives each supervisor's total capacity, and
    ``supervisor_prefs[s]`` their ranking of fellows, best first (may be partial or
    missing: unlisted fellows come last, ordered by fellow id).
    """

    fellow_prefs: dict[FellowId, list[ProjectId]]
    project_capacity: dict[ProjectId, int]
    project_supervisor: dict[ProjectId, SupervisorId]
    supervisor_capacity: dict[SupervisorId, int]
    supervisor_prefs: dict[SupervisorId, list[FellowId]] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ValueError if an id is unknown, a list repeats an id, or a capacity is not positive."""
        if set(self.project_capacity) != set(self.project_supervisor):
            missing = set(self.project_capacity) ^ set(self.project_supervisor)
            raise ValueError(
                f"projects need both a capacity and a supervisor: {sorted(map(str, missing))}"
            )
        for project, capacity in self.project_capacity.items():
            if not isinstance(capacity, int) or capacity < 1:
                raise ValueError(
                    f"project {project!r} has capacity {capacity!r}; it must be a positive integer"
                )
        for project, supervisor in self.project_supervisor.items():
            if supervisor not in self.supervisor_capacity:
                raise ValueError(f"project {project!r} has unknown supervisor {supervisor!r}")
        for supervisor, capacity in self.supervisor_capacity.items():
            if not isinstance(capacity, int) or capacity < 1:
                raise ValueError(
                    f"supervisor {supervisor!r} has capacity {capacity!r}; it must be a positive integer"
                )
        for fellow, prefs in self.fellow_prefs.items():
            if len(set(prefs)) != len(prefs):
                raise ValueError(f"fellow {fellow!r} ranks a project twice")
            for project in prefs:
                if project not in self.project_capacity:
                    raise ValueError(f"fellow {fellow!r} ranks unknown project {project!r}")
        for supervisor, ranking in self.supervisor_prefs.items():
            if supervisor not in self.supervisor_capacity:
                raise ValueError(f"ranking given for unknown supervisor {supervisor!r}")
            if len(set(ranking)) != len(ranking):
                raise ValueError(f"supervisor {supervisor!r} ranks a fellow twice")
            for fellow in ranking:
                if fellow not in self.fellow_prefs:
                    raise ValueError(f"supervisor {supervisor!r} ranks unknown fellow {fellow!r}")
        try:
            sorted(self.fellow_prefs)
        except TypeError as error:
            raise ValueError(
                "fellow ids must be comparable with each other (e.g. all int or all str)"
            ) from error


@dataclass(frozen=True)
class Reason:
    """Why a fellow did not get a project they ranked above the one they got.

    ``kind`` is ``"project_full"`` when the project's places all went to fellows its
    supervisor ranks higher, or ``"supervisor_full"`` when the project had room but its
    supervisor's total capacity went to fellows they rank higher. ``taken_by`` lists those
    fellows, in the supervisor's order (best first).
    """

    project: ProjectId
    kind: ReasonKind
    taken_by: tuple[FellowId, ...]

    def __str__(self) -> str:
        who = ", ".join(str(f) for f in self.taken_by)
        if self.kind == "project_full":
            return f"{self.project}: project full, its places went to fellows its supervisor ranked higher ({who})"
        return f"{self.project}: supervisor full, their places went to fellows they ranked higher ({who})"


class _Ranks:
    """Supervisor rank of a fellow as an integer: lower is better, unlisted fellows last by id."""

    def __init__(self, instance: Instance) -> None:
        self._order = {fellow: i for i, fellow in enumerate(sorted(instance.fellow_prefs))}
        self._listed = {
            supervisor: {fellow: i for i, fellow in enumerate(ranking)}
            for supervisor, ranking in instance.supervisor_prefs.items()
        }
        self._length = {
            supervisor: len(ranking) for supervisor, ranking in instance.supervisor_prefs.items()
        }

    def rank(self, supervisor: SupervisorId, fellow: FellowId) -> int:
        listed = self._listed.get(supervisor)
        if listed is not None:
            position = listed.get(fellow)
            if position is not None:
                return position
            return self._length[supervisor] + self._order[fellow]
        return self._order[fellow]


@dataclass
class Allocation:
    """The result: ``assignment[fellow]`` is their project, or None if unmatched."""

    instance: Instance
    assignment: dict[FellowId, ProjectId | None]
    _ranks: _Ranks = field(repr=False)

    def explain(self, fellow: FellowId) -> list[Reason]:
        """For every project the fellow ranked above the one they got (all, if unmatched), say why not.

        Assumes the allocation is stable (as :func:`allocate` returns it); for a hand-edited
        allocation use :func:`blocking_pairs` to find the projects a fellow could claim.
        """
        instance = self.instance
        got = self.assignment.get(fellow)
        members = _members(instance, self.assignment)
        reasons: list[Reason] = []
        for project in instance.fellow_prefs[fellow]:
            if project == got:
                break
            supervisor = instance.project_supervisor[project]
            mine = self._ranks.rank(supervisor, fellow)
            if len(members.projects.get(project, ())) >= instance.project_capacity[project]:
                kind: ReasonKind = "project_full"
                holders = members.projects[project]
            else:
                kind = "supervisor_full"
                holders = members.supervisors.get(supervisor, [])
            better = sorted(
                (f for f in holders if self._ranks.rank(supervisor, f) < mine),
                key=partial(self._ranks.rank, supervisor),
            )
            reasons.append(Reason(project=project, kind=kind, taken_by=tuple(better)))
        return reasons


@dataclass
class _Members:
    projects: dict[ProjectId, list[FellowId]]
    supervisors: dict[SupervisorId, list[FellowId]]


def _members(instance: Instance, assignment: Mapping[FellowId, ProjectId | None]) -> _Members:
    projects: dict[ProjectId, list[FellowId]] = {}
    supervisors: dict[SupervisorId, list[FellowId]] = {}
    for fellow, project in assignment.items():
        if project is None:
            continue
        projects.setdefault(project, []).append(fellow)
        supervisors.setdefault(instance.project_supervisor[project], []).append(fellow)
    return _Members(projects, supervisors)


def allocate(instance: Instance) -> Allocation:
    """Return the fellow-optimal stable allocation (SPA-student). Validates the instance first."""
    instance.validate()
    ranks = _Ranks(instance)
    prefs = instance.fellow_prefs
    supervisor_of = instance.project_supervisor
    project_capacity = instance.project_capacity
    supervisor_capacity = instance.supervisor_capacity

    assigned: dict[FellowId, ProjectId] = {}
    # Each provisional assignment gets a fresh number; heap entries of older ones are stale.
    ticket: dict[FellowId, int] = {}
    next_ticket = 0
    project_count = dict.fromkeys(project_capacity, 0)
    supervisor_count = dict.fromkeys(supervisor_capacity, 0)
    # Max-heaps (by supervisor rank, so the worst fellow is on top) with lazy removal.
    project_heap: dict[ProjectId, list[tuple[int, int, FellowId]]] = {
        p: [] for p in project_capacity
    }
    supervisor_heap: dict[SupervisorId, list[tuple[int, int, FellowId]]] = {
        s: [] for s in supervisor_capacity
    }
    # Fellows the supervisor ranks strictly below a threshold are struck off that project
    # (project threshold) or all the supervisor's projects (supervisor threshold).
    project_threshold: dict[ProjectId, float] = dict.fromkeys(project_capacity, _INFINITY)
    supervisor_threshold: dict[SupervisorId, float] = dict.fromkeys(supervisor_capacity, _INFINITY)
    position = dict.fromkeys(prefs, 0)

    def worst(heap: list[tuple[int, int, FellowId]]) -> tuple[int, int, FellowId]:
        while True:
            entry = heap[0]
            if ticket.get(entry[2]) == entry[1]:
                return entry
            heapq.heappop(heap)

    def unassign(fellow: FellowId) -> None:
        project = assigned.pop(fellow)
        del ticket[fellow]
        project_count[project] -= 1
        supervisor_count[supervisor_of[project]] -= 1
        free.append(fellow)

    free: deque[FellowId] = deque(sorted(prefs))
    while free:
        fellow = free.popleft()
        choices = prefs[fellow]
        i = position[fellow]
        rank = 0
        while i < len(choices):
            project = choices[i]
            supervisor = supervisor_of[project]
            rank = ranks.rank(supervisor, fellow)
            if rank <= project_threshold[project] and rank <= supervisor_threshold[supervisor]:
                break
            i += 1
        position[fellow] = i
        if i == len(choices):
            continue  # ran out of projects: stays unmatched

        project = choices[i]
        supervisor = supervisor_of[project]
        assigned[fellow] = project
        ticket[fellow] = next_ticket
        heapq.heappush(project_heap[project], (-rank, next_ticket, fellow))
        heapq.heappush(supervisor_heap[supervisor], (-rank, next_ticket, fellow))
        next_ticket += 1
        project_count[project] += 1
        supervisor_count[supervisor] += 1

        if project_count[project] > project_capacity[project]:
            # The supervisor rejects the fellow they rank lowest on this project.
            unassign(worst(project_heap[project])[2])
        elif supervisor_count[supervisor] > supervisor_capacity[supervisor]:
            # The supervisor rejects the fellow they rank lowest across all their projects.
            unassign(worst(supervisor_heap[supervisor])[2])

        if project_count[project] == project_capacity[project]:
            lowest = -worst(project_heap[project])[0]
            project_threshold[project] = min(project_threshold[project], lowest)
        if supervisor_count[supervisor] == supervisor_capacity[supervisor]:
            lowest = -worst(supervisor_heap[supervisor])[0]
            supervisor_threshold[supervisor] = min(supervisor_threshold[supervisor], lowest)

    assignment: dict[FellowId, ProjectId | None] = {
        fellow: assigned.get(fellow) for fellow in prefs
    }
    return Allocation(instance=instance, assignment=assignment, _ranks=ranks)


def blocking_pairs(
    instance: Instance, assignment: Mapping[FellowId, ProjectId | None]
) -> list[tuple[FellowId, ProjectId]]:
    """List the (fellow, project) pairs that block ``assignment``, in fellow id then preference order.

    This is the paper's stability definition. A fellow f and a project p that f ranked
    block the allocation when f is unmatched or prefers p to their project, and one of:

    (a) p and its supervisor both have room;
    (b) p has room, its supervisor is full, and either f already has one of that
        supervisor's projects or the supervisor ranks f above their lowest fellow;
    (c) p is full and its supervisor ranks f above p's lowest fellow.

    An allocation with no blocking pair is stable. A fellow given a project they did not
    rank (a manual override) is treated as preferring every project they did rank to it.
    Fellows missing from ``assignment`` count as unmatched.
    """
    instance.validate()
    ranks = _Ranks(instance)
    for fellow, project in assignment.items():
        if fellow not in instance.fellow_prefs:
            raise ValueError(f"unknown fellow {fellow!r}")
        if project is not None and project not in instance.project_capacity:
            raise ValueError(f"fellow {fellow!r} assigned unknown project {project!r}")
    members = _members(instance, assignment)

    def lowest(supervisor: SupervisorId, fellows: list[FellowId]) -> int:
        return max(ranks.rank(supervisor, f) for f in fellows)

    pairs: list[tuple[FellowId, ProjectId]] = []
    for fellow in sorted(instance.fellow_prefs):
        got = assignment.get(fellow)
        got_supervisor = instance.project_supervisor[got] if got is not None else None
        for project in instance.fellow_prefs[fellow]:
            if project == got:
                break
            supervisor = instance.project_supervisor[project]
            on_project = members.projects.get(project, [])
            on_supervisor = members.supervisors.get(supervisor, [])
            mine = ranks.rank(supervisor, fellow)
            project_room = len(on_project) < instance.project_capacity[project]
            supervisor_room = len(on_supervisor) < instance.supervisor_capacity[supervisor]
            if project_room:
                blocks = (
                    supervisor_room
                    or got_supervisor == supervisor
                    or mine < lowest(supervisor, on_supervisor)
                )
            else:
                blocks = mine < lowest(supervisor, on_project)
            if blocks:
                pairs.append((fellow, project))
    return pairs
