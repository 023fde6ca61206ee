from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pnyx.discussion.forms import CommentForm
from pnyx.discussion.threads import public_thread

from .models import Post

POSTS_PER_PAGE = 10


def home(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.published().filter(kind=Post.Kind.POST).select_related("author")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "blog/home.html", {"page": page})


def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _published(slug, Post.Kind.POST))


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return post_page(request, _published(slug, Post.Kind.PAGE))


def _published(slug: str, kind: str) -> Post:
    return get_object_or_404(Post.objects.published().select_related("author"), slug=slug, kind=kind)


def post_page(request: HttpRequest, post: Post, *, form: CommentForm | None = None, status: int = 200) -> HttpResponse:
    """The post with its thread and the Leave a Reply form.

    For a GET the HTML depends on the URL alone (never on who asks), so it can be cached and served to
    anyone; the visitor's own details and held comments arrive through ``discussion:mine``. A bound
    ``form`` is the comment POST coming back with errors, typed text kept.
    """
    thread = public_thread(post)
    if form is None:
        form = CommentForm(auto_id="%s", initial={"comment_parent": _reply_param(request)})
    parent_id = form["comment_parent"].value()
    replying_to = next(
        (item.comment for item in thread if item.comment is not None and str(item.comment.pk) == str(parent_id)),
        None,
    )
    context = {"post": post, "thread": thread, "form": form, "replying_to": replying_to}
    return render(request, "blog/post_detail.html", context, status=status)


def _reply_param(request: HttpRequest) -> int | None:
    """``?replytocom=ID`` opens the form as a reply when JavaScript is off."""
    value = request.GET.get("replytocom", "")
    return int(value) if value.isdigit() else None
