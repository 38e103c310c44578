"""The request id: echoed when safe, replaced when hostile, in every JSON log line, and carried
through the Celery message headers into the log lines of the task the request queued."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time

import pytest
from celery import shared_task
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.db import connection
from django.test import Client, override_settings
from pythonjsonlogger.json import JsonFormatter

from fellowship import request_ids
from fellowship.celery import app
from fellowship.request_ids import RequestIdFilter
from fellowship.tasks import sweep_outbox

from .worker import ROOT, real_worker_possible, stop_worker

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines():
    """Log records as the production JSON handler writes them, one object per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter(
            ["asctime", "levelname", "name", "message", "request_id"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_echoed():
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="lb-1f2e3d.4c_5b")
    assert response["X-Request-ID"] == "lb-1f2e3d.4c_5b"


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_fresh_one():
    first = Client().get("/accounts/login/")["X-Request-ID"]
    second = Client().get("/accounts/login/")["X-Request-ID"]
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile", ["abc\r\nSet-Cookie: x=1", "a" * 500, "<script>", "id with spaces", "ü-ünïcode"]
)
def test_a_hostile_request_id_is_replaced(hostile):
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=hostile)
    assert HEX32.fullmatch(response["X-Request-ID"])
    assert "Set-Cookie" not in response.headers or "x=1" not in response["Set-Cookie"]


def test_every_json_log_line_carries_time_level_logger_and_request_id(json_lines):
    token = request_ids.set_current("req-42")
    try:
        logging.getLogger("fellowship.test").warning("something happened")
    finally:
        request_ids.reset(token)
    logging.getLogger("fellowship.test").warning("outside a request")
    inside, outside = json_lines()[-2:]
    assert inside["message"] == "something happened"
    assert inside["request_id"] == "req-42"
    assert inside["level"] == "WARNING" and inside["logger"] == "fellowship.test"
    assert inside["time"]
    assert outside["request_id"] == "-"


@pytest.mark.django_db
def test_a_log_line_written_during_a_request_names_its_id(json_lines):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=dead):
        Client().get("/health/ready/", HTTP_X_REQUEST_ID="trace-777")
    line = next(line for line in json_lines() if "readiness check cache" in line["message"])
    assert line["request_id"] == "trace-777"
    assert line["level"] == "WARNING"


def test_the_settings_log_json_with_the_request_id():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["request_id"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"


@shared_task(name="tests.log_something")
def log_something():
    logging.getLogger("fellowship.test.task").warning("task ran")


def test_the_request_id_travels_in_the_task_headers_into_the_tasks_log(json_lines):
    published: list[dict] = []

    def capture(headers=None, **kwargs):
        published.append(dict(headers))

    before_task_publish.connect(capture, weak=False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    token = request_ids.set_current("queued-by-req-9")
    try:
        with app.connection_for_write("memory://") as connection:
            log_something.apply_async(connection=connection)
    finally:
        request_ids.reset(token)
        app.conf.task_always_eager = eager
        before_task_publish.disconnect(capture)
    headers = published[-1]
    assert headers["request_id"] == "queued-by-req-9"

    # The worker's side: the task runs with the message's headers as its request.
    task = app.tasks["tests.log_something"]
    task.push_request(**headers)
    try:
        task_prerun.send(sender=task, task_id=headers["id"], task=task, args=(), kwargs={})
        task.run()
        task_postrun.send(sender=task, task_id=headers["id"], task=task, args=(), kwargs={})
    finally:
        task.pop_request()
    line = next(line for line in json_lines() if line["message"] == "task ran")
    assert line["request_id"] == "queued-by-req-9"
    assert request_ids.current() is None  # cleared after the task


def test_a_hostile_header_in_a_task_message_is_not_trusted(json_lines):
    task = app.tasks["tests.log_something"]
    task.push_request(id="t-1", request_id="bad\nid")
    try:
        task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
        task.run()
        task_postrun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    finally:
        task.pop_request()
    line = next(line for line in json_lines() if line["message"] == "task ran")
    assert HEX32.fullmatch(line["request_id"])


def test_an_eager_task_keeps_the_request_id_of_its_request(json_lines):
    token = request_ids.set_current("eager-req")
    try:
        log_something.delay()
        assert request_ids.current() == "eager-req"
    finally:
        request_ids.reset(token)
    line = next(line for line in json_lines() if line["message"] == "task ran")
    assert line["request_id"] == "eager-req"


@pytest.mark.django_db(transaction=True)
def test_a_real_workers_log_of_the_task_names_the_request_that_queued_it(settings):
    if why := real_worker_possible():
        pytest.skip(why)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "LOG_FORMAT": "json",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fellowship", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
         "--hostname", "request-ids@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    token = request_ids.set_current("from-web-req-31")
    try:
        result = sweep_outbox.apply_async()
        deadline = time.monotonic() + 60
        lines: list[dict] = []
        while time.monotonic() < deadline and worker.poll() is None:
            raw = worker.stderr.readline().decode().strip()
            if raw.startswith("{"):
                line = json.loads(raw)
                lines.append(line)
                if result.id in line["message"] and "succeeded" in line["message"]:
                    break
    finally:
        request_ids.reset(token)
        app.conf.task_always_eager = eager
        stop_worker(worker)
    done = [
        line for line in lines if result.id in line["message"] and "succeeded" in line["message"]
    ]
    assert done, lines[-5:]
    assert done[0]["request_id"] == "from-web-req-31"
