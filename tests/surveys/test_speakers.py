"""Speakers see the feedback on the workshops where they spoke, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from fellowship.models import Speaker
from surveys import services
from surveys.enums import ANONYMITY_THRESHOLD, QuestionKind
from surveys.models import Invitation, Question, Survey
from tests.conftest import make_person
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def feedback_survey(workshop, *, anonymous=True, title=None) -> Survey:
    now = timezone.now()
    survey = Survey.objects.create(
        key="workshop_feedback",
        title=title or f"Feedback: {workshop.title}",
        workshop=workshop,
        cohort=workshop.cohort,
        anonymous=anonymous,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )
    Question.objects.create(
        survey=survey, key="relevance", kind=QuestionKind.AGREEMENT, text="The session was relevant"
    )
    Question.objects.create(
        survey=survey,
        key="comments",
        kind=QuestionKind.TEXT,
        text="Comments",
        required=False,
        position=1,
    )
    return survey


def answered_by(survey, n: int, comment: str = "Clear and useful") -> None:
    for _ in range(n):
        person = UserFactory()
        Invitation.objects.create(survey=survey, person=person)
        services.submit_response(
            survey, person=person, answers={"relevance": "agree", "comments": comment}
        )


@pytest.fixture
def talks():
    """Two workshops: the speaker spoke at the first only; each has a feedback survey."""
    speaker = make_person(Role.SUPERVISOR, full_name="Dr Sara Speaker")
    mine, theirs = WorkshopFactory(title="Safety cases"), WorkshopFactory(title="Procurement")
    Speaker.objects.create(workshop=mine, name="Dr Sara Speaker", user=speaker)
    Speaker.objects.create(workshop=theirs, name="Someone else", user=UserFactory())
    return speaker, feedback_survey(mine), feedback_survey(theirs)


def test_a_speaker_sees_only_their_own_sessions(talks, login):
    speaker, mine, theirs = talks
    html = login(speaker).get(reverse("my_talks")).content.decode()
    assert "Safety cases" in html and reverse("speaker_results", args=[mine.pk]) in html
    assert "Procurement" not in html and reverse("speaker_results", args=[theirs.pk]) not in html


def test_a_speaker_cannot_see_another_workshops_results(talks, login):
    speaker, mine, theirs = talks
    c = login(speaker)
    assert c.get(reverse("speaker_results", args=[mine.pk])).status_code == 200
    assert c.get(reverse("speaker_results", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.FELLOW, Role.SUPERVISOR, Role.PANELLIST, None])
def test_someone_who_did_not_speak_gets_not_found(talks, login, role):
    _, mine, _ = talks
    person = make_person(role) if role else make_person()
    assert login(person).get(reverse("speaker_results", args=[mine.pk])).status_code == 404


def test_a_survey_without_a_workshop_or_a_template_is_not_found(talks, login):
    speaker, mine, _ = talks
    other = Survey.objects.create(key="exit", title="Exit")
    template = Survey.objects.create(
        key="speaker_test_template", title="Template", workshop=mine.workshop, is_template=True
    )
    c = login(speaker)
    for survey in (other, template):
        assert c.get(reverse("speaker_results", args=[survey.pk])).status_code == 404


def test_faculty_see_any_workshops_speaker_results(talks, login):
    _, mine, theirs = talks
    c = login(make_person(Role.FACULTY))
    for survey in (mine, theirs):
        assert c.get(reverse("speaker_results", args=[survey.pk])).status_code == 200


@pytest.mark.parametrize("anonymous", [True, False])
def test_speakers_see_results_only_from_the_anonymity_threshold(talks, login, anonymous):
    speaker, mine, _ = talks
    Survey.objects.filter(pk=mine.pk).update(anonymous=anonymous)
    mine.refresh_from_db()
    c = login(speaker)
    url = reverse("speaker_results", args=[mine.pk])
    answered_by(mine, ANONYMITY_THRESHOLD - 1, comment="A secret remark")
    html = c.get(url).content.decode()
    assert f"at least {ANONYMITY_THRESHOLD} people" in html
    assert "A secret remark" not in html and "Fewer than" in html
    answered_by(mine, 1)
    html = c.get(url).content.decode()
    if anonymous:
        # An anonymous survey's results wait for it to close; the count moves only in steps.
        assert "A secret remark" not in html and f"At least {ANONYMITY_THRESHOLD}" in html
        assert "after it closes" in html
        Survey.objects.filter(pk=mine.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        html = c.get(url).content.decode()
    assert "A secret remark" in html
    assert f"{ANONYMITY_THRESHOLD} (100%)" in html  # every one agreed


def test_speaker_results_name_nobody_who_answered(talks, login):
    speaker, mine, _ = talks
    people = []
    for _ in range(ANONYMITY_THRESHOLD):
        person = UserFactory()
        people.append(person)
        Invitation.objects.create(survey=mine, person=person)
        services.submit_response(survey=mine, person=person, answers={"relevance": "agree"})
    html = login(speaker).get(reverse("speaker_results", args=[mine.pk])).content.decode()
    for person in people:
        assert person.full_name not in html and person.email not in html


def test_speakers_get_a_link_on_their_home_page(talks, login):
    speaker, _, _ = talks
    assert reverse("my_talks") in login(speaker).get(reverse("home")).content.decode()
    other = make_person(Role.SUPERVISOR)
    assert "Feedback on your sessions" not in login(other).get(reverse("home")).content.decode()


def test_my_talks_queries_do_not_grow_with_the_talks(login):
    speaker = make_person(Role.SUPERVISOR)
    c = login(speaker)
    counts = []
    for n in (1, 4):
        for _ in range(n):
            workshop = WorkshopFactory()
            Speaker.objects.create(workshop=workshop, name="Me", user=speaker)
            feedback_survey(workshop)
        with CaptureQueriesContext(connection) as queries:
            assert c.get(reverse("my_talks")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
