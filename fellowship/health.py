"""Liveness and readiness probes for the load balancer and the orchestrator.

`/health/live/` says only that this process answers; `/health/ready/` says whether it can serve:
a database query, a cache round trip, a connection to the Celery broker (when one is configured)
and a tiny write, read and delete in the default file storage. Each answer is a small JSON body
naming every check and its state, 200 when all pass and 503 (naming the failures) otherwise.

ProbeMiddleware, first in MIDDLEWARE, answers these paths before anything else: a probe sends a
node's IP as its Host (not in ALLOWED_HOSTS) over plain HTTP, so host validation, the SSL redirect
and the sign-in requirement must not see it. The probes hold no personal data and are never cached.

Our own small module rather than django-health-check: its database check writes to a table of
its own (a model and migration added to every instance), its views run behind host validation and
the sign-in middleware, and the four checks we need are a few lines each. Each check is cheap
(one query, one key, one connection, one 2-byte file) with short timeouts, so a probe every few
seconds costs nothing noticeable.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections
from django.http import JsonResponse

from fellowship import metrics

log = logging.getLogger("fellowship.health")

LIVE_PATH = "/health/live/"
READY_PATH = "/health/ready/"
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    cache = caches["default"]
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was stored")
    finally:
        cache.delete(key)


def broker_configured() -> bool:
    return not settings.CELERY_BROKER_URL.startswith("memory://")


def check_broker() -> None:
    from fellowship.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def check_storage() -> None:
    storage = storages["default"]
    name = storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the storage did not return what was written")
    finally:
        storage.delete(name)


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks = {"database": check_database, "cache": check_cache}
    if broker_configured():
        checks["broker"] = check_broker
    checks["storage"] = check_storage
    return checks


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def live(request) -> JsonResponse:
    """The process answers; nothing else is checked."""
    return _no_store(JsonResponse({"status": "ok"}))


@login_not_required
def ready(request) -> JsonResponse:
    """Each dependency's state; 503 naming those that failed."""
    states: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:
            # The reason goes to the log only: the body is public.
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            states[name] = "failed"
        else:
            states[name] = "ok"
    failed = [name for name, state in states.items() if state != "ok"]
    body = {"status": "failed" if failed else "ok", "checks": states}
    if failed:
        body["failed"] = failed
    return _no_store(JsonResponse(body, status=503 if failed else 200))


PROBES = {LIVE_PATH: live, READY_PATH: ready, metrics.PATH: metrics.export}


class ProbeMiddleware:
    """Answer GET/HEAD of the probe paths (and the Prometheus scrape, which checks its own access)
    before host validation, the SSL redirect and sign-in.

    Only these exact paths: every other path still meets ALLOWED_HOSTS and the rest of MIDDLEWARE.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
