from django.urls import path, re_path, register_converter

from . import feeds, views
from .converters import UnicodeSlugConverter, UsernameConverter

register_converter(UnicodeSlugConverter, "uslug")
register_converter(UsernameConverter, "username")

app_name = "blog"
urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.rss, name="feed"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("category/<uslug:term>/feed/", feeds.rss, {"taxonomy": "category"}, name="category_feed"),
    path("category/<uslug:term>/feed/atom/", feeds.atom, {"taxonomy": "category"}, name="category_feed_atom"),
    path("tag/<uslug:term>/feed/", feeds.rss, {"taxonomy": "tag"}, name="tag_feed"),
    path("tag/<uslug:term>/feed/atom/", feeds.atom, {"taxonomy": "tag"}, name="tag_feed_atom"),
    path("author/<username:author>/feed/", feeds.rss, name="author_feed"),
    path("author/<username:author>/feed/atom/", feeds.atom, name="author_feed_atom"),
    path("category/<uslug:term>/", views.term_archive, {"taxonomy": "category"}, name="category"),
    re_path(r"^category/(?P<trail>(?:[-\w]+/){2,})$", views.category_trail),
    path("tag/<uslug:term>/", views.term_archive, {"taxonomy": "tag"}, name="tag"),
    path("author/<username:author>/", views.author_archive, name="author"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.date_archive, name="year"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.date_archive, name="month"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$", views.date_archive, name="day"),
    path("posts/<uslug:slug>/", views.post_detail, name="post"),
    path("<uslug:slug>/", views.page_detail, name="page"),
]
