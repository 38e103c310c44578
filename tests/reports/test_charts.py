"""The report's charts: valid SVG with a title and description, bars in proportion, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from reports import charts
from reports.charts import Bar, Series, bar_chart, grouped_bar_chart
from reports.evidence import compute_evidence
from reports.render import report_charts

from .history import load_small_history

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output, not untrusted XML)


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def texts_of(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_a_bar_chart_is_an_accessible_svg_image():
    svg = bar_chart(
        chart_id="domains",
        title="Top domains",
        desc="Radiology 12; Cardiology 6.",
        bars=[("Radiology", Bar(12, "12")), ("Cardiology", Bar(6, "6"))],
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "domains-title domains-desc"
    assert root.find(f"{SVG}title").text == "Top domains"
    assert root.find(f"{SVG}title").get("id") == "domains-title"
    assert root.find(f"{SVG}desc").text == "Radiology 12; Cardiology 6."
    assert root.get("viewBox").startswith("0 0 ")
    assert {"Radiology", "Cardiology", "12", "6"} <= set(texts_of(root))
    assert charts.NHS_BLUE in svg


def test_bars_are_in_proportion_to_their_values():
    root = parse(
        bar_chart(
            title="t",
            desc="d",
            bars=[("a", Bar(40, "40")), ("b", Bar(10, "10")), ("c", Bar(0, "0"))],
        )
    )
    widths = [float(r.get("width")) for r in bars_of(root)]
    assert len(widths) == 2  # a zero draws no bar, only its text
    assert widths[0] == pytest.approx(4 * widths[1])
    assert (
        widths[0] == charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    )  # the longest fills the track
    assert "0" in texts_of(root)


def test_a_grouped_chart_draws_a_bar_per_series_against_a_fixed_scale_with_a_legend():
    root = parse(
        grouped_bar_chart(
            title="Gender",
            desc="d",
            categories=["Male", "Female"],
            series=[
                Series("Applicants", charts.NHS_BLUE),
                Series("Fellows", charts.NHS_AQUA_GREEN),
            ],
            bars=[
                [Bar(50, "50 (50%)"), Bar(25, "1 (25%)")],
                [Bar(50, "50 (50%)"), Bar(None, "<5")],
            ],
            scale_max=100,
        )
    )
    bars = bars_of(root)
    assert [b.get("fill") for b in bars] == [
        charts.NHS_BLUE,
        charts.NHS_AQUA_GREEN,
        charts.NHS_BLUE,
    ]
    track = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert float(bars[0].get("width")) == pytest.approx(track / 2)
    assert float(bars[1].get("width")) == pytest.approx(track / 4)
    # A suppressed count: no bar, just its "<5".
    assert "<5" in texts_of(root) and len(bars) == 3
    assert {"Applicants", "Fellows"} <= set(texts_of(root))  # the legend


def test_every_label_is_escaped():
    hostile = '<script>alert("x")</script> & "Q"'
    svg = bar_chart(title=hostile, desc=hostile, bars=[(hostile, Bar(3, hostile))])
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == hostile
    assert root.find(f"{SVG}desc").text == hostile
    assert hostile in texts_of(root)


def test_shapes_that_do_not_fit_are_refused():
    with pytest.raises(ValueError):
        grouped_bar_chart(title="t", desc="d", categories=["a"], series=[Series("s")], bars=[])
    with pytest.raises(ValueError):
        bar_chart(title="t", desc="d", bars=[("a", Bar(-1, "-1"))])


def test_an_empty_chart_is_still_valid():
    root = parse(bar_chart(title="t", desc="d", bars=[]))
    assert bars_of(root) == []


@pytest.mark.django_db
def test_the_report_charts_respect_suppression():
    load_small_history()
    drawn = report_charts(compute_evidence(2))
    assert {"domains", "gender", "growth"} <= set(drawn)
    gender = parse(drawn["gender"])
    # Cohort 2 with K=5: applicants "not stated" (3) and one complementary count ([c]) are
    # hidden, and every fellow count (3 and 3) is below 5: only 3 applicant bars are drawn.
    assert len(bars_of(gender)) == 3
    assert texts_of(gender).count("<5") == 6 and texts_of(gender).count("[c]") == 1
    assert "3 (9%)" not in drawn["gender"]
    growth = parse(drawn["growth"])
    assert {"Cohort 1", "Cohort 2"} <= set(texts_of(growth))
    assert "Radiology" in texts_of(parse(drawn["domains"]))

    unsuppressed = parse(report_charts(compute_evidence(2, suppress_below=0))["gender"])
    # Every applicant group, and the two with fellows (the others have 0: no bar, "0 (0%)").
    assert len(bars_of(unsuppressed)) == 7 and "<5" not in texts_of(unsuppressed)
    assert "3 (9%)" in texts_of(unsuppressed) and "0 (0%)" in texts_of(unsuppressed)
