"""Anonymous surveys, proved from the database up: after several people answer on the real page,
every table is read back and nothing links a response or an answer to the person who gave it.

What is allowed to know a person: the completion list (Invitation: who was asked, reminded and
whether they have answered — never when, for an anonymous survey). What a response holds: a random
UUID, the survey, an empty respondent and the date. Nothing else in the database may change when
someone answers, and nothing logged may name them.

One known limitation is pinned as a strict xfail at the end: the database keeps rows in the order
they were written. The completion list keeps no order or time to match it with (every invitation of
an anonymous survey is rewritten at each answer), so it names nobody on its own; if it is ever
closed, the xfail turns into a failure that asks for the marker to be removed.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from surveys import services
from surveys.enums import GridScale, QuestionKind
from surveys.models import Answer, Invitation, Question, Response, Survey
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

THEMES = [["fundamentals", "AI fundamentals"], ["safety", "Safety"], ["ethics", "Ethics"]]


def exit_like_survey() -> Survey:
    """An open anonymous survey with a question of each kind the exit survey uses, and more."""
    now = timezone.now()
    survey = Survey.objects.create(
        key="anonymity_test",
        title="Anonymity test survey",
        anonymous=True,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )
    specs = [
        ("recommend", QuestionKind.SINGLE_CHOICE, {"options": [["yes", "Yes"], ["no", "No"]]}),
        (
            "archetypes",
            QuestionKind.MULTIPLE_CHOICE,
            {"options": [["driver", "Driver"], ["embedder", "Embedder"]], "required": False},
        ),
        ("achieved", QuestionKind.GRID, {"scale": GridScale.YES_NO, "rows": THEMES}),
        ("valuable", QuestionKind.GRID, {"scale": GridScale.AGREEMENT, "rows": THEMES}),
        ("useful", QuestionKind.AGREEMENT, {}),
        ("hours", QuestionKind.NUMBER, {"required": False}),
        ("comments", QuestionKind.TEXT, {"required": False}),
    ]
    for position, (key, kind, extra) in enumerate(specs):
        Question.objects.create(
            survey=survey, key=key, kind=kind, text=key.title(), position=position, **extra
        )
    return survey


def form_data(n: int) -> dict[str, str | list[str]]:
    """The POST of the answer page for the n-th person, with some answers varying by person."""
    data: dict[str, str | list[str]] = {
        "recommend": "yes" if n % 2 else "no",
        "archetypes": ["driver", "embedder"][: n % 3],
        "useful": "agree",
        "hours": str(n),
        "comments": f"Comment number {n}",
    }
    for row, _ in THEMES:
        data[f"achieved__{row}"] = "yes"
        data[f"valuable__{row}"] = "strongly_agree"
    return data


def snapshot() -> dict[str, Counter]:
    """Every row of every table, as text, by table."""
    tables: dict[str, Counter] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            tables[table] = Counter(
                tuple(zip(columns, map(str, row), strict=True)) for row in cursor.fetchall()
            )
    return tables


def changes(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple]:
    out = {}
    for table in set(before) | set(after):
        added = after.get(table, Counter()) - before.get(table, Counter())
        removed = before.get(table, Counter()) - after.get(table, Counter())
        if added or removed:
            out[table] = (list(added.elements()), list(removed.elements()))
    return out


@pytest.fixture
def answered(login, caplog):
    """Twelve invited people answer the anonymous survey on the page, one after another; each
    answer's effect on the whole database is recorded, with the log lines it wrote."""
    survey = exit_like_survey()
    people = [make_person(Role.FELLOW, full_name=f"Fellow Number{n}") for n in range(12)]
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in people)
    clients = [login(p) for p in people]  # signed in before the database is watched
    url = reverse("survey_answer", args=[survey.pk])
    effects, order = [], []
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for n, (person, client) in enumerate(zip(people, clients, strict=True)):
        before = snapshot()
        ids_before = set(Response.objects.values_list("pk", flat=True))
        page = client.post(url, form_data(n), follow=True)
        assert page.status_code == 200 and "Thank you" in page.content.decode(), page.content
        [new_id] = set(Response.objects.values_list("pk", flat=True)) - ids_before
        order.append(new_id)
        effects.append((person, changes(before, snapshot())))
    return {
        "survey": survey,
        "people": people,
        "clients": clients,
        "effects": effects,
        "order": order,
        "logs": [r.getMessage() for r in caplog.records],
        "url": url,
    }


def identifiers(person) -> set[str]:
    return {str(person.pk), person.email, person.full_name}


# What answering writes ---------------------------------------------------------------------------


def test_answering_changes_only_the_completion_flag_the_response_and_its_answers(answered):
    for person, changed in answered["effects"]:
        # django_session: the page's own session, which holds nothing about the survey (below).
        assert set(changed) - {"django_session"} == {
            "surveys_invitation",
            "surveys_response",
            "surveys_answer",
        }, changed.keys()
        added, removed = changed["surveys_invitation"]
        assert len(added) == len(removed) == 1
        new, old = dict(added[0]), dict(removed[0])
        assert {k for k in new if new[k] != old[k]} == {"completed"}  # no time, no other field
        assert new["completed_at"] == "None"
        assert new["person_id"] == str(person.pk)
        assert changed["surveys_response"][1] == [] and len(changed["surveys_response"][0]) == 1
        assert changed["surveys_answer"][1] == []


def test_sessions_hold_nothing_about_the_answers(answered):
    from django.contrib.sessions.models import Session

    responses = {str(pk) for pk in answered["order"]}
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert not any(r in decoded or r.replace("-", "") in decoded for r in responses)
        assert "survey" not in decoded.lower()


def test_response_and_answer_rows_hold_no_person_time_or_sequence(answered):
    survey = answered["survey"]
    # The models: no datetime, time, IP address or auto-increment field; the respondent is the
    # only link to a person and anonymous responses leave it empty.
    forbidden = (models.DateTimeField, models.TimeField, models.GenericIPAddressField)
    for model, names in (
        (Response, {"id", "survey", "respondent", "submitted_on"}),
        (Answer, {"id", "response", "question", "value"}),
    ):
        fields = model._meta.concrete_fields
        assert {f.name for f in fields} == names
        assert not [f for f in fields if isinstance(f, forbidden)]
        assert not [f for f in fields if isinstance(f, models.AutoField | models.BigAutoField)]
        assert isinstance(model._meta.pk, models.UUIDField)
        assert not [f for f in fields if getattr(f, "auto_now", False)]
        assert not [f for f in fields if getattr(f, "auto_now_add", False)]

    # The rows, read raw.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, survey_id, respondent_id, submitted_on FROM surveys_response")
        responses = cursor.fetchall()
        cursor.execute("SELECT id, response_id, question_id, value FROM surveys_answer")
        answers = cursor.fetchall()
    assert len(responses) == 12
    people_values = set().union(*(identifiers(p) for p in answered["people"]))
    invitation_values = {
        str(v)
        for row in Invitation.objects.values_list("pk", "invited_at", "reminded_at")
        for v in row
        if v is not None
    }
    for pk, survey_id, respondent_id, submitted_on in responses:
        assert uuid.UUID(str(pk)).version == 4  # random, not time-based (v1) or sequential
        assert survey_id == survey.pk
        assert respondent_id is None
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(submitted_on))  # a date, never a time
        assert str(submitted_on) == timezone.localdate().isoformat()
        assert not {str(pk), str(submitted_on)} & (people_values | invitation_values)
    question_ids = set(survey.questions.values_list("pk", flat=True))
    response_ids = {str(r[0]).replace("-", "") for r in responses}
    for pk, response_id, question_id, value in answers:
        assert uuid.UUID(str(pk)).version == 4
        assert str(response_id).replace("-", "") in response_ids
        assert question_id in question_ids
        # Names and e-mail addresses (ids are small numbers, as answers may be).
        names = {v for p in answered["people"] for v in (p.email, p.full_name)}
        assert not any(name in str(value) for name in names)


def test_nothing_else_in_the_database_refers_to_a_response(answered):
    """No table but the answers' holds a response's id: no history table, no admin log entry, no
    audit table, no session, no cache table can tell which response was written when, or by whom."""
    response_ids = {str(pk) for pk in answered["order"]}
    forms = response_ids | {r.replace("-", "") for r in response_ids}
    found = set()
    for table, rows in snapshot().items():
        for row in rows:
            for column, value in row:
                if any(f in value for f in forms):
                    found.add((table, column))
    assert found == {("surveys_response", "id"), ("surveys_answer", "response_id")}

    # Foreign keys: only an answer points at a response; only the respondent column at a person.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        pointing = {
            (table, column)
            for table in tables
            for column, (_, target) in connection.introspection.get_relations(cursor, table).items()
            if target in ("surveys_response", "surveys_answer")
        }
        response_links = connection.introspection.get_relations(cursor, "surveys_response")
        answer_links = connection.introspection.get_relations(cursor, "surveys_answer")
    assert pointing == {("surveys_answer", "response_id")}
    assert {target for _, target in answer_links.values()} == {
        "surveys_response",
        "surveys_question",
    }
    assert {c for c, (_, target) in response_links.items() if target != "surveys_survey"} == {
        "respondent_id"
    }


def test_no_history_table_or_admin_log_records_responses_or_invitations(answered):
    tables = connection.introspection.table_names()
    history = [t for t in tables if "historical" in t]
    assert history, "simple_history tables exist for other apps"
    assert not [t for t in history if t.startswith("surveys_")]
    assert not LogEntry.objects.filter(
        content_type__app_label="surveys", content_type__model__in=["response", "answer"]
    ).exists()


def test_the_completion_list_keeps_no_time_for_an_anonymous_survey(answered):
    invitations = Invitation.objects.filter(survey=answered["survey"])
    assert invitations.count() == 12
    assert all(i.completed and i.completed_at is None for i in invitations)


def test_response_keys_do_not_follow_the_order_of_answering(answered):
    order = answered["order"]
    assert sorted(order) != order
    assert sorted(order, key=str) != order
    # Listing responses in key order (as any page or export would) gives another order.
    listed = list(Response.objects.filter(survey=answered["survey"]).order_by("pk"))
    assert [r.pk for r in listed] != order


def test_no_log_line_names_who_answered(answered):
    logs = "\n".join(answered["logs"])
    for person in answered["people"]:
        assert person.email not in logs
        assert person.full_name not in logs
        assert not re.search(rf"\buser\s*(id\s*)?[=:]?\s*{person.pk}\b", logs, re.IGNORECASE)
    for pk in answered["order"]:
        assert str(pk) not in logs and pk.hex not in logs


# What faculty and the admin see ------------------------------------------------------------------


def test_faculty_pages_do_not_reveal_who_answered_what(answered, login):
    survey = answered["survey"]
    faculty = login(make_person(Role.FACULTY))
    results = faculty.get(reverse("survey_results", args=[survey.pk]))
    assert results.status_code == 200
    html = results.content.decode()
    assert "Comment number 3" in html  # the results are shown: twelve answered
    for person in answered["people"]:
        assert person.full_name not in html and person.email not in html
    # Free text is listed in alphabetical order, not the order of answering.
    texts = [f"Comment number {n}" for n in range(12)]
    positions = [html.index(t + "<") for t in texts]
    assert positions != sorted(positions)
    assert sorted(texts, key=lambda t: html.index(t + "<")) == sorted(texts, key=str.casefold)

    # The send page lists who has answered, by name only, and no response or answer.
    send = faculty.get(reverse("survey_send", args=[survey.pk])).content.decode()
    assert "12 of 12 people have answered" in send
    for pk in answered["order"]:
        assert str(pk) not in send
    assert "Comment number" not in send


def test_the_admin_shows_no_responses_answers_or_respondents(answered, login):
    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Answer)
    staff = make_person(Role.FACULTY, is_staff=True, is_superuser=True)
    c = login(staff)
    index = c.get(reverse("admin:index")).content.decode()
    assert "Responses" not in index and "Answers" not in index
    survey = answered["survey"]
    page = c.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for person in answered["people"]:
        assert person.full_name not in html and person.email not in html
    for pk in answered["order"]:
        assert str(pk) not in html
    assert "Comment number" not in html
    # Deleting the survey says how many responses go with it, not what they said.
    delete = c.get(reverse("admin:surveys_survey_delete", args=[survey.pk])).content.decode()
    assert "Responses: 12" in delete
    assert "Comment number" not in delete and "Response to" not in delete


# Once, while open, only when invited -------------------------------------------------------------


def test_nobody_can_answer_twice(answered):
    client = answered["clients"][0]
    before = snapshot()
    again = client.post(answered["url"], form_data(0))
    assert again.status_code == 200
    assert "You cannot answer it again" in again.content.decode()
    assert set(changes(before, snapshot())) <= {"django_session"}


def test_nobody_can_answer_after_closing(login):
    survey = exit_like_survey()
    person = make_person(Role.FELLOW)
    Invitation.objects.create(survey=survey, person=person)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    page = login(person).post(reverse("survey_answer", args=[survey.pk]), form_data(1))
    assert "This survey is closed" in page.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not Invitation.objects.get(person=person).completed


def test_someone_not_invited_gets_not_found(answered, login):
    outsider = make_person(Role.FELLOW)
    c = login(outsider)
    assert c.get(answered["url"]).status_code == 404
    assert c.post(answered["url"], form_data(1)).status_code == 404
    assert Response.objects.count() == 12


# Known limitation, pinned -----------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="LIMITATION: the database stores responses in the order they were written (SQLite "
    "rowid, PostgreSQL ctid), so reading the table without ORDER BY gives the order of answering, "
    "though the keys are random; nothing in the service records the order of completion to match.",
)
def test_storage_order_does_not_reveal_the_order_of_answering(answered):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT id FROM surveys_response ORDER BY rowid")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT id FROM surveys_response ORDER BY ctid")
        else:
            pytest.skip("only SQLite and PostgreSQL are checked")
        stored = [uuid.UUID(str(row[0])) for row in cursor.fetchall()]
    assert stored != answered["order"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
def test_the_completion_list_and_responses_share_no_transaction_id(answered):
    """Invitation and response written in one transaction would share its id (xmin), and
    `JOIN ... ON i.xmin = r.xmin` would name each response's author. submit_response rewrites
    every invitation of an anonymous survey, so a response joins either nobody or everybody."""
    invited = set(Invitation.objects.filter(survey=answered["survey"]).values_list("person_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, i.person_id FROM surveys_invitation i "
            "JOIN surveys_response r ON i.xmin::text = r.xmin::text WHERE i.survey_id = %s",
            [answered["survey"].pk],
        )
        joined: dict[str, set[int]] = {}
        for response_id, person_id in cursor.fetchall():
            joined.setdefault(str(response_id), set()).add(person_id)
    assert len(invited) > 1
    assert all(people == invited for people in joined.values())


def test_completed_anonymous_invitations_keep_no_reminder_time(login):
    survey = exit_like_survey()
    early, late = make_person(Role.FELLOW), make_person(Role.FELLOW)
    for person in (early, late):
        Invitation.objects.create(survey=survey, person=person)
    services.submit_response(survey, person=early, answers={**_service_answers()})
    Invitation.objects.filter(person=late).update(reminded_at=timezone.now())
    services.submit_response(survey, person=late, answers={**_service_answers()})
    assert not Invitation.objects.filter(survey=survey, reminded_at__isnull=False).exists()


def _service_answers() -> dict:
    rows = {row: "yes" for row, _ in THEMES}
    return {
        "recommend": "yes",
        "achieved": rows,
        "valuable": dict.fromkeys(rows, "agree"),
        "useful": "agree",
    }
