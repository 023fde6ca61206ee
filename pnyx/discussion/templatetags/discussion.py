"""The discussion part of a post page, composed by discussion itself: ``{% discussion post %}``.

The blog knows no comment; its post template hands the post to this tag, which lays out the thread
and the Leave a Reply form. For a GET the result depends on the URL alone, never on who asks, so the
page can be cached and served to anyone; a comment POST with errors puts its bound form in the
context as ``comment_form``, and the form comes back with everything typed.
"""

from django import template
from django.http import HttpRequest

from pnyx.blog.models import Post

from ..forms import CommentForm
from ..models import Thread
from ..threads import public_thread

register = template.Library()


@register.inclusion_tag("discussion/_discussion.html", takes_context=True)
def discussion(context: template.Context, post: Post) -> dict:
    request = context.get("request")
    thread = Thread.objects.get(post=post)
    items = public_thread(thread)
    form = context.get("comment_form") or CommentForm(auto_id="%s", initial={"comment_parent": _reply_param(request)})
    parent_id = str(form["comment_parent"].value())
    replying_to = next((i.comment for i in items if i.comment is not None and str(i.comment.pk) == parent_id), None)
    return {"post": post, "thread": thread, "items": items, "form": form, "replying_to": replying_to}


def _reply_param(request: HttpRequest | None) -> int | None:
    """``?replytocom=ID`` opens the form as a reply when JavaScript is off."""
    value = request.GET.get("replytocom", "") if request is not None else ""
    return int(value) if value.isascii() and value.isdigit() else None
