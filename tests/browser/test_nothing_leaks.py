import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pnyx.blog.models import Post
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def third_party():
    """Another origin on loopback that records every request reaching it: a tracker, a CDN, Gravatar."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's hook name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_a_post_page_sends_nothing_to_a_third_party_and_runs_no_injected_script(
    page, live_server, third_party, shared_data, settings
):
    settings.PNYX_COMMENTS_PER_PAGE = 1000  # every payload on the one page opened
    elsewhere, hits = third_party
    post = PostFactory(
        body_format=Post.BodyFormat.HTML,
        body=f'<p>Look:</p><img src="{elsewhere}/pixel.gif" alt="x"><p style="background:url({elsewhere}/bg)">s</p>',
    )
    vectors = (shared_data / "xss" / "BRUTELOGIC-XSS-STRINGS.txt").read_text(encoding="utf-8")
    payloads = [line for line in vectors.splitlines() if line.strip()]
    payloads.append(f"<img src={elsewhere}/from-comment.gif> ![x]({elsewhere}/md.gif)")
    for payload in payloads:
        CommentFactory(post=post, author_name=payload[:100], author_email="x@example.org", body=payload)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(live_server.url + post.get_absolute_url())
    page.wait_for_load_state("networkidle")

    assert hits == []
    assert dialogs == []
    assert page.locator("ol.comment-list > li").count() == len(payloads)
