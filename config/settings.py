"""Samverket Grants settings: one file, driven by environment variables.

DEBUG           "1" for development (the default when running `make run`), "0" in production
SECRET_KEY      required when DEBUG is off (without it nothing that signs works; check --deploy says so)
DATABASE_URL    e.g. postgres://user@127.0.0.1:5432/samverket; SQLite in var/ when unset
ALLOWED_HOSTS   comma-separated; defaults to localhost names in development
EMAIL_URL-ish   EMAIL_BACKEND / EMAIL_HOST / EMAIL_PORT / DEFAULT_FROM_EMAIL
PRIVATE_MEDIA_ROOT  where attachments and documents are stored (never served as static files)
PAYMENT_DEBTOR_NAME / _IBAN / _BIC / _ORGNR, PLUSGIRO_MEMBER_ID  the authority's account in payment files
ACCESSIBILITY_CONTACT_EMAIL  where people report accessibility problems (the accessibility statement)
TRUST_X_FORWARDED_PROTO  "1" only behind a proxy that sets X-Forwarded-Proto (and strips the client's own);
                without it the header is ignored (behind such a proxy, SECURE_SSL_REDIRECT would loop)
TRUST_X_FORWARDED_FOR    "1" only behind a proxy that appends the client's address to X-Forwarded-For: login
                throttling then counts per that address instead of the proxy's
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)

# Without DEBUG there is no fallback: the key stays empty, so commands that need no secret (migrate,
# makemigrations, check) still run, while anything that signs (sessions, CSRF, password reset) fails with
# Django's own "SECRET_KEY must not be empty", and `check --deploy` reports it.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "grants",
    "workflows",
    "documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "grants.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "grants.middleware.RefuseNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
                "grants.context_processors.staff_nav",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once when the worker and the web app write together.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "grants.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Django's database sessions, read with one prepared statement instead of an ORM query per request.
SESSION_ENGINE = "grants.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments and documents: outside every public URL; served only through permission-checked views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")),
            "base_url": "/no-public-url/",
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: files are checked by content in the form; Django keeps big ones on disk while they arrive.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# `manage.py run_worker` renews a heartbeat every lease/6 seconds; a task RUNNING on a worker that has not
# beaten within the lease is taken to be orphaned (the worker was killed) and is queued again.
WORKER_LEASE_SECONDS = float(os.environ.get("WORKER_LEASE_SECONDS", "60"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# A mail server that stops answering must not hold a worker (and its task, which looks alive) for ever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Samverket Grants <noreply@samverket.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Who the letters and e-mails speak for.
AUTHORITY_NAME = os.environ.get("AUTHORITY_NAME", "Vinnova")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The authority's own account, which payment files (pain.001) debit: name, IBAN and BIC, and organisation
# number (DESIGN.md §7). The defaults are demo values (a valid but made-up Swedish IBAN); set them in production.
PAYMENT_DEBTOR_NAME = os.environ.get("PAYMENT_DEBTOR_NAME", AUTHORITY_NAME)
PAYMENT_DEBTOR_IBAN = os.environ.get("PAYMENT_DEBTOR_IBAN", "SE4550000000058398257466")
PAYMENT_DEBTOR_BIC = os.environ.get("PAYMENT_DEBTOR_BIC", "ESSESESS")
PAYMENT_DEBTOR_ORGNR = os.environ.get("PAYMENT_DEBTOR_ORGNR", "2021005216")
# The clearing member id plusgiro payments are addressed to (ClrSysMmbId/MmbId): 9960 unless the bank says otherwise.
PLUSGIRO_MEMBER_ID = os.environ.get("PLUSGIRO_MEMBER_ID", "9960")
# The accessibility statement's address for reporting problems (DOS-lagen 2018:1937 requires a way to report).
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "tillganglighet@samverket.example")

# A refused form gets the site's own page, in the person's language, with a fresh token (403_csrf.html).
CSRF_FAILURE_VIEW = "grants.views.pages.csrf_failure"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# A client can send X-Forwarded-Proto itself: trusted only when a proxy in front says so by overwriting it.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# The language cookie like the session's: not readable by scripts, sent only over HTTPS in production, and not
# with requests from other sites' forms.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"samverket": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
