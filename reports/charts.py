"""Bar charts as inline SVG for the benefits report: vectors in the PDF, crisp in the browser.

Pure functions, no Django and no third-party import: numbers in, an `<svg>` string out. Every chart
carries a `<title>` and `<desc>` (named by `aria-labelledby`, so a screen reader reads them), and
writes its values as text beside the bars, so no reader has to judge a bar's length. A value of
None is drawn as no bar with its text (e.g. `<5` for a suppressed count). Every label is escaped.

`trend_charts` draws the report's cross-cohort trends from the evidence's `Trends` (read by
attribute, so this module imports nothing of the report's); a suppressed value is drawn as its
symbol with no bar, and its `<desc>` says it is suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

# NHS identity colours: blue, dark blue, aqua green, warm yellow; dark grey text, mid grey lines.
NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_AQUA_GREEN = "#00a499"
NHS_WARM_YELLOW = "#ffb81c"
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
GRID = "#d8dde0"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7c2855"
SERIES_COLOURS = (
    NHS_BLUE,
    NHS_AQUA_GREEN,
    NHS_DARK_BLUE,
    NHS_WARM_YELLOW,
    NHS_PURPLE,
    NHS_DARK_PINK,
)

FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
FONT_SIZE = 11
# Widths in SVG user units (1 unit = 1px = 0.75pt when WeasyPrint lays it out at its size).
# The report prints a chart about 64mm wide (its evidence column), about 0.9 units to the pixel:
# 260 units across with 11-unit text prints it at about 7.5pt, as legible as the table notes.
WIDTH = 260
LABEL_WIDTH = 95
VALUE_WIDTH = 60
BAR_HEIGHT = 14
BAR_GAP = 2
GROUP_GAP = 8
LEGEND_HEIGHT = 20


@dataclass(frozen=True)
class Bar:
    """One bar: its value (None draws no bar) and the text written beside it."""

    value: float | None
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str = NHS_BLUE


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", colour: str = TEXT, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" fill="{colour}"{weight}>'
        f"{escape(text)}</text>"
    )


def _truncate(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# About how many characters of 11-unit text fit left of the bars (about 6 units each).
LABEL_CHARS = 14


def _label_lines(label: str, room: float) -> list[str]:
    """A category's label in as many lines as its group has room for (at most two)."""
    if len(label) <= LABEL_CHARS or room < 2 * (FONT_SIZE + 2):
        return [_truncate(label, LABEL_CHARS)]
    words, first = label.split(), ""
    while words and len(f"{first} {words[0]}".strip()) <= LABEL_CHARS:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one long word
        return [_truncate(label, LABEL_CHARS)]
    return [first, _truncate(" ".join(words), LABEL_CHARS)] if words else [first]


def _legend(series: Sequence[Series]) -> tuple[list[str], float]:
    """The legend's marks and names, wrapping onto more lines when they would overflow."""
    out, x, y = [], float(LABEL_WIDTH), 3.0
    for s in series:
        width = 24 + 6 * len(s.name)
        if x > LABEL_WIDTH and x + width - 10 > WIDTH:
            x, y = float(LABEL_WIDTH), y + 16
        out.append(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="10" height="10" fill="{s.colour}"/>'
        )
        out.append(_text(x + 14, y + 10, s.name))
        x += width
    return out, y + 17


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'id={quoteattr(chart_id)} aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'width="{WIDTH}" height="{_number(height)}" viewBox="0 0 {WIDTH} {_number(height)}" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def grouped_bar_chart(
    *,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    bars: Sequence[Sequence[Bar]],
    chart_id: str | None = None,
    scale_max: float | None = None,
) -> str:
    """Horizontal bars, one group per category and one bar per series in each group.

    `bars[i][j]` is category i's bar for series j. Bar lengths are proportional to the values,
    against `scale_max` (default: the largest value). A legend is drawn when there is more than
    one series.
    """
    if len(bars) != len(categories) or any(len(group) != len(series) for group in bars):
        raise ValueError("One bar per series in every category")
    chart_id = chart_id or _slug(title)
    values = [bar.value for group in bars for bar in group if bar.value is not None]
    if any(v < 0 for v in values):
        raise ValueError("Bar values cannot be negative")
    top = scale_max if scale_max is not None else max(values, default=0)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    marks, legend = _legend(series) if len(series) > 1 else ([], 0)
    legend = max(legend, LEGEND_HEIGHT) if legend else 0
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    height = legend + len(categories) * (group_height + GROUP_GAP) + GROUP_GAP

    out = _open(chart_id, title, desc, height)
    out.extend(marks)
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend}" x2="{LABEL_WIDTH}" y2="{_number(height)}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    y = legend + GROUP_GAP
    for category, group in zip(categories, bars, strict=True):
        lines = _label_lines(category, group_height)
        top_line = y + group_height / 2 + 3 - (len(lines) - 1) * (FONT_SIZE + 1) / 2
        for i, line in enumerate(lines):
            out.append(_text(LABEL_WIDTH - 6, top_line + i * (FONT_SIZE + 1), line, anchor="end"))
        for s, bar in zip(series, group, strict=True):
            length = track * bar.value / top if (bar.value and top) else 0
            if length:
                out.append(
                    f'<rect class="bar" x="{LABEL_WIDTH}" y="{_number(y)}" width="{_number(length)}" '
                    f'height="{BAR_HEIGHT}" fill="{s.colour}"><title>{escape(f"{category}, {s.name}: {bar.text}")}'
                    "</title></rect>"
                )
            colour = TEXT if bar.value is not None else SECONDARY_TEXT
            out.append(
                _text(LABEL_WIDTH + length + 4, y + BAR_HEIGHT - 3.5, bar.text, colour=colour)
            )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    *,
    title: str,
    desc: str,
    bars: Sequence[tuple[str, Bar]],
    chart_id: str | None = None,
    colour: str = NHS_BLUE,
) -> str:
    """Horizontal bars, one per (label, Bar), longest value the full width."""
    return grouped_bar_chart(
        title=title,
        desc=desc,
        categories=[label for label, _ in bars],
        series=[Series(title, colour)],
        bars=[[bar] for _, bar in bars],
        chart_id=chart_id,
    )


class _Share(Protocol):
    count: int
    answered: int


class _CohortValue(Protocol):
    """What a trend's CohortShare offers the charts (this module imports nothing of the report's)."""

    @property
    def share(self) -> _Share | None: ...

    @property
    def hidden(self) -> bool: ...


class _Count(Protocol):
    """What a disclosure-controlled count (fellowship.suppression.Figure) offers the charts."""

    @property
    def suppressed(self) -> bool: ...

    @property
    def count(self) -> int | None: ...

    @property
    def text(self) -> str: ...


def _whole(count: int, of: int) -> str:
    """A whole percentage rounded half up, as the report prints it (`53%`)."""
    return f"{(200 * count + of) // (2 * of)}%"


def _cohort_value(value: _CohortValue) -> tuple[Bar, str]:
    """A trend's CohortShare as a bar and as words for the description."""
    share = value.share
    if value.hidden:
        return Bar(None, "hidden"), "hidden: too few answers to publish"
    if share is None or not share.answered:
        return Bar(None, "no survey"), "no survey answered"
    text = _whole(share.count, share.answered)
    return Bar(
        100 * share.count / share.answered, text
    ), f"{text} ({share.count} of {share.answered})"


def _gender_bar(figure: _Count | None, total: int, recruiting: bool) -> tuple[Bar, str]:
    """A published count as a share of its total; a hidden count is its symbol, never a bar."""
    if recruiting:
        return Bar(None, "recruiting"), "not yet published (recruitment open)"
    if figure is None or not total:
        return Bar(None, "no records"), "no records"
    if figure.suppressed or figure.count is None:
        return Bar(None, figure.text), f"{figure.text} (suppressed)"
    text = _whole(figure.count, total)
    return Bar(100 * figure.count / total, text), f"{text} ({figure.count} of {total})"


# The gender trend charts women's share: the paper's concern (under-representation in AI).
TREND_GENDER_LABEL = "Female"


def trend_charts(trends: Any) -> dict[str, str]:
    """The cross-cohort trend charts as SVG, keyed `trend_recommend`, `trend_themes` and
    `trend_gender`; a chart with nothing to draw is left out. `trends` is a reports.evidence
    Trends."""
    out: dict[str, str] = {}
    if trends is None:
        return out
    recommend = [_cohort_value(v) for v in trends.recommend]
    if any(bar.value is not None for bar, _ in recommend):
        # Shares of 100: drawn against a fixed scale, so a cohort's bar never looks full at 60%.
        out["trend_recommend"] = grouped_bar_chart(
            chart_id="chart-trend-recommend",
            title="Would recommend the fellowship, by cohort",
            desc="Share of each cohort's exit survey answering strongly recommend or recommend: "
            + "; ".join(
                f"cohort {v.cohort}: {words}"
                for v, (_, words) in zip(trends.recommend, recommend, strict=True)
            )
            + ".",
            categories=[f"Cohort {v.cohort}" for v in trends.recommend],
            series=[Series("Would recommend", NHS_BLUE)],
            bars=[[bar] for bar, _ in recommend],
            scale_max=100,
        )
    themes = [(t, [_cohort_value(v) for v in t.by_cohort]) for t in trends.themes]
    # Cohorts with no survey results at all are said in words only: no empty bars.
    drawn = [
        i
        for i in range(len(trends.themes[0].by_cohort) if trends.themes else 0)
        if any(values[i][0].value is not None for _, values in themes)
    ]
    if drawn:
        cohorts = [trends.themes[0].by_cohort[i].cohort for i in drawn]
        out["trend_themes"] = grouped_bar_chart(
            chart_id="chart-trend-themes",
            title="Achieved the learning objectives of each curriculum theme, by cohort",
            desc="Share of each cohort's exit survey answering yes, per theme: "
            + "; ".join(
                f"{t.label}: "
                + ", ".join(
                    f"cohort {v.cohort} {words}"
                    for v, (_, words) in zip(t.by_cohort, values, strict=True)
                )
                for t, values in themes
            )
            + ".",
            categories=[t.label for t, _ in themes],
            series=[
                Series(f"Cohort {number}", SERIES_COLOURS[i % len(SERIES_COLOURS)])
                for i, number in enumerate(cohorts)
            ],
            bars=[[values[i][0] for i in drawn] for _, values in themes],
            scale_max=100,
        )
    years = list(trends.gender)
    if any(year.applicants and not year.recruiting for year in years):
        bars, words = [], []
        for year in years:
            row = year.row(TREND_GENDER_LABEL)
            applicants = _gender_bar(row and row.applicants, year.applicants, year.recruiting)
            fellows = _gender_bar(row and row.fellows, year.appointed, year.recruiting)
            bars.append([applicants[0], fellows[0]])
            words.append(f"cohort {year.cohort}: applicants {applicants[1]}, fellows {fellows[1]}")
        notes = "".join(f" {note}" for note in trends.gender_footnotes)
        out["trend_gender"] = grouped_bar_chart(
            chart_id="chart-trend-gender",
            title="Women among applicants and appointed fellows, by cohort",
            desc="Women's share of each cohort's applicants and of its appointed fellows: "
            + "; ".join(words)
            + "."
            + notes,
            categories=[f"Cohort {year.cohort}" for year in years],
            series=[Series("Applicants", NHS_BLUE), Series("Fellows", NHS_AQUA_GREEN)],
            bars=bars,
            scale_max=100,
        )
    return out
