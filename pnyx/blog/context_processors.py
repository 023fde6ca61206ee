from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# The addresses every page's frame links to, by the name base.html uses (and the discussion's section,
# on every post page): a view's name or a static file.
_FRAME_VIEWS = {
    "home": "blog:home",
    "feed": "blog:feed",
    "comments_feed": "discussion:feed",
    "manifest": "manifest",
    "mine": "discussion:mine",
    "locate": "discussion:locate",
    "desk": "desk:index",
    "subscribe": "outbox:subscribe",
}
_FRAME_FILES = {"favicon": "pnyx/favicon.svg", "stylesheet": "pnyx/site.css", "script": "pnyx/comments.js"}


def site(request: HttpRequest) -> dict:
    """The site's name and tagline and its frame's links, the same for every visitor."""
    return {
        "site_name": settings.PNYX_SITE_NAME,
        "site_tagline": settings.PNYX_SITE_TAGLINE,
        "frame": frame_links(),
    }


def frame_links() -> dict[str, str]:
    """The frame's addresses for this request's script prefix and language (``links_for``)."""
    return links_for(get_script_prefix(), get_language())


@lru_cache(maxsize=16)
def links_for(script_prefix: str, language: str | None) -> dict[str, str]:
    """Worked out once per process for each script prefix and language (what a reversed address depends
    on here), rather than on every page: reversing a name costs 50 µs, and the frame has eleven."""
    return {name: reverse(view) for name, view in _FRAME_VIEWS.items()} | {
        name: static(path) for name, path in _FRAME_FILES.items()
    }
