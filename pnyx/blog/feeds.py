"""Feeds of posts, at the addresses WordPress readers and their feed readers already know.

``/feed/`` (RSS 2.0) and ``/feed/atom/`` for the whole blog, and the same under ``/category/<slug>/``,
``/tag/<slug>/`` and ``/author/<name>/``. Only published posts appear (``PostQuerySet.published``). Each
entry keeps one id for good (``Post.feed_id``: an imported post keeps its old site's GUID), so a feed
reader never shows a post twice after a move or a new title. Like a post page, a feed is the same for
every reader: the front keeps it, and a scheduled post's time arriving renews it (``FRESH_UNTIL``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from pnyx.media.markup import absolute
from pnyx.pagecache import FRESH_UNTIL, for_everyone

from .models import Post, PostQuerySet, Term, next_scheduled, writers


class PostsFeed(Feed):
    """The newest published posts of the blog, or of one category, tag or author (``get_object``)."""

    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, **kwargs) -> Term | object | None:
        if "term" in kwargs:
            return get_object_or_404(Term, taxonomy=kwargs["taxonomy"], slug=kwargs["term"])
        if "author" in kwargs:
            return get_object_or_404(writers(), **{get_user_model().USERNAME_FIELD: kwargs["author"]})
        return None

    def title(self, obj) -> str:
        if obj is None:
            return settings.PNYX_SITE_NAME
        return f"{settings.PNYX_SITE_NAME} » {_name(obj)}"

    def description(self, obj) -> str:
        return settings.PNYX_SITE_TAGLINE

    def link(self, obj) -> str:
        return reverse("blog:home")

    def items(self, obj) -> PostQuerySet:
        posts = Post.objects.published().filter(kind=Post.Kind.POST).select_related("author")
        if isinstance(obj, Term):
            posts = posts.filter(terms=obj)
        elif obj is not None:
            posts = posts.filter(author=obj)
        return posts.prefetch_related("terms").order_by("-published_at", "-id")[: settings.PNYX_FEED_ITEMS]

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        if post.is_protected:
            return _("There is no excerpt because this is a protected post.")
        if settings.PNYX_FEED_FULL_TEXT:
            return absolute(post.body_html, base=settings.PNYX_BASE_URL)
        return post.standfirst or absolute(post.body_html, base=settings.PNYX_BASE_URL)

    def item_guid(self, post: Post) -> str:
        return post.feed_id

    item_guid_is_permalink = False

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return max(post.updated_at, post.published_at)

    def item_author_name(self, post: Post) -> str:
        return post.author_name

    def item_categories(self, post: Post) -> list[str]:
        return [term.name for term in post.terms.all()]


class AtomPostsFeed(PostsFeed):
    feed_type = Atom1Feed
    subtitle = PostsFeed.description


def _name(obj) -> str:
    if isinstance(obj, Term):
        return obj.name
    return obj.get_full_name() or obj.get_username()


def _renewed(feed: Feed):
    """A feed, kept until the next scheduled post comes out (as the home page is)."""

    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        response = feed(request, **kwargs)
        if (due := next_scheduled()) is not None:
            response[FRESH_UNTIL] = str(due.timestamp())
        return response

    return for_everyone(view)


rss, atom = _renewed(PostsFeed()), _renewed(AtomPostsFeed())
