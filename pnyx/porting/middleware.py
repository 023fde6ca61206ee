"""Old links keep working: an imported post's address on the old site answers with a 301 to its pnyx page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from pnyx.blog.models import Post

from .legacy import id_query
from .models import LegacyPath


class LegacyRedirectMiddleware:
    """Look up an old address only when pnyx has nothing there, so no ordinary page pays for it.

    WordPress's ``/?p=123`` is the exception: pnyx's home page answers ``/`` whatever the query, so
    that one is looked up before the view runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = id_query(request.META.get("QUERY_STRING", "")) if request.method in ("GET", "HEAD") else ""
        if query and (redirect := _redirect(request.path, query)):
            return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            return _redirect(request.path, "") or response
        return response


def _redirect(path: str, query: str) -> HttpResponse | None:
    if "\x00" in path or "\x00" in query:  # never imported (PostgreSQL cannot even store it), so never old
        return None
    # Only to a post readers may see: an unpublished one's slug is nobody's business.
    legacy = (
        LegacyPath.objects.filter(path=path, query=query, post__in=Post.objects.published())
        .select_related("post")
        .first()
    )
    if legacy is None:
        return None
    return HttpResponsePermanentRedirect(legacy.post.get_absolute_url())
