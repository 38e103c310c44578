"""The request id: one short token per web request, in every log line and in the tasks it queues.

A load balancer (or the browser's support person) may send `X-Request-ID`; it is kept when it is a
short, safe token and replaced by a fresh uuid4 hex otherwise, so a hostile header can never break
a log line or a response header. The id lives in a context variable: RequestIdMiddleware sets it,
RequestIdFilter copies it onto every log record, and fellowship.celery carries it in the headers of
the tasks the request queues, so a worker's log lines about that task name the same id.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
# Letters, digits, dot, underscore and hyphen, 1 to 64 of them: uuids, trace ids, ELB ids.
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    """The id of the request (or task) being handled in this context, if any."""
    return _request_id.get()


def set_current(request_id: str | None) -> Token:
    return _request_id.set(request_id)


def reset(token: Token) -> None:
    _request_id.reset(token)


def accept(candidate: str | None) -> str:
    """`candidate` when it is a short safe token, else a new random id."""
    if candidate and _SAFE.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (the caller's, if safe), log under it, and echo it in the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept(request.headers.get(HEADER))
        request.request_id = request_id
        token = set_current(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "-" outside a request or task) to every record; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current() or "-"
        return True
