from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pnyx.discussion.models import Comment, ModerationSettings
from pnyx.discussion.rulebook import rulebook
from pnyx.discussion.rules.dryrun import REFUSED, dry_run
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _comment(post, *, days_ago: float = 1, **fields) -> Comment:
    comment = CommentFactory(post=post, **fields)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    comment.refresh_from_db()
    return comment


@pytest.fixture
def history():
    ModerationSettings(hold_first_comment=False).save()  # so what the tried settings hold stands out
    post = PostFactory(published_at=timezone.now() - timedelta(days=60))
    return {
        "casino": _comment(post, body="Best casino bonus here", author_email="bot@spam.example", ip="203.0.113.9"),
        "links": _comment(post, body="See https://a.example https://b.example", ip="198.51.100.1"),
        "plain": _comment(post, body="A thoughtful reply.", ip="198.51.100.2"),
        "old": _comment(post, body="casino, but long ago", days_ago=60),
    }


def test_a_dry_run_shows_what_changed_settings_would_have_marked_spam_or_held(history):
    tried = ModerationSettings(hold_first_comment=False, blocked_words="casino", max_links=1)
    report = dry_run(settings=tried, weeks=4)
    assert report.judged == 3  # the comment of 60 days ago is outside the four weeks
    changed = {d.comment.pk: (d.now, d.then, d.reason) for d in report.differences}
    assert changed[history["casino"].pk][1:] == ("spam", "blocked word: casino")
    assert changed[history["links"].pk][1:] == ("pending", "2 links (more than 1)")
    assert history["plain"].pk not in changed
    assert report.counts == {("approved", "spam"): 1, ("approved", "pending"): 1}


def test_a_dry_run_saves_nothing_and_asks_no_engine(history):
    tried = ModerationSettings(
        hold_first_comment=False, blocked_ips="203.0.113.0/24", akismet_enabled=True, akismet_key="k"
    )
    tried.akismet_endpoint = "http://127.0.0.1:9/1.1/"  # nothing listens: asking it would hold every comment
    report = dry_run(settings=tried)
    assert [d.comment.pk for d in report.differences] == [history["casino"].pk]
    assert ModerationSettings.objects.get().blocked_ips == ""
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}


def test_a_dry_run_judges_each_comment_as_of_its_own_time():
    post = PostFactory()
    a, b = {"author_name": "A", "author_email": "a@example.org"}, {"author_name": "B", "author_email": "b@example.org"}
    _comment(post, body="first", days_ago=1, **a)
    _comment(post, body="second", days_ago=1 - 60 / 86400, **b)
    third = _comment(post, body="third", days_ago=1 - 120 / 86400, **a)
    later = _comment(post, body="a day later", days_ago=0.01, **a)
    report = dry_run(settings=ModerationSettings(slow_mode_after_per_hour=2, slow_mode_seconds=600))
    (difference,) = report.differences  # A's third, two minutes after A's first, in a thread that was busy then
    assert (difference.comment, difference.then) == (third, REFUSED)
    assert "slow mode (more than 2 comments in the last hour)" in difference.reason
    assert later not in [d.comment for d in report.differences]


def test_a_dry_run_tells_refusals_apart(settings):
    post = PostFactory(published_at=timezone.now() - timedelta(days=20))
    comment = _comment(post, body="Late thought", days_ago=1)
    report = dry_run(settings=ModerationSettings(close_after_days=7))
    (difference,) = report.differences
    assert (difference.comment, difference.then) == (comment, REFUSED)
    assert "closed" in difference.reason


def test_the_admin_edits_the_one_row_of_settings(admin_client):
    response = admin_client.get(reverse("admin:discussion_moderationsettings_changelist"))
    assert response.status_code == 302 and response["Location"].endswith("/1/change/")
    page = admin_client.get(response["Location"])
    assert page.status_code == 200 and b"Dry run" in page.content
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(blocked_words="poker", blocked_ips="203.0.113.0/24", max_links=3)
    saved = admin_client.post(response["Location"], data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert rulebook().words.search("Poker night") and rulebook().settings.max_links == 3
    assert admin_client.get(reverse("admin:discussion_moderationsettings_add")).status_code == 403


def test_the_admin_refuses_an_ip_list_it_cannot_read(admin_client):
    url = reverse("admin:discussion_moderationsettings_change", args=[1])
    page = admin_client.get(reverse("admin:discussion_moderationsettings_changelist"), follow=True)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    response = admin_client.post(url, {**data, "blocked_ips": "203.0.113.0/24\nnot-an-ip"})
    assert response.status_code == 200
    assert "not-an-ip" in str(response.context["adminform"].form.errors)


def test_the_admins_dry_run_button_tries_the_form_without_saving_it(admin_client, history):
    page = admin_client.get(reverse("admin:discussion_moderationsettings_changelist"), follow=True)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    url = reverse("admin:discussion_moderationsettings_change", args=[1])
    response = admin_client.post(url, {**data, "blocked_words": "casino", "_dryrun": "Dry run", "_dryrun_weeks": "4"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Best casino bonus here" in html and "blocked word: casino" in html
    assert "A thoughtful reply." not in html
    assert ModerationSettings.objects.get().blocked_words == ""


def test_the_command_prints_what_a_change_would_do(history):
    out = StringIO()
    call_command("rules_dryrun", "--set", "blocked_words=casino\\npoker", "--weeks", "4", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "3 comments of the last 4 weeks judged again" in text
    assert "approved -> spam" in text and f"#{history['casino'].pk}" in text


@pytest.mark.parametrize(
    ("assignment", "message"),
    [("nonsense=1", "No moderation setting"), ("max_links=many", "max_links"), ("blocked_ips=x.y", "blocked_ips")],
)
def test_the_command_says_what_is_wrong_with_a_setting(assignment, message):
    with pytest.raises(CommandError, match=message):
        call_command("rules_dryrun", "--set", assignment, stdout=StringIO())
