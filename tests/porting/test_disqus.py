import pytest

from pnyx.discussion.models import Comment, Thread
from pnyx.porting.detect import import_file
from pnyx.porting.models import LegacyPath
from tests.factories import PostFactory

from .conftest import wxr_document, wxr_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts_at_the_old_links():
    home = PostFactory(slug="hello")
    LegacyPath.objects.create(path="/", post=home)
    redacted = PostFactory(slug="redacted")
    LegacyPath.objects.create(path="/blog/2013/02/12/redacted/index.html", post=redacted)
    return home, redacted


def test_disqus_threads_are_matched_by_link_and_replies_threaded(shared_data, posts_at_the_old_links):
    home, redacted = posts_at_the_old_links
    report = import_file(shared_data / "isso-tests-disqus.xml")
    assert home.thread.comments.count() == 4 and redacted.thread.comments.count() == 1
    reply = Comment.objects.get(import_ref="disqus:5")
    assert reply.parent.import_ref == "disqus:4" and reply.path.startswith(reply.parent.path + "/")
    assert reply.body == "Hello, World." and reply.author_name == "user"
    deleted = Comment.objects.get(import_ref="disqus:9")
    assert deleted.status == Comment.Status.TRASH
    assert Comment.objects.get(import_ref="disqus:11").parent == deleted
    assert report.skipped["Disqus comments on a thread missing from the file or without a link"] == 1
    home.thread.refresh_from_db()
    assert home.thread.comment_count == 3


def test_reimporting_disqus_creates_nothing(shared_data, posts_at_the_old_links):
    import_file(shared_data / "isso-tests-disqus.xml")
    report = import_file(shared_data / "isso-tests-disqus.xml")
    assert Comment.objects.count() == 5 and report.existing["comments"] == 5


def test_disqus_comments_land_on_posts_imported_from_wordpress(write_file):
    link = "https://old.example/2015/12/03/tea/"
    import_file(write_file(wxr_document(wxr_item(1, slug="tea", link=link)), "wp.xml"))
    disqus = f"""<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><link>{link}</link><title>Tea</title></thread>
<post dsq:id="2"><message><![CDATA[<p>Green, <b>always</b>.</p>]]></message><createdAt>2016-01-02T03:04:05Z</createdAt>
<isDeleted>false</isDeleted><isSpam>true</isSpam><author><name>Leaf</name><email>leaf@example.org</email></author>
<ipAddress>198.51.100.7</ipAddress><thread dsq:id="1"/></post>
</disqus>"""
    import_file(write_file(disqus, "disqus.xml"))
    comment = Comment.objects.get()
    assert comment.thread.post.slug == "tea" and comment.status == Comment.Status.SPAM
    assert comment.body == "Green, **always**." and comment.ip == "198.51.100.7"


def test_a_disqus_export_imported_into_an_empty_site_keeps_every_thread_and_comment_under_its_url(shared_data):
    report = import_file(shared_data / "isso-tests-disqus.xml")
    assert set(Thread.objects.values_list("path", flat=True)) == {"/", "/blog/2013/02/12/redacted/index.html"}
    assert Comment.objects.count() == 5 and report.skipped == {
        "Disqus threads without a link": 1,
        "Disqus comments on a thread missing from the file or without a link": 1,
    }
