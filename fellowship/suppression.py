"""The disclosure-control policy: how every count of people by an equality characteristic is shown.

One policy for the equality monitoring pages, the benefits report (HTML, PDF and workbook) and its
charts. Two settings make it: the threshold K (`EQUALITY_SUPPRESS_BELOW`) and the rounding base
(`EQUALITY_ROUND_TO`, 0 for none). Pure functions, no Django import; `recruitment.equality.policy()`
reads the settings.

- Primary suppression: a count from 0 to K-1 is hidden and shown as `<K`. Zero is hidden too, so
  an empty group looks like a small one (a reader cannot tell "nobody" from "one person").
- Complementary suppression: where published totals would let a reader work a hidden count out,
  further counts are hidden and shown as `[c]`. A `[c]` count is never small (it would be `<K`).
- Rounding: with a base R, every count that is shown is rounded to the nearest multiple of R
  (halves up); percentages are worked out from the rounded count. Hidden counts have no number
  and no percentage.
- Footnotes: every table with a hidden or rounded count carries `Policy.footnotes()`.

Which counts to hide. A reader knows the published totals, every count that is shown, that a `<K`
count lies between 0 and K-1 and that a `[c]` count is K or more (and, in a selection funnel, that
a group's count never grows from one stage to the next). A hidden count is safe when some other
table agreeing with all of that gives it a different value. "No line with exactly one hidden
count" is not enough in two dimensions: a hidden count can be pinned by adding and subtracting
several lines. So safety is checked as a whole:

- Tables whose rows and/or columns have totals (`_Lines`): each line with a published total is a
  node and each hidden count an edge between its row and its column (lines without a total share
  one free node). A hidden count can change, totals kept, exactly when it lies on a cycle of
  hidden counts each of which can move the way the cycle needs (up if below its upper bound, down
  if above its lower bound): along it the counts change by +1, -1, +1 ... This test is exact.
- Selection funnels (`_Funnel`): moves where one group gains a person over a run of stages and
  other groups lose one at each of those stages (see the class). Every move found is real, so a
  count found safe is safe; the tests check with an exact solver that nothing is given away.

Each unsafe hidden count gets the cheapest way of making it safe (fewest and smallest counts
added), and this repeats until every hidden count, complementary ones included, is safe. A count
that the totals give away whatever is hidden (nobody at all reached a stage) cannot be protected:
the check then falls back to the promise that it cannot be worked out from the totals and
non-negative counts, or leaves it when even that is impossible.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .figures import count_pct

COMPLEMENTARY_TEXT = "[c]"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"

Cell = tuple[int, int]
_INFINITY = float("inf")


@dataclass(frozen=True)
class Policy:
    """The threshold K below which a count is hidden (0 hides nothing), and the rounding base."""

    threshold: int
    round_to: int = 0

    def __post_init__(self) -> None:
        if self.threshold < 0:
            raise ValueError("The suppression threshold cannot be negative")
        if self.round_to < 0:
            raise ValueError("The rounding base cannot be negative")

    @property
    def primary_text(self) -> str:
        return f"<{self.threshold}"

    def rounded(self, count: int) -> int:
        """`count` to the nearest multiple of the rounding base, halves up (no base: as it is)."""
        if self.round_to <= 1:
            return count
        return (count + self.round_to // 2) // self.round_to * self.round_to

    def shown(self, count: int, *, of: int | None = None) -> Figure:
        """A count that is published: rounded, with its percentage of `of` when given."""
        value = self.rounded(count)
        return Figure(str(value) if of is None else count_pct(value, of), value, False)

    def hidden(self, kind: str) -> Figure:
        if kind == COMPLEMENTARY:
            return Figure(COMPLEMENTARY_TEXT, None, True, complementary=True)
        return Figure(self.primary_text, None, True)

    def footnotes(self, figures: Iterable[Figure] = ()) -> list[str]:
        """What the symbols of a table mean: one line per symbol it uses, and one for rounding.

        Given a table's figures, only the symbols it uses; an empty list when nothing needs saying.
        """
        figures = list(figures)
        notes = []
        if any(f.suppressed and not f.complementary for f in figures):
            notes.append(
                f"{self.primary_text} means fewer than {self.threshold} people, possibly none. "
                "Counts this small are hidden so that nobody can be recognised."
            )
        if any(f.complementary for f in figures):
            notes.append(
                f"{COMPLEMENTARY_TEXT} means a count hidden so that a count shown as {self.primary_text} "
                "cannot be worked out from the totals. It is not a small count."
            )
        if self.round_to > 1 and any(not f.suppressed for f in figures):
            notes.append(
                f"Counts are rounded to the nearest {self.round_to}, and percentages are worked out "
                "from the rounded counts, so they may not add up to the totals."
            )
        return notes


@dataclass(frozen=True)
class Figure:
    """One published count: its text (`162 (53%)`, `<5` or `[c]`) and its number if shown.

    `count` is the number as published (rounded when the policy rounds), None when hidden.
    """

    text: str
    count: int | None
    suppressed: bool
    complementary: bool = False


# Choosing the cells to hide -------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """A table being published, and what a reader knows about it besides the counts shown."""

    counts: Sequence[Sequence[int]]
    threshold: int
    rows_have_totals: bool
    columns_have_totals: bool
    monotone_rows: bool

    @property
    def height(self) -> int:
        return len(self.counts)

    @property
    def width(self) -> int:
        return len(self.counts[0]) if self.counts else 0

    def value(self, cell: Cell) -> int:
        return self.counts[cell[0]][cell[1]]

    def bounds(self, cell: Cell, *, labelled: bool) -> tuple[float, float]:
        """What a reader knows a hidden count lies between, from its symbol alone.

        `labelled`: reading `<K` as 0 to K-1 and `[c]` as K or more; else only that a count is not
        negative.
        """
        if labelled and self.threshold > 0:
            if self.value(cell) < self.threshold:
                return 0, self.threshold - 1
            return self.threshold, _INFINITY
        return 0, _INFINITY


class _Lines:
    """Tables whose rows, columns or both have totals: the exact cycle test of the module docstring."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        self.arcs: dict[bool, dict[object, list[tuple[object, Cell]]]] = {}

    def _ends(self, cell: Cell) -> tuple[object, object]:
        """The two lines a cell joins (None: the shared free node of lines without a total)."""
        r, c = cell
        t = self.table
        return (("row", r) if t.rows_have_totals else None), (
            ("column", c) if t.columns_have_totals else None
        )

    def _moves(self, cell: Cell, *, labelled: bool) -> list[tuple[object, object]]:
        """Up (row to column) if below its upper bound, down (column to row) if above its lower."""
        value = self.table.value(cell)
        low, high = self.table.bounds(cell, labelled=labelled)
        start, end = self._ends(cell)
        return ([(start, end)] if value < high else []) + ([(end, start)] if value > low else [])

    def _graph(self, labelled: bool) -> dict[object, list[tuple[object, Cell]]]:
        if labelled not in self.arcs:
            graph: dict[object, list[tuple[object, Cell]]] = {}
            t = self.table
            for cell in ((r, c) for r in range(t.height) for c in range(t.width)):
                for a, b in self._moves(cell, labelled=labelled):
                    graph.setdefault(a, []).append((b, cell))
            self.arcs[labelled] = graph
        return self.arcs[labelled]

    def cheapest(
        self, target: Cell, hidden: Collection[Cell], *, labelled: bool
    ) -> list[Cell] | None:
        """The shown cells to hide so that `target` lies on a cycle it can move along.

        A shortest path back round the cycle, where a hidden cell costs nothing and a shown one
        costs one plus its count (fewest and smallest counts first). [] when it can move already;
        None when it cannot even with every cell hidden.
        """
        graph = self._graph(labelled)
        best: tuple[float, list[Cell]] | None = None
        for a, b in self._moves(target, labelled=labelled):
            # The target moves a -> b; the cycle closes with a path b -> a through other cells.
            found = self._path(graph, b, a, target, hidden)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        return None if best is None else best[1]

    def _path(self, graph, source, goal, target: Cell, hidden: Collection[Cell]):
        if source == goal:
            return 0, []
        queue: list[tuple[float, int, object, tuple[Cell, ...]]] = [(0, 0, source, ())]
        settled: set[object] = set()
        tie = 0
        while queue:
            cost, _, node, path = heapq.heappop(queue)
            if node in settled:
                continue
            if node == goal:
                return cost, [cell for cell in path if cell not in hidden]
            settled.add(node)
            for nxt, cell in graph.get(node, ()):
                if nxt in settled or cell == target:
                    continue
                tie += 1
                step = 0 if cell in hidden else 1 + self.table.value(cell)
                heapq.heappush(queue, (cost + step, tie, nxt, (*path, cell)))
        return None


class _Funnel:
    """A selection funnel: stage totals published, and each group's count never grows along its row.

    A hidden count can change in a move where one group (the main run) gains a person at each of
    a run of stages a..b while other groups lose one, in runs that cover a..b between them, so
    every stage total stays; or the same with gain and loss the other way round. The count may be
    in the main run or in one of the others. A gaining run must stay at or below the group's count
    at the stage before it, a losing run at or above its count at the stage after it, and every
    count within its symbol's bounds. Counts next to a run are taken as they are, hidden or not, so
    every move found is one a reader cannot rule out (moves of this shape need not find every
    change a reader cannot rule out: the tests check with an exact solver that nothing hidden is
    given away).
    """

    def __init__(self, table: _Table) -> None:
        self.table = table
        # (labelled, step) -> row -> first stage -> the last stages of the runs that fit
        self.runs: dict[tuple[bool, int], list[list[list[int]]]] = {}

    def _fits(self, row: int, first: int, last: int, step: int, labelled: bool) -> bool:
        t = self.table
        counts = t.counts[row]
        if step > 0 and first > 0 and counts[first] + 1 > counts[first - 1]:
            return False
        if step < 0 and counts[last] - 1 < (counts[last + 1] if last + 1 < t.width else 0):
            return False
        for stage in range(first, last + 1):
            low, high = t.bounds((row, stage), labelled=labelled)
            if not low <= counts[stage] + step <= high:
                return False
        return True

    def _runs(self, labelled: bool, step: int) -> list[list[list[int]]]:
        key = (labelled, step)
        if key not in self.runs:
            t = self.table
            self.runs[key] = [
                [
                    [
                        last
                        for last in range(first, t.width)
                        if self._fits(row, first, last, step, labelled)
                    ]
                    for first in range(t.width)
                ]
                for row in range(t.height)
            ]
        return self.runs[key]

    def _cover(self, theirs, cost, main: int, first: int, last: int, target: Cell):
        """The cheapest runs of rows other than `main` covering first..last (one of them through
        `target` if it is not in the main row): (cost, runs) or None."""
        r, c = target
        cover: dict[int, tuple[int, tuple[tuple[int, int, int], ...]]] = {first: (0, ())}
        for j in range(first, last + 1):
            if j not in cover:
                continue
            spent, runs = cover[j]
            for row in range(self.table.height):
                if row == main:
                    continue
                for end in theirs[row][j]:
                    if end > last:
                        break
                    if r != main and j <= c <= end and row != r:
                        continue  # the run over the target's stage must be the target's row
                    total = spent + cost[row][end + 1] - cost[row][j]
                    if end + 1 not in cover or total < cover[end + 1][0]:
                        cover[end + 1] = (total, (*runs, (row, j, end)))
        return cover.get(last + 1)

    def cheapest(
        self, target: Cell, hidden: Collection[Cell], *, labelled: bool
    ) -> list[Cell] | None:
        """The shown cells to hide so that some move changes `target` ([] if one does already)."""
        t = self.table
        r, c = target
        # cost[row][j]: what hiding the row's stages before j costs (a hidden count costs nothing).
        cost = []
        for row in range(t.height):
            sums = [0]
            for stage in range(t.width):
                sums.append(sums[-1] + (0 if (row, stage) in hidden else 1 + t.counts[row][stage]))
            cost.append(sums)
        best: tuple[int, list[tuple[int, int, int]]] | None = None
        # The target's own row first (the main run through the target), then any other row.
        for main in (r, *(row for row in range(t.height) if row != r)):
            for step in (1, -1):
                mine, theirs = self._runs(labelled, step)[main], self._runs(labelled, -step)
                for first in range(c + 1):
                    for last in mine[first]:
                        if last < c:
                            continue
                        found = self._cover(theirs, cost, main, first, last, target)
                        if found is None:
                            continue
                        total = found[0] + cost[main][last + 1] - cost[main][first]
                        if best is None or total < best[0]:
                            best = (total, [(main, first, last), *found[1]])
                            if total == 0:
                                return []
        if best is None:
            return None
        return [
            (row, stage)
            for row, first, last in best[1]
            for stage in range(first, last + 1)
            if (row, stage) not in hidden
        ]


def hidden_cells(
    table: Sequence[Sequence[int]],
    threshold: int,
    *,
    rows_have_totals: bool = True,
    columns_have_totals: bool = True,
    monotone_rows: bool = False,
) -> dict[Cell, str]:
    """The cells to hide, each PRIMARY (shown `<K`) or COMPLEMENTARY (shown `[c]`).

    The totals the table publishes: each row's, each column's, or both (the grand total follows
    from either). `monotone_rows`: a selection funnel, whose rows never grow from left to right,
    as a reader knows, and whose column totals are published (rows then have no totals). A
    threshold of 0 hides nothing.
    """
    if table and any(len(row) != len(table[0]) for row in table):
        raise ValueError("Every row needs the same number of counts")
    if any(value < 0 for row in table for value in row):
        raise ValueError("Counts cannot be negative")
    if monotone_rows:
        if rows_have_totals or not columns_have_totals:
            raise ValueError("A funnel publishes its stage totals, not a total per group")
        if any(a < b for row in table for a, b in itertools.pairwise(row)):
            raise ValueError("A funnel's counts never grow from one stage to the next")
    hidden: dict[Cell, str] = {}
    if threshold <= 0 or not table or not table[0]:
        return hidden
    t = _Table(table, threshold, rows_have_totals, columns_have_totals, monotone_rows)
    checker = _Funnel(t) if monotone_rows else _Lines(t)
    cells = [(r, c) for r in range(t.height) for c in range(t.width)]
    hidden.update({cell: PRIMARY for cell in cells if t.value(cell) < threshold})
    everything = set(cells)
    # How strongly a cell can be protected at best, with every cell hidden: against a reader of
    # the symbols (True), else against a reader of the totals alone (False), else not at all (None).
    strength: dict[Cell, bool | None] = {}

    def strongest(cell: Cell) -> bool | None:
        if cell not in strength:
            strength[cell] = next(
                (
                    labelled
                    for labelled in (True, False)
                    if checker.cheapest(cell, everything, labelled=labelled) is not None
                ),
                None,
            )
        return strength[cell]

    safe: set[Cell] = set()
    while True:
        for cell in sorted(hidden):
            if cell in safe or (labelled := strongest(cell)) is None:
                continue
            more = checker.cheapest(cell, hidden, labelled=labelled)
            if more:
                hidden.update(dict.fromkeys(more, COMPLEMENTARY))
                break
            safe.add(cell)  # hiding more never takes a way of changing away
        else:
            return hidden


def suppression_mask(
    table: Sequence[Sequence[int]],
    threshold: int,
    *,
    rows_have_totals: bool = True,
    columns_have_totals: bool = True,
    monotone_rows: bool = False,
) -> list[list[bool]]:
    """True for each cell to hide (see `hidden_cells`)."""
    hidden = hidden_cells(
        table,
        threshold,
        rows_have_totals=rows_have_totals,
        columns_have_totals=columns_have_totals,
        monotone_rows=monotone_rows,
    )
    return [[(r, c) in hidden for c in range(len(row))] for r, row in enumerate(table)]


def publish_table(
    table: Sequence[Sequence[int]],
    policy: Policy,
    *,
    rows_have_totals: bool = True,
    columns_have_totals: bool = True,
    monotone_rows: bool = False,
) -> list[list[Figure]]:
    """Each count as published under the policy: rounded, `<K` or `[c]` (no percentages)."""
    hidden = hidden_cells(
        table,
        policy.threshold,
        rows_have_totals=rows_have_totals,
        columns_have_totals=columns_have_totals,
        monotone_rows=monotone_rows,
    )
    return [
        [
            policy.hidden(hidden[(r, c)]) if (r, c) in hidden else policy.shown(value)
            for c, value in enumerate(row)
        ]
        for r, row in enumerate(table)
    ]


def with_share(figure: Figure, of: int) -> Figure:
    """A published count with its percentage of `of` (the total it belongs to) added; hidden stays hidden."""
    if figure.suppressed or figure.count is None:
        return figure
    return Figure(count_pct(figure.count, of), figure.count, False)


def distribution(counts: Mapping[str, int], policy: Policy | int) -> dict[str, Figure]:
    """A one-way distribution with its total published, e.g. applicants by gender: `162 (53%)`."""
    if isinstance(policy, int):
        policy = Policy(policy)
    labels = list(counts)
    total = sum(counts.values())
    (row,) = publish_table([[counts[label] for label in labels]], policy, columns_have_totals=False)
    return {label: with_share(figure, total) for label, figure in zip(labels, row, strict=True)}
