"""Small-number suppression for equality counts, with complementary suppression.

Counts below the threshold K are shown as `<K` with no percentage. Where a table publishes its
totals, a line (row or column) with exactly one hidden cell would give that cell away by
subtraction, so the smallest other cell in the line is hidden too, repeating until no line has
exactly one hidden cell. Pure functions, no Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .figures import count_pct


def suppression_mask(
    table: Sequence[Sequence[int]], threshold: int, *, rows_have_totals: bool = True, columns_have_totals: bool = True
) -> list[list[bool]]:
    """True for each cell to hide. A threshold of 0 hides nothing."""
    mask = [[threshold > 0 and value < threshold for value in row] for row in table]
    if threshold <= 0 or not table:
        return mask
    height, width = len(table), len(table[0])
    lines: list[list[tuple[int, int]]] = []
    if rows_have_totals and width > 1:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if columns_have_totals and height > 1:
        lines += [[(r, c) for r in range(height)] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if mask[cell[0]][cell[1]]]
            shown = [cell for cell in line if not mask[cell[0]][cell[1]]]
            if len(hidden) == 1 and shown:
                r, c = min(shown, key=lambda cell: (table[cell[0]][cell[1]], cell))
                mask[r][c] = True
                changed = True
    return mask


@dataclass(frozen=True)
class Figure:
    """One published count: its text (`162 (53%)` or `<5`) and whether it was hidden."""

    text: str
    count: int | None
    suppressed: bool


def distribution(counts: dict[str, int], threshold: int) -> dict[str, Figure]:
    """A one-way distribution with its total known, e.g. applicants by gender."""
    labels = list(counts)
    total = sum(counts.values())
    mask = suppression_mask([[counts[label] for label in labels]], threshold, columns_have_totals=False)[0]
    return {
        label: Figure(f"<{threshold}", None, True) if hidden else Figure(count_pct(counts[label], total), counts[label], False)
        for label, hidden in zip(labels, mask, strict=True)
    }
