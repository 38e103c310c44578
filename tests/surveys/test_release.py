"""The pool of an anonymous survey's waiting answers: when it is released, that nothing is lost or
counted twice, what closing does, the periodic sweep, and the rules that keep a survey's pages
still while it is open (the builder's lock, the threshold)."""

from __future__ import annotations

import importlib
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys import builder, services
from surveys.enums import ANONYMITY_THRESHOLD, RELEASE_BATCH, QuestionKind
from surveys.models import Answer, Invitation, PendingResponse, Question, Response, Survey
from surveys.tasks import release_due_answers, release_survey_answers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def open_survey(*, anonymous: bool = True, invited: int = 12) -> tuple[Survey, list]:
    now = timezone.now()
    survey = Survey.objects.create(
        key="pool_test",
        title="Pool test",
        anonymous=anonymous,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )
    Question.objects.create(survey=survey, key="useful", kind=QuestionKind.AGREEMENT, text="U?")
    Question.objects.create(
        survey=survey, key="note", kind=QuestionKind.TEXT, text="Note", required=False, position=1
    )
    people = [UserFactory() for _ in range(invited)]
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in people)
    return survey, people


def answer(survey: Survey, person, n: int):
    return services.submit_response(
        survey, person=person, answers={"useful": "agree", "note": f"Note {n}"}
    )


def close(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    survey.refresh_from_db()


def notes(survey: Survey) -> list[str]:
    return sorted(
        Answer.objects.filter(response__survey=survey, question__key="note").values_list(
            "value", flat=True
        )
    )


def test_a_full_pool_is_released_after_the_answer_that_fills_it(
    django_capture_on_commit_callbacks,
):
    survey, people = open_survey()
    for n, person in enumerate(people[: RELEASE_BATCH - 1]):
        with django_capture_on_commit_callbacks(execute=True) as queued:
            answer(survey, person, n)
        assert queued == []  # nothing is queued until the pool is full
    assert not Response.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        answer(survey, people[RELEASE_BATCH - 1], RELEASE_BATCH - 1)
    assert len(queued) == 1
    assert Response.objects.filter(survey=survey).count() == RELEASE_BATCH
    assert not PendingResponse.objects.exists()
    assert notes(survey) == sorted(f"Note {n}" for n in range(RELEASE_BATCH))


def test_an_open_surveys_pool_is_not_released_before_it_is_full():
    survey, people = open_survey()
    for n, person in enumerate(people[: RELEASE_BATCH - 1]):
        answer(survey, person, n)
    assert services.release_answers(survey) == 0
    assert release_survey_answers.delay(survey_id=survey.pk).get() == 0
    assert release_due_answers.delay().get() == 0
    assert PendingResponse.objects.filter(survey=survey).count() == RELEASE_BATCH - 1


def test_the_sweep_releases_closed_surveys_and_full_pools_the_queue_missed():
    full, full_people = open_survey()
    partial, partial_people = open_survey()
    closed, closed_people = open_survey()
    for n in range(RELEASE_BATCH + 1):
        answer(full, full_people[n], n)  # the queue was down: nothing released it
    for n in range(2):
        answer(partial, partial_people[n], n)
        answer(closed, closed_people[n], n)
    close(closed)
    assert release_due_answers.delay().get() == RELEASE_BATCH + 1 + 2
    assert Response.objects.filter(survey=full).count() == RELEASE_BATCH + 1
    assert Response.objects.filter(survey=closed).count() == 2
    assert PendingResponse.objects.filter(survey=partial).count() == 2
    assert list(PendingResponse.objects.values_list("survey", flat=True).distinct()) == [partial.pk]


def test_the_sweep_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["release-survey-answers"]
    assert entry["task"] == "surveys.tasks.release_due_answers"
    assert entry["schedule"] <= 15 * 60


def test_a_pending_answer_counts_as_answered():
    survey, people = open_survey()
    answer(survey, people[0], 0)
    with pytest.raises(ValidationError, match="already answered"):
        answer(survey, people[0], 1)
    assert services.answer_count(survey) == 1
    assert Invitation.objects.get(survey=survey, person=people[0]).completed
    assert not services.open_invitations(people[0]).exists()


def test_a_release_that_fails_loses_nothing(monkeypatch):
    survey, people = open_survey()
    for n, person in enumerate(people[:RELEASE_BATCH]):
        answer(survey, person, n)
    services.release_answers(survey)
    answer(survey, people[RELEASE_BATCH], RELEASE_BATCH)
    close(survey)
    before = notes(survey)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Answer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.release_answers(survey)
    monkeypatch.undo()
    assert notes(survey) == before
    assert PendingResponse.objects.filter(survey=survey).count() == 1
    assert services.release_answers(survey) == 1
    assert notes(survey) == sorted(f"Note {n}" for n in range(RELEASE_BATCH + 1))


def test_each_release_writes_every_response_again_with_new_keys(monkeypatch):
    monkeypatch.setattr("surveys.release._RNG", random.Random(7))
    survey, people = open_survey()
    for n, person in enumerate(people[:RELEASE_BATCH]):
        answer(survey, person, n)
    services.release_answers(survey)
    first_keys = set(Response.objects.values_list("pk", flat=True))
    answer(survey, people[RELEASE_BATCH], RELEASE_BATCH)
    close(survey)
    services.release_answers(survey)
    keys = set(Response.objects.values_list("pk", flat=True))
    assert len(keys) == RELEASE_BATCH + 1 and not keys & first_keys
    assert not Response.objects.filter(submitted_on__isnull=False).exists()
    assert not Response.objects.filter(respondent__isnull=False).exists()


def test_answers_to_a_question_deleted_meanwhile_go_with_it():
    survey, people = open_survey()
    for n, person in enumerate(people[:3]):
        answer(survey, person, n)
    survey.questions.get(key="note").delete()  # only the admin can: the builder refuses
    close(survey)
    assert services.release_answers(survey) == 3
    assert Response.objects.filter(survey=survey).count() == 3
    assert set(Answer.objects.values_list("question__key", flat=True)) == {"useful"}


def test_closing_early_in_the_builder_releases_the_pool(django_capture_on_commit_callbacks):
    survey, people = open_survey()
    for n, person in enumerate(people[:2]):
        answer(survey, person, n)
    with django_capture_on_commit_callbacks(execute=True):
        builder.update_survey(survey, by=None, closes_at=timezone.now() - timedelta(seconds=1))
    assert not PendingResponse.objects.exists()
    assert Response.objects.filter(survey=survey).count() == 2


def test_a_named_survey_answers_straight_into_its_responses():
    survey, people = open_survey(anonymous=False)
    response = answer(survey, people[0], 0)
    assert isinstance(response, Response) and response.respondent == people[0]
    assert response.submitted_on == timezone.localdate()
    assert Invitation.objects.get(person=people[0]).completed_at is not None
    assert not PendingResponse.objects.exists()


# The builder keeps an open anonymous survey's pages still -----------------------------------


def test_an_open_anonymous_survey_counts_as_answered_before_anyone_has():
    """Otherwise the builder's "people have answered" note, and the changes it refuses, would
    tell faculty the moment the first person answered."""
    survey, _ = open_survey()
    assert builder.has_responses(survey)
    question = survey.questions.get(key="note")
    with pytest.raises(ValidationError, match="may have answered"):
        builder.delete_question(question, by=None)
    with pytest.raises(ValidationError):
        builder.save_question(
            survey, by=None, question=question, kind=QuestionKind.NUMBER, key="note", text="N"
        )

    named, _ = open_survey(anonymous=False)
    assert not builder.has_responses(named)  # named surveys: as before, from the first answer
    unsent = Survey.objects.create(key="x", title="Unsent", anonymous=True)
    assert not builder.has_responses(unsent)


def test_a_pending_answer_locks_the_questions_too():
    survey, people = open_survey()
    answer(survey, people[0], 0)
    Invitation.objects.filter(survey=survey).delete()  # even with no completion list left
    assert builder.has_responses(survey)


def test_the_anonymity_threshold_is_the_disclosure_policys_default():
    """One number for "too few to show": the survey threshold and the policy's default."""
    import fellowship.settings as project_settings

    source = Path(project_settings.__file__).read_text()
    default = re.search(r'envint\("EQUALITY_SUPPRESS_BELOW", "(\d+)"\)', source)
    assert default and int(default.group(1)) == ANONYMITY_THRESHOLD == 5
    assert RELEASE_BATCH >= ANONYMITY_THRESHOLD


# Answers stored before the pool existed ----------------------------------------------------------


def test_the_migration_rewrites_earlier_anonymous_responses_without_order_or_date():
    migration = importlib.import_module("surveys.migrations.0005_anonymous_answers_pool")
    survey, people = open_survey()
    named, _ = open_survey(anonymous=False)
    for n in range(6):  # as the old code stored them: in the order of answering, with the day
        for target in (survey, named):
            response = Response.objects.create(survey=target, submitted_on=timezone.localdate())
            Answer.objects.create(
                response=response, question=target.questions.get(key="note"), value=f"Note {n}"
            )
    Invitation.objects.filter(survey=survey, person=people[0]).update(
        completed=True, completed_at=timezone.now()
    )
    before = set(Response.objects.filter(survey=survey).values_list("pk", flat=True))
    named_before = list(Response.objects.filter(survey=named).values_list("pk", "submitted_on"))
    migration.rewrite_anonymous_responses(apps, None)
    after = set(Response.objects.filter(survey=survey).values_list("pk", flat=True))
    assert len(after) == 6 and not after & before
    assert notes(survey) == sorted(f"Note {n}" for n in range(6))
    assert not Response.objects.filter(survey=survey, submitted_on__isnull=False).exists()
    assert not Invitation.objects.filter(completed_at__isnull=False).exists()
    assert list(Response.objects.filter(survey=named).values_list("pk", "submitted_on")) == (
        named_before
    )


def test_closed_surveys_are_those_whose_closing_time_has_passed():
    survey, _ = open_survey()
    assert survey not in Survey.objects.closed()
    close(survey)
    assert survey in Survey.objects.closed()
    template = Survey.objects.create(
        key="closed_template", title="T", is_template=True, closes_at=timezone.now()
    )
    assert template not in Survey.objects.closed()


def test_replacing_responses_writes_them_in_a_random_order(monkeypatch):
    """How the history import can write an anonymous survey's rows: not in the file's order."""
    monkeypatch.setattr("surveys.release._RNG", random.Random(3))
    survey, _ = open_survey()
    note = survey.questions.get(key="note").pk
    old = services.replace_responses(survey, [{note: "Old"}])
    day = timezone.localdate() - timedelta(days=400)
    written = services.replace_responses(
        survey, [{note: f"Row {n}"} for n in range(10)], submitted_on=day
    )
    assert notes(survey) == sorted(f"Row {n}" for n in range(10))  # the old one replaced
    assert not Response.objects.filter(pk=old[0].pk).exists()
    # Written (and so stored) in another order than given.
    written_order = [Answer.objects.get(response=r).value for r in written]
    assert written_order != [f"Row {n}" for n in range(10)]
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {day}
