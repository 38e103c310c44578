"""What every browser journey does: sign in through the real pages, with the MFA code if needed."""

from __future__ import annotations

import re

from django.core.cache import cache

from ..conftest import current_code
from ..factories import PASSWORD


def sign_in(page, base: str, user, *, mfa: bool = False, lands: str = "/") -> None:
    """Sign `user` in at `base`; with `mfa`, type the authenticator code; wait for the landing page."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if mfa:
        # allauth accepts each TOTP code once: forget codes used by earlier sign-ins in the same test.
        cache.clear()
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        page.locator("input[name=code]").fill(current_code())
        page.get_by_role("button", name="Sign in").click()
    if lands:
        page.wait_for_url(base + lands)


def sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")
