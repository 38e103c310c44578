"""Prometheus metrics at /metrics: django-prometheus's request figures plus our own, per node.

django-prometheus's middleware times each request and counts responses by status, labelled by the
URL's name (`fellow_detail`), never the path with its ids. QueryCountMiddleware adds the database
queries each view made (without django-prometheus's database engine wrappers, which would replace
our DATABASES engines). At each scrape the collectors that apps register with
fellowship.hooks.metrics_collector are asked for their figures (the reports app's job states, in
reports/metrics.py), along with the Celery queues' depth on the Redis broker and the e-mail
outbox's backlog.

/metrics answers only a request bearing `Authorization: Bearer <METRICS_TOKEN>` or coming from an
address in METRICS_ALLOWED_IPS; any other request, and every request when neither is set, gets a
404. Like the health probes it is answered before host validation and the SSL redirect, so that
Prometheus can scrape each node by its address (see docs/operations.md).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack

import prometheus_client
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.module_loading import autodiscover_modules
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from fellowship import hooks

log = logging.getLogger("fellowship.metrics")

PATH = "/metrics"
BROKER_TIMEOUT_SECONDS = 1

QUERIES = prometheus_client.Histogram(
    "fellowship_db_queries_per_request",
    "Database queries made while answering one request, by URL name.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)


# Access ------------------------------------------------------------------------------------------


def _bearer_token_matches(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def _address_allowed(request) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.METRICS_ALLOWED_IPS
    )


def may_scrape(request) -> bool:
    return _bearer_token_matches(request) or _address_allowed(request)


# Collectors evaluated at scrape time -------------------------------------------------------------


def celery_queue_depth() -> Iterator:
    """Messages waiting in each Celery queue (LLEN on the Redis broker); nothing without Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis

    from fellowship.celery import app

    up = GaugeMetricFamily("fellowship_celery_broker_up", "1 if the Celery broker answered.")
    depth = GaugeMetricFamily(
        "fellowship_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
    )
    client = redis.Redis.from_url(
        url, socket_timeout=BROKER_TIMEOUT_SECONDS, socket_connect_timeout=BROKER_TIMEOUT_SECONDS
    )
    try:
        for queue in sorted(app.amqp.queues):
            depth.add_metric([queue], client.llen(queue))
    except redis.RedisError as exc:
        log.warning("the Celery broker did not answer for metrics: %s", exc)
        up.add_metric([], 0)
        yield up
        return
    finally:
        client.close()
    up.add_metric([], 1)
    yield up
    yield depth


def outbox_backlog() -> Iterator:
    """E-mails in the outbox not yet sent, by state (waiting, being sent, given up), and the age
    of the oldest one waiting: a growing figure means the mail server or the workers are down."""
    from django.db.models import Min
    from django.utils import timezone

    from fellowship import outbox
    from fellowship.models import OutboxMessage

    backlog = GaugeMetricFamily(
        "fellowship_outbox_messages",
        "E-mails in the outbox not yet sent, by state.",
        labels=["state"],
    )
    for state, count in outbox.backlog().items():
        backlog.add_metric([state], count)
    yield backlog
    oldest = OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING).aggregate(
        at=Min("created_at")
    )["at"]
    age = GaugeMetricFamily(
        "fellowship_outbox_oldest_waiting_seconds",
        "How long the oldest e-mail waiting in the outbox has waited (0 when none waits).",
    )
    age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
    yield age


_discovered = False


def _discover() -> None:
    """Load each app's metrics.py once, where apps register their collectors."""
    global _discovered
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True


class HookCollector(Collector):
    """Our own figures: the queue depth and every registered hook's, computed when scraped."""

    def collect(self) -> Iterator:
        _discover()
        for source in (celery_queue_depth, outbox_backlog, *hooks.metrics_sources):
            try:
                yield from source()
            except Exception:
                # One broken collector must not hide the rest of the figures.
                log.exception("metrics collector %s failed", getattr(source, "__name__", source))


SCRAPE_REGISTRY = CollectorRegistry(auto_describe=False)
SCRAPE_REGISTRY.register(HookCollector())


def _process_registry() -> CollectorRegistry:
    """The request figures: this process's, or every gunicorn worker's with PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@login_not_required
def export(request) -> HttpResponse:
    """The metrics in Prometheus's text format, to a scraper with the token or an allowed address."""
    if not may_scrape(request):
        response: HttpResponse = HttpResponseNotFound(b"Not found", content_type="text/plain")
    else:
        body = prometheus_client.generate_latest(_process_registry())
        body += prometheus_client.generate_latest(SCRAPE_REGISTRY)
        response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# Database queries per request --------------------------------------------------------------------


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Count the database queries each request makes, labelled by the URL's name."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else None) or "<unnamed view>"
        QUERIES.labels(view=view).observe(counter.count)
        return response
