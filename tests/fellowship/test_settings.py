"""Configuration comes from the environment and production settings are safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "ALLOWED_HOSTS",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="fellowship.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings as s; {code}",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_secret_key_is_required_unless_debug():
    refused = run_settings("print('started')")
    assert refused.returncode != 0 and "Set SECRET_KEY" in refused.stderr
    assert run_settings("print(s.DEBUG)", DEBUG="true").stdout.strip() == "True"


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-0123456789\n")
    out = run_settings("print(s.SECRET_KEY)", SECRET_KEY_FILE=str(secret))
    assert out.stdout.strip() == "from-a-file-0123456789"


def test_defaults_are_sqlite_under_var_and_eager_tasks():
    out = run_settings(
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)",
        DEBUG="true",
    )
    engine, name, eager, email = out.stdout.split()
    assert engine == "django.db.backends.sqlite3" and name.endswith("var/db.sqlite3")
    assert eager == "True" and email.endswith("console.EmailBackend")


def test_database_and_broker_come_from_urls():
    out = run_settings(
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
        DEBUG="true",
        DATABASE_URL="postgres://app@db.example:5432/fm",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "redis://cache.example:6379/0",
        "False",
    ]


def test_media_is_outside_static_and_has_no_url():
    out = run_settings(
        "print(s.MEDIA_ROOT); print(s.MEDIA_URL); print(s.STATICFILES_DIRS[0])", DEBUG="true"
    )
    media, media_url, static = out.stdout.splitlines()
    assert not Path(media).is_relative_to(Path(static))
    assert media_url == "None"


def test_production_settings_are_secure():
    out = run_settings(
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)",
        SECRET_KEY="x" * 60,
    )
    assert out.stdout.split() == ["True"] * 5


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_booleans_must_be_true_or_false(value):
    assert "DEBUG must be true or false" in run_settings("", DEBUG=value).stderr


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
