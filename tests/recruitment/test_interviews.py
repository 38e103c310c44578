"""Interviews: panels, slots, allocation around conflicts, invitations, independent scoring,
consensus and the comparison of panels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import AuditEvent
from recruitment import interviews
from recruitment.enums import ConflictReason, Stage
from recruitment.models import (
    Conflict,
    EqualityRecord,
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    StageChange,
)
from tests.factories import ApplicationFactory, CriterionFactory, RoundFactory, submitted

LONDON = ZoneInfo("Europe/London")
EMPLOYER = "Northgate University Hospitals NHS Foundation Trust"  # complete_draft's employer


def shortlisted(rnd, **kwargs):
    application = submitted(ApplicationFactory(round=rnd, **kwargs))
    application.stage = Stage.SHORTLISTED
    application.save()
    return application


@pytest.fixture
def world(role_users, person):
    rnd = RoundFactory()
    criteria = [
        CriterionFactory(round=rnd, position=1, title="Leadership"),
        CriterionFactory(round=rnd, position=2, title="Vision"),
    ]
    panellist = role_users["panellist"]
    colleague = person("panellist", full_name="Dr Second Member")
    panel = InterviewPanel.objects.create(
        round=rnd, name="Panel A", date=dt.date(2026, 6, 1), location="Room 4, Skipton House"
    )
    panel.members.set([panellist, colleague])
    start = dt.datetime(2026, 6, 1, 9, 30, tzinfo=LONDON)
    slot = InterviewSlot.objects.create(
        panel=panel, starts_at=start, ends_at=start + dt.timedelta(minutes=30)
    )
    application = shortlisted(rnd, applicant=role_users["applicant"])
    slot.application = application
    slot.save()
    return {
        "round": rnd,
        "criteria": criteria,
        "panel": panel,
        "slot": slot,
        "application": application,
        "panellist": panellist,
        "colleague": colleague,
        "faculty": role_users["faculty"],
        "users": role_users,
    }


def score_all(world, panellist, values):
    scores = {
        c.pk: (v, f"comment by {panellist}") for c, v in zip(world["criteria"], values, strict=True)
    }
    interviews.save_scores(world["slot"], scores, by=panellist)


# Panels and slots -------------------------------------------------------------------------------


def test_slots_are_made_in_uk_time_and_stored_in_utc(world):
    slots = interviews.add_slots(world["panel"], start=dt.time(13, 0), count=3, minutes=30, gap=10)
    assert [s.starts_at.astimezone(dt.UTC).strftime("%H:%M") for s in slots] == [
        "12:00",
        "12:40",
        "13:20",
    ]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=30) for s in slots)


def test_overlapping_slots_are_refused(world):
    with pytest.raises(ValidationError):
        interviews.add_slots(world["panel"], start=dt.time(9, 45), count=1, minutes=30)


def test_faculty_create_a_panel_with_members(faculty_client, world):
    response = faculty_client.post(
        reverse("panel_create", args=[world["round"].pk]),
        {
            "name": "Panel B",
            "date": "2026-06-02",
            "video_link": "https://teams.example.org/x",
            "members": [world["panellist"].pk],
        },
    )
    panel = InterviewPanel.objects.get(name="Panel B")
    assert response.status_code == 302
    assert list(panel.members.all()) == [world["panellist"]]


@pytest.mark.parametrize("member", [str(10**30), str(-(10**30))])
def test_a_member_id_too_large_for_the_database_is_an_invalid_choice(faculty_client, world, member):
    response = faculty_client.post(
        reverse("panel_create", args=[world["round"].pk]),
        {"name": "Panel B", "date": "2026-06-02", "location": "Room 1", "members": [member]},
    )
    assert response.status_code == 200
    assert f"{member} is not one of the available choices" in response.content.decode()
    assert not InterviewPanel.objects.filter(name="Panel B").exists()


def test_a_panel_needs_a_place_or_a_video_link(faculty_client, world):
    response = faculty_client.post(
        reverse("panel_create", args=[world["round"].pk]), {"name": "Panel B", "date": "2026-06-02"}
    )
    assert response.status_code == 200
    assert "Enter where the panel meets, or a video link" in response.content.decode()


def test_only_panellists_and_faculty_can_be_members(world):
    from recruitment.forms.interviews import PanelForm

    choices = set(PanelForm().fields["members"].queryset)
    assert world["panellist"] in choices and world["faculty"] in choices
    assert world["users"]["fellow"] not in choices


# Allocation -------------------------------------------------------------------------------------


def test_allocation_refuses_a_candidate_with_a_declared_conflict(world):
    other = shortlisted(world["round"])
    Conflict.objects.create(
        application=other, person=world["colleague"], reason=ConflictReason.DECLARED
    )
    free = interviews.add_slots(world["panel"], start=dt.time(14, 0), count=1, minutes=30)[0]
    with pytest.raises(ValidationError, match="conflict of interest"):
        interviews.allocate(free, other, by=world["faculty"])
    free.refresh_from_db()
    assert free.application is None


def test_allocation_refuses_and_records_a_same_employer_conflict(world):
    world["colleague"].organisation = "Northgate University Hospitals"
    world["colleague"].save()
    other = shortlisted(world["round"])
    free = interviews.add_slots(world["panel"], start=dt.time(14, 0), count=1, minutes=30)[0]
    with pytest.raises(ValidationError, match="same organisation"):
        interviews.allocate(free, other, by=world["faculty"])
    conflict = Conflict.objects.get(application=other, person=world["colleague"])
    assert conflict.reason == ConflictReason.SAME_EMPLOYER
    assert conflict.recorded_by == world["faculty"]


def test_allocation_page_shows_the_refusal(faculty_client, world):
    other = shortlisted(world["round"])
    Conflict.objects.create(
        application=other, person=world["panellist"], reason=ConflictReason.DECLARED
    )
    free = interviews.add_slots(world["panel"], start=dt.time(14, 0), count=1, minutes=30)[0]
    response = faculty_client.post(
        reverse("slot_allocate", args=[free.pk]),
        {f"slot{free.pk}-application": other.pk},
        follow=True,
    )
    assert "conflict of interest" in response.content.decode()
    assert not InterviewSlot.objects.filter(application=other).exists()


def test_only_shortlisted_candidates_can_be_allocated(world):
    other = submitted(ApplicationFactory(round=world["round"]))
    free = interviews.add_slots(world["panel"], start=dt.time(14, 0), count=1, minutes=30)[0]
    with pytest.raises(ValidationError):
        interviews.allocate(free, other, by=world["faculty"])


def test_adding_a_conflicted_member_to_a_panel_is_refused(world, person):
    newcomer = person("panellist", organisation=EMPLOYER)
    with pytest.raises(ValidationError):
        interviews.save_panel(world["panel"], [world["panellist"], newcomer], by=world["faculty"])
    assert newcomer not in world["panel"].members.all()


# Invitations and choosing a slot ----------------------------------------------------------------


def test_invitation_email_carries_the_ics(
    world, django_capture_on_commit_callbacks, faculty_client
):
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(reverse("panel_invite", args=[world["panel"].pk]))
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == [world["application"].applicant.email]
    assert reverse("choose_slot", args=[world["application"].ref]) in message.body
    filename, content, mimetype = message.attachments[0]
    assert filename == "interview.ics" and mimetype.startswith("text/calendar")
    assert "DTSTART:20260601T083000Z" in content  # 09:30 BST
    assert f"UID:interview-slot-{world['slot'].pk}@" in content
    world["slot"].refresh_from_db()
    assert world["slot"].invitation_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert interviews.send_invitations(world["panel"], by=world["faculty"]) == 0  # not twice


def test_candidate_chooses_a_free_slot_first_come_first_served(
    world, person, login, django_capture_on_commit_callbacks
):
    later = dt.datetime.now(tz=LONDON) + dt.timedelta(days=10)
    panel = InterviewPanel.objects.create(
        round=world["round"],
        name="Panel B",
        date=later.date(),
        video_link="https://v.example.org/b",
    )
    slot = InterviewSlot.objects.create(
        panel=panel, starts_at=later, ends_at=later + dt.timedelta(minutes=30)
    )
    first, second = person("applicant"), person("applicant")
    a1, a2 = (
        shortlisted(world["round"], applicant=first),
        shortlisted(world["round"], applicant=second),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = login(first).post(reverse("choose_slot", args=[a1.ref]), {"slot": slot.pk})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.application == a1 and slot.chosen_by_candidate
    assert mail.outbox[-1].attachments[0][0] == "interview.ics"
    with pytest.raises(ValidationError):
        interviews.choose_slot(a2, slot, by=second)
    page = login(first).get(reverse("choose_slot", args=[a1.ref]))
    assert (
        "Your interview" in page.content.decode() and "Join the video call" in page.content.decode()
    )


def test_a_candidate_cannot_open_someone_elses_interview_page(world, login, person):
    assert (
        login(person("applicant"))
        .get(reverse("choose_slot", args=[world["application"].ref]))
        .status_code
        == 404
    )


# Panellists' pages ------------------------------------------------------------------------------


def test_panellist_schedule_lists_their_candidates(world, panellist_client):
    page = panellist_client.get(reverse("my_interviews")).content.decode()
    assert "Panel A" in page
    assert world["application"].ref in page
    assert reverse("interview_score", args=[world["slot"].pk]) in page


def test_schedule_query_count_does_not_grow_with_candidates(
    world, panellist_client, django_assert_max_num_queries
):
    url = reverse("my_interviews")
    panellist_client.get(url)
    extra = interviews.add_slots(world["panel"], start=dt.time(13, 0), count=5, minutes=30)
    for slot in extra:
        interviews.allocate(slot, shortlisted(world["round"]), by=world["faculty"])
    Conflict.objects.create(
        application=extra[0].application, person=world["panellist"], reason=ConflictReason.DECLARED
    )
    with django_assert_max_num_queries(12):
        page = panellist_client.get(url).content.decode()
    assert f'href="{reverse("interview_score", args=[extra[1].pk])}"' in page
    assert f'href="{reverse("interview_score", args=[extra[0].pk])}"' not in page  # conflicted
    assert "You have a conflict of interest with this candidate" in page


def test_shortlisted_candidates_without_a_slot_are_emailed_to_choose(
    world, faculty_client, django_capture_on_commit_callbacks
):
    waiting = shortlisted(world["round"])
    later = timezone.now() + dt.timedelta(days=10)
    InterviewSlot.objects.create(
        panel=world["panel"], starts_at=later, ends_at=later + dt.timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(reverse("slot_choice", args=[world["round"].pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[waiting.applicant.email]]
    assert reverse("choose_slot", args=[waiting.ref]) in mail.outbox[0].body


def test_panellist_cannot_see_or_score_a_candidate_outside_their_panel(world, person, login):
    outsider_panellist = person("panellist")
    c = login(outsider_panellist)
    slot = world["slot"]
    assert c.get(reverse("interview_score", args=[slot.pk])).status_code == 404
    assert c.post(reverse("interview_score", args=[slot.pk]), {}).status_code == 404
    assert c.get(reverse("panel_cv", args=[slot.pk])).status_code == 404
    assert c.get(reverse("interview_consensus", args=[slot.pk])).status_code == 404
    with pytest.raises(ValidationError):
        interviews.save_scores(slot, {world["criteria"][0].pk: (3, "")}, by=outsider_panellist)


def test_panellist_cannot_score_conflicted_candidate(world, panellist_client):
    Conflict.objects.create(
        application=world["application"], person=world["panellist"], reason=ConflictReason.DECLARED
    )
    slot = world["slot"]
    criterion = world["criteria"][0]
    assert panellist_client.get(reverse("interview_score", args=[slot.pk])).status_code == 403
    assert (
        panellist_client.post(
            reverse("interview_score", args=[slot.pk]), {f"score_{criterion.pk}": "3"}
        ).status_code
        == 403
    )
    assert panellist_client.get(reverse("panel_cv", args=[slot.pk])).status_code == 404
    assert not InterviewScore.objects.exists()
    with pytest.raises(ValidationError):
        interviews.save_scores(slot, {criterion.pk: (3, "")}, by=world["panellist"])


def test_panellist_with_the_same_employer_cannot_score(world, panellist_client):
    world["panellist"].organisation = EMPLOYER
    world["panellist"].save()
    assert (
        panellist_client.get(reverse("interview_score", args=[world["slot"].pk])).status_code == 403
    )


def test_panel_member_downloads_the_cv(world, panellist_client):
    response = panellist_client.get(reverse("panel_cv", args=[world["slot"].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_no_equality_data_on_panellist_pages(world, panellist_client):
    EqualityRecord.objects.create(
        application=world["application"],
        ethnic_group="zz-ethnic-marker",
        religion="zz-religion-marker",
        sex="zz-sex-marker",
    )
    score_all(world, world["panellist"], [3, 2])
    score_all(world, world["colleague"], [3, 3])
    slot = world["slot"]
    for url in (
        reverse("my_interviews"),
        reverse("interview_score", args=[slot.pk]),
        reverse("interview_consensus", args=[slot.pk]),
    ):
        page = panellist_client.get(url).content.decode()
        assert "zz-" not in page
        assert "ethnic" not in page.lower() and "religion" not in page.lower()


# Independent scoring ----------------------------------------------------------------------------


def test_scores_are_saved_per_criterion_with_who_and_when(world, panellist_client):
    first, second = world["criteria"]
    url = reverse("interview_score", args=[world["slot"].pk])
    response = panellist_client.post(
        url,
        {
            f"score_{first.pk}": "3",
            f"comment_{first.pk}": "Clear example",
            f"score_{second.pk}": "",
        },
    )
    assert response.status_code == 302
    score = InterviewScore.objects.get()
    assert (score.criterion, score.score, score.comment, score.panellist) == (
        first,
        3,
        "Clear example",
        world["panellist"],
    )
    panellist_client.post(
        url,
        {
            f"score_{first.pk}": "4",
            f"comment_{first.pk}": "Better on reflection",
            f"score_{second.pk}": "2",
        },
    )
    score.refresh_from_db()
    assert score.score == 4
    assert [h.score for h in score.history.order_by("history_date")] == [3, 4]
    assert all(h.history_user_id in (None, world["panellist"].pk) for h in score.history.all())
    assert InterviewScore.objects.count() == 2
    events = AuditEvent.objects.filter(subject=AuditSubject.INTERVIEW_SCORE).order_by("pk")
    assert [(e.actor, e.action, e.summary) for e in events] == [
        (world["panellist"], AuditAction.CHANGED, "1 criterion scored"),
        (world["panellist"], AuditAction.CHANGED, "2 criteria scored"),
    ]


def test_others_scores_are_hidden_until_own_scores_are_in(world, panellist_client):
    score_all(world, world["colleague"], [1, 1])
    url = reverse("interview_score", args=[world["slot"].pk])
    page = panellist_client.get(url).content.decode()
    assert "comment by Dr Second Member" not in page
    first, second = world["criteria"]
    panellist_client.post(url, {f"score_{first.pk}": "3"})
    assert (
        "comment by Dr Second Member" not in panellist_client.get(url).content.decode()
    )  # one criterion is not all
    panellist_client.post(url, {f"score_{first.pk}": "3", f"score_{second.pk}": "4"})
    assert "comment by Dr Second Member" in panellist_client.get(url).content.decode()


def test_consensus_waits_for_every_member(world, panellist_client):
    score_all(world, world["panellist"], [3, 2])
    page = panellist_client.get(
        reverse("interview_consensus", args=[world["slot"].pk])
    ).content.decode()
    assert "Still to score: Dr Second Member" in page
    with pytest.raises(ValidationError):
        interviews.record_consensus(
            world["slot"], {c.pk: (3, "") for c in world["criteria"]}, by=world["panellist"]
        )


def test_consensus_sets_interviewed_once_with_a_stage_change(
    world, panellist_client, faculty_client
):
    score_all(world, world["panellist"], [3, 2])
    score_all(world, world["colleague"], [4, 2])
    first, second = world["criteria"]
    url = reverse("interview_consensus", args=[world["slot"].pk])
    page = faculty_client.get(url).content.decode()
    assert "comment by Dr Second Member" in page  # side by side for faculty too
    response = panellist_client.post(
        url,
        {
            f"score_{first.pk}": "3",
            f"comment_{first.pk}": "Agreed after discussion",
            f"score_{second.pk}": "2",
        },
    )
    assert response.status_code == 302
    application = world["application"]
    application.refresh_from_db()
    assert application.stage == Stage.INTERVIEWED
    assert application.furthest_stage == Stage.INTERVIEWED
    change = StageChange.objects.get(application=application, to_stage=Stage.INTERVIEWED)
    assert change.by == world["panellist"] and change.from_stage == Stage.SHORTLISTED
    consensus = application.consensus_scores.get(criterion=first)
    assert (consensus.score, consensus.by) == (3, world["panellist"])
    panellist_client.post(url, {f"score_{first.pk}": "4", f"score_{second.pk}": "2"})
    assert (
        StageChange.objects.filter(application=application, to_stage=Stage.INTERVIEWED).count() == 1
    )
    assert application.consensus_scores.get(criterion=first).score == 4
    agreed = AuditEvent.objects.filter(summary__startswith="Panel's agreed scores")
    assert [e.actor for e in agreed] == [world["panellist"]] * 2
    with pytest.raises(ValidationError):  # own scores are fixed once the panel has agreed
        score_all(world, world["panellist"], [0, 0])


# Comparing panels -------------------------------------------------------------------------------


def drop_second_criterion(world):
    """One criterion, so each member's total for a candidate is their score."""
    second = world["criteria"].pop()
    second.statements.all().delete()
    second.delete()


def test_agreement_page_against_a_hand_checked_matrix(world, faculty_client, person):
    """Totals (one criterion each): candidates × members [[1, 2], [2, 3], [3, 4]].

    Grand mean 2.5; SSR = 2·(1 + 0 + 1) = 4, MSR = 2; SSC = 3·(0.25 + 0.25) = 1.5, MSC = 1.5;
    SSE = 5.5 − 4 − 1.5 = 0. ICC(3,1) = (2 − 0)/2 = 1; ICC(2,1) = 2/(2 + 2·1.5/3) = 2/3.
    Means 2 and 3, SD 1 each.
    """
    rnd = world["round"]
    drop_second_criterion(world)
    panel = world["panel"]
    first, second = world["panellist"], world["colleague"]
    slots = [world["slot"], *interviews.add_slots(panel, start=dt.time(11, 0), count=2, minutes=30)]
    for slot, (a, b) in zip(slots, [(1, 2), (2, 3), (3, 4)], strict=True):
        if slot.application is None:
            interviews.allocate(slot, shortlisted(rnd), by=world["faculty"])
        world["slot"] = slot
        score_all(world, first, [a])
        score_all(world, second, [b])
    empty = InterviewPanel.objects.create(
        round=rnd, name="Panel Z", date=dt.date(2026, 6, 2), location="Leeds"
    )
    [result, waiting] = interviews.panel_agreement(rnd)
    assert result.candidates == 3
    assert result.icc_consistency == pytest.approx(1.0)
    assert result.icc_absolute == pytest.approx(2 / 3)
    spreads = {member: (s.mean, s.sd) for member, s in result.spreads}
    assert spreads == {first: (2.0, 1.0), second: (3.0, 1.0)}
    assert result.offset == pytest.approx(0.0) and not result.flagged
    assert waiting.panel == empty and waiting.candidates == 0
    page = faculty_client.get(reverse("panel_agreement", args=[rnd.pk])).content.decode()
    assert "0.67" in page and "1.00" in page
    assert "Not enough scores yet" in page
    assert "In line with the other panels" in page


def test_disagreeing_panel_shows_no_agreement(world, faculty_client):
    rnd = world["round"]
    drop_second_criterion(world)
    slots = [
        world["slot"],
        *interviews.add_slots(world["panel"], start=dt.time(11, 0), count=1, minutes=30),
    ]
    interviews.allocate(slots[1], shortlisted(rnd), by=world["faculty"])
    for slot, (a, b) in zip(slots, [(0, 4), (4, 0)], strict=True):
        world["slot"] = slot
        score_all(world, world["panellist"], [a])
        score_all(world, world["colleague"], [b])
    [result] = interviews.panel_agreement(rnd)
    assert result.icc_consistency < 0
    assert (
        "No agreement"
        in faculty_client.get(reverse("panel_agreement", args=[rnd.pk])).content.decode()
    )


def test_a_panel_scoring_far_from_the_rest_is_flagged(world, person):
    from recruitment.agreement import panel_offset

    assert (
        abs(panel_offset([4, 4, 4, 4, 4, 4], [4] * 6 + [0, 1, 0, 1, 0, 1] * 5))
        > interviews.OFFSET_FLAG
    )
    # and the page flags it in words
    result = interviews.PanelAgreement(
        panel=world["panel"], members=[], candidates=3, waiting=0, offset=2.5
    )
    assert result.flagged


def test_pages_load_for_faculty(world, faculty_client):
    rnd, panel = world["round"], world["panel"]
    for url in (
        reverse("panel_list", args=[rnd.pk]),
        reverse("panel_create", args=[rnd.pk]),
        reverse("panel_detail", args=[panel.pk]),
        reverse("panel_update", args=[panel.pk]),
        reverse("panel_agreement", args=[rnd.pk]),
    ):
        assert faculty_client.get(url).status_code == 200, url


def test_now_is_used_for_free_slots(world):
    assert list(interviews.free_slots(world["round"]).filter(starts_at__lt=timezone.now())) == []
