"""Surveys: answer validation, answering once while open, anonymity, results, panellist feedback."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from recruitment.models import InterviewPanel
from surveys import services
from surveys.enums import ANONYMITY_THRESHOLD, PANELLIST_FEEDBACK, QuestionKind
from surveys.models import Answer, Invitation, PendingResponse, Question, Response, Survey
from tests.conftest import make_person
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

PANEL_KEYS = [
    "clarity_of_criteria",
    "fairness_consistency",
    "structure_flow",
    "coordination_logistics",
    "overall_effectiveness",
]
ALL_AGREE = dict.fromkeys(PANEL_KEYS, "agree")


def make_survey(*, anonymous: bool = False, **fields) -> Survey:
    """An open survey with one question of each kind."""
    now = timezone.now()
    survey = Survey.objects.create(
        key="test",
        title="Test survey",
        anonymous=anonymous,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        **fields,
    )
    specs = [
        ("colour", QuestionKind.SINGLE_CHOICE, True, [["red", "Red"], ["blue", "Blue"]]),
        (
            "tools",
            QuestionKind.MULTIPLE_CHOICE,
            False,
            [["py", "Python"], ["r", "R"], ["xl", "Excel"]],
        ),
        ("useful", QuestionKind.AGREEMENT, True, []),
        ("hours", QuestionKind.NUMBER, False, []),
        ("comments", QuestionKind.TEXT, False, []),
    ]
    for position, (key, kind, required, options) in enumerate(specs):
        Question.objects.create(
            survey=survey,
            key=key,
            kind=kind,
            text=key.title(),
            required=required,
            position=position,
            options=options,
        )
    return survey


def invited(survey: Survey, n: int = 1) -> list:
    people = [UserFactory() for _ in range(n)]
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in people)
    return people


def question(survey: Survey, key: str) -> Question:
    return survey.questions.get(key=key)


# Validation per question kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("colour", "red", "red"),
        ("tools", ["xl", "py"], ["py", "xl"]),
        ("tools", "r", ["r"]),
        ("useful", "strongly_disagree", "strongly_disagree"),
        ("hours", "12", 12),
        ("hours", "2.5", 2.5),
        ("comments", "  Very good.  ", "Very good."),
        ("tools", [], None),
        ("hours", "", None),
        ("comments", "   ", None),
    ],
)
def test_valid_answers_are_cleaned_per_kind(key, raw, stored):
    assert services.clean_answer(question(make_survey(), key), raw) == stored


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("colour", "green"),
        ("colour", ["red"]),
        ("tools", ["py", "py"]),
        ("tools", ["cobol"]),
        ("useful", "agree strongly"),
        ("useful", 5),
        ("hours", "lots"),
        ("hours", "NaN"),
        ("hours", "Infinity"),
        ("hours", True),
        ("comments", ["a list"]),
        ("comments", "x" * 5001),
    ],
)
def test_invalid_answers_are_refused_per_kind(key, raw):
    with pytest.raises(ValidationError):
        services.clean_answer(question(make_survey(), key), raw)


def test_required_questions_must_be_answered():
    survey = make_survey()
    with pytest.raises(ValidationError) as exc:
        services.clean_answers(survey, {"tools": ["py"]})
    assert set(exc.value.message_dict) == {"colour", "useful"}


def test_answers_to_unknown_questions_are_refused():
    survey = make_survey()
    with pytest.raises(ValidationError):
        services.clean_answers(survey, {"colour": "red", "useful": "agree", "shoe_size": "9"})


# Answering once, while open, only when invited --------------------------------------------------


def test_named_response_keeps_who_answered_and_when():
    survey = make_survey()
    [person] = invited(survey)
    response = services.submit_response(
        survey, person=person, answers={"colour": "red", "useful": "agree"}
    )
    assert response.respondent == person
    invitation = Invitation.objects.get(survey=survey, person=person)
    assert invitation.completed and invitation.completed_at is not None
    assert dict(response.answers.values_list("question__key", "value")) == {
        "colour": "red",
        "useful": "agree",
    }


def test_second_response_is_refused():
    survey = make_survey(anonymous=True)
    [person] = invited(survey)
    services.submit_response(survey, person=person, answers={"colour": "red", "useful": "agree"})
    with pytest.raises(ValidationError, match="already answered"):
        services.submit_response(
            survey, person=person, answers={"colour": "blue", "useful": "agree"}
        )
    # The first answer waits in the pool, and counts as given.
    assert PendingResponse.objects.filter(survey=survey).count() == 1
    assert services.answer_count(survey) == 1


def test_closed_survey_refuses_answers():
    survey = make_survey()
    [person] = invited(survey)
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    with pytest.raises(ValidationError, match="closed"):
        services.submit_response(
            survey, person=person, answers={"colour": "red", "useful": "agree"}
        )
    assert not Response.objects.exists()
    assert not Invitation.objects.get(person=person).completed


def test_person_not_invited_cannot_answer():
    survey = make_survey()
    with pytest.raises(ValidationError, match="not been asked"):
        services.submit_response(
            survey, person=UserFactory(), answers={"colour": "red", "useful": "agree"}
        )
    assert not Response.objects.exists()


def test_invalid_answers_store_nothing_and_leave_the_invitation_open():
    survey = make_survey(anonymous=True)
    [person] = invited(survey)
    with pytest.raises(ValidationError):
        services.submit_response(
            survey, person=person, answers={"colour": "green", "useful": "agree"}
        )
    assert not Response.objects.exists()
    assert not Invitation.objects.get(person=person).completed


# Anonymity ---------------------------------------------------------------------------------------


def close(survey: Survey) -> None:
    """The closing time passes (no task or sweep runs)."""
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - timedelta(days=14), closes_at=now - timedelta(seconds=1)
    )
    survey.refresh_from_db()


def test_anonymous_response_cannot_be_linked_to_its_respondent():
    survey = make_survey(anonymous=True)
    people = invited(survey, 3)
    for person in people:
        services.submit_response(
            survey, person=person, answers={"colour": "red", "useful": "agree", "comments": "Fine"}
        )
    # The answers wait in the pool until it fills or the survey closes.
    assert not Response.objects.exists()
    assert PendingResponse.objects.filter(survey=survey).count() == 3
    close(survey)
    assert services.release_answers(survey) == 3

    # The rows: no respondent, no date, random UUID keys.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_response")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert set(columns) == {"id", "survey_id", "respondent_id", "submitted_on"}
    assert len(rows) == 3
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        assert record["respondent_id"] is None
        assert uuid.UUID(str(record["id"]))
        assert record["submitted_on"] is None  # not even the day
    assert {f.column for f in Response._meta.concrete_fields} == set(columns)
    assert (
        Response._meta.pk.get_internal_type() == Answer._meta.pk.get_internal_type() == "UUIDField"
    )

    # No column or foreign key joins a response or an answer to the completion list or a person,
    # other than the respondent, which anonymous surveys leave empty.
    with connection.cursor() as cursor:
        links = {
            table: connection.introspection.get_relations(cursor, table)
            for table in (
                "surveys_response",
                "surveys_answer",
                "surveys_invitation",
                "surveys_pendingresponse",
            )
        }
    assert {target for _, target in links["surveys_response"].values()} == {
        "surveys_survey",
        "fellowship_user",
    }
    assert {
        col for col, (_, target) in links["surveys_response"].items() if target == "fellowship_user"
    } == {"respondent_id"}
    assert {target for _, target in links["surveys_answer"].values()} == {
        "surveys_response",
        "surveys_question",
    }
    assert {target for _, target in links["surveys_invitation"].values()} == {
        "surveys_survey",
        "fellowship_user",
    }
    assert {target for _, target in links["surveys_pendingresponse"].values()} == {"surveys_survey"}

    # The completion list says who answered, but not when.
    invitations = Invitation.objects.filter(survey=survey)
    assert all(i.completed and i.completed_at is None for i in invitations)

    # No admin page lists responses or answers, and they keep no history table.
    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Answer)
    assert not admin.site.is_registered(PendingResponse)
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith("surveys_historical")]


# Results ----------------------------------------------------------------------------------------


def test_results_count_and_percentages_over_those_who_answered():
    survey = make_survey()
    people = invited(survey, 4)
    answers = [
        {"colour": "red", "useful": "agree", "tools": ["py", "r"], "hours": "10"},
        {"colour": "red", "useful": "agree", "tools": ["py"]},
        {"colour": "blue", "useful": "strongly_agree", "tools": ["py"], "hours": "4"},
        {"colour": "red", "useful": "disagree", "comments": "More time"},
    ]
    for person, given in zip(people, answers, strict=True):
        services.submit_response(survey, person=person, answers=given)
    outcome = services.results(survey)
    assert outcome.responses == 4 and not outcome.hidden
    by_key = {q.question.key: q for q in outcome.questions}

    colour = {o.value: (o.count, o.percent) for o in by_key["colour"].options}
    assert colour == {"red": (3, 75), "blue": (1, 25)}
    # 3 people answered the optional multiple choice: Python 3/3, R 1/3 (33%), Excel 0
    assert by_key["tools"].answered == 3
    tools = {o.value: (o.count, o.percent, o.display) for o in by_key["tools"].options}
    assert tools == {"py": (3, 100, "3 (100%)"), "r": (1, 33, "1 (33%)"), "xl": (0, 0, "0 (0%)")}
    useful = {o.value: o.count for o in by_key["useful"].options}
    assert useful == {
        "strongly_agree": 1,
        "agree": 2,
        "neutral": 0,
        "disagree": 1,
        "strongly_disagree": 0,
    }
    assert [o.percent for o in by_key["useful"].options] == [25, 50, 0, 25, 0]
    assert by_key["hours"].answered == 2 and by_key["hours"].mean == 7
    assert by_key["comments"].texts == ["More time"]


def test_anonymous_results_wait_for_closing_and_five_responses():
    survey = make_survey(anonymous=True)
    people = invited(survey, ANONYMITY_THRESHOLD + 1)
    for i, person in enumerate(people[:-1]):
        services.submit_response(
            survey,
            person=person,
            answers={"colour": "red", "useful": "agree", "comments": f"Note {i}"},
        )
    # Five have answered, but the survey is open: nothing yet, and the count only in steps.
    outcome = services.results(survey)
    assert outcome.hidden and outcome.waiting_for_close and outcome.questions == []
    assert outcome.responses == ANONYMITY_THRESHOLD

    services.submit_response(
        survey,
        person=people[-1],
        answers={"colour": "blue", "useful": "agree", "comments": "Another"},
    )
    close(survey)
    # Closed: every answer, including those still in the pool, is counted.
    outcome = services.results(survey)
    assert not outcome.hidden and outcome.responses == 6
    assert not PendingResponse.objects.exists()
    by_key = {q.question.key: q for q in outcome.questions}
    assert by_key["comments"].texts == ["Another", "Note 0", "Note 1", "Note 2", "Note 3", "Note 4"]
    assert {o.value: o.display for o in by_key["colour"].options} == {
        "red": "5 (83%)",
        "blue": "1 (17%)",
    }


def test_an_anonymous_survey_closed_with_fewer_than_five_never_shows_results():
    survey = make_survey(anonymous=True)
    for person in invited(survey, ANONYMITY_THRESHOLD - 1):
        services.submit_response(
            survey, person=person, answers={"colour": "red", "useful": "agree", "comments": "Me"}
        )
    close(survey)
    outcome = services.results(survey)
    assert outcome.hidden and not outcome.waiting_for_close and outcome.questions == []
    assert Response.objects.filter(survey=survey).count() == ANONYMITY_THRESHOLD - 1  # kept
    with pytest.raises(ValidationError, match="Fewer than"):
        services.check_released(survey)


# Panellist feedback of a recruitment round -------------------------------------------------------


@pytest.fixture
def panelled_round():
    rnd = RoundFactory()
    a, b, c = (make_person(Role.PANELLIST) for _ in range(3))
    panel_1 = InterviewPanel.objects.create(round=rnd, name="Panel 1", date=timezone.localdate())
    panel_2 = InterviewPanel.objects.create(round=rnd, name="Panel 2", date=timezone.localdate())
    panel_1.members.add(a, b)
    panel_2.members.add(b, c)  # b sits on both panels
    other = InterviewPanel.objects.create(
        round=RoundFactory(), name="Elsewhere", date=timezone.localdate()
    )
    other.members.add(UserFactory())
    return rnd, [a, b, c], panel_2


def test_the_panellist_feedback_template_is_seeded():
    template = Survey.objects.templates().get(key=PANELLIST_FEEDBACK)
    assert template.anonymous
    assert list(template.questions.values_list("key", "kind", "required")) == [
        *[(k, QuestionKind.AGREEMENT, True) for k in PANEL_KEYS],
        ("comments", QuestionKind.TEXT, False),
    ]


def test_send_panellist_feedback_invites_each_panel_member_once(
    panelled_round, django_capture_on_commit_callbacks, mailoutbox
):
    rnd, members, panel_2 = panelled_round
    faculty = make_person(Role.FACULTY)
    with django_capture_on_commit_callbacks(execute=True):
        survey, invitations = services.send_panellist_feedback(rnd, by=faculty)
    assert survey.round == rnd and survey.anonymous and not survey.is_template
    assert survey.created_by == faculty
    assert list(survey.questions.values_list("key", flat=True)) == [*PANEL_KEYS, "comments"]
    assert timedelta(days=13, hours=23) < survey.closes_at - timezone.now() <= timedelta(days=14)
    assert {i.person for i in invitations} == set(members)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)
    assert reverse("survey_answer", args=[survey.pk]) in mailoutbox[0].body

    # A second send reaches only a newcomer, and keeps the same survey.
    newcomer = make_person(Role.PANELLIST)
    panel_2.members.add(newcomer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again, invitations = services.send_panellist_feedback(rnd, by=faculty)
    assert again == survey
    assert [i.person for i in invitations] == [newcomer]
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    assert Survey.objects.filter(round=rnd).count() == 1
    assert Invitation.objects.filter(survey=survey).count() == 4


def test_nothing_is_sent_if_the_sending_fails(
    panelled_round, django_capture_on_commit_callbacks, mailoutbox
):
    rnd, _, _ = panelled_round
    survey, _ = services.send_panellist_feedback(rnd, by=None)
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.opens_at = survey.closes_at - timedelta(days=14)
    survey.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.send_panellist_feedback(rnd, by=None)
    assert mailoutbox == []


# Views -------------------------------------------------------------------------------------------


def test_faculty_confirm_then_send_to_panellists(
    panelled_round, login, django_capture_on_commit_callbacks, mailoutbox
):
    rnd, members, _ = panelled_round
    c = login(make_person(Role.FACULTY))
    url = reverse("survey_send_panellists", args=[rnd.pk])
    page = c.get(url)
    assert page.status_code == 200
    for person in members:
        assert person.full_name in page.content.decode()
    assert not Survey.objects.filter(round=rnd).exists()  # a GET sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(url).status_code == 302
    assert len(mailoutbox) == 3
    assert "Sent" in c.get(url).content.decode()


def test_only_faculty_may_send_or_see_results(panelled_round, login):
    rnd, members, _ = panelled_round
    survey, _ = services.send_panellist_feedback(rnd, by=None)
    c = login(members[0])
    assert c.get(reverse("survey_send_panellists", args=[rnd.pk])).status_code == 403
    assert c.post(reverse("survey_send_panellists", args=[rnd.pk])).status_code == 403
    assert c.get(reverse("survey_results", args=[survey.pk])).status_code == 403


def test_panellist_answers_on_the_form_once(panelled_round, login):
    rnd, members, _ = panelled_round
    survey, _ = services.send_panellist_feedback(rnd, by=None)
    c = login(members[0])
    assert survey.title in c.get(reverse("my_surveys")).content.decode()
    url = reverse("survey_answer", args=[survey.pk])
    form = c.get(url)
    assert form.status_code == 200
    assert form.content.decode().count('class="nhsuk-radios__input"') == 5 * 5

    incomplete = c.post(url, {"clarity_of_criteria": "agree"})
    assert incomplete.status_code == 400
    assert not Response.objects.exists()

    done = c.post(url, {**ALL_AGREE, "comments": "Well run"}, follow=True)
    assert "Thank you" in done.content.decode()
    waiting = PendingResponse.objects.get(survey=survey)  # anonymous: in the pool
    assert len(waiting.answers) == 6 and "Well run" in waiting.answers.values()

    again = c.post(url, {**ALL_AGREE, "overall_effectiveness": "disagree"})
    assert again.status_code == 200 and "cannot answer it again" in again.content.decode()
    assert services.answer_count(survey) == 1
    assert survey.title not in c.get(reverse("my_surveys")).content.decode()


def test_people_not_invited_get_not_found(panelled_round, login):
    rnd, _, _ = panelled_round
    survey, _ = services.send_panellist_feedback(rnd, by=None)
    url = reverse("survey_answer", args=[survey.pk])
    for user in (make_person(Role.FACULTY), make_person(Role.PANELLIST), make_person()):
        c = login(user)
        assert c.get(url).status_code == 404
        assert c.post(url, ALL_AGREE).status_code == 404
    template = Survey.objects.templates().get(key=PANELLIST_FEEDBACK)
    assert login(make_person()).get(reverse("survey_answer", args=[template.pk])).status_code == 404
    assert not Response.objects.exists()


def test_closed_survey_cannot_be_answered_on_the_page(panelled_round, login):
    rnd, members, _ = panelled_round
    survey, _ = services.send_panellist_feedback(rnd, by=None)
    closed = timezone.now() - timedelta(seconds=1)
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=closed - timedelta(days=14), closes_at=closed
    )
    c = login(members[0])
    url = reverse("survey_answer", args=[survey.pk])
    assert "This survey is closed" in c.get(url).content.decode()
    assert "This survey is closed" in c.post(url, ALL_AGREE).content.decode()
    assert not Response.objects.exists()
    assert survey.title not in c.get(reverse("my_surveys")).content.decode()


def test_faculty_see_anonymous_results_only_after_closing_with_five_responses(
    panelled_round, login
):
    rnd, _, panel_2 = panelled_round
    panel_2.members.add(*[make_person(Role.PANELLIST) for _ in range(2)])
    survey, invitations = services.send_panellist_feedback(rnd, by=None)
    c = login(make_person(Role.FACULTY))
    url = reverse("survey_results", args=[survey.pk])
    people = [i.person for i in invitations]
    for person in people[:4]:
        services.submit_response(
            survey, person=person, answers={**ALL_AGREE, "comments": "A secret"}
        )
    page = c.get(url).content.decode()
    assert "at least 5 people" in page and "A secret" not in page
    services.submit_response(survey, person=people[4], answers=ALL_AGREE)
    page = c.get(url).content.decode()
    assert "A secret" not in page and "after it closes" in page  # still open
    close(survey)
    page = c.get(url).content.decode()
    assert "A secret" in page and "5 (100%)" in page


def test_round_page_links_to_sending_the_panellist_survey(login):
    rnd = RoundFactory()
    page = login(make_person(Role.FACULTY)).get(reverse("round_detail", args=[rnd.pk]))
    assert reverse("survey_send_panellists", args=[rnd.pk]) in page.content.decode()


def test_open_surveys_are_listed_on_the_home_page(role_users, panellist_client):
    from django.urls import reverse

    from recruitment.models import InterviewPanel
    from tests.factories import RoundFactory

    rnd = RoundFactory()
    panel = InterviewPanel.objects.create(round=rnd, name="Panel", date=rnd.closes_at.date())
    panel.members.add(role_users["panellist"])
    survey = services.send_panellist_feedback(rnd, by=None)[0]
    html = panellist_client.get(reverse("home")).content.decode()
    assert "Surveys for you to answer" in html
    assert reverse("survey_answer", args=[survey.pk]) in html


def test_exit_survey_grid_questions_are_answered_row_by_row_on_the_page(login):
    survey = services.create_from_template(
        "exit_survey",
        by=None,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    [person] = invited(survey)
    c = login(person)
    url = reverse("survey_answer", args=[survey.pk])
    page = c.get(url).content.decode()
    assert "The curriculum" in page and "What next" in page  # section headings
    assert 'name="achieved__ai_fundamentals"' in page and 'name="valuable__datacamp"' in page

    themes = ["ai_fundamentals", "regulation_standards", "validation_evaluation"]
    themes += ["integration_systems", "strategy_culture"]
    answers = {
        "recommend": "recommend",
        "archetypes": ["embedder"],
        "career_next_12_months": ["other"],
        **{f"achieved__{t}": "yes" for t in themes},
        **{f"apply__{t}": "no" for t in themes[:-1]},  # one row left blank
        "valuable__networking": "agree",
    }
    missing = c.post(url, answers)
    assert missing.status_code == 400
    assert "Select an answer for Strategy &amp; Culture" in missing.content.decode()
    assert not Response.objects.exists()

    assert c.post(url, {**answers, "apply__strategy_culture": "yes"}).status_code == 302
    keys = dict(survey.questions.values_list("pk", "key"))
    stored = {keys[int(k)]: v for k, v in PendingResponse.objects.get().answers.items()}
    assert stored["apply"] == {**dict.fromkeys(themes[:-1], "no"), "strategy_culture": "yes"}
    assert stored["valuable"] == {"networking": "agree"}  # optional grid: rows may be blank


def test_invitation_to_a_survey_that_opens_later_says_when_it_opens(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    survey = make_survey()
    survey.opens_at = timezone.now() + timedelta(days=2)
    survey.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(survey, [make_person(Role.FELLOW)], by=None)
    (email,) = mail.outbox
    opens = timezone.localtime(survey.opens_at)
    assert f"The survey opens on {opens:%A} {opens.day} {opens:%B %Y}" in email.body


def test_a_fellow_cannot_see_another_fellows_named_answers(login):
    from fellowship.models import Speaker
    from tests.factories import WorkshopFactory

    workshop = WorkshopFactory()
    survey = make_survey(workshop=workshop, cohort=workshop.cohort)
    author, colleague = make_person(Role.FELLOW), make_person(Role.FELLOW)
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in (author, colleague))
    Speaker.objects.create(workshop=workshop, name="A speaker", user=make_person(Role.SUPERVISOR))
    secret = "My supervisor never turns up to our meetings"
    services.submit_response(
        survey, person=author, answers={"colour": "red", "useful": "agree", "comments": secret}
    )

    client = login(colleague)
    pages = [
        client.get(reverse("survey_answer", args=[survey.pk])),
        client.get(reverse("survey_results", args=[survey.pk])),
        client.get(reverse("speaker_results", args=[survey.pk])),
        client.get(reverse("survey_export", args=[survey.pk, "csv"])),
        client.get(reverse("my_surveys")),
        client.get(reverse("my_talks")),
    ]
    assert [p.status_code for p in pages] == [200, 403, 404, 403, 200, 200]
    for page in pages:
        body = page.content.decode()
        assert secret not in body and author.email not in body and author.full_name not in body
