from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pnyx.origin import is_same_origin
from pnyx.pagecache import FRESH_UNTIL, for_everyone

from . import protection
from .models import Post, PostQuerySet, Term, next_scheduled, writers
from .search import search

POSTS_PER_PAGE = 10


def _listed() -> PostQuerySet:
    return Post.objects.published().filter(kind=Post.Kind.POST).with_shown()


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
    if "s" in request.GET:  # WordPress's search address; the front sends it here uncached (an unknown parameter)
        return search_results(request, request.GET["s"][:200])
    return _listing(request, _listed().order_by("-is_sticky", "-published_at", "-id"))


def search_results(request: HttpRequest, query: str) -> HttpResponse:
    number = request.GET.get("page", "1")
    number = int(number) if number.isascii() and number.isdigit() and 0 < int(number) < 1000 else 1
    hits, total = search(query, limit=POSTS_PER_PAGE, offset=(number - 1) * POSTS_PER_PAGE)
    pages = max(1, -(-total // POSTS_PER_PAGE))
    context = {"query": query, "hits": hits, "total": total, "number": number, "pages": pages}
    response = render(request, "blog/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


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
    writer = get_object_or_404(writers(), **{get_user_model().USERNAME_FIELD: author})
    name = writer.get_full_name() or writer.get_username()
    feed = reverse("blog:author_feed", kwargs={"author": author})
    return _listing(request, _listed().filter(author=writer), heading=_("Author: %(name)s") % {"name": name}, feed=feed)


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
    post = Post.shown(slug, kind)
    if post is None and request.user.is_staff:  # a private post, for staff only (see post_page)
        post = Post.objects.with_shown().filter(slug=slug, kind=kind, status=Post.Status.PRIVATE).first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_page(request: HttpRequest, post: Post, *, wrong_password: bool = False) -> HttpResponse:
    """The post, with its discussion composed by the discussion app's ``{% discussion post %}`` tag.

    The HTML depends on the URL alone (never on who asks), so it can be cached and served to anyone;
    the visitor's own details and held comments arrive through a per-visitor JSON request. Two pages are
    the exception, marked private so that neither the front nor a CDN keeps them: a private post, shown
    to staff alone, and a password-protected post opened in this browser (``protection``).
    """
    locked = protection.is_locked(request, post)
    context = {"post": post, "locked": locked, "wrong_password": wrong_password}
    response = render(request, "blog/post_detail.html", context, status=403 if wrong_password else 200)
    if post.status == Post.Status.PRIVATE or (post.password and not locked):
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    return response


@csrf_exempt  # the form is on a page kept for everyone: no token, the browser's own Origin check instead
@require_POST
def post_unlock(request: HttpRequest, post_id: int) -> HttpResponse:
    """The password form of a protected post: the right password opens the post in this browser."""
    post = get_object_or_404(Post.objects.published().with_shown(), pk=post_id)
    if not is_same_origin(request):
        raise PermissionDenied
    response = redirect(post.get_absolute_url())
    if protection.post_unlock(request, response, post=post, password=request.POST.get("password", "")):
        return response
    return post_page(request, post, wrong_password=True)
