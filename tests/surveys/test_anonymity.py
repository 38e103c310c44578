"""Anonymous surveys, proved from the database up: after several people answer on the real page,
every table is read back and nothing links a response or an answer to the person who gave it.

What is allowed to know a person: the completion list (Invitation: who was asked, reminded and
whether they have answered — never when, for an anonymous survey). What an answer waiting in the
pool holds: a random UUID, the survey and the answers. What a response holds: a random UUID, the
survey, an empty respondent and no date. Nothing else in the database may change when someone
answers, and nothing logged may name them. Once released, neither the order the rows are stored
in, their keys, their transaction ids nor any time says who answered when (the last tests here,
which read the tables as a database administrator would, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import logging
import random
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
from surveys.enums import RELEASE_BATCH, GridScale, QuestionKind
from surveys.models import Answer, Invitation, PendingResponse, Question, Response, Survey
from surveys.tasks import release_due_answers
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


def stored_ids() -> set[str]:
    """The keys of every response and every answer waiting in the pool."""
    return {
        str(pk)
        for model in (Response, PendingResponse)
        for pk in model.objects.values_list("pk", flat=True)
    }


@pytest.fixture
def answered(login, caplog, django_capture_on_commit_callbacks):
    """Twelve invited people answer the anonymous survey on the page, one after another (what is
    queued after each commit runs, as it would); each answer's effect on the whole database is
    recorded, with the log lines it wrote. Then the survey closes and the periodic sweep
    releases what still waits."""
    survey = exit_like_survey()
    people = [make_person(Role.FELLOW, full_name=f"Fellow Number{n}") for n in range(12)]
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in people)
    clients = [login(p) for p in people]  # signed in before the database is watched
    url = reverse("survey_answer", args=[survey.pk])
    effects, ids = [], set()
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for person, client in zip(people, clients, strict=True):
        before = snapshot()
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(url, form_data(people.index(person)), follow=True)
        assert page.status_code == 200 and "Thank you" in page.content.decode(), page.content
        ids |= stored_ids()
        effects.append((person, changes(before, snapshot())))
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    survey.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        release_due_answers.delay()
    ids |= stored_ids()
    return {
        "survey": survey,
        "people": people,
        "clients": clients,
        "effects": effects,
        "ids": ids,
        "logs": [r.getMessage() for r in caplog.records],
        "url": url,
    }


def hours_by_response() -> dict[str, int]:
    """Each response's answer to "hours": person n answered n, so it tells who answered when."""
    return {
        str(response_id): int(value)
        for response_id, value in Answer.objects.filter(question__key="hours").values_list(
            "response_id", "value"
        )
    }


def identifiers(person) -> set[str]:
    return {str(person.pk), person.email, person.full_name}


# What answering writes ---------------------------------------------------------------------------


def test_answering_changes_only_the_completion_flag_and_the_pool(answered):
    for n, (person, changed) in enumerate(answered["effects"]):
        # django_session: the page's own session, which holds nothing about the survey (below).
        tables = {"surveys_invitation", "surveys_pendingresponse"}
        filled = (n + 1) % RELEASE_BATCH == 0
        if filled:  # the pool filled, and was released into the responses, by itself
            tables |= {"surveys_response", "surveys_answer"}
        assert set(changed) - {"django_session"} == tables, (n, changed.keys())
        added, removed = changed["surveys_invitation"]
        assert len(added) == len(removed) == 1
        new, old = dict(added[0]), dict(removed[0])
        assert {k for k in new if new[k] != old[k]} == {"completed"}  # no time, no other field
        assert new["completed_at"] == "None"
        assert new["person_id"] == str(person.pk)
        pool_added, pool_removed = changed["surveys_pendingresponse"]
        if filled:
            assert pool_added == [] and len(pool_removed) == RELEASE_BATCH - 1
            responses_added, responses_removed = changed["surveys_response"]
            assert len(responses_added) == n + 1  # every response is written again
            assert len(responses_removed) == n + 1 - RELEASE_BATCH
        else:
            [row] = pool_added
            assert pool_removed == [] and {column for column, _ in row} == {
                "id",
                "survey_id",
                "answers",
            }
            held = dict(row)["answers"]
            assert person.email not in held and person.full_name not in held


def test_sessions_hold_nothing_about_the_answers(answered):
    from django.contrib.sessions.models import Session

    responses = answered["ids"]
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
        (PendingResponse, {"id", "survey", "answers"}),
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
    assert not PendingResponse.objects.exists()  # all released at closing
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
        assert submitted_on is None  # not even the day
        assert str(pk) not in people_values | invitation_values
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
    response_ids = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}
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
            if target in ("surveys_response", "surveys_answer", "surveys_pendingresponse")
        }
        response_links = connection.introspection.get_relations(cursor, "surveys_response")
        answer_links = connection.introspection.get_relations(cursor, "surveys_answer")
        pool_links = connection.introspection.get_relations(cursor, "surveys_pendingresponse")
    assert pointing == {("surveys_answer", "response_id")}
    assert {target for _, target in pool_links.values()} == {"surveys_survey"}
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
        content_type__app_label="surveys",
        content_type__model__in=["response", "answer", "pendingresponse"],
    ).exists()


def test_the_completion_list_keeps_no_time_for_an_anonymous_survey(answered):
    invitations = Invitation.objects.filter(survey=answered["survey"])
    assert invitations.count() == 12
    assert all(i.completed and i.completed_at is None for i in invitations)


def test_response_keys_do_not_follow_the_order_of_answering(answered):
    hours = hours_by_response()
    listed = Response.objects.filter(survey=answered["survey"]).order_by("pk")
    by_key = [hours[str(r.pk)] for r in listed]
    assert sorted(by_key) == list(range(12)) and by_key != list(range(12))
    assert all(uuid.UUID(str(r.pk)).version == 4 for r in listed)


def test_no_log_line_names_who_answered(answered):
    logs = "\n".join(answered["logs"])
    for person in answered["people"]:
        assert person.email not in logs
        assert person.full_name not in logs
        assert not re.search(rf"\buser\s*(id\s*)?[=:]?\s*{person.pk}\b", logs, re.IGNORECASE)
    for pk in answered["ids"]:
        assert pk not in logs and pk.replace("-", "") not in logs


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

    # The send page says how many have answered, names nobody, and shows no response or answer.
    send = faculty.get(reverse("survey_send", args=[survey.pk])).content.decode()
    assert "12 of 12 people have answered" in send
    for person in answered["people"]:
        assert person.full_name not in send
    for pk in answered["ids"]:
        assert pk not in send
    assert "Comment number" not in send


def test_the_admin_shows_no_responses_answers_or_respondents(answered, login):
    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Answer)
    assert not admin.site.is_registered(PendingResponse)
    assert not admin.site.is_registered(Invitation)
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
    for pk in answered["ids"]:
        assert pk not in html
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


# What a database administrator sees ----------------------------------------------------------


class ScriptedShuffle(random.Random):
    """Stands in for the release's random generator: keeps what it was asked to shuffle and
    reverses it, so that the test knows exactly which order the release must write."""

    def __init__(self) -> None:
        super().__init__(0)
        self.given: list[list[dict]] = []

    def shuffle(self, x) -> None:  # type: ignore[override]
        self.given.append([dict(a) for a in x])
        x.reverse()


def stored_order(table: str, column: str = "id", where: str = "") -> list:
    """A column of `table` in the order the database keeps the rows (SQLite's rowid, PostgreSQL's
    ctid): what `SELECT` without `ORDER BY` tends to give, and what a dump of the file shows."""
    order = {"sqlite": "rowid", "postgresql": "ctid"}.get(connection.vendor)
    if order is None:
        pytest.skip("only SQLite and PostgreSQL are checked")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} {where} ORDER BY {order}")  # noqa: S608
        values = [str(row[0]) for row in cursor.fetchall()]
    # SQLite keeps a UUID as 32 hex digits: give keys in the form the ORM gives them.
    return [str(uuid.UUID(v)) for v in values] if column == "id" else values


def transaction_ids(table: str, survey: Survey) -> list[str]:
    """PostgreSQL: the id of the transaction that wrote each of the survey's rows (xmin)."""
    column = "r.survey_id" if table == "surveys_answer" else "t.survey_id"
    join = "JOIN surveys_response r ON r.id = t.response_id" if table == "surveys_answer" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.xmin::text FROM {table} t {join} WHERE {column} = %s",  # noqa: S608
            [survey.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def answer_in_order(survey: Survey, people: list, *, after_each=None) -> None:
    """Person n answers n-th, each in a transaction of its own, as on the page; what the commit
    queues (the release of a full pool) runs, as it does in production."""
    for n, person in enumerate(people):
        services.submit_response(survey, person=person, answers=_service_answers(n))
        if after_each:
            after_each(n)


def close_and_sweep(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    survey.refresh_from_db()
    release_due_answers.delay()


@pytest.fixture
def twelve_answered_in_order(monkeypatch):
    """Twelve people answer in the order 0..11 (person n gives n hours); the pool is released by
    itself each time it fills, and what is left when the survey closes, by the periodic sweep.
    The release's generator is scripted (ScriptedShuffle). The state after the first batch is
    kept too."""
    shuffle = ScriptedShuffle()
    monkeypatch.setattr("surveys.release._RNG", shuffle)
    survey = exit_like_survey()
    people = [make_person(Role.FELLOW) for _ in range(12)]
    now = timezone.now()  # invited together, as `services.invite` does
    Invitation.objects.bulk_create(
        Invitation(survey=survey, person=p, invited_at=now) for p in people
    )
    first_batch: dict = {}

    def after_each(n: int) -> None:
        if n == RELEASE_BATCH - 1:
            hours = hours_by_response()
            first_batch["hours"] = [hours[pk] for pk in stored_order("surveys_response")]
            if connection.vendor == "postgresql":
                first_batch["xmin"] = transaction_ids("surveys_response", survey)
                first_batch["invitation_xmin"] = transaction_ids("surveys_invitation", survey)

    answer_in_order(survey, people, after_each=after_each)
    close_and_sweep(survey)
    return {"survey": survey, "shuffle": shuffle, "first_batch": first_batch}


@pytest.mark.django_db(transaction=True)
def test_storage_order_does_not_reveal_the_order_of_answering(twelve_answered_in_order):
    survey = twelve_answered_in_order["survey"]
    shuffle = twelve_answered_in_order["shuffle"]
    hours = hours_by_response()
    answering = list(range(12))
    assert not PendingResponse.objects.exists()
    assert Response.objects.filter(survey=survey).count() == 12  # nothing lost

    # The release shuffled, and wrote what it shuffled, in the shuffled order.
    stored = [hours[pk] for pk in stored_order("surveys_response")]
    assert sorted(stored) == answering and stored != answering
    hours_id = str(survey.questions.get(key="hours").pk)
    last = shuffle.given[-1]
    assert len(last) == 12  # every response of the survey went through the last release together
    assert stored == [int(next(v for k, v in a.items() if str(k) == hours_id)) for a in last][::-1]

    # The answers table, read the same way, and the keys' order, say nothing either.
    answers = stored_order(
        "surveys_answer",
        "value",
        f"WHERE question_id = {int(hours_id)}",
    )
    assert [int(v) for v in answers] == stored
    by_key = [hours[str(pk)] for pk in Response.objects.order_by("pk").values_list("pk", flat=True)]
    assert by_key != answering
    assert all(uuid.UUID(pk).version == 4 for pk in hours)

    # Each release (a full pool, twice, then closing) rewrote every response so far; after the
    # first, too, the five were not kept in the order they came.
    assert [len(g) for g in shuffle.given] == [RELEASE_BATCH, 2 * RELEASE_BATCH, 12]
    first = twelve_answered_in_order["first_batch"]["hours"]
    given = [int(next(v for k, v in a.items() if str(k) == hours_id)) for a in shuffle.given[0]]
    assert first == given[::-1]
    assert sorted(first) == list(range(RELEASE_BATCH)) and first != list(range(RELEASE_BATCH))


@pytest.mark.django_db(transaction=True)
def test_a_seeded_generator_gives_an_order_unlike_the_order_of_answering(monkeypatch):
    """The real generator, seeded so that the test is repeatable."""
    monkeypatch.setattr("surveys.release._RNG", random.Random(20261204))
    survey = exit_like_survey()
    people = [make_person(Role.FELLOW) for _ in range(12)]
    Invitation.objects.bulk_create(Invitation(survey=survey, person=p) for p in people)
    answer_in_order(survey, people)
    close_and_sweep(survey)
    hours = hours_by_response()
    stored = [hours[pk] for pk in stored_order("surveys_response")]
    assert sorted(stored) == list(range(12)) and stored != list(range(12))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_released_rows_share_one_transaction_id_and_none_with_the_completion_list(
    twelve_answered_in_order,
):
    """Invitation and response written in one transaction would share its id (xmin), and
    `JOIN ... ON i.xmin = r.xmin` would name each response's author; responses written one by one
    would each carry their own, in the order of answering. Released rows carry the id of the one
    transaction that wrote them all, which wrote no invitation; the invitations all carry the id
    of the last answer (each answer rewrites every one of them)."""
    survey = twelve_answered_in_order["survey"]
    responses = set(transaction_ids("surveys_response", survey))
    answers = set(transaction_ids("surveys_answer", survey))
    invitations = set(transaction_ids("surveys_invitation", survey))
    assert len(responses) == 1 and answers == responses
    assert len(invitations) == 1 and not invitations & responses
    first = twelve_answered_in_order["first_batch"]
    assert len(set(first["xmin"])) == 1 and not set(first["xmin"]) & set(first["invitation_xmin"])


@pytest.mark.django_db(transaction=True)
def test_no_time_or_date_says_who_answered_when(twelve_answered_in_order):
    """Every date and time column of the responses, answers and completion list holds nothing,
    or the same value on every row of the survey."""
    survey = twelve_answered_in_order["survey"]
    for model, rows in (
        (Response, Response.objects.filter(survey=survey)),
        (Answer, Answer.objects.filter(response__survey=survey)),
        (Invitation, Invitation.objects.filter(survey=survey)),
    ):
        times = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        ]
        for name in times:
            assert len(set(rows.values_list(name, flat=True))) <= 1, (model, name)
    assert not Response.objects.filter(submitted_on__isnull=False).exists()
    assert not Invitation.objects.filter(completed_at__isnull=False).exists()


def test_completed_anonymous_invitations_keep_no_reminder_time(login):
    survey = exit_like_survey()
    early, late = make_person(Role.FELLOW), make_person(Role.FELLOW)
    for person in (early, late):
        Invitation.objects.create(survey=survey, person=person)
    services.submit_response(survey, person=early, answers={**_service_answers()})
    Invitation.objects.filter(person=late).update(reminded_at=timezone.now())
    services.submit_response(survey, person=late, answers={**_service_answers()})
    assert not Invitation.objects.filter(survey=survey, reminded_at__isnull=False).exists()


def _service_answers(n: int = 0) -> dict:
    rows = {row: "yes" for row, _ in THEMES}
    return {
        "recommend": "yes",
        "achieved": rows,
        "valuable": dict.fromkeys(rows, "agree"),
        "useful": "agree",
        "hours": str(n),
        "comments": f"Comment number {n}",
    }
