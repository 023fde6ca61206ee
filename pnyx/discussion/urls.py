from django.urls import path

from . import feeds, views

app_name = "discussion"
urlpatterns = [
    path("thread/<int:thread_id>/", views.post_comment_view, name="post"),
    path("mine/", views.mine, name="mine"),
    path("feed/", feeds.rss, name="feed"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("locate/", views.locate, name="locate"),
    path("<int:comment_id>/", views.own_comment, name="own"),
    path("<int:comment_id>/edit/", views.edit_own, name="edit"),
    path("<int:comment_id>/delete/", views.delete_own, name="delete"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("moderate/<str:token>/", views.moderate, name="moderate"),
]
