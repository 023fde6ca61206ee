import json
import os
import subprocess
import sys

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_pages_forbid_third_party_loads_framing_and_inline_script(client):
    response = client.get(PostFactory().get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_an_operator_can_allow_images_from_an_old_media_host(tmp_path):
    env = {
        **os.environ,
        "PNYX_DATA_DIR": str(tmp_path),
        "PNYX_IMAGE_HOSTS": "https://old.example.org, https://cdn.example.org",
    }
    show = "from pnyx import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    output = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[\"'self'\", 'data:', 'https://old.example.org', 'https://cdn.example.org']"


# A browser's visit under the given variables, in a fresh process (settings are read once, at start): the
# admin login page and a sign-in, through the whole middleware stack, over https as a TLS proxy reports it
# in X-Forwarded-Proto and over plain http. Static files are not collected here, so names are plain.
_VISIT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

plain_names = "django.contrib.staticfiles.storage.StaticFilesStorage"
override_settings(STORAGES={"staticfiles": {"BACKEND": plain_names}}).enable()
call_command("migrate", verbosity=0)
get_user_model().objects.create_superuser("admin", "admin@example.org", "a long enough password")
https = Client(HTTP_HOST="blog.example.org", HTTP_X_FORWARDED_PROTO="https")
page = https.get("/admin/login/")
signed_in = https.post("/admin/login/", {"username": "admin", "password": "a long enough password"})
plain = Client(HTTP_HOST="blog.example.org").get("/admin/login/")
cookies = {**page.cookies, **signed_in.cookies}
print(json.dumps({
    "hsts": page.get("Strict-Transport-Security"),
    "secure": {name: bool(cookies[name]["secure"]) for name in ("csrftoken", "sessionid")},
    "plain": [plain.status_code, plain.get("Location")],
}))
"""


def _visit(tmp_path, **variables: str) -> dict:
    ours = ("PNYX_", "DJANGO_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        DJANGO_SETTINGS_MODULE="pnyx.settings", PNYX_DATA_DIR=str(tmp_path), PNYX_ALLOWED_HOSTS="blog.example.org"
    )
    result = subprocess.run([sys.executable, "-c", _VISIT], env={**env, **variables}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_under_https_every_cookie_is_secure_hsts_is_sent_and_plain_http_is_redirected(tmp_path):
    visit = _visit(tmp_path, PNYX_HTTPS="true")
    assert visit["secure"] == {"csrftoken": True, "sessionid": True}
    assert visit["hsts"] == "max-age=31536000; includeSubDomains"
    assert visit["plain"] == [301, "https://blog.example.org/admin/login/"]


def test_hsts_follows_its_variables_and_zero_turns_it_off(tmp_path):
    preload = _visit(tmp_path / "preload", PNYX_HTTPS="true", PNYX_HSTS_SECONDS="63072000", PNYX_HSTS_PRELOAD="true")
    assert preload["hsts"] == "max-age=63072000; includeSubDomains; preload"
    own_host = _visit(tmp_path / "own", PNYX_HTTPS="true", PNYX_HSTS_SUBDOMAINS="false")
    assert own_host["hsts"] == "max-age=31536000"
    assert _visit(tmp_path / "off", PNYX_HTTPS="true", PNYX_HSTS_SECONDS="0")["hsts"] is None


def test_over_plain_http_cookies_work_and_nothing_is_pinned_to_https(tmp_path):
    visit = _visit(tmp_path)
    assert visit["secure"] == {"csrftoken": False, "sessionid": False}
    assert visit["hsts"] is None
    assert visit["plain"][0] == 200
