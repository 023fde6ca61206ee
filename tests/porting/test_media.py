"""``pnyx import --media`` against a real HTTP server on loopback standing in for the old blog: real
images come into the library, posts point at them, and what could not be fetched (a 404, a broken file, a
host that does not answer in time) is listed with the reason."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from pnyx.blog.models import Post
from pnyx.media.models import Image
from pnyx.porting.detect import import_file
from tests.factories import picture_bytes
from tests.porting.conftest import wxr_document, wxr_item

pytestmark = pytest.mark.django_db

UPLOADS = "/wp-content/uploads/2015/12"


@pytest.fixture
def old_blog():
    """The old host: its files by path, each as (status, body, seconds to wait before answering)."""
    files = {
        f"{UPLOADS}/harbour.jpg": (200, picture_bytes("JPEG", (1400, 900)), 0),
        f"{UPLOADS}/kite.png": (200, picture_bytes("PNG", (640, 400)), 0),
        f"{UPLOADS}/cut.jpg": (200, picture_bytes("JPEG", (900, 600))[:4000], 0),
        f"{UPLOADS}/slow.jpg": (200, picture_bytes("JPEG", (300, 200)), 3),
    }
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            status, body, wait = files.get(self.path, (404, b"Not here", 0))
            time.sleep(wait)
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the importer gave up waiting, as it should

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.site = f"http://127.0.0.1:{server.server_port}"
    server.asked = asked
    yield server
    server.shutdown()
    server.server_close()


def _export(site: str) -> str:
    attachment = f"""<wp:attachment_url>{site}{UPLOADS}/harbour.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>
<wp:meta_value>Boats in the harbour at dawn</wp:meta_value></wp:postmeta>"""
    kite = f"<wp:attachment_url>{site}{UPLOADS}/kite.png</wp:attachment_url>"
    body = (
        f'<a href="{site}{UPLOADS}/harbour.jpg"><img src="{site}{UPLOADS}/harbour-300x193.jpg" alt="Boats" '
        f'width="300" height="193" class="wp-image-101" /></a>\n\n'
        f'<img src="{UPLOADS}/missing.jpg" alt="Gone">\n\n<img src="{site}{UPLOADS}/cut.jpg" alt="Cut">\n\n'
        f'<img src="https://elsewhere.example/cat.jpg" alt="Not ours">'
    )
    thumbnail = "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>102</wp:meta_value></wp:postmeta>"
    items = [
        wxr_item(101, title="Harbour", post_type="attachment", status="inherit", extra=attachment),
        wxr_item(102, title="A red kite", post_type="attachment", status="inherit", extra=kite),
        wxr_item(12, title="Boats", slug="boats", content=body, extra=thumbnail),
        wxr_item(13, title="Slow", slug="slow", content=f'<img src="{site}{UPLOADS}/slow.jpg" alt="Slow">'),
    ]
    return wxr_document("\n".join(items), site=site)


def test_media_are_fetched_posts_point_at_them_and_failures_are_listed(old_blog, write_file, settings, client):
    settings.PNYX_MEDIA_FETCH_TIMEOUT = 1
    site = old_blog.site
    report = import_file(write_file(_export(site)), media=True)

    harbour = Image.objects.get(source_url=f"{site}{UPLOADS}/harbour.jpg")
    assert (harbour.alt, harbour.width, harbour.height) == ("Boats in the harbour at dawn", 1400, 900)
    kite = Image.objects.get(source_url=f"{site}{UPLOADS}/kite.png")
    assert kite.alt == "A red kite" and Image.objects.count() == 2

    post = Post.objects.get(slug="boats")
    assert post.featured_image == kite
    assert f'href="{harbour.url}"' in post.body and f'src="{harbour.url}"' in post.body  # the original, not 300x193
    assert f'srcset="{harbour.srcset}"' in post.body_html
    assert f'src="{UPLOADS}/missing.jpg"' in post.body_html  # not fetched: left as it was
    assert "https://elsewhere.example/cat.jpg" in post.body  # another site's image is never fetched
    assert "/elsewhere" not in "".join(old_blog.asked)

    assert report.unfetched == {
        f"{site}{UPLOADS}/missing.jpg": "the server answered 404 Not Found",
        f"{site}{UPLOADS}/cut.jpg": report.unfetched[f"{site}{UPLOADS}/cut.jpg"],
        f"{site}{UPLOADS}/slow.jpg": "no answer within 1 seconds",
    }
    assert "damaged or incomplete" in report.unfetched[f"{site}{UPLOADS}/cut.jpg"]
    lines = "\n".join(report.lines())
    assert "Images not fetched (3; their posts keep linking to them where they were):" in lines
    assert f"  {site}{UPLOADS}/missing.jpg: the server answered 404 Not Found" in lines

    page = client.get("/posts/boats/").content.decode()
    assert f'<meta property="og:image" content="{settings.PNYX_BASE_URL}{kite.url}">' in page


def test_importing_again_fetches_nothing_twice(old_blog, write_file, settings):
    settings.PNYX_MEDIA_FETCH_TIMEOUT = 1
    path = write_file(_export(old_blog.site))
    import_file(path, media=True)
    fetched = sorted(old_blog.asked)
    old_blog.asked.clear()
    report = import_file(path, media=True)
    assert Image.objects.count() == 2 and report.created["images"] == 0
    assert sorted(old_blog.asked) == [p for p in fetched if "harbour" not in p and "kite" not in p]


def test_the_command_prints_what_it_could_not_fetch(old_blog, write_file, settings, capsys):
    settings.PNYX_MEDIA_MAX_BYTES = 20_000
    settings.PNYX_MEDIA_FETCH_TIMEOUT = 1
    call_command("import", str(write_file(_export(old_blog.site))), "--media")
    out = capsys.readouterr().out
    assert "       1 images" in out  # the kite; the harbour photo is too large now
    assert f"{old_blog.site}{UPLOADS}/harbour.jpg: " in out and "more than the 19.5\xa0KB allowed" in out


def test_without_media_nothing_is_fetched(old_blog, write_file):
    import_file(write_file(_export(old_blog.site)))
    assert old_blog.asked == [] and not Image.objects.exists()
    notes = import_file(write_file(_export(old_blog.site)), media=True, dry_run=True).notes
    assert notes["--media left aside: a dry run fetches nothing"] == 1
    assert old_blog.asked == []
