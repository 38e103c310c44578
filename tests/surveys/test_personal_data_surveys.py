"""Surveys' part of a person's data: named answers are exported and lose their free text and their
link to the person on erasure; ratings stay, so results and the report are unchanged."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from fellowship import privacy
from fellowship.enums import Role
from fellowship.models import User
from reports.evidence import compute_evidence
from surveys import services
from surveys.enums import QuestionKind
from surveys.models import Answer, Invitation, Question, Response, Survey

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

NAME = "Perpetua Honeysuckle"
EMAIL = "perpetua.honeysuckle@nhs.example"
FREE_TEXT = "The tombola session on explainability was marvellous"


def officer() -> User:
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return User.objects.get(pk=user.pk)


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def survey(*, anonymous: bool, cohort) -> Survey:
    now = timezone.now()
    made = Survey.objects.create(
        key="workshop_feedback",
        title="Anonymous survey" if anonymous else "Workshop feedback",
        anonymous=anonymous,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        workshop=None if anonymous else WorkshopFactory(cohort=cohort),
    )
    Question.objects.create(
        survey=made, key="useful", kind=QuestionKind.AGREEMENT, text="Useful?", position=0
    )
    Question.objects.create(
        survey=made,
        key="comments",
        kind=QuestionKind.TEXT,
        text="Comments",
        position=1,
        required=False,
    )
    return made


@pytest.fixture
def answered():
    cohort = CohortFactory(number=1)
    user = make_person(Role.FELLOW, email=EMAIL, full_name=NAME)
    FellowFactory(user=user, cohort=cohort, full_name=NAME, email=EMAIL)
    named, anonymous = survey(anonymous=False, cohort=cohort), survey(anonymous=True, cohort=cohort)
    for one in (named, anonymous):
        services.invite(one, [user], by=None)
        services.submit_response(
            one, person=user, answers={"useful": "agree", "comments": FREE_TEXT + one.title}
        )
    return user, named


def test_export_holds_named_answers_and_says_anonymous_ones_are_not_linked(answered):
    privacy.write_export(privacy.find_person(EMAIL), buffer := io.BytesIO(), programme="P")
    with zipfile.ZipFile(buffer) as archive:
        answers = json.loads(archive.read("survey-answers.json"))
        invitations = json.loads(archive.read("survey-invitations.json"))
    assert [a["survey"] for a in answers] == ["Workshop feedback"]
    assert {"question": "Comments", "answer": FREE_TEXT + "Workshop feedback"} in answers[0][
        "answers"
    ]
    assert "not linked to you" in next(i for i in invitations if i["anonymous"])["note"]


def test_erasure_removes_free_text_and_the_link_but_keeps_ratings_and_figures(answered):
    user, named = answered
    before = dataclasses.asdict(compute_evidence(1))
    results_before = [q.options for q in services.results(named).questions if q.options]
    privacy.erase_person(privacy.find_person(EMAIL), by=officer(), requested_by="the person")
    everything = dump()
    for secret in (EMAIL, NAME, FREE_TEXT + "Workshop feedback"):
        assert secret.lower() not in everything, secret
    response = Response.objects.get(survey=named)
    assert response.respondent is None
    assert list(Answer.objects.filter(response=response).values_list("value", flat=True)) == [
        "agree"
    ]
    assert [q.options for q in services.results(named).questions if q.options] == results_before
    assert Invitation.objects.get(survey=named, person=user).completed_at is None
    after = dataclasses.asdict(compute_evidence(1))
    before["data"].pop("generated_at"), after["data"].pop("generated_at")
    assert after == before
