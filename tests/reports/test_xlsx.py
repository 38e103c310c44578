"""The evidence as an XLSX workbook: a sheet per objective, numbers as numbers, and "Built from"."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from reports.evidence import compute_evidence
from reports.xlsx import HEADER, render_xlsx

from .history import load_demo_history, load_small_history

pytestmark = pytest.mark.django_db


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def find(sheet, table: str, item: str) -> tuple:
    return next(r for r in rows(sheet) if r[0] == table and r[1] == item)


def workbook(evidence):
    data = render_xlsx(evidence)
    assert data.startswith(b"PK")  # a zip, as every XLSX is
    return load_workbook(io.BytesIO(data))


def test_the_demo_workbook_has_a_sheet_per_objective_with_the_contract_figures():
    load_demo_history()
    book = workbook(compute_evidence(4, suppress_below=0))

    assert book.sheetnames == [
        *(f"Objective {n}" for n in range(1, 9)),
        "Sources",
        "Built from",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
    for name in book.sheetnames[:-2]:
        assert rows(book[name])[0] == HEADER
        assert len(rows(book[name])) > 1, name

    o4 = book["Objective 4"]
    _table, _item, count, of, percentage, printed = find(
        o4, "Gender of applicants, cohort 4", "Male"
    )
    assert (count, printed) == (162, "162 (53%)")
    assert isinstance(count, int) and isinstance(of, int)
    assert percentage == pytest.approx(162 / of) and round(percentage * 100) == 53
    row = next(r for r in o4.iter_rows(min_row=2) if r[1].value == "Male")
    assert row[4].number_format == "0%"
    assert find(o4, "Non-medic fellows", "Non-medic fellows")[2:4] == (9, 63)
    assert find(o4, "Non-medic fellows", "Non-medic fellows")[5] == "14% (9/63)"
    assert (
        find(book["Objective 1"], "Would recommend (exit survey)", "Strongly recommend")[5] == "90%"
    )
    assert find(book["Objective 3"], "Matched projects", "Matched projects")[2] == 91

    built = dict((r[0], r[1]) for r in rows(book["Built from"]) if r and r[0])
    assert built["Cohorts"] == "1, 2, 3, 4"
    assert built["Equality counts hidden below"] == 0
    assert isinstance(built["Fellows"], int)


def test_suppressed_counts_have_no_number_in_the_workbook():
    load_small_history()
    o4 = workbook(compute_evidence(2))["Objective 4"]
    hidden = find(o4, "Gender of applicants, cohort 2", "Not stated")
    assert hidden[2] is None and hidden[4] is None and hidden[5] == "<5"
    shown = find(o4, "Gender of applicants, cohort 2", "Male")
    assert shown[2] == 10 and shown[5] == "10 (29%)"
    gender_rows = [r for r in rows(o4) if r[0].startswith("Gender of")]
    assert all(r[2] is None for r in gender_rows if r[0].startswith("Gender of fellows"))
    assert "3 (9%)" not in [r[5] for r in gender_rows]
