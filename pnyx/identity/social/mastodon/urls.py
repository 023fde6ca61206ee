from django.urls import path

from . import views

urlpatterns = [
    path("mastodon/login/", views.instance, name="mastodon_login"),
    path("mastodon/login/callback/<str:host>/", views.callback, name="mastodon_callback"),
]
