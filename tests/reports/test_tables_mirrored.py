"""The workbook mirrors the printed report: every figure of every table in the results section is
in the objective's sheet, under the same row and column names.

The test walks the HTML version, which is the document the PDF is drawn from, table by table: for
each figure (a cell of a `figures` table) it looks, in the sheet of the same objective, for a row
naming the figure's row label and column heading (as the evidence table or the item) whose count
or printed text is the figure. A figure printed in the report but missing from the workbook, or
different there, fails with where it was printed."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from reports.evidence import compute_evidence
from reports.render import render_html
from reports.xlsx import render_xlsx

from .history import load_demo_history, load_small_history

pytestmark = pytest.mark.django_db


class FigureTables(HTMLParser):
    """Each `table.figures` of each objective: (objective, column headings, rows of cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.objective: int | None = None
        self.tables: list[tuple[int, list[str], list[list[str]]]] = []
        self._table: tuple[int, list[str], list[list[str]]] | None = None
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            found = re.fullmatch(r"objective-(\d)", attrs.get("id") or "")
            self.objective = int(found.group(1)) if found else None
        elif tag == "table" and "figures" in (attrs.get("class") or "").split():
            if self.objective is not None:
                self._table = (self.objective, [], [])
        elif self._table is not None:
            if tag == "thead":
                self._in_head = True
            elif tag == "tr" and not self._in_head:
                self._table[2].append([])
            elif tag in ("th", "td"):
                self._cell = []

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self._table[1].append(text)
            else:
                self._table[2][-1].append(text)
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def figure_tables(html: str):
    parser = FigureTables()
    parser.feed(html)
    return parser.tables


def _number(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def _same_figure(figure: str, count, of, printed: str) -> bool:
    """The printed figure is the row's: the same text, or the same numbers ("20 of 21" is count 20
    out of 21; "1 project" is count 1; "44 (37%)" is what the row prints)."""
    numbers = _numbers(figure)
    if figure == printed or (not numbers and printed.startswith(figure + " ")):
        return True  # "not recorded" is printed as "not recorded (2 of 2 workshops ...)"
    if not numbers:
        return False
    return numbers in (
        _numbers(printed),
        [_number(count)],
        [_number(count), _number(of)],
    )


def _mirrored(sheet_rows: list[tuple], label: str, heading: str, figure: str) -> bool:
    label, heading = label.casefold(), heading.casefold()
    for evidence, item, count, of, _percentage, printed in sheet_rows:
        names = f"{evidence} | {item}".casefold()
        if label not in names:
            continue
        printed = str(printed or "")
        # A reason in place of figures ("No applicant records") stands for the whole row.
        if heading and heading not in names and not (figure == printed and not _numbers(figure)):
            continue
        if _same_figure(figure, count, of, printed):
            return True
    return False


def unmirrored(evidence) -> list[str]:
    book = load_workbook(io.BytesIO(render_xlsx(evidence)))
    missing = []
    tables = figure_tables(render_html(evidence))
    assert tables, "the report printed no figure tables"
    for objective, headings, rows in tables:
        sheet = list(book[f"Objective {objective}"].iter_rows(values_only=True))[1:]
        for cells in rows:
            label, figures = cells[0], cells[1:]
            for column, figure in enumerate(figures, start=1):
                heading = headings[column] if len(headings) > 2 and column < len(headings) else ""
                if figure and not _mirrored(sheet, label, heading, figure):
                    missing.append(f"objective {objective}: {label} / {heading or '-'} = {figure}")
    return missing


def test_every_printed_figure_of_the_demo_report_is_in_its_workbook():
    load_demo_history()
    assert unmirrored(compute_evidence(4)) == []


def test_every_printed_figure_of_a_small_programme_is_in_its_workbook():
    load_small_history()
    assert unmirrored(compute_evidence(2)) == []


def test_the_walk_notices_a_figure_the_workbook_lacks():
    """The check can fail: a printed figure with no row in the sheet is reported."""
    sheet = [("Teaching days", "Cohort 1", 11, None, None, "11")]
    assert _mirrored(sheet, "Cohort 1", "Teaching days", "11")
    assert not _mirrored(sheet, "Cohort 1", "Teaching days", "12")
    assert not _mirrored(sheet, "Cohort 1", "Showcase days", "11")
    assert not _mirrored(sheet, "Cohort 2", "Teaching days", "11")
    shares = [("Component valuable", "Networking", 18, 20, 0.9, "90%")]
    assert _mirrored(shares, "Networking", "", "18 of 20")
    assert not _mirrored(shares, "Networking", "", "18 of 21")
