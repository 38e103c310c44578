"""Equality-monitoring aggregates against a small data set counted by hand."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fellowship.suppression import Policy
from recruitment import equality
from recruitment.enums import Stage
from recruitment.models import Application, EqualityRecord

from ..factories import ApplicationFactory, RoundFactory

pytestmark = pytest.mark.django_db

NO_RECORD = object()


def add(rnd, furthest: str, n: int, sex=NO_RECORD, **answers) -> None:
    """n applications that got as far as `furthest`, each with an equality record (unless NO_RECORD)."""
    for _ in range(n):
        application = ApplicationFactory(
            round=rnd, stage=furthest, furthest_stage=furthest, submitted_at=timezone.now()
        )
        if sex is not NO_RECORD:
            EqualityRecord.objects.create(application=application, sex=sex, **answers)


@pytest.fixture
def hand_counted():
    """Counted by hand, reached (applied, longlisted, shortlisted, interviewed, offered, appointed):

    female      20 14 10  5  5  5
    male        12 10  8  7  6  6
    non-binary   3  2  2  0  0  0
    other        6  0  0  0  0  0
    not stated   5  1  0  0  0  0   (3 prefer not to say, 2 with no record at all)
    all         46 27 20 12 11 11
    Drafts and another round's applications must not count.
    """
    rnd = RoundFactory()
    add(rnd, Stage.SUBMITTED, 6, "female")
    add(rnd, Stage.LONGLISTED, 4, "female")
    add(rnd, Stage.SHORTLISTED, 5, "female")
    add(rnd, Stage.APPOINTED, 5, "female")
    add(rnd, Stage.SUBMITTED, 2, "male")
    add(rnd, Stage.LONGLISTED, 2, "male")
    add(rnd, Stage.SHORTLISTED, 1, "male")
    add(rnd, Stage.INTERVIEWED, 1, "male")
    add(rnd, Stage.APPOINTED, 6, "male")
    add(rnd, Stage.SUBMITTED, 1, "non_binary")
    add(rnd, Stage.SHORTLISTED, 2, "non_binary")
    add(rnd, Stage.SUBMITTED, 6, "other")
    add(rnd, Stage.SUBMITTED, 3, "prefer_not_to_say")
    add(rnd, Stage.SUBMITTED, 1)
    add(rnd, Stage.LONGLISTED, 1)
    # Not in the funnel: a draft, and the same people in another round.
    ApplicationFactory(round=rnd)
    add(RoundFactory(), Stage.APPOINTED, 3, "female")
    return rnd


def funnel(rnd, threshold: int, characteristic: str = "sex", round_to: int = 0) -> equality.Funnel:
    return equality.funnel_by(
        characteristic, Application.objects.filter(round=rnd), policy=Policy(threshold, round_to)
    )


def counts(f: equality.Funnel) -> dict[str, list[str]]:
    return {g.label: [figure.text for figure in g.counts] for g in f.groups}


def test_counts_per_stage_without_suppression(hand_counted):
    f = funnel(hand_counted, threshold=0)
    assert f.totals == (46, 27, 20, 12, 11, 11)
    assert counts(f) == {
        "Female": ["20", "14", "10", "5", "5", "5"],
        "Male": ["12", "10", "8", "7", "6", "6"],
        "Non-binary": ["3", "2", "2", "0", "0", "0"],
        "Other": ["6", "0", "0", "0", "0", "0"],
        "Not stated": ["5", "1", "0", "0", "0", "0"],
    }
    assert [label for _, label in f.stages] == [
        "Applied",
        "Longlisted",
        "Shortlisted",
        "Interviewed",
        "Offered",
        "Appointed",
    ]
    assert not f.any_suppressed


def test_small_counts_are_suppressed_with_a_complementary_cell(hand_counted):
    f = funnel(hand_counted, threshold=5)
    assert counts(f) == {
        "Female": ["20", "14", "10", "5", "5", "5"],
        # From interviews on, everyone else's counts are 0: shown beside the stage totals, 7 6 6
        # would give that away, so they are hidden as [c] (female's 5s could not have changed,
        # a [c] being 5 or more).
        "Male": ["12", "10", "8", "[c]", "[c]", "[c]"],
        "Non-binary": ["<5", "<5", "<5", "<5", "<5", "<5"],
        "Other": ["6", "<5", "<5", "<5", "<5", "<5"],
        # 5 applied is not small, but it is hidden too: with the total of 46 (and the other
        # counts) it would give away the non-binary 3. It is shown as [c], never as <5.
        "Not stated": ["[c]", "<5", "<5", "<5", "<5", "<5"],
    }
    not_stated = f.groups[-1]
    assert not_stated.counts[0].suppressed and not_stated.counts[0].count is None
    assert not_stated.counts[0].complementary and not not_stated.counts[1].complementary
    assert f.any_suppressed
    assert f.footnotes[0].startswith("<5 means fewer than 5")
    assert f.footnotes[1].startswith("[c] means a count hidden")


def test_success_rates_and_the_four_fifths_flag(hand_counted):
    f = funnel(hand_counted, threshold=0)
    female, male, *_ = f.groups
    assert [r.text for r in female.rates] == ["70%", "71%", "50%", "100%", "100%"]
    assert [r.text for r in male.rates] == ["83%", "80%", "88%", "86%", "100%"]
    # Applied → longlisted: 0.70 / (10/12) = 0.84; shortlisted → interviewed: 0.5 / 0.875 = 0.57.
    assert female.rates[0].impact_ratio == pytest.approx(0.84)
    assert not female.rates[0].adverse
    assert female.rates[2].impact_ratio == pytest.approx(0.5 / 0.875)
    assert female.rates[2].adverse and female.rates[2].impact_text == "0.57"
    assert male.rates[2].impact_ratio == 1.0 and not male.rates[2].adverse
    # Longlisted → shortlisted: 0.71 against non-binary's 2 of 2 (1.0); applied → longlisted:
    # other's 0 of 6. Non-binary's 2 of 3 is exactly four-fifths of male's 10 of 12: not flagged.
    assert [(g.label, r.to_stage) for g, r in f.adverse] == [
        ("Female", Stage.SHORTLISTED),
        ("Female", Stage.INTERVIEWED),
        ("Non-binary", Stage.INTERVIEWED),
        ("Other", Stage.LONGLISTED),
    ]
    assert any("Female" in note and "four-fifths" in note for note in f.notes)


def test_rates_that_need_a_hidden_count_are_not_shown(hand_counted):
    f = funnel(hand_counted, threshold=5)
    female, male, non_binary, other, not_stated = f.groups
    assert [r.text for r in male.rates] == ["83%", "80%", "–", "–", "–"]
    # Nor an impact ratio: the most successful shown rate is the comparison.
    for group in (non_binary, other, not_stated):
        assert all(
            r.value is None and r.impact_ratio is None and r.text == "–" for r in group.rates
        )
    assert female.rates[2].impact_ratio == 1.0 and female.rates[2].text == "50%"
    assert f.any_rate_hidden


def test_exactly_four_fifths_is_not_flagged():
    rnd = RoundFactory()
    add(rnd, Stage.SUBMITTED, 5, "female")
    add(rnd, Stage.LONGLISTED, 10, "female")  # 10 of 15: two thirds
    add(rnd, Stage.SUBMITTED, 2, "male")
    add(rnd, Stage.LONGLISTED, 10, "male")  # 10 of 12: five sixths
    female, *_ = funnel(rnd, threshold=0).groups
    assert female.rates[0].impact_text == "0.80"
    assert not female.rates[0].adverse


def test_relative_likelihood_of_appointment_from_shortlisting(hand_counted):
    f = funnel(hand_counted, threshold=0)
    female, male, non_binary, other, not_stated = f.groups
    # Female: 5 of 10 shortlisted appointed; everyone else: 6 of 10.
    assert female.likelihood.ratio == pytest.approx(0.5 / 0.6)
    assert female.likelihood.text == "0.83"
    assert female.likelihood.p_value == pytest.approx(1.0)
    assert female.likelihood.too_small
    assert "Too few people" in female.likelihood.note
    # Male: 6 of 8 against 5 of 12.
    assert male.likelihood.ratio == pytest.approx((6 / 8) / (5 / 12))
    assert not_stated.likelihood is None
    assert f.too_small
    assert any("too small to conclude" in note for note in f.notes)
    # Suppressed, a likelihood that needs a hidden count is not shown.
    female, male, non_binary, other, not_stated = funnel(hand_counted, threshold=5).groups
    assert female.likelihood.text == "0.83"
    for group in (male, non_binary, other):
        assert group.likelihood.suppressed and group.likelihood.text == "–"


def test_a_clear_difference_is_called_so():
    rnd = RoundFactory()
    add(rnd, Stage.APPOINTED, 30, "female")
    add(rnd, Stage.SHORTLISTED, 10, "female")
    add(rnd, Stage.APPOINTED, 10, "male")
    add(rnd, Stage.SHORTLISTED, 30, "male")
    f = funnel(rnd, threshold=0)
    female, male, *_ = f.groups
    assert female.likelihood.ratio == pytest.approx(3.0)
    assert female.likelihood.low > 1
    assert female.likelihood.p_value < 0.001 and female.likelihood.p_text == "<0.001"
    assert female.likelihood.note.startswith("More likely")
    assert male.likelihood.note.startswith("Less likely")
    assert not f.too_small


def test_two_groups_and_nobody_else_do_not_tell_that_nobody_else_applied():
    """Shown beside the totals, both large groups' counts would tell that every other group is
    empty (each <5 is then 0): counts are hidden as [c] until that cannot be worked out, and each
    [c] is protected in turn."""
    rnd = RoundFactory()
    add(rnd, Stage.APPOINTED, 30, "female")
    add(rnd, Stage.SHORTLISTED, 10, "female")
    add(rnd, Stage.APPOINTED, 10, "male")
    add(rnd, Stage.SHORTLISTED, 30, "male")
    published = counts(funnel(rnd, threshold=5))
    assert published["Female"] == ["[c]", "[c]", "[c]", "30", "30", "30"]
    assert published["Male"] == ["40", "40", "40", "[c]", "[c]", "[c]"]


def test_rounding_rounds_counts_and_works_rates_out_from_them(hand_counted):
    f = funnel(hand_counted, threshold=5, round_to=5)
    female, male, *_ = f.groups
    assert [c.text for c in female.counts] == ["20", "15", "10", "5", "5", "5"]
    assert [c.text for c in male.counts] == ["10", "10", "10", "[c]", "[c]", "[c]"]
    # 15 of 20 (not the exact 14 of 20), and 10 of 10 for male (not 10 of 12).
    assert female.rates[0].text == "75%" and male.rates[0].text == "100%"
    assert any("rounded to the nearest 5" in note for note in f.footnotes)


def test_every_group_is_a_row_so_an_empty_one_looks_like_a_small_one():
    rnd = RoundFactory()
    add(rnd, Stage.SUBMITTED, 3, "female")
    f = funnel(rnd, threshold=5)
    assert [g.label for g in f.groups] == ["Female", "Male", "Non-binary", "Other", "Not stated"]
    assert {g.label: g.counts[0].text for g in f.groups} == dict.fromkeys(
        ["Female", "Male", "Non-binary", "Other", "Not stated"], "<5"
    )


def test_ethnic_groups_are_the_five_ons_groups_and_not_stated():
    assert equality.ethnic_group("white_roma") == "white"
    assert equality.ethnic_group("White British") == "white"
    assert equality.ethnic_group("asian_other") == "asian"
    assert equality.ethnic_group("Indian") == "asian"
    assert equality.ethnic_group("mixed_white_black_african") == "mixed"
    assert equality.ethnic_group("Mixed: White and Asian") == "mixed"
    assert equality.ethnic_group("black_caribbean") == "black"
    assert equality.ethnic_group("other_arab") == "other"
    assert equality.ethnic_group("Arab") == "other"
    assert equality.ethnic_group("") == equality.NOT_STATED
    assert equality.ethnic_group("prefer_not_to_say") == equality.NOT_STATED
    assert equality.ethnic_group("Prefer not to say") == equality.NOT_STATED

    rnd = RoundFactory()
    add(rnd, Stage.SUBMITTED, 6, "female", ethnic_group="white_british")
    add(rnd, Stage.SUBMITTED, 2, "female", ethnic_group="white_roma")
    add(rnd, Stage.SUBMITTED, 5, "female", ethnic_group="asian_indian")
    add(rnd, Stage.SUBMITTED, 1, "female", ethnic_group="")
    f = funnel(rnd, threshold=0, characteristic="ethnic_group")
    assert {g.label: g.counts[0].text for g in f.groups} == {
        "Asian": "5",
        "Black": "0",
        "Mixed": "0",
        "White": "8",
        "Other": "0",
        "Not stated": "1",
    }


def test_import_answers_are_read_in_the_vocabulary_or_join_other():
    rnd = RoundFactory()
    add(rnd, Stage.SUBMITTED, 2, "Female")  # the import's capitalised spelling
    add(rnd, Stage.SUBMITTED, 1, "M")
    add(rnd, Stage.SUBMITTED, 1, "intersex", age_band="35-44")
    sex = funnel(rnd, threshold=0)
    assert {g.label: g.counts[0].text for g in sex.groups} == {
        "Female": "2",
        "Male": "1",
        "Non-binary": "0",
        "Other": "1",  # a rare free-text answer gets no row of its own
        "Not stated": "0",
    }
    # Without an "Other" group in the vocabulary, an unknown answer is a group of its own.
    age = funnel(rnd, threshold=0, characteristic="age_band")
    assert {g.label: g.counts[0].text for g in age.groups}["35-44"] == "1"
    assert [g.label for g in age.groups][-2:] == ["35-44", "Not stated"]


def test_before_anyone_is_appointed_the_note_says_so():
    rnd = RoundFactory()
    add(rnd, Stage.SHORTLISTED, 8, "female")
    add(rnd, Stage.SHORTLISTED, 8, "male")
    f = funnel(rnd, threshold=5)
    assert any("Nobody has been appointed yet" in note for note in f.notes)
    assert not any("too small to conclude" in note for note in f.notes)


def test_nobody_applied_yet():
    f = funnel(RoundFactory(), threshold=5)
    assert f.totals == (0, 0, 0, 0, 0, 0)
    assert f.notes == ["Nobody has applied yet."]


def test_a_fixed_number_of_aggregate_queries(hand_counted):
    applications = Application.objects.filter(round=hand_counted)
    with CaptureQueriesContext(connection) as ctx:
        equality.funnel_by("sex", applications, policy=Policy(5))
    assert len(ctx.captured_queries) == 2
    with CaptureQueriesContext(connection) as ctx:
        funnels = equality.monitoring(applications, policy=Policy(5))
    assert len(ctx.captured_queries) == 3  # totals, every answer by stage, summarised counts
    assert [f.characteristic for f in funnels] == list(equality.CHARACTERISTICS)


def test_a_cohort_adds_up_its_rounds(hand_counted):
    second = RoundFactory(cohort=hand_counted.cohort)
    add(second, Stage.SUBMITTED, 2, "female")
    closed = timezone.now() + datetime.timedelta(days=30)
    (sex, *_) = equality.for_cohort(hand_counted.cohort, policy=Policy(0), now=closed)
    assert sex.totals[0] == 48
    assert sex.groups[0].counts[0].text == "22"
