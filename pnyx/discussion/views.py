from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie

from pnyx.blog.models import Post
from pnyx.blog.views import post_page
from pnyx.identity.commenter import commenter_for, own_comment_ids, read_cookie, remember
from pnyx.identity.confirmation import needs_confirmation, send_confirmation

from .forms import CommentForm
from .models import Comment
from .origin import is_same_origin
from .posting import Client, CommentRefused, parent_comment, post_comment


# Django's token check is replaced, for this view only, by the Origin / Sec-Fetch-Site check and
# SameSite cookies (see origin.py): the page holding the form carries no per-visitor token.
@csrf_exempt
@require_POST
def post_comment_view(request: HttpRequest, post_id: int) -> HttpResponse:
    if not is_same_origin(request):
        return render(request, "discussion/refused.html", status=403)
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    form = CommentForm(request.POST, auto_id="%s", signed_in=request.user.is_authenticated)
    if not form.is_valid():
        return post_page(request, post, form=form, status=400)
    data = form.cleaned_data
    commenter = commenter_for(request, name=data["author"], email=data["email"], url=data["url"])
    try:
        outcome = post_comment(
            post=post,
            parent=parent_comment(data["comment_parent"]),
            commenter=commenter,
            body=data["comment"],
            client=Client.from_request(request),
            honeypot=data["fax_number"],
        )
    except CommentRefused as refusal:
        form.add_error(None, str(refusal))
        return post_page(request, post, form=form, status=400)
    if needs_confirmation(outcome.comment):
        send_confirmation(request, outcome.comment)
    # A held comment is shown to its author alone: by the page's script (from ``mine``) where
    # JavaScript runs, else on its own private page.
    if outcome.is_public or data["js"]:
        response = redirect(outcome.comment.get_absolute_url())
    else:
        response = redirect(reverse("discussion:own", args=[outcome.comment.pk]))
    remember(response, request, commenter=commenter, comment_id=outcome.comment.pk)
    return response


def _own_held(request: HttpRequest) -> "list[Comment]":
    ids = own_comment_ids(request)
    held = [Comment.Status.PENDING, Comment.Status.SPAM]  # spam too: never tell a spammer they were caught
    return list(Comment.objects.filter(pk__in=ids, status__in=held).select_related("post", "user"))


@never_cache
@vary_on_cookie
@require_GET
def mine(request: HttpRequest) -> JsonResponse:
    """The visitor's own part of a post page: who they are and their comments still held."""
    post_id = request.GET.get("post", "")
    held = [c for c in _own_held(request) if str(c.post_id) == post_id]
    if request.user.is_authenticated:
        user = request.user
        identity = {"kind": "user", "name": user.get_full_name() or user.get_username()}
    elif details := read_cookie(request):
        identity = {
            "kind": "guest",
            "name": details.get("n", ""),
            "email": details.get("e", ""),
            "url": details.get("u", ""),
        }
    else:
        identity = None
    pending = [
        {
            "id": c.pk,
            "parent": c.parent_id,
            "html": render_to_string("discussion/_comment.html", {"comment": c, "awaiting": True}, request) + "</li>",
        }
        for c in held
    ]
    return JsonResponse({"identity": identity, "pending": pending})


@never_cache
@vary_on_cookie
@require_GET
def own_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A held comment, shown to the browser that wrote it (a signed cookie, not a guessable URL)."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    if comment.status == Comment.Status.APPROVED:
        return redirect(comment.get_absolute_url())
    if comment not in _own_held(request):
        raise Http404
    return render(request, "discussion/own_comment.html", {"comment": comment, "post": comment.post})
