"""Agreement between panellists against Shrout & Fleiss (1979) and the properties of each measure."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from recruitment.agreement import (
    icc_absolute,
    icc_consistency,
    mean_squares,
    panel_mean,
    panel_offset,
    panellist_spreads,
    spread,
)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_shrout_fleiss_mean_squares():
    # Their Table 3: BMS 11.24, JMS 32.49, EMS 1.02.
    ms = mean_squares(SHROUT_FLEISS)
    assert (ms.candidates, ms.panellists) == (6, 4)
    assert float(ms.rows) == pytest.approx(11.24, abs=0.005)
    assert float(ms.columns) == pytest.approx(32.49, abs=0.005)
    assert float(ms.error) == pytest.approx(1.02, abs=0.005)


def test_shrout_fleiss_intraclass_correlations():
    assert round(icc_absolute(SHROUT_FLEISS), 2) == 0.29
    assert round(icc_consistency(SHROUT_FLEISS), 2) == 0.71


def test_perfect_agreement_is_one():
    matrix = [[7, 7, 7], [3, 3, 3], [5, 5, 5]]
    assert icc_absolute(matrix) == 1.0
    assert icc_consistency(matrix) == 1.0


def test_a_harsh_panellist_costs_absolute_agreement_not_consistency():
    matrix = [[7, 7, 4], [3, 3, 0], [5, 5, 2]]
    assert icc_consistency(matrix) == 1.0
    assert icc_absolute(matrix) < 1.0


def test_undefined_cases_return_none():
    assert icc_absolute([]) is None
    assert icc_consistency([[5, 6, 7]]) is None  # one candidate
    assert icc_absolute([[5], [6], [7]]) is None  # one panellist
    assert mean_squares([[5], [6]]) is None
    flat = [[4, 4], [4, 4]]  # no variation at all
    assert icc_absolute(flat) is None
    assert icc_consistency(flat) is None
    # Variation only between panellists: consistency undefined, absolute agreement zero.
    assert icc_consistency([[4, 6], [4, 6]]) is None
    assert icc_absolute([[4, 6], [4, 6]]) == 0.0


def test_incomplete_matrix_is_refused():
    with pytest.raises(ValueError, match="complete"):
        icc_absolute([[1, 2, 3], [4, 5]])
    with pytest.raises(ValueError):
        icc_consistency([[1.0, math.nan], [2.0, 3.0]])


def test_decimal_and_float_scores():
    from decimal import Decimal

    as_decimals = [[Decimal(v) for v in row] for row in SHROUT_FLEISS]
    as_floats = [[float(v) for v in row] for row in SHROUT_FLEISS]
    assert icc_absolute(as_decimals) == icc_absolute(SHROUT_FLEISS) == icc_absolute(as_floats)


def test_two_panellists_can_fall_below_minus_one():
    # Documented limit of ICC(2,1) for small panels: strong disagreement and almost no variation
    # between candidates or panellists.
    assert icc_absolute([[1, 0], [0.1, 1.1]]) < -1


def test_panellist_spreads_and_panel_mean():
    spreads = panellist_spreads(SHROUT_FLEISS)
    assert [s.count for s in spreads] == [6, 6, 6, 6]
    assert [s.mean for s in spreads] == pytest.approx([46 / 6, 15 / 6, 26 / 6, 40 / 6])
    columns = list(zip(*SHROUT_FLEISS, strict=True))
    assert [s.sd for s in spreads] == pytest.approx([statistics.stdev(c) for c in columns])
    assert panel_mean(SHROUT_FLEISS) == pytest.approx(127 / 24)
    assert panel_mean([]) is None
    assert spread([]).mean is None
    assert spread([5]).mean == 5.0
    assert spread([5]).sd is None


def test_panel_offset_in_standard_errors():
    panel = [8, 9, 10, 9]
    others = [5, 6, 4, 5, 6, 5, 4, 6]
    everyone = panel + others
    expected = (statistics.mean(panel) - statistics.mean(everyone)) / (
        statistics.stdev(everyone) / math.sqrt(len(panel))
    )
    assert panel_offset(panel, everyone) == pytest.approx(expected)
    assert panel_offset(panel, everyone) > 2  # a panel that scores higher than the rest
    assert panel_offset(others, everyone) < 0
    assert panel_offset(everyone, everyone) == pytest.approx(0)


def test_panel_offset_undefined():
    assert panel_offset([], [1, 2, 3]) is None
    assert panel_offset([5, 5], [5, 5, 5]) is None  # no spread at all
    assert panel_offset([5], [5]) is None


scores = st.integers(0, 10)


@st.composite
def matrices(draw, min_candidates=2, min_panellists=2):
    n = draw(st.integers(min_candidates, 7))
    k = draw(st.integers(min_panellists, 5))
    return [draw(st.lists(scores, min_size=k, max_size=k)) for _ in range(n)]


def shifted(matrix, column, amount):
    return [[v + amount if j == column else v for j, v in enumerate(row)] for row in matrix]


@given(matrices(), st.data(), st.integers(-10, 10))
def test_consistency_ignores_a_constant_shift_of_one_panellist(matrix, data, amount):
    column = data.draw(st.integers(0, len(matrix[0]) - 1))
    assert icc_consistency(shifted(matrix, column, amount)) == icc_consistency(matrix)


@given(matrices(), st.data(), st.integers(1, 10))
def test_absolute_agreement_does_not_rise_when_a_panellist_drifts_away(matrix, data, size):
    # Shift one panellist's scores away from the others' mean: the difference between panellists
    # (MSC) grows, so ICC(2,1) moves towards zero — never up from a positive value.
    k = len(matrix[0])
    column = data.draw(st.integers(0, k - 1))
    means = [sum(row[j] for row in matrix) / len(matrix) for j in range(k)]
    others = (sum(means) - means[column]) / (k - 1)
    amount = size if means[column] >= others else -size
    before = icc_absolute(matrix)
    after = icc_absolute(shifted(matrix, column, amount))
    assume(before is not None and after is not None)
    assert abs(after) <= abs(before) + 1e-12
    if before >= 0:
        assert after <= before + 1e-12


def test_absolute_agreement_rises_when_a_harsh_panellist_comes_into_line():
    # The converse of the property above, so nobody reads it as "a shift never raises ICC(2,1)".
    matrix = [[7, 7, 4], [3, 3, 0], [5, 5, 2]]
    assert icc_absolute(shifted(matrix, 2, 3)) > icc_absolute(matrix)


@given(matrices())
def test_results_are_bounded_when_defined(matrix):
    k, n = len(matrix[0]), len(matrix)
    consistency = icc_consistency(matrix)
    if consistency is not None:
        assert -1 / (k - 1) - 1e-12 <= consistency <= 1 + 1e-12
    absolute = icc_absolute(matrix)
    if absolute is not None:
        assert absolute <= 1 + 1e-12
        if (k >= 3 and n >= 3) or k >= 4:
            assert absolute >= -1 - 1e-12


@given(matrices(min_candidates=3, min_panellists=3))
def test_within_minus_one_and_one_for_panels_of_three(matrix):
    for value in (icc_absolute(matrix), icc_consistency(matrix)):
        assert value is None or -1 - 1e-12 <= value <= 1 + 1e-12
