"""The history import's portfolio table: the spec example imports, links are checked and DOIs
normalised, bad rows are reported as `portfolio row N, column C: message`, re-import updates in place."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fellowship.importer import ImportFailed, import_tables, read_sources
from fellowship.management.commands.import_history import files_at
from fellowship.models import Fellow
from fellowship.services import import_history
from portfolio.models import PortfolioEntry

from ..fellowship.test_history_import import EXAMPLE

pytestmark = pytest.mark.django_db

COHORTS = "number,start_date,end_date\n1,2021-09-01,2022-08-31\n"
FELLOWS = "ref,cohort,region,profession,status\nF-0101,1,London,medicine,graduated\nF-0102,1,Wales,pharmacy,graduated\n"
PORTFOLIO = (
    "fellow,kind,title,date,url\n"
    "F-0101,publication,Real-world evaluation of chest X-ray triage,2022-07-01,doi:10.1136/bmjhci-2022-100\n"
    "F-0102,onward_programme,Accepted onto the Topol Digital Fellowship,2022-09-01,\n"
    "F-0102,certificate,Clinical safety officer training,,\n"
)


def run(**tables: str):
    return import_tables(
        read_sources((f"{name}.csv", text.encode()) for name, text in tables.items())
    )


def problems_of(**tables: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        run(**tables)
    return failure.value.messages


def test_the_spec_example_folder_imports_cleanly_with_every_table():
    files = files_at(EXAMPLE)
    assert "portfolio.csv" in {name for name, _ in files}

    result = import_history(files, by=None, source="spec example")

    assert "portfolio: 2 created, 0 updated, 0 unchanged" in result.summary
    paper = PortfolioEntry.objects.get(kind="publication")
    assert (paper.fellow.ref, paper.date, paper.url) == (
        "F-0101",
        datetime.date(2022, 7, 1),
        "https://doi.org/10.0000/example",
    )
    assert paper.doi == "10.0000/example"
    topol = PortfolioEntry.objects.get(kind="onward_programme")
    assert (topol.fellow.ref, topol.title, topol.url) == (
        "F-0102",
        "Accepted onto the Topol Digital Fellowship",
        "",
    )


def test_reimporting_updates_in_place_without_duplicates():
    run(cohorts=COHORTS, fellows=FELLOWS, portfolio=PORTFOLIO)
    changed = PORTFOLIO.replace("doi:10.1136/bmjhci-2022-100", "https://example.org/paper")

    result = run(cohorts=COHORTS, fellows=FELLOWS, portfolio=changed)

    assert "portfolio: 0 created, 1 updated, 2 unchanged" in result.summary
    assert PortfolioEntry.objects.count() == 3
    assert PortfolioEntry.objects.get(kind="publication").url == "https://example.org/paper"
    assert PortfolioEntry.objects.get(kind="certificate").date is None


def test_a_doi_in_the_url_column_is_normalised():
    run(cohorts=COHORTS, fellows=FELLOWS, portfolio=PORTFOLIO)
    assert (
        PortfolioEntry.objects.get(kind="publication").url
        == "https://doi.org/10.1136/bmjhci-2022-100"
    )


def test_portfolio_of_fellows_already_in_the_database_imports_alone():
    run(cohorts=COHORTS, fellows=FELLOWS)
    run(portfolio=PORTFOLIO)
    assert PortfolioEntry.objects.filter(fellow__ref="F-0102").count() == 2


def test_bad_cells_are_reported_by_row_and_column_and_nothing_is_written():
    bad = (
        "fellow,kind,title,date,url\n"
        "F-0101,book,A book,2022-01-01,\n"
        "F-0101,publication,,2022-01-01,\n"
        "F-0101,publication,A paper,1 July 2022,\n"
        "F-0101,publication,A paper,2022-07-01,ftp://files.example.org/paper.pdf\n"
        "F-0101,publication,A paper,2022-07-01,10.1136\n"
    )
    messages = problems_of(cohorts=COHORTS, fellows=FELLOWS, portfolio=bad)
    kinds = "certificate, qualification, grant, prize, publication, presentation, invitation, onward_programme, code_repository, media, policy"
    assert messages == [
        f"portfolio row 2, column kind: must be one of {kinds}, not 'book'",
        "portfolio row 3, column title: is required",
        "portfolio row 4, column date: must be a date written as YYYY-MM-DD, not '1 July 2022'",
        "portfolio row 5, column url: must be a web address starting with https://, or a DOI such as 10.1234/abcd.5678",
        "portfolio row 6, column url: must be the DOI in full, such as 10.1234/abcd.5678",
        "portfolio row 6, column fellow: entry F-0101, publication, A paper, 2022-07-01 appears twice, in rows 5 and 6",
    ]
    assert not Fellow.objects.exists() and not PortfolioEntry.objects.exists()


def test_unknown_fellows_and_future_awards_roll_the_whole_import_back():
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    bad = (
        "fellow,kind,title,date,url\n"
        "F-0101,publication,A paper,2022-07-01,\n"
        "F-9999,publication,Someone else's paper,2022-07-01,\n"
        f"F-0102,prize,Best poster,{future},\n"
    )
    messages = problems_of(cohorts=COHORTS, fellows=FELLOWS, portfolio=bad)
    assert messages == [
        "portfolio row 3, column fellow: fellow F-9999 is not in the fellows table or the database",
        "portfolio row 4, column date: an awarded prize cannot be dated in the future",
    ]
    assert not Fellow.objects.exists() and not PortfolioEntry.objects.exists()


def test_required_columns_must_be_present():
    messages = problems_of(portfolio="fellow,title\nF-0101,A paper\n")
    assert messages == [
        "portfolio row 1, column kind: column is missing",
        "portfolio row 2, column fellow: fellow F-0101 is not in the fellows table or the database",
    ]
