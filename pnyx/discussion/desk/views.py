"""The desk's two views: the list (GET) and the one place every action is posted to (POST).

Without JavaScript the action's form POST answers with a redirect back to the same list, saying what
was done with an Undo button; ``desk.js`` posts the same fields with ``Accept: application/json`` and
gets the outcome as JSON, to apply without a reload. Staff only, CSRF-checked, never cached (no view
here is marked ``pagecache.for_everyone``, and every answer says ``no-store``).
"""

import functools
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pnyx.identity.commenter import Commenter

from ..forms import clean_body
from ..models import Comment
from ..moderation import comment_approve, comment_edit, comment_restore, comment_spam, comment_trash, may_moderate
from ..posting import Client, CommentRefused, post_comment
from ..views import wants_json
from .queue import Filters, counts, listing, status_of

PER_PAGE = 25

STATUS_ACTIONS = {
    "approve": (comment_approve, gettext_lazy("approved")),
    "spam": (comment_spam, gettext_lazy("marked as spam")),
    "trash": (comment_trash, gettext_lazy("moved to the trash")),
    "restore": (comment_restore, gettext_lazy("restored")),
}


def staff_only(view):
    """Moderators (``moderation.may_moderate``); others are sent to sign in, or refused (403)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not may_moderate(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


@staff_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    status = status_of(request.GET.get("status", ""))
    filters = Filters.from_query(request.GET)
    page = Paginator(listing(status=status, filters=filters), PER_PAGE).get_page(request.GET.get("page"))
    query = filters.items()
    undo = [int(i) for i in request.GET.get("undo", "").split(",") if i.isdigit()][: PER_PAGE * 4]
    context = {
        "status": status,
        "tabs": [(tab, Comment.Status(tab).label, n) for tab, n in counts().items()],
        "filters": filters,
        "page": page,
        "here": _desk_url(status, query, page.number),
        "tab_query": urlencode(query),
        "page_query": urlencode([("status", status), *query]),
        "undo": undo,
    }
    return render(request, "discussion/desk/index.html", context)


def _desk_url(status: str, query: list[tuple[str, str]], page: int = 1) -> str:
    params = [("status", status), *query] + ([("page", str(page))] if page > 1 else [])
    return f"{reverse('desk:index')}?{urlencode(params)}"


@staff_only
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """One action on one comment (``act=approve:12``) or on the ticked ones (``act=approve``, ``ids``)."""
    name, _sep, one = request.POST.get("act", "").partition(":")
    ids = [one] if one else request.POST.getlist("ids")
    wanted = [i for i in ids if i.isascii() and i.isdigit() and len(i) < 19][:500]
    comments = list(Comment.objects.filter(pk__in=wanted).select_related("thread").order_by("pk"))
    if name in STATUS_ACTIONS and comments:
        service, done = STATUS_ACTIONS[name]
        outcome = _statuses(request, comments, service, done)
    elif name in ("edit", "reply") and len(comments) == 1:
        outcome = (_edit if name == "edit" else _reply)(request, comments[0])
    else:
        outcome = {"error": _("Choose an action and at least one comment.")}
    return _answer(request, outcome)


def _statuses(request: HttpRequest, comments: list[Comment], service, done: str) -> dict:
    moved = []
    for comment in comments:
        before = comment.status
        if service(comment=comment, moderator=request.user) is not None:
            moved.append({"id": comment.pk, "status": comment.status, "previous": before})
    message = ngettext("%(n)d comment %(done)s.", "%(n)d comments %(done)s.", len(moved))
    return {"moved": moved, "message": message % {"n": len(moved), "done": done}}


def _edit(request: HttpRequest, comment: Comment) -> dict:
    try:
        body = clean_body(request.POST.get(f"body-{comment.pk}", ""))
    except ValidationError as error:
        return {"error": error.messages[0]}
    comment_edit(comment=comment, body=body, editor=request.user)
    return {"edited": {"id": comment.pk, "html": comment.body_html, "body": comment.body}, "message": _("Saved.")}


def _reply(request: HttpRequest, comment: Comment) -> dict:
    """A reply as the signed-in moderator, through the one posting flow. Answering a held comment
    approves it first, as a reply under a hidden comment would be hidden too."""
    try:
        body = clean_body(request.POST.get(f"reply-{comment.pk}", ""))
    except ValidationError as error:
        return {"error": error.messages[0]}
    approved = comment_approve(comment=comment, moderator=request.user) if comment.status == "pending" else None
    try:
        outcome = post_comment(
            thread=comment.thread,
            parent=comment,
            commenter=Commenter(user=request.user),
            body=body,
            client=Client.from_request(request),
        )
    except CommentRefused as refusal:
        return {"error": str(refusal)}
    reply = outcome.comment
    moved = [{"id": comment.pk, "status": comment.status, "previous": "pending"}] if approved else []
    return {"moved": moved, "replied": {"id": reply.pk, "status": reply.status}, "message": _("Reply posted.")}


def _answer(request: HttpRequest, outcome: dict) -> HttpResponse:
    if wants_json(request):
        outcome["counts"] = counts()
        return JsonResponse(outcome, status=400 if "error" in outcome else 200)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("desk:index") + "?") and back != reverse("desk:index"):
        back = reverse("desk:index")
    base, _sep, query = back.partition("?")
    params = [(k, v) for k, v in parse_qsl(query) if k != "undo"]
    if "error" in outcome:
        messages.error(request, outcome["error"])
    else:
        messages.success(request, outcome["message"])
    if outcome.get("moved"):
        params.append(("undo", ",".join(str(m["id"]) for m in outcome["moved"])))
    return redirect(f"{base}?{urlencode(params)}")
