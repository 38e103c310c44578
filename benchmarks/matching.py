"""National-scale matching: fellow–project allocation and mentor assignment, timed and measured.

    .venv/bin/python benchmarks/matching.py [--quick] [--seed 2026] [--repeat 3]

It generates, with a fixed random seed, two programme-sized instances and runs:
  (a) the fellow–project allocation (projects.allocation.allocate, SPA-student): 10,000 fellows,
      12,000 projects in 7 regions, each fellow ranking up to 10 projects of their own region
      (popularity skewed), supervisors with 1–3 projects (capacity 1–2 each) and a total
      capacity, ranking every fellow who chose one of their projects. Target: under 0.5 s.
  (b) the mentor assignment (fellowship.mentor_matching.assign): 5,000 mentors (capacity 1–3)
      and 5,000 mentees, 7 regions, 30 specialties, 15 domains, weights 0–3. Target: under 5 s.
  (c) if the third-party ``matching`` package is installed (``.venv/bin/pip install -e .[bench]``
      or ``.venv/bin/pip install matching``; it is not a runtime dependency), instance (a)
      again through its SPA-student solver, comparing time and assignments (they must agree:
      the fellow-optimal stable allocation is unique). Its public ``StudentAllocation`` API
      checks inputs in time proportional to supervisors × students, so it is only run with
      --quick; at full scale the package's own player builder and solver are timed directly.
Wall time is the best of --repeat runs, with the CPU time of that run (a busy machine stretches
the first, not the second); peak memory (tracemalloc, allocations made by the
algorithm on top of its input) is measured in a separate run so tracing does not slow the
timed ones. --quick runs everything at a tenth of the scale. Run by hand; not part of the
test suite. Both modules are pure (no Django), so they are loaded straight from their files.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import threading
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is called matching.py: keep its folder off the path so that ``import matching``
# finds the package, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))


def load(name: str, relative: str):
    """Import a pure module from its file, without running its package's __init__ (Celery, Django)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


allocation = load("allocation", "projects/allocation.py")
mentor_matching = load("mentor_matching", "fellowship/mentor_matching.py")

REGION_SHARES = [0.22, 0.18, 0.15, 0.13, 0.12, 0.11, 0.09]  # London first, then the rest


# --- instance generators -----------------------------------------------------------------


def allocation_instance(rng: random.Random, fellows: int, projects: int):
    """Fellows rank projects of their own region; a few projects are far more popular."""
    region_projects: list[list[str]] = [[] for _ in REGION_SHARES]
    project_capacity: dict[str, int] = {}
    project_supervisor: dict[str, str] = {}
    supervisor_capacity: dict[str, int] = {}
    p = s = 0
    while p < projects:
        region = rng.choices(range(len(REGION_SHARES)), REGION_SHARES)[0]
        supervisor = f"S{s:05}"
        s += 1
        mine = []
        for _ in range(min(rng.randint(1, 3), projects - p)):
            project = f"P{p:05}"
            p += 1
            project_capacity[project] = rng.randint(1, 2)
            project_supervisor[project] = supervisor
            region_projects[region].append(project)
            mine.append(project)
        total = sum(project_capacity[x] for x in mine)
        supervisor_capacity[supervisor] = rng.randint(max(1, total - 2), total)
    # Popularity: heavy-tailed weights, sampled through cumulative weights per region.
    popularity = {x: rng.paretovariate(1.1) for x in project_capacity}
    cumulative = []
    for listing in region_projects:
        running, cum = 0.0, []
        for x in listing:
            running += popularity[x]
            cum.append(running)
        cumulative.append(cum)
    fellow_prefs: dict[str, list[str]] = {}
    merit: dict[str, float] = {}
    for i in range(fellows):
        fellow = f"F{i:05}"
        region = rng.choices(range(len(REGION_SHARES)), REGION_SHARES)[0]
        listing = region_projects[region]
        want = min(rng.randint(3, 10), len(listing))
        chosen: list[str] = []
        seen: set[str] = set()
        while len(chosen) < want:
            for x in rng.choices(listing, cum_weights=cumulative[region], k=2 * want):
                if x not in seen:
                    seen.add(x)
                    chosen.append(x)
                    if len(chosen) == want:
                        break
        fellow_prefs[fellow] = chosen
        merit[fellow] = rng.random()
    # Supervisors rank every fellow who chose one of their projects: merit plus their own view.
    applicants: dict[str, set[str]] = {x: set() for x in supervisor_capacity}
    for fellow, prefs in fellow_prefs.items():
        for x in prefs:
            applicants[project_supervisor[x]].add(fellow)
    supervisor_prefs = {
        supervisor: sorted(sorted(people), key=lambda f: -(merit[f] + rng.gauss(0, 0.15)))
        for supervisor, people in applicants.items()
    }
    return allocation.Instance(
        fellow_prefs=fellow_prefs,
        project_capacity=project_capacity,
        project_supervisor=project_supervisor,
        supervisor_capacity=supervisor_capacity,
        supervisor_prefs=supervisor_prefs,
    )


def mentor_instance(rng: random.Random, mentors: int, mentees: int):
    regions = [f"Region {i + 1}" for i in range(len(REGION_SHARES))]
    specialties = [f"Specialty {i + 1}" for i in range(30)]
    specialty_shares = [1 / (i + 1) for i in range(30)]  # a few large specialties, a long tail
    domains = [f"Domain {i + 1}" for i in range(15)]

    def region() -> str:
        return rng.choices(regions, REGION_SHARES)[0]

    def specialty() -> str | None:
        return None if rng.random() < 0.03 else rng.choices(specialties, specialty_shares)[0]

    mentor_list = [
        mentor_matching.Mentor(
            id=f"M{i:05}",
            capacity=rng.randint(1, 3),
            region=region(),
            specialty=specialty(),
            domains=frozenset(rng.sample(domains, rng.randint(0, 3))),
        )
        for i in range(mentors)
    ]
    mentee_list = [
        mentor_matching.Mentee(
            id=f"F{i:05}",
            region=region(),
            specialty=specialty(),
            domain=None if rng.random() < 0.1 else rng.choice(domains),
            region_weight=rng.randint(0, 3),
            specialty_weight=rng.randint(0, 3),
            domain_weight=rng.randint(0, 3),
        )
        for i in range(mentees)
    ]
    return mentor_list, mentee_list


# --- measuring ---------------------------------------------------------------------------


def measure(run: Callable[[], object], repeat: int) -> tuple[object, float, float, int]:
    """(result, best wall time s, CPU time s of that run, peak traced bytes from a separate run).

    CPU time is shown too because a busy machine stretches wall time but not CPU time.
    """
    best = (float("inf"), 0.0)
    result = None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, best[0], best[1], peak


def run_matching_package(instance, public_api: bool) -> tuple[dict, dict[str, float]] | None:
    """Solve ``instance`` with the ``matching`` package: (assignment, timings), or None if absent.

    Its public ``StudentAllocation`` checks its inputs by comparing every supervisor with
    every student (quadratic: hours at full scale) and deep-copies the players recursively,
    so the solver is also timed on its own: players built by the package's own helper,
    then its SPA-student function. The public API is only run when ``public_api`` is set.
    """
    try:
        from matching import __version__
        from matching.algorithms.student_allocation import student_allocation
        from matching.games import StudentAllocation
        from matching.games.student_allocation import _make_players
    except ImportError:
        return None
    print(f"    matching package version {__version__}")
    # The package wants a ranking for every supervisor and warns about players nobody ranked.
    wanted = sorted({x for prefs in instance.fellow_prefs.values() for x in prefs})
    supervisors = sorted({instance.project_supervisor[x] for x in wanted})
    dictionaries = (
        {f: list(prefs) for f, prefs in instance.fellow_prefs.items() if prefs},
        {s: list(instance.supervisor_prefs.get(s, [])) for s in supervisors},
        {x: instance.project_supervisor[x] for x in wanted},
        {x: instance.project_capacity[x] for x in wanted},
        {s: instance.supervisor_capacity[s] for s in supervisors},
    )
    timings: dict[str, float] = {}
    cpu = time.process_time()
    started = time.perf_counter()
    players = _make_players(*dictionaries)
    timings["players"] = time.perf_counter() - started
    started = time.perf_counter()
    solution = student_allocation(*players, optimal="student")
    timings["solver"] = time.perf_counter() - started
    timings["cpu"] = time.process_time() - cpu
    assignment: dict[str, str | None] = dict.fromkeys(instance.fellow_prefs)
    for project, students in solution.items():
        for student in students:
            assignment[student.name] = project.name

    if public_api:
        outcome: dict[str, object] = {}

        def solve() -> None:
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                game = StudentAllocation.create_from_dictionaries(*dictionaries)
                outcome["matching"] = game.solve(optimal="student")
            outcome["seconds"] = time.perf_counter() - started

        # The deep copy recurses through the web of players: give it a deep stack.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(1_000_000)
        threading.stack_size(1 << 30)
        try:
            worker = threading.Thread(target=solve)
            worker.start()
            worker.join()
        finally:
            sys.setrecursionlimit(limit)
            threading.stack_size(0)
        timings["public"] = outcome["seconds"]
        public = {s.name: p.name for p, people in outcome["matching"].items() for s in people}
        same = all(public.get(f) == x for f, x in assignment.items())
        print(f"    public API gives the same assignment as the bare solver: {same}")
    return assignment, timings


# --- main --------------------------------------------------------------------------------


def mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is shown")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rows: list[tuple[str, ...]] = []

    rng = random.Random(args.seed)
    instance = allocation_instance(rng, 10_000 // scale, 12_000 // scale)
    ranked = sum(len(p) for p in instance.fellow_prefs.values())
    print(
        f"(a) allocation: {len(instance.fellow_prefs):,} fellows, {len(instance.project_capacity):,} projects "
        f"({sum(instance.project_capacity.values()):,} places), {len(instance.supervisor_capacity):,} supervisors "
        f"({sum(instance.supervisor_capacity.values()):,} places), {ranked:,} rankings"
    )
    result, seconds, cpu, peak = measure(lambda: allocation.allocate(instance), args.repeat)
    ours = result.assignment
    placed = sum(1 for x in ours.values() if x is not None)
    first = sum(1 for f, x in ours.items() if x is not None and instance.fellow_prefs[f][0] == x)
    print(f"    {placed:,} fellows placed, {first:,} with their first choice")
    target = "< 0.5 s" if not args.quick else "-"
    rows.append(
        (
            "(a) allocation, SPA-student",
            f"{len(ours):,} fellows",
            f"{seconds:.3f} s",
            f"{cpu:.3f} s",
            mb(peak),
            target,
        )
    )

    rng = random.Random(args.seed + 1)
    mentors, mentees = mentor_instance(rng, 5_000 // scale, 5_000 // scale)
    print(
        f"(b) mentors: {len(mentors):,} mentors ({sum(m.capacity for m in mentors):,} places), "
        f"{len(mentees):,} mentees"
    )
    result, seconds, cpu, peak = measure(
        lambda: mentor_matching.assign(mentors, mentees), args.repeat
    )
    by_id = {m.id: m for m in mentors}
    reasons: Counter[str] = Counter()
    none_shared = 0
    for mentee in mentees:
        mentor_id = result.pairs[mentee.id]
        if mentor_id is None:
            continue
        names = mentor_matching.shared(by_id[mentor_id], mentee)
        reasons.update(names)
        none_shared += not names
    print(
        f"    {result.matched:,} matched, total quality {result.total_quality:,}; pairs sharing "
        f"region {reasons['region']:,}, specialty {reasons['specialty']:,}, domain {reasons['domain']:,}, "
        f"nothing {none_shared:,}"
    )
    target = "< 5 s" if not args.quick else "-"
    rows.append(
        (
            "(b) mentors, min-cost flow",
            f"{len(mentees):,} mentees",
            f"{seconds:.3f} s",
            f"{cpu:.3f} s",
            mb(peak),
            target,
        )
    )

    print("(c) the same allocation through the matching package")
    package = run_matching_package(instance, public_api=len(ours) <= 2_000)
    if package is None:
        print(
            "    not installed: .venv/bin/pip install -e '.[bench]' (or pip install matching) to compare"
        )
    else:
        theirs, timings = package
        agree = sum(1 for f in ours if ours[f] == theirs[f])
        print(
            f"    build players {timings['players']:.3f} s, solve {timings['solver']:.3f} s; "
            f"same project (or none) for {agree:,} of {len(ours):,} fellows"
        )
        rows.append(
            (
                "(c) matching 1.4 SPA solver",
                f"{len(ours):,} fellows",
                f"{timings['players'] + timings['solver']:.3f} s",
                f"{timings['cpu']:.3f} s",
                "-",
                "-",
            )
        )
        if "public" in timings:
            rows.append(
                (
                    "(c) matching StudentAllocation API",
                    f"{len(ours):,} fellows",
                    f"{timings['public']:.3f} s",
                    "-",
                    "-",
                    "-",
                )
            )
        else:
            print(
                "    public StudentAllocation API skipped at this scale: its input checks compare "
                "every supervisor with every student (try --quick)"
            )

    print()
    header = ("run", "size", "wall (best)", "cpu", "peak memory", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
