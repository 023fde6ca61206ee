from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pnyx.discussion.models import Comment, ModerationSettings
from pnyx.discussion.posting import Client, CommentRefused, DuplicateComment, RateLimited, post_comment
from pnyx.discussion.rulebook import rulebook
from pnyx.discussion.rules import RULES, Submission, judge
from pnyx.discussion.rules.base import OWN_RECENT
from pnyx.discussion.rules.limits import Limit, parse_limits, slow_mode
from pnyx.identity.commenter import Commenter
from tests.conftest import DEFAULT_RATE_LIMITS
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def shipped_limits(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = DEFAULT_RATE_LIMITS


def _settings(**values) -> ModerationSettings:
    config = ModerationSettings.load()
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    return config


def _post(post, commenter, body="A fair point, well made.", ip="198.51.100.7", **kwargs):
    return post_comment(thread=post.thread, parent=None, commenter=commenter, body=body, client=Client(ip=ip), **kwargs)


def _guest(n: int | str = 1, **kwargs) -> Commenter:
    return Commenter(name=f"Guest {n}", email=f"guest{n}@example.org", **kwargs)


def _regular(post, name="Regular", email="regular@example.org") -> Commenter:
    earlier = CommentFactory(post=post, author_name=name, author_email=email, status="approved")
    Comment.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=3))
    return Commenter(name=name, email=email, written=[earlier.pk])


def _age(comment: Comment, **delta) -> None:
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(**delta))


# The list itself


def test_the_rules_run_in_the_documented_order():
    names = [rule.__name__ for rule in RULES]
    assert names == [
        "closed",
        "same_text",
        "honeypot",
        "staff",
        "rate_limits",
        "slow_mode",
        "blocklists",
        "too_many_links",
        "spam_engines",
        "proven_regular",
        "first_comment",
    ]


# Rate limits


def test_the_shipped_rate_limits_are_the_documented_defaults():
    import pnyx.settings

    assert pnyx.settings.PNYX_COMMENT_RATE_LIMITS == DEFAULT_RATE_LIMITS


def test_rate_limits_read_like_allauths():
    assert parse_limits("5/m/ip, 2/10m/post,20/h/identity") == (
        Limit(5, 60, "ip"),
        Limit(2, 600, "post"),
        Limit(20, 3600, "identity"),
    )


def test_a_sixth_comment_in_a_minute_from_one_address_is_refused_with_the_wait(shipped_limits):
    post = PostFactory()
    for n in range(5):
        _post(post, _guest(n), body=f"Comment number {n}.")
    with pytest.raises(RateLimited) as refused:
        _post(post, _guest(9), body="One more.")
    assert 1 <= refused.value.retry_after <= 61
    assert "5 per 0:01:00 per ip" in refused.value.rule
    assert Comment.objects.count() == 5
    _post(post, _guest(9), body="From elsewhere.", ip="203.0.113.9")  # another address is not held back


def test_a_limit_frees_up_once_the_oldest_comment_leaves_the_window(shipped_limits):
    post = PostFactory()
    comments = [_post(post, _guest(n), body=f"Comment {n}.").comment for n in range(5)]
    _age(comments[0], seconds=61)
    _post(post, _guest(7), body="Now there is room.")


def test_one_identity_is_limited_whatever_address_it_writes_from(shipped_limits):
    post = PostFactory()
    for n in range(3):
        _post(post, _guest("same"), body=f"Point {n}.", ip=f"203.0.113.{n + 1}")
    with pytest.raises(RateLimited, match="faster than this site allows"):
        _post(post, _guest("same"), body="Point 4.", ip="203.0.113.50")


def test_a_browser_is_one_identity_even_under_new_addresses(shipped_limits):
    post = PostFactory()
    written = [_post(post, _guest(n), body=f"Point {n}.", ip=f"203.0.113.{n + 1}").comment.pk for n in range(3)]
    with pytest.raises(RateLimited):
        _post(post, _guest("fresh", written=written), body="Point 4.", ip="203.0.113.50")


def test_a_whole_thread_is_limited_against_a_flood(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "2/m/post"
    post = PostFactory()
    _post(post, _guest(1), ip="203.0.113.1")
    _post(post, _guest(2), ip="203.0.113.2")
    with pytest.raises(RateLimited, match="too many comments right now"):
        _post(post, _guest(3), ip="203.0.113.3")
    _post(PostFactory(), _guest(3), ip="203.0.113.3")  # another thread is not affected


def test_staff_and_allowlisted_readers_are_never_rate_limited(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "1/m/ip"
    post = PostFactory()
    staff = Commenter(user=UserFactory(is_staff=True))
    _post(post, staff, body="One.")
    _post(post, staff, body="Two.")
    _settings(allowed="198.51.100.0/24")
    _post(post, _guest(1), body="Three.")
    _post(post, _guest(2), body="Four.")


def test_a_rate_limited_post_gets_a_429_page_that_keeps_the_text_and_says_when(client, settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "1/h/ip"
    post = PostFactory()
    url = reverse("discussion:post", args=[post.thread.pk])
    guest = {"author": "Robin", "email": "robin@example.org", "url": ""}
    assert client.post(url, {**guest, "comment": "First thought."}, **SAME_ORIGIN).status_code == 302
    response = client.post(url, {**guest, "comment": "My carefully typed second thought."}, **SAME_ORIGIN)
    assert response.status_code == 429
    assert 3500 <= int(response["Retry-After"]) <= 3601
    html = response.content.decode()
    assert "My carefully typed second thought." in html
    assert "faster than this site allows" in html and "60 minutes" in html
    assert 'value="Robin"' in html
    assert Comment.objects.count() == 1


def test_a_rate_limited_json_post_gets_json_with_retry_after(client, settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "1/m/ip"
    post = PostFactory()
    url = reverse("discussion:post", args=[post.thread.pk])
    data = {"author": "Robin", "email": "robin@example.org", "comment": "First."}
    client.post(url, data, **SAME_ORIGIN)
    response = client.post(url, {**data, "comment": "Second."}, HTTP_ACCEPT="application/json", **SAME_ORIGIN)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["retry_after"] == int(response["Retry-After"]) > 0


# The same text again


def test_the_same_long_text_in_another_thread_is_spam():
    text = "Great article! Visit my site for cheap watches and more."
    _post(PostFactory(), _guest(1), body=text)
    outcome = _post(PostFactory(), _guest(1), body=text.upper())
    assert outcome.comment.status == Comment.Status.SPAM
    assert outcome.comment.status_reason == "the same text was posted in another thread"


def test_a_short_reply_repeated_in_another_thread_is_left_alone():
    _post(PostFactory(), _guest(1), body="Thanks!")
    outcome = _post(PostFactory(), _guest(1), body="Thanks!")
    assert outcome.comment.status == Comment.Status.PENDING


def test_the_same_text_in_another_thread_a_day_later_is_a_new_comment():
    text = "This reminds me of the argument we had last spring about tea."
    _age(_post(PostFactory(), _guest(1), body=text).comment, days=2)
    assert _post(PostFactory(), _guest(1), body=text).comment.status == Comment.Status.PENDING


# An identity's earlier comments are read once for every rule, unless there are many


def _prolific(guest: Commenter, *, minutes_ago: float, n: int = OWN_RECENT + 5, post=None) -> None:
    """``n`` comments under ``guest``'s address (in ``post``, else in a thread of their own), the newest
    ``minutes_ago``: more than the rules read at once, so each rule asks the database what it needs."""
    post = post or PostFactory()
    for k in range(n):
        comment = CommentFactory(post=post, author_name=guest.name, author_email=guest.email, body=f"Aside {k}.")
        _age(comment, minutes=minutes_ago, seconds=k)


def test_a_prolific_identity_is_still_refused_a_repeat_by_the_rules(settings):
    """By the rules themselves, before the write (posting asks again under the lock, of the database)."""
    settings.PNYX_COMMENT_RATE_LIMITS = "10000/m/ip"
    post, guest = PostFactory(), _guest(1)
    first = _post(post, guest, body="Once is enough.")
    _age(first.comment, minutes=9)
    _prolific(guest, minutes_ago=1)  # all written after it
    again = Comment(thread=post.thread, body="Once  is enough.", ip="198.51.100.7")
    with pytest.raises(DuplicateComment) as refused:
        judge(Submission(comment=again, commenter=guest))
    assert refused.value.original == first.comment


def test_a_prolific_identity_copying_into_another_thread_is_still_spam(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "10000/m/ip"
    post, guest, text = PostFactory(), _guest(1), "Great article! Visit my site for cheap watches and more."
    _age(_post(PostFactory(), guest, body=text).comment, hours=3)
    _prolific(guest, minutes_ago=60, post=post)  # newer, but in the thread the copy goes to
    assert _post(post, guest, body=text).comment.status == Comment.Status.SPAM


def test_a_prolific_identity_is_still_rate_limited_and_slowed(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = "100/h/identity"
    guest = _guest(1)
    _prolific(guest, minutes_ago=30, n=100)
    with pytest.raises(RateLimited, match="faster than this site allows"):
        _post(PostFactory(), guest, body="One more.")
    settings.PNYX_COMMENT_RATE_LIMITS = "10000/m/ip"
    post = PostFactory()
    post.thread.slow_mode = True
    post.thread.save(update_fields=["slow_mode"])
    _post(post, guest, body="First here.")
    with pytest.raises(RateLimited, match="slow mode"):
        _post(post, guest, body="Second here.")


def test_a_new_identity_in_a_slow_thread_does_not_count_the_threads_pace(django_assert_num_queries):
    """Whether the identity wrote here within the interval is asked first (from its comments, read once)."""
    _settings(slow_mode_after_per_hour=3, slow_mode_seconds=600)
    post = PostFactory()
    for n in range(3):
        CommentFactory(post=post, status="approved", body=f"rush {n}")
    comment = Comment(thread=post.thread, body="Hello.", ip="198.51.100.7")
    sub = Submission(comment=comment, commenter=_guest(1), book=rulebook())
    assert sub.own_recent() == []  # what the rules before it read
    with django_assert_num_queries(0):
        assert slow_mode(sub) is None


# Blocklists and allowlist


@pytest.mark.parametrize(
    ("settings_", "commenter", "body", "ip", "reason"),
    [
        ({"blocked_words": "casino\ncheap pills"}, _guest(1), "Try our CASINO today", "198.51.100.7", "blocked word"),
        ({"blocked_words": "cheap pills"}, _guest(1), "Buy cheap   pills? no: Cheap pills!", "198.51.100.7", "blocked"),
        (
            {"blocked_emails": "bad@spam.example"},
            Commenter(name="B", email="BAD@spam.example"),
            "Hi",
            "1.2.3.4",
            "email",
        ),
        (
            {"blocked_emails": "@spam.example"},
            Commenter(name="B", email="x@mail.spam.example"),
            "Hi",
            "1.2.3.4",
            "email",
        ),
        ({"blocked_ips": "203.0.113.0/24"}, _guest(1), "Hello there", "203.0.113.77", "IP address"),
        ({"blocked_ips": "2001:db8::/32"}, _guest(1), "Hello there", "2001:db8::5", "IP address"),
        ({"blocked_link_domains": "pills.example"}, _guest(1), "See https://www.pills.example/x", "1.2.3.4", "domain"),
    ],
)
def test_a_blocked_word_address_ip_or_link_domain_is_spam(settings_, commenter, body, ip, reason):
    _settings(**settings_)
    outcome = _post(PostFactory(), commenter, body=body, ip=ip)
    assert outcome.comment.status == Comment.Status.SPAM
    assert reason in outcome.comment.status_reason


def test_a_blocked_word_matches_whole_words_only():
    _settings(blocked_words="cialis")
    outcome = _post(PostFactory(), _guest(1), body="Specialists disagree.")
    assert outcome.comment.status == Comment.Status.PENDING


def test_a_blocked_website_domain_is_spam_too():
    _settings(blocked_link_domains="seo.example")
    commenter = Commenter(name="S", email="s@example.org", url="https://shop.seo.example/")
    assert _post(PostFactory(), commenter).comment.status == Comment.Status.SPAM


def test_the_allowlist_passes_the_blocklists():
    _settings(blocked_ips="198.51.100.0/24", blocked_words="darn", allowed="friend@example.org\n203.0.113.5")
    post = PostFactory()
    by_email = _post(post, Commenter(name="F", email="Friend@example.org"), body="Darn good point.")
    by_ip = _post(post, _guest(2), body="Darn right.", ip="203.0.113.5")
    assert by_email.comment.status == by_ip.comment.status == Comment.Status.PENDING  # first comments, not spam


def test_blocked_comments_can_be_held_instead_of_marked_spam():
    _settings(blocked_words="casino", blocklist_outcome="pending")
    outcome = _post(PostFactory(), _guest(1), body="casino")
    assert outcome.comment.status == Comment.Status.PENDING
    assert outcome.comment.status_reason == "blocked word: casino"


# Links


def test_more_than_two_links_holds_even_a_proven_regular():
    post = PostFactory()
    regular = _regular(post)
    body = "See https://a.example, https://b.example and www.c.example"
    outcome = _post(post, regular, body=body)
    assert outcome.comment.status == Comment.Status.PENDING
    assert outcome.comment.status_reason == "3 links (more than 2)"
    two = _post(post, regular, body="See https://a.example and [this](https://b.example).")
    assert two.comment.status == Comment.Status.APPROVED


def test_the_link_limit_is_a_setting():
    _settings(max_links=0)
    post = PostFactory()
    outcome = _post(post, _regular(post), body="Source: https://example.org/paper")
    assert outcome.comment.status == Comment.Status.PENDING


# First comments


def test_first_comments_go_live_when_the_settings_say_so():
    _settings(hold_first_comment=False)
    outcome = _post(PostFactory(), _guest(1))
    assert outcome.comment.status == Comment.Status.APPROVED
    assert "not held" in outcome.comment.status_reason


# Closing by itself


def test_comments_close_by_themselves_days_after_publishing_when_set(client):
    post = PostFactory(published_at=timezone.now() - timedelta(days=15))
    _post(post, _guest(1))  # off by default
    _settings(close_after_days=14)
    with pytest.raises(CommentRefused, match="closed"):
        _post(post, _guest(2))
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed." in page and 'id="commentform"' not in page
    fresh = PostFactory(published_at=timezone.now() - timedelta(days=13))
    _post(fresh, _guest(3))
    assert 'id="commentform"' in client.get(fresh.get_absolute_url()).content.decode()


def test_each_thread_keeps_its_closing_time_as_settings_and_posts_change():
    old = PostFactory(published_at=timezone.now() - timedelta(days=10))
    _settings(close_after_days=7)
    old.thread.refresh_from_db()
    assert old.thread.closes_at == old.published_at + timedelta(days=7) and not old.thread.accepts_comments()
    new = PostFactory()  # published after the setting: its thread gets its time when it is made
    assert new.thread.closes_at == new.published_at + timedelta(days=7) and new.thread.accepts_comments()
    old.published_at = timezone.now()
    old.save()
    old.thread.refresh_from_db()
    assert old.thread.accepts_comments()
    _settings(close_after_days=0)
    new.thread.refresh_from_db()
    assert new.thread.closes_at is None


def test_a_comment_sent_to_a_thread_that_closed_by_itself_is_shown_back(client):
    post = PostFactory(published_at=timezone.now() - timedelta(days=40))
    _settings(close_after_days=30)
    data = {"author": "Robin", "email": "robin@example.org", "comment": "Late but heartfelt."}
    response = client.post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    assert response.status_code == 400
    assert "Late but heartfelt." in response.content.decode()


# Slow mode


def test_slow_mode_switched_on_by_a_moderator_allows_one_comment_per_identity_per_interval():
    post = PostFactory()
    post.thread.slow_mode = True
    post.thread.save(update_fields=["slow_mode"])
    first = _post(post, _guest(1), body="First.")
    with pytest.raises(RateLimited, match="slow mode") as refused:
        _post(post, _guest(1), body="Second.")
    assert 100 < refused.value.retry_after <= 121
    _post(post, _guest(2), body="Someone else.")
    _age(first.comment, seconds=121)
    _post(post, _guest(1), body="Second, later.")


def test_slow_mode_switches_itself_on_past_a_comment_rate():
    _settings(slow_mode_after_per_hour=3, slow_mode_seconds=600)
    post = PostFactory()
    guest = _guest(1)
    _post(post, guest, body="Before the rush.")
    _post(post, guest, body="Still calm.")  # no slow mode yet
    for n in range(3):
        CommentFactory(post=post, status="approved", body=f"rush {n}")
    with pytest.raises(RateLimited) as refused:
        _post(post, guest, body="In the rush.")
    assert "more than 3 comments in the last hour" in refused.value.rule


def test_staff_are_not_slowed():
    post = PostFactory()
    post.thread.slow_mode = True
    post.thread.save(update_fields=["slow_mode"])
    staff = Commenter(user=UserFactory(is_staff=True))
    _post(post, staff, body="One.")
    _post(post, staff, body="Two.")


# The settings


def test_saved_settings_apply_to_the_next_comment_without_a_restart():
    post = PostFactory()
    assert _post(post, _guest(1), body="poker night").comment.status == Comment.Status.PENDING
    _settings(blocked_words="poker")
    assert _post(post, _guest(2), body="poker night").comment.status == Comment.Status.SPAM


def test_reading_the_settings_costs_at_most_one_small_query_once_built(django_assert_max_num_queries):
    _settings(blocked_words="poker")
    rulebook()
    with django_assert_max_num_queries(1):  # the revision (from Redis when there is one); the lists are kept
        book = rulebook()
    assert book.words.search("Poker")


def test_settings_written_by_another_process_are_seen_here():
    first = rulebook()
    ModerationSettings.objects.update_or_create(pk=1, defaults={"blocked_words": "dice", "revision": "elsewhere"})
    forget_shared_only()  # what the other process's save did to the shared cache (none without Redis)
    assert rulebook() is not first and rulebook().words.search("dice")


def forget_shared_only():
    from django.core.cache import cache

    from pnyx.discussion import rulebook as module

    cache.delete(module._CACHE_KEY)


def test_the_defaults_are_those_the_readme_gives():
    config = ModerationSettings.load()
    assert (config.max_links, config.close_after_days, config.hold_first_comment) == (2, 0, True)
    assert (config.slow_mode_seconds, config.slow_mode_after_per_hour) == (120, 60)
    assert not config.spamd_enabled and not config.akismet_enabled and config.engine_timeout == 2.0
