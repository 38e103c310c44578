"""Shared fixtures: a client for each role and an outsider, with real users and MFA where required."""

from __future__ import annotations

import os
import shutil

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.cache import cache

from fellowship.enums import Role

from .factories import FunderFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTTEST"


def current_code(secret: str = TOTP_SECRET) -> str:
    """The authenticator app's code for `secret` right now."""
    counters = list(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counters[len(counters) // 2]):06d}"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test: uploads in its own folder, and a clean cache so rate limits never carry over."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def make_person(*roles: str, funder=None, mfa: bool | None = None, **fields):
    """A verified user holding `roles`, with a TOTP authenticator if any role requires MFA."""
    if Role.FUNDER in roles and funder is None:
        funder = FunderFactory()
    user = UserFactory(**fields)
    from fellowship.models import RoleGrant

    for role in roles:
        RoleGrant.objects.create(
            user=user, role=role, funder=funder if role == Role.FUNDER else None
        )
    user.forget_roles()
    needs_mfa = any(r in settings.MFA_REQUIRED_ROLES for r in roles) if mfa is None else mfa
    if needs_mfa:
        TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def person():
    return make_person


def _client_for(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def login(client):
    """login(user) -> a fresh test client signed in as that user."""
    return lambda user: _client_for(type(client), user)


ROLE_NAMES = [r.value for r in Role]


def make_people() -> dict:
    """One person for each role plus an outsider (no role), keyed by role name."""
    users = {role: make_person(role) for role in ROLE_NAMES}
    users["outsider"] = make_person()
    return users


@pytest.fixture
def role_users(db):
    """One person for each role plus an outsider (signed in, no role), keyed by role name."""
    return make_people()


for _role in [*ROLE_NAMES, "outsider"]:

    def _fixture(role_users, login, _role=_role):
        return login(role_users[_role])

    globals()[f"{_role}_client"] = pytest.fixture(_fixture, name=f"{_role}_client")


@pytest.fixture
def has_mfa():
    return lambda user: Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


# Browser tests ---------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright cannot download its browsers here: drive Debian's Chromium instead."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; run `make test`, which installs it")
        pytest.skip("Chromium is not installed (make test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto's), for the whole run."""
    from .object_store import start_server

    process, endpoint = start_server()
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings):
    """Files kept in a fresh bucket on the local S3 server, as the service does when
    AWS_STORAGE_BUCKET_NAME is set: the default store and the `objects` store both point at it."""
    from .object_store import new_bucket

    made = new_bucket(s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": made.storage(), "objects": made.storage()}
    return made
