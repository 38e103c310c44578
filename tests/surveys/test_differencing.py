"""An insider who differences two looks learns nothing about the one person who answered between.

Faculty, a superuser and the workshop's speaker look at every page that shows an anonymous survey
(results, the survey list, its settings and questions, the send page with the completion list, the
speaker's pages, the home page, the downloads and the admin) while it is open, then one more
person answers, then they look again. Between two steps of the count (a multiple of
ANONYMITY_THRESHOLD) the two looks are byte-identical once the per-request tokens are set aside; at
a step, only the stepped count moves. After it closes, the results show every answer, pool
included, if at least ANONYMITY_THRESHOLD people answered, and nothing otherwise.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from fellowship.models import Speaker
from surveys import builder, services
from surveys.enums import ANONYMITY_THRESHOLD, QuestionKind
from surveys.models import Invitation, PendingResponse, Question, Response, Survey
from tests.conftest import make_person
from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

INVITED = 16


def secret(n: int) -> str:
    return f"Secret remark {n} from the person who answered"


@pytest.fixture
def world(login):
    """An open anonymous workshop feedback survey sent to 16 people, with a speaker."""
    now = timezone.now()
    workshop = WorkshopFactory(title="Safety cases")
    speaker = make_person(Role.SUPERVISOR, full_name="Dr Sara Speaker")
    Speaker.objects.create(workshop=workshop, name="Dr Sara Speaker", user=speaker)
    survey = Survey.objects.create(
        key="workshop_feedback",
        title="Feedback: Safety cases",
        workshop=workshop,
        cohort=workshop.cohort,
        anonymous=True,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )
    Question.objects.create(
        survey=survey, key="relevance", kind=QuestionKind.AGREEMENT, text="Relevant?"
    )
    Question.objects.create(
        survey=survey,
        key="comments",
        kind=QuestionKind.TEXT,
        text="Comments",
        required=False,
        position=1,
    )
    people = [make_person(Role.FELLOW, full_name=f"Fellow Person{n:02d}") for n in range(INVITED)]
    Invitation.objects.bulk_create(
        Invitation(survey=survey, person=p, invited_at=now - timedelta(hours=2)) for p in people
    )
    superuser = make_person(Role.FACULTY, is_staff=True, is_superuser=True)
    return {
        "survey": survey,
        "people": people,
        "clients": [login(p) for p in people],
        "faculty": login(make_person(Role.FACULTY)),
        "superuser": login(superuser),
        "speaker": login(speaker),
    }


def answer(world, n: int, capture) -> None:
    """Person n answers on the page; what is queued after commit (a release) runs, as it would."""
    url = reverse("survey_answer", args=[world["survey"].pk])
    with capture(execute=True):
        page = world["clients"][n].post(url, {"relevance": "agree", "comments": secret(n)})
    assert page.status_code == 302


TOKENS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r"'nonce-[^']+'"), "'nonce-'"),
]


def pages(world) -> dict[str, str]:
    """Every page that shows the survey, for each kind of insider, as text without per-request
    tokens; downloads as what they give, or the page they send you back to."""
    survey = world["survey"]
    question = survey.questions.first()
    faculty_urls = [
        reverse("survey_results", args=[survey.pk]),
        reverse("survey_list"),
        reverse("survey_edit", args=[survey.pk]),
        reverse("question_edit", args=[survey.pk, question.pk]),
        reverse("survey_send", args=[survey.pk]),
        reverse("speaker_results", args=[survey.pk]),
        reverse("home"),
        reverse("survey_export", args=[survey.pk, "csv"]),
        reverse("survey_export", args=[survey.pk, "xlsx"]),
    ]
    admin_urls = [
        reverse("admin:surveys_survey_changelist"),
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        reverse("admin:surveys_survey_delete", args=[survey.pk]),
    ]
    looks = {
        "faculty": faculty_urls,
        "superuser": faculty_urls + admin_urls,
        "speaker": [reverse("speaker_results", args=[survey.pk]), reverse("my_talks")],
    }
    out = {}
    for who, urls in looks.items():
        client = world[who]
        for url in urls:
            # A refused download sends you back with a message: follow it, so that the message
            # is read in this look, and is part of it.
            got = client.get(url, follow="/export/" in url)
            text = f"{got.status_code} {got.redirect_chain if '/export/' in url else ''}\n"
            if got["Content-Type"].startswith("text/html"):
                text += got.content.decode()
            else:
                text += repr(got.content)
            for pattern, replacement in TOKENS:
                text = pattern.sub(replacement, text)
            out[f"{who} {url}"] = text
    return out


def differences(before: dict[str, str], after: dict[str, str]) -> dict[str, list[tuple]]:
    out = {}
    for key in before:
        a, b = before[key].splitlines(), after[key].splitlines()
        changed = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
        if changed or len(a) != len(b):
            out[key] = changed or [("lines", len(a), len(b))]
    return out


def test_two_looks_between_steps_are_identical(world, django_capture_on_commit_callbacks):
    for n in range(6):
        answer(world, n, django_capture_on_commit_callbacks)
    before = pages(world)
    answer(world, 6, django_capture_on_commit_callbacks)
    after = pages(world)
    assert differences(before, after) == {}
    everything = "\n".join(after.values())
    assert secret(6) not in everything and secret(0) not in everything
    # The answers are stored: five released in one batch, two waiting in the pool.
    assert Response.objects.filter(survey=world["survey"]).count() == 5
    assert PendingResponse.objects.filter(survey=world["survey"]).count() == 2


def test_the_first_answer_changes_no_page(world, django_capture_on_commit_callbacks):
    """Not even the builder's "people have answered" note, or the anonymity switch, moves."""
    before = pages(world)
    answer(world, 0, django_capture_on_commit_callbacks)
    assert differences(before, pages(world)) == {}


STEP = re.compile(r"(?i)\b(at least|fewer than) \d+\b")


def test_at_a_step_only_the_stepped_count_moves(world, django_capture_on_commit_callbacks):
    for n in range(ANONYMITY_THRESHOLD * 2 - 1):
        answer(world, n, django_capture_on_commit_callbacks)
    before = pages(world)
    answer(world, ANONYMITY_THRESHOLD * 2 - 1, django_capture_on_commit_callbacks)  # fills a batch
    after = pages(world)
    changed = differences(before, after)
    assert changed  # the count did reach its next step
    for key, lines in changed.items():
        for old, new in lines:
            assert STEP.sub("", old) == STEP.sub("", new), (key, old, new)
            steps = [int(m.split()[-1]) for m in re.findall(r"(?i)at least \d+", new)]
            assert all(s % ANONYMITY_THRESHOLD == 0 for s in steps), (key, new)
    everything = "\n".join(after.values())
    assert not any(secret(n) in everything for n in range(INVITED))


def test_no_page_names_who_has_answered_while_open(world, django_capture_on_commit_callbacks):
    survey = world["survey"]
    for n in range(7):
        answer(world, n, django_capture_on_commit_callbacks)
    looks = pages(world)
    # The admin's delete confirmation lists every invitation, answered or not, alike.
    delete = looks.pop(f"superuser {reverse('admin:surveys_survey_delete', args=[survey.pk])}")
    assert all(f"Invitation: {p.full_name} – {survey.title}<" in delete for p in world["people"])
    everything = "\n".join(looks.values())
    # Neither who has answered nor who has not: the difference of two "not answered" lists
    # names the person in between as surely as an "answered" list.
    assert not any(p.full_name in everything for p in world["people"])
    assert not any(p.email in everything for p in world["people"])
    send = world["faculty"].get(reverse("survey_send", args=[survey.pk])).content.decode()
    assert "At least 5 of 16 people have answered" in send
    assert 'id="answered"' not in send and 'id="not-answered"' not in send


def close(survey: Survey) -> None:
    """The closing time passes (nothing else runs: no task, no sweep)."""
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    survey.refresh_from_db()


def test_after_closing_with_too_few_answers_nothing_is_shown(world, login):
    survey = world["survey"]
    for n in range(ANONYMITY_THRESHOLD - 1):
        services.submit_response(
            survey, person=world["people"][n], answers={"relevance": "agree", "comments": secret(n)}
        )
    close(survey)
    everything = "\n".join(pages(world).values())
    assert not any(secret(n) in everything for n in range(INVITED))
    results = world["faculty"].get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert f"Fewer than {ANONYMITY_THRESHOLD} people answered this anonymous survey" in results
    download = world["faculty"].get(reverse("survey_export", args=[survey.pk, "csv"]))
    assert download.status_code == 302
    assert not services.results(survey).questions


def test_after_closing_with_enough_answers_every_answer_is_shown(world):
    """Seven answered: five were released in a batch, two still wait when the survey closes and
    no task has run. The results page releases them before counting."""
    survey = world["survey"]
    for n in range(7):
        services.submit_response(
            survey, person=world["people"][n], answers={"relevance": "agree", "comments": secret(n)}
        )
        if n == ANONYMITY_THRESHOLD - 1:
            assert services.release_answers(survey) == 5  # the batch the queue would release
    assert PendingResponse.objects.filter(survey=survey).count() == 2
    close(survey)
    html = world["faculty"].get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert all(secret(n) in html for n in range(7))
    assert "7 (100%)" in html
    assert not PendingResponse.objects.filter(survey=survey).exists()
    csv = world["faculty"].get(reverse("survey_export", args=[survey.pk, "csv"]))
    assert csv.status_code == 200
    assert all(secret(n) in csv.content.decode() for n in range(7))
    speaker = world["speaker"].get(reverse("speaker_results", args=[survey.pk])).content.decode()
    assert secret(3) in speaker


def test_an_anonymous_survey_that_has_closed_cannot_open_again(world):
    """Closing, reading the results, opening again for one more answer and closing again would
    show that one answer as the difference between the two results."""
    survey = world["survey"]
    for n in range(ANONYMITY_THRESHOLD):
        services.submit_response(survey, person=world["people"][n], answers={"relevance": "agree"})
    close(survey)
    assert not services.results(survey).hidden
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(Exception, match="cannot open again"):
        builder.update_survey(survey, by=None, closes_at=later)

    edit = reverse("survey_edit", args=[survey.pk])
    form = {
        "title": survey.title,
        "opens_at": timezone.localtime(survey.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"),
        "reminder_every_days": 4,
        "anonymous": "on",
    }
    page = world["faculty"].post(edit, form)
    assert page.status_code == 400 and "cannot open again" in page.content.decode()

    send = world["faculty"].post(
        reverse("survey_send", args=[survey.pk]),
        {
            "audience_kind": "workshop_attendees",
            "workshop": survey.workshop_id,
            "opens_at": form["closes_at"],
            "closes_at": timezone.localtime(later + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "action": "send",
        },
    )
    assert send.status_code == 400 and "cannot open again" in send.content.decode()

    admin = world["superuser"].post(
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        {
            "key": survey.key,
            "title": survey.title,
            "reminder_every_days": 4,
            "opens_at_0": "2020-01-01",
            "opens_at_1": "00:00",
            "closes_at_0": later.date().isoformat(),
            "closes_at_1": "12:00",
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
        },
    )
    assert admin.status_code in (200, 302)
    survey.refresh_from_db()
    assert survey.closes_at < timezone.now() and survey.anonymous
    assert not survey.is_open()

    # Anything that keeps it closed may still change: the page's own values, a new title.
    form["closes_at"] = timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M")
    form["title"] = "Feedback: Safety cases (2026)"
    assert world["faculty"].post(edit, form).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Feedback: Safety cases (2026)" and not survey.is_open()


def test_an_open_anonymous_survey_cannot_be_made_named(world, django_capture_on_commit_callbacks):
    """Made named, its results would show live. Refused from the moment it opens to the people
    it was sent to, whether or not anyone has answered (so the refusal says nothing either)."""
    survey = world["survey"]
    edit = reverse("survey_edit", args=[survey.pk])
    form = {
        "title": survey.title,
        "opens_at": timezone.localtime(survey.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "reminder_every_days": 4,
    }  # "anonymous" left out: unticked
    world["faculty"].post(edit, form)
    survey.refresh_from_db()
    assert survey.anonymous
    admin = world["superuser"].get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert 'name="anonymous"' not in admin.content.decode()
