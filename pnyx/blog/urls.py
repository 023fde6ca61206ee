from django.urls import path, register_converter

from . import feeds, views
from .converters import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "uslug")

app_name = "blog"
urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.rss, name="feed"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("category/<uslug:term>/feed/", feeds.rss, {"taxonomy": "category"}, name="category_feed"),
    path("category/<uslug:term>/feed/atom/", feeds.atom, {"taxonomy": "category"}, name="category_feed_atom"),
    path("tag/<uslug:term>/feed/", feeds.rss, {"taxonomy": "tag"}, name="tag_feed"),
    path("tag/<uslug:term>/feed/atom/", feeds.atom, {"taxonomy": "tag"}, name="tag_feed_atom"),
    path("author/<str:author>/feed/", feeds.rss, name="author_feed"),
    path("author/<str:author>/feed/atom/", feeds.atom, name="author_feed_atom"),
    path("posts/<uslug:slug>/", views.post_detail, name="post"),
    path("<uslug:slug>/", views.page_detail, name="page"),
]
