"""Shortlisting: reviewers assigned around conflicts of interest, independent and (where the round
says so) anonymised scoring, moderation flags and records, ranking per region, the bulk shortlist
with its stage changes and e-mails, and who may reach each page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent
from recruitment import shortlisting
from recruitment.enums import ConflictReason, Stage
from recruitment.models import (
    Conflict,
    EqualityRecord,
    Moderation,
    ReviewerAssignment,
    ShortlistScore,
    StageChange,
)

from ..factories import (
    CriterionFactory,
    FundedPostFactory,
    RegionFactory,
    RoundFactory,
    submitted,
)

pytestmark = pytest.mark.django_db

EMPLOYER = "Northgate University Hospitals NHS Foundation Trust"  # complete_draft's employer


@pytest.fixture
def rnd():
    rnd = RoundFactory(
        anonymised_shortlisting=True, moderation_margin=1, reviewers_per_application=2
    )
    CriterionFactory(
        round=rnd, title="Leadership", scoring_guidance="Look for change led across teams"
    )
    CriterionFactory(round=rnd, title="Digital skills")
    return rnd


def apply(rnd, region=None, **fields):
    application = submitted(round=rnd)
    if region is not None:
        application.region = region
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    return application


def assign(application, reviewer):
    return ReviewerAssignment.objects.create(application=application, reviewer=reviewer)


def score(assignment, *values, comment=""):
    criteria = list(assignment.application.round.criteria.all())
    shortlisting.save_scores(
        assignment,
        {c.pk: (v, comment) for c, v in zip(criteria, values, strict=True)},
        by=assignment.reviewer,
    )


# Assigning reviewers ---------------------------------------------------------------------------


def test_assignment_gives_each_application_its_number_of_reviewers(rnd, person):
    faculty = person(Role.FACULTY)
    applications = [apply(rnd) for _ in range(3)]
    reviewers = [person(Role.PANELLIST, organisation=f"Trust {n}") for n in range(3)]
    report = shortlisting.assign_reviewers(rnd, reviewers, by=faculty)
    assert report.created == 6 and report.short == []
    for application in applications:
        assert application.reviewer_assignments.count() == 2


def test_same_employer_removes_the_pairing_and_is_recorded(rnd, person):
    faculty = person(Role.FACULTY)
    application = apply(rnd)
    colleague = person(Role.PANELLIST, organisation="Northgate University Hospitals")
    others = [person(Role.PANELLIST, organisation="Elsewhere"), person(Role.FACULTY)]
    report = shortlisting.assign_reviewers(rnd, [colleague, *others], by=faculty)
    assert set(application.reviewer_assignments.values_list("reviewer", flat=True)) == {
        u.pk for u in others
    }
    conflict = Conflict.objects.get(application=application, person=colleague)
    assert conflict.reason == ConflictReason.SAME_EMPLOYER and conflict.recorded_by == faculty
    assert report.conflicts_recorded == 1


def test_declared_conflict_removes_the_assignment_and_is_recorded(rnd, person):
    application = apply(rnd)
    reviewer = person(Role.PANELLIST)
    assignment = assign(application, reviewer)
    score(assignment, 3, 3)
    shortlisting.declare_conflict(assignment, by=reviewer, note="I supervised the applicant")
    conflict = Conflict.objects.get(application=application, person=reviewer)
    assert (
        conflict.reason == ConflictReason.DECLARED and conflict.note == "I supervised the applicant"
    )
    assert not ReviewerAssignment.objects.filter(
        application=application, reviewer=reviewer
    ).exists()
    assert not ShortlistScore.objects.exists()


def test_conflicted_pairing_is_never_reassigned_and_application_is_reported_short(
    rnd, person, faculty_client
):
    faculty = person(Role.FACULTY)
    application = apply(rnd)
    declared, other = person(Role.PANELLIST), person(Role.PANELLIST)
    Conflict.objects.create(
        application=application, person=declared, reason=ConflictReason.DECLARED
    )
    report = shortlisting.assign_reviewers(rnd, [declared, other], by=faculty)
    assert list(application.reviewer_assignments.values_list("reviewer", flat=True)) == [other.pk]
    assert report.short == [application]
    page = faculty_client.get(reverse("shortlisting", args=[rnd.pk])).content.decode()
    assert "Applications that need reviewers" in page and f"{application.ref}: 1 of 2" in page


def test_assigning_again_keeps_existing_reviewers_and_tops_up(rnd, person):
    faculty = person(Role.FACULTY)
    application = apply(rnd)
    first, second, third = (person(Role.PANELLIST) for _ in range(3))
    assign(application, first)
    shortlisting.assign_reviewers(rnd, [first, second, third], by=faculty)
    reviewers = set(application.reviewer_assignments.values_list("reviewer", flat=True))
    assert len(reviewers) == 2 and first.pk in reviewers


def test_assignment_skips_ineligible_and_withdrawn_applications(rnd, person):
    faculty = person(Role.FACULTY)
    ineligible = apply(rnd, stage=Stage.INELIGIBLE)
    withdrawn = apply(rnd, stage=Stage.WITHDRAWN)
    shortlisting.assign_reviewers(rnd, [person(Role.PANELLIST), person(Role.PANELLIST)], by=faculty)
    assert not ReviewerAssignment.objects.filter(application__in=[ineligible, withdrawn]).exists()


def test_faculty_assign_reviewers_through_the_page_and_reviewers_are_emailed(
    rnd, person, faculty_client, django_capture_on_commit_callbacks
):
    application = apply(rnd)
    reviewers = [person(Role.PANELLIST), person(Role.PANELLIST)]
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            reverse("shortlisting", args=[rnd.pk]),
            {"action": "assign", "reviewers": [u.pk for u in reviewers]},
        )
    assert response.status_code == 302
    assert application.reviewer_assignments.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in reviewers)


def test_only_panellists_and_faculty_can_be_chosen_as_reviewers(rnd, person, faculty_client):
    apply(rnd)
    fellow = person(Role.FELLOW)
    response = faculty_client.post(
        reverse("shortlisting", args=[rnd.pk]), {"action": "assign", "reviewers": [fellow.pk]}
    )
    assert response.status_code == 200
    assert not ReviewerAssignment.objects.exists()


# Scoring ---------------------------------------------------------------------------------------


def test_anonymised_scoring_page_hides_name_email_employer_and_registration(rnd, person, login):
    application = apply(rnd)
    reviewer = person(Role.PANELLIST)
    assignment = assign(application, reviewer)
    page = login(reviewer).get(reverse("shortlist_score", args=[assignment.pk])).content.decode()
    assert application.ref in page and "Look for change led across teams" in page
    assert "I led a quality improvement project." in page
    assert application.applicant.full_name not in page
    assert application.applicant.email not in page
    assert "Northgate" not in page
    assert application.registration_number not in page


def test_named_scoring_page_shows_name_but_never_email_or_registration(person, login):
    rnd = RoundFactory(anonymised_shortlisting=False)
    CriterionFactory(round=rnd)
    application = apply(rnd)
    reviewer = person(Role.PANELLIST)
    assignment = assign(application, reviewer)
    page = login(reviewer).get(reverse("shortlist_score", args=[assignment.pk])).content.decode()
    assert application.applicant.full_name in page and "Northgate" in page
    assert application.applicant.email not in page and application.registration_number not in page


def test_reviewer_scores_per_criterion_and_can_edit_until_the_shortlist(rnd, person, login):
    application = apply(rnd)
    reviewer = person(Role.PANELLIST)
    assignment = assign(application, reviewer)
    client = login(reviewer)
    url = reverse("shortlist_score", args=[assignment.pk])
    leadership, digital = rnd.criteria.all()
    response = client.post(
        url, {f"score_{leadership.pk}": "3", f"comment_{leadership.pk}": "Clear"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.completed_at is None
    client.post(url, {f"score_{leadership.pk}": "4", f"score_{digital.pk}": "2"})
    assignment.refresh_from_db()
    assert dict(assignment.scores.values_list("criterion", "score")) == {
        leadership.pk: 4,
        digital.pk: 2,
    }
    assert assignment.completed_at is not None
    shortlisting.make_shortlist(rnd, [application], by=person(Role.FACULTY))
    client.post(url, {f"score_{leadership.pk}": "0"})
    assert assignment.scores.get(criterion=leadership).score == 4


def test_scores_outside_zero_to_four_are_refused(rnd, person, login):
    assignment = assign(apply(rnd), person(Role.PANELLIST))
    leadership = rnd.criteria.first()
    response = login(assignment.reviewer).post(
        reverse("shortlist_score", args=[assignment.pk]), {f"score_{leadership.pk}": "5"}
    )
    assert response.status_code == 200
    assert not ShortlistScore.objects.exists()


def test_reviewer_cannot_see_other_reviewers_scores(rnd, person, login):
    application = apply(rnd)
    me, other = person(Role.PANELLIST), person(Role.PANELLIST)
    mine, theirs = assign(application, me), assign(application, other)
    score(theirs, 4, 4, comment="Outstanding digital portfolio")
    score(mine, 1, 1)
    page = login(me).get(reverse("shortlist_score", args=[mine.pk])).content.decode()
    assert "Outstanding digital portfolio" not in page
    assert other.full_name not in page
    assert 'value="4" checked' not in page and "checked" in page


def test_reviewer_cannot_open_another_reviewers_assignment(rnd, person, login, panellist_client):
    assignment = assign(apply(rnd), person(Role.PANELLIST))
    assert panellist_client.get(reverse("shortlist_score", args=[assignment.pk])).status_code == 404
    assert (
        panellist_client.get(reverse("declare_conflict", args=[assignment.pk])).status_code == 404
    )
    assert (
        panellist_client.post(
            reverse("declare_conflict", args=[assignment.pk]), {"note": "x"}
        ).status_code
        == 404
    )
    assert ReviewerAssignment.objects.filter(pk=assignment.pk).exists()


def test_declaring_a_conflict_through_the_page_needs_a_reason(rnd, person, login):
    assignment = assign(apply(rnd), person(Role.PANELLIST))
    client = login(assignment.reviewer)
    url = reverse("declare_conflict", args=[assignment.pk])
    assert client.post(url, {"note": ""}).status_code == 200
    assert client.post(url, {"note": "She is my colleague"}).status_code == 302
    assert Conflict.objects.get(person=assignment.reviewer).reason == ConflictReason.DECLARED
    assert not ReviewerAssignment.objects.filter(pk=assignment.pk).exists()


def test_my_reviews_lists_only_my_assignments(rnd, person, login):
    me = person(Role.PANELLIST)
    mine = apply(rnd)
    theirs = apply(rnd)
    assign(mine, me)
    assign(theirs, person(Role.PANELLIST))
    page = login(me).get(reverse("my_reviews")).content.decode()
    assert mine.ref in page and theirs.ref not in page


# Moderation -----------------------------------------------------------------------------------


def test_application_is_flagged_when_reviewers_differ_by_more_than_the_margin(rnd, person):
    application = apply(rnd)
    first, second = (
        assign(application, person(Role.PANELLIST)),
        assign(application, person(Role.PANELLIST)),
    )
    score(first, 1, 3)
    score(second, 3, 3)
    (row,) = shortlisting.results(rnd)[1][0].rows
    assert row.flagged
    assert [r.flagged for r in row.results] == [True, False]


def test_application_is_not_flagged_when_reviewers_differ_within_the_margin(rnd, person):
    application = apply(rnd)
    first, second = (
        assign(application, person(Role.PANELLIST)),
        assign(application, person(Role.PANELLIST)),
    )
    score(first, 2, 3)
    score(second, 3, 4)
    (row,) = shortlisting.results(rnd)[1][0].rows
    assert not row.flagged
    assert str(row.total) == "6.0"  # 2.5 + 3.5


def test_needs_moderation_compares_the_widest_gap_with_the_margin():
    assert shortlisting.needs_moderation([0, 2], 1)
    assert not shortlisting.needs_moderation([1, 2], 1)
    assert not shortlisting.needs_moderation([4], 0)
    assert shortlisting.needs_moderation([2, 3, 4], 1)


def test_moderated_score_records_who_and_why_and_replaces_the_mean(rnd, person, login):
    application = apply(rnd)
    first, second = (
        assign(application, person(Role.PANELLIST)),
        assign(application, person(Role.PANELLIST)),
    )
    score(first, 0, 2)
    score(second, 4, 2)
    faculty = person(Role.FACULTY)
    leadership = rnd.criteria.first()
    url = reverse("shortlist_moderate", args=[application.ref, leadership.pk])
    client = login(faculty)
    assert client.get(url).status_code == 200
    assert client.post(url, {"score": "3", "reason": ""}).status_code == 200  # a reason is required
    assert (
        client.post(url, {"score": "3", "reason": "Evidence of leading change"}).status_code == 302
    )
    moderation = Moderation.objects.get(application=application, criterion=leadership)
    assert (moderation.score, moderation.by, moderation.reason) == (
        3,
        faculty,
        "Evidence of leading change",
    )
    assert moderation.at is not None
    event = AuditEvent.objects.get(
        subject=AuditSubject.SHORTLIST_SCORE, action=AuditAction.OVERRIDDEN
    )
    assert (event.actor, event.reference) == (faculty, application.ref)
    assert "Evidence of leading change" in event.summary
    # The two reviewers' scores are in the audit log too, each under its reviewer.
    changed = AuditEvent.objects.filter(
        subject=AuditSubject.SHORTLIST_SCORE, action=AuditAction.CHANGED
    )
    assert {e.actor_id for e in changed} == {first.reviewer_id, second.reviewer_id}
    (row,) = shortlisting.results(rnd)[1][0].rows
    assert not row.flagged
    assert str(row.total) == "5.0"  # moderated 3 (not the mean 2) + 2


def test_moderation_of_a_criterion_from_another_round_is_not_found(rnd, faculty_client):
    application = apply(rnd)
    stranger = CriterionFactory()
    assert (
        faculty_client.get(
            reverse("shortlist_moderate", args=[application.ref, stranger.pk])
        ).status_code
        == 404
    )


# Ranking and the shortlist --------------------------------------------------------------------


def scored(rnd, region, value, reviewers):
    application = apply(rnd, region=region)
    for reviewer in reviewers:
        score(assign(application, reviewer), value, value)
    return application


def test_ranking_is_per_region_and_the_default_is_twice_the_places(rnd, person):
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    FundedPostFactory(cohort=rnd.cohort, region=north, places=1)
    reviewers = [person(Role.PANELLIST), person(Role.PANELLIST)]
    best, second, third = (scored(rnd, north, v, reviewers) for v in (4, 3, 1))
    southern = scored(rnd, south, 4, reviewers)
    _, groups = shortlisting.results(rnd)
    by_region = {g.region: g for g in groups}
    north_rows = by_region["North"].rows
    assert [r.application for r in north_rows] == [best, second, third]
    assert [r.rank for r in north_rows] == [1, 2, 3]
    assert [r.selected for r in north_rows] == [True, True, False]
    assert [r.selected for r in by_region["South"].rows] == [False]  # no funded places in the South
    assert by_region["South"].rows[0].application == southern


def test_ties_share_a_rank_and_both_are_ticked_at_the_cut_off(rnd, person):
    north = RegionFactory(name="North")
    FundedPostFactory(cohort=rnd.cohort, region=north, places=1)
    reviewers = [person(Role.PANELLIST)]
    scored(rnd, north, 4, reviewers)
    scored(rnd, north, 2, reviewers)
    scored(rnd, north, 2, reviewers)
    rows = shortlisting.results(rnd)[1][0].rows
    assert [r.rank for r in rows] == [1, 2, 2]
    assert all(r.selected for r in rows)


def test_themed_posts_rank_their_specialty_apart(rnd, person):
    north = RegionFactory(name="North")
    FundedPostFactory(cohort=rnd.cohort, region=north, places=1)
    FundedPostFactory(cohort=rnd.cohort, region=north, places=1, specialty_theme="Haematology")
    haem = apply(rnd, region=north, specialty="haematology")
    other = apply(rnd, region=north, specialty="Cardiology")
    groups = {
        (g.region, g.theme): [r.application for r in g.rows] for g in shortlisting.results(rnd)[1]
    }
    assert groups == {("North", ""): [other], ("North", "Haematology"): [haem]}


def test_bulk_shortlist_changes_stages_records_changes_and_emails_both_groups(
    rnd, person, faculty_client, role_users, django_capture_on_commit_callbacks
):
    chosen, rejected, longlisted = apply(rnd), apply(rnd), apply(rnd, stage=Stage.LONGLISTED)
    ineligible, withdrawn = apply(rnd, stage=Stage.INELIGIBLE), apply(rnd, stage=Stage.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            reverse("shortlisting", args=[rnd.pk]),
            {"action": "shortlist", "applications": [chosen.pk]},
        )
    assert response.status_code == 302
    for application, stage in [
        (chosen, Stage.SHORTLISTED),
        (rejected, Stage.UNSUCCESSFUL),
        (longlisted, Stage.UNSUCCESSFUL),
        (ineligible, Stage.INELIGIBLE),
        (withdrawn, Stage.WITHDRAWN),
    ]:
        application.refresh_from_db()
        assert application.stage == stage
    assert chosen.furthest_stage == Stage.SHORTLISTED
    change = StageChange.objects.get(application=chosen)
    assert (change.from_stage, change.to_stage, change.by) == (
        Stage.SUBMITTED,
        Stage.SHORTLISTED,
        role_users["faculty"],
    )
    assert StageChange.objects.filter(to_stage=Stage.UNSUCCESSFUL).count() == 2
    assert not StageChange.objects.filter(application__in=[ineligible, withdrawn]).exists()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert "Congratulations" in by_address[chosen.applicant.email].body
    assert "interview" in by_address[chosen.applicant.email].body
    assert "feedback" in by_address[rejected.applicant.email].body
    assert "shortlisted" in by_address[longlisted.applicant.email].body


def test_shortlist_needs_at_least_one_application(rnd, faculty_client):
    application = apply(rnd)
    response = faculty_client.post(reverse("shortlisting", args=[rnd.pk]), {"action": "shortlist"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.stage == Stage.SUBMITTED


def test_shortlist_refuses_an_application_that_is_not_in_the_running(rnd, person):
    withdrawn = apply(rnd, stage=Stage.WITHDRAWN)
    with pytest.raises(ValidationError):
        shortlisting.make_shortlist(rnd, [withdrawn], by=person(Role.FACULTY))


# Permissions, equality data and queries -------------------------------------------------------

NOT_FACULTY = ["applicant", "fellow", "alumnus", "supervisor", "funder", "outsider", "panellist"]


@pytest.mark.parametrize("role", NOT_FACULTY)
def test_only_faculty_reach_the_faculty_shortlisting_pages(rnd, role, role_users, login):
    application = apply(rnd)
    client = login(role_users[role])
    assert client.get(reverse("shortlisting", args=[rnd.pk])).status_code == 403
    url = reverse("shortlist_moderate", args=[application.ref, rnd.criteria.first().pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"score": "2", "reason": "x"}).status_code == 403
    assert not Moderation.objects.exists()


@pytest.mark.parametrize(
    "role", ["applicant", "fellow", "alumnus", "supervisor", "funder", "outsider"]
)
def test_people_who_do_not_review_cannot_reach_reviewer_pages(rnd, role, role_users, login):
    assignment = assign(apply(rnd), role_users["panellist"])
    client = login(role_users[role])
    assert client.get(reverse("my_reviews")).status_code == 403
    assert client.get(reverse("shortlist_score", args=[assignment.pk])).status_code == 403
    assert client.get(reverse("declare_conflict", args=[assignment.pk])).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(rnd, client):
    assert client.get(reverse("shortlisting", args=[rnd.pk])).status_code == 302
    assert client.get(reverse("my_reviews")).status_code == 302


def test_no_equality_values_on_any_shortlisting_page(rnd, person, login, role_users):
    application = apply(rnd)
    EqualityRecord.objects.create(
        application=application, sex="non_binary", ethnic_group="white_roma", religion="buddhist",
        sexual_orientation="bisexual", age_band="50+", disability="yes",
    )  # fmt: skip
    reviewer = role_users["panellist"]
    assignment = assign(application, reviewer)
    score(assignment, 2, 3)
    pages = [
        (login(reviewer), reverse("my_reviews")),
        (login(reviewer), reverse("shortlist_score", args=[assignment.pk])),
        (login(reviewer), reverse("declare_conflict", args=[assignment.pk])),
        (login(role_users["faculty"]), reverse("shortlisting", args=[rnd.pk])),
        (
            login(role_users["faculty"]),
            reverse("shortlist_moderate", args=[application.ref, rnd.criteria.first().pk]),
        ),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode().lower()
        for probe in [
            "non_binary",
            "non-binary",
            "white_roma",
            "roma",
            "buddhist",
            "bisexual",
            "50 or over",
            "equality",
        ]:
            assert probe not in text, (url, probe)


def test_faculty_shortlisting_page_uses_a_fixed_number_of_queries(rnd, person, faculty_client):
    url = reverse("shortlisting", args=[rnd.pk])
    reviewers = [person(Role.PANELLIST), person(Role.PANELLIST), person(Role.FACULTY)]

    def add_scored_application():
        application = apply(rnd)
        FundedPostFactory(cohort=rnd.cohort, region=application.region)
        for reviewer in reviewers[:2]:
            score(assign(application, reviewer), 2, 3)
        Moderation.objects.create(
            application=application,
            criterion=rnd.criteria.first(),
            score=2,
            reason="r",
            by=reviewers[2],
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add_scored_application()
    few = queries()
    for _ in range(6):
        add_scored_application()
    assert queries() == few
