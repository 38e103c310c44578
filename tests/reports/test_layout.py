"""The benefits report's PDF fits A4: every word inside the margins, and no page left almost empty.

The report is rendered for realistic programme histories (the demo history of four cohorts, and the
small two-cohort history) and read back with poppler's `pdftotext -bbox`, which gives the box of
every word on every page, in points from the top left corner of the paper.

Margins. A4 is 210 x 297 mm; the print stylesheet sets 16 mm side margins, so the text area is
16 to 194 mm across. No word on any page (the cover included) may come closer than 15 mm to an
edge of the paper, which covers the running header and footer in the top and bottom margins too,
and on the pages after the cover no word may cross the side margins into the 16 mm either side.

Overlaps. No two words' boxes may overlap: a figure or heading too wide for its column is drawn
over the next column's text, inside the margins but unreadable.

Near-empty pages. Word counts say little about how full a page looks (a row of figures is a few
words, a dotted contents line is dozens), so the rule is about height: on every page after the
cover, the body text (everything between the running header and footer) must reach at least a
third of the way down the text area. A page holding the last row of a table alone, a heading with
nothing under it, or the last few lines of the appendix fails: on the layout that started each
objective on a new page, the pages holding one spilt row were under a third full, while pages of
running text reach 60% to 100%. The exception is the last page of a section that the stylesheet
ends on purpose (a forced `break-after` on the page, or a forced `break-before` on what starts
the next one, such as the contents, or a narrative section that starts a new page): it is as
long as its section. Which pages those are is read from WeasyPrint's layout of the same document
the PDF is written from. The report's last page has no such excuse.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.db import transaction

from fellowship import pdf
from reports.evidence import compute_evidence
from reports.render import render_html

from .history import load_demo_history, load_small_history

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)"),
    pytest.mark.django_db,  # so that the test database is set up for the module's fixture
]

MM = 72 / 25.4  # points in a millimetre
PAPER_WIDTH, PAPER_HEIGHT = 210 * MM, 297 * MM
SIDE_MARGIN = 16 * MM  # the stylesheet's @page side margins
TOP_MARGIN, BOTTOM_MARGIN = 22 * MM, 22 * MM  # ...and its top and bottom margins
CLEAR_OF_EDGE = 15 * MM  # no word nearer the paper's edge than this
TOLERANCE = 0.5  # points: rounding in the PDF's text positions
LEAST_FILL = 1 / 3  # the share of the text area's height every page after the cover must reach

WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    ends_on_purpose: bool = False  # the stylesheet breaks the page after it (a section's end)

    @property
    def body(self) -> tuple[Word, ...]:
        """The words between the running header and footer."""
        return tuple(
            w
            for w in self.words
            if w.top >= TOP_MARGIN - TOLERANCE
            and w.bottom <= self.height - BOTTOM_MARGIN + TOLERANCE
        )

    @property
    def fill(self) -> float:
        """How far down the text area the body text reaches, from 0 (empty) to 1 (full)."""
        if not self.body:
            return 0.0
        reach = max(w.bottom for w in self.body) - TOP_MARGIN
        return reach / (self.height - TOP_MARGIN - BOTTOM_MARGIN)

    def opening(self) -> str:
        return " ".join(w.text for w in self.body[:12])


FORCED = {"page", "left", "right", "recto", "verso"}


def forced_ends(document) -> set[int]:
    """Indexes of the pages the stylesheet ends on purpose: an element on the page has a forced
    `break-after`, or an element that starts on the next page has a forced `break-before`."""
    ends, seen = set(), set()
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint's laid-out boxes
            element = getattr(box, "element", None)
            if element is None:
                continue
            if box.style["break_before"] in FORCED and element not in seen and index > 0:
                ends.add(index - 1)
            if box.style["break_after"] in FORCED:
                ends.add(index)
            seen.add(element)
    return ends


def read_pages(data: bytes, tmp_path, *, ends: set[int] = frozenset()) -> list[Page]:
    """The pages of a PDF with the boxes of their words; `ends` are the indexes of the pages a
    section ends on purpose (see `forced_ends`)."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        [PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = []
    for number, (width, height, body) in enumerate(PAGE.findall(out), start=1):
        words = tuple(
            Word(text, float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in WORD.findall(body)
        )
        pages.append(Page(number, float(width), float(height), words, number - 1 in ends))
    return pages


def outside_margins(pages: list[Page], *, cover: bool = False) -> list[str]:
    """The words nearer than 15 mm to the paper's edge, or across the side margins (except on the
    first page when it is a `cover`, which has no margins), each described."""
    return [
        f"page {page.number}: {word.text!r} at {word.left / MM:.1f}-{word.right / MM:.1f} mm across, "
        f"{word.top / MM:.1f}-{word.bottom / MM:.1f} mm down"
        for page in pages
        for word in page.words
        if word.left < CLEAR_OF_EDGE - TOLERANCE
        or word.top < CLEAR_OF_EDGE - TOLERANCE
        or word.right > page.width - CLEAR_OF_EDGE + TOLERANCE
        or word.bottom > page.height - CLEAR_OF_EDGE + TOLERANCE
        or (
            not (cover and page.number == 1)
            and (
                word.left < SIDE_MARGIN - TOLERANCE
                or word.right > page.width - SIDE_MARGIN + TOLERANCE
            )
        )
    ]


HISTORIES = {"demo history": (load_demo_history, 4), "small history": (load_small_history, 2)}


@pytest.fixture(scope="module", params=list(HISTORIES))
def report_pages(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The report's pages for a programme history (rendered once for the tests of this module)."""
    load, cohort = HISTORIES[request.param]
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        # Laid out by the PDF helper exactly as render_pdf draws it, then written from that layout.
        document = pdf.layout(render_html(compute_evidence(cohort)))
        transaction.set_rollback(True)
    data = document.write_pdf()
    return read_pages(data, tmp_path_factory.mktemp("layout"), ends=forced_ends(document))


def test_report_is_printed_on_a4(report_pages):
    assert len(report_pages) > 3
    for page in report_pages:
        assert abs(page.width - PAPER_WIDTH) < 1 and abs(page.height - PAPER_HEIGHT) < 1


def test_every_word_lies_inside_the_margins(report_pages):
    outside = outside_margins(report_pages, cover=True)
    assert not outside, "\n".join(outside[:20])


def overlap(a: Word, b: Word) -> bool:
    """Whether two words are drawn over each other. Their boxes are the font's full height, so
    the boxes of lines set tightly (a chart's two-line label) touch; words that clash share most
    of their height."""
    shared_width = min(a.right, b.right) - max(a.left, b.left)
    shared_height = min(a.bottom, b.bottom) - max(a.top, b.top)
    lower = min(a.bottom - a.top, b.bottom - b.top)
    return shared_width > TOLERANCE and shared_height > 0.4 * lower


def clashes(pages: list[Page]) -> list[str]:
    """The pairs of words drawn over each other, each described."""
    return [
        f"page {page.number}: {a.text!r} and {b.text!r} at {a.left / MM:.1f} mm across, "
        f"{a.top / MM:.1f} mm down"
        for page in pages
        for i, a in enumerate(page.words)
        for b in page.words[i + 1 :]
        if overlap(a, b)
    ]


def test_no_word_is_drawn_over_another(report_pages):
    """A cell's content that does not fit its column runs into the next column's text."""
    found = clashes(report_pages)
    assert not found, "\n".join(found[:20])


def test_every_page_after_the_cover_is_a_third_full_unless_its_section_ends_there(report_pages):
    assert report_pages[1].ends_on_purpose, "the contents end their page on purpose"
    assert not report_pages[-1].ends_on_purpose
    near_empty = [
        f"page {page.number} of {len(report_pages)} is {page.fill:.0%} full: {page.opening()!r}"
        for page in report_pages[1:]
        if page.fill < LEAST_FILL and not page.ends_on_purpose
    ]
    assert not near_empty, "\n".join(near_empty)
