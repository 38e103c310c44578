"""Who sees which surveys in lists: `Survey.objects.for_user()`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fellowship.enums import Role
from fellowship.models import Speaker
from surveys.models import Survey
from tests.conftest import make_person
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveys():
    mine, theirs = WorkshopFactory(title="Safety cases"), WorkshopFactory(title="Procurement")
    speaker = make_person(Role.SUPERVISOR)
    Speaker.objects.create(workshop=mine, name="Dr Sara Speaker", user=speaker)
    Speaker.objects.create(workshop=theirs, name="Someone else", user=UserFactory())
    return {
        "speaker": speaker,
        "mine": Survey.objects.create(key="workshop_feedback", title="Mine", workshop=mine),
        "theirs": Survey.objects.create(key="workshop_feedback", title="Theirs", workshop=theirs),
        "exit": Survey.objects.create(key="exit", title="Exit"),
        "template": Survey.objects.create(key="exit", title="Exit template", is_template=True),
    }


def test_faculty_see_every_survey_and_template(surveys):
    seen = set(Survey.objects.for_user(make_person(Role.FACULTY)))
    assert seen == set(Survey.objects.all()) >= set(surveys.values()) - {surveys["speaker"]}


def test_a_speaker_sees_only_the_feedback_surveys_of_their_own_workshops(surveys):
    assert list(Survey.objects.for_user(surveys["speaker"])) == [surveys["mine"]]


@pytest.mark.parametrize("role", [Role.FELLOW, Role.PANELLIST, Role.FUNDER, None])
def test_anyone_else_sees_no_survey_in_a_list(surveys, role):
    someone = make_person(role) if role else make_person()
    assert not Survey.objects.for_user(someone).exists()
    assert not Survey.objects.for_user(AnonymousUser()).exists()
