"""Selection statistics for equality monitoring. Pure Python, no Django import.

- success rate: those who reached the next stage over those at this stage;
- adverse-impact ratio: a group's success rate over the most successful group's; below 0.8
  (the "four-fifths rule") suggests adverse impact;
- relative likelihood of appointment from shortlisting (as in the NHS Workforce Race Equality
  Standard): the reference group's rate over the comparison group's, with a 95% confidence
  interval on the log scale (Katz);
- Fisher's exact test on the 2×2 table, two-sided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FOUR_FIFTHS = 0.8
# Below this many people in any cell of the 2×2 table, the figures are too small to conclude from.
SMALL_CELL = 5


def rate(successes: int, total: int) -> float | None:
    return successes / total if total else None


def adverse_impact_ratios(rates: dict[str, float | None]) -> dict[str, float | None]:
    """Each group's rate over the highest rate (1.0 for the most successful group)."""
    known = [r for r in rates.values() if r is not None]
    best = max(known, default=0)
    return {g: (r / best if r is not None and best > 0 else None) for g, r in rates.items()}


@dataclass(frozen=True)
class RelativeLikelihood:
    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    too_small: bool

    @property
    def interval_excludes_one(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 1 or self.high < 1)


def relative_likelihood(
    reference_appointed: int,
    reference_shortlisted: int,
    other_appointed: int,
    other_shortlisted: int,
    *,
    z: float = 1.959964,
) -> RelativeLikelihood:
    """How many times more likely the reference group is to be appointed from shortlisting.

    WRES indicator 2 divides the likelihood for white applicants by that for BME applicants; here the
    reference group is whichever the caller names. The interval uses the standard error of the log
    risk ratio; it is undefined when a group has no appointments.
    """
    a, n1 = reference_appointed, reference_shortlisted
    c, n2 = other_appointed, other_shortlisted
    b, d = n1 - a, n2 - c
    if min(a, b, c, d) < 0:
        raise ValueError("appointed cannot exceed shortlisted")
    p_value = fisher_exact(a, b, c, d) if n1 and n2 else None
    too_small = min(a, b, c, d) < SMALL_CELL
    if not n1 or not n2 or c == 0:
        return RelativeLikelihood(None, None, None, p_value, True)
    ratio = (a / n1) / (c / n2)
    if a == 0:
        return RelativeLikelihood(ratio, None, None, p_value, True)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    low, high = (math.exp(math.log(ratio) + sign * z * se) for sign in (-1, 1))
    return RelativeLikelihood(ratio, low, high, p_value, too_small)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for [[a, b], [c, d]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    likely than the observed one (the usual two-sided definition, as in R and SciPy).
    """
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    low, high = max(0, col1 - (n - row1)), min(row1, col1)

    def log_p(x: int) -> float:
        return _log_comb(col1, x) + _log_comb(n - col1, row1 - x) - _log_comb(n, row1)

    observed = log_p(a)
    # A relative tolerance, as SciPy uses, so tables equally likely up to rounding count as equal.
    total = sum(math.exp(lp) for x in range(low, high + 1) if (lp := log_p(x)) <= observed + 1e-7)
    return min(1.0, total)
