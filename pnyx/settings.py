"""The one settings module. Everything a deployment changes comes from the environment.

The embedded default needs no variable at all: SQLite, media and a generated secret key live in
``PNYX_DATA_DIR`` (``./var``). Setting ``DATABASE_URL`` / ``REDIS_URL`` moves the same code to
PostgreSQL and Redis.

Every variable is read here and nowhere else, once, through the typed ``_env_*`` helpers below. A
value that cannot work stops every command at start with one line naming the variable, what it
accepts and what it got (``pnyx.cli`` prints it), rather than a 500 on the first page that uses it.
Valid values that cannot work together are reported by system checks (``pnyx.checks``).
"""

import os
import re
import secrets
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

_T = TypeVar("_T")


def _parsed(name: str, raw: str, parse: Callable[[str], _T], accepts: str, shown: Callable[[str], str]) -> _T:
    """``parse(raw)``; its ValueError becomes the one line an operator reads at start."""
    try:
        return parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {accepts}, not {shown(raw)!r}") from None


def _env_value(
    name: str, default: _T, parse: Callable[[str], _T], accepts: str, shown: Callable[[str], str] = str
) -> _T:
    """The variable read by ``parse``, or ``default`` when it is unset or empty (an empty value is how a
    shell or a compose file leaves a variable out). ``shown`` is what the message repeats of a bad
    value: a URL's password must not reach a log.
    """
    raw = os.environ.get(name, "").strip()
    return _parsed(name, raw, parse, accepts, shown) if raw else default


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _env_int(name: str, default: int, *, low: int, high: int | None = None) -> int:
    def parse(raw: str) -> int:
        value = int(raw)
        if value < low or (high is not None and value > high):
            raise ValueError(raw)
        return value

    accepts = f"a whole number from {low} to {high}" if high is not None else f"a whole number, {low} or more"
    return _env_value(name, default, parse, accepts)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _env_bool(name: str, default: bool) -> bool:
    def parse(raw: str) -> bool:
        if raw.lower() not in _TRUE | _FALSE:
            raise ValueError(raw)
        return raw.lower() in _TRUE

    return _env_value(name, default, parse, "true or false (or 1/0, yes/no, on/off)")


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, in any case; returned as spelled in ``choices``."""

    def parse(raw: str) -> str:
        for choice in choices:
            if raw.lower() == choice.lower():
                return choice
        raise ValueError(raw)

    return _env_value(name, default, parse, f"one of {', '.join(choices)}")


def _env_list(name: str, default: list[str], item: Callable[[str], str], accepts: str) -> list[str]:
    """A comma-separated list, each item read by ``item``; a message repeats the one item that is wrong."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    return [_parsed(name, part.strip(), item, accepts, str) for part in raw.split(",") if part.strip()]


# What Django's ALLOWED_HOSTS can match: a name, ".example.org" for it and its subdomains, an IP
# address ("[::1]" for IPv6) or "*". A scheme or a port there is a common slip that matches nothing.
_HOST = re.compile(r"\*|\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\]")


def _host(raw: str) -> str:
    if not _HOST.fullmatch(raw.lower()):
        raise ValueError(raw)
    return raw.lower()


def _origin(raw: str, *, wildcard: bool = True) -> str:
    """``scheme://host[:port]``, as browsers send it in ``Origin``: nothing after the host but an
    optional ``/`` (dropped), because a path or a query would never match. ``*.`` starts a host only
    where ``wildcard`` allows it (Django's CSRF_TRUSTED_ORIGINS and CSP accept it).
    """
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if wildcard and host.startswith("*."):
        host = host[2:]
    if (
        parts.scheme not in {"http", "https"}
        or not _HOST.fullmatch(host)
        or host == "*"
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(raw)
    parts.port  # noqa: B018 (raises ValueError on a port out of range or not a number)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _time_zone(raw: str) -> str:
    try:
        zoneinfo.ZoneInfo(raw)
    except zoneinfo.ZoneInfoNotFoundError:
        raise ValueError(raw) from None
    return raw


def _language(raw: str) -> str:
    """A language Django ships, or a regional variant of one (``de-at`` falls back to ``de``)."""
    code = raw.lower().replace("_", "-")
    known = {known for known, _ in global_settings.LANGUAGES}
    if code not in known and code.split("-")[0] not in known:
        raise ValueError(raw)
    return code


def without_password(url: str) -> str:
    """A URL as it may be shown: its password, if any, as ***."""
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# Tests run on an in-memory database, Django's default for SQLite; said here because pytest-django knows
# SQLite by Django's own engine name, and pnyx's (pnyx/sqlite) would be given a file name per test process.
_SQLITE_TEST = {"NAME": ":memory:"}


def _database(url: str) -> dict:
    """pnyx runs on PostgreSQL and SQLite only: the test suite proves nothing for another engine."""
    if urlsplit(url).scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ValueError(url)
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if not database["NAME"]:
        raise ValueError(url)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.update(ENGINE="pnyx.sqlite", OPTIONS=_SQLITE_OPTIONS, TEST=_SQLITE_TEST)
    else:
        database.update(ENGINE="pnyx.postgresql", OPTIONS=_POSTGRES_OPTIONS | database.get("OPTIONS", {}))
    return database


# PostgreSQL gets each query's values apart from its text, so that a query a connection has run five times
# is prepared (pnyx/postgresql says why). A pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21) needs ?server_side_binding=false on the URL, which the URL's options override.
_POSTGRES_OPTIONS = {"server_side_binding": True, "prepare_threshold": 5}


def _redis_url(url: str) -> str:
    """What redis-py's ``from_url`` reads: a host and an optional database number, or a socket path."""
    parts = urlsplit(url)
    parts.port  # noqa: B018 (raises ValueError on a bad port)
    if parts.scheme in {"redis", "rediss"} and parts.hostname and re.fullmatch(r"/?[0-9]*", parts.path):
        return url
    if parts.scheme == "unix" and parts.path:
        return url
    raise ValueError(url)


def _private(path: Path) -> None:
    """Make a file that holds secrets, emails or IP addresses readable by its owner alone."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except FileNotFoundError:
        pass
    except PermissionError:
        pass  # another user's file: only its owner can tighten it, and pnyx can still use it


def _private_sqlite(name: str | Path) -> None:
    """Create the database file 0600 before SQLite does (it would follow the umask, often 0644), and
    tighten an existing one. SQLite gives its -wal and -shm files the database file's mode, so they
    follow; files made before this rule existed are tightened too.
    """
    if str(name) == ":memory:" or str(name).startswith("file:"):
        return
    path = Path(name)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        for each in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            _private(each)
    except OSError as error:
        raise ImproperlyConfigured(f"cannot create the database {path}: {error.strerror}") from None


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(_env_str("PNYX_DATA_DIR", "var")).resolve()
try:
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # the mode applies to a new dir only
except OSError as error:
    raise ImproperlyConfigured(
        f"PNYX_DATA_DIR must be a directory pnyx can create and write, not {str(DATA_DIR)!r} ({error.strerror})"
    ) from None


def _secret_key() -> str:
    """Read PNYX_SECRET_KEY, or generate one into the data dir the first time.

    Created with O_EXCL so that several workers starting at once agree on one key.
    """
    if key := _env_str("PNYX_SECRET_KEY", ""):
        return key
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _private(path)
        key = path.read_text().strip()
        if not key:
            raise ImproperlyConfigured(f"{path} is empty: delete it or set PNYX_SECRET_KEY") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("PNYX_DEBUG", False)
ALLOWED_HOSTS = _env_list(
    "PNYX_ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]"],
    _host,
    "host names separated by commas, like blog.example.org or .example.org (no scheme, port or path)",
)
CSRF_TRUSTED_ORIGINS = _env_list(
    "PNYX_TRUSTED_ORIGINS", [], _origin, "origins separated by commas, like https://www.example.org"
)

# Behind a TLS-terminating proxy that says so in X-Forwarded-Proto (README: Configuration).
PNYX_HTTPS = _env_bool("PNYX_HTTPS", False)

_LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def _default_base_url() -> str:
    """The first host the site answers to that a reader could reach: not a pattern, not this machine."""
    for host in ALLOWED_HOSTS:
        if host not in _LOOPBACK and not host.startswith((".", "*")) and not host.endswith(".localhost"):
            return f"{'https' if PNYX_HTTPS else 'http'}://{host}"
    return "http://localhost:8000"


# The site's own address, for links made outside a request (exports, mail); no trailing slash.
PNYX_BASE_URL = _env_value(
    "PNYX_BASE_URL",
    _default_base_url(),
    lambda raw: _origin(raw, wildcard=False),
    "an http or https address with nothing after the host, like https://blog.example.org",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "csp",
    "django.contrib.staticfiles",
    "pnyx",
    "pnyx.blog",
    "pnyx.discussion",
    "pnyx.identity",
    "pnyx.porting",
    "pnyx.outbox",
    "pnyx.media",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    # After pnyx's apps, so that pnyx/templates/account/ and socialaccount/ override allauth's pages.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    *(f"allauth.socialaccount.providers.{provider}" for provider in ("facebook", "github", "google", "twitter_oauth2")),
    # Providers allauth does not ship, written as its own are.
    "pnyx.identity.social.wordpress_com",
    "pnyx.identity.social.mastodon",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # After SecurityMiddleware, so that it answers first: signing in in a popup (pnyx.identity.middleware).
    "pnyx.identity.middleware.SignInOpenerMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
        # A site's own theme: templates here replace pnyx's of the same name (README, "Theme").
        "DIRS": [DATA_DIR / "theme" / "templates"],
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

# SQLite in the data dir unless DATABASE_URL says otherwise. WAL and IMMEDIATE transactions (_SQLITE_OPTIONS)
# let several worker processes write without "database is locked" errors under ordinary load, and pnyx's
# backend (pnyx/sqlite) has a writer wait for the lock in short steps rather than SQLite's long ones. Connections
# are kept between requests, as for PostgreSQL: opening one and setting its pragmas cost 1.5 ms a request,
# a third of a seed-like page's cold render (bench/README.md).
DATABASES = {
    "default": _env_value(
        "DATABASE_URL",
        {
            "ENGINE": "pnyx.sqlite",
            "NAME": DATA_DIR / "pnyx.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
            "TEST": _SQLITE_TEST,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        },
        _database,
        "a postgres://user:password@host:port/name or sqlite:////path/to/file URL",
        shown=without_password,
    )
}
if DATABASES["default"]["ENGINE"] == "pnyx.sqlite":
    _private_sqlite(DATABASES["default"]["NAME"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PNYX_REDIS_URL = _env_value("REDIS_URL", "", _redis_url, "a redis://, rediss:// or unix:// URL", shown=without_password)
if PNYX_REDIS_URL:
    # A Redis host that stopped answering costs a call a second, not the system's connect timeout
    # (minutes); the cache then answers as an empty one for a second (pnyx.rediscache). RQ shares these
    # connections.
    CACHES = {
        "default": {
            "BACKEND": "pnyx.rediscache.RedisCache",
            "LOCATION": PNYX_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (mail above all) runs through django-tasks, outside every request: in the database by
# default, so one box needs nothing more, or in RQ on Redis (PNYX_TASKS=redis, the default with REDIS_URL).
# `pnyx serve` starts a worker itself; `pnyx worker` runs one alone (README: Running the worker).
PNYX_TASKS = _env_choice("PNYX_TASKS", "redis" if PNYX_REDIS_URL else "database", ("database", "redis"))
if PNYX_TASKS == "redis" and not PNYX_REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set too: PNYX_TASKS=redis keeps the tasks in Redis")
TASKS = {
    "default": {
        "BACKEND": ("django_tasks_rq.RQBackend" if PNYX_TASKS == "redis" else "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# django-rq's queues, used only with PNYX_TASKS=redis. A job RQ could not run stays in its failed registry.
# pnyx enqueues once the database has committed (pnyx.outbox.services); django-tasks-rq runs its own job class.
RQ = {"COMMIT_MODE": "auto", "JOB_CLASS": "django_tasks_rq.Job"}
# The queue shares the cache's connections (pnyx/rediscache.py): a connection of its own per task cost 4 ms.
RQ_QUEUES = {"default": {"USE_REDIS_CACHE": "default", "DEFAULT_TIMEOUT": 300}}

# The cache-first front (pnyx.front, pnyx.pagecache): how much page memory each worker keeps, and what a
# CDN or proxy in front may do with a page. Browsers always ask again (max-age=0) and get a 304 when
# nothing changed; a CDN may serve a page for PNYX_CDN_MAX_AGE seconds, and a stale one while it asks.
PNYX_PAGE_CACHE_MB = _env_int("PNYX_PAGE_CACHE_MB", 32, low=1, high=4096)
PNYX_CDN_MAX_AGE = _env_int("PNYX_CDN_MAX_AGE", 10, low=0, high=24 * 3600)
PNYX_PAGE_CACHE_CONTROL = (
    f"public, max-age=0, s-maxage={PNYX_CDN_MAX_AGE}, stale-while-revalidate={max(60, PNYX_CDN_MAX_AGE)}"
)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = _env_value("PNYX_LANGUAGE", "en", _language, "a language code Django knows, like en, de or pt-br")
TIME_ZONE = _env_value("PNYX_TIME_ZONE", "UTC", _time_zone, "a time zone name like UTC or Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# A site's own static files (a stylesheet of the same name replaces pnyx's), found before pnyx's own.
STATICFILES_DIRS = [path for path in [DATA_DIR / "theme" / "static"] if path.is_dir()]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Images (pnyx.media.conf): the largest file taken, the most pixels it may unpack to, and how long an import
# waits for an old host.
PNYX_MEDIA_MAX_BYTES = _env_int("PNYX_MEDIA_MAX_BYTES", 10 * 1024 * 1024, low=1024, high=1024**3)
PNYX_MEDIA_MAX_PIXELS = _env_int("PNYX_MEDIA_MAX_PIXELS", 40_000_000, low=10_000, high=500_000_000)
PNYX_MEDIA_FETCH_TIMEOUT = _env_int("PNYX_MEDIA_FETCH_TIMEOUT", 20, low=1, high=300)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(raw)
    parts.port  # noqa: B018 (raises ValueError on a bad port)
    return raw.rstrip("/")


# Images in an S3-compatible store (AWS, MinIO, Garage, Ceph, R2 …) through django-storages, when several
# machines serve one site or the data dir should stay small. Readers fetch the files from the store (or the
# CDN in front of it, PNYX_MEDIA_S3_PUBLIC_URL), which is then the one other host a page loads from.
PNYX_MEDIA_S3_BUCKET = _env_str("PNYX_MEDIA_S3_BUCKET", "")
_MEDIA_HOST = []
if PNYX_MEDIA_S3_BUCKET:
    from importlib.util import find_spec

    if find_spec("storages") is None or find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "PNYX_MEDIA_S3_BUCKET needs django-storages and boto3: pip install 'pnyx[s3]' (or unset it)"
        )
    _s3_endpoint = _env_value(
        "PNYX_MEDIA_S3_ENDPOINT_URL", "", _http_url, "the store's http(s) address, like https://s3.example.org"
    )
    _s3_region = _env_str("PNYX_MEDIA_S3_REGION", "us-east-1")
    _default_public = (
        f"{_s3_endpoint}/{PNYX_MEDIA_S3_BUCKET}"
        if _s3_endpoint
        else f"https://{PNYX_MEDIA_S3_BUCKET}.s3.{_s3_region}.amazonaws.com"
    )
    _s3_public = _env_value(
        "PNYX_MEDIA_S3_PUBLIC_URL",
        _default_public,
        _http_url,
        "the http(s) address readers fetch the files from, like https://media.example.org",
    )
    _public = urlsplit(_s3_public)
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PNYX_MEDIA_S3_BUCKET,
            "endpoint_url": _s3_endpoint or None,
            "region_name": _s3_region,
            # Empty: boto3 finds credentials itself (AWS_ACCESS_KEY_ID …, an instance role).
            "access_key": _env_str("PNYX_MEDIA_S3_ACCESS_KEY", "") or None,
            "secret_key": _env_str("PNYX_MEDIA_S3_SECRET_KEY", "") or None,
            # Files are public and never change (pnyx.media.images): plain, lasting addresses, no signatures.
            "custom_domain": _public.netloc + _public.path,
            "url_protocol": f"{_public.scheme}:",
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    _MEDIA_HOST = [f"{_public.scheme}://{_public.netloc}"]

# Session and CSRF cookies never travel on cross-site requests; the comment form relies on this
# together with its Origin / Sec-Fetch-Site check (pnyx.origin).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Signing in runs in a popup (pnyx.identity), which reports back to the post page that opened it; Django's
# default, "same-origin", would cut that link as soon as the popup visits the provider.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"

# Nothing leaks: a reader's browser loads nothing from a third party, and no injected script could
# run or phone home even if it slipped through sanitizing. The admin's own scripts are files too.
# PNYX_IMAGE_HOSTS is the operator's explicit exception, e.g. an imported blog's old media host.
_IMAGE_HOSTS = _env_list("PNYX_IMAGE_HOSTS", [], _origin, "origins separated by commas, like https://media.example.org")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", *_MEDIA_HOST, *_IMAGE_HOSTS],
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
if PNYX_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # PNYX_HTTPS already needs the proxy to send X-Forwarded-Proto (the origin checks compare schemes), so
    # a request without it came in over plain http and belongs on https; a proxy that redirects http
    # itself never lets one through, so this costs nothing there.
    SECURE_SSL_REDIRECT = True
# HSTS is sent on https responses only, so these matter under PNYX_HTTPS. includeSubDomains covers the
# site's own subdomains (of blog.example.org, not of example.org), which Django's deploy check asks for.
SECURE_HSTS_SECONDS = _env_int("PNYX_HSTS_SECONDS", 365 * 24 * 3600 if PNYX_HTTPS else 0, low=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("PNYX_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("PNYX_HSTS_PRELOAD", False)
# security.W021 asks every site to opt in to the browsers' HSTS preload list. Joining it is a promise about
# the whole domain that takes months to undo, so it is the operator's choice (PNYX_HSTS_PRELOAD), not
# a default; pnyx.W005 checks that a site that opts in qualifies.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

EMAIL_HOST = _env_str("PNYX_EMAIL_HOST", "")
EMAIL_PORT = _env_int("PNYX_EMAIL_PORT", 25, low=1, high=65535)
EMAIL_HOST_USER = _env_str("PNYX_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = _env_str("PNYX_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PNYX_EMAIL_TLS", False)
# Mail is sent by the task worker only (pnyx.outbox); a mail server that stops answering must not hold it.
EMAIL_TIMEOUT = _env_int("PNYX_EMAIL_TIMEOUT", 10, low=1, high=300)
DEFAULT_FROM_EMAIL = _env_str("PNYX_FROM_EMAIL", "pnyx@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# How many reverse proxies in front of pnyx append to X-Forwarded-For (0: pnyx faces the readers).
PNYX_PROXY_COUNT = _env_int("PNYX_PROXY_COUNT", 0, low=0)
PNYX_SITE_NAME = _env_str("PNYX_SITE_NAME", "pnyx")
PNYX_SITE_TAGLINE = _env_str("PNYX_SITE_TAGLINE", "Writing, and the argument underneath")
# Feeds (/feed/ and the rest, as WordPress has them): how many entries, and the whole post or its standfirst.
PNYX_FEED_ITEMS = _env_int("PNYX_FEED_ITEMS", 10, low=1, high=500)
PNYX_FEED_FULL_TEXT = _env_bool("PNYX_FEED_FULL_TEXT", True)
# Read by pnyx.discussion.conf: how deep replies nest (WordPress: 5), and the longest comment in characters.
PNYX_THREAD_DEPTH = _env_int("PNYX_THREAD_DEPTH", 5, low=1, high=60)
PNYX_COMMENT_MAX_LENGTH = _env_int("PNYX_COMMENT_MAX_LENGTH", 10_000, low=1, high=100_000)
# Minutes in which a commenter may edit or delete their own comment; 0: never (pnyx.discussion.own).
PNYX_COMMENT_EDIT_MINUTES = _env_int("PNYX_COMMENT_EDIT_MINUTES", 15, low=0, high=7 * 24 * 60)
# Top-level comments per page of a thread, each with all its replies (pnyx.discussion.conf).
PNYX_COMMENTS_PER_PAGE = _env_int("PNYX_COMMENTS_PER_PAGE", 100, low=1, high=10_000)
# Seconds between two confirmation mails to one address, however many comments use it (pnyx.identity.conf).
PNYX_CONFIRMATION_INTERVAL = _env_int("PNYX_CONFIRMATION_INTERVAL", 3600, low=0)
# How many comments are taken per address, identity and post (each entry explained in pnyx.discussion.conf).
_RATE_LIMIT = re.compile(r"\d+/\d*[smhd]/(ip|identity|post)")


def _rate_limits(raw: str) -> str:
    spec = ",".join(part.strip() for part in raw.split(",") if part.strip())
    if not all(_RATE_LIMIT.fullmatch(part) for part in spec.split(",")):
        raise ValueError(raw)
    return spec


PNYX_COMMENT_RATE_LIMITS = _env_value(
    "PNYX_COMMENT_RATE_LIMITS",
    "5/m/ip,30/h/ip,200/d/ip,3/m/identity,20/h/identity,30/m/post",
    _rate_limits,
    "comma-separated amount/period/scope entries, like 5/m/ip,20/h/identity,30/m/post",
)

# The outbox (pnyx.outbox.conf): at most this many mails to one address per hour, whatever the reason, and
# whether a burst of comments on one post reaches a subscriber as one digest.
PNYX_EMAIL_HOURLY_LIMIT = _env_int("PNYX_EMAIL_HOURLY_LIMIT", 20, low=1, high=10_000)
PNYX_EMAIL_DIGEST_MINUTES = _env_int("PNYX_EMAIL_DIGEST_MINUTES", 5, low=0, high=24 * 60)
# How long the notice task waits before writing the mails of a held or published comment: every change of
# that time, from every process, is then told in one run (pnyx.discussion.notifications.notices_ring).
PNYX_NOTICE_DELAY = _env_int("PNYX_NOTICE_DELAY", 1, low=0, high=600)

# Accounts (django-allauth, customised in pnyx.identity.adapter). A local account signs in with its email,
# verified by mail before it counts. An account made through a provider is that provider's account: it
# needs no email, and a provider's address counts only when the provider says it verified it; then it
# also signs in to the local account that has the same address. allauth's own rate limits stay on.
ACCOUNT_ADAPTER = "pnyx.identity.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "pnyx.identity.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PNYX_SITE_NAME}] "
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# allauth's own limits, plus one: the Mastodon servers a reader names (each makes this site ask that server).
ACCOUNT_RATE_LIMITS = {"mastodon_instance": "10/m/ip"}
LOGIN_REDIRECT_URL = "/"


def _login_app(provider: str, label: str) -> list[dict]:
    """One provider's app from ``PNYX_LOGIN_<LABEL>_CLIENT_ID`` and ``_SECRET``; both or neither."""
    client_id = _env_str(f"PNYX_LOGIN_{label}_CLIENT_ID", "")
    secret = _env_str(f"PNYX_LOGIN_{label}_SECRET", "")
    if bool(client_id) != bool(secret):
        missing = f"PNYX_LOGIN_{label}_{'SECRET' if client_id else 'CLIENT_ID'}"
        raise ImproperlyConfigured(f"{missing} must be set too: a {provider} login needs a client id and a secret")
    return [{"client_id": client_id, "secret": secret}] if client_id else []


_OIDC_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _oidc_slug(raw: str) -> str:
    if not _OIDC_SLUG.fullmatch(raw.lower()):
        raise ValueError(raw)
    return raw.lower()


def _server_url(raw: str) -> str:
    """An OpenID Connect server's address: https, or http on this machine for trying things out."""
    parts = urlsplit(raw)
    local = parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if not parts.hostname or not (parts.scheme == "https" or local):
        raise ValueError(raw)
    return raw


def _oidc_apps() -> list[dict]:
    """Every OpenID Connect server named in ``PNYX_LOGIN_OIDC`` (``PNYX_LOGIN_OIDC=work,uni``), each with
    ``PNYX_LOGIN_OIDC_<SLUG>_SERVER_URL``, ``_NAME`` (shown to readers), ``_CLIENT_ID`` and ``_SECRET``."""
    slugs = _env_list("PNYX_LOGIN_OIDC", [], _oidc_slug, "short names separated by commas, like work,uni")
    apps = []
    for slug in slugs:
        label = f"OIDC_{slug.upper().replace('-', '_')}"
        server_url = _env_value(
            f"PNYX_LOGIN_{label}_SERVER_URL",
            "",
            _server_url,
            "the https address of the OpenID Connect server, like https://login.example.org/realms/blog",
        )
        [app] = _login_app("OpenID Connect", label) or [{}]
        if not server_url or not app:
            raise ImproperlyConfigured(
                f"PNYX_LOGIN_{label}_SERVER_URL, _CLIENT_ID and _SECRET must be set: PNYX_LOGIN_OIDC names {slug!r}"
            )
        name = _env_str(f"PNYX_LOGIN_{label}_NAME", slug)
        apps.append({"provider_id": slug, "name": name, **app, "settings": {"server_url": server_url}})
    return apps


# Providers whose credentials come from the environment; more, and these too, can be added in the admin
# (Social applications). pnyx shows a provider's icon only when it has an app (pnyx.identity.providers).
SOCIALACCOUNT_PROVIDERS = {
    "facebook": {"APPS": _login_app("Facebook", "FACEBOOK"), "METHOD": "oauth2", "SCOPE": ["email", "public_profile"]},
    "github": {"APPS": _login_app("GitHub", "GITHUB"), "SCOPE": ["read:user", "user:email"]},
    "google": {
        "APPS": _login_app("Google", "GOOGLE"),
        "SCOPE": ["openid", "profile", "email"],
        "OAUTH_PKCE_ENABLED": True,
    },
    "twitter_oauth2": {"APPS": _login_app("X", "TWITTER")},
    "openid_connect": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True},
    "wordpress_com": {"APPS": _login_app("WordPress.com", "WORDPRESS")},
}
# Mastodon needs no credentials of the site's own: pnyx registers itself on each server a reader names
# (pnyx.identity.social.mastodon). This switch alone puts its icon in the form.
PNYX_LOGIN_MASTODON = _env_bool("PNYX_LOGIN_MASTODON", False)

# django.security reports requests Django refused as a client's mistake (a disallowed Host, an oversized
# body), each with a 400: one line apiece, without the traceback Django attaches (pnyx.log).
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
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
    "root": {"handlers": ["console"], "level": _env_choice("PNYX_LOG_LEVEL", "WARNING", _LOG_LEVELS)},
}
