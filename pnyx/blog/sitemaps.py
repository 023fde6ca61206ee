"""``/sitemap.xml``: every published post and page, and the home page, for search engines."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Post, PostQuerySet


class _OurSite(Sitemap):
    """Addresses under ``PNYX_BASE_URL``, not the host a request named: the sitemap is kept for everyone."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.PNYX_BASE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.PNYX_BASE_URL).netloc


class PostSitemap(_OurSite):
    limit = 5000

    def items(self) -> PostQuerySet:
        return Post.objects.published().order_by("-published_at", "-id").only("slug", "kind", "updated_at")

    def lastmod(self, post: Post):
        return post.updated_at


class HomeSitemap(_OurSite):
    def items(self) -> list[str]:
        return ["blog:home"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"home": HomeSitemap, "posts": PostSitemap}
