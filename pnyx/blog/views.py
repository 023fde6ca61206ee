from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pnyx.pagecache import FRESH_UNTIL, for_everyone

from .models import Post, next_scheduled

POSTS_PER_PAGE = 10


@for_everyone
def home(request: HttpRequest) -> HttpResponse:
    # "thread" is the discussion's one-to-one with each post: its count shows beside every summary.
    posts = Post.objects.published().filter(kind=Post.Kind.POST).select_related("author", "thread")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(request, "blog/home.html", {"page": page})
    if (due := next_scheduled()) is not None:
        response[FRESH_UNTIL] = str(due.timestamp())  # kept until the next scheduled post appears here
    return response


@for_everyone
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _published(slug, Post.Kind.POST))


@for_everyone
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _published(slug, Post.Kind.PAGE))


def _published(slug: str, kind: str) -> Post:
    # "thread": the post's discussion, loaded with it rather than by the page's discussion tag (a query less).
    return get_object_or_404(Post.objects.published().select_related("author", "thread"), slug=slug, kind=kind)


def post_page(request: HttpRequest, post: Post) -> HttpResponse:
    """The post, with its discussion composed by the discussion app's ``{% discussion post %}`` tag.

    The HTML depends on the URL alone (never on who asks), so it can be cached and served to anyone;
    the visitor's own details and held comments arrive through a per-visitor JSON request.
    """
    return render(request, "blog/post_detail.html", {"post": post})
