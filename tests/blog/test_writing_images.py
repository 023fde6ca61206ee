"""Images in the writer's desk and the admin: uploaded through the real forms (a good photo, a broken one,
one too large, a file that is no image), pasted into a post's text, chosen as its featured image, and
shown to readers with their smaller copies."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from pnyx.media.models import Image
from tests.factories import PostFactory, UserFactory, library_image, picture_bytes

pytestmark = pytest.mark.django_db


def _member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _upload(client, data: bytes, name: str = "photo.jpg", alt: str = "Boats in the harbour", url="/write/images/"):
    return client.post(url, {"upload": SimpleUploadedFile(name, data), "alt": alt})


def test_an_author_uploads_an_image_and_gets_the_markdown_to_paste(client):
    ana = _member("Author", "ana")
    client.force_login(ana)
    response = _upload(client, picture_bytes("JPEG", (1600, 900)))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.uploaded_by, image.alt, image.width) == (ana, "Boats in the harbour", 1600)
    page = client.get("/write/images/").content.decode()
    assert f'value="![Boats in the harbour]({image.url})"' in page
    assert f'srcset="{image.srcset}"' in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (picture_bytes("JPEG", (900, 600))[:5000], "cut.jpg", "damaged or incomplete"),
        (b"<html><script>alert(1)</script></html>", "page.png", "not an image pnyx takes"),
        (picture_bytes("PNG", (900, 900), fill="noise"), "huge.png", "an image may be 100.0\xa0KB at most"),
    ],
)
def test_a_bad_file_is_refused_in_the_desk_with_a_clear_message(client, settings, data, name, message):
    settings.PNYX_MEDIA_MAX_BYTES = 100 * 1024
    client.force_login(_member("Author", "ana"))
    response = _upload(client, data, name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Image.objects.exists()


def test_alt_text_is_required_in_the_desk(client):
    client.force_login(_member("Author", "ana"))
    response = _upload(client, picture_bytes(), alt="")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Image.objects.exists()


def test_a_contributor_may_choose_images_but_not_upload_them(client):
    image = library_image()
    client.force_login(_member("Contributor", "cy"))
    page = client.get("/write/images/").content.decode()
    assert image.url in page and 'type="file"' not in page
    assert _upload(client, picture_bytes()).status_code == 403
    client.force_login(_member("Moderator", "mo"))
    assert client.get("/write/images/").status_code == 403


def test_the_admin_takes_uploads_through_the_same_checks(admin_client):
    response = _upload(admin_client, picture_bytes("GIF", (640, 480))[:3000], "cut.gif", url="/admin/media/image/add/")
    assert response.status_code == 200 and "damaged or incomplete" in response.content.decode()
    assert not Image.objects.exists()
    response = _upload(admin_client, picture_bytes("WEBP", (640, 480)), "x.webp", url="/admin/media/image/add/")
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".webp") and image.uploaded_by.is_superuser


def test_an_image_pasted_into_a_post_is_shown_with_its_smaller_copies(client):
    ana = _member("Author", "ana")
    image = library_image(size=(1200, 800))
    client.force_login(ana)
    editor = client.get("/write/new/").content.decode()
    assert image.markdown in editor  # the newest images, under the editor
    body = f"Look:\n\n{image.markdown}\n\nAnd ![elsewhere](https://example.org/x.png)"
    data = {"title": "Boats", "slug": "", "standfirst": "", "body": body, "tags": "", "password": ""}
    assert client.post("/write/new/", {**data, "status": "published", "featured_image": image.pk}).status_code == 302
    client.logout()
    page = client.get("/posts/boats/").content.decode()
    img = re.search(r'<div class="entry-content">.*?(<img [^>]*>)', page, re.DOTALL).group(1)
    assert f'src="{image.url}"' in img and 'alt="A gradient, dark to light"' in img
    assert f'srcset="{image.srcset}"' in img and 'width="1200" height="800"' in img and 'loading="lazy"' in img
    assert '<img src="https://example.org/x.png" alt="elsewhere">' in page  # not the library's: untouched


def test_the_featured_image_is_shown_on_the_post_the_lists_and_link_previews(client, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    image = library_image(size=(1600, 1000), alt="A red kite over the hill")
    post = PostFactory(featured_image=image, slug="kites")
    PostFactory(slug="plain")
    page = client.get("/posts/kites/").content.decode()
    featured = re.search(r'<figure class="featured-image">(<img [^>]*>)</figure>', page).group(1)
    assert f'srcset="{image.srcset}"' in featured and 'width="1600" height="1000"' in featured
    assert "loading" not in featured  # on screen at once: never deferred
    assert f'<meta property="og:image" content="https://blog.example.org{image.url}">' in page
    assert '<meta property="og:image:alt" content="A red kite over the hill">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    home = client.get("/").content.decode()
    assert home.count('class="featured-image"') == 1 and f'srcset="{image.srcset}"' in home
    assert 'og:image"' not in client.get("/posts/plain/").content.decode()
    post.password = "secret"
    post.save()
    assert image.url not in client.get("/posts/kites/").content.decode()


def test_the_desk_and_the_admin_choose_the_featured_image(client, admin_client):
    image = library_image()
    ana = _member("Author", "ana")
    post = PostFactory(author=ana, slug="mine")
    client.force_login(ana)
    assert f'<option value="{image.pk}">{image.alt}</option>' in client.get(f"/write/{post.pk}/").content.decode()
    assert "featured_image" in admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()


def test_uploaded_files_are_served_for_good(client):
    image = library_image()
    response = client.get(image.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get("/media/../secret_key").status_code == 400  # Django's refusal of a path outside


def test_feeds_carry_library_images_at_absolute_addresses(client, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    image = library_image(size=(1200, 800))
    PostFactory(body=f"A picture:\n\n{image.markdown}")
    feed = client.get("/feed/").content.decode()
    assert f'src="https://blog.example.org{image.url}"' in feed.replace("&quot;", '"')
    assert f"https://blog.example.org{image.url} 1200w" in feed and f", {image.url}" not in feed
