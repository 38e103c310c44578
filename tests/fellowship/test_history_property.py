"""Property: any valid programme history imports, and importing it again creates and updates nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fellowship.importer import import_tables, read_sources

from .history_runner import table_counts

pytestmark = pytest.mark.django_db

words = (
    st.text(
        alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -'&"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
PROFESSIONS = ["medicine", "nursing", "pharmacy", "ahp"]
KINDS = ["publication", "presentation", "certificate", "onward_programme"]


@st.composite
def histories(draw) -> dict[str, list[list[str]]]:
    cohorts = sorted(draw(st.sets(st.integers(1, 30), min_size=1, max_size=4)))
    refs = draw(
        st.lists(
            st.from_regex(r"F-[0-9]{1,5}", fullmatch=True), min_size=1, max_size=8, unique=True
        )
    )
    fellows = [
        [
            ref,
            str(draw(st.sampled_from(cohorts))),
            draw(words),
            draw(st.sampled_from(PROFESSIONS)),
            draw(st.sampled_from(["in_post", "graduated"])),
            draw(words),
        ]
        for ref in refs
    ]
    workshops = {
        (
            str(draw(st.sampled_from(cohorts))),
            f"2024-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
            draw(words),
        )
        for _ in range(draw(st.integers(0, 4)))
    }
    portfolio = {
        (
            draw(st.sampled_from(refs)),
            draw(st.sampled_from(KINDS)),
            draw(words),
            draw(st.sampled_from(["", "2023-05-01"])),
        )
        for _ in range(draw(st.integers(0, 6)))
    }
    by_cohort = {}
    for ref, cohort, *_ in fellows:
        by_cohort.setdefault(int(cohort), []).append(ref)
    pairs = {
        (str(later), mentor, mentee)
        for earlier in cohorts
        for later in cohorts
        if earlier < later
        for mentor in by_cohort.get(earlier, [])[:1]
        for mentee in by_cohort.get(later, [])[:2]
    }
    return {
        "programme": [["name"], [draw(words)[:50]]],
        "cohorts": [["number"], *[[str(c)] for c in cohorts]],
        "fellows": [["ref", "cohort", "region", "profession", "status", "name"], *fellows],
        "workshops": [["cohort", "date", "title"], *map(list, sorted(workshops))],
        "portfolio": [["fellow", "kind", "title", "date"], *map(list, sorted(portfolio))],
        "mentoring": [["cohort", "mentor", "mentee"], *map(list, sorted(pairs))],
    }


def as_files(tables):
    files = []
    for name, rows in tables.items():
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        files.append((f"{name}.csv", out.getvalue().encode()))
    return read_sources(files)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_a_valid_history_imports_and_reimports_without_change(history):
    with transaction.atomic():
        first = import_tables(as_files(history))
        counts = table_counts()
        second = import_tables(as_files(history))

        for report in second.tables:
            assert (report.created, report.updated) == (0, 0), (report.line, history)
        assert [r.created for r in first.tables] == [r.unchanged for r in second.tables]
        assert table_counts() == counts
        transaction.set_rollback(True)
