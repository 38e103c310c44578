"""Liveness and readiness probes: anonymous, never cached, honest about a broken dependency, and
answered for a node's own address without opening other paths to any Host header."""

from __future__ import annotations

import os

import pytest
from django.test import Client, override_settings

LIVE, READY = "/health/live/", "/health/ready/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_answer_anonymous_with_no_store(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readiness_names_each_check(settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"  # tasks run in-process: no broker to check
    checks = Client().get(READY).json()["checks"]
    assert checks == {"database": "ok", "cache": "ok", "storage": "ok"}


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)")
def test_readiness_checks_a_live_broker():
    checks = Client().get(READY).json()["checks"]
    assert checks["broker"] == "ok"


@pytest.mark.django_db
def test_readiness_fails_naming_the_cache_when_redis_is_dead():
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=dead):
        response = Client().get(READY)
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1:1" not in response.content.decode()  # the reason stays in the log


@pytest.mark.django_db
def test_readiness_fails_naming_the_storage_when_its_folder_is_unwritable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = Client().get(READY)
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


@pytest.mark.django_db
def test_readiness_checks_the_broker_when_one_is_configured(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get(READY)
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LIVE, READY])
def test_probe_is_answered_for_a_node_address_not_in_allowed_hosts(path, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(path, HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200  # neither 400 (bad host) nor 301 (to https)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/health/", "/health/live/x"])
def test_other_paths_still_refuse_an_unknown_host(path):
    assert Client().get(path, HTTP_HOST="10.0.3.17:8000").status_code == 400


@pytest.mark.django_db
def test_probe_refuses_to_change_anything():
    assert Client().post(LIVE, HTTP_HOST="10.0.3.17").status_code == 400
