"""The writer's desk: the list of one's posts, the editor, its live preview and autosave, and the preview of
an unpublished post as readers will see it.

Staff pages, each for the one person asking: never kept by the front (no ``for_everyone``) and marked
``no-store``, with Django's usual CSRF token. Who may do what is decided by ``roles``, as in the admin.
"""

import functools

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pnyx.media.models import Image

from .. import roles
from ..models import Draft, Post
from ..views import post_page
from .forms import PostForm

POSTS_PER_PAGE = 50
RECENT_IMAGES = 8
"""The newest images shown under the editor, with the Markdown to paste; the rest are under Images."""
DRAFT_FIELDS = {"title": 300, "slug": 200, "standfirst": 5000, "body": 1_000_000, "tags": 2000}
"""What an autosave keeps, and the most characters of each: more is refused, not cut."""


def for_writers(view):
    """Signed-in staff whose role writes posts; every answer private and never stored."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.has_perm("blog.add_post") or request.user.has_perm("blog.change_post")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_member_required(never_cache(wrapped))


def _writable(request: HttpRequest, post_id: int) -> Post:
    return get_object_or_404(roles.writable_posts(request.user, Post.objects.all()), pk=post_id)


@for_writers
def post_list(request: HttpRequest) -> HttpResponse:
    posts = roles.writable_posts(request.user, Post.objects.select_related("author")).order_by("-updated_at", "-id")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "edits_others": roles.edits_others(request.user)}
    return render(request, "blog/writing/list.html", context)


@for_writers
def post_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("blog.add_post"):
        raise PermissionDenied
    return _editor(request, Post(author=request.user, kind=Post.Kind.POST))


@for_writers
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    if not request.user.has_perm("blog.change_post"):
        raise PermissionDenied
    return _editor(request, _writable(request, post_id))


def _editor(request: HttpRequest, post: Post) -> HttpResponse:
    form = PostForm(request.POST or None, instance=post, user=request.user)
    preview_html = None
    if request.method == "POST" and "preview" in request.POST:  # the preview without JavaScript
        preview_html = Post(body=request.POST.get("body", ""), body_format=post.body_format).render_body()
    elif request.method == "POST" and form.is_valid():
        created = post.pk is None
        with transaction.atomic():
            form.save()
            Draft.objects.filter(author=request.user, post=None if created else post).delete()
        messages.success(request, _("Saved: %(status)s.") % {"status": post.get_status_display()})
        if created:
            request.session["writing_created"] = True  # writing.js forgets the new post's local copy
        return redirect("writing:edit", post_id=post.pk)
    draft = Draft.objects.filter(author=request.user, post=post if post.pk else None).first()
    if draft is not None and post.pk and draft.saved_at <= post.updated_at:
        draft = None  # older than what was saved since
    context = {
        "form": form,
        "post": post,
        "preview_html": preview_html,
        "draft": {**draft.fields, "saved_at": draft.saved_at.isoformat()} if draft else None,
        "forget_new": request.session.pop("writing_created", False),
        "images": list(Image.objects.all()[:RECENT_IMAGES]) if request.user.has_perm("media.view_image") else None,
    }
    return render(request, "blog/writing/edit.html", context)


@require_POST
@for_writers
def preview(request: HttpRequest) -> JsonResponse:
    """The body as the site renders it (``Post.render_body``), for the live preview beside the editor."""
    body_format = request.POST.get("body_format", Post.BodyFormat.MARKDOWN)
    if body_format not in Post.BodyFormat.values:
        return JsonResponse({"error": _("Unknown body format.")}, status=400)
    return JsonResponse({"html": Post(body=request.POST.get("body", ""), body_format=body_format).render_body()})


@require_POST
@for_writers
def autosave(request: HttpRequest) -> JsonResponse:
    """Keep what the writer typed as their ``Draft`` of the post (or of a new one); the post is untouched."""
    post = _draft_post(request)
    fields = {name: request.POST.get(name, "") for name in DRAFT_FIELDS}
    too_long = [name for name, most in DRAFT_FIELDS.items() if len(fields[name]) > most]
    if too_long:
        return JsonResponse({"error": _("Too long: %(fields)s.") % {"fields": ", ".join(too_long)}}, status=400)
    draft, _created = Draft.objects.update_or_create(
        author=request.user, post=post, defaults={"fields": fields, "saved_at": timezone.now()}
    )
    return JsonResponse({"saved_at": draft.saved_at.isoformat()})


@require_POST
@for_writers
def discard(request: HttpRequest) -> HttpResponse:
    """The writer chose the saved post over their autosaved text."""
    Draft.objects.filter(author=request.user, post=_draft_post(request)).delete()
    return HttpResponse(status=204)


def _draft_post(request: HttpRequest) -> Post | None:
    post_id = request.POST.get("post", "")
    if not post_id:
        return None
    if not post_id.isdigit():
        raise PermissionDenied
    return _writable(request, int(post_id))


@for_writers
def post_preview(request: HttpRequest, post_id: int) -> HttpResponse:
    """The post page exactly as readers will see it once published, shown to its writer and editors alone."""
    post = get_object_or_404(
        roles.writable_posts(request.user, Post.objects.with_shown()),
        pk=post_id,
    )
    response = post_page(request, post)
    response["X-Robots-Tag"] = "noindex"
    return response  # for_writers made it private and no-store: the front never keeps it
