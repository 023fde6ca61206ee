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
