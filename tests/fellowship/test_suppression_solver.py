"""An exact linear-programming bound for a hidden count: the attacker's tool in the suppression tests.

Independent of fellowship.suppression (which reasons with cycles and trades): given what a table
publishes, the smallest and largest value each hidden count can take, by a two-phase simplex in
exact fractions with Bland's rule (so it cannot cycle). The transportation constraints of a table
with totals have integer vertices, so these bounds are also the integer ones there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction

import pytest

Cell = tuple[int, int]
INF = float("inf")


def _pivot(rows: list[list[Fraction]], row: int, column: int) -> None:
    pivot = rows[row][column]
    rows[row] = [value / pivot for value in rows[row]]
    for other, values in enumerate(rows):
        if other != row and values[column] != 0:
            factor = values[column]
            rows[other] = [a - factor * b for a, b in zip(values, rows[row], strict=True)]


def _minimise(rows, basis, cost) -> Fraction | None:
    """Minimise cost·z over the tableau (rows end with the right-hand side); None if unbounded."""
    width = len(rows[0]) - 1
    while True:
        reduced = [
            cost[j] - sum(cost[basis[i]] * rows[i][j] for i in range(len(rows)))
            for j in range(width)
        ]
        entering = next((j for j in range(width) if reduced[j] < 0), None)
        if entering is None:
            return sum((cost[basis[i]] * rows[i][-1] for i in range(len(rows))), Fraction(0))
        ratios = [
            (rows[i][-1] / rows[i][entering], basis[i], i)
            for i in range(len(rows))
            if rows[i][entering] > 0
        ]
        if not ratios:
            return None
        _, _, leaving = min(ratios)
        _pivot(rows, leaving, entering)
        basis[leaving] = entering


class Polytope:
    """{z : a·z = b, z >= 0}, made feasible once (phase one) and then minimised over at will."""

    def __init__(self, a: list[list[int]], b: list[int], size: int) -> None:
        self.size = n = size
        rows = []
        for coefficients, rhs in zip(a, b, strict=True):
            sign = -1 if rhs < 0 else 1
            rows.append([Fraction(sign * v) for v in coefficients] + [Fraction(sign * rhs)])
        m = len(rows)
        # Phase one: an artificial variable per row, driven to zero.
        tableau = [
            row[:-1] + [Fraction(int(i == k)) for k in range(m)] + [row[-1]]
            for i, row in enumerate(rows)
        ]
        basis = [n + i for i in range(m)]
        if m and _minimise(tableau, basis, [Fraction(0)] * n + [Fraction(1)] * m) != 0:
            raise ValueError("infeasible")
        for i, var in enumerate(basis):
            if var >= n:
                column = next((j for j in range(n) if tableau[i][j] != 0), None)
                if column is not None:
                    _pivot(tableau, i, column)
                    basis[i] = column
        keep = [i for i, var in enumerate(basis) if var < n]
        self.tableau = [[*tableau[i][:n], tableau[i][-1]] for i in keep]
        self.basis = [basis[i] for i in keep]

    def minimum(self, c: list[int]) -> Fraction | None:
        """min c·z (None if unbounded)."""
        if not self.tableau:
            return None if any(v < 0 for v in c) else Fraction(0)
        tableau = [list(row) for row in self.tableau]
        return _minimise(tableau, list(self.basis), [Fraction(v) for v in c])


def minimum(a: list[list[int]], b: list[int], c: list[int]) -> Fraction | None:
    """min c·z subject to a·z = b, z >= 0 (None if unbounded; raises if infeasible)."""
    return Polytope(a, b, len(c)).minimum(c)


def intervals(
    table: Sequence[Sequence[int]],
    hidden: dict[Cell, str] | set[Cell],
    *,
    threshold: int = 0,
    labelled: bool = False,
    rows_have_totals: bool = True,
    columns_have_totals: bool = True,
    monotone_rows: bool = False,
    only: Collection[Cell] | None = None,
) -> dict[Cell, tuple[float, float]]:
    """Each hidden cell's smallest and largest value consistent with what is published.

    Published: every cell not hidden, the chosen totals (the grand total follows from them), and,
    if `labelled`, that a hidden count below the threshold is 0..K-1 and any other hidden count is
    K or more; if `monotone_rows`, that each row never grows from left to right. `only`: work out
    these cells' bounds alone.
    """
    cells = sorted(hidden)
    index = {cell: i for i, cell in enumerate(cells)}
    height, width = len(table), len(table[0])
    low = {}
    high = {}
    for cell in cells:
        value = table[cell[0]][cell[1]]
        low[cell], high[cell] = 0, INF
        if labelled and threshold > 0:
            if value < threshold:
                high[cell] = threshold - 1
            else:
                low[cell] = threshold
    couplings: list[tuple[Cell, Cell]] = []  # (a, b): a >= b, both hidden
    if monotone_rows:
        for r in range(height):
            for c in range(width - 1):
                left, right = (r, c), (r, c + 1)
                if left in index and right in index:
                    couplings.append((left, right))
                elif left in index:
                    low[left] = max(low[left], table[r][c + 1])
                elif right in index:
                    high[right] = min(high[right], table[r][c])
    lines: list[list[Cell]] = []
    if rows_have_totals:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if columns_have_totals:
        lines += [[(r, c) for r in range(height)] for c in range(width)]
    # Variables: y = x - low for each hidden cell, then one slack per upper bound and coupling.
    n = len(cells)
    bounded = [cell for cell in cells if high[cell] != INF]
    size = n + len(bounded) + len(couplings)
    a: list[list[int]] = []
    b: list[int] = []
    for line in lines:
        members = [cell for cell in line if cell in index]
        if not members:
            continue
        row = [0] * size
        for cell in members:
            row[index[cell]] = 1
        a.append(row)
        b.append(
            sum(table[r][c] for r, c in line)
            - sum(table[r][c] for r, c in line if (r, c) not in index)
            - sum(low[cell] for cell in members)
        )
    for k, cell in enumerate(bounded):
        row = [0] * size
        row[index[cell]] = 1
        row[n + k] = 1
        a.append(row)
        b.append(int(high[cell] - low[cell]))
    for k, (left, right) in enumerate(couplings):
        # x_left - x_right - s = 0  ->  y_left - y_right - s = low_right - low_left
        row = [0] * size
        row[index[left]] = 1
        row[index[right]] = -1
        row[n + len(bounded) + k] = -1
        a.append(row)
        b.append(low[right] - low[left])
    polytope = Polytope(a, b, size)
    out = {}
    for cell in cells if only is None else sorted(only):
        objective = [0] * size
        objective[index[cell]] = 1
        smallest = polytope.minimum(objective)
        objective[index[cell]] = -1
        largest = polytope.minimum(objective)
        out[cell] = (
            float(low[cell] + smallest),
            INF if largest is None else float(low[cell] - largest),
        )
    return out


# The oracle itself, on tables worked by hand ------------------------------------------------


def test_a_line_with_one_hidden_cell_gives_it_away():
    table = [[19, 11, 4]]
    assert intervals(table, {(0, 2)}, columns_have_totals=False) == {(0, 2): (4, 4)}


def test_two_hidden_cells_in_a_line_share_its_remainder():
    table = [[19, 11, 4]]
    found = intervals(table, {(0, 1), (0, 2)}, columns_have_totals=False)
    assert found == {(0, 1): (0, 15), (0, 2): (0, 15)}
    # Reading the symbols: 4 is <5 (0..4), 11 is [c] (5 or more), and they add up to 15.
    found = intervals(
        table, {(0, 1), (0, 2)}, threshold=5, labelled=True, columns_have_totals=False
    )
    assert found == {(0, 1): (11, 15), (0, 2): (0, 4)}


def test_a_hidden_rectangle_moves_but_a_pinned_corner_does_not():
    table = [[3, 10, 7], [12, 6, 9], [8, 8, 2]]
    rectangle = {(0, 0), (0, 1), (1, 0), (1, 1)}
    found = intervals(table, rectangle)
    # x00 = a, x01 = 13 - a, x10 = 15 - a, x11 = 3 + a, for a from 0 to 13.
    assert found[(0, 0)] == (0, 13) and found[(1, 1)] == (3, 16)
    # Three corners of a rectangle: each row or column pins one, and then the others.
    assert all(lo == hi for lo, hi in intervals(table, rectangle - {(1, 1)}).values())


def test_a_funnel_row_bounds_its_hidden_counts():
    hidden = {(0, 1), (1, 1)}
    options = {"rows_have_totals": False, "monotone_rows": True, "threshold": 5, "labelled": True}
    # The hidden 15 lies between its neighbours 20 and 15, the hidden 3 between 12 and 1 (and
    # below 5); together they make the column total of 18.
    found = intervals([[20, 15, 15], [12, 3, 1]], hidden, **options)
    assert found == {(0, 1): (15, 17), (1, 1): (1, 3)}
    # With the 3 followed by another 3, neither can go down, so the total pins both.
    found = intervals([[20, 15, 15], [12, 3, 3]], hidden, **options)
    assert found == {(0, 1): (15, 15), (1, 1): (3, 3)}


def test_unbounded_when_no_total_holds_a_cell():
    found = intervals([[1, 2]], {(0, 0)}, rows_have_totals=False, columns_have_totals=False)
    assert found == {(0, 0): (0, INF)}


def test_infeasible_is_an_error():
    with pytest.raises(ValueError):
        minimum([[1, 1]], [-1], [1, 0])
