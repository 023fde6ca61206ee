"""What each change touches: the one place that decides which kept pages must be rendered again.

The front keeps pages that are the same for everyone (``pnyx.pagecache``); they must never outlive
what they show. A comment that readers start or stop seeing changes its thread's pages and the home
page's count; a thread opened or closed, its pages; a post, a term or a writer's name may appear on any
page, and are rare, so they drop every page. A scheduled post's time arriving is handled by the page
itself (``FRESH_UNTIL``, set by the listing that will show it). Purges run once the change has
committed: a page rendered before the commit could otherwise be kept with the old state.
"""

from collections.abc import Iterable

from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from pnyx.blog.models import Post, Term
from pnyx.discussion.fragments import meta_rerendered
from pnyx.discussion.lifecycle import Change, comment_changed
from pnyx.discussion.models import Comment, ModerationSettings, Thread
from pnyx.media.models import Image

from .pagecache import ALL, purge

HOME = "/"


def thread_pages(thread_ids: Iterable[int]) -> list[str]:
    """The pages that show these threads: each thread's own (every page of it) and its comment feeds (a
    post's sit under its address: ``pnyx.urls``), the home page's counts and the site's comment feeds."""
    ids = sorted(set(thread_ids))
    if not ids:
        return []
    paths = list(Thread.objects.filter(pk__in=ids).values_list("path", flat=True))
    feeds = [reverse("discussion:feed"), reverse("discussion:feed_atom")]
    return [*paths, *(f"{p}feed/" for p in paths), *(f"{p}feed/atom/" for p in paths), HOME, *feeds]


def _later(paths: list[str]) -> None:
    if paths:
        transaction.on_commit(lambda: purge(paths))


def comments_changed(sender, *, changes: list[Change], **kwargs) -> None:
    purge(thread_pages(c.thread_id for c in changes if c.changes_pages))  # already after commit


def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    if instance.is_public:
        _later(thread_pages([instance.thread_id]))


def names_rerendered(sender, *, thread_ids: list[int], **kwargs) -> None:
    _later(thread_pages(thread_ids))


def thread_saved(sender, instance: Thread, **kwargs) -> None:
    _later([instance.path, HOME])


def everything(sender, instance=None, update_fields=None, created=False, **kwargs) -> None:
    if sender is get_user_model() and (created or (update_fields is not None and set(update_fields) <= {"last_login"})):
        return  # a new account, or a login, changes no page; a changed name may change many
    _later([ALL])


def image_changed(sender, instance=None, created: bool = False, **kwargs) -> None:
    """A library image's alt text changed, or it was deleted: it may head any post and its summary. A new
    upload is on no page yet."""
    if not created:
        _later([ALL])


def connect() -> None:
    comment_changed.connect(comments_changed, dispatch_uid="freshness.comments")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="freshness.comment_deleted")
    post_save.connect(thread_saved, sender=Thread, dispatch_uid="freshness.thread")
    meta_rerendered.connect(names_rerendered, dispatch_uid="freshness.names")
    post_save.connect(image_changed, sender=Image, dispatch_uid="freshness.image_saved")
    post_delete.connect(image_changed, sender=Image, dispatch_uid="freshness.image_deleted")
    # A login provider added or removed in the admin changes every comment form's icons; the moderation
    # settings may close (or reopen) every old post's comment form.
    for model in (Post, Term, get_user_model(), SocialApp, ModerationSettings):
        post_save.connect(everything, sender=model, dispatch_uid=f"freshness.saved.{model._meta.label}")
        post_delete.connect(everything, sender=model, dispatch_uid=f"freshness.deleted.{model._meta.label}")
