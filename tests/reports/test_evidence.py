"""The benefits report's evidence: the contract's figures, suppression, and a fixed number of queries.

The demo history's figures are worked out again here from its CSV files, with a few lines of
plain Python that share nothing with the code under test, and checked against the README's
figures (which are fixed by construction).
"""

from __future__ import annotations

from collections import Counter

import pytest

from fellowship.enums import Profession
from reports.evidence import UnknownCohort, compute_evidence
from surveys.builder import EXIT_SURVEY
from surveys.models import Survey

from .history import SMALL_GENDER, demo_rows, load_demo_history, load_small_history

pytestmark = pytest.mark.django_db


def half_up(part: int, whole: int) -> int:
    """Whole percentage rounded half up, in integers only."""
    return (200 * part + whole) // (2 * whole)


def written(part: int, whole: int) -> str:
    return f"{part} ({half_up(part, whole)}%)"


def gender_of(row: dict[str, str]) -> str:
    return (
        row["gender"]
        if row["gender"] in ("male", "female", "non_binary", "other")
        else "not_stated"
    )


def test_demo_history_gives_the_contract_figures_for_cohort_4():
    load_demo_history()
    evidence = compute_evidence(4, suppress_below=0)
    fellows = demo_rows("fellows")
    projects = {row["ref"]: row for row in demo_rows("projects")}

    # Objective 1: graduates of cohorts 1-3 and fellows in post in cohort 4.
    o1 = evidence.objective1
    graduates = sum(1 for r in fellows if r["status"] == "graduated" and int(r["cohort"]) < 4)
    in_post = sum(1 for r in fellows if r["status"] == "in_post" and r["cohort"] == "4")
    assert (o1.graduates, o1.in_post) == (graduates, in_post) == (57, 34)
    assert o1.graduate_cohorts == (1, 2, 3)
    # The latest exit survey answered by cohorts 1..4 is cohort 3's (cohort 4 is in post).
    survey = [r for r in demo_rows("exit_survey") if r["cohort"] == "3"]
    assert o1.survey.cohort == 3 and o1.survey.responses == len(survey) == 21
    recommend = Counter(r["recommend"] for r in survey if r["recommend"])
    answered = sum(recommend.values())
    shown = {s.label: s.percent_text for s in o1.recommend}
    assert (
        shown["Strongly recommend"]
        == f"{half_up(recommend['strongly_recommend'], answered)}%"
        == "90%"
    )
    assert (shown["Recommend"], shown["Neutral"]) == ("5%", "5%")
    archetypes = {s.label.split(":")[0]: s.percent_text for s in o1.archetypes}
    assert (archetypes["Driver"], archetypes["Embedder"]) == ("81%", "86%")
    assert [s.percent_text for s in o1.careers][:5] == ["71%", "57%", "10%", "19%", "5%"]

    # Objective 2: over those who answered each row (one blank for networking: 18 of 20).
    o2 = evidence.objective2
    assert [t.achieved.percent_text for t in o2.themes] == ["100%"] * 5
    assert [t.apply.percent_text for t in o2.themes] == ["86%", "100%", "95%", "100%", "100%"]
    components = {c.label: c for c in o2.components}
    networking = [r["valuable:networking"] for r in survey if r["valuable:networking"]]
    agreed = sum(1 for v in networking if v in ("strongly_agree", "agree"))
    assert (
        (components["Networking"].count, components["Networking"].answered)
        == (agreed, len(networking))
        == (18, 20)
    )
    assert components["Networking"].percent_text == "90%"
    assert [c.percent_text for c in o2.components] == ["95%", "100%", "90%", "100%", "52%"]

    # Objective 3: matched projects, hosts, top five domains.
    matched = {r["project"] for r in fellows if r["project"] in projects}
    hosts = {projects[ref]["host_organisation"] for ref in matched}
    o3 = evidence.objective3
    assert (o3.matched_projects, o3.host_organisations) == (len(matched), len(hosts))
    assert o3.matched_projects == 91 and o3.host_organisations > 30
    domains = Counter(projects[ref]["clinical_domain"].casefold() for ref in matched)
    assert [(d.name.casefold(), d.projects) for d in o3.top_domains] == domains.most_common(5)
    assert [(d.name, d.projects) for d in o3.top_domains] == [
        ("Radiology", 26),
        ("Oncology", 9),
        ("Cardiovascular", 6),
        ("Haematology", 5),
        ("Pathology", 4),
    ]

    # Objective 4: gender of cohort 4's applicants and appointed fellows (nothing suppressed at 0).
    applicants = [r for r in demo_rows("applicants") if r["cohort"] == "4"]
    appointed = [r for r in applicants if r["furthest_stage"] == "appointed"]
    o4 = evidence.objective4
    assert (o4.applicants, o4.appointed) == (len(applicants), len(appointed)) == (308, 34)
    rows = {row.label: row for row in o4.gender}
    for label, key in (("Male", "male"), ("Female", "female"), ("Not stated", "not_stated")):
        expected_applicants = written(
            sum(1 for r in applicants if gender_of(r) == key), len(applicants)
        )
        expected_fellows = written(sum(1 for r in appointed if gender_of(r) == key), len(appointed))
        assert (rows[label].applicants.text, rows[label].fellows.text) == (
            expected_applicants,
            expected_fellows,
        )
    assert [rows[x].applicants.text for x in ("Male", "Female", "Not stated")] == [
        "162 (53%)",
        "114 (37%)",
        "32 (10%)",
    ]
    assert [rows[x].fellows.text for x in ("Male", "Female", "Not stated")] == [
        "19 (56%)",
        "11 (32%)",
        "4 (12%)",
    ]
    assert [row.label for row in o4.gender][:2] == ["Male", "Female"] and o4.gender[
        -1
    ].label == "Not stated"
    assert not o4.any_suppressed

    # ... non-medics as a share of fellows in the cohorts in which they appear, and per profession.
    non_medic_cohorts = {r["cohort"] for r in fellows if r["profession"] != "medicine"}
    of = sum(1 for r in fellows if r["cohort"] in non_medic_cohorts)
    non_medics = [r["profession"] for r in fellows if r["profession"] != "medicine"]
    assert (
        o4.non_medic_share
        == f"{half_up(len(non_medics), of)}% ({len(non_medics)}/{of})"
        == "14% (9/63)"
    )
    assert o4.non_medic_cohorts == (3, 4)
    labels = dict(Profession.choices)
    assert {p.label: p.fellows for p in o4.professions} == {
        labels[k]: n for k, n in Counter(non_medics).items()
    }
    assert {p.label: p.fellows for p in o4.professions} == {
        "AHP": 2,
        "Dentistry": 1,
        "Pharmacy": 3,
        "Optometry": 1,
        "Public Health": 1,
        "Healthcare Science": 1,
    }

    # Objective 5: regional showcases and their hosts; cohort 4's mentor pairs.
    showcases = [r for r in demo_rows("workshops") if r["regional_showcase"] == "yes"]
    o5 = evidence.objective5
    assert len(o5.showcases) == len(showcases) == 12
    assert set(o5.showcase_hosts) == {r["host_organisation"] for r in showcases}
    assert o5.cohort_showcases == {1: 3, 2: 3, 3: 3, 4: 3}
    pairs = [r for r in demo_rows("mentoring") if r["cohort"] == "4"]
    assert o5.mentor_pairs == len(pairs) == 16
    assert o5.shares_any == 14 and o5.shares_any_text == "14 (88%)"

    # Objective 7: fellows and distinct regions per cohort.
    growth = [(g.cohort, g.fellows, g.regions) for g in evidence.objective7.growth]
    expected = []
    for n in ("1", "2", "3", "4"):
        of_cohort = [r for r in fellows if r["cohort"] == n]
        expected.append((int(n), len(of_cohort), len({r["region"] for r in of_cohort})))
    assert growth == expected == [(1, 11, 2), (2, 18, 4), (3, 29, 7), (4, 34, 10)]

    # Objective 8: alumni supervisors (a fellow ref as supervisor) and onward programmes.
    fellow_refs = {r["ref"] for r in fellows}
    alumni_projects = [r for r in projects.values() if r["supervisor"] in fellow_refs]
    o8 = evidence.objective8
    assert o8.alumni_supervised_projects == len(alumni_projects) == 1
    assert o8.alumni_supervised_by_cohort == ((4, 1),)
    onward = [r for r in demo_rows("portfolio") if r["kind"] == "onward_programme"]
    assert o8.onward_programmes == len(onward)
    topol = [t for t in o8.onward_by_title if "Topol" in t.title]
    assert sum(t.entries for t in topol) == 5

    # The appendix: what it was built from.
    counts = {c.table: c.rows for c in evidence.data.counts}
    assert counts["Fellows"] == len(fellows)
    assert counts["Applicants"] == len(demo_rows("applicants"))
    assert counts["Exit survey responses"] == len(demo_rows("exit_survey"))
    assert evidence.data.cohorts == (1, 2, 3, 4) and evidence.data.suppress_below == 0

    # The default threshold (5) hides the small counts, and one more: shown beside the total,
    # 162, 114 and 32 would tell that nobody non-binary or of another gender applied (each <5
    # would be 0), so "not stated" is hidden too, as [c] since it is not small.
    suppressed = compute_evidence(4)
    assert suppressed.data.suppress_below == 5
    rows = {row.label: row for row in suppressed.objective4.gender}
    assert [rows[x].applicants.text for x in ("Male", "Female", "Not stated")] == [
        "162 (53%)",
        "114 (37%)",
        "[c]",
    ]
    assert [rows[x].fellows.text for x in ("Male", "Female", "Not stated")] == [
        "19 (56%)",
        "11 (32%)",
        "<5",
    ]
    assert rows["Not stated"].fellows.count is None and suppressed.objective4.any_suppressed
    # Empty groups show as small ones, so a row never tells that nobody of that group applied.
    assert rows["Non-binary"].applicants.text == "<5"
    # Suppression touches equality counts only.
    assert suppressed.objective4.non_medic_share == "14% (9/63)"
    assert [p.fellows for p in suppressed.objective4.professions].count(1) == 4


def test_a_lone_small_count_hides_a_complementary_count_too():
    load_small_history()
    rows = {row.label: row for row in compute_evidence(2, suppress_below=5).objective4.gender}
    total = sum(SMALL_GENDER.values())
    # Not stated (3) is below 5; the column total would give it away, so the smallest other count
    # (non-binary, 6) is hidden as well, as [c]: it is not small. The rest are published with
    # their percentages.
    assert rows["Not stated"].applicants.text == "<5"
    assert rows["Non-binary"].applicants.text == "[c]" and rows["Non-binary"].applicants.suppressed
    assert rows["Male"].applicants.text == written(10, total)
    assert rows["Other"].applicants.text == written(7, total) == "7 (21%)"

    shown = {row.label: row for row in compute_evidence(2, suppress_below=0).objective4.gender}
    assert shown["Not stated"].applicants.text == written(3, total) == "3 (9%)"
    assert shown["Non-binary"].applicants.text == "6 (18%)"
    assert shown["Male"].fellows.text == "3 (50%)"


def test_an_unknown_cohort_is_refused():
    load_small_history()
    with pytest.raises(UnknownCohort):
        compute_evidence(3)
    with pytest.raises(ValueError):
        compute_evidence(2, suppress_below=-1)


# compute_evidence's queries: cohorts 1, fellows 1, people 1, exit surveys 1, portfolio counts 1,
# projects 2, gender 3 (whether recruitment has closed, stage totals, answers), showcases 1,
# mentoring 1, teaching days 1, policy and media 1, speakers 1, growth 1, funders 1, alumni 1,
# onward programmes 1, methodology sources 12 (the appendix's counts come from them),
# testimonials by consent 1 ...
BASE_QUERIES = 32
# ... and, for the cross-cohort trends, 3 per cohort with an exit survey (its results) and 3 per
# cohort before the last (its recruitment by gender): more cohorts, never more rows.
EXPECTED_QUERIES = BASE_QUERIES + 3 * 4 + 3 * 3  # the most any test here needs (4 cohorts)


def expected_queries(cohorts: int, surveyed: int) -> int:
    return BASE_QUERIES + 3 * surveyed + 3 * (cohorts - 1)


@pytest.mark.parametrize(
    ("load", "cohort"),
    [
        (lambda: load_small_history(), 2),
        (lambda: load_small_history(scale=4), 2),
        (load_demo_history, 4),
    ],
    ids=["small", "small-x4", "demo"],
)
def test_the_number_of_queries_does_not_grow_with_the_data(load, cohort, django_assert_num_queries):
    load()
    surveyed = len(
        {
            s.cohort.number
            for s in Survey.objects.filter(key=EXIT_SURVEY, cohort__number__lte=cohort)
            if s.responses.exists()
        }
    )
    with django_assert_num_queries(expected_queries(cohort, surveyed)):
        evidence = compute_evidence(cohort)
    assert evidence.objective7.growth[-1].fellows > 0
