from django.urls import path

from . import views

app_name = "discussion"
urlpatterns = [
    path("thread/<int:thread_id>/", views.post_comment_view, name="post"),
    path("mine/", views.mine, name="mine"),
    path("locate/", views.locate, name="locate"),
    path("<int:comment_id>/", views.own_comment, name="own"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("moderate/<str:token>/", views.moderate, name="moderate"),
]
