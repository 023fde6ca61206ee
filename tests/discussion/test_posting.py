import pytest
from django.utils import timezone

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
from pnyx.discussion.posting import Client, CommentRefused, DuplicateComment, post_comment
from pnyx.identity.commenter import Commenter
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(post, commenter, body="A fair point, well made.", parent=None, **kwargs):
    return post_comment(thread=post.thread, parent=parent, commenter=commenter, body=body, client=Client(), **kwargs)


def test_first_comment_from_a_new_email_is_held():
    post = PostFactory()
    outcome = _post(post, Commenter(name="New Reader", email="new@example.org"))
    assert outcome.comment.status == Comment.Status.PENDING
    assert "first comment" in outcome.comment.status_reason
    post.thread.refresh_from_db()
    assert post.thread.comment_count == 0


def test_a_typed_email_of_an_approved_commenter_alone_does_not_skip_moderation():
    post = PostFactory()
    CommentFactory(post=post, author_email="regular@example.org", status="approved")
    outcome = _post(post, Commenter(name="Impostor", email="regular@example.org"))
    assert outcome.comment.status == Comment.Status.PENDING


def test_the_browser_that_wrote_an_approved_comment_goes_live_with_the_same_email():
    post = PostFactory()
    earlier = CommentFactory(post=post, author_name="Regular", author_email="regular@example.org", status="approved")
    outcome = _post(post, Commenter(name="Regular", email="Regular@Example.org", written=[earlier.pk]))
    assert outcome.comment.status == Comment.Status.APPROVED
    post.thread.refresh_from_db()
    assert post.thread.comment_count == 2


def test_a_browser_proves_only_the_email_of_its_own_approved_comments():
    post = PostFactory()
    CommentFactory(post=post, author_email="victim@example.org", status="approved")
    own = CommentFactory(post=post, author_email="attacker@example.org", status="approved")
    outcome = _post(post, Commenter(name="Victim?", email="victim@example.org", written=[own.pk]))
    assert outcome.comment.status == Comment.Status.PENDING


def test_a_browser_whose_own_comment_is_still_pending_is_not_proven():
    post = PostFactory()
    held = CommentFactory(post=post, author_email="new@example.org", status="pending")
    outcome = _post(post, Commenter(name="New", email="new@example.org", written=[held.pk]))
    assert outcome.comment.status == Comment.Status.PENDING


def test_staff_comments_go_live():
    post = PostFactory()
    outcome = _post(post, Commenter(user=UserFactory(is_staff=True)))
    assert outcome.comment.status == Comment.Status.APPROVED


def test_a_signed_in_user_is_held_first_then_trusted_after_an_approved_comment():
    post = PostFactory()
    user = UserFactory()
    assert _post(post, Commenter(user=user)).comment.status == Comment.Status.PENDING
    CommentFactory(post=post, user=user, status="approved")
    outcome = _post(post, Commenter(user=user), body="A second thought.")
    assert outcome.comment.status == Comment.Status.APPROVED
    assert outcome.comment.author_email == user.email


def test_a_filled_honeypot_is_kept_as_spam_not_dropped():
    post = PostFactory()
    outcome = _post(post, Commenter(name="Bot", email="bot@example.org"), honeypot="555-0100")
    assert outcome.comment.status == Comment.Status.SPAM
    assert outcome.comment.status_reason == "honeypot field was filled in"
    assert Comment.objects.filter(pk=outcome.comment.pk).exists()


def test_comments_on_a_closed_post_are_refused():
    post = PostFactory(comments_open=False)
    with pytest.raises(CommentRefused, match="closed"):
        _post(post, Commenter(name="Late", email="late@example.org"))
    assert not Comment.objects.exists()


def test_comments_on_an_unpublished_post_are_refused():
    post = PostFactory(status=Post.Status.DRAFT)
    with pytest.raises(CommentRefused, match="not published"):
        _post(post, Commenter(name="Early", email="early@example.org"))


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_replying_to_a_comment_nobody_can_see_is_refused(status):
    post = PostFactory()
    hidden = CommentFactory(post=post, status=status)
    with pytest.raises(CommentRefused, match="no longer available"):
        _post(post, Commenter(name="R", email="r@example.org"), parent=hidden)


def test_replying_to_a_comment_of_another_post_is_refused():
    other = CommentFactory()
    with pytest.raises(CommentRefused):
        _post(PostFactory(), Commenter(name="R", email="r@example.org"), parent=other)


def test_a_reply_at_the_depth_limit_answers_the_same_parent(settings):
    settings.PNYX_THREAD_DEPTH = 2
    post = PostFactory()
    top = CommentFactory(post=post)
    deepest = CommentFactory(post=post, parent=top)
    outcome = _post(post, Commenter(user=UserFactory(is_staff=True)), parent=deepest)
    assert outcome.comment.parent == top
    assert outcome.comment.depth == 1


def test_comment_bodies_are_rendered_as_safe_html_with_nofollow_links():
    post = PostFactory()
    outcome = _post(
        post,
        Commenter(name="Linker", email="l@example.org"),
        body="See https://example.com/a?b=1\n\n<script>alert(1)</script> [x](javascript:alert(1))",
    )
    html = outcome.comment.body_html
    assert '<a href="https://example.com/a?b=1" rel="nofollow ugc noopener">' in html
    assert "<script" not in html and 'href="javascript' not in html
    assert html.count("<p>") == 2


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy configured: the header is the client's claim
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # the forged left entry is ignored
        (2, "198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "not-an-ip", None),
    ],
)
def test_the_client_address_is_taken_only_from_trusted_proxies(rf, settings, proxies, forwarded, expected):
    settings.PNYX_PROXY_COUNT = proxies
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert Client.from_request(request).ip == expected


def test_only_addresses_with_their_scheme_become_links():
    outcome = _post(
        PostFactory(), Commenter(name="L", email="l@example.org"), body="Tell your friends.Do it at www.example.org"
    )
    assert "<a " not in outcome.comment.body_html


def test_the_same_text_from_the_same_identity_in_a_thread_is_refused_staff_too():
    post = PostFactory()
    staff = Commenter(user=UserFactory(is_staff=True))
    first = _post(post, staff, body="Please  stay on topic.")
    with pytest.raises(DuplicateComment) as refused:
        _post(post, staff, body="Please stay on topic.")
    assert refused.value.original == first.comment
    _post(post, Commenter(name="Other", email="other@example.org"), body="Please stay on topic.")  # someone else
    assert Comment.objects.count() == 2


def test_a_double_clicks_second_request_judged_before_the_first_was_written_is_still_refused(monkeypatch):
    """The rules run before the write lock; the check for the same text runs again under it."""
    from pnyx.discussion import posting

    post = PostFactory()
    reader = Commenter(name="Quick", email="quick@example.org")
    judge, first = posting.judge, []

    def judge_then_the_other_click_lands(submission):
        verdict = judge(submission)
        if not first:  # the other request of the double click is written meanwhile
            monkeypatch.setattr(posting, "judge", judge)
            first.append(_post(post, reader, body="Twice by accident."))
        return verdict

    monkeypatch.setattr(posting, "judge", judge_then_the_other_click_lands)
    with pytest.raises(DuplicateComment) as refused:
        _post(post, reader, body="Twice by accident.")
    assert refused.value.original == first[0].comment
    assert list(Comment.objects.values_list("body", flat=True)) == ["Twice by accident."]


def test_the_repeat_check_asked_again_under_the_lock_sees_what_was_written_since_the_rules_read():
    from pnyx.discussion.rules import Submission
    from pnyx.discussion.rules.content import refuse_repeat

    post = PostFactory()
    reader = Commenter(name="Quick", email="quick@example.org")
    submission = Submission(comment=Comment(thread=post.thread, body="Twice by accident."), commenter=reader)
    assert submission.own_recent() == []  # what the rules read
    first = _post(post, reader, body="Twice by accident.")
    submission.comment.created_at = timezone.now()  # as posting sets it under the lock
    with pytest.raises(DuplicateComment) as refused:
        refuse_repeat(submission, fresh=True)
    assert refused.value.original == first.comment


def test_the_repeat_check_under_the_lock_reads_the_identitys_comments_not_the_threads():
    """By the identity's index: asked for the thread's comments alone, PostgreSQL's planner (its statistics
    behind a thread taking hundreds of comments a minute) read all of the thread's recent comments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pnyx.discussion.rules import Submission
    from pnyx.discussion.rules.content import refuse_repeat

    post = PostFactory()
    reader = Commenter(name="Quick", email="quick@example.org")
    _post(PostFactory(), reader, body="Twice by accident.")  # the same text elsewhere is no repeat here
    submission = Submission(comment=Comment(thread=post.thread, body="Twice by accident."), commenter=reader)
    submission.comment.created_at = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        refuse_repeat(submission, fresh=True)
    [read] = [query["sql"] for query in queries]
    assert "thread_id" not in read.split("WHERE", 1)[1]


def test_a_prolific_identitys_repeat_is_still_refused_under_the_lock():
    """More comments in the window than are read at once: this thread's are asked for apart."""
    from pnyx.discussion.rules import Submission
    from pnyx.discussion.rules.base import OWN_RECENT
    from pnyx.discussion.rules.content import refuse_repeat

    post, elsewhere = PostFactory(), PostFactory()
    reader = Commenter(name="Busy", email="busy@example.org")
    first = CommentFactory(post=post, author_name="Busy", author_email="busy@example.org", body="Once is enough.")
    for k in range(OWN_RECENT + 5):  # all written after it, in another thread
        CommentFactory(post=elsewhere, author_name="Busy", author_email="busy@example.org", body=f"Aside {k}.")
    submission = Submission(comment=Comment(thread=post.thread, body="Once  is enough."), commenter=reader)
    submission.comment.created_at = timezone.now()
    with pytest.raises(DuplicateComment) as refused:
        refuse_repeat(submission, fresh=True)
    assert refused.value.original == first


def test_the_write_transaction_reads_the_thread_only_where_it_locks_its_row():
    """PostgreSQL locks the thread's row (and reads its pages with it); SQLite's transaction already holds
    the one write lock that every other write waits for, so it reads nothing it does not need."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post = PostFactory()
    with CaptureQueriesContext(connection) as queries:
        outcome = _post(post, Commenter(name="New Reader", email="new@example.org"))
    assert outcome.comment.status == Comment.Status.PENDING
    sql = [query["sql"] for query in queries]
    begin = next(n for n, statement in enumerate(sql) if statement.startswith("SAVEPOINT"))
    end = next(n for n, statement in enumerate(sql) if statement.startswith("RELEASE SAVEPOINT"))
    read = [statement for statement in sql[begin:end] if statement.startswith('SELECT "discussion_thread"')]
    if connection.vendor == "postgresql":
        assert len(read) == 1 and read[0].endswith("FOR UPDATE")
    else:
        assert read == []


def test_a_proven_browser_writing_under_another_name_is_held():
    post = PostFactory()
    earlier = CommentFactory(post=post, author_name="Regular", author_email="regular@example.org")
    outcome = _post(post, Commenter(name="The Editor", email="regular@example.org", written=[earlier.pk]))
    assert outcome.comment.status == Comment.Status.PENDING
    assert "another name" in outcome.comment.status_reason
    same = _post(post, Commenter(name="  regular ", email="regular@example.org", written=[earlier.pk]), body="Again.")
    assert same.comment.status == Comment.Status.APPROVED


def test_a_comment_published_by_an_emailed_link_proves_nothing_to_the_browser_that_wrote_it():
    post = PostFactory()
    confirmed = CommentFactory(post=post, author_name="Regular", author_email="regular@example.org", status_via="link")
    outcome = _post(post, Commenter(name="Regular", email="regular@example.org", written=[confirmed.pk]))
    assert outcome.comment.status == Comment.Status.PENDING


def test_a_reply_waits_beside_its_parent_and_still_follows_it_when_the_parents_id_is_taken_meanwhile():
    from pnyx.discussion.posting import CommentBatch

    post = PostFactory()
    batch = CommentBatch()
    parent = Comment(thread=post.thread, author_name="P", body="parent", status="approved")
    batch.add(parent, source_id=900)
    reply = Comment(thread=post.thread, parent=parent, author_name="R", body="reply", status="approved")
    batch.add(reply, source_id=901)
    assert len(batch.waiting) == 2  # no flush in between: the reply already points at id 900
    CommentFactory(post=post, pk=900)  # a reader's comment takes the id before the batch is written
    batch.finish()
    parent, reply = Comment.objects.get(body="parent"), Comment.objects.get(body="reply")
    assert parent.pk != 900 and parent.legacy_anchor == "comment-900"
    assert reply.parent == parent and reply.pk == 901 and reply.path.startswith(parent.path + "/")
