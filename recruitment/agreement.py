"""Agreement between the members of an interview panel. Pure Python, no Django import.

A panel's scores form a complete matrix: one row per candidate, one column per panellist, every
panellist scoring every candidate. From it:

- intraclass correlation (Shrout & Fleiss, 1979), from the two-way analysis of variance of the
  matrix: MSR, the mean square between candidates (rows); MSC, between panellists (columns); and
  MSE, the residual.

  * ICC(2,1), "absolute agreement": how far one panellist's score can stand for another's, counting
    a panellist who is systematically harsher or more lenient as disagreement.
  * ICC(3,1), "consistency": whether the panellists put the candidates in the same order and
    spacing, ignoring a constant harshness or leniency of any one panellist.

  Both are 1 when every panellist gives every candidate the same score, near 0 when the scores say
  nothing about the candidate, and may be negative when panellists disagree more than chance.
- each panellist's mean and spread, and the panel's overall mean;
- how far a panel's mean sits from the mean of all panels, in standard errors, to spot a panel
  that scores differently from the rest.

Every function returns None, never raises, when the figure is undefined (too few candidates or
panellists, or no variation to measure). Sums of squares are computed exactly with fractions, so
"no variation" is detected exactly and shifting a panellist's scores cannot introduce rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Score = int | float | Decimal | Fraction
Matrix = Sequence[Sequence[Score]]


@dataclass(frozen=True)
class MeanSquares:
    """The two-way ANOVA of an n candidates × k panellists matrix (one score per cell)."""

    candidates: int  # n, rows
    panellists: int  # k, columns
    rows: Fraction  # MSR (Shrout & Fleiss's BMS): between candidates, n − 1 degrees of freedom
    columns: Fraction  # MSC (JMS): between panellists, k − 1 degrees of freedom
    error: Fraction  # MSE (EMS): residual, (n − 1)(k − 1) degrees of freedom


@dataclass(frozen=True)
class Spread:
    """One panellist's scores: how many, their mean and (sample) standard deviation."""

    count: int
    mean: float | None
    sd: float | None


def _exact(value: Score) -> Fraction:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"score is not a finite number: {value!r}")
    return Fraction(value)


def _rows(matrix: Matrix) -> list[list[Fraction]]:
    rows = [[_exact(v) for v in row] for row in matrix]
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every panellist must score every candidate (a complete matrix)")
    return rows


def mean_squares(matrix: Matrix) -> MeanSquares | None:
    """The mean squares of the two-way ANOVA; None with fewer than 2 candidates or 2 panellists.

    Raises ValueError when the rows differ in length: intraclass correlation needs every
    panellist to have scored every candidate.
    """
    rows = _rows(matrix)
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if n < 2 or k < 2:
        return None
    grand = sum((sum(row) for row in rows), Fraction(0)) / (n * k)
    row_means = [sum(row, Fraction(0)) / k for row in rows]
    col_means = [sum((row[j] for row in rows), Fraction(0)) / n for j in range(k)]
    ss_total = sum(((v - grand) ** 2 for row in rows for v in row), Fraction(0))
    ss_rows = k * sum(((m - grand) ** 2 for m in row_means), Fraction(0))
    ss_cols = n * sum(((m - grand) ** 2 for m in col_means), Fraction(0))
    ss_error = ss_total - ss_rows - ss_cols
    return MeanSquares(
        candidates=n,
        panellists=k,
        rows=Fraction(ss_rows) / (n - 1),
        columns=Fraction(ss_cols) / (k - 1),
        error=Fraction(ss_error) / ((n - 1) * (k - 1)),
    )


def icc_absolute(matrix: Matrix) -> float | None:
    """ICC(2,1): two-way random effects, absolute agreement, a single panellist.

    (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n). A panellist who adds the same amount to
    every score lowers it. None when undefined (fewer than 2 candidates or panellists, or no
    variation at all).

    The value is at most 1. It is at least −1 for panels of 3 or more scoring 3 or more
    candidates (or 4 or more panellists); with 2 panellists, or 2 candidates and 3 panellists,
    strong disagreement can push it below −1 — read any negative value as "no agreement".
    """
    ms = mean_squares(matrix)
    if ms is None:
        return None
    n, k = ms.candidates, ms.panellists
    denominator = ms.rows + (k - 1) * ms.error + k * (ms.columns - ms.error) / n
    if denominator == 0:
        return None
    return float((ms.rows - ms.error) / denominator)


def icc_consistency(matrix: Matrix) -> float | None:
    """ICC(3,1): two-way mixed effects, consistency, a single panellist.

    (MSR − MSE) / (MSR + (k − 1)·MSE). Unchanged when a panellist adds the same amount to every
    score. Lies between −1/(k − 1) and 1. None when undefined (fewer than 2 candidates or
    panellists, or no variation except between panellists).
    """
    ms = mean_squares(matrix)
    if ms is None:
        return None
    denominator = ms.rows + (ms.panellists - 1) * ms.error
    if denominator == 0:
        return None
    return float((ms.rows - ms.error) / denominator)


def spread(scores: Iterable[Score]) -> Spread:
    """Count, mean and sample standard deviation (n − 1); the mean needs 1 score, the sd 2."""
    values = [_exact(v) for v in scores]
    count = len(values)
    if not count:
        return Spread(0, None, None)
    mean = sum(values, Fraction(0)) / count
    if count < 2:
        return Spread(count, float(mean), None)
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / (count - 1)
    return Spread(count, float(mean), math.sqrt(variance))


def panellist_spreads(matrix: Matrix) -> list[Spread]:
    """Each panellist's (column's) count, mean and standard deviation, in column order."""
    rows = _rows(matrix)
    k = len(rows[0]) if rows else 0
    return [spread(row[j] for row in rows) for j in range(k)]


def panel_mean(matrix: Matrix) -> float | None:
    """The mean of every score the panel gave; None for an empty matrix."""
    return spread(v for row in _rows(matrix) for v in row).mean


def panel_offset(panel_scores: Iterable[Score], all_scores: Iterable[Score]) -> float | None:
    """How many standard errors a panel's mean sits above (+) or below (−) the mean of all panels.

    ``panel_scores`` are every score this panel gave; ``all_scores`` every score all panels gave
    (this one included). The standard error is the spread of all scores over √(number of this
    panel's scores): the spread a panel's mean would have if its scores were drawn at random from
    all. Beyond about ±2 the panel scores noticeably differently from the rest. None when the
    panel gave no scores or all scores are the same (or fewer than 2).
    """
    panel = spread(panel_scores)
    everyone = spread(all_scores)
    if panel.mean is None or everyone.mean is None or not everyone.sd:
        return None
    return (panel.mean - everyone.mean) / (everyone.sd / math.sqrt(panel.count))
