"""A long thread is shown a page of top-level comments at a time, each with all its replies."""

import re

import pytest
from django.urls import reverse

from pnyx.discussion.models import Comment
from pnyx.discussion.posting import Client
from pnyx.identity.commenter import Commenter
from tests.factories import CommentFactory, PostFactory, UserFactory, bulk_thread

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def two_per_page(settings):
    settings.PNYX_COMMENTS_PER_PAGE = 2


def _shown(client, url) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', response.content.decode())]


def test_a_top_level_comment_and_all_its_replies_are_on_the_same_page(client, two_per_page):
    post = PostFactory()
    families = bulk_thread(post, top_level=5, replies=2)
    url = post.get_absolute_url()
    ids = [[c.pk for c in family] for family in families]
    assert _shown(client, url) == ids[0] + ids[1]
    assert _shown(client, url + "?cpage=2") == ids[2] + ids[3]
    assert _shown(client, url + "?cpage=3") == ids[4]


def test_replies_to_a_hidden_top_level_comment_stay_under_their_placeholder_and_pages_count_public_ones(
    client, two_per_page
):
    post = PostFactory()
    families = bulk_thread(post, top_level=4, replies=1)
    Comment.objects.filter(pk=families[1][0].pk).update(status=Comment.Status.TRASH)
    post.thread.recount()
    page = client.get(post.get_absolute_url()).content.decode()
    ids = [[c.pk for c in family] for family in families]
    assert _shown(client, post.get_absolute_url()) == ids[0] + ids[1][1:] + ids[2]
    assert "This comment is no longer available." in page
    assert _shown(client, post.get_absolute_url() + "?cpage=2") == ids[3]


def test_every_page_counts_the_whole_thread_in_its_heading(client, two_per_page):
    post = PostFactory(title="Bridges")
    bulk_thread(post, top_level=5, replies=1)
    for query in ["", "?cpage=2", "?cpage=3"]:
        assert "10 thoughts on “Bridges”" in client.get(post.get_absolute_url() + query).content.decode()


def test_each_page_is_canonical_to_itself_and_linked_to_its_neighbours(client, two_per_page):
    post = PostFactory()
    bulk_thread(post, top_level=5)
    url = post.get_absolute_url()
    first = client.get(url).content.decode()
    assert f'<link rel="canonical" href="{url}">' in first
    assert f'<link rel="next" href="{url}?cpage=2">' in first and 'rel="prev"' not in first
    assert f'<link rel="canonical" href="{url}">' in client.get(url + "?cpage=1").content.decode()
    middle = client.get(url + "?cpage=2").content.decode()
    assert f'<link rel="canonical" href="{url}?cpage=2">' in middle
    assert f'<link rel="prev" href="{url}">' in middle and f'<link rel="next" href="{url}?cpage=3">' in middle
    assert f'<a class="prev" rel="prev" href="{url}">' in middle
    assert '<span class="page-number current" aria-current="page">2</span>' in middle
    last = client.get(url + "?cpage=3").content.decode()
    assert f'<link rel="prev" href="{url}?cpage=2">' in last and 'rel="next"' not in last
    for missing in ["?cpage=4", "?cpage=0", "?cpage=two"]:
        assert client.get(url + missing).status_code == 404


def test_a_short_thread_has_no_page_links(client):
    post = PostFactory()
    CommentFactory(post=post)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "comment-navigation" not in page and 'rel="next"' not in page


def test_a_permalink_opens_the_page_that_holds_the_comment(client, two_per_page):
    post = PostFactory()
    families = bulk_thread(post, top_level=6, replies=1)
    on_page_three, on_page_one = families[5][1], families[0][0]
    own = client.get(reverse("discussion:own", args=[on_page_three.pk]))
    assert own["Location"] == f"{post.get_absolute_url()}?cpage=3#comment-{on_page_three.pk}"
    assert on_page_three.pk in _shown(client, own["Location"].split("#")[0])
    own = client.get(reverse("discussion:own", args=[on_page_one.pk]))
    assert own["Location"] == f"{post.get_absolute_url()}#comment-{on_page_one.pk}"


def test_an_anchor_the_page_does_not_hold_is_found_with_its_page_and_old_anchors_too(client, two_per_page):
    post = PostFactory()
    families = bulk_thread(post, top_level=6, replies=1)
    target, imported = families[4][1], families[5][0]
    old = f"comment-{Comment.objects.order_by('-pk').first().pk + 1000}"  # an old site's id no comment here has
    Comment.objects.filter(pk=imported.pk).update(legacy_anchor=old)
    locate = reverse("discussion:locate")
    found = client.get(locate, {"thread": post.thread.pk, "anchor": f"comment-{target.pk}"})
    assert found.json() == {"url": f"{post.get_absolute_url()}?cpage=3#comment-{target.pk}"}
    assert "public" in found["Cache-Control"] and not found.cookies
    found = client.get(locate, {"thread": post.thread.pk, "anchor": old})
    assert found.json() == {"url": f"{post.get_absolute_url()}?cpage=3#comment-{imported.pk}"}
    assert f'id="{old}"' in client.get(post.get_absolute_url() + "?cpage=3").content.decode()


def test_held_and_unknown_comments_are_not_found(client):
    post = PostFactory()
    held = CommentFactory(post=post, status="pending")
    elsewhere = CommentFactory()
    locate = reverse("discussion:locate")
    for anchor in [f"comment-{held.pk}", f"comment-{elsewhere.pk}", "comment-x", "", "respond"]:
        assert client.get(locate, {"thread": post.thread.pk, "anchor": anchor}).status_code == 404


def test_replying_without_javascript_on_page_two_stays_on_page_two(client, two_per_page):
    post = PostFactory()
    families = bulk_thread(post, top_level=4)
    parent = families[3][0]
    url = post.get_absolute_url()
    page = client.get(url + "?cpage=2").content.decode()
    assert f'href="?cpage=2&amp;replytocom={parent.pk}#respond"' in page
    page = client.get(url, {"cpage": 2, "replytocom": parent.pk}).content.decode()
    assert f"Replying to {parent.author_name}" in page
    assert f'id="cancel-comment-reply-link" href="{url}?cpage=2#respond"' in page
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "A reply on page two.", "comment_parent": str(parent.pk)},
        **SAME_ORIGIN,
    )
    reply = Comment.objects.get(parent=parent)
    assert reply.is_public
    assert response["Location"] == f"{url}?cpage=2#comment-{reply.pk}"
    assert reply.pk in _shown(client, f"{url}?cpage=2")


def test_a_reply_sent_back_with_errors_shows_the_page_of_its_parent(client, two_per_page):
    post = PostFactory()
    parent = bulk_thread(post, top_level=4)[3][0]
    response = client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "", "author": "Robin", "email": "robin@example.org", "comment_parent": str(parent.pk)},
        **SAME_ORIGIN,
    )
    assert response.status_code == 400
    assert f'id="comment-{parent.pk}"' in response.content.decode()
    assert f"Replying to {parent.author_name}" in response.content.decode()


def test_a_new_top_level_comment_that_starts_a_page_lands_on_that_page(client, two_per_page):
    post = PostFactory()
    bulk_thread(post, top_level=2)
    client.get(post.get_absolute_url())  # the page bounds are worked out and stored
    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("discussion:post", args=[post.thread.pk]), {"comment": "Third."}, **SAME_ORIGIN)
    comment = Comment.objects.get(body="Third.")
    assert response["Location"] == f"{post.get_absolute_url()}?cpage=2#comment-{comment.pk}"


def test_a_held_comment_lands_on_the_page_its_thread_had_when_it_was_written(client, two_per_page, monkeypatch):
    """The view reads the thread first; a comment that started a page while this one was judged moves
    where this one lands, and the read under the write lock sees it."""
    from pnyx.discussion import posting

    post = PostFactory()
    bulk_thread(post, top_level=2)
    client.get(post.get_absolute_url())  # the page bounds are worked out and stored: one page
    judge, staff = posting.judge, Commenter(user=UserFactory(is_staff=True))

    def judge_while_a_page_starts(submission):
        monkeypatch.setattr(posting, "judge", judge)
        posting.post_comment(thread=post.thread, parent=None, commenter=staff, body="Third.", client=Client())
        return judge(submission)

    monkeypatch.setattr(posting, "judge", judge_while_a_page_starts)
    response = client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "Fourth, held.", "author": "Robin", "email": "robin@example.org", "js": "1"},
        **SAME_ORIGIN,
    )
    held = Comment.objects.get(body="Fourth, held.")
    assert not held.is_public
    assert response["Location"] == f"{post.get_absolute_url()}?cpage=2#comment-{held.pk}"


def test_a_held_comment_is_placed_on_its_page_by_the_script(client, two_per_page):
    post = PostFactory()
    parent = bulk_thread(post, top_level=3)[2][0]
    client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "Held.", "author": "Robin", "email": "robin@example.org", "comment_parent": parent.pk, "js": "1"},
        **SAME_ORIGIN,
    )
    pending = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["pending"]
    assert [(p["parent"], p["page"]) for p in pending] == [(parent.pk, 2)]
    assert 'data-page="2"' in client.get(post.get_absolute_url() + "?cpage=2").content.decode()


def test_a_paged_page_is_the_same_html_for_every_visitor(client, two_per_page):
    post = PostFactory()
    bulk_thread(post, top_level=5, replies=1)
    url = post.get_absolute_url() + "?cpage=2"
    anonymous = client.get(url).content
    client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "Mine.", "author": "Robin", "email": "robin@example.org"},
        **SAME_ORIGIN,
    )
    with_cookie = client.get(url).content
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    staff = client.get(url)
    assert anonymous == with_cookie == staff.content
    assert "Cookie" not in staff.get("Vary", "") and not staff.cookies


def test_a_page_of_a_20000_comment_thread_costs_the_queries_of_a_small_thread(
    client, settings, django_assert_num_queries
):
    settings.PNYX_COMMENTS_PER_PAGE = 100
    small, huge = PostFactory(), PostFactory()
    bulk_thread(small, top_level=3, replies=1)
    bulk_thread(huge, top_level=4000, replies=4)
    assert huge.thread.comment_count == 20_000
    url = huge.get_absolute_url()
    # The first view after a change works out where the pages start (one read of the top-level
    # comments' paths, one write); every view after it reads the post with its thread, its terms and the page.
    with django_assert_num_queries(5):
        client.get(url + "?cpage=40")
    client.get(small.get_absolute_url())
    with django_assert_num_queries(3):
        client.get(small.get_absolute_url())
    for number in [1, 2, 20, 40]:
        with django_assert_num_queries(3):
            response = client.get(url + (f"?cpage={number}" if number > 1 else ""))
        assert response.content.count(b'class="comment-body"') == 500
    assert client.get(url + "?cpage=41").status_code == 404
