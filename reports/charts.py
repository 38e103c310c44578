"""Bar charts as inline SVG for the benefits report: vectors in the PDF, crisp in the browser.

Pure functions, no Django and no third-party import: numbers in, an `<svg>` string out. Every chart
carries a `<title>` and `<desc>` (named by `aria-labelledby`, so a screen reader reads them), and
writes its values as text beside the bars, so no reader has to judge a bar's length. A value of
None is drawn as no bar with its text (e.g. `<5` for a suppressed count). Every label is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# NHS identity colours: blue, dark blue, aqua green, warm yellow; dark grey text, mid grey lines.
NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_AQUA_GREEN = "#00a499"
NHS_WARM_YELLOW = "#ffb81c"
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
GRID = "#d8dde0"
SERIES_COLOURS = (NHS_BLUE, NHS_AQUA_GREEN, NHS_DARK_BLUE, NHS_WARM_YELLOW)

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
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    height = legend + len(categories) * (group_height + GROUP_GAP) + GROUP_GAP

    out = _open(chart_id, title, desc, height)
    if legend:
        x = LABEL_WIDTH
        for s in series:
            out.append(f'<rect x="{x}" y="3" width="10" height="10" fill="{s.colour}"/>')
            out.append(_text(x + 14, 13, s.name))
            x += 24 + 6 * len(s.name)
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend}" x2="{LABEL_WIDTH}" y2="{_number(height)}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    y = legend + GROUP_GAP
    for category, group in zip(categories, bars, strict=True):
        out.append(
            _text(LABEL_WIDTH - 6, y + group_height / 2 + 3, _truncate(category), anchor="end")
        )
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
