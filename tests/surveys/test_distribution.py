"""Sending surveys to an audience, the send page, and the reminders to those who have not answered."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import FellowStatus, Role
from recruitment.models import InterviewPanel
from surveys import distribution, services
from surveys.enums import Audience, QuestionKind
from surveys.models import Invitation, Question, Response, Survey
from surveys.tasks import send_survey_reminders
from tests.conftest import make_person
from tests.factories import CohortFactory, FellowFactory, RoundFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def new_survey(*, anonymous: bool = False, **fields) -> Survey:
    survey = Survey.objects.create(key="test", title="Test survey", anonymous=anonymous, **fields)
    Question.objects.create(
        survey=survey, key="useful", kind=QuestionKind.AGREEMENT, text="Useful?"
    )
    return survey


def fellow(cohort, status=FellowStatus.IN_POST, **fields):
    return FellowFactory(cohort=cohort, status=status, user=UserFactory(), **fields)


def window(now=None):
    now = now or timezone.now()
    return {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=14)}


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY)


# Audiences ---------------------------------------------------------------------------------------


def test_cohort_fellows_are_the_in_post_fellows_with_accounts():
    cohort = CohortFactory()
    a, b = fellow(cohort), fellow(cohort)
    no_account = FellowFactory(cohort=cohort, full_name="Nadia Noaccount")
    closed = fellow(cohort)
    closed.user.is_active = False
    closed.user.save()
    fellow(cohort, status=FellowStatus.GRADUATED)
    fellow(cohort, status=FellowStatus.WITHDRAWN)
    fellow(CohortFactory())  # another cohort
    members = distribution.audience_members(
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort)
    )
    assert set(members.people) == {a.user, b.user}
    assert set(members.without_account) == {no_account, closed}


def test_workshop_attendees_are_those_who_came():
    workshop = WorkshopFactory()
    came = [fellow(workshop.cohort), fellow(workshop.cohort, status=FellowStatus.GRADUATED)]
    fellow(workshop.cohort)  # did not come
    workshop.attendees.add(*came)
    members = distribution.audience_members(
        distribution.AudienceChoice(Audience.WORKSHOP_ATTENDEES, workshop=workshop)
    )
    assert set(members.people) == {f.user for f in came}


def test_alumni_are_graduated_fellows_of_every_cohort_or_of_one():
    one, two = CohortFactory(), CohortFactory()
    a = fellow(one, status=FellowStatus.GRADUATED)
    b = fellow(two, status=FellowStatus.GRADUATED)
    fellow(one)  # in post
    everyone = distribution.audience_members(distribution.AudienceChoice(Audience.ALUMNI))
    assert set(everyone.people) == {a.user, b.user}
    of_one = distribution.audience_members(distribution.AudienceChoice(Audience.ALUMNI, cohort=one))
    assert of_one.people == [a.user]


def test_a_person_with_two_fellowships_is_invited_once():
    cohort = CohortFactory()
    person = UserFactory()
    FellowFactory(cohort=cohort, user=person)
    FellowFactory(cohort=cohort, user=person)
    members = distribution.audience_members(
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort)
    )
    assert members.people == [person]


def test_round_panellists_are_the_members_of_its_interview_panels():
    rnd = RoundFactory()
    a, b = UserFactory(), UserFactory()
    panel = InterviewPanel.objects.create(round=rnd, name="A", date=timezone.localdate())
    panel.members.add(a, b)
    members = distribution.audience_members(
        distribution.AudienceChoice(Audience.ROUND_PANELLISTS, round=rnd)
    )
    assert set(members.people) == {a, b}


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (Audience.COHORT_FELLOWS, "cohort"),
        (Audience.WORKSHOP_ATTENDEES, "workshop"),
        (Audience.ROUND_PANELLISTS, "round"),
        ("everyone", "audience_kind"),
    ],
)
def test_an_audience_must_name_what_it_needs(kind, field):
    with pytest.raises(ValidationError) as exc:
        distribution.clean_audience(distribution.AudienceChoice(kind))
    assert set(exc.value.message_dict) == {field}


# Dates -------------------------------------------------------------------------------------------


def test_the_survey_must_close_after_it_opens_and_in_the_future(faculty):
    cohort = CohortFactory()
    fellow(cohort)
    survey = new_survey()
    choice = distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort)
    now = timezone.now()
    cases = [
        ({"opens_at": now, "closes_at": now}, "after the opening"),
        ({"opens_at": now, "closes_at": now - timedelta(days=1)}, "after the opening"),
        ({"opens_at": now - timedelta(days=9), "closes_at": now - timedelta(days=1)}, "future"),
        ({"opens_at": None, "closes_at": now + timedelta(days=1)}, "opens"),
    ]
    for dates, message in cases:
        with pytest.raises(ValidationError, match=message):
            distribution.send(survey, choice, by=faculty, **dates)
    survey.refresh_from_db()
    assert survey.opens_at is None and survey.audience_kind == ""
    assert not Invitation.objects.exists()


# Sending -----------------------------------------------------------------------------------------


def test_sending_invites_and_emails_each_person_once(
    faculty, django_capture_on_commit_callbacks, mailoutbox
):
    cohort = CohortFactory()
    first = [fellow(cohort), fellow(cohort)]
    survey = new_survey()
    choice = distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        invitations = distribution.send(survey, choice, by=faculty, **window())
    assert {i.person for i in invitations} == {f.user for f in first}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f.user.email for f in first)
    assert reverse("survey_answer", args=[survey.pk]) in mailoutbox[0].body
    survey.refresh_from_db()
    assert survey.audience_kind == Audience.COHORT_FELLOWS and survey.cohort == cohort
    assert survey.audience == f"The fellows in post of {cohort}"

    # Sending again reaches only the newcomer.
    newcomer = fellow(cohort)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = distribution.send(survey, choice, by=faculty, **window())
    assert [i.person for i in again] == [newcomer.user]
    assert [m.to for m in mailoutbox] == [[newcomer.user.email]]
    with django_capture_on_commit_callbacks(execute=True):
        assert distribution.send(survey, choice, by=faculty, **window()) == []
    assert Invitation.objects.filter(survey=survey).count() == 3


def test_the_audience_of_a_sent_survey_cannot_change(faculty):
    one, two = CohortFactory(), CohortFactory()
    fellow(one), fellow(two)
    survey = new_survey()
    distribution.send(
        survey,
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=one),
        by=faculty,
        **window(),
    )
    with pytest.raises(ValidationError, match="already been sent"):
        distribution.send(
            survey,
            distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=two),
            by=faculty,
            **window(),
        )
    assert {i.person.fellowships.get().cohort for i in survey.invitations.all()} == {one}


def test_a_template_cannot_be_sent(faculty):
    template = new_survey(is_template=True)
    cohort = CohortFactory()
    with pytest.raises(ValidationError, match="template"):
        distribution.send(
            template,
            distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort),
            by=faculty,
            **window(),
        )


def test_faculty_preview_then_send_on_the_page(
    faculty, login, django_capture_on_commit_callbacks, mailoutbox
):
    workshop = WorkshopFactory()
    came = [fellow(workshop.cohort), fellow(workshop.cohort)]
    missing = FellowFactory(cohort=workshop.cohort, full_name="Omar Noaccount")
    workshop.attendees.add(*came, missing)
    survey = new_survey(workshop=workshop)
    c = login(faculty)
    url = reverse("survey_send", args=[survey.pk])

    page = c.get(url)
    assert page.status_code == 200
    assert page.context["form"]["audience_kind"].value() == Audience.WORKSHOP_ATTENDEES
    assert page.context["form"]["workshop"].value() == workshop.pk

    opens = timezone.localtime() - timedelta(hours=1)
    closes = opens + timedelta(days=10)
    data = {
        "audience_kind": Audience.WORKSHOP_ATTENDEES,
        "workshop": workshop.pk,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
    }
    preview = c.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<strong>2</strong> people will be invited" in html
    assert "Omar Noaccount" in html and "cannot be invited" in html
    assert not Invitation.objects.exists()  # previewing sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        sent = c.post(url, {**data, "action": "send"}, follow=True)
    assert "sent to 2 people" in sent.content.decode()
    assert len(mailoutbox) == 2
    survey.refresh_from_db()
    # Entered and shown in UK time.
    assert timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M") == data["closes_at"]
    assert survey.closes_at.tzinfo is not None
    assert timezone.localtime(survey.closes_at).tzinfo.key == "Europe/London"


def test_the_page_refuses_bad_dates_and_changes_nothing(faculty, login):
    cohort = CohortFactory()
    fellow(cohort)
    survey = new_survey()
    c = login(faculty)
    now = timezone.localtime()
    response = c.post(
        reverse("survey_send", args=[survey.pk]),
        {
            "audience_kind": Audience.COHORT_FELLOWS,
            "cohort": cohort.pk,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "action": "send",
        },
    )
    assert response.status_code == 400
    assert "must be after the opening date and time" in response.content.decode()
    missing = c.post(
        reverse("survey_send", args=[survey.pk]),
        {"audience_kind": Audience.COHORT_FELLOWS, "action": "send"},
    )
    html = missing.content.decode()
    assert missing.status_code == 400
    assert "Enter the date and time the survey opens" in html
    assert not Invitation.objects.exists()
    survey.refresh_from_db()
    assert survey.opens_at is None and survey.closes_at is None


def test_only_faculty_may_send(login, role_users):
    survey = new_survey()
    url = reverse("survey_send", args=[survey.pk])
    for role in ("fellow", "supervisor", "panellist", "outsider"):
        c = login(role_users[role])
        assert c.get(url).status_code == 403
        assert c.post(url, {"action": "send"}).status_code == 403


def completion_world(faculty, *, anonymous: bool):
    cohort = CohortFactory()
    fellows = [fellow(cohort, full_name=name) for name in ("Ann Adams", "Ben Brown", "Cat Cole")]
    for f in fellows:
        f.user.full_name = f.full_name
        f.user.save()
    survey = new_survey(anonymous=anonymous)
    distribution.send(
        survey,
        distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=cohort),
        by=faculty,
        **window(),
    )
    return survey, fellows


def test_the_completion_list_of_a_named_survey_shows_who_answered_never_what(faculty, login):
    survey, fellows = completion_world(faculty, anonymous=False)
    services.submit_response(survey, person=fellows[1].user, answers={"useful": "agree"})
    listing = distribution.completion_list(survey)
    assert [i.person for i in listing.answered] == [fellows[1].user]
    assert [i.person for i in listing.not_answered] == [fellows[0].user, fellows[2].user]

    html = login(faculty).get(reverse("survey_send", args=[survey.pk])).content.decode()
    assert "1 of 3 people have answered" in html
    answered = html.split('id="answered"')[1].split("</ul>")[0]
    assert "Ben Brown" in answered and "Ann Adams" not in answered
    response = Response.objects.get(survey=survey)
    assert str(response.pk) not in html and "agree" not in answered.lower()


def test_the_completion_list_of_an_anonymous_survey_names_nobody(faculty, login):
    """Two looks at a list of who has (or has not) answered name whoever answered in between."""
    survey, fellows = completion_world(faculty, anonymous=True)
    c = login(faculty)
    url = reverse("survey_send", args=[survey.pk])
    before = c.get(url).content.decode()
    services.submit_response(survey, person=fellows[1].user, answers={"useful": "agree"})
    listing = distribution.completion_list(survey)
    assert listing.answered == [] and listing.not_answered == [] and listing.invited == 3
    assert listing.answered_count == services.Answered(exact=None, at_least=0)

    html = c.get(url).content.decode()
    assert "Fewer than 5 of 3 people have answered" in html
    for f in fellows:
        assert f.full_name not in html
    assert 'id="answered"' not in html and 'id="not-answered"' not in html
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub("", before) == strip.sub("", html)

    # Once closed, the count no longer moves, so it is exact; still nobody is named.
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    html = c.get(url).content.decode()
    assert "1 of 3 people have answered" in html and "Ben Brown" not in html


def test_answering_an_anonymous_survey_still_stops_its_reminders(
    faculty, django_capture_on_commit_callbacks, mailoutbox
):
    """Reminders stay automatic: the completion flag is kept, only never shown per person."""
    survey, fellows = completion_world(faculty, anonymous=True)
    services.submit_response(survey, person=fellows[1].user, answers={"useful": "agree"})
    Invitation.objects.filter(survey=survey).update(invited_at=timezone.now() - timedelta(days=30))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert distribution.send_reminders() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        f.user.email for f in (fellows[0], fellows[2])
    )


# Reminders ---------------------------------------------------------------------------------------


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in March 2031, UK time."""
    return datetime(2031, 3, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def open_survey():
    """A survey open from 1 to 20 March 2031, reminding every 4 days, with two people invited on
    the 1st at 10:00."""
    survey = new_survey(opens_at=at(1, 0), closes_at=at(20, 17), reminder_every_days=4)
    people = [UserFactory(), UserFactory()]
    Invitation.objects.bulk_create(
        Invitation(survey=survey, person=p, invited_at=at(1, 10)) for p in people
    )
    return survey, people


def run(now, capture):
    with capture(execute=True):
        return distribution.send_reminders(now=now)


def test_reminders_go_every_n_days_to_those_who_have_not_answered(
    open_survey, django_capture_on_commit_callbacks, mailoutbox
):
    survey, (a, b) = open_survey
    capture = django_capture_on_commit_callbacks
    assert run(at(2), capture) == 0  # invited the day before
    assert run(at(4), capture) == 0  # three days since the invitation
    assert run(at(5), capture) == 2  # four days: one reminder each
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.email, b.email])
    assert "Reminder" in mailoutbox[0].subject and survey.title in mailoutbox[0].subject
    assert reverse("survey_answer", args=[survey.pk]) in mailoutbox[0].body
    assert all(i.reminded_at == at(5) for i in survey.invitations.all())

    assert run(at(5, 17), capture) == 0  # the same day again: nothing
    assert run(at(8, 23), capture) == 0  # three days since the reminder
    mailoutbox.clear()
    Invitation.objects.filter(survey=survey, person=a).update(completed=True)  # a answers
    # Four days on, a run a few minutes earlier in the day than the last one still reminds.
    assert run(at(9, 8, 55), capture) == 1
    assert [m.to for m in mailoutbox] == [[b.email]]  # never to those who answered


def test_no_reminders_before_opening_or_after_closing(
    open_survey, django_capture_on_commit_callbacks, mailoutbox
):
    survey, _ = open_survey
    capture = django_capture_on_commit_callbacks
    assert run(at(20, 17), capture) == 0  # the moment it closes
    assert run(at(25), capture) == 0
    Survey.objects.filter(pk=survey.pk).update(opens_at=at(28), closes_at=at(30))
    assert run(at(27), capture) == 0
    assert mailoutbox == []
    assert not survey.invitations.filter(reminded_at__isnull=False).exists()


def test_recently_invited_people_wait_for_their_reminder(
    open_survey, django_capture_on_commit_callbacks
):
    survey, _ = open_survey
    late = UserFactory()
    Invitation.objects.create(survey=survey, person=late, invited_at=at(4, 15))
    assert run(at(5), django_capture_on_commit_callbacks) == 2
    assert survey.invitations.get(person=late).reminded_at is None
    assert run(at(8), django_capture_on_commit_callbacks) == 1
    assert survey.invitations.get(person=late).reminded_at == at(8)


def test_reminders_skip_templates_and_closed_accounts(
    open_survey, django_capture_on_commit_callbacks
):
    _, (a, _) = open_survey
    a.is_active = False
    a.save()
    template = new_survey(is_template=True)
    Invitation.objects.create(survey=template, person=UserFactory(), invited_at=at(1))
    assert run(at(5), django_capture_on_commit_callbacks) == 1


def test_the_task_runs_the_service_and_is_scheduled_daily(django_capture_on_commit_callbacks):
    survey = new_survey(**window(), reminder_every_days=2)
    person = UserFactory()
    Invitation.objects.create(
        survey=survey, person=person, invited_at=timezone.now() - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_survey_reminders.delay().get() == 1
        assert send_survey_reminders.delay().get() == 0  # idempotent
    entry = settings.CELERY_BEAT_SCHEDULE["survey-reminders"]
    assert entry["task"] == "surveys.tasks.send_survey_reminders"
    assert entry["schedule"].hour == {9} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"


def test_a_round_keeps_one_survey_of_a_kind(faculty):
    rnd = RoundFactory()
    panel = InterviewPanel.objects.create(round=rnd, name="A", date=timezone.localdate())
    panel.members.add(UserFactory())
    first, second = new_survey(), new_survey()
    choice = distribution.AudienceChoice(Audience.ROUND_PANELLISTS, round=rnd)
    distribution.send(first, choice, by=faculty, **window())
    with pytest.raises(ValidationError, match="already has the survey"):
        distribution.send(second, choice, by=faculty, **window())
    assert not second.invitations.exists()


def test_open_surveys_show_when_they_opened_and_close(login):
    person = make_person(Role.FELLOW)
    opens = timezone.now() - timedelta(days=2)
    survey = new_survey(opens_at=opens, closes_at=opens + timedelta(days=30))
    Invitation.objects.create(survey=survey, person=person)
    c = login(person)
    closes = timezone.localtime(survey.closes_at)
    for page in (c.get(reverse("home")), c.get(reverse("my_surveys"))):
        html = page.content.decode()
        assert f"Opened {timezone.localtime(opens):%-d %B %Y}" in html
        assert f"{closes:%-d %B %Y, %H:%M}" in html


def test_the_send_page_queries_do_not_grow_with_the_completion_list(faculty, login):
    survey = new_survey()
    c = login(faculty)
    url = reverse("survey_send", args=[survey.pk])
    counts = []
    for n in (2, 8):
        Invitation.objects.bulk_create(
            Invitation(survey=survey, person=UserFactory(), completed=bool(i % 2)) for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_workshop_survey_sent_to_a_cohort_can_be_sent_again(faculty):
    workshop = WorkshopFactory()
    fellow(workshop.cohort)
    survey = new_survey(workshop=workshop)
    choice = distribution.AudienceChoice(Audience.COHORT_FELLOWS, cohort=workshop.cohort)
    assert len(distribution.send(survey, choice, by=faculty, **window())) == 1
    fellow(workshop.cohort)
    assert len(distribution.send(survey, choice, by=faculty, **window())) == 1
    survey.refresh_from_db()
    assert survey.workshop == workshop  # still the workshop's survey
