"""/metrics: hidden (404) from anyone without the token or an allowed address, and when shown it
names views by their URL name, never a path with an e-mail address or an application's reference."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse

from fellowship.hooks import metrics_collector, metrics_sources
from reports.enums import ReportState

from .factories.recruitment import ApplicationFactory

TOKEN = "scrape-" + "s3cr3t" * 6


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(token: str | None = TOKEN, **extra) -> tuple[int, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().get("/metrics", **headers, **extra)
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_metrics_are_hidden_when_no_token_is_configured(settings):
    settings.METRICS_TOKEN = ""
    assert scrape()[0] == 404
    assert scrape(token="")[0] == 404


@pytest.mark.django_db
def test_metrics_are_hidden_without_the_token(metrics_token):
    assert scrape(token=None)[0] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("wrong", ["wrong", TOKEN[:-1], TOKEN + "x", f"{TOKEN} {TOKEN}"])
def test_metrics_are_hidden_with_a_wrong_token(metrics_token, wrong):
    assert scrape(token=wrong)[0] == 404


@pytest.mark.django_db
def test_basic_auth_with_the_token_is_not_enough(metrics_token):
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_metrics_are_shown_with_the_token_and_never_cached(metrics_token):
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_metrics_are_shown_to_an_allowed_address_without_a_token(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.8.0.0/16"]
    assert scrape(token=None, REMOTE_ADDR="10.8.4.2")[0] == 200
    assert scrape(token=None, REMOTE_ADDR="10.9.4.2")[0] == 404
    # An address someone claims in a header does not count.
    assert scrape(token=None, HTTP_X_FORWARDED_FOR="10.8.4.2")[0] == 404


@pytest.mark.django_db
def test_metrics_are_scraped_by_node_address(metrics_token):
    status, _ = scrape(HTTP_HOST="10.0.3.17:8000")
    assert status == 200


@pytest.mark.django_db
def test_no_email_or_application_reference_appears_in_the_metrics(metrics_token, login, person):
    applicant = person(email="ada.lovelace@example.org")
    application = ApplicationFactory(applicant=applicant)
    client = login(applicant)
    for url in (
        reverse("application_overview", kwargs={"ref": application.ref}),
        f"/apply/{application.ref}/nope/?email=ada.lovelace@example.org",
        "/people/ada.lovelace@example.org/",
    ):
        client.get(url)
    status, text = scrape()
    assert status == 200
    assert "ada.lovelace" not in text
    assert "example.org" not in text
    assert application.ref not in text
    assert 'view="application_overview"' in text


@pytest.mark.django_db
def test_latency_and_query_counts_are_recorded_for_a_view_that_was_requested(metrics_token):
    Client().get(reverse("account_login"))
    _, text = scrape()
    latency = [
        line
        for line in text.splitlines()
        if line.startswith("django_http_requests_latency_seconds_by_view_method_count")
        and 'view="account_login"' in line
    ]
    assert latency and float(latency[0].rsplit(" ", 1)[1]) >= 1
    assert 'fellowship_db_queries_per_request_count{view="account_login"}' in text
    assert "django_http_responses_total_by_status_total" in text


@pytest.mark.django_db
def test_report_jobs_are_counted_by_state(metrics_token):
    _, text = scrape()
    for state in ReportState.values:
        assert f'fellowship_report_jobs{{state="{state}"}}' in text
    assert 'fellowship_report_job_duration_seconds_count{state="done"}' in text


@pytest.mark.django_db
def test_the_outbox_backlog_is_counted_by_state_with_the_oldest_waiting_age(metrics_token):
    import datetime as dt

    from django.utils import timezone

    from fellowship import outbox
    from fellowship.models import OutboxMessage

    _, text = scrape()
    assert 'fellowship_outbox_messages{state="waiting"} 0.0' in text
    assert "fellowship_outbox_oldest_waiting_seconds 0.0" in text
    waiting = outbox.write("test", to=["a@example.org"], subject="S", body="B")
    OutboxMessage.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    failed = outbox.write("test", to=["b@example.org"], subject="S", body="B")
    OutboxMessage.objects.filter(pk=failed.pk).update(state="failed")
    _, text = scrape()
    assert 'fellowship_outbox_messages{state="waiting"} 1.0' in text
    assert 'fellowship_outbox_messages{state="failed"} 1.0' in text
    import re

    age = float(re.search(r"^fellowship_outbox_oldest_waiting_seconds (\S+)$", text, re.M)[1])
    assert 600 <= age < 700
    assert "a@example.org" not in text and "b@example.org" not in text


@pytest.mark.django_db
def test_no_queue_depth_without_a_broker(metrics_token, settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"
    _, text = scrape()
    assert "fellowship_celery_queue_length" not in text


@pytest.mark.django_db
def test_a_registered_collector_is_asked_at_each_scrape_and_a_broken_one_hides_nothing(
    metrics_token,
):
    from prometheus_client.core import GaugeMetricFamily

    @metrics_collector
    def outbox_backlog():
        gauge = GaugeMetricFamily("fellowship_outbox_waiting", "E-mails waiting to be sent.")
        gauge.add_metric([], 3)
        yield gauge

    @metrics_collector
    def broken():
        raise RuntimeError("boom")
        yield  # pragma: no cover

    try:
        status, text = scrape()
    finally:
        metrics_sources.remove(outbox_backlog)
        metrics_sources.remove(broken)
    assert status == 200
    assert "fellowship_outbox_waiting 3.0" in text
    assert "fellowship_report_jobs" in text


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)")
def test_queue_depth_is_read_from_the_redis_broker(metrics_token):
    _, text = scrape()
    assert "fellowship_celery_broker_up 1.0" in text
    assert 'fellowship_celery_queue_length{queue="celery"}' in text
