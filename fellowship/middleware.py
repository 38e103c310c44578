"""Require multi-factor authentication for roles that see other people's personal data, and
answer "service unavailable" (503) while the database or Redis is down."""

from __future__ import annotations

import logging
import sys

from allauth.mfa.utils import is_mfa_enabled
from django import db
from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("fellowship.unavailable")

# Pages a person must reach to set up MFA or leave; everything else waits for MFA.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/favicon")


def needs_mfa_setup(user) -> bool:
    return bool(
        user.is_authenticated
        and user.has_role(*settings.MFA_REQUIRED_ROLES)
        and not is_mfa_enabled(user)
    )


class RequireMFAMiddleware:
    """Send faculty, panellists and funders to TOTP set-up until they have an authenticator."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_OPEN_PREFIXES) and needs_mfa_setup(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)


# Service unavailable ---------------------------------------------------------------------------

# A backing service that is down or restarting: the database, or Redis (cache and broker).
# These are worth trying again in a minute, so the person gets a 503 page that says so instead
# of the generic 500 page.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    db.OperationalError,
    db.InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerUnavailable,
)
RETRY_AFTER_SECONDS = 30


def _unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


def _note_unavailable(sender, request=None, **kwargs) -> None:
    """got_request_exception is sent inside Django's except block: remember what went wrong."""
    if request is not None and _unavailable(sys.exc_info()[1]):
        request.service_unavailable = True


got_request_exception.connect(_note_unavailable, dispatch_uid="fellowship.service_unavailable")


def service_unavailable_response() -> HttpResponse:
    # Rendered without the request: its context processors would ask the database again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Answer 503 "try again in a few minutes" while the database or Redis is down or restarting.

    Views' errors arrive in process_exception; errors in the middleware inside this one (the
    session, the signed-in user, MFA) have already become a 500 response, marked by
    got_request_exception, and that response is replaced. Placed near the top of MIDDLEWARE.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "service_unavailable", False):
            return service_unavailable_response()
        return response

    def process_exception(self, request, exception):
        if _unavailable(exception):
            log.warning("%s %s: service unavailable (%s)", request.method, request.path, exception)
            return service_unavailable_response()
        return None
