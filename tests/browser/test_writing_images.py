"""Images in the writer's desk, in Chromium: a photo uploaded through the file input, a broken one and an
oversized one refused with their reasons, and the Markdown pasted into a post drawn by the browser from
the site's own address (the Content-Security-Policy lets nothing else through)."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from pnyx.blog.roles import ROLES
from pnyx.media.models import Image
from tests.browser.test_writing import _signed_in
from tests.factories import UserFactory, picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _author(username: str):
    group, _created = Group.objects.get_or_create(name="Author")
    ours = Permission.objects.filter(content_type__app_label__in=["blog", "media"], codename__in=ROLES["Author"])
    group.permissions.set(ours)
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(group)
    return user


def _upload(page, name: str, data: bytes, alt: str) -> None:
    page.set_input_files("#id_upload", files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    page.fill("#id_alt", alt)
    page.get_by_role("button", name="Upload").click()


def test_an_author_uploads_pastes_and_sees_the_image_in_the_preview(page, live_server, settings):
    settings.PNYX_MEDIA_MAX_BYTES = 200 * 1024
    ana = _author("ana")
    _signed_in(page, live_server, ana)
    page.goto(f"{live_server.url}/write/images/")

    _upload(page, "cut.jpg", picture_bytes("JPEG", (900, 600))[:6000], "Cut short")
    expect(page.locator(".form-errors")).to_contain_text("damaged or incomplete")
    _upload(page, "huge.png", picture_bytes("PNG", (800, 800), fill="noise"), "Noise")
    expect(page.locator(".form-errors")).to_contain_text("at most")
    assert not Image.objects.exists()

    _upload(page, "harbour.jpg", picture_bytes("JPEG", (1400, 900)), "Boats in the harbour")
    expect(page.locator(".messages")).to_contain_text("Uploaded")
    image = Image.objects.get()
    snippet = page.locator(".writing-snippet").first
    expect(snippet).to_have_value(image.markdown)

    page.goto(f"{live_server.url}/write/new/")
    page.locator("#id_body").fill(f"A morning.\n\n{image.markdown}")
    shown = page.locator("#writing-preview-body img")
    expect(shown).to_have_attribute("srcset", image.srcset)
    page.wait_for_function("() => document.querySelector('#writing-preview-body img')?.naturalWidth > 0")
    assert shown.evaluate("img => img.currentSrc").startswith(f"{live_server.url}/media/images/")
