"""Who hears of a comment, through a real SMTP server: moderators, the post's author, the replied-to."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pnyx.discussion import notifications
from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.moderation import comment_approve
from pnyx.discussion.moderation_links import moderation_url
from pnyx.discussion.notifications import held_notify, moderators
from pnyx.outbox.models import Email
from tests.factories import CommentFactory, ModeratorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _comment(browser, post, *, text="A point of view.", parent=None, notify=False, email="robin@example.org"):
    data = {"comment": text, "author": "Robin", "email": email, "url": ""}
    if parent is not None:
        data["comment_parent"] = str(parent.pk)
    if notify:
        data["notify"] = "on"
    return browser.post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _links(message, path: str) -> list[str]:
    return re.findall(rf"https?://[^/\s]+({path}\S+/)", _text(message))


@pytest.fixture
def moderator():
    return ModeratorFactory(username="mod", email="mod@example.com")


@pytest.fixture
def post():
    return PostFactory(title="Bicycles", author=UserFactory(username="writer", email="writer@example.com"))


def test_a_held_comment_mails_each_moderator_links_that_act_only_on_a_post(client, smtp_server, moderator, post):
    _comment(Browser(), post, text="Please look at this.")
    held = Comment.objects.get()
    [message] = smtp_server.messages
    assert message["To"] == "mod@example.com"
    assert message["Subject"].strip() == "[pnyx] A comment waits for you on “Bicycles”"
    assert "Please look at this." in _text(message)
    assert f"#comment-{held.pk}" in _text(message)
    html = message.get_body(("html",)).get_content()
    assert "Bicycles" in html and "Approve" in html

    approve, spam, trash = _links(message, "/comments/moderate/")
    scanned = client.get(approve)  # a link scanner, or the moderator's first look
    assert scanned.status_code == 200 and "Please look at this." in scanned.content.decode()
    held.refresh_from_db()
    assert held.status == "pending"
    assert client.post(approve).status_code == 200
    held.refresh_from_db()
    assert held.status == "approved" and held.status_reason == "approved by mod"
    client.post(trash)
    held.refresh_from_db()
    assert held.status == "trash"


def test_the_held_comments_one_task_finds_reach_each_moderator_as_one_mail_with_each_ones_links(
    client, smtp_server, moderator, post
):
    """A wave of held comments is a few mails listing them, not one each (the hourly limit would stop
    those after twenty); a moderator's own address is left out of their list, as from a single mail."""
    ModeratorFactory(username="mod2", email="mod2@example.com")
    _comment(Browser(), post, text="First of the wave.", email="ann@example.org")
    _comment(Browser(), post, text="Second of the wave.", email="bo@example.org")
    _comment(Browser(), post, text="Under the other moderator's address.", email="MOD2@example.com")
    first, second, theirs = Comment.objects.order_by("pk")
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert sorted(by_address) == ["mod2@example.com", "mod@example.com"]

    message = by_address["mod@example.com"]
    assert " ".join(message["Subject"].split()) == "[pnyx] 3 comments wait for you"
    text = _text(message)
    assert text.index("First of the wave.") < text.index("Second of the wave.") < text.index("other moderator")
    assert re.findall(r"#comment-(\d+)", text) == [str(c.pk) for c in (first, second, theirs)]
    assert "Bicycles" in text and "desk" not in text  # all three listed: nothing left for the desk
    html = message.get_body(("html",)).get_content()
    assert html.count(">Approve</a>") == 3 and "Second of the wave." in html

    approve_links = _links(message, "/comments/moderate/")[0::3]
    assert len(approve_links) == 3
    assert client.post(approve_links[1]).status_code == 200  # the second comment's own link
    assert [c.status for c in Comment.objects.order_by("pk")] == ["pending", "approved", "pending"]

    other = _text(by_address["mod2@example.com"])
    assert " ".join(by_address["mod2@example.com"]["Subject"].split()) == "[pnyx] 2 comments wait for you"
    assert "Second of the wave." in other and "other moderator" not in other


def test_a_list_past_its_length_sends_the_moderator_to_the_desk_for_the_rest(smtp_server, moderator, post, monkeypatch):
    monkeypatch.setattr(notifications, "HELD_LIST", 2)
    for n in range(3):
        _comment(Browser(), post, text=f"Held comment {n}.", email=f"reader{n}@example.org")
    [message] = smtp_server.messages
    assert " ".join(message["Subject"].split()) == "[pnyx] 3 comments wait for you"
    text = _text(message)
    assert "Held comment 1." in text and "Held comment 2." not in text
    assert re.search(r"and 1 more, on the moderation desk: https?://[^/\s]+/desk/\s", text)


def test_a_comment_approved_before_the_task_ran_is_left_out_and_one_left_gets_the_single_mail(
    smtp_server, moderator, post
):
    _comment(Browser(), post, text="Approved before the task ran.", email="ann@example.org")
    _comment(Browser(), post, text="Still waiting.", email="bo@example.org")
    comment_approve(comment=Comment.objects.get(body="Approved before the task ran."))
    [message] = [m for m in smtp_server.messages if m["To"] == "mod@example.com"]
    assert message["Subject"].strip() == "[pnyx] A comment waits for you on “Bicycles”"
    assert "Still waiting." in _text(message) and "Approved before" not in _text(message)


def test_a_held_comments_notices_are_sent_by_the_one_task_that_wrote_them(smtp_server, moderator, post):
    """A task per mail cost the worker as much again as the mail itself (``tests/discussion/test_notices.py``:
    one task for many comments)."""
    from django_tasks_db.models import DBTaskResult

    ModeratorFactory(username="mod2", email="mod2@example.com")
    _comment(Browser(), post, text="Please look at this.")
    assert sorted(m["To"] for m in smtp_server.messages) == ["mod2@example.com", "mod@example.com"]
    tasks = DBTaskResult.objects.exclude(task_path="pnyx.blog.tasks.announce")  # the post's, to its subscribers
    assert list(tasks.values_list("task_path", flat=True)) == ["pnyx.discussion.tasks.notify_changes"]
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}


def test_a_held_comments_task_compiles_its_queries_once_per_process(post, select_compiles):
    """Every held comment costs a task, whoever is to be mailed: after the first, it compiles no SELECT."""
    first, second = CommentFactory.create_batch(2, post=post, status=Comment.Status.PENDING)
    team = moderators()
    held_notify([first.pk], team)
    select_compiles.clear()
    with CaptureQueriesContext(connection) as ran:
        held_notify([second.pk], team)
    assert select_compiles == []
    # It still asked all it asks: the comment, and the address's approved comments.
    assert len(ran) == 2 and str(second.pk) in ran[0]["sql"]


def test_a_list_of_held_comments_on_one_post_works_out_its_pages_once(post, moderator):
    """Each comment's link names its page; the thread's page bounds, when not stored, are one query and
    one write for the whole list, not one of each for every comment."""
    held = CommentFactory.create_batch(3, post=post, status=Comment.Status.PENDING)
    Thread.objects.filter(pk=post.thread.pk).update(page_starts=None)
    with CaptureQueriesContext(connection) as ran:
        held_notify([c.pk for c in held], moderators())
    assert sum(q["sql"].startswith("UPDATE") and "page_starts" in q["sql"] for q in ran) == 1
    [mail] = Email.objects.filter(to="mod@example.com")
    assert all(f"#comment-{c.pk}" in mail.body_text for c in held)


def test_a_forged_or_foreign_moderation_link_does_nothing(client, moderator, post):
    held = CommentFactory(post=post, status="pending")
    assert client.post(reverse("discussion:moderate", args=["forged:token"])).status_code == 410
    held.refresh_from_db()
    assert held.status == "pending"


def test_an_author_on_staff_is_not_mailed_held_comments_nor_can_act_with_a_link_made_for_them(
    client, smtp_server, moderator, post
):
    author = UserFactory(username="writer-on-staff", email="staff-writer@example.com", is_staff=True)
    _comment(Browser(), post, text="Please look at this.")
    assert [m["To"] for m in smtp_server.messages] == ["mod@example.com"]
    held = Comment.objects.get()
    link = moderation_url(held, "approve", author)
    assert client.post(link).status_code == 410
    held.refresh_from_db()
    assert held.status == "pending"


def test_the_posts_author_hears_of_each_approved_comment_with_a_link_to_it(smtp_server, post):
    _comment(Browser(), post, text="First!")
    comment = Comment.objects.get()
    assert smtp_server.messages == []  # held, no moderators with an address: nobody yet
    comment_approve(comment=comment)
    [message] = smtp_server.messages
    assert message["To"] == "writer@example.com"
    assert message["Subject"].strip() == "[pnyx] New comment on “Bicycles”"
    assert f"/#comment-{comment.pk}" in _text(message) and "First!" in _text(message)
    assert "pnyx" in _text(message)  # the site's name, in the footer


def test_every_mail_has_a_one_click_unsubscribe_that_needs_no_csrf_token(smtp_server, post):
    CommentFactory(post=post, body="one")  # approved straight away: the author is mailed
    comment_approve(comment=CommentFactory(post=post, status="pending"))
    first = smtp_server.messages[0]
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = "".join(first["List-Unsubscribe"].split())  # a long header comes folded
    url = re.fullmatch(r"<https?://[^/]+(/mail/unsubscribe/\S+/)>", header).group(1)
    assert url in _text(first)  # and the same link in the text

    mail_program = Browser(enforce_csrf_checks=True)
    assert "Unsubscribe" in mail_program.get(url).content.decode()  # GET stops nothing
    assert Email.objects.filter(to="writer@example.com").count() == 1
    response = mail_program.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200

    comment_approve(comment=CommentFactory(post=post, status="pending"))
    assert len(smtp_server.messages) == 1
    assert Email.objects.filter(to="writer@example.com").latest("pk").status == "skipped"


def test_a_reply_mails_the_parents_author_who_asked_once_even_when_also_the_posts_author(client, smtp_server, post):
    writer = post.author
    writer.is_staff = True  # so the writer's comment goes straight through; and this writer moderates too
    writer.save()
    writer.user_permissions.add(Permission.objects.get(codename="change_comment"))
    client.force_login(writer)
    _comment(client, post, text="Thanks for reading.", notify=True)
    mine = Comment.objects.get()
    assert mine.notify_replies and mine.status == "approved"
    assert smtp_server.messages == []  # the writer's own comment mails the writer nothing

    _comment(Browser(), post, text="A reply to you.", parent=mine)
    reply = Comment.objects.get(body="A reply to you.")
    [held] = smtp_server.messages  # to the writer as a moderator
    assert "waits for you" in held["Subject"]
    smtp_server.received.clear()
    comment_approve(comment=reply)
    [message] = smtp_server.messages
    assert message["To"] == "writer@example.com"
    assert "replied to you" in message["Subject"] and "Bicycles" in message["Subject"]
    assert f"#comment-{reply.pk}" in _text(message)
    assert Email.objects.filter(about_id=str(reply.pk), status="sent").count() == 2  # held, then reply
    assert Email.objects.latest("pk").reason == "reply"


def test_without_the_box_ticked_a_reply_mails_only_the_posts_author(client, smtp_server, post):
    reader = UserFactory(username="reader", email="reader@example.com")
    parent = CommentFactory(post=post, user=reader, notify_replies=False)
    smtp_server.received.clear()
    Email.objects.all().delete()
    comment_approve(comment=CommentFactory(post=post, parent=parent, status="pending"))
    assert [m["To"] for m in smtp_server.messages] == ["writer@example.com"]


def test_a_signed_in_reader_can_ask_for_replies_and_a_guest_must_confirm_the_address_first(client, post):
    client.force_login(UserFactory(username="reader", email="reader@example.com"))
    _comment(client, post, text="Signed in.", notify=True)
    _comment(Browser(), post, text="A guest.", notify=True, email="guest@example.org")
    assert Comment.objects.get(body="Signed in.").notify_replies
    assert not Comment.objects.get(body="A guest.").notify_replies
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Notify me of follow-up comments by email" in page


def test_a_signed_in_reader_hears_when_a_moderator_approves_their_held_comment(client, smtp_server, post):
    reader = UserFactory(username="reader", email="reader@example.com")
    client.force_login(reader)
    _comment(client, post, text="My first words here.")
    held = Comment.objects.get()
    assert held.status == "pending"
    comment_approve(comment=held, moderator=UserFactory(username="mod", is_staff=True))
    sent = {m["To"]: " ".join(m["Subject"].split()) for m in smtp_server.messages}
    assert sent == {
        "reader@example.com": "[pnyx] Your comment on “Bicycles” is published",
        "writer@example.com": "[pnyx] New comment on “Bicycles”",
    }


def test_a_guest_whose_address_is_unproven_is_not_mailed_on_approval(smtp_server, post):
    _comment(Browser(), post, text="Typed with any address.", email="someone@example.org")
    comment_approve(comment=Comment.objects.get())
    assert [m["To"] for m in smtp_server.messages] == ["writer@example.com"]


def test_moderators_named_by_the_admin_are_mailed_instead_of_all_staff(smtp_server, moderator, post):
    from pnyx.discussion.rulebook import ModerationSettings

    named = ModeratorFactory(username="named", email="named@example.com")
    settings_row = ModerationSettings.objects.create()
    settings_row.moderators.add(named)
    _comment(Browser(), post, text="Please look at this.")
    assert [m["To"] for m in smtp_server.messages] == ["named@example.com"]
    settings_row.moderators.clear()
    _comment(Browser(), post, text="And at this one.", email="other@example.org")
    assert sorted(m["To"] for m in smtp_server.messages[1:]) == ["mod@example.com", "named@example.com"]


def test_moderators_named_by_the_admin_who_left_leave_nobody_to_mail_rather_than_all_staff(
    smtp_server, moderator, post
):
    from pnyx.discussion.rulebook import ModerationSettings

    gone = ModeratorFactory(username="gone", email="gone@example.com", is_active=False)
    ModerationSettings.objects.create().moderators.add(gone)
    _comment(Browser(), post, text="Please look at this.")
    assert smtp_server.messages == []
