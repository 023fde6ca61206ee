from django.urls import path

from . import views

app_name = "blog"
urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<str:slug>/", views.post_detail, name="post"),
    path("<str:slug>/", views.page_detail, name="page"),
]
