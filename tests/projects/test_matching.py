"""Matching services: who may rank what, the rank rules, the allocation built from the database,
its explanations, overrides and their stability report, and publication."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject, FellowStatus, Role
from fellowship.models import AuditEvent
from projects import matching
from projects.enums import MatchingStatus, ProposalStatus
from projects.models import (
    ClinicalDomain,
    FellowRanking,
    Placement,
    ProjectChoice,
    ProposedMatch,
    SupervisorCapacity,
)

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, RegionFactory, UserFactory
from ..factories.projects import ApprovedProjectFactory, MatchingRoundFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY)


@pytest.fixture
def world():
    return build_world()


def build_world() -> dict:
    """Three fellows in London, three approved projects: A supervises p1 and p2, B supervises p3.

    f1 ranks p1, p2; f2 ranks p1, p3; f3 ranks p1. A ranks f2, f1, f3.
    """
    cohort = CohortFactory()
    london = RegionFactory(name="London")
    a = make_person(Role.SUPERVISOR, full_name="Ada Supervisor")
    b = make_person(Role.SUPERVISOR, full_name="Bram Supervisor")
    p1 = ApprovedProjectFactory(cohort=cohort, region=london, supervisor=a, title="P1 chest X-ray")
    p2 = ApprovedProjectFactory(cohort=cohort, region=london, supervisor=a, title="P2 sepsis")
    p3 = ApprovedProjectFactory(cohort=cohort, region=london, supervisor=b, title="P3 referrals")
    fellows = []
    for n in (1, 2, 3):
        user = make_person(Role.FELLOW, full_name=f"Fellow {n}")
        fellows.append(
            FellowFactory(
                cohort=cohort, region=london, user=user, ref=f"F-{n}", full_name=f"Fellow {n}"
            )
        )
    f1, f2, f3 = fellows
    rnd = MatchingRoundFactory(cohort=cohort)
    matching.save_choices(f1, [p1.pk, p2.pk], by=f1.user)
    matching.save_choices(f2, [p1.pk, p3.pk], by=f2.user)
    matching.save_choices(f3, [p1.pk], by=f3.user)
    matching.save_fellow_ranking(rnd, a, [f2.pk, f1.pk, f3.pk], by=a)
    return {"cohort": cohort, "london": london, "a": a, "b": b, "p1": p1, "p2": p2, "p3": p3,
            "f1": f1, "f2": f2, "f3": f3, "matching": rnd}  # fmt: skip


def choices_of(fellow) -> list[int]:
    return list(
        ProjectChoice.objects.filter(fellow=fellow)
        .order_by("rank")
        .values_list("project_id", flat=True)
    )


# Eligibility ------------------------------------------------------------------------------------


def test_fellow_may_rank_only_approved_projects_of_their_cohort_and_region(world):
    rnd, f1 = world["matching"], world["f1"]
    elsewhere = ApprovedProjectFactory(cohort=world["cohort"], region=RegionFactory(name="Wales"))
    draft = ProjectFactory(cohort=world["cohort"], region=world["london"])
    other_cohort = ApprovedProjectFactory(cohort=CohortFactory(), region=world["london"])
    eligible = matching.eligible_projects(f1, rnd)
    assert [p.pk for p in eligible] == [world["p1"].pk, world["p2"].pk, world["p3"].pk]
    for project in (elsewhere, draft, other_cohort):
        assert not matching.is_eligible(f1, project, rnd)


def test_themed_post_ranks_only_projects_of_its_theme_ignoring_case_and_spaces(world):
    rnd = world["matching"]
    themed = FellowFactory(
        cohort=world["cohort"], region=world["london"], post_theme=" haematology "
    )
    blood = ApprovedProjectFactory(
        cohort=world["cohort"], region=world["london"], funder_theme="Haematology  "
    )
    assert [p.pk for p in matching.eligible_projects(themed, rnd)] == [blood.pk]
    assert not matching.is_eligible(themed, world["p1"], rnd)
    # Fellows in unthemed posts may rank themed projects too.
    assert matching.is_eligible(world["f1"], blood, rnd)


def test_round_may_let_themed_posts_rank_any_project_in_their_region(world, faculty):
    rnd = world["matching"]
    themed = FellowFactory(cohort=world["cohort"], region=world["london"], post_theme="Haematology")
    matching.update_settings(rnd, ranking_closes_at=None, themed_posts_any_project=True, by=faculty)
    rnd.refresh_from_db()
    assert matching.is_eligible(themed, world["p1"], rnd)


# Rank rules -------------------------------------------------------------------------------------


def test_ranking_order_refuses_gaps_and_repeats():
    assert matching.ranking_order({10: 2, 11: None, 12: 1}) == [12, 10]
    with pytest.raises(ValidationError) as gap:
        matching.ranking_order({10: 1, 11: 3})
    assert "no project has rank 2" in gap.value.messages[0]
    with pytest.raises(ValidationError) as repeat:
        matching.ranking_order({10: 1, 11: 1, 12: 2}, noun="fellow")
    assert gap.value.messages != repeat.value.messages
    assert "You gave rank 1 to more than one fellow" in repeat.value.messages[0]


def test_save_choices_replaces_the_ranking(world):
    f1, p1, p3 = world["f1"], world["p1"], world["p3"]
    matching.save_choices(f1, [p3.pk, p1.pk], by=f1.user)
    assert choices_of(f1) == [p3.pk, p1.pk]
    assert list(
        ProjectChoice.objects.filter(fellow=f1).order_by("rank").values_list("rank", flat=True)
    ) == [1, 2]


@pytest.mark.parametrize("problem", ["repeat", "ineligible", "draft"])
def test_save_choices_refuses_bad_rankings_and_changes_nothing(world, problem):
    f1, p1 = world["f1"], world["p1"]
    before = choices_of(f1)
    if problem == "repeat":
        ids = [p1.pk, p1.pk]
    elif problem == "ineligible":
        ids = [
            ApprovedProjectFactory(cohort=world["cohort"], region=RegionFactory(name="Wales")).pk
        ]
    else:
        ids = [ProjectFactory(cohort=world["cohort"], region=world["london"]).pk]
    with pytest.raises(ValidationError):
        matching.save_choices(f1, ids, by=f1.user)
    assert choices_of(f1) == before


def test_fellow_cannot_rank_for_someone_else(world):
    with pytest.raises(ValidationError):
        matching.save_choices(world["f1"], [world["p1"].pk], by=world["f2"].user)


def test_no_one_can_rank_after_ranking_closes(world, faculty):
    rnd, f1, a = world["matching"], world["f1"], world["a"]
    before = choices_of(f1)
    rnd.ranking_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    rnd.save()
    with pytest.raises(ValidationError, match="Ranking has closed"):
        matching.save_choices(f1, [world["p2"].pk], by=f1.user)
    assert choices_of(f1) == before
    # Supervisors rank until the matching runs; then no one can.
    matching.save_fellow_ranking(rnd, a, [world["f1"].pk], by=a)
    matching.run_matching(rnd, by=faculty)
    with pytest.raises(ValidationError, match="Ranking has closed"):
        matching.save_fellow_ranking(rnd, a, [world["f2"].pk], by=a)
    type(rnd).objects.filter(pk=rnd.pk).update(ranking_closes_at=None)
    with pytest.raises(ValidationError, match="Ranking has closed"):
        matching.save_choices(f1, [world["p2"].pk], by=f1.user)


def test_supervisor_ranks_only_fellows_who_chose_their_projects(world):
    rnd, b = world["matching"], world["b"]
    assert [c.fellow for c in matching.candidates(rnd, b)] == [world["f2"]]
    with pytest.raises(ValidationError, match="chose one of your projects"):
        matching.save_fellow_ranking(rnd, b, [world["f1"].pk], by=b)
    with pytest.raises(ValidationError):
        matching.save_fellow_ranking(rnd, b, [world["f2"].pk], by=world["a"])
    matching.save_fellow_ranking(rnd, b, [world["f2"].pk], by=b)
    assert FellowRanking.objects.get(matching=rnd, supervisor=b).ranked_by == b


def test_supervisor_capacity_must_be_in_range_and_for_a_supervisor_of_the_cohort(world, faculty):
    rnd = world["matching"]
    with pytest.raises(ValidationError):
        matching.set_supervisor_capacity(rnd, world["a"], 0, by=faculty)
    with pytest.raises(ValidationError):
        matching.set_supervisor_capacity(rnd, UserFactory(), 2, by=faculty)
    matching.set_supervisor_capacity(rnd, world["a"], 1, by=faculty)
    assert SupervisorCapacity.objects.get(matching=rnd, supervisor=world["a"]).capacity == 1
    rows = {r.supervisor: r for r in matching.supervisor_rows(rnd)}
    assert (rows[world["a"]].default, rows[world["a"]].capacity) == (2, 1)
    assert (rows[world["b"]].default, rows[world["b"]].capacity) == (1, 1)


# The instance -----------------------------------------------------------------------------------


def test_build_instance_reads_choices_rankings_and_capacities(world, faculty):
    rnd, p1, p2, p3 = world["matching"], world["p1"], world["p2"], world["p3"]
    f1, f2, f3 = world["f1"], world["f2"], world["f3"]
    unsupervised = ApprovedProjectFactory(
        cohort=world["cohort"],
        region=world["london"],
        supervisor=None,
        supervisor_name="Dr History",
        capacity=2,
    )
    matching.save_choices(f3, [unsupervised.pk, p1.pk], by=f3.user)
    matching.save_choices(f1, [unsupervised.pk, p1.pk, p2.pk], by=f1.user)
    # A choice that is no longer approved, and a fellow no longer in post, are left out.
    p2.status = ProposalStatus.WITHDRAWN
    p2.save()
    FellowFactory(cohort=world["cohort"], region=world["london"], status=FellowStatus.WITHDRAWN)
    matching.set_supervisor_capacity(rnd, world["a"], 1, by=faculty)

    instance = matching.build_instance(rnd).instance
    assert instance.fellow_prefs == {
        f1.pk: [unsupervised.pk, p1.pk],
        f2.pk: [p1.pk, p3.pk],
        f3.pk: [unsupervised.pk, p1.pk],
    }
    a, b, own = f"u{world['a'].pk}", f"u{world['b'].pk}", f"p{unsupervised.pk}"
    assert instance.project_supervisor == {p1.pk: a, p3.pk: b, unsupervised.pk: own}
    assert instance.supervisor_capacity == {a: 1, b: 1, own: 2}
    assert instance.supervisor_prefs[a] == [f2.pk, f1.pk, f3.pk]
    # A project without a supervisor account ranks the fellows who chose it by reference.
    assert instance.supervisor_prefs[own] == [f1.pk, f3.pk]


# Running ----------------------------------------------------------------------------------------


def lines(rnd) -> dict:
    return {
        p.fellow.ref: (p.project.title if p.project else None, p.choice_rank)
        for p in rnd.proposals.select_related("fellow", "project")
    }


def test_run_gives_the_fellow_optimal_stable_allocation_with_reasons(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    rnd.refresh_from_db()
    assert rnd.status == MatchingStatus.PROPOSED
    assert rnd.ran_by == faculty and rnd.ran_at is not None
    assert lines(rnd) == {
        "F-1": ("P2 sepsis", 2),
        "F-2": ("P1 chest X-ray", 1),
        "F-3": (None, None),
    }
    f1 = rnd.proposals.get(fellow=world["f1"])
    assert f1.allocated_project == world["p2"]
    assert f1.reasons == [
        {
            "rank": 1,
            "project": world["p1"].ref,
            "title": "P1 chest X-ray",
            "kind": "project_full",
            "taken_by": ["Fellow 2"],
        }
    ]
    assert matching.stability_report(rnd).sound


def test_supervisor_full_is_explained(world, faculty):
    rnd = world["matching"]
    matching.set_supervisor_capacity(rnd, world["a"], 1, by=faculty)
    matching.run_matching(rnd, by=faculty)
    f1 = rnd.proposals.get(fellow=world["f1"])
    assert f1.project is None
    assert [(r["title"], r["kind"], r["taken_by"]) for r in f1.reasons] == [
        ("P1 chest X-ray", "project_full", ["Fellow 2"]),
        ("P2 sepsis", "supervisor_full", ["Fellow 2"]),
    ]


def test_fellow_who_ranked_nothing_is_unmatched_with_that_reason(world, faculty):
    rnd = world["matching"]
    quiet = FellowFactory(cohort=world["cohort"], region=world["london"], ref="F-9")
    matching.run_matching(rnd, by=faculty)
    line = rnd.proposals.get(fellow=quiet)
    assert line.project is None
    assert matching.ranked_nothing(line)


def test_running_twice_gives_the_same_allocation(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    first = [
        (p.fellow_id, p.project_id, p.choice_rank, p.reasons)
        for p in rnd.proposals.order_by("fellow__ref")
    ]
    matching.run_matching(rnd, by=faculty)
    second = [
        (p.fellow_id, p.project_id, p.choice_rank, p.reasons)
        for p in rnd.proposals.order_by("fellow__ref")
    ]
    assert first == second
    assert ProposedMatch.objects.filter(matching=rnd).count() == 3


def test_cannot_run_without_fellows(faculty):
    rnd = MatchingRoundFactory()
    with pytest.raises(ValidationError, match="no fellows in post"):
        matching.run_matching(rnd, by=faculty)


# Overrides and stability ------------------------------------------------------------------------


def test_override_is_recorded_and_its_blocking_pairs_reported(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    line = rnd.proposals.get(fellow=world["f2"])
    preview = matching.stability_report(rnd, {world["f2"].pk: world["p3"].pk})
    pairs = [(b.fellow.ref, b.project.title) for b in preview.blocking]
    assert pairs == [
        ("F-1", "P1 chest X-ray"),
        ("F-2", "P1 chest X-ray"),
        ("F-3", "P1 chest X-ray"),
    ]
    assert str(preview.blocking[0]) == "Fellow 1 and P1 chest X-ray would both prefer each other"

    with pytest.raises(ValidationError, match="Give a reason"):
        matching.override_match(line, world["p3"], reason="  ", by=faculty)
    matching.override_match(line, world["p3"], reason="Needs to be near home", by=faculty)
    line.refresh_from_db()
    assert (line.project, line.allocated_project, line.choice_rank) == (world["p3"], world["p1"], 2)
    assert (
        line.is_overridden
        and line.overridden_by == faculty
        and line.override_reason == "Needs to be near home"
    )
    assert line.history.count() == 2  # the change is audited
    event = AuditEvent.objects.get(subject=AuditSubject.MATCHING, action=AuditAction.OVERRIDDEN)
    assert (event.actor, event.reference) == (faculty, world["f2"].ref)
    assert "Needs to be near home" in event.summary
    report = matching.stability_report(rnd)
    assert not report.stable
    assert [(b.fellow.ref, b.project.title) for b in report.blocking] == pairs


def test_override_reports_capacity_overruns(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    report = matching.stability_report(rnd, {world["f3"].pk: world["p1"].pk})
    assert [str(o) for o in report.project_overruns] == [
        "P1 chest X-ray would have 2 fellows for 1 place"
    ]
    matching.set_supervisor_capacity(rnd, world["a"], 1, by=faculty)
    report = matching.stability_report(rnd)
    assert [str(o) for o in report.supervisor_overruns] == [
        "Ada Supervisor would have 2 fellows for 1 place"
    ]


def test_override_refuses_projects_outside_the_cohort(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    line = rnd.proposals.get(fellow=world["f3"])
    with pytest.raises(ValidationError, match="approved project of this cohort"):
        matching.override_match(line, ApprovedProjectFactory(), reason="x", by=faculty)


# Publication ------------------------------------------------------------------------------------


def test_publish_places_fellows_records_projects_and_emails_everyone(
    world, faculty, django_capture_on_commit_callbacks
):
    rnd = world["matching"]
    world["p2"].clinical_domain = ClinicalDomain.objects.get_or_create(name="Sepsis")[0]
    world["p2"].save(update_fields=["clinical_domain"])
    matching.run_matching(rnd, by=faculty)
    with django_capture_on_commit_callbacks(execute=True):
        matching.publish_matching(rnd, by=faculty)
    rnd.refresh_from_db()
    assert rnd.status == MatchingStatus.PUBLISHED and rnd.published_by == faculty
    placements = {
        p.fellow.ref: p.project for p in Placement.objects.select_related("fellow", "project")
    }
    assert placements == {"F-1": world["p2"], "F-2": world["p1"]}
    for fellow, project in ((world["f1"], world["p2"]), (world["f2"], world["p1"])):
        fellow.refresh_from_db()
        assert fellow.project_ref == project.ref
        # Mentor matching compares the project's clinical domain (P1 has none recorded).
        assert fellow.project_domain == ("Sepsis" if project == world["p2"] else "")
    world["f3"].refresh_from_db()
    assert world["f3"].project_ref == ""
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world[k].user.email for k in ("f1", "f2", "f3")} | {
        world["a"].email
    }
    assert "P2 sepsis" in by_recipient[world["f1"].user.email].subject
    assert "/projects/choices/result/" in by_recipient[world["f1"].user.email].body
    assert "could not match you" in by_recipient[world["f3"].user.email].body
    supervisor_mail = by_recipient[world["a"].email].body
    assert "Fellow 1" in supervisor_mail and "Fellow 2" in supervisor_mail


def test_publishing_twice_is_refused_and_nothing_changes_after(world, faculty):
    rnd = world["matching"]
    matching.run_matching(rnd, by=faculty)
    matching.publish_matching(rnd, by=faculty)
    with pytest.raises(ValidationError, match="already been published"):
        matching.publish_matching(rnd, by=faculty)
    with pytest.raises(ValidationError, match="published"):
        matching.run_matching(rnd, by=faculty)
    with pytest.raises(ValidationError, match="published"):
        matching.override_match(rnd.proposals.first(), None, reason="late change", by=faculty)


def test_cannot_publish_before_running(world, faculty):
    with pytest.raises(ValidationError, match="Run the matching"):
        matching.publish_matching(world["matching"], by=faculty)
