from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("pnyx.discussion.urls")),
    path("you/", include("pnyx.identity.urls")),
    path("", include("pnyx.blog.urls")),
]
