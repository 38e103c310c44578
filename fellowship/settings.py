"""Settings for the Fellowship Manager, read from the environment (12-factor).

One file for every environment. Each value comes from an environment variable with a safe
default; a secret can also be read from a file named by VARIABLE_FILE (Docker secrets).
With DEBUG off, SECRET_KEY must be set and the security settings pass `check --deploy`.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """The variable's value, or the contents of the file named by NAME_FILE, or the default."""
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return default


def envbool(name: str, default: str) -> bool:
    value = env(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    try:
        return int(env(name, default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (or SECRET_KEY_FILE); only DEBUG may run without one."
        )
    SECRET_KEY = "insecure-debug-only-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
    "fellowship",
    "recruitment",
    "projects",
    "surveys",
    "portfolio",
    "reports",
]

MIDDLEWARE = [
    "fellowship.request_ids.RequestIdMiddleware",
    # Health probes and the metrics scrape, answered before host validation and the SSL redirect.
    "fellowship.health.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "fellowship.metrics.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A 503 "try again" page while the database or Redis is down; outside the middleware that use them.
    "fellowship.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in person unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fellowship.middleware.RequireMFAMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "fellowship.urls"
WSGI_APPLICATION = "fellowship.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "fellowship.context_processors.navigation",
                "fellowship.context_processors.programme_details",
            ],
        },
    },
]

# Databases: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves as Celery's broker and as the cache (login rate limits need a shared cache).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "fellowship"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With no broker configured, tasks run in the calling process (the memory transport is never used).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL) or "memory://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "")
# With no broker configured, tasks run in the calling process, so `make run` needs no Redis.
CELERY_TASK_ALWAYS_EAGER = envbool(
    "CELERY_TASK_ALWAYS_EAGER", "false" if not CELERY_BROKER_URL.startswith("memory://") else "true"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    # E-mails whose task was lost or whose sending failed are sent from the outbox.
    "sweep-outbox": {"task": "fellowship.tasks.sweep_outbox", "schedule": 60},
    "deadline-reminders": {
        "task": "recruitment.tasks.send_deadline_reminders",
        "schedule": 15 * 60,
    },
    "lapse-expired-offers": {"task": "recruitment.tasks.lapse_expired_offers", "schedule": 15 * 60},
    # The public interest list hears of a round soon after it opens (once per address and round).
    "announce-open-rounds": {"task": "fellowship.tasks.announce_open_rounds", "schedule": 15 * 60},
    # Survey reminders once a day at 09:00 UK time (CELERY_TIMEZONE), never in the night.
    "survey-reminders": {
        "task": "surveys.tasks.send_survey_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Anonymous surveys' waiting answers are released soon after the survey closes.
    "release-survey-answers": {"task": "surveys.tasks.release_due_answers", "schedule": 5 * 60},
    # Report jobs whose worker died mid-render (or whose message was lost) are queued again.
    "requeue-stale-report-jobs": {
        "task": "reports.tasks.requeue_stale_report_jobs",
        "schedule": 60,
    },
    # What the retention policy (RETENTION, below) says is due is removed every night at 02:30.
    "apply-retention": {
        "task": "fellowship.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
}

AUTH_USER_MODEL = "fellowship.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail only, verified before first log-in, rate-limited, MFA by TOTP.
SITE_ID = 1
ACCOUNT_ADAPTER = "fellowship.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "fellowship.forms.SignupDetailsForm"
ACCOUNT_FORMS = {
    "signup": "fellowship.account_forms.SignupForm",
    "login": "fellowship.account_forms.LoginForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "signup": "20/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
}
# None: allauth prefixes its e-mails' subjects with the site's name, which is the programme's name.
ACCOUNT_EMAIL_SUBJECT_PREFIX = None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Fellowship Manager"
# Accept the code of the 30-second step before or after as well (RFC 6238 section 5.2 allows one
# step for network delay and clock drift): a code typed as its step ends is not refused. Each code
# still works only once (allauth records used codes).
MFA_TOTP_TOLERANCE = 1
# Roles that hold personal data of others: they must set up MFA before any other page.
MFA_REQUIRED_ROLES = ["faculty", "panellist", "funder"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# Uploaded files are private: kept outside static/, never served by URL, only by permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = None
LOCAL_FILES = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# With AWS_STORAGE_BUCKET_NAME set, uploads and generated reports live in that bucket of any
# S3-compatible store (so that several web nodes and workers share them), still private: objects
# are read by the permission-checked views and streamed, never linked to. Credentials come from
# the variables (or *_FILE secrets) or, when unset, boto3's own chain (instance roles).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
OBJECT_FILES = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env("AWS_S3_REGION_NAME") or None,
        "access_key": env("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
        "location": env("AWS_LOCATION"),
        "default_acl": None,  # the bucket's own policy: private
        "file_overwrite": False,  # a new upload never replaces another's object
        "querystring_expire": 60,
    },
}
STORAGES = {
    "default": OBJECT_FILES if AWS_STORAGE_BUCKET_NAME else LOCAL_FILES,
    # Both backends by name, for `manage.py migrate_storage --from local --to objects`.
    "local": LOCAL_FILES,
    **({"objects": OBJECT_FILES} if AWS_STORAGE_BUCKET_NAME else {}),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Fellowship Manager <fellowship@example.nhs.uk>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# Security. Behind a TLS-terminating proxy in production; every check --deploy item is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60))
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The disclosure-control policy for counts of people by an equality characteristic
# (docs/disclosure-control.md): counts below this are shown as "<K" ...
EQUALITY_SUPPRESS_BELOW = envint("EQUALITY_SUPPRESS_BELOW", "5")
# ... and shown counts are rounded to the nearest multiple of this (0: not rounded).
EQUALITY_ROUND_TO = envint("EQUALITY_ROUND_TO", "0")
if EQUALITY_SUPPRESS_BELOW < 0 or EQUALITY_ROUND_TO < 0:
    raise ImproperlyConfigured("EQUALITY_SUPPRESS_BELOW and EQUALITY_ROUND_TO must be 0 or more")
PROJECT_APPROVALS_REQUIRED = envint(
    "PROJECT_APPROVALS_REQUIRED", "1"
)  # reviewers who must approve a proposal
# The programme-history import refuses files that expand beyond this many bytes once decompressed,
# or that hold more data rows than this (docs/history-format.md).
HISTORY_IMPORT_MAX_BYTES = envint("HISTORY_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))
HISTORY_IMPORT_MAX_ROWS = envint("HISTORY_IMPORT_MAX_ROWS", "200000")
# Days an e-mailed invitation to a role stays valid; re-sending it starts the days again.
INVITATION_VALID_DAYS = envint("INVITATION_VALID_DAYS", "14")
if INVITATION_VALID_DAYS < 1:
    raise ImproperlyConfigured("INVITATION_VALID_DAYS must be at least 1")

# The retention policy (docs/data-protection.md): how long each kind of record is kept, and from
# when. fellowship.retention reads it alone; the Retention page and the privacy notices show it,
# and the nightly task (CELERY_BEAT_SCHEDULE "apply-retention") removes what is due.
RETENTION = {
    "unsuccessful_applications": {
        "months": envint("RETENTION_UNSUCCESSFUL_APPLICATIONS_MONTHS", "12"),
        "after": "the recruitment round closes",
        "description": "Applications that did not lead to a post (unsuccessful, withdrawn, ineligible "
        "or never submitted), with their CVs, documents and written answers. The row that the "
        "figures count stays, saying nobody's name.",
    },
    "interview_notes": {
        "months": envint("RETENTION_INTERVIEW_NOTES_MONTHS", "12"),
        "after": "the recruitment round closes",
        "description": "Reviewers' and panellists' comments and notes about unsuccessful candidates. "
        "The scores stay, on an application that no longer says whose it is.",
    },
    "equality_records": {
        "months": envint("RETENTION_EQUALITY_RECORDS_MONTHS", "6"),
        "after": "the recruitment round closes and every decision in it is made",
        "description": "Equality monitoring answers. They are then kept only as counts per round, "
        "so the equality pages and reports show the same figures.",
    },
    "survey_invitations": {
        "months": envint("RETENTION_SURVEY_INVITATIONS_MONTHS", "3"),
        "after": "the survey closes",
        "description": "Who was asked to answer a survey, reminded, and whether they answered. "
        "The answers themselves stay (anonymous surveys' answers never name anyone).",
    },
    "audit_log": {
        "months": envint("RETENTION_AUDIT_LOG_MONTHS", "72"),
        "after": "the entry is written",
        "description": "Who viewed or changed sensitive records, and when.",
    },
    "sent_emails": {
        "months": envint("RETENTION_SENT_EMAILS_MONTHS", "3"),
        "after": "the e-mail is sent (or given up)",
        "description": "Copies of the e-mails the service sent: to whom, the subject and the "
        "text, kept to answer questions about what was sent.",
    },
    "unconfirmed_interest_signups": {
        "months": envint("RETENTION_UNCONFIRMED_INTEREST_SIGNUPS_MONTHS", "1"),
        "after": "the address is put on the list, if it is never confirmed",
        "description": "Addresses put on the public website's interest list whose owners never "
        "confirmed them with the link e-mailed to them. Confirmed addresses stay until their "
        "owners leave the list.",
    },
    "history": {
        "months": envint("RETENTION_HISTORY_MONTHS", "24"),
        "after": "the change",
        "description": "Earlier versions of records, kept to show who changed what.",
    },
}
if any(kind["months"] < 1 for kind in RETENTION.values()):
    raise ImproperlyConfigured("Every RETENTION_..._MONTHS must be at least 1")

# Health, metrics and logs (docs/operations.md) ---------------------------------------------------
# /health/live/ and /health/ready/ need no setting. /metrics answers only a scraper bearing
# `Authorization: Bearer <METRICS_TOKEN>` or coming from an address (or network) listed in
# METRICS_ALLOWED_IPS; with neither set it is a 404.
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS")
PROMETHEUS_EXPORT_MIGRATIONS = False
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id); "plain":
# readable lines. JSON unless DEBUG.
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json")
LOGGING["filters"] = {"request_id": {"()": "fellowship.request_ids.RequestIdFilter"}}
LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["asctime", "levelname", "name", "message", "request_id"],
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
