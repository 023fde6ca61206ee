"""The one settings module. Everything a deployment changes comes from the environment.

The embedded default needs no variable at all: SQLite, media and a generated secret key live in
``PNYX_DATA_DIR`` (``./var``). Setting ``DATABASE_URL`` / ``REDIS_URL`` moves the same code to
PostgreSQL and Redis.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PNYX_DATA_DIR") or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Read PNYX_SECRET_KEY, or generate one into the data dir the first time.

    Created with O_EXCL so that several workers starting at once agree on one key.
    """
    if key := os.environ.get("PNYX_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if not key:
            raise ImproperlyConfigured(f"{path} is empty: delete it or set PNYX_SECRET_KEY") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("PNYX_DEBUG")
ALLOWED_HOSTS = _env_list("PNYX_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("PNYX_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "django.contrib.staticfiles",
    "pnyx",
    "pnyx.blog",
    "pnyx.discussion",
    "pnyx.identity",
    "pnyx.porting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the 404 a view gave before anything else turns it into a page: an imported
    # post's old address answers with a 301 to its pnyx page.
    "pnyx.porting.middleware.LegacyRedirectMiddleware",
]

ROOT_URLCONF = "pnyx.urls"
WSGI_APPLICATION = "pnyx.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pnyx.blog.context_processors.site",
            ],
        },
    },
]

# SQLite in the data dir unless DATABASE_URL says otherwise. WAL and IMMEDIATE transactions let several
# worker processes write without "database is locked" errors under ordinary load.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = _SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "pnyx.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("PNYX_LANGUAGE", "en")
TIME_ZONE = os.environ.get("PNYX_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Session and CSRF cookies never travel on cross-site requests; the comment form relies on this
# together with its Origin / Sec-Fetch-Site check (pnyx.discussion.origin).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Nothing leaks: a reader's browser loads nothing from a third party, and no injected script could
# run or phone home even if it slipped through sanitizing. The admin's own scripts are files too.
# PNYX_IMAGE_HOSTS is the operator's explicit exception, e.g. an imported blog's old media host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", *_env_list("PNYX_IMAGE_HOSTS", "")],
        "script-src": [SELF],
        "style-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if _env_bool("PNYX_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_HOST = os.environ.get("PNYX_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("PNYX_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PNYX_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PNYX_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PNYX_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("PNYX_FROM_EMAIL", "pnyx@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# How many reverse proxies in front of pnyx append to X-Forwarded-For (0: pnyx faces the readers).
PNYX_PROXY_COUNT = int(os.environ.get("PNYX_PROXY_COUNT", "0"))
PNYX_SITE_NAME = os.environ.get("PNYX_SITE_NAME", "pnyx")
PNYX_SITE_TAGLINE = os.environ.get("PNYX_SITE_TAGLINE", "Writing, and the argument underneath")

# django.security reports requests Django refused as a client's mistake (a disallowed Host, an oversized
# body), each with a 400: one line apiece, without the traceback Django attaches (pnyx.log).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "one_line": {"()": "pnyx.log.OneLineFormatter", "format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "client_errors": {"class": "logging.StreamHandler", "formatter": "one_line"},
    },
    "loggers": {"django.security": {"handlers": ["client_errors"], "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("PNYX_LOG_LEVEL", "WARNING")},
}
