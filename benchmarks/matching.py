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
Fair comparison: every solver runs --repeat times from the same instance, each run doing its
own set-up (ours validates and indexes the instance; the package's builds its dictionaries and
players), and the table shows the median wall and CPU time of those runs, with their range (a
busy machine stretches wall time, not CPU time). Peak memory (tracemalloc, allocations made by
the solver on top of its input) is measured in one more run, so tracing does not slow the
timed ones; OR-Tools allocates in C++, outside tracemalloc's view. The script exits 1 when a
target is missed (targets apply at full scale only). --quick runs everything at a tenth of the
scale. Run by hand; not part of the test suite. Both of our modules are pure (no Django), so
they are loaded straight from their files.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import threading
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class Timing:
    """Wall and CPU seconds of each timed run, and the peak traced memory of one more run."""

    walls: list[float]
    cpus: list[float]
    peak: int | None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def measure(run: Callable[[], object], repeat: int, trace: bool = True) -> tuple[object, Timing]:
    """Run ``run`` ``repeat`` times: (its result, the timings); medians are what is reported.

    CPU time is shown too because a busy machine stretches wall time but not CPU time. Peak
    memory (tracemalloc) comes from a separate run, so tracing does not slow the timed ones.
    """
    walls: list[float] = []
    cpus: list[float] = []
    result = None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    peak = None
    if trace:
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, Timing(walls, cpus, peak)


def package_runs(instance) -> tuple[Callable[[], dict], Callable[[], dict]] | None:
    """Two ways to solve ``instance`` with the ``matching`` package, or None if it is absent.

    Each returns fellow → project (or None) and does all its own set-up from the instance,
    as ``allocation.allocate`` does (it validates and indexes its input every run): the
    dictionaries the package wants, its players, then its solver. The first calls the
    package's player builder and SPA-student function directly. The second is its public
    ``StudentAllocation``, which checks its inputs by comparing every supervisor with every
    student (quadratic: hours at full scale) and deep-copies the players recursively (so it
    runs on a thread with a deep stack).
    """
    try:
        from matching import __version__
        from matching.algorithms.student_allocation import student_allocation
        from matching.games import StudentAllocation
        from matching.games.student_allocation import _make_players
    except ImportError:
        return None
    print(f"    matching package version {__version__}")

    def dictionaries():
        # The package wants a ranking for every supervisor and warns about players nobody ranked.
        wanted = sorted({x for prefs in instance.fellow_prefs.values() for x in prefs})
        supervisors = sorted({instance.project_supervisor[x] for x in wanted})
        return (
            {f: list(prefs) for f, prefs in instance.fellow_prefs.items() if prefs},
            {s: list(instance.supervisor_prefs.get(s, [])) for s in supervisors},
            {x: instance.project_supervisor[x] for x in wanted},
            {x: instance.project_capacity[x] for x in wanted},
            {s: instance.supervisor_capacity[s] for s in supervisors},
        )

    def as_assignment(solution) -> dict:
        assignment: dict[str, str | None] = dict.fromkeys(instance.fellow_prefs)
        for project, students in solution.items():
            for student in students:
                assignment[student.name] = project.name
        return assignment

    def bare() -> dict:
        players = _make_players(*dictionaries())
        return as_assignment(student_allocation(*players, optimal="student"))

    def public() -> dict:
        outcome: dict[str, object] = {}

        def solve() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                game = StudentAllocation.create_from_dictionaries(*dictionaries())
                outcome["matching"] = game.solve(optimal="student")

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
        return as_assignment(outcome["matching"])

    return bare, public


# --- main --------------------------------------------------------------------------------


def mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**20:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the scale, no targets")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of every solver; the median is shown"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    scale = 10 if args.quick else 1
    rows: list[tuple[str, ...]] = []
    missed: list[str] = []

    def row(name: str, size: str, timing: Timing, target: float | None) -> None:
        verdict = "-"
        if target is not None:
            verdict = f"< {target:g} s " + ("met" if timing.wall < target else "MISSED")
            if timing.wall >= target:
                missed.append(f"{name}: median {timing.wall:.3f} s, target < {target:g} s")
        rows.append(
            (
                name,
                size,
                f"{timing.wall:.3f} s",
                f"{min(timing.walls):.3f}–{max(timing.walls):.3f} s",
                f"{timing.cpu:.3f} s",
                mb(timing.peak),
                verdict,
            )
        )

    rng = random.Random(args.seed)
    instance = allocation_instance(rng, 10_000 // scale, 12_000 // scale)
    ranked = sum(len(p) for p in instance.fellow_prefs.values())
    print(
        f"(a) allocation: {len(instance.fellow_prefs):,} fellows, {len(instance.project_capacity):,} projects "
        f"({sum(instance.project_capacity.values()):,} places), {len(instance.supervisor_capacity):,} supervisors "
        f"({sum(instance.supervisor_capacity.values()):,} places), {ranked:,} rankings"
    )
    result, timing = measure(lambda: allocation.allocate(instance), args.repeat)
    ours = result.assignment
    placed = sum(1 for x in ours.values() if x is not None)
    first = sum(1 for f, x in ours.items() if x is not None and instance.fellow_prefs[f][0] == x)
    print(f"    {placed:,} fellows placed, {first:,} with their first choice")
    row(
        "(a) allocation, SPA-student",
        f"{len(ours):,} fellows",
        timing,
        None if args.quick else 0.5,
    )

    rng = random.Random(args.seed + 1)
    mentors, mentees = mentor_instance(rng, 5_000 // scale, 5_000 // scale)
    print(
        f"(b) mentors: {len(mentors):,} mentors ({sum(m.capacity for m in mentors):,} places), "
        f"{len(mentees):,} mentees"
    )
    result, timing = measure(lambda: mentor_matching.assign(mentors, mentees), args.repeat)
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
    row(
        "(b) mentors, min-cost flow (OR-Tools)",
        f"{len(mentees):,} mentees",
        timing,
        None if args.quick else 5.0,
    )

    print("(c) the same allocation through the matching package")
    package = package_runs(instance)
    if package is None:
        print(
            "    not installed: .venv/bin/pip install -e '.[bench]' (or pip install matching) to compare"
        )
    else:
        bare, public = package
        theirs, timing = measure(bare, args.repeat)
        agree = sum(1 for f in ours if ours[f] == theirs[f])
        print(f"    same project (or none) for {agree:,} of {len(ours):,} fellows")
        row("(c) matching SPA solver", f"{len(ours):,} fellows", timing, None)
        if len(ours) <= 2_000:
            # Deep recursion: tracing its memory would take long and say little.
            theirs, timing = measure(public, args.repeat, trace=False)
            print(f"    public API gives the same assignment: {theirs == ours}")
            row("(c) matching StudentAllocation API", f"{len(ours):,} fellows", timing, None)
        else:
            print(
                "    public StudentAllocation API skipped at this scale: its input checks compare "
                "every supervisor with every student (try --quick)"
            )

    print()
    print(
        f"Every solver ran {args.repeat} time(s) from the same input, set-up included; "
        "wall and CPU are medians."
    )
    header = ("run", "size", "wall (median)", "wall range", "cpu (median)", "peak memory", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    if missed:
        print()
        for text in missed:
            print(f"MISSED {text}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
