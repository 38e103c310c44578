"""Require multi-factor authentication for roles that see other people's personal data."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

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
