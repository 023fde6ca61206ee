from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from pnyx.blog import urls as blog_urls  # first: it registers the "uslug" converter used below
from pnyx.blog.sitemaps import SITEMAPS
from pnyx.discussion import feeds as comment_feeds
from pnyx.media.views import media_file
from pnyx.pagecache import for_everyone

from . import wellknown

urlpatterns = [
    # Browsers, feed readers and bots ask for /favicon.ico whatever the page says: the same drawing as
    # base.html's <link rel="icon">, so they get an icon rather than a 404 (each costing a log line).
    path("favicon.ico", serve, {"path": "pnyx/favicon.svg", "document_root": settings.BASE_DIR / "static"}),
    path("robots.txt", wellknown.robots_txt),
    path("manifest.webmanifest", wellknown.manifest, name="manifest"),
    path("sitemap.xml", for_everyone(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("write/", include("pnyx.blog.writing.urls")),  # the writer's desk, for roles that write
    path("comments/", include("pnyx.discussion.urls")),
    path("desk/", include("pnyx.discussion.desk.urls")),
    path("you/", include("pnyx.identity.urls")),
    path("mail/", include("pnyx.outbox.urls")),
    # allauth's pages (sign in, sign up, email verification, provider callbacks), customised through
    # pnyx.identity.adapter and the templates in pnyx/templates/account/ and socialaccount/.
    path("accounts/", include("allauth.urls")),
    # A post's comments feed sits under the post's own address, where WordPress readers look for it.
    path("posts/<uslug:slug>/feed/", comment_feeds.rss, name="post_comments_feed"),
    path("posts/<uslug:slug>/feed/atom/", comment_feeds.atom, name="post_comments_feed_atom"),
    path("", include(blog_urls)),
]
if not settings.PNYX_MEDIA_S3_BUCKET:  # in the data dir: served here (an S3 store serves its own)
    urlpatterns.insert(0, path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media_file, name="media_file"))
