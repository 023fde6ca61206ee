"""Old addresses of imported posts: remembered at import, looked up by the redirect and the comment importers."""

from urllib.parse import parse_qs, unquote, urlsplit

from pnyx.blog.models import Post
from pnyx.discussion.models import Thread

from .models import LegacyPath

# WordPress answers these query parameters on any path with the post of that id.
_ID_PARAMETERS = ("p", "page_id")


def split_link(url: str) -> tuple[str, str] | None:
    """The (path, query) a link is remembered under: the decoded path, and ``p=N`` for ``?p=N`` links."""
    parts = urlsplit(url.strip())
    if not parts.path and not parts.query and not parts.netloc:
        return None
    path = unquote(parts.path or "/")
    return path[:500], id_query(parts.query)


def id_query(query: str) -> str:
    params = parse_qs(query)
    for name in _ID_PARAMETERS:
        if values := params.get(name):
            return f"{name}={values[0]}"
    return ""


def remember(post: Post, links: list[str]) -> None:
    """Store the old links of ``post``; a link another post already claimed stays with that post."""
    rows = {key for link in links if link and (key := split_link(link))}
    LegacyPath.objects.bulk_create(
        [LegacyPath(path=path, query=query, post=post) for path, query in sorted(rows)], ignore_conflicts=True
    )


def find_post(url: str) -> Post | None:
    """The post that lived at ``url`` on the old site, or that lives there on this one."""
    key = split_link(url)
    if key is None:
        return None
    path, query = key
    legacy = LegacyPath.objects.filter(path=path, query=query).select_related("post").first()
    if legacy is not None:
        return legacy.post
    for post in Post.objects.filter(slug=path.strip("/").rsplit("/", 1)[-1]):
        if post.get_absolute_url() == path:
            return post
    return None


def find_thread(url: str, *, title: str = "") -> Thread:
    """The discussion for a page of the old site: the post's thread if the post is here, else a thread
    kept under the page's address (so no comment is dropped for want of a post)."""
    post = find_post(url)
    if post is not None:
        return Thread.objects.for_post(post)
    thread, _created = Thread.objects.get_or_create(
        site="", path=Thread.path_of(url), defaults={"title": " ".join(title.split())[:300]}
    )
    return thread
