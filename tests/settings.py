"""Settings for the test suite: the real settings, with a test secret and quick password hashing.

With DATABASE_URL and REDIS_URL set (as .ci/run does) the tests use PostgreSQL and Redis;
otherwise SQLite and an in-memory cache. Tasks run eagerly unless a test starts a real worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
if os.environ.get("REDIS_URL"):
    # Keep the tests' cache and broker apart from anything else on the same Redis server.
    os.environ.setdefault("CACHE_URL", os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14")
    os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15")

from fellowship.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Django's live server wraps the app in a media-file handler that needs MEDIA_URL to be a path.
# Production has no media URL at all (uploads are only sent by permission-checked views).
MEDIA_URL = "/__no_public_media__/"
