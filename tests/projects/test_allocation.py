"""The fellow–project allocation (SPA-student): hand-worked instances and property tests.

The property tests compare the algorithm with an independent brute-force solver that
enumerates every capacity-respecting allocation and keeps the stable ones.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.allocation import Instance, Reason, allocate, blocking_pairs


def paper_instance() -> Instance:
    """The example of Abraham, Irving and Manlove (2007): s1..s7, p1..p8, l1..l3."""
    return Instance(
        fellow_prefs={
            "s1": ["p1", "p7"],
            "s2": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "s3": ["p2", "p1", "p4"],
            "s4": ["p2"],
            "s5": ["p1", "p2", "p3", "p4"],
            "s6": ["p2", "p3", "p4", "p5", "p6"],
            "s7": ["p5", "p3", "p8"],
        },
        project_capacity={"p1": 2, "p2": 1, "p3": 1, "p4": 1, "p5": 1, "p6": 1, "p7": 1, "p8": 1},
        project_supervisor={
            "p1": "l1",
            "p2": "l1",
            "p3": "l1",
            "p4": "l2",
            "p5": "l2",
            "p6": "l2",
            "p7": "l3",
            "p8": "l3",
        },
        supervisor_capacity={"l1": 3, "l2": 2, "l3": 2},
        supervisor_prefs={
            "l1": ["s7", "s4", "s1", "s3", "s2", "s5", "s6"],
            "l2": ["s3", "s2", "s6", "s7", "s5"],
            "l3": ["s1", "s7"],
        },
    )


# --- independent brute force -------------------------------------------------------------


def _rank(instance: Instance, supervisor, fellow) -> tuple[int, int]:
    ranking = instance.supervisor_prefs.get(supervisor, [])
    if fellow in ranking:
        return (0, ranking.index(fellow))
    return (1, sorted(instance.fellow_prefs).index(fellow))


def _is_stable(instance: Instance, assignment: dict) -> bool:
    sup = instance.project_supervisor
    for fellow, prefs in instance.fellow_prefs.items():
        got = assignment[fellow]
        better = prefs if got is None else prefs[: prefs.index(got)]
        for project in better:
            lecturer = sup[project]
            on_project = [f for f, p in assignment.items() if p == project]
            on_lecturer = [f for f, p in assignment.items() if p is not None and sup[p] == lecturer]
            me = _rank(instance, lecturer, fellow)
            if len(on_project) < instance.project_capacity[project]:
                if len(on_lecturer) < instance.supervisor_capacity[lecturer]:
                    return False
                if fellow in on_lecturer:
                    return False
                if me < max(_rank(instance, lecturer, f) for f in on_lecturer):
                    return False
            elif me < max(_rank(instance, lecturer, f) for f in on_project):
                return False
    return True


def _all_stable(instance: Instance) -> list[dict]:
    fellows = sorted(instance.fellow_prefs)
    stable = []
    for choice in itertools.product(*[[None, *instance.fellow_prefs[f]] for f in fellows]):
        assignment = dict(zip(fellows, choice, strict=True))
        projects = [p for p in choice if p is not None]
        if any(projects.count(p) > c for p, c in instance.project_capacity.items()):
            continue
        lecturers = [instance.project_supervisor[p] for p in projects]
        if any(lecturers.count(s) > c for s, c in instance.supervisor_capacity.items()):
            continue
        if _is_stable(instance, assignment):
            stable.append(assignment)
    return stable


def _position(instance: Instance, fellow, project) -> int:
    prefs = instance.fellow_prefs[fellow]
    return len(prefs) if project is None else prefs.index(project)


# --- hand-worked instances ---------------------------------------------------------------


def test_paper_example_gives_the_student_optimal_stable_matching():
    instance = paper_instance()
    result = allocate(instance).assignment
    assert result == {
        "s1": "p1",
        "s2": "p5",
        "s3": "p4",
        "s4": "p2",
        "s5": None,
        "s6": None,
        "s7": "p3",
    }
    assert blocking_pairs(instance, result) == []
    stable = _all_stable(instance)
    assert result in stable
    for other in stable:
        for fellow in instance.fellow_prefs:
            assert _position(instance, fellow, result[fellow]) <= _position(
                instance, fellow, other[fellow]
            )


def test_project_full_explanation():
    # One place on p1; its supervisor prefers b, so a drops to p2.
    instance = Instance(
        fellow_prefs={"a": ["p1", "p2"], "b": ["p1"]},
        project_capacity={"p1": 1, "p2": 1},
        project_supervisor={"p1": "x", "p2": "y"},
        supervisor_capacity={"x": 2, "y": 1},
        supervisor_prefs={"x": ["b", "a"]},
    )
    allocation = allocate(instance)
    assert allocation.assignment == {"a": "p2", "b": "p1"}
    assert allocation.explain("a") == [Reason(project="p1", kind="project_full", taken_by=("b",))]
    assert allocation.explain("b") == []
    assert "project full" in str(allocation.explain("a")[0])


def test_supervisor_full_explanation_and_unmatched_fellow():
    # p1 and p2 have room but supervisor x takes one fellow only and prefers b.
    instance = Instance(
        fellow_prefs={"a": ["p1"], "b": ["p2"]},
        project_capacity={"p1": 1, "p2": 1},
        project_supervisor={"p1": "x", "p2": "x"},
        supervisor_capacity={"x": 1},
        supervisor_prefs={"x": ["b", "a"]},
    )
    allocation = allocate(instance)
    assert allocation.assignment == {"a": None, "b": "p2"}
    assert allocation.explain("a") == [
        Reason(project="p1", kind="supervisor_full", taken_by=("b",))
    ]


def test_unranked_fellows_come_last_in_id_order():
    # x ranks nobody: ties go to the smaller id, so 1 beats 2 for the one place.
    instance = Instance(
        fellow_prefs={2: ["p"], 1: ["p"], 3: ["p"]},
        project_capacity={"p": 1},
        project_supervisor={"p": "x"},
        supervisor_capacity={"x": 1},
        supervisor_prefs={},
    )
    assert allocate(instance).assignment == {2: None, 1: "p", 3: None}
    # A listed fellow beats all unlisted ones.
    instance.supervisor_prefs = {"x": [3]}
    assert allocate(instance).assignment == {2: None, 1: None, 3: "p"}


def test_fellow_with_empty_list_is_unmatched():
    instance = Instance(
        fellow_prefs={"a": []},
        project_capacity={"p": 1},
        project_supervisor={"p": "x"},
        supervisor_capacity={"x": 1},
    )
    allocation = allocate(instance)
    assert allocation.assignment == {"a": None}
    assert allocation.explain("a") == []


def test_blocking_pairs_show_what_an_override_breaks():
    instance = paper_instance()
    result = dict(allocate(instance).assignment)
    # Faculty move s1 from p1 to p7: s1 now envies p1, which has a free place.
    result["s1"] = "p7"
    assert ("s1", "p1") in blocking_pairs(instance, result)
    with pytest.raises(ValueError):
        blocking_pairs(instance, {"s1": "nope"})
    with pytest.raises(ValueError):
        blocking_pairs(instance, {"ghost": "p1"})


def test_deterministic_for_the_same_input():
    first = allocate(paper_instance()).assignment
    for _ in range(5):
        assert allocate(paper_instance()).assignment == first


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda i: i.fellow_prefs.__setitem__("s1", ["p99"]), "unknown project"),
        (lambda i: i.project_capacity.__setitem__("p1", 0), "capacity"),
        (lambda i: i.supervisor_capacity.__setitem__("l1", -1), "capacity"),
        (lambda i: i.project_supervisor.__setitem__("p1", "l9"), "unknown supervisor"),
        (lambda i: i.supervisor_prefs.__setitem__("l9", []), "unknown supervisor"),
        (lambda i: i.supervisor_prefs.__setitem__("l1", ["s99"]), "unknown fellow"),
        (lambda i: i.fellow_prefs.__setitem__("s1", ["p1", "p1"]), "twice"),
        (lambda i: i.supervisor_prefs.__setitem__("l1", ["s1", "s1"]), "twice"),
        (lambda i: i.project_capacity.pop("p8"), "capacity and a supervisor"),
    ],
)
def test_validation_errors(change, message):
    instance = paper_instance()
    change(instance)
    with pytest.raises(ValueError, match=message):
        allocate(instance)


# --- properties on random small instances ------------------------------------------------


@st.composite
def instances(draw) -> Instance:
    supervisors = [f"l{i}" for i in range(draw(st.integers(1, 3)))]
    projects = [f"p{i}" for i in range(draw(st.integers(1, 6)))]
    fellows = list(range(draw(st.integers(1, 6))))
    project_supervisor = {p: draw(st.sampled_from(supervisors)) for p in projects}
    project_capacity = {p: draw(st.integers(1, 3)) for p in projects}
    supervisor_capacity = {s: draw(st.integers(1, 3)) for s in supervisors}
    # Up to four choices each keeps the brute force (5^6 candidates at most) quick.
    fellow_prefs = {
        f: draw(st.lists(st.sampled_from(projects), unique=True, max_size=min(4, len(projects))))
        for f in fellows
    }
    supervisor_prefs = {}
    for s in supervisors:
        if draw(st.booleans()):
            chose = [f for f in fellows if any(project_supervisor[p] == s for p in fellow_prefs[f])]
            permuted = draw(st.permutations(chose))
            supervisor_prefs[s] = permuted[: draw(st.integers(0, len(permuted)))]  # maybe partial
    return Instance(
        fellow_prefs, project_capacity, project_supervisor, supervisor_capacity, supervisor_prefs
    )


@settings(max_examples=200, deadline=None)
@given(instances())
def test_allocation_is_valid_stable_and_fellow_optimal(instance):
    result = allocate(instance).assignment
    assert set(result) == set(instance.fellow_prefs)
    for fellow, project in result.items():
        assert project is None or project in instance.fellow_prefs[fellow]
    for project, capacity in instance.project_capacity.items():
        assert sum(1 for p in result.values() if p == project) <= capacity
    for supervisor, capacity in instance.supervisor_capacity.items():
        taken = [
            p
            for p in result.values()
            if p is not None and instance.project_supervisor[p] == supervisor
        ]
        assert len(taken) <= capacity
    assert blocking_pairs(instance, result) == []

    stable = _all_stable(instance)
    assert result in stable
    for other in stable:
        for fellow in instance.fellow_prefs:
            assert _position(instance, fellow, result[fellow]) <= _position(
                instance, fellow, other[fellow]
            )


@settings(max_examples=200, deadline=None)
@given(instances())
def test_explanations_cover_every_better_choice(instance):
    allocation = allocate(instance)
    for fellow, prefs in instance.fellow_prefs.items():
        got = allocation.assignment[fellow]
        better = prefs if got is None else prefs[: prefs.index(got)]
        reasons = allocation.explain(fellow)
        assert [r.project for r in reasons] == better
        for reason in reasons:
            assert reason.taken_by  # somebody the supervisor ranked higher took the place
            assert fellow not in reason.taken_by
    assert allocate(instance).assignment == allocation.assignment
