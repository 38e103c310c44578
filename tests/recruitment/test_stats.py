"""Selection statistics against textbook examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitment.stats import adverse_impact_ratios, fisher_exact, relative_likelihood


def test_fisher_lady_tasting_tea():
    # Fisher (1935): 3 of 4 cups right each way; two-sided p = 34/70.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)


def test_fisher_textbook_values():
    # Agresti, Categorical Data Analysis: [[1, 9], [11, 3]] two-sided p = 0.002759.
    assert fisher_exact(1, 9, 11, 3) == pytest.approx(0.0027594, rel=1e-4)
    # SciPy's documentation example: [[6, 2], [1, 4]] two-sided p = 0.10256.
    assert fisher_exact(6, 2, 1, 4) == pytest.approx(0.1025641, rel=1e-5)
    assert fisher_exact(0, 0, 0, 0) == 1.0


@given(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(0, 15))
def test_fisher_is_a_probability_and_symmetric(a, b, c, d):
    p = fisher_exact(a, b, c, d)
    assert 0 < p <= 1
    assert p == pytest.approx(fisher_exact(c, d, a, b))
    assert p == pytest.approx(fisher_exact(b, a, d, c))


def test_relative_likelihood_with_confidence_interval():
    # Reference 60 of 200 shortlisted appointed (30%), others 20 of 100 (20%): 1.5 times as likely.
    result = relative_likelihood(60, 200, 20, 100)
    assert result.ratio == pytest.approx(1.5)
    se = math.sqrt(1 / 60 - 1 / 200 + 1 / 20 - 1 / 100)
    assert result.low == pytest.approx(1.5 * math.exp(-1.959964 * se))
    assert result.high == pytest.approx(1.5 * math.exp(1.959964 * se))
    assert result.low < 1 < result.high  # not significant at these numbers
    assert not result.too_small


def test_relative_likelihood_flags_small_numbers():
    result = relative_likelihood(3, 5, 1, 4)
    assert result.too_small
    assert relative_likelihood(2, 5, 0, 4).ratio is None


def test_relative_likelihood_refuses_impossible_counts():
    with pytest.raises(ValueError):
        relative_likelihood(6, 5, 1, 4)


def test_four_fifths_rule():
    ratios = adverse_impact_ratios({"Men": 0.5, "Women": 0.35, "Not stated": None})
    assert ratios == {"Men": 1.0, "Women": pytest.approx(0.7), "Not stated": None}
