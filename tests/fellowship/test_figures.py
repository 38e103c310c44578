"""Number formatting and small-number suppression."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fellowship.figures import count_pct, percent, share
from fellowship.suppression import Policy, distribution, suppression_mask


def test_the_papers_figures():
    assert count_pct(162, 308) == "162 (53%)"
    assert count_pct(114, 308) == "114 (37%)"
    assert count_pct(32, 308) == "32 (10%)"
    assert count_pct(19, 34) == "19 (56%)"
    assert count_pct(4, 34) == "4 (12%)"
    assert share(9, 63) == "14% (9/63)"


def test_percentages_round_half_up_not_to_even():
    assert percent(1, 8) == 13  # 12.5 -> 13 (banker's rounding would give 12)
    assert percent(5, 200) == 3  # 2.5 -> 3
    assert percent(1, 40) == 3  # 2.5 -> 3
    assert percent(0, 5) == 0 and percent(5, 5) == 100
    assert percent(3, 0) is None


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_is_within_half_a_point(part, whole):
    value = percent(part, whole)
    assert abs(value - part * 100 / whole) <= 0.5


def test_small_counts_are_hidden_with_a_complementary_cell():
    figures = distribution({"Male": 19, "Female": 11, "Not stated": 4}, Policy(5))
    assert figures["Not stated"].text == "<5"
    # 4 could be derived as 34 - 19 - 11, so the next smallest cell is hidden too: as [c], since
    # it is not small (tests/fellowship/test_suppression.py attacks this with a solver).
    assert figures["Female"].text == "[c]" and figures["Female"].suppressed
    assert figures["Male"].text == "19 (56%)"


def test_threshold_zero_shows_everything_as_the_paper_does():
    figures = distribution({"Male": 19, "Female": 11, "Not stated": 4}, Policy(0))
    assert [f.text for f in figures.values()] == ["19 (56%)", "11 (32%)", "4 (12%)"]


def test_nothing_hidden_when_all_counts_are_large():
    assert not any(any(row) for row in suppression_mask([[10, 20], [30, 40]], 5))


# Which counts are hidden, and that none of them can be worked out from the totals, is attacked
# with an exact solver in tests/fellowship/test_suppression.py.
