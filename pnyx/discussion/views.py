"""The discussion's HTTP side: the comment POST, the reader's own part of a page, the confirmation link.

Views parse the request and render; what happens to a comment is decided in ``posting``, ``lifecycle``
and ``rules``.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie

from pnyx.blog import protection
from pnyx.blog.models import Post
from pnyx.identity import signin
from pnyx.identity.commenter import commenter_for, prove_address, read_cookie, remember, written_ids
from pnyx.origin import is_same_origin

from .confirmation import comment_confirm, comment_disown, comment_for_token
from .forms import CommentForm, clean_body
from .fragments import comment_html, refresh_stale
from .models import Comment, Thread
from .moderation import may_moderate
from .moderation_links import RESULT, comment_moderate, read_moderation_token
from .own import changeable_in_thread, comment_delete_own, comment_edit_own, edit_until, may_change
from .posting import (
    Client,
    CommentRefused,
    DuplicateComment,
    RateLimited,
    parent_comment,
    post_comment,
    post_thread,
)

logger = logging.getLogger(__name__)


def post_page(request: HttpRequest, post: Post, *, form: CommentForm, status: int) -> HttpResponse:
    """The post page with the comment form as it was sent, its errors shown and everything typed kept."""
    return render(request, "blog/post_detail.html", {"post": post, "comment_form": form}, status=status)


# Django's token check is replaced, for this view only, by the Origin / Sec-Fetch-Site check and
# SameSite cookies (see pnyx/origin.py): the page holding the form carries no per-visitor token.
@csrf_exempt
@require_POST
def post_comment_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    if not is_same_origin(request):
        return render(request, "discussion/refused.html", status=403)
    thread = post_thread(thread_id)
    if thread is None or not thread.post.is_published:
        raise Http404
    if protection.is_locked(request, thread.post):  # its comments are behind its password
        return render(request, "discussion/refused.html", {"locked_post": thread.post}, status=403)
    form = CommentForm(request.POST, auto_id="%s", signed_in=request.user.is_authenticated)
    if not form.is_valid():
        return post_page(request, thread.post, form=form, status=400)
    data = form.cleaned_data
    commenter = commenter_for(request, name=data["author"], email=data["email"], url=data["url"])
    try:
        outcome = post_comment(
            thread=thread,
            parent=parent_comment(data["comment_parent"]),
            commenter=commenter,
            body=data["comment"],
            client=Client.from_request(request),
            honeypot=data["fax_number"],
            notify_replies=data["notify"],
            follow=data["follow"],
            follow_blog=data["follow_blog"],
        )
    except RateLimited as limited:
        return _rate_limited(request, thread.post, form, limited)
    except DuplicateComment as duplicate:
        if duplicate.original.pk in commenter.written:  # a double click in this browser: the first one was taken
            return _landing(duplicate.original, js=data["js"])
        form.add_error(None, str(duplicate))
        return post_page(request, thread.post, form=form, status=400)
    except CommentRefused as refusal:
        form.add_error(None, str(refusal))
        return post_page(request, thread.post, form=form, status=400)
    except OperationalError:
        # The database could not take the write in time (SQLite busy under a long import, a failover):
        # say so and give the text back, rather than a server error that loses it.
        logger.warning("comment not written: the database was busy", exc_info=True)
        form.add_error(None, _("The site is busy and could not save your comment. Please send it again in a moment."))
        response = post_page(request, thread.post, form=form, status=503)
        response["Retry-After"] = "5"
        return response
    response = _landing(outcome.comment, js=data["js"], place=outcome.place)
    remember(response, request, commenter=commenter, comment_id=outcome.comment.pk)
    return response


def wants_json(request: HttpRequest) -> bool:
    """A script asking for JSON alone (the page's fetches send ``Accept: application/json``); a browser,
    which also takes HTML, gets the page."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _rate_limited(request: HttpRequest, post: Post, form: CommentForm, limited: RateLimited) -> HttpResponse:
    """429, saying how long to wait; the page keeps everything typed (the JSON caller has it already)."""
    wait = limited.retry_after
    when = _("Please send it again in %(n)d seconds.") % {"n": wait}
    if wait >= 120:
        when = _("Please send it again in %(n)d minutes.") % {"n": (wait + 59) // 60}
    message = f"{limited} {_('Your comment was not posted yet; your text is kept below.')} {when}"
    if wants_json(request):
        response = JsonResponse({"error": str(limited), "retry_after": wait, "message": message}, status=429)
    else:
        form.add_error(None, message)
        response = post_page(request, post, form=form, status=429)
    response["Retry-After"] = str(wait)
    return response


def _landing(comment: Comment, *, js: str, place: Callable[[], str] | None = None) -> HttpResponse:
    """Where a comment's author goes next. A held comment is shown to its author alone: by the page's
    script (from ``mine``) where JavaScript runs, else on its own private page. ``place`` gives the
    comment's address when the caller knows it without reading the thread again (``Outcome.place``)."""
    if comment.is_public or js:
        return redirect((place or comment.get_absolute_url)())
    return redirect(reverse("discussion:own", args=[comment.pk]))


def _own_held(request: HttpRequest) -> list[Comment]:
    """This browser's comments that nobody else sees: pending, and spam too (never tell a spammer)."""
    held = [Comment.Status.PENDING, Comment.Status.SPAM]
    return list(
        Comment.objects.filter(pk__in=written_ids(request), status__in=held).select_related("thread__post", "user")
    )


@never_cache
@vary_on_cookie
@require_GET
def mine(request: HttpRequest) -> JsonResponse:
    """The visitor's own part of a page: who they are, how they signed in, their comments still held in this
    thread, the draft they left this page with to sign in, if any, and for staff how many comments wait
    on the moderation desk."""
    thread_id = request.GET.get("thread", "")
    held = [c for c in _own_held(request) if str(c.thread_id) == thread_id]
    refresh_stale(held)
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
    thread = held[0].thread if held else None
    pending = [
        {
            "id": c.pk,
            "parent": c.parent_id,
            "page": thread.page_of(c.path),
            "html": comment_html(c, awaiting=True) + "</li>",
        }
        for c in held
    ]
    draft = None
    if signin.peek_draft(request) is not None and thread_id.isascii() and thread_id.isdigit() and len(thread_id) < 19:
        page = Thread.objects.filter(pk=thread_id).values_list("path", flat=True).first()
        draft = signin.draft_for(request, page=page) if page else None
    mine = {"identity": identity, "pending": pending}
    if account := signin.account_of(request):
        mine["account"] = account
    if draft:
        mine["draft"] = draft
    own = changeable_in_thread(request, int(thread_id)) if _number(thread_id) else []
    if own:
        mine["own"] = [_own_entry(c) for c in own]
    if may_moderate(request.user):
        mine["desk"] = {"url": reverse("desk:index"), "pending": Comment.objects.filter(status="pending").count()}
    return JsonResponse(mine)


def _own_entry(comment: Comment) -> dict:
    """What the page's script needs to offer Edit and Delete on one of the reader's own comments."""
    return {
        "id": comment.pk,
        "body": comment.body,
        "until": int(edit_until(comment).timestamp() * 1000),
        "edit": reverse("discussion:edit", args=[comment.pk]),
        "delete": reverse("discussion:delete", args=[comment.pk]),
    }


def _own_refusal(request: HttpRequest, message: str, *, status: int, comment: Comment | None = None) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    context = {"comment": comment, "error": message, "text": request.POST.get("comment", "")}
    return render(request, "discussion/edit_own.html", context, status=status)


def _own_comment_or_refusal(request: HttpRequest, comment_id: int) -> Comment | HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("thread"), pk=comment_id)
    if not may_change(request, comment):
        message = _("This comment can no longer be changed: the time to edit or delete it has passed.")
        return _own_refusal(request, message, status=403)
    return comment


# Like the comment POST: no token in the cached page, so the Origin check and SameSite cookies guard it.
@csrf_exempt
@never_cache
@vary_on_cookie
def edit_own(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The author's edit: a form on its own page without JavaScript, the page's script's POST with it."""
    if request.method == "POST" and not is_same_origin(request):
        return render(request, "discussion/refused.html", status=403)
    comment = _own_comment_or_refusal(request, comment_id)
    if isinstance(comment, HttpResponse):
        return comment
    if request.method != "POST":
        return render(request, "discussion/edit_own.html", {"comment": comment, "text": comment.body})
    try:
        body = clean_body(request.POST.get("comment", ""))
    except ValidationError as error:
        return _own_refusal(request, error.messages[0], status=400, comment=comment)
    comment_edit_own(request=request, comment=comment, body=body)
    if wants_json(request):
        return JsonResponse({"id": comment.pk, "html": comment.body_html, "awaiting": not comment.is_public})
    return _landing(comment, js="")


@csrf_exempt
@never_cache
@require_POST
def delete_own(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not is_same_origin(request):
        return render(request, "discussion/refused.html", status=403)
    comment = _own_comment_or_refusal(request, comment_id)
    if isinstance(comment, HttpResponse):
        return comment
    comment_delete_own(request=request, comment=comment)
    if wants_json(request):
        return JsonResponse({"id": comment.pk, "deleted": True})
    return redirect(f"{comment.thread.get_absolute_url()}#comments")


def _readers_see(thread: Thread) -> bool:
    """Whether readers may see ``thread``'s page: a post's thread only while the post is published."""
    return thread.post_id is None or Post.objects.published().filter(pk=thread.post_id).exists()


@never_cache
@vary_on_cookie
@require_GET
def own_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment's permalink; a held one is shown to the browser that wrote it, and to nobody else."""
    comment = get_object_or_404(Comment.objects.select_related("thread__post"), pk=comment_id)
    if not _readers_see(comment.thread):
        raise Http404
    if comment.is_public:
        return redirect(comment.get_absolute_url())
    if comment not in _own_held(request):
        raise Http404
    context = {"comment": comment, "thread": comment.thread, "changeable": may_change(request, comment)}
    return render(request, "discussion/own_comment.html", context)


@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """Where a ``#comment-N`` or an old imported anchor of a thread is: the page's script asks when the
    page it is on does not hold the anchor. The same answer for everyone, about public comments only.

    The id of a comment of this thread is looked up first (pnyx's own links), then an imported
    comment's old anchor (``legacy_anchor``).
    """
    thread = get_object_or_404(Thread, pk=_number(request.GET.get("thread", "")) or 0)
    anchor = request.GET.get("anchor", "")[:40]
    if not _readers_see(thread):
        raise Http404
    public = thread.comments.public()
    number = _number(anchor.removeprefix("comment-")) if anchor.startswith("comment-") else None
    comment = (number and public.filter(pk=number).first()) or (
        public.filter(legacy_anchor=anchor).first() if anchor else None
    )
    if comment is None:
        raise Http404
    response = JsonResponse({"url": comment.get_absolute_url()})
    response["Cache-Control"] = "public, max-age=60"  # a comment moves page only when earlier ones are hidden
    return response


def _number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the held comment and two buttons; only a POST acts (link scanners only GET).

    *Publish* publishes the comment and proves the address to this browser alone; *It wasn't me*
    revokes every proof of the address and keeps the comment for a moderator, as spam.
    """
    comment = comment_for_token(token)
    if comment is None or request.method != "POST":
        return render(request, "discussion/confirm.html", {"comment": comment}, status=200 if comment else 410)
    if request.POST.get("answer") == "not-me":
        comment_disown(comment=comment)
        return render(request, "discussion/confirm.html", {"answer": "not-me"})
    comment_confirm(comment=comment)
    response = redirect(comment.get_absolute_url())
    prove_address(response, request, email=comment.author_email, name=comment.author_name)
    return response


@never_cache
def moderate(request: HttpRequest, token: str) -> HttpResponse:
    """A moderator's one-click link from a mail: GET shows the comment and one button; only the POST acts,
    through the same services as the admin, so a link scanner changes nothing."""
    named = read_moderation_token(token)
    if named is None:
        return render(request, "discussion/moderate.html", {}, status=410)
    comment, action, moderator = named
    context = {"comment": comment, "action": action}
    if request.method != "POST":
        return render(request, "discussion/moderate.html", context)
    changed = comment_moderate(comment=comment, action=action, moderator=moderator)
    done = changed is not None or comment.status == RESULT[action]
    return render(request, "discussion/moderate.html", {**context, "done": done})
