from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    # Browsers, feed readers and bots ask for /favicon.ico whatever the page says: the same drawing as
    # base.html's <link rel="icon">, so they get an icon rather than a 404 (each costing a log line).
    path("favicon.ico", serve, {"path": "pnyx/favicon.svg", "document_root": settings.BASE_DIR / "static"}),
    path("admin/", admin.site.urls),
    path("comments/", include("pnyx.discussion.urls")),
    path("you/", include("pnyx.identity.urls")),
    path("mail/", include("pnyx.outbox.urls")),
    # allauth's pages (sign in, sign up, email verification, provider callbacks), customised through
    # pnyx.identity.adapter and the templates in pnyx/templates/account/ and socialaccount/.
    path("accounts/", include("allauth.urls")),
    path("", include("pnyx.blog.urls")),
]
