from datetime import date

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pnyx.pagecache import FRESH_UNTIL, for_everyone

from .models import Post, PostQuerySet, Term, next_scheduled

POSTS_PER_PAGE = 10


def _listed() -> PostQuerySet:
    # "thread" is the discussion's one-to-one with each post: its count shows beside every summary.
    return Post.objects.published().filter(kind=Post.Kind.POST).select_related("author", "thread")


def _listing(request: HttpRequest, posts: PostQuerySet, **context) -> HttpResponse:
    """A page of post summaries, kept until the next scheduled post could join it."""
    page: Page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    template = "blog/home.html" if "heading" not in context else "blog/archive.html"
    response = render(request, template, {"page": page, **context})
    if (due := next_scheduled()) is not None:
        response[FRESH_UNTIL] = str(due.timestamp())  # kept until the next scheduled post appears here
    return response


@for_everyone
def home(request: HttpRequest) -> HttpResponse:
    return _listing(request, _listed().order_by("-is_sticky", "-published_at", "-id"))


@for_everyone
def term_archive(request: HttpRequest, taxonomy: str, term: str) -> HttpResponse:
    term = get_object_or_404(Term, taxonomy=taxonomy, slug=term)
    label = _("Category: %(name)s") if taxonomy == Term.Taxonomy.CATEGORY else _("Tag: %(name)s")
    feed = reverse(f"blog:{taxonomy}_feed", kwargs={"term": term.slug})
    posts = _listed().filter(terms=term)
    return _listing(request, posts, heading=label % {"name": term.name}, description=term.description, feed=feed)


def category_trail(request: HttpRequest, trail: str) -> HttpResponse:
    """WordPress names a child category by its parents too (``/category/food/tea/``); pnyx by its own slug."""
    return redirect("blog:category", term=trail.rstrip("/").rsplit("/", 1)[-1], permanent=True)


@for_everyone
def author_archive(request: HttpRequest, author: str) -> HttpResponse:
    user_model = get_user_model()
    posts = _listed()
    # Only a writer with a published post has a page: it must not confirm that an account exists.
    writer = get_object_or_404(
        user_model.objects.filter(posts__in=posts).distinct(), **{user_model.USERNAME_FIELD: author}
    )
    name = writer.get_full_name() or writer.get_username()
    feed = reverse("blog:author_feed", kwargs={"author": author})
    return _listing(request, posts.filter(author=writer), heading=_("Author: %(name)s") % {"name": name}, feed=feed)


@for_everyone
def date_archive(request: HttpRequest, year: str, month: str | None = None, day: str | None = None) -> HttpResponse:
    try:
        first = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise Http404("No such date.") from None
    posts = _listed().filter(published_at__year=first.year)
    heading = str(first.year)
    if month:
        posts, heading = posts.filter(published_at__month=first.month), date_format(first, "YEAR_MONTH_FORMAT")
    if day:
        posts, heading = posts.filter(published_at__day=first.day), date_format(first, "DATE_FORMAT")
    return _listing(request, posts, heading=heading)


@for_everyone
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _shown(request, slug, Post.Kind.POST))


@for_everyone
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _shown(request, slug, Post.Kind.PAGE))


def _shown(request: HttpRequest, slug: str, kind: str) -> Post:
    # "thread": the post's discussion, loaded with it rather than by the page's discussion tag (a query less).
    posts = Post.objects.select_related("author", "thread")
    post = posts.published().filter(slug=slug, kind=kind).first()
    if post is None and request.user.is_staff:  # a private post, for staff only (see post_page)
        post = posts.filter(slug=slug, kind=kind, status=Post.Status.PRIVATE).first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_page(request: HttpRequest, post: Post) -> HttpResponse:
    """The post, with its discussion composed by the discussion app's ``{% discussion post %}`` tag.

    The HTML depends on the URL alone (never on who asks), so it can be cached and served to anyone;
    the visitor's own details and held comments arrive through a per-visitor JSON request. A private
    post, shown to staff alone, is the exception: marked private, so neither the front nor a CDN keeps it.
    """
    response = render(request, "blog/post_detail.html", {"post": post})
    if post.status == Post.Status.PRIVATE:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    return response
