from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_set_status

from .commenter import Commenter, remember
from .confirmation import comment_for_token


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the held comment and a button; only the POST publishes (link scanners only GET)."""
    comment = comment_for_token(token)
    if comment is None or request.method != "POST":
        return render(request, "identity/confirm.html", {"comment": comment}, status=200 if comment else 410)
    comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, moderator=None, reason="email address confirmed by link"
    )
    response = redirect(comment.get_absolute_url())
    commenter = Commenter(name=comment.author_name, email=comment.author_email, url=comment.author_url)
    remember(response, request, commenter=commenter, comment_id=comment.pk)
    return response
