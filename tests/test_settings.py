import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

PNYX = str(Path(sys.executable).parent / "pnyx")


def _env(data_dir: Path, **variables: str) -> dict:
    """The test's environment without any pnyx or Django variable of the caller's (the browser tests set
    DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses), plus ``variables``.
    """
    ours = ("PNYX_", "DJANGO_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return {**env, "PNYX_DATA_DIR": str(data_dir), **variables}


def _pnyx(args: list[str], data_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run([PNYX, *args], env=_env(data_dir, **variables), capture_output=True, text=True, timeout=120)


def _settings(data_dir: Path, *names: str, **variables: str) -> dict:
    """The named settings as a fresh process reads them from ``variables``."""
    show = f"import json; from pnyx import settings; print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = subprocess.run(
        [sys.executable, "-c", show], env=_env(data_dir, **variables), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _assert_refused_in_one_line(result: subprocess.CompletedProcess, variable: str, value: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"pnyx: {variable} must be ")
    assert lines[0].endswith(f", not {value!r}")
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("PNYX_THREAD_DEPTH", "three", "a whole number from 1 to 60"),
        ("PNYX_COMMENT_RATE_LIMITS", "5 per minute", "comma-separated amount/period/scope entries"),
        ("PNYX_COMMENT_RATE_LIMITS", "5/m/ip,3/m/person", "comma-separated amount/period/scope entries"),
        ("PNYX_THREAD_DEPTH", "61", "a whole number from 1 to 60"),
        ("PNYX_COMMENT_MAX_LENGTH", "0", "a whole number from 1 to 100000"),
        ("PNYX_PROXY_COUNT", "-1", "a whole number, 0 or more"),
        ("PNYX_EMAIL_PORT", "smtp", "a whole number from 1 to 65535"),
        ("PNYX_DEBUG", "maybe", "true or false"),
        ("PNYX_HTTPS", "yes please", "true or false"),
        ("PNYX_BASE_URL", "blog.example.org", "an http or https address"),
        ("PNYX_BASE_URL", "https://blog.example.org/?ref=mail", "an http or https address"),
        ("REDIS_URL", "http://127.0.0.1:6379/0", "a redis://, rediss:// or unix:// URL"),
        ("PNYX_ALLOWED_HOSTS", "https://blog.example.org", "host names separated by commas"),
        ("PNYX_TRUSTED_ORIGINS", "www.example.org", "origins separated by commas"),
        ("PNYX_IMAGE_HOSTS", "https://cdn.example.org/images", "origins separated by commas"),
        ("PNYX_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("PNYX_TIME_ZONE", "Mars/Olympus", "a time zone name"),
        ("PNYX_LANGUAGE", "klingon", "a language code"),
        ("PNYX_TASKS", "celery", "one of database, redis"),
        ("PNYX_EMAIL_HOURLY_LIMIT", "0", "a whole number from 1 to 10000"),
        ("PNYX_MEDIA_MAX_BYTES", "10MB", "a whole number from 1024 to 1073741824"),
        ("PNYX_MEDIA_MAX_PIXELS", "0", "a whole number from 10000 to 500000000"),
        ("PNYX_MEDIA_FETCH_TIMEOUT", "forever", "a whole number from 1 to 300"),
    ],
)
def test_a_bad_value_stops_pnyx_at_start_with_one_line_naming_the_variable(tmp_path, variable, value, accepts):
    line = _assert_refused_in_one_line(_pnyx(["check"], tmp_path, **{variable: value}), variable, value)
    assert f"{variable} must be {accepts}" in line


def test_tasks_go_to_the_database_unless_redis_is_there_or_chosen(tmp_path):
    alone = _settings(tmp_path, "PNYX_TASKS", "TASKS")
    assert alone["PNYX_TASKS"] == "database" and alone["TASKS"]["default"]["BACKEND"].startswith("django_tasks_db.")
    redis = _settings(tmp_path, "TASKS", REDIS_URL="redis://127.0.0.1:6379/3")
    assert redis["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    chosen = _settings(tmp_path, "PNYX_TASKS", REDIS_URL="redis://127.0.0.1:6379/3", PNYX_TASKS="database")
    assert chosen["PNYX_TASKS"] == "database"
    result = _pnyx(["check"], tmp_path, PNYX_TASKS="redis")
    assert result.returncode == 2 and "REDIS_URL must be set too" in result.stderr


def test_an_s3_bucket_moves_images_to_the_store_and_allows_its_host_for_images(tmp_path):
    plain = _settings(tmp_path, "STORAGES", "CONTENT_SECURITY_POLICY")
    assert plain["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert plain["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    store = _settings(
        tmp_path,
        "STORAGES",
        "CONTENT_SECURITY_POLICY",
        PNYX_MEDIA_S3_BUCKET="blog-media",
        PNYX_MEDIA_S3_PUBLIC_URL="https://cdn.example.org/blog",
    )
    options = store["STORAGES"]["default"]["OPTIONS"]
    assert store["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["custom_domain"], options["url_protocol"]) == (
        "blog-media",
        "cdn.example.org/blog",
        "https:",
    )
    assert store["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:", "https://cdn.example.org"]
    aws = _settings(tmp_path, "STORAGES", PNYX_MEDIA_S3_BUCKET="blog-media", PNYX_MEDIA_S3_REGION="eu-west-1")
    assert aws["STORAGES"]["default"]["OPTIONS"]["custom_domain"] == "blog-media.s3.eu-west-1.amazonaws.com"
    bad = _pnyx(["check"], tmp_path, PNYX_MEDIA_S3_BUCKET="m", PNYX_MEDIA_S3_ENDPOINT_URL="s3.example.org")
    _assert_refused_in_one_line(bad, "PNYX_MEDIA_S3_ENDPOINT_URL", "s3.example.org")


def test_a_bad_item_in_a_list_is_named_alone(tmp_path):
    result = _pnyx(["check"], tmp_path, PNYX_TRUSTED_ORIGINS="https://www.example.org, example.org")
    _assert_refused_in_one_line(result, "PNYX_TRUSTED_ORIGINS", "example.org")


def test_an_unsupported_database_url_is_refused_without_repeating_its_password(tmp_path):
    result = _pnyx(["migrate"], tmp_path, DATABASE_URL="mysql://pnyx:s3cret@db.example.org/pnyx")
    _assert_refused_in_one_line(result, "DATABASE_URL", "mysql://pnyx:***@db.example.org/pnyx")
    assert "s3cret" not in result.stderr


def test_postgresql_binds_parameters_on_the_server_unless_the_url_says_not(tmp_path):
    """Server-side binding lets PostgreSQL prepare what runs often; a pooler that cannot keep prepared
    statements turns it off on the URL."""
    url = "postgres://pnyx@db.internal:5432/pnyx"
    database = _settings(tmp_path, "DATABASES", DATABASE_URL=url)["DATABASES"]["default"]
    assert database["ENGINE"] == "pnyx.postgresql"
    assert database["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    off = _settings(tmp_path, "DATABASES", DATABASE_URL=url + "?server_side_binding=false&sslmode=require")
    assert off["DATABASES"]["default"]["OPTIONS"] == {
        "server_side_binding": False,
        "prepare_threshold": 5,
        "sslmode": "require",
    }


def test_an_unparseable_database_url_is_refused(tmp_path):
    result = _pnyx(["migrate"], tmp_path, DATABASE_URL="postgres://pnyx@db.example.org:99999/pnyx")
    _assert_refused_in_one_line(result, "DATABASE_URL", "postgres://pnyx@db.example.org:99999/pnyx")


def test_pnyx_serve_refuses_a_bad_value_before_serving(tmp_path):
    server = subprocess.Popen(
        [PNYX, "serve", "--port", "0", "--workers", "1"],
        env=_env(tmp_path, PNYX_THREAD_DEPTH="deep"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=30)
    result = subprocess.CompletedProcess(server.args, server.returncode, stdout, stderr)
    _assert_refused_in_one_line(result, "PNYX_THREAD_DEPTH", "deep")
    assert "serving" not in stdout


def test_good_values_are_read_once_into_typed_settings(tmp_path):
    values = _settings(
        tmp_path,
        "PNYX_THREAD_DEPTH",
        "PNYX_COMMENT_MAX_LENGTH",
        "PNYX_PROXY_COUNT",
        "PNYX_HTTPS",
        "EMAIL_PORT",
        "EMAIL_TIMEOUT",
        "CSRF_TRUSTED_ORIGINS",
        "LANGUAGE_CODE",
        "TIME_ZONE",
        PNYX_THREAD_DEPTH="3",
        PNYX_COMMENT_MAX_LENGTH=" 2000 ",
        PNYX_PROXY_COUNT="1",
        PNYX_HTTPS="On",
        PNYX_EMAIL_PORT="587",
        PNYX_EMAIL_TIMEOUT="5",
        PNYX_TRUSTED_ORIGINS="https://www.example.org/, https://*.example.net",
        PNYX_LANGUAGE="de_AT",
        PNYX_TIME_ZONE="Europe/Berlin",
    )
    assert values == {
        "PNYX_THREAD_DEPTH": 3,
        "PNYX_COMMENT_MAX_LENGTH": 2000,
        "PNYX_PROXY_COUNT": 1,
        "PNYX_HTTPS": True,
        "EMAIL_PORT": 587,
        "EMAIL_TIMEOUT": 5,
        "CSRF_TRUSTED_ORIGINS": ["https://www.example.org", "https://*.example.net"],
        "LANGUAGE_CODE": "de-at",
        "TIME_ZONE": "Europe/Berlin",
    }


def test_defaults_need_no_variable(tmp_path):
    values = _settings(
        tmp_path, "PNYX_THREAD_DEPTH", "PNYX_COMMENT_MAX_LENGTH", "PNYX_HTTPS", "EMAIL_TIMEOUT", "PNYX_BASE_URL"
    )
    assert values == {
        "PNYX_THREAD_DEPTH": 5,
        "PNYX_COMMENT_MAX_LENGTH": 10_000,
        "PNYX_HTTPS": False,
        "EMAIL_TIMEOUT": 10,
        "PNYX_BASE_URL": "http://localhost:8000",
    }


def test_the_base_url_defaults_to_the_first_public_allowed_host(tmp_path):
    hosts = "localhost,.example.org,127.0.0.1,blog.example.org,www.example.org"
    assert _settings(tmp_path, "PNYX_BASE_URL", PNYX_ALLOWED_HOSTS=hosts) == {
        "PNYX_BASE_URL": "http://blog.example.org"
    }
    assert _settings(tmp_path, "PNYX_BASE_URL", PNYX_ALLOWED_HOSTS=hosts, PNYX_HTTPS="true") == {
        "PNYX_BASE_URL": "https://blog.example.org"
    }


def test_an_explicit_base_url_loses_its_trailing_slash(tmp_path):
    values = _settings(tmp_path, "PNYX_BASE_URL", PNYX_BASE_URL="https://Blog.Example.org:8443/")
    assert values == {"PNYX_BASE_URL": "https://blog.example.org:8443"}


def test_private_files_are_readable_by_their_owner_alone(tmp_path):
    data_dir = tmp_path / "data"
    result = _pnyx(["migrate", "-v0"], data_dir)
    assert result.returncode == 0, result.stderr
    assert data_dir.stat().st_mode & 0o777 == 0o700
    database = data_dir / "pnyx.sqlite3"
    private = [database, data_dir / "secret_key"]
    private += [path for path in (data_dir / "pnyx.sqlite3-wal", data_dir / "pnyx.sqlite3-shm") if path.exists()]
    assert {path.name: path.stat().st_mode & 0o777 for path in private} == {path.name: 0o600 for path in private}


def test_an_existing_database_readable_by_others_is_tightened(tmp_path):
    database = tmp_path / "pnyx.sqlite3"
    database.touch()
    database.chmod(0o644)
    assert _pnyx(["check"], tmp_path).returncode == 0
    assert database.stat().st_mode & 0o777 == 0o600


def test_a_real_deployment_passes_check_deploy_without_a_warning(tmp_path):
    result = _pnyx(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        PNYX_HTTPS="true",
        PNYX_SECRET_KEY=secrets.token_urlsafe(50),
        PNYX_ALLOWED_HOSTS="blog.example.org",
        PNYX_PROXY_COUNT="1",
        PNYX_EMAIL_HOST="smtp.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_of_https_with_no_mail_or_proxy_count_warns_only_about_those(tmp_path):
    """Django's own deploy checks are all satisfied by PNYX_HTTPS, a real key and a host."""
    result = _pnyx(
        ["check", "--deploy"],
        tmp_path,
        PNYX_HTTPS="true",
        PNYX_SECRET_KEY=secrets.token_urlsafe(50),
        PNYX_ALLOWED_HOSTS="blog.example.org",
    )
    reported = {line.split(")")[0].split("(")[1] for line in result.stderr.splitlines() if line.startswith("?: (")}
    assert reported == {"pnyx.W003", "pnyx.W006"}, result.stderr


def _reported() -> set[str]:
    return {message.id for message in run_checks(tags=["pnyx"], include_deployment_checks=True)}


def _deployed(settings) -> None:
    """A deployment that passes every pnyx check; each test below breaks one thing."""
    settings.DEBUG = False
    settings.PNYX_HTTPS = True
    settings.PNYX_BASE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["blog.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.EMAIL_HOST = "smtp.example.org"
    settings.PNYX_PROXY_COUNT = 1
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False


def test_a_sound_deployment_passes_every_pnyx_check(settings):
    _deployed(settings)
    assert _reported() == set()


def test_https_with_an_http_base_url_is_reported(settings):
    _deployed(settings)
    settings.PNYX_BASE_URL = "http://blog.example.org"
    assert _reported() == {"pnyx.W001"}


def test_a_base_url_the_site_does_not_answer_to_is_reported(settings):
    _deployed(settings)
    settings.PNYX_BASE_URL = "https://www.example.org"
    assert _reported() == {"pnyx.W002"}


def test_a_base_url_a_proxy_maps_onto_a_trusted_origin_is_accepted(settings):
    _deployed(settings)
    settings.PNYX_BASE_URL = "https://www.example.org"
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org"]
    assert _reported() == set()


def test_a_deployment_without_a_mail_server_is_reported_by_check_deploy_only(settings):
    _deployed(settings)
    settings.EMAIL_HOST = ""
    assert _reported() == {"pnyx.W003"}
    assert not {message.id for message in run_checks(tags=["pnyx"])}


def test_debug_on_a_public_host_is_reported(settings):
    _deployed(settings)
    settings.DEBUG = True
    assert _reported() == {"pnyx.W004"}
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    settings.PNYX_BASE_URL = "https://localhost"
    assert _reported() == set()


def test_hsts_preload_without_a_year_and_subdomains_is_reported(settings):
    _deployed(settings)
    settings.SECURE_HSTS_PRELOAD = True
    assert _reported() == set()
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    assert _reported() == {"pnyx.W005"}
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_SECONDS = 3600
    assert _reported() == {"pnyx.W005"}


def test_https_with_no_proxy_counted_is_reported(settings):
    _deployed(settings)
    settings.PNYX_PROXY_COUNT = 0
    assert _reported() == {"pnyx.W006"}
