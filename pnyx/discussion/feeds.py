"""Feeds of comments: the whole site's newest (``/comments/feed/``) and each post's (``<post>/feed/``),
in RSS 2.0 and Atom (``…/feed/atom/``), as WordPress serves them.

Only public comments on published posts appear (``Comment.objects.public``); each entry links to the
comment's permalink and keeps one id for good (``Comment.feed_id``). Kept by the front like a page, and
purged with the thread's pages whenever what readers see of it changes (``pnyx.freshness``).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from pnyx.blog.models import Post
from pnyx.pagecache import for_everyone

from .models import Comment, CommentQuerySet


class CommentsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, slug: str | None = None) -> Post | None:
        if slug is None:
            return None
        return get_object_or_404(Post.objects.published().select_related("thread"), slug=slug)

    def title(self, post: Post | None) -> str:
        if post is None:
            return _("Comments for %(site)s") % {"site": settings.PNYX_SITE_NAME}
        return _("Comments on: %(title)s") % {"title": post.title}

    def description(self, post: Post | None) -> str:
        return settings.PNYX_SITE_TAGLINE

    def link(self, post: Post | None) -> str:
        return post.get_absolute_url() if post is not None else reverse("blog:home")

    def items(self, post: Post | None) -> CommentQuerySet:
        comments = Comment.objects.public().select_related("user", "thread")
        if post is not None:
            comments = comments.filter(thread__post=post)
        else:
            comments = comments.filter(thread__post__in=Post.objects.published())
        return comments.order_by("-created_at", "-pk")[: settings.PNYX_FEED_ITEMS]

    def item_title(self, comment: Comment) -> str:
        return _("Comment on %(title)s by %(name)s") % {"title": comment.thread.title, "name": comment.display_name}

    def item_description(self, comment: Comment) -> str:
        return comment.body_html

    def item_link(self, comment: Comment) -> str:
        return reverse("discussion:own", args=[comment.pk])  # the permalink: it opens the page holding it

    def item_guid(self, comment: Comment) -> str:
        return comment.feed_id

    item_guid_is_permalink = False

    def item_pubdate(self, comment: Comment):
        return comment.created_at

    def item_author_name(self, comment: Comment) -> str:
        return comment.display_name


class AtomCommentsFeed(CommentsFeed):
    feed_type = Atom1Feed
    subtitle = CommentsFeed.description


rss, atom = for_everyone(CommentsFeed()), for_everyone(AtomCommentsFeed())
