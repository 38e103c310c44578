"""The audit log: what goes in it, that faculty (and only faculty) can read and filter it, and that
nobody can change it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent

from ..factories import ApplicationFactory, submitted

pytestmark = pytest.mark.django_db

URL = reverse("audit_log")


def test_record_stores_who_what_and_when_and_keeps_the_email(person):
    faculty = person(Role.FACULTY, email="fran@nhs.example")
    before = timezone.now()
    event = audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=faculty, reference="A-1", summary="x" * 400
    )
    assert (event.actor, event.actor_email, event.reference) == (faculty, "fran@nhs.example", "A-1")
    assert len(event.summary) == 300 and event.at >= before
    faculty.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_email == "fran@nhs.example"


def test_the_system_and_anonymous_visitors_are_recorded_without_a_person():
    from django.contrib.auth.models import AnonymousUser

    for by in (None, AnonymousUser()):
        event = audit.record(AuditAction.PUBLISHED, AuditSubject.MATCHING, by=by, reference=1)
        assert event.actor is None and event.actor_email == "" and event.reference == "1"


def test_faculty_opening_an_application_is_recorded(faculty_client, role_users):
    application = submitted(ApplicationFactory())
    response = faculty_client.get(reverse("application_detail", args=[application.ref]))
    assert response.status_code == 200
    (event,) = AuditEvent.objects.all()
    assert (event.actor, event.action, event.subject, event.reference) == (
        role_users["faculty"],
        AuditAction.VIEWED,
        AuditSubject.APPLICATION,
        application.ref,
    )


def test_a_refused_request_records_nothing(panellist_client):
    application = submitted(ApplicationFactory())
    assert (
        panellist_client.get(reverse("application_detail", args=[application.ref])).status_code
        == 403
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "role", ["anonymous", "outsider", *[r.value for r in Role if r != Role.FACULTY]]
)
def test_only_faculty_read_the_audit_log(role, role_users, login, client):
    audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=role_users["faculty"], reference="A-1"
    )
    if role == "anonymous":
        assert client.get(URL).status_code == 302
        return
    response = login(role_users[role]).get(URL)
    assert response.status_code == 403 and b"A-1" not in response.content


def test_faculty_read_and_filter_the_audit_log(faculty_client, role_users, person):
    panellist = person(Role.PANELLIST, email="pat@nhs.example")
    faculty = role_users["faculty"]
    old = audit.record(AuditAction.VIEWED, AuditSubject.APPLICATION, by=faculty, reference="A-0001")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    audit.record(
        AuditAction.CHANGED, AuditSubject.INTERVIEW_SCORE, by=panellist, reference="A-0002"
    )
    audit.record(AuditAction.DOWNLOADED, AuditSubject.REPORT, by=faculty, reference="job 7")

    def refs(**params) -> list[str]:
        response = faculty_client.get(URL, params)
        assert response.status_code == 200
        return [e.reference for e in response.context["page_obj"]]

    assert refs() == ["job 7", "A-0002", "A-0001"]  # newest first
    assert refs(q="pat@") == ["A-0002"]
    assert refs(q="a-0001") == ["A-0001"]
    assert refs(subject=AuditSubject.REPORT) == ["job 7"]
    assert refs(action=AuditAction.CHANGED) == ["A-0002"]
    today = timezone.localdate()
    assert refs(since=(today - dt.timedelta(days=1)).isoformat()) == ["job 7", "A-0002"]
    assert refs(until=(today - dt.timedelta(days=30)).isoformat()) == ["A-0001"]
    page = faculty_client.get(URL).content.decode()
    assert "pat@nhs.example" in page and "Interview score" in page


def test_bad_filters_say_what_is_wrong_and_list_nothing(faculty_client, role_users):
    audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=role_users["faculty"], reference="A-1"
    )
    response = faculty_client.get(URL, {"since": "2026-05-02", "until": "2026-05-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be the same as or after the start date" in page
    assert "There is a problem" in page and list(response.context["page_obj"]) == []
    response = faculty_client.get(URL, {"since": "not a date", "subject": "nonsense"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_the_audit_log_page_costs_the_same_queries_for_many_entries(faculty_client, role_users):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    audit.record(
        AuditAction.VIEWED, AuditSubject.APPLICATION, by=role_users["faculty"], reference="A"
    )
    few = queries()
    for n in range(60):
        audit.record(
            AuditAction.VIEWED, AuditSubject.APPLICATION, by=role_users["faculty"], reference=n
        )
    assert queries() == few


def test_nobody_can_add_change_or_delete_entries_in_the_admin(person):
    superuser = person(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = site._registry[AuditEvent]
    event = audit.record(AuditAction.VIEWED, AuditSubject.APPLICATION, by=superuser, reference="A")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
