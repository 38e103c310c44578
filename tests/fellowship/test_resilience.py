"""When Redis or the database is down, nothing a person sent is lost and they never see a 500.

The broker is made unreachable for real: Celery is pointed at a local port where nothing listens,
as when Redis is stopped. Database outages are raised by a view or middleware the way psycopg
raises them (benchmarks/faults.py restarts a real PostgreSQL against gunicorn).
"""

from __future__ import annotations

import logging
import socket

import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path, reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from fellowship import outbox
from fellowship.celery import app as celery_app
from fellowship.enums import Role
from fellowship.middleware import ServiceUnavailableMiddleware
from fellowship.models import OutboxMessage
from fellowship.notifications import notify
from recruitment.enums import Stage
from recruitment.models import Application
from reports import services as report_services
from reports.enums import ReportState
from reports.models import ReportJob

from ..conftest import make_person
from ..factories import (
    ApplicationFactory,
    CohortFactory,
    CriterionFactory,
    EligibilityFactory,
    RegionFactory,
    RoundFactory,
    complete_draft,
)

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _drop_publishing_pools() -> None:
    # Celery keeps its broker connection pools; drop them so the next publish uses broker_url.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Celery publishes for real (not eagerly) to a Redis URL where nothing listens."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    # Celery reads the CELERY_BROKER_URL environment variable before its configuration (the test
    # settings set it when REDIS_URL is given), so point both at the closed port.
    monkeypatch.setenv("CELERY_BROKER_URL", down)
    conf.broker_url = down
    conf.task_always_eager = False
    _drop_publishing_pools()
    yield
    conf.broker_url, conf.task_always_eager = saved
    _drop_publishing_pools()


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent():` runs what was queued for after the commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Redis (the broker) is down --------------------------------------------------------------------


def test_email_is_sent_directly_when_the_broker_is_down(broker_down, sent, caplog):
    with caplog.at_level(logging.WARNING, logger="fellowship.tasks"), sent():
        notify(
            "application_submitted",
            to="ada@example.org",
            context={
                "application": (application := ApplicationFactory()),
                "user": application.applicant,
            },
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "broker unavailable" in caplog.text


def test_email_that_cannot_be_sent_either_waits_in_the_outbox_and_goes_later(
    broker_down, sent, settings, caplog
):
    # The queue is down and so is the mail server: the change stays, and so does the message,
    # which the outbox's sweep sends once the mail server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    with caplog.at_level(logging.WARNING, logger="fellowship.outbox"), sent():
        notify(
            "application_submitted",
            to="ada@example.org",
            context={
                "application": (application := ApplicationFactory()),
                "user": application.applicant,
            },
        )
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts, message.to) == ("waiting", 1, ["ada@example.org"])
    assert "ConnectionRefusedError" in message.last_error
    assert "not sent (attempt 1), will retry" in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep() == {"tried": 0, "sent": 0}  # not before its retry time
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox.sweep() == {"tried": 1, "sent": 1}
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert OutboxMessage.objects.get().state == "sent"


def test_submission_while_the_broker_is_down_is_stored_and_confirmed(
    broker_down, sent, role_users, login
):
    applicant = role_users["applicant"]
    rnd = RoundFactory()
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    CriterionFactory(round=rnd)
    draft = complete_draft(ApplicationFactory(round=rnd, applicant=applicant))
    url = reverse("application_review", args=[draft.ref])
    with sent():
        response = login(applicant).post(url, {"agree": "on"})
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).stage == Stage.SUBMITTED
    assert mail.outbox[-1].to == [applicant.email]  # the confirmation still went


def test_report_requested_while_the_broker_is_down_waits_and_is_queued_again(
    broker_down, django_capture_on_commit_callbacks
):
    faculty = make_person(Role.FACULTY)
    cohort = CohortFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job, created = report_services.request_report(cohort, suppress_below=5, by=faculty)
    job.refresh_from_db()
    assert created
    assert job.state == ReportState.QUEUED
    assert job.step == report_services.UNSENT
    # The next beat run sends it again at once, without waiting for STALE_AFTER.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert report_services.requeue_stale_jobs() == 1
    assert len(callbacks) == 1


def test_report_page_says_it_is_waiting_when_the_broker_is_down(broker_down, login):
    faculty = make_person(Role.FACULTY)
    cohort = CohortFactory()
    client = login(faculty)
    response = client.post(reverse("report_request"), {"cohort": cohort.pk, "suppress_below": 5})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.state == ReportState.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "waiting to be prepared" in page


def test_a_report_queued_normally_is_not_marked():
    faculty = make_person(Role.FACULTY)
    job = ReportJob.objects.create(cohort=CohortFactory(), suppress_below=5, requested_by=faculty)
    assert report_services.requeue_stale_jobs() == 0
    assert ReportJob.objects.get(pk=job.pk).step == ""


# The database (or the cache) is down -----------------------------------------------------------


def _database_gone(request):
    raise OperationalError("terminating connection due to administrator command")


urlpatterns = [path("database-gone/", _database_gone)]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    ],
)
def test_view_that_loses_a_service_gets_a_503_page_with_retry_after(error):
    middleware = ServiceUnavailableMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(RequestFactory().get("/"), error)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_database_outage_through_the_whole_stack_is_a_503_not_a_500(client, settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    make_person(Role.FACULTY)
    client.force_login(make_person())
    response = client.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "Try again in a minute" in page


def test_outage_inside_middleware_is_a_503_too():
    # The session or the signed-in user is read in middleware: Django turns that error into a
    # 500 response before it reaches us, and the 503 middleware replaces it.
    from django.core.handlers.exception import convert_exception_to_response

    def session_middleware(request):
        raise OperationalError("could not connect to server: Connection refused")

    stack = ServiceUnavailableMiddleware(convert_exception_to_response(session_middleware))
    response = stack(RequestFactory().get("/programme/cohorts/"))
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_other_errors_are_still_500s():
    def broken(request):
        raise ValueError("a bug, not an outage")

    from django.core.handlers.exception import convert_exception_to_response

    stack = ServiceUnavailableMiddleware(convert_exception_to_response(broken))
    assert stack(RequestFactory().get("/")).status_code == 500
