"""Images in an S3-compatible store, chosen by PNYX_MEDIA_S3_BUCKET: tested against a real S3 server on
loopback (moto's server mode). The site runs in a process of its own, configured only by the environment,
as an operator would run it; the files are then fetched from the store over HTTP as a reader's browser does."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]

_SITE = """
import json, django
django.setup()
import boto3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from pnyx.media.images import image_create
from tests.factories import PostFactory, picture_bytes, upload

override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
call_command("migrate", verbosity=0)
options = settings.STORAGES["default"]["OPTIONS"]
s3 = boto3.client("s3", endpoint_url=options["endpoint_url"], region_name=options["region_name"],
    aws_access_key_id=options["access_key"], aws_secret_access_key=options["secret_key"])
s3.create_bucket(Bucket="media")
# What the README asks of the operator: a bucket whose files anyone may read.
s3.put_bucket_policy(Bucket="media", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::media/*"}]}))
image = image_create(upload=upload(picture_bytes("JPEG", (1200, 800))), alt="A gradient")
try:
    image_create(upload=upload(picture_bytes("JPEG", (600, 400))[:3000]), alt="Cut short")
    refused = ""
except ValidationError as error:
    refused = error.code
PostFactory(slug="stored", featured_image=image, body=image.markdown)
page = Client(HTTP_HOST="localhost").get("/posts/stored/")
print(json.dumps({
    "url": image.url, "srcset": image.srcset, "variants": [n for _w, _h, n in image.variants],
    "page": page.content.decode(), "csp": page["Content-Security-Policy"], "refused": refused,
}))
"""


@pytest.fixture
def s3_server():
    """moto's S3 server on loopback; skipped with one line when it cannot start, except on CI."""
    port = free_port()
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except OSError as error:
        server, why = None, str(error)
    else:
        why = "it did not answer within 30 seconds"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            if server.poll() is not None:
                why = server.stderr.read().decode()[-300:] or f"it exited with {server.returncode}"
            server.kill()
            server = None
    if server is None:
        message = f"moto's S3 server could not start ({why}): pip install 'moto[server]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


def test_images_go_to_the_s3_store_and_pages_load_them_from_there(s3_server, tmp_path):
    ours = ("PNYX_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "AWS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        DJANGO_SETTINGS_MODULE="pnyx.settings",
        PYTHONPATH=str(ROOT),
        PNYX_DATA_DIR=str(tmp_path),
        PNYX_MEDIA_S3_BUCKET="media",
        PNYX_MEDIA_S3_ENDPOINT_URL=s3_server,
        PNYX_MEDIA_S3_ACCESS_KEY="pnyx-test",
        PNYX_MEDIA_S3_SECRET_KEY="pnyx-test-secret",
    )
    result = subprocess.run([sys.executable, "-c", _SITE], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    site = json.loads(result.stdout.splitlines()[-1])

    assert site["url"].startswith(f"{s3_server}/media/images/") and site["url"].endswith(".jpg")
    assert f'srcset="{site["srcset"]}"' in site["page"] and f"{s3_server}/media/" in site["srcset"]
    assert f'<meta property="og:image" content="{site["url"]}">' in site["page"]
    assert f"img-src 'self' data: {s3_server}" in site["csp"]
    assert site["refused"] == "broken"
    with urllib.request.urlopen(site["url"], timeout=10) as response:
        assert response.read()[:2] == b"\xff\xd8"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for name in site["variants"]:
        with urllib.request.urlopen(f"{s3_server}/media/{name}", timeout=10) as response:
            assert response.status == 200
    assert not (tmp_path / "media").exists()  # nothing in the data dir
